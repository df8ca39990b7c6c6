// ServiceAccount tokens: ES256 JSON Web Tokens as kube-apiserver issues them
// (pkg/serviceaccount/jwt.go, claims.go). The signing key is the profile's pki/sa.key (P-256,
// PKCS#8 PEM), the verifying key pki/sa.pub. The JOSE signature is the raw r||s pair (64
// bytes), not DER; the header's kid is keyIDFromPublicKey: base64url(SHA-256(PKIX DER)).
//
// Thread-safety: JwtSigner and JwtVerifier are immutable after construction and safe to use
// from any thread (each call makes its own OpenSSL contexts).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/clock.h"
#include "api/json.h"
#include "api/status.h"

namespace minik {

// kube-apiserver's (and minikube's) --service-account-issuer, also the default audience.
inline constexpr const char* kDefaultServiceAccountIssuer =
    "https://kubernetes.default.svc.cluster.local";

// base64url without padding (RFC 7515 §2). Decode rejects padding and foreign characters.
std::string Base64UrlEncode(std::string_view data);
std::optional<std::string> Base64UrlDecode(std::string_view text);

class JwtSigner {
 public:
  // InvalidArgument-like errors (Code::kInvalid) for a key that is not EC P-256.
  static StatusOr<std::unique_ptr<JwtSigner>> FromPrivateKeyPem(const std::string& pem);
  ~JwtSigner();
  // header.payload.signature with header {"alg":"ES256","kid":key_id()}.
  StatusOr<std::string> Sign(const Json& claims) const;
  const std::string& key_id() const { return key_id_; }

 private:
  struct Key;
  JwtSigner(std::unique_ptr<Key> key, std::string key_id);
  std::unique_ptr<Key> key_;
  std::string key_id_;
};

class JwtVerifier {
 public:
  static StatusOr<std::unique_ptr<JwtVerifier>> FromPublicKeyPem(const std::string& pem);
  ~JwtVerifier();
  // The payload of a well-formed compact JWS whose header says ES256 and whose signature
  // this key verifies; Code::kUnauthorized with the reason otherwise. Claims are not checked.
  StatusOr<Json> Verify(std::string_view token) const;
  const std::string& key_id() const { return key_id_; }
  // The JWK Set served at /openid/v1/jwks: {"keys":[{use,kty,kid,crv,alg,x,y}]}.
  Json Jwks() const;

 private:
  struct Key;
  JwtVerifier(std::unique_ptr<Key> key, std::string key_id);
  std::unique_ptr<Key> key_;
  std::string key_id_;
};

// What the API server's tokens say about who may use them.
struct ServiceAccountTokenConfig {
  std::string issuer = kDefaultServiceAccountIssuer;
  std::vector<std::string> audiences = {kDefaultServiceAccountIssuer};  // the API's audiences
  int64_t max_expiration_seconds = 48 * 3600;
  // --service-account-extend-token-expiration (default true): pod-bound tokens asked for
  // 3607 s with the API's audiences live a year and carry warnafter at 3607 s.
  bool extend_expiration = true;
};

// An object a token is bound to (name and uid both set when present).
struct TokenRef {
  std::string name, uid;
  bool empty() const { return name.empty(); }
};

// The identity a token carries: its "kubernetes.io" private claims plus jti and warnafter.
struct ServiceAccountTokenInfo {
  std::string ns;
  TokenRef service_account, pod, secret, node;
  std::string jti;
  int64_t warn_after = 0;  // unix seconds, 0: none
};

// The claims of a new token, as token.Claims: iss, sub system:serviceaccount:NS:NAME, aud,
// iat = nbf = now, exp = now + expiration_seconds, jti, and "kubernetes.io".
Json ServiceAccountClaims(const std::string& issuer, const ServiceAccountTokenInfo& info,
                          const std::vector<std::string>& audiences, SystemTime now,
                          int64_t expiration_seconds);

// The checks of upstream's validator on verified claims: issuer, audiences intersecting
// `audiences`, exp / nbf / iat within a 60 s leeway (go-jose's DefaultLeeway), and complete
// private claims. Code::kUnauthorized with the reason when any fails.
StatusOr<ServiceAccountTokenInfo> ValidateServiceAccountClaims(
    const Json& claims, const std::string& issuer, const std::vector<std::string>& audiences,
    SystemTime now);

// The OIDC discovery document served at /.well-known/openid-configuration, as upstream's
// openidmetadata.go: the issuer, the JWKS at https://<external_address>/openid/v1/jwks (the
// default without --service-account-jwks-uri), ES256, public subjects.
Json OpenIdConfiguration(const std::string& issuer, const std::string& external_address);

// "system:serviceaccount:NS:NAME" (serviceaccount.MakeUsername).
std::string ServiceAccountUsername(const std::string& ns, const std::string& name);

}  // namespace minik
