// ES256 JWTs and ServiceAccount claims: round trips, and every way a token must be refused
// (tampered, wrong key, wrong algorithm, expired, not yet valid, wrong issuer or audience).
#include "apiserver/sa_token.h"

#include <gtest/gtest.h>

#include <limits>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "api/fake_clock.h"
#include "apiserver/oidc_discovery.h"

namespace minik {
namespace {

struct KeyPair {
  std::string private_pem, public_pem;
};

KeyPair NewKeyPair(const char* curve = "P-256") {
  EVP_PKEY* key = EVP_EC_gen(curve);
  EXPECT_NE(key, nullptr);
  KeyPair out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  out.private_pem.assign(data, len);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  len = BIO_get_mem_data(bio, &data);
  out.public_pem.assign(data, len);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return out;
}

std::string Part(const std::string& token, int i) {
  size_t a = 0;
  for (int k = 0; k < i; ++k) a = token.find('.', a) + 1;
  size_t b = token.find('.', a);
  return token.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

class SaTokenTest : public ::testing::Test {
 protected:
  SaTokenTest() : keys_(NewKeyPair()) {
    auto signer = JwtSigner::FromPrivateKeyPem(keys_.private_pem);
    auto verifier = JwtVerifier::FromPublicKeyPem(keys_.public_pem);
    EXPECT_TRUE(signer.ok()) << signer.status().message();
    EXPECT_TRUE(verifier.ok()) << verifier.status().message();
    signer_ = std::move(*signer);
    verifier_ = std::move(*verifier);
    info_.ns = "a";
    info_.service_account = {"dev", "sa-uid"};
    info_.jti = "jti-1";
  }

  Json Claims(int64_t seconds = 600, std::vector<std::string> auds = {kDefaultServiceAccountIssuer}) {
    return ServiceAccountClaims(kDefaultServiceAccountIssuer, info_, auds, clock_.Now(), seconds);
  }
  StatusOr<ServiceAccountTokenInfo> Validate(const Json& claims) {
    return ValidateServiceAccountClaims(claims, kDefaultServiceAccountIssuer,
                                        {kDefaultServiceAccountIssuer}, clock_.Now());
  }

  KeyPair keys_;
  std::unique_ptr<JwtSigner> signer_;
  std::unique_ptr<JwtVerifier> verifier_;
  ServiceAccountTokenInfo info_;
  FakeClock clock_;
};

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 70; ++i) {
    auto back = Base64UrlDecode(Base64UrlEncode(data));
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_EQ(*back, data);
    data += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("ab=").has_value());   // padding
  EXPECT_FALSE(Base64UrlDecode("a+b/").has_value());  // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("a").has_value());     // impossible length
  EXPECT_FALSE(Base64UrlDecode("-_9").has_value());   // non-zero trailing bits
}

TEST_F(SaTokenTest, SignsAndVerifiesWithRawSignatureAndKeyId) {
  auto token = signer_->Sign(Claims());
  ASSERT_TRUE(token.ok()) << token.status().message();
  auto header = ParseJson(*Base64UrlDecode(Part(*token, 0)));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(GetString(*header, {"alg"}), "ES256");
  // keyIDFromPublicKey: base64url of a SHA-256, 43 characters; the same from either key.
  EXPECT_EQ(GetString(*header, {"kid"}), signer_->key_id());
  EXPECT_EQ(signer_->key_id(), verifier_->key_id());
  EXPECT_EQ(signer_->key_id().size(), 43u);
  EXPECT_EQ(Base64UrlDecode(Part(*token, 2))->size(), 64u);  // r||s, not DER
  auto claims = verifier_->Verify(*token);
  ASSERT_TRUE(claims.ok()) << claims.status().message();
  EXPECT_EQ(GetString(*claims, {"sub"}), "system:serviceaccount:a:dev");
  EXPECT_EQ(GetString(*claims, {"iss"}), kDefaultServiceAccountIssuer);
  EXPECT_TRUE((*claims)["aud"].is_array());
  EXPECT_EQ(GetInt(*claims, {"exp"}) - GetInt(*claims, {"iat"}), 600);
  EXPECT_EQ(GetInt(*claims, {"nbf"}), GetInt(*claims, {"iat"}));
  EXPECT_EQ(GetString(*claims, {"jti"}), "jti-1");
  EXPECT_EQ(GetString(*claims, {"kubernetes.io", "namespace"}), "a");
  EXPECT_EQ(GetString(*claims, {"kubernetes.io", "serviceaccount", "uid"}), "sa-uid");
  EXPECT_EQ(Find(*claims, {"kubernetes.io", "pod"}), nullptr);
}

TEST_F(SaTokenTest, RefusesTamperedForeignAndMalformedTokens) {
  auto token = signer_->Sign(Claims());
  ASSERT_TRUE(token.ok());
  // Payload changed, signature kept.
  Json forged = Claims();
  forged["sub"] = "system:serviceaccount:kube-system:default";
  std::string tampered =
      Part(*token, 0) + "." + Base64UrlEncode(forged.dump()) + "." + Part(*token, 2);
  EXPECT_EQ(verifier_->Verify(tampered).status().code(), Code::kUnauthorized);
  // Signed by another key.
  auto other = JwtSigner::FromPrivateKeyPem(NewKeyPair().private_pem);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(verifier_->Verify(*(*other)->Sign(Claims())).ok());
  // alg none, and a bit flipped in the signature.
  std::string none = Base64UrlEncode(R"({"alg":"none"})") + "." + Part(*token, 1) + ".";
  EXPECT_FALSE(verifier_->Verify(none).ok());
  std::string sig = *Base64UrlDecode(Part(*token, 2));
  sig[10] ^= 1;
  EXPECT_FALSE(
      verifier_->Verify(Part(*token, 0) + "." + Part(*token, 1) + "." + Base64UrlEncode(sig)).ok());
  for (const std::string& bad : std::vector<std::string>{"", "not-a-real-token", "a.b", "a.b.c.d", "...", "e30.e30.",
                          std::string(20000, 'a') + ".b.c"}) {
    EXPECT_EQ(verifier_->Verify(bad).status().code(), Code::kUnauthorized) << bad;
  }
}

TEST_F(SaTokenTest, RefusesKeysThatAreNotP256) {
  EXPECT_FALSE(JwtSigner::FromPrivateKeyPem("garbage").ok());
  EXPECT_FALSE(JwtSigner::FromPrivateKeyPem(NewKeyPair("P-384").private_pem).ok());
  EXPECT_FALSE(JwtVerifier::FromPublicKeyPem(keys_.private_pem).ok());
}

TEST_F(SaTokenTest, ValidatesTimeWithSixtySecondsLeeway) {
  Json claims = Claims(600);
  ASSERT_TRUE(Validate(claims).ok());
  clock_.Step(std::chrono::seconds(600 + 60));
  EXPECT_TRUE(Validate(claims).ok());  // within the leeway
  clock_.Step(std::chrono::seconds(1));
  auto expired = Validate(claims);
  EXPECT_EQ(expired.status().code(), Code::kUnauthorized);
  EXPECT_EQ(expired.status().message(), "service account token has expired");

  Json future = ServiceAccountClaims(kDefaultServiceAccountIssuer, info_,
                                     {kDefaultServiceAccountIssuer},
                                     clock_.Now() + std::chrono::seconds(62), 600);
  EXPECT_FALSE(Validate(future).ok());  // nbf/iat 62 s ahead
  clock_.Step(std::chrono::seconds(2));
  EXPECT_TRUE(Validate(future).ok());
}

TEST_F(SaTokenTest, ValidatesIssuerAudienceAndPrivateClaims) {
  auto info = Validate(Claims());
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->ns, "a");
  EXPECT_EQ(info->service_account.name, "dev");
  EXPECT_EQ(info->jti, "jti-1");
  EXPECT_FALSE(Validate(Claims(600, {"https://not-the-api.example.com"})).ok());
  EXPECT_TRUE(Validate(Claims(600, {"x", kDefaultServiceAccountIssuer})).ok());
  Json single = Claims();
  single["aud"] = kDefaultServiceAccountIssuer;  // a string is an audience too
  EXPECT_TRUE(Validate(single).ok());
  Json other_iss = Claims();
  other_iss["iss"] = "https://evil";
  EXPECT_FALSE(Validate(other_iss).ok());
  Json no_uid = Claims();
  no_uid["kubernetes.io"]["serviceaccount"].erase("uid");
  EXPECT_FALSE(Validate(no_uid).ok());
  Json wrong_sub = Claims();
  wrong_sub["sub"] = "system:serviceaccount:kube-system:default";
  EXPECT_FALSE(Validate(wrong_sub).ok());
  Json bad_ref = Claims();
  bad_ref["kubernetes.io"]["pod"] = "p";
  EXPECT_FALSE(Validate(bad_ref).ok());
}

