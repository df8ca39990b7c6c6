#include "apiserver/sa_token.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <chrono>

namespace minik {
namespace {

// Tokens are bearer headers; anything longer than this is not one of ours.
constexpr size_t kMaxTokenBytes = 16 * 1024;
// go-jose's jwt.DefaultLeeway, which upstream's validator uses for exp, nbf and iat.
constexpr int64_t kLeewaySeconds = 60;
constexpr size_t kCoordinateBytes = 32;  // P-256

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

Status Unauthorized(std::string why) { return Status(Code::kUnauthorized, std::move(why)); }

// OK when `key` is an EC key on P-256: ES256 is defined only for that curve.
Status CheckP256(EVP_PKEY* key) {
  if (EVP_PKEY_base_id(key) != EVP_PKEY_EC) {
    return Status(Code::kInvalid, "the ServiceAccount key is not an EC key (ES256 needs P-256)");
  }
  char curve[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve),
                                     &len) != 1 ||
      std::string(curve, len) != "prime256v1") {
    return Status(Code::kInvalid, "the ServiceAccount key is not on curve P-256");
  }
  return Status::Ok();
}

// keyIDFromPublicKey: base64url(SHA-256(x509.MarshalPKIXPublicKey(key))).
StatusOr<std::string> KeyId(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return Internal("cannot encode the ServiceAccount public key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  int ok = EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) return Internal("cannot hash the ServiceAccount public key");
  return Base64UrlEncode(std::string_view(reinterpret_cast<char*>(md), md_len));
}

StatusOr<PkeyPtr> ReadPem(const std::string& pem, bool private_key) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Internal("out of memory reading a key");
  EVP_PKEY* key = private_key ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) {
    return Status(Code::kInvalid, std::string("the ServiceAccount ") +
                                      (private_key ? "private" : "public") +
                                      " key is not a PEM key");
  }
  PkeyPtr owned(key);
  MINIK_RETURN_IF_ERROR(CheckP256(key));
  return owned;
}

int64_t UnixSeconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Json RefJson(const TokenRef& r) { return Json{{"name", r.name}, {"uid", r.uid}}; }

// A {name, uid} private claim; both must be strings when present.
bool ReadRef(const Json& k8s, const char* field, TokenRef& out) {
  const Json* r = Find(k8s, {field});
  if (!r) return true;
  if (!r->is_object()) return false;
  for (const char* f : {"name", "uid"}) {
    const Json* v = Find(*r, {f});
    if (v && !v->is_string()) return false;
  }
  out.name = GetString(*r, {"name"});
  out.uid = GetString(*r, {"uid"});
  return true;
}

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t n = uint8_t(data[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == data.size()) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero (canonical encoding), as Go's RawURLEncoding.Strict.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

struct JwtSigner::Key {
  PkeyPtr pkey;
};
struct JwtVerifier::Key {
  PkeyPtr pkey;
};

JwtSigner::JwtSigner(std::unique_ptr<Key> key, std::string key_id)
    : key_(std::move(key)), key_id_(std::move(key_id)) {}
JwtSigner::~JwtSigner() = default;

StatusOr<std::unique_ptr<JwtSigner>> JwtSigner::FromPrivateKeyPem(const std::string& pem) {
  auto pkey = ReadPem(pem, true);
  if (!pkey.ok()) return pkey.status();
  auto kid = KeyId(pkey->get());
  if (!kid.ok()) return kid.status();
  auto key = std::make_unique<Key>();
  key->pkey = std::move(*pkey);
  return std::unique_ptr<JwtSigner>(new JwtSigner(std::move(key), std::move(*kid)));
}

StatusOr<std::string> JwtSigner::Sign(const Json& claims) const {
  Json header = {{"alg", "ES256"}, {"kid", key_id_}};
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return Internal("out of memory signing a token");
  std::string der;
  size_t der_len = 0;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &der_len,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    der.resize(der_len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &der_len,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    der.resize(der_len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return Internal("cannot sign the token");
  // DER ECDSA-Sig-Value -> JOSE r||s, each left-padded to 32 bytes.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return Internal("cannot decode the token signature");
  std::array<unsigned char, 2 * kCoordinateBytes> raw{};
  ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), kCoordinateBytes) ==
           static_cast<int>(kCoordinateBytes) &&
       BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + kCoordinateBytes, kCoordinateBytes) ==
           static_cast<int>(kCoordinateBytes);
  ECDSA_SIG_free(sig);
  if (!ok) return Internal("cannot encode the token signature");
  return input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<char*>(raw.data()), raw.size()));
}

