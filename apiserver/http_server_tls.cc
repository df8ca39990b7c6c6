// TLS setup of the HTTP server and client-certificate identity, in plain OpenSSL.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>

#include "apiserver/http_server_internal.h"

namespace minik {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The OpenSSL error queue as one line, cleared.
std::string OpenSslError() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no details" : out;
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate of a PEM bundle, in order.
std::vector<X509Ptr> ReadCertificates(const std::string& pem) {
  std::vector<X509Ptr> certs;
  BioPtr bio = MemoryBio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(x);
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  return certs;
}

// Selects "http/1.1" when offered. kubectl also offers h2; without a match ALPN is simply not
// acknowledged and the client falls back to HTTP/1.1, so the handshake never fails here.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (unsigned int i = 0; i < inlen;) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == sizeof(kHttp11) && std::memcmp(in + i + 1, kHttp11, len) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

// Accepts every chain during the handshake: an unverified or missing client certificate only
// means "no identity" (the router answers 401), never a failed handshake. The verification
// result is still recorded and checked by VerifiedPeerCertificate.
int AcceptAnyChain(int, X509_STORE_CTX*) { return 1; }

std::string EntryText(const X509_NAME_ENTRY* entry) {
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

Status ConfigureServerTls(SSL_CTX* ctx, const HttpServerOptions& options) {
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Security level 0 only to allow SHA-1 handshake signatures for TLS 1.2 clients that send
  // no signature_algorithms extension (RFC 5246 then means SHA-1), as Go's crypto/tls in
  // kube-apiserver does: busybox's wget in a pod is one (without it: "no shared cipher").
  // Clients that send the extension still get SHA-256 or better, ciphers stay OpenSSL's
  // DEFAULT and TLS stays >= 1.2; our keys are all P-256 from the cluster CA.
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle keep-alive connections then hold no read/write buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

  std::vector<X509Ptr> chain = ReadCertificates(options.cert_pem);
  if (chain.empty()) return BadRequest("serving certificate: no PEM certificate found");
  if (SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return BadRequest("serving certificate: " + OpenSslError());
  }
  SSL_CTX_clear_chain_certs(ctx);
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return BadRequest("serving certificate chain: " + OpenSslError());
    }
  }
  BioPtr key_bio = MemoryBio(options.key_pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return BadRequest("serving key: " + OpenSslError());
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return BadRequest("serving key: " + OpenSslError());
  }
  SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);

  if (options.client_ca_pem.empty()) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return Status::Ok();
  }
  std::vector<X509Ptr> cas = ReadCertificates(options.client_ca_pem);
  if (cas.empty()) return BadRequest("client CA: no PEM certificate found");
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const X509Ptr& ca : cas) {
    if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
      return BadRequest("client CA: " + OpenSslError());
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, AcceptAnyChain);
  // Required for session resumption once peer verification is on.
  static const unsigned char kSessionContext[] = "minik-apiserver";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  return Status::Ok();
}

std::optional<PeerCertificate> VerifiedPeerCertificate(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  PeerCertificate peer;
  const X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    // Like Go's pkix.Name: the last CN wins, every O is kept in order.
    if (nid == NID_commonName) peer.common_name = EntryText(entry);
    if (nid == NID_organizationName) peer.organizations.push_back(EntryText(entry));
  }
  if (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) {
    peer.client_auth_usage =
        (X509_get_extended_key_usage(cert) & (XKU_SSL_CLIENT | XKU_ANYEKU)) != 0;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1) return std::nullopt;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < md_len; ++i) {
    peer.sha256_hex.push_back(kHex[md[i] >> 4]);
    peer.sha256_hex.push_back(kHex[md[i] & 15]);
  }
  return peer;
}

}  // namespace minik