TEST_F(SaTokenTest, BoundClaimsCarryPodAndNode) {
  info_.pod = {"sapod", "pod-uid"};
  info_.node = {"minik", "node-uid"};
  info_.warn_after = 42;
  Json claims = Claims();
  EXPECT_EQ(GetString(claims, {"kubernetes.io", "pod", "name"}), "sapod");
  EXPECT_EQ(GetString(claims, {"kubernetes.io", "node", "uid"}), "node-uid");
  EXPECT_EQ(GetInt(claims, {"kubernetes.io", "warnafter"}), 42);
  auto info = Validate(claims);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pod.uid, "pod-uid");
  EXPECT_EQ(info->node.name, "minik");
  EXPECT_EQ(info->warn_after, 42);
}

TEST_F(SaTokenTest, JwksPublishesTheKey) {
  Json jwks = verifier_->Jwks();
  ASSERT_EQ(jwks["keys"].size(), 1u);
  const Json& k = jwks["keys"][0];
  EXPECT_EQ(k["kty"], "EC");
  EXPECT_EQ(k["crv"], "P-256");
  EXPECT_EQ(k["alg"], "ES256");
  EXPECT_EQ(k["use"], "sig");
  EXPECT_EQ(k["kid"], verifier_->key_id());
  EXPECT_EQ(Base64UrlDecode(k["x"].get<std::string>())->size(), 32u);
  EXPECT_EQ(Base64UrlDecode(k["y"].get<std::string>())->size(), 32u);
}

