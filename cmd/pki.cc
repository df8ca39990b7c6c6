#include "cmd/pki.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "cmd/fileutil.h"

namespace minik {
namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

constexpr int kCaDays = 3650;
constexpr int kLeafDays = 3 * 365;
constexpr int kRenewBeforeDays = 30;

// The OpenSSL error queue as text (and emptied), for messages.
std::string SslError(const std::string& what) {
  std::string out = what;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  return out;
}

StatusOr<KeyPtr> NewEcKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal(SslError("cannot generate an EC key"));
  return key;
}

std::string KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string PublicKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

StatusOr<KeyPtr> KeyFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return BadRequest(SslError("malformed private key"));
  return key;
}

StatusOr<X509Ptr> CertFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return BadRequest(SslError("malformed certificate"));
  return cert;
}

Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return Internal(SslError("cannot add certificate extension " + value));
  }
  return Status::Ok();
}

struct CertSpec {
  std::string cn = {};
  std::vector<std::string> orgs = {};
  bool ca = false;
  bool server = false;
  bool client = false;
  std::vector<std::string> dns = {};
  std::vector<std::string> ips = {};
  int days = kLeafDays;
};

// Issues a certificate for `key`; self-signed when `issuer` is null.
StatusOr<X509Ptr> Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) return Internal(SslError("X509_new"));
  X509* x = cert.get();
  X509_set_version(x, 2);  // v3
  // A random 127-bit positive serial, as RFC 5280 asks (unique per issuer, <= 20 bytes).
  BnPtr serial(BN_new());
  if (!BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x))) {
    return Internal(SslError("cannot make a serial number"));
  }
  // Back-dated an hour so that small clock differences between processes don't matter.
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_time_adj_ex(X509_getm_notAfter(x), spec.days, 0, nullptr);
  X509_NAME* name = X509_get_subject_name(x);
  for (const auto& o : spec.orgs) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  }
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1,
                                  0)) {
    return Internal(SslError("invalid common name"));
  }
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  if (!X509_set_pubkey(x, key)) return Internal(SslError("X509_set_pubkey"));

  X509* ext_issuer = issuer ? issuer : x;
  if (spec.ca) {
    MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_basic_constraints, "critical,CA:TRUE"));
    MINIK_RETURN_IF_ERROR(
        AddExt(x, ext_issuer, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
  } else {
    MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_basic_constraints, "critical,CA:FALSE"));
    MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_key_usage, "critical,digitalSignature"));
    std::string eku;
    if (spec.server) eku = "serverAuth";
    if (spec.client) eku += std::string(eku.empty() ? "" : ",") + "clientAuth";
    if (!eku.empty()) MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_ext_key_usage, eku));
  }
  MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_subject_key_identifier, "hash"));
  if (issuer) {
    MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_authority_key_identifier, "keyid:always"));
  }
  std::string san;
  for (const auto& d : spec.dns) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : spec.ips) san += (san.empty() ? "IP:" : ",IP:") + ip;
  if (!san.empty()) MINIK_RETURN_IF_ERROR(AddExt(x, ext_issuer, NID_subject_alt_name, san));

  if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
    return Internal(SslError("cannot sign certificate " + spec.cn));
  }
  return cert;
}

StatusOr<CertAndKey> IssueWithNewKey(const CertSpec& spec, X509* issuer, EVP_PKEY* issuer_key) {
  auto key = NewEcKey();
  if (!key.ok()) return key.status();
  auto cert = Issue(spec, key->get(), issuer, issuer_key);
  if (!cert.ok()) return cert.status();
  return CertAndKey{CertToPem(cert->get()), KeyToPem(key->get())};
}

Status WritePair(const std::string& dir, const std::string& base, const CertAndKey& ck) {
  // Key first: a cert on disk always has its key beside it.
  MINIK_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + base + ".key", ck.key_pem, 0600, false));
  return WriteFileAtomic(dir + "/" + base + ".crt", ck.cert_pem, 0644, false);
}

