// serviceaccounts/token (TokenRequest) over the real registry, and the authenticator that
// accepts its tokens while the ServiceAccount and bound objects exist.
#include "apiserver/token_request.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "apiserver/sa_token_authenticator.h"
#include "store/store.h"

namespace minik {
namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kSecrets{"", "v1", "secrets"};

std::string PemOf(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_key) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::pair<std::string, std::string> NewKeyPair() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  std::pair<std::string, std::string> out{PemOf(key, true), PemOf(key, false)};
  EVP_PKEY_free(key);
  return out;
}

Json TokenClaims(const std::string& token) {
  size_t a = token.find('.') + 1;
  return *ParseJson(*Base64UrlDecode(token.substr(a, token.find('.', a) - a)));
}

class TokenRequestTest : public ::testing::Test {
 protected:
  TokenRequestTest() {
    RegisterBuiltinResources(resources_);
    auto [priv, pub] = NewKeyPair();
    signer_ = std::move(JwtSigner::FromPrivateKeyPem(priv).value());
    verifier_ = std::move(JwtVerifier::FromPublicKeyPem(pub).value());
    store_ = NewMemStore();
    client_ = NewTokenRequestClient(NewRegistry(*store_, resources_, BuiltinSchemas(), clock_),
                                    *signer_, config_, clock_);
    authn_ = std::make_unique<ServiceAccountTokenAuthenticator>(*verifier_, config_, clock_);
    authn_->SetClient(client_.get());
    EXPECT_TRUE(client_->Create(kNamespaces, "", Json{{"metadata", {{"name", "a"}}}}).ok());
    sa_uid_ = Uid(*CreateServiceAccount("dev"));
    auto pod = client_->Create(
        kPods, "a",
        Json{{"metadata", {{"name", "sapod"}}},
             {"spec",
              {{"serviceAccountName", "dev"},
               {"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}});
    EXPECT_TRUE(pod.ok()) << pod.status().message();
    pod_uid_ = pod.ok() ? Uid(*pod) : "";
  }

  StatusOr<Json> CreateServiceAccount(const std::string& name) {
    return client_->Create(kServiceAccounts, "a", Json{{"metadata", {{"name", name}}}});
  }
  StatusOr<Json> Request(Json spec, const std::string& sa = "dev",
                         std::vector<std::string>* warnings = nullptr) {
    WriteOptions opts;
    opts.warnings = warnings;
    return client_->Create(kServiceAccounts, "a",
                           Json{{"apiVersion", "authentication.k8s.io/v1"},
                                {"kind", "TokenRequest"},
                                {"spec", std::move(spec)}},
                           opts, "token", sa);
  }
  Json BoundTo(const std::string& kind, const std::string& name, const std::string& uid = "") {
    Json ref = {{"apiVersion", "v1"}, {"kind", kind}, {"name", name}};
    if (!uid.empty()) ref["uid"] = uid;
    return Json{{"boundObjectRef", ref}};
  }

  ResourceRegistry resources_;
  FakeClock clock_;
  ServiceAccountTokenConfig config_;
  std::unique_ptr<JwtSigner> signer_;
  std::unique_ptr<JwtVerifier> verifier_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<ServiceAccountTokenAuthenticator> authn_;
  std::string sa_uid_, pod_uid_;
};

TEST_F(TokenRequestTest, IssuesTokenWithDefaults) {
  auto r = Request(Json::object());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(GetString(*r, {"kind"}), "TokenRequest");
  EXPECT_EQ(GetString(*r, {"apiVersion"}), "authentication.k8s.io/v1");
  EXPECT_EQ(Name(*r), "dev");
  EXPECT_EQ(Namespace(*r), "a");
  EXPECT_EQ(GetInt(*r, {"spec", "expirationSeconds"}), 3600);
  EXPECT_EQ((*r)["spec"]["audiences"], Json::array({kDefaultServiceAccountIssuer}));
  EXPECT_EQ(GetString(*r, {"status", "expirationTimestamp"}),
            FormatRfc3339(clock_.Now() + std::chrono::seconds(3600)));
  std::string token = GetString(*r, {"status", "token"});
  ASSERT_TRUE(verifier_->Verify(token).ok());
  Json claims = TokenClaims(token);
  EXPECT_EQ(GetString(claims, {"sub"}), "system:serviceaccount:a:dev");
  EXPECT_EQ(GetInt(claims, {"exp"}) - GetInt(claims, {"iat"}), 3600);
  EXPECT_EQ(GetString(claims, {"kubernetes.io", "serviceaccount", "uid"}), sa_uid_);
  EXPECT_FALSE(GetString(claims, {"jti"}).empty());
}

TEST_F(TokenRequestTest, RefusesBadRequests) {
  auto missing = Request(Json::object(), "nope");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "serviceaccounts \"nope\" not found");
  auto short_lived = Request(Json{{"expirationSeconds", 60}});
  EXPECT_EQ(short_lived.status().code(), Code::kInvalid);
  EXPECT_NE(short_lived.status().message().find("may not specify a duration less than 10 minutes"),
            std::string::npos);
  auto named = client_->Create(kServiceAccounts, "a",
                               Json{{"metadata", {{"name", "other"}}}, {"spec", Json::object()}},
                               {}, "token", "dev");
  EXPECT_EQ(named.status().code(), Code::kInvalid);
  EXPECT_EQ(Request(Json{{"expirationSeconds", "x"}}).status().code(), Code::kInvalid);
}

TEST_F(TokenRequestTest, CapsLongExpirationWithWarning) {
  std::vector<std::string> warnings;
  auto r = Request(Json{{"expirationSeconds", 10 * 24 * 3600}}, "dev", &warnings);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GetInt(*r, {"spec", "expirationSeconds"}), 48 * 3600);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "requested expiration of 864000 seconds shortened to 172800 seconds");
}

TEST_F(TokenRequestTest, BindsToPodsAndSecrets) {
  auto r = Request(BoundTo("Pod", "sapod"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  Json claims = TokenClaims(GetString(*r, {"status", "token"}));
  EXPECT_EQ(GetString(claims, {"kubernetes.io", "pod", "name"}), "sapod");
  EXPECT_EQ(GetString(claims, {"kubernetes.io", "pod", "uid"}), pod_uid_);

  EXPECT_EQ(Request(BoundTo("Pod", "sapod", "other-uid")).status().code(), Code::kConflict);
  EXPECT_EQ(Request(BoundTo("Pod", "gone")).status().code(), Code::kNotFound);
  ASSERT_TRUE(CreateServiceAccount("other").ok());
  auto wrong_sa = Request(BoundTo("Pod", "sapod"), "other");
  EXPECT_EQ(wrong_sa.status().code(), Code::kBadRequest);
  EXPECT_EQ(wrong_sa.status().message(),
            "cannot bind token for serviceaccount \"other\" to pod running with different "
            "serviceaccount name.");
  auto deployment = Request(Json{{"boundObjectRef",
                                  {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "d"}}}});
  EXPECT_EQ(deployment.status().code(), Code::kBadRequest);
  EXPECT_EQ(deployment.status().message(), "cannot bind token to object of type apps/v1, Kind=Deployment");

  auto secret = client_->Create(kSecrets, "a", Json{{"metadata", {{"name", "s"}}}});
  ASSERT_TRUE(secret.ok());
  auto s = Request(BoundTo("Secret", "s", Uid(*secret)));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(GetString(TokenClaims(GetString(*s, {"status", "token"})),
                      {"kubernetes.io", "secret", "uid"}),
            Uid(*secret));
}

TEST_F(TokenRequestTest, BindsToNodesWhileTheyExist) {
  auto node = client_->Create({"", "v1", "nodes"}, "", Json{{"metadata", {{"name", "n1"}}}});
  ASSERT_TRUE(node.ok()) << node.status().message();
  auto r = Request(BoundTo("Node", "n1", Uid(*node)));
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string token = GetString(*r, {"status", "token"});
  EXPECT_EQ(GetString(TokenClaims(token), {"kubernetes.io", "node", "name"}), "n1");
  auto user = authn_->Authenticate(token);
  ASSERT_TRUE(user.ok()) << user.status().message();
  EXPECT_EQ(user->extra["authentication.kubernetes.io/node-name"], std::vector<std::string>{"n1"});
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client_->Delete({"", "v1", "nodes"}, "", "n1", now).ok());
  clock_.Step(ServiceAccountTokenAuthenticator::kLookupTtl);
  EXPECT_FALSE(authn_->Authenticate(token).ok());
  EXPECT_EQ(Request(BoundTo("Node", "n1")).status().code(), Code::kNotFound);
}

TEST_F(TokenRequestTest, ProjectedPodTokensAreExtendedWithWarnAfter) {
  auto r = Request(Json{{"expirationSeconds", 3607}, {"boundObjectRef", BoundTo("Pod", "sapod")["boundObjectRef"]}});
  ASSERT_TRUE(r.ok());
  Json claims = TokenClaims(GetString(*r, {"status", "token"}));
  EXPECT_EQ(GetInt(claims, {"exp"}) - GetInt(claims, {"iat"}), 365 * 24 * 3600);
  EXPECT_EQ(GetInt(claims, {"kubernetes.io", "warnafter"}) - GetInt(claims, {"iat"}), 3607);
  // The status still says 3607 s: the kubelet refreshes on that schedule.
  EXPECT_EQ(GetString(*r, {"status", "expirationTimestamp"}),
            FormatRfc3339(clock_.Now() + std::chrono::seconds(3607)));
}

TEST_F(TokenRequestTest, AuthenticatesTheServiceAccount) {
  std::string token = GetString(*Request(BoundTo("Pod", "sapod")), {"status", "token"});
  auto user = authn_->Authenticate(token);
  ASSERT_TRUE(user.ok()) << user.status().message();
  EXPECT_EQ(user->name, "system:serviceaccount:a:dev");
  EXPECT_EQ(user->uid, sa_uid_);
  EXPECT_EQ(user->groups,
            (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:a"}));
  EXPECT_EQ(user->extra["authentication.kubernetes.io/pod-name"],
            std::vector<std::string>{"sapod"});
  EXPECT_EQ(user->extra["authentication.kubernetes.io/pod-uid"],
            std::vector<std::string>{pod_uid_});
  EXPECT_EQ(user->extra["authentication.kubernetes.io/credential-id"],
            std::vector<std::string>{"JTI=" + GetString(TokenClaims(token), {"jti"})});
  EXPECT_FALSE(authn_->AuthenticateToken("not-a-real-token").has_value());
  std::string other_aud =
      GetString(*Request(Json{{"audiences", {"https://not-the-api.example.com"}}}),
                {"status", "token"});
  EXPECT_FALSE(authn_->AuthenticateToken(other_aud).has_value());
}

TEST_F(TokenRequestTest, TokensEndWithTheirServiceAccountOrPod) {
  std::string plain = GetString(*Request(Json::object()), {"status", "token"});
  std::string bound = GetString(*Request(BoundTo("Pod", "sapod")), {"status", "token"});
  ASSERT_TRUE(authn_->Authenticate(plain).ok());
  ASSERT_TRUE(authn_->Authenticate(bound).ok());

  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client_->Delete(kPods, "a", "sapod", now).ok());
  clock_.Step(ServiceAccountTokenAuthenticator::kLookupTtl);
  EXPECT_FALSE(authn_->Authenticate(bound).ok());
  EXPECT_TRUE(authn_->Authenticate(plain).ok());

  // A ServiceAccount deleted and made again under the same name has another uid.
  ASSERT_TRUE(client_->Delete(kServiceAccounts, "a", "dev").ok());
  ASSERT_TRUE(CreateServiceAccount("dev").ok());
  clock_.Step(ServiceAccountTokenAuthenticator::kLookupTtl);
  auto refused = authn_->Authenticate(plain);
  EXPECT_EQ(refused.status().code(), Code::kUnauthorized);
  EXPECT_NE(refused.status().message().find("does not match claim"), std::string::npos);
}

TEST_F(TokenRequestTest, ExpiredTokensAndMissingClientAreRefused) {
  std::string token = GetString(*Request(Json{{"expirationSeconds", 600}}), {"status", "token"});
  ASSERT_TRUE(authn_->Authenticate(token).ok());
  clock_.Step(std::chrono::seconds(600 + 61));
  EXPECT_EQ(authn_->Authenticate(token).status().message(), "service account token has expired");
  ServiceAccountTokenAuthenticator unbound(*verifier_, config_, clock_);
  std::string fresh = GetString(*Request(Json::object()), {"status", "token"});
  EXPECT_FALSE(unbound.AuthenticateToken(fresh).has_value());
}

}  // namespace
}  // namespace minik
