// The cluster PKI, generated once per profile with OpenSSL 3 (ECDSA P-256, SHA-256).
//
//   pki/ca.crt, ca.key                 the cluster CA (10 years); signs every other cert
//   pki/apiserver.crt, apiserver.key   serving cert, serverAuth, SANs from PkiOptions
//   pki/admin.crt, admin.key           client cert CN=minik-admin O=system:masters, clientAuth
//   pki/sa.key, sa.pub                 ServiceAccount token signing key pair (ES256)
//
// Keys are PKCS#8 PEM, mode 0600; certificates mode 0644.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/base64.h"  // Base64Encode, for callers of the PEM data
#include "api/status.h"

namespace minik {

struct PkiOptions {
  std::vector<std::string> ip_sans = {"127.0.0.1", "10.96.0.1"};
  std::vector<std::string> dns_sans = {"localhost", "kubernetes", "kubernetes.default",
                                       "kubernetes.default.svc",
                                       "kubernetes.default.svc.cluster.local"};
  std::string admin_cn = "minik-admin";
  std::vector<std::string> admin_orgs = {"system:masters"};
};

struct Pki {
  std::string ca_cert, ca_key;
  std::string apiserver_cert, apiserver_key;
  std::string admin_cert, admin_key;
  std::string sa_key, sa_pub;
};

struct CertAndKey {
  std::string cert_pem, key_pem;
};

// Creates whatever is missing in `dir`, and re-issues a leaf certificate that does not chain
// to the CA, expires within 30 days, or (serving cert) lacks a wanted SAN. A new CA re-issues
// every leaf. Existing valid files are left alone, so a restart is a few file reads.
Status EnsurePki(const std::string& dir, const PkiOptions& options = {});
// Reads every file EnsurePki writes. Code::kNotFound when one is missing.
StatusOr<Pki> LoadPki(const std::string& dir);

// A new client certificate (clientAuth) CN=cn, O=orgs..., signed by the CA, with a new key.
StatusOr<CertAndKey> IssueClientCert(const std::string& ca_cert_pem, const std::string& ca_key_pem,
                                     const std::string& cn, const std::vector<std::string>& orgs,
                                     int validity_days = 365);

// What a certificate says, for checks and tests.
struct CertInfo {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool is_ca = false;
  bool server_auth = false;  // EKU
  bool client_auth = false;  // EKU
  std::chrono::system_clock::time_point not_after;
};
StatusOr<CertInfo> InspectCertificate(const std::string& cert_pem);

// OK when `cert_pem` chains to `ca_pem` and is currently valid.
Status VerifyCertificate(const std::string& cert_pem, const std::string& ca_pem);
// OK when the private key belongs to the certificate.
Status CheckKeyMatchesCert(const std::string& cert_pem, const std::string& key_pem);


}  // namespace minik