JwtVerifier::JwtVerifier(std::unique_ptr<Key> key, std::string key_id)
    : key_(std::move(key)), key_id_(std::move(key_id)) {}
JwtVerifier::~JwtVerifier() = default;

StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::FromPublicKeyPem(const std::string& pem) {
  auto pkey = ReadPem(pem, false);
  if (!pkey.ok()) return pkey.status();
  auto kid = KeyId(pkey->get());
  if (!kid.ok()) return kid.status();
  auto key = std::make_unique<Key>();
  key->pkey = std::move(*pkey);
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(key), std::move(*kid)));
}

StatusOr<Json> JwtVerifier::Verify(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return Unauthorized("token is too long");
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Unauthorized("token is not a compact JWS");
  }
  auto header_bytes = Base64UrlDecode(token.substr(0, dot1));
  auto payload_bytes = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header_bytes || !payload_bytes || !signature) {
    return Unauthorized("token is not base64url");
  }
  auto header = ParseJson(*header_bytes, 10);
  if (!header.ok() || !header->is_object()) return Unauthorized("token header is not JSON");
  // Only ES256: "none" and algorithm confusion are refused before any key is used.
  if (GetString(*header, {"alg"}) != "ES256") return Unauthorized("token algorithm is not ES256");
  if (const Json* crit = Find(*header, {"crit"}); crit) {
    return Unauthorized("token header has critical extensions");
  }
  if (signature->size() != 2 * kCoordinateBytes) {
    return Unauthorized("token signature is not 64 bytes");
  }
  const auto* raw = reinterpret_cast<const unsigned char*>(signature->data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw, kCoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(raw + kCoordinateBytes, kCoordinateBytes, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return Internal("out of memory verifying a token");
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0) return Internal("cannot encode a token signature");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string_view input = token.substr(0, dot2);
  bool valid = ctx &&
               EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
               EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                                reinterpret_cast<const unsigned char*>(input.data()),
                                input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  if (!valid) return Unauthorized("invalid token signature");
  auto payload = ParseJson(*payload_bytes, 10);
  if (!payload.ok() || !payload->is_object()) return Unauthorized("token payload is not JSON");
  return std::move(*payload);
}

Json JwtVerifier::Jwks() const {
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  std::array<unsigned char, kCoordinateBytes> xb{}, yb{};
  bool ok = EVP_PKEY_get_bn_param(key_->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
            EVP_PKEY_get_bn_param(key_->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
            BN_bn2binpad(x, xb.data(), kCoordinateBytes) == static_cast<int>(kCoordinateBytes) &&
            BN_bn2binpad(y, yb.data(), kCoordinateBytes) == static_cast<int>(kCoordinateBytes);
  BN_free(x);
  BN_free(y);
  Json keys = Json::array();
  if (ok) {
    keys.push_back(Json{
        {"use", "sig"},
        {"kty", "EC"},
        {"kid", key_id_},
        {"crv", "P-256"},
        {"alg", "ES256"},
        {"x", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(xb.data()), xb.size()))},
        {"y", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(yb.data()), yb.size()))}});
  }
  return Json{{"keys", keys}};
}

Json OpenIdConfiguration(const std::string& issuer, const std::string& external_address) {
  return Json{{"issuer", issuer},
              {"jwks_uri", "https://" + external_address + "/openid/v1/jwks"},
              {"response_types_supported", {"id_token"}},
              {"subject_types_supported", {"public"}},
              {"id_token_signing_alg_values_supported", {"ES256"}}};
}

std::string ServiceAccountUsername(const std::string& ns, const std::string& name) {
  return "system:serviceaccount:" + ns + ":" + name;
}

Json ServiceAccountClaims(const std::string& issuer, const ServiceAccountTokenInfo& info,
                          const std::vector<std::string>& audiences, SystemTime now,
                          int64_t expiration_seconds) {
  int64_t t = UnixSeconds(now);
  Json k8s = {{"namespace", info.ns}, {"serviceaccount", RefJson(info.service_account)}};
  // As token.Claims: a pod binding (with its node when known), else a secret, else a node.
  if (!info.pod.empty()) {
    k8s["pod"] = RefJson(info.pod);
    if (!info.node.empty()) k8s["node"] = RefJson(info.node);
  } else if (!info.secret.empty()) {
    k8s["secret"] = RefJson(info.secret);
  } else if (!info.node.empty()) {
    k8s["node"] = RefJson(info.node);
  }
  if (info.warn_after != 0) k8s["warnafter"] = info.warn_after;
  Json claims = {{"iss", issuer},
                 {"sub", ServiceAccountUsername(info.ns, info.service_account.name)},
                 {"aud", audiences},
                 {"iat", t},
                 {"nbf", t},
                 {"exp", t + expiration_seconds},
                 {"kubernetes.io", k8s}};
  if (!info.jti.empty()) claims["jti"] = info.jti;
  return claims;
}