TEST_F(SaTokenTest, ServesIssuerDiscovery) {
  OidcDiscovery discovery(verifier_.get(), kDefaultServiceAccountIssuer, "127.0.0.1:8443");
  HttpRequest get;
  get.method = "GET";
  get.path = "/.well-known/openid-configuration";
  auto config = discovery.Serve(get);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->status, 200);
  Json doc = *ParseJson(config->body);
  EXPECT_EQ(doc["issuer"], kDefaultServiceAccountIssuer);
  EXPECT_EQ(doc["jwks_uri"], "https://127.0.0.1:8443/openid/v1/jwks");
  EXPECT_EQ(doc["id_token_signing_alg_values_supported"], Json::array({"ES256"}));
  get.path = "/openid/v1/jwks";
  auto jwks = discovery.Serve(get);
  ASSERT_TRUE(jwks.has_value());
  EXPECT_EQ(*ParseJson(jwks->body), verifier_->Jwks());
  get.method = "POST";
  EXPECT_EQ(discovery.Serve(get)->status, 405);
  get.path = "/api";
  EXPECT_FALSE(discovery.Serve(get).has_value());
  OidcDiscovery off(nullptr, kDefaultServiceAccountIssuer, "127.0.0.1:8443");
  get.method = "GET";
  get.path = "/openid/v1/jwks";
  EXPECT_FALSE(off.Serve(get).has_value());
}

// Claimed times beyond int64 (a float, 2^64-1) or at its edges must neither overflow the
// conversion nor the leeway arithmetic (UBSan found it through fuzz/jwt): they are far away.
TEST_F(SaTokenTest, OutOfRangeTimesAreFarAway) {
  Json claims = Claims();
  claims["exp"] = 1.38361e+23;
  EXPECT_TRUE(Validate(claims).ok());
  claims["exp"] = std::numeric_limits<uint64_t>::max();
  EXPECT_TRUE(Validate(claims).ok());
  claims["exp"] = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(Validate(claims).ok());
  claims["nbf"] = std::numeric_limits<int64_t>::min();
  claims["iat"] = -1e300;
  EXPECT_TRUE(Validate(claims).ok());
  claims["nbf"] = 1e300;
  auto future = Validate(claims);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.status().message(), "service account token is not valid yet");
  claims["nbf"] = 0;
  claims["exp"] = -1e300;
  auto expired = Validate(claims);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().message(), "service account token has expired");
}

}  // namespace
}  // namespace minik