// Whether the leaf pair at dir/base is usable as is: both files present, chaining to the CA,
// key matching, not expiring soon, and (for the serving cert) covering every wanted SAN.
bool LeafIsGood(const std::string& dir, const std::string& base, const std::string& ca_pem,
                const CertSpec& spec) {
  auto cert = ReadFile(dir + "/" + base + ".crt");
  auto key = ReadFile(dir + "/" + base + ".key");
  if (!cert.ok() || !key.ok()) return false;
  if (!VerifyCertificate(*cert, ca_pem).ok() || !CheckKeyMatchesCert(*cert, *key).ok()) {
    return false;
  }
  auto info = InspectCertificate(*cert);
  if (!info.ok()) return false;
  if (info->not_after <
      std::chrono::system_clock::now() + std::chrono::hours(24 * kRenewBeforeDays)) {
    return false;
  }
  auto has_all = [](const std::vector<std::string>& have, const std::vector<std::string>& want) {
    return std::all_of(want.begin(), want.end(), [&](const std::string& w) {
      return std::find(have.begin(), have.end(), w) != have.end();
    });
  };
  return info->common_name == spec.cn && info->organizations == spec.orgs &&
         has_all(info->dns_names, spec.dns) && has_all(info->ip_addresses, spec.ips) &&
         info->server_auth == spec.server && info->client_auth == spec.client;
}

}  // namespace

Status EnsurePki(const std::string& dir, const PkiOptions& options) {
  MINIK_RETURN_IF_ERROR(MakeDirs(dir, 0755));
  auto ca_cert_pem = ReadFile(dir + "/ca.crt");
  auto ca_key_pem = ReadFile(dir + "/ca.key");
  bool new_ca = false;
  if (!ca_cert_pem.ok() || !ca_key_pem.ok() ||
      !CheckKeyMatchesCert(*ca_cert_pem, *ca_key_pem).ok()) {
    CertSpec ca{.cn = "minikCA", .ca = true, .days = kCaDays};
    auto ck = IssueWithNewKey(ca, nullptr, nullptr);
    if (!ck.ok()) return ck.status();
    MINIK_RETURN_IF_ERROR(WritePair(dir, "ca", *ck));
    ca_cert_pem = ck->cert_pem;
    ca_key_pem = ck->key_pem;
    new_ca = true;
  }
  auto ca_cert = CertFromPem(*ca_cert_pem);
  if (!ca_cert.ok()) return ca_cert.status();
  auto ca_key = KeyFromPem(*ca_key_pem);
  if (!ca_key.ok()) return ca_key.status();

  CertSpec serving{
      .cn = "kube-apiserver", .server = true, .dns = options.dns_sans, .ips = options.ip_sans};
  CertSpec admin{.cn = options.admin_cn, .orgs = options.admin_orgs, .client = true};
  for (auto [base, spec] : {std::pair{"apiserver", &serving}, std::pair{"admin", &admin}}) {
    if (!new_ca && LeafIsGood(dir, base, *ca_cert_pem, *spec)) continue;
    auto ck = IssueWithNewKey(*spec, ca_cert->get(), ca_key->get());
    if (!ck.ok()) return ck.status();
    MINIK_RETURN_IF_ERROR(WritePair(dir, base, *ck));
  }

  auto sa_key = ReadFile(dir + "/sa.key");
  auto sa_pub = ReadFile(dir + "/sa.pub");
  if (!sa_key.ok() || !KeyFromPem(*sa_key).ok() || !sa_pub.ok() || sa_pub->empty()) {
    auto key = NewEcKey();
    if (!key.ok()) return key.status();
    MINIK_RETURN_IF_ERROR(WriteFileAtomic(dir + "/sa.key", KeyToPem(key->get()), 0600, false));
    MINIK_RETURN_IF_ERROR(
        WriteFileAtomic(dir + "/sa.pub", PublicKeyToPem(key->get()), 0644, false));
  }
  // No fsync: it costs ~10 ms a file on a busy disk (syncfs more), and `start` must be fast.
  // A crash before write-back leaves empty or missing files, which the next EnsurePki
  // detects and re-issues (start then rewrites the kubeconfig with the new data anyway).
  return Status::Ok();
}

