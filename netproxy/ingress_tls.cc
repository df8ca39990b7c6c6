#include "netproxy/ingress_tls.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace minik::netproxy {

namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Fn(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

// The last OpenSSL error queued, worded, and the queue cleared.
std::string SslError(const std::string& what) {
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return what;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return what + ": " + buf;
}

std::string ToPem(int (*write)(BIO*, void*), void* obj) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), obj) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

bool AddExt(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

StatusOr<PemCertificate> GenerateSelfSignedCertificate(const std::string& common_name,
                                                       const std::vector<std::string>& dns_names,
                                                       int days) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal(SslError("generating the default certificate key"));
  X509Ptr cert(X509_new());
  if (!cert) return Internal(SslError("X509_new"));
  X509* x = cert.get();
  X509_set_version(x, 2);
  BnPtr serial(BN_new());
  if (!serial || !BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x))) {
    return Internal(SslError("certificate serial"));
  }
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_time_adj_ex(X509_getm_notAfter(x), days, 0, nullptr);
  X509_NAME* name = X509_get_subject_name(x);
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                  -1, 0)) {
    return Internal(SslError("certificate subject"));
  }
  X509_set_issuer_name(x, name);
  if (!X509_set_pubkey(x, key.get())) return Internal(SslError("X509_set_pubkey"));
  std::string san;
  for (const std::string& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  if ((!san.empty() && !AddExt(x, NID_subject_alt_name, san)) ||
      !AddExt(x, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExt(x, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !AddExt(x, NID_ext_key_usage, "serverAuth")) {
    return Internal(SslError("certificate extensions"));
  }
  if (!X509_sign(x, key.get(), EVP_sha256())) return Internal(SslError("X509_sign"));
  PemCertificate out;
  out.cert_pem = ToPem([](BIO* b, void* c) { return PEM_write_bio_X509(b, static_cast<X509*>(c)); },
                       x);
  out.key_pem = ToPem(
      [](BIO* b, void* k) {
        return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0,
                                        nullptr, nullptr);
      },
      key.get());
  if (out.cert_pem.empty() || out.key_pem.empty()) return Internal(SslError("PEM encoding"));
  return out;
}

StatusOr<SslCtxPtr> NewServerContext(const std::string& cert_pem, const std::string& key_pem) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Internal(SslError("SSL_CTX_new"));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  BioPtr certs(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr leaf(certs ? PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!leaf) return BadRequest(SslError("tls.crt holds no PEM certificate"));
  if (SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1)
    return BadRequest(SslError("tls.crt is not usable"));
  // The rest of the chain, if any, until the PEM data ends.
  while (X509* extra = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx.get(), extra) != 1) {
      X509_free(extra);
      return BadRequest(SslError("tls.crt chain"));
    }
  }
  ERR_clear_error();  // the end of the PEM data reads as an error
  BioPtr kbio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  KeyPtr key(kbio ? PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return BadRequest(SslError("tls.key holds no PEM private key"));
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1)
    return BadRequest(SslError("tls.key does not match tls.crt"));
  return ctx;
}

}  // namespace minik::netproxy