StatusOr<ServiceAccountTokenInfo> ValidateServiceAccountClaims(
    const Json& claims, const std::string& issuer, const std::vector<std::string>& audiences,
    SystemTime now) {
  if (GetString(claims, {"iss"}) != issuer) return Unauthorized("token issuer is not this API server's");
  // aud: a string or an array of strings (RFC 7519 §4.1.3).
  std::vector<std::string> token_auds;
  if (const Json* aud = Find(claims, {"aud"}); aud && aud->is_string()) {
    token_auds.push_back(aud->get<std::string>());
  } else if (aud && aud->is_array()) {
    for (const Json& a : *aud) {
      if (!a.is_string()) return Unauthorized("token audience is not a string");
      token_auds.push_back(a.get<std::string>());
    }
  }
  bool audience_ok = std::any_of(token_auds.begin(), token_auds.end(), [&](const std::string& a) {
    return std::find(audiences.begin(), audiences.end(), a) != audiences.end();
  });
  if (!audience_ok) return Unauthorized("token audiences are invalid for this API server");
  int64_t t = UnixSeconds(now);
  // Claimed times clamped to +-2^62 s: 1e300 or 2^64-1 must not overflow the conversion or
  // the leeway arithmetic below (found by fuzz/jwt); such a time is just far away.
  constexpr int64_t kTimeBound = int64_t{1} << 62;
  auto number = [&](const char* f) -> std::optional<int64_t> {
    const Json* v = Find(claims, {f});
    if (!v || !v->is_number()) return std::nullopt;
    if (v->is_number_unsigned()) {
      return static_cast<int64_t>(std::min<uint64_t>(v->get<uint64_t>(), kTimeBound));
    }
    if (v->is_number_integer()) return std::clamp<int64_t>(v->get<int64_t>(), -kTimeBound, kTimeBound);
    const double d = v->get<double>();
    if (std::isnan(d)) return std::nullopt;
    return static_cast<int64_t>(
        std::clamp(d, -static_cast<double>(kTimeBound), static_cast<double>(kTimeBound)));
  };
  auto exp = number("exp");
  if (!exp) return Unauthorized("token has no expiry");
  if (t > *exp + kLeewaySeconds) return Unauthorized("service account token has expired");
  if (auto nbf = number("nbf"); nbf && t < *nbf - kLeewaySeconds) {
    return Unauthorized("service account token is not valid yet");
  }
  if (auto iat = number("iat"); iat && t < *iat - kLeewaySeconds) {
    return Unauthorized("service account token was issued in the future");
  }
  const Json* k8s = Find(claims, {"kubernetes.io"});
  if (!k8s || !k8s->is_object()) return Unauthorized("token has no kubernetes.io claims");
  ServiceAccountTokenInfo info;
  info.ns = GetString(*k8s, {"namespace"});
  if (!ReadRef(*k8s, "serviceaccount", info.service_account) || !ReadRef(*k8s, "pod", info.pod) ||
      !ReadRef(*k8s, "secret", info.secret) || !ReadRef(*k8s, "node", info.node)) {
    return Unauthorized("token has malformed kubernetes.io claims");
  }
  if (info.ns.empty()) return Unauthorized("namespace claim is missing");
  if (info.service_account.name.empty() || info.service_account.uid.empty()) {
    return Unauthorized("service account claim is missing");
  }
  if (GetString(claims, {"sub"}) != ServiceAccountUsername(info.ns, info.service_account.name)) {
    return Unauthorized("token subject does not match its claims");
  }
  if ((!info.pod.empty() && info.pod.uid.empty()) ||
      (!info.secret.empty() && info.secret.uid.empty())) {
    return Unauthorized("bound object claim has no uid");
  }
  info.jti = GetString(claims, {"jti"});
  if (const Json* w = Find(*k8s, {"warnafter"}); w && w->is_number_integer()) {
    info.warn_after = w->get<int64_t>();
  }
  return info;
}

}  // namespace minik