StatusOr<Pki> LoadPki(const std::string& dir) {
  Pki pki;
  std::pair<const char*, std::string*> files[] = {{"ca.crt", &pki.ca_cert},
                                                  {"ca.key", &pki.ca_key},
                                                  {"apiserver.crt", &pki.apiserver_cert},
                                                  {"apiserver.key", &pki.apiserver_key},
                                                  {"admin.crt", &pki.admin_cert},
                                                  {"admin.key", &pki.admin_key},
                                                  {"sa.key", &pki.sa_key},
                                                  {"sa.pub", &pki.sa_pub}};
  for (auto& [name, out] : files) {
    auto text = ReadFile(dir + "/" + name);
    if (!text.ok()) return text.status();
    *out = std::move(*text);
  }
  return pki;
}

StatusOr<CertAndKey> IssueClientCert(const std::string& ca_cert_pem, const std::string& ca_key_pem,
                                     const std::string& cn, const std::vector<std::string>& orgs,
                                     int validity_days) {
  if (cn.empty()) return BadRequest("the user name must not be empty");
  auto ca_cert = CertFromPem(ca_cert_pem);
  if (!ca_cert.ok()) return ca_cert.status();
  auto ca_key = KeyFromPem(ca_key_pem);
  if (!ca_key.ok()) return ca_key.status();
  CertSpec spec{.cn = cn, .orgs = orgs, .client = true, .days = validity_days};
  return IssueWithNewKey(spec, ca_cert->get(), ca_key->get());
}

StatusOr<CertInfo> InspectCertificate(const std::string& cert_pem) {
  auto cert = CertFromPem(cert_pem);
  if (!cert.ok()) return cert.status();
  X509* x = cert->get();
  CertInfo info;
  X509_NAME* name = X509_get_subject_name(x);
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (n < 0) continue;
    std::string value(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
    if (nid == NID_commonName) info.common_name = value;
    if (nid == NID_organizationName) info.organizations.push_back(value);
  }
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type == GEN_DNS) {
      const ASN1_STRING* s = gn->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                  static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gn->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {};
      int len = ASN1_STRING_length(s);
      if (len == 4 || len == 16) {
        inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), buf, sizeof buf);
        info.ip_addresses.emplace_back(buf);
      }
    }
  }
  GENERAL_NAMES_free(sans);
  info.is_ca = X509_check_ca(x) > 0;
  uint32_t xku = X509_get_extended_key_usage(x);
  info.server_auth = (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && (xku & XKU_SSL_SERVER);
  info.client_auth = (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && (xku & XKU_SSL_CLIENT);
  struct tm tm = {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm)) {
    info.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  }
  return info;
}

Status VerifyCertificate(const std::string& cert_pem, const std::string& ca_pem) {
  auto cert = CertFromPem(cert_pem);
  if (!cert.ok()) return cert.status();
  auto ca = CertFromPem(ca_pem);
  if (!ca.ok()) return ca.status();
  StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca->get());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr)) {
    return Internal(SslError("X509_STORE_CTX_init"));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return BadRequest(std::string("certificate does not verify: ") +
                      X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

Status CheckKeyMatchesCert(const std::string& cert_pem, const std::string& key_pem) {
  auto cert = CertFromPem(cert_pem);
  if (!cert.ok()) return cert.status();
  auto key = KeyFromPem(key_pem);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return BadRequest("the private key does not match the certificate");
  }
  return Status::Ok();
}

}  // namespace minik
