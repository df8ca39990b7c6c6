// TLS material of the Ingress proxy (OpenSSL): the self-signed default certificate served to
// hosts without a TLS Secret (as ingress-nginx's "Fake Certificate"), and server SSL_CTXs
// made from a Secret's PEM certificate chain and key.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik::netproxy {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct PemCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// A new EC P-256 key and a self-signed certificate (CN `common_name`, DNS SANs `dns_names`),
// valid from an hour ago for `days`.
StatusOr<PemCertificate> GenerateSelfSignedCertificate(const std::string& common_name,
                                                       const std::vector<std::string>& dns_names,
                                                       int days = 365);

// A TLS server context (TLS 1.2+) for a PEM chain (leaf first) and its private key.
// BadRequest naming what is wrong: unparsable PEM, no certificate, key not matching.
StatusOr<SslCtxPtr> NewServerContext(const std::string& cert_pem, const std::string& key_pem);

}  // namespace minik::netproxy
