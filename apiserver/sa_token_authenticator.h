// ServiceAccountTokenAuthenticator: bearer tokens issued by TokenRequest, checked as
// upstream's jwtTokenAuthenticator with the legacy-free validator (pkg/serviceaccount/jwt.go,
// claims.go): the ES256 signature with pki/sa.pub, the issuer, an audience of the API's,
// exp / nbf / iat with 60 s leeway, then that the ServiceAccount still exists with the
// token's uid, and so does the Pod, Secret or Node the token is bound to (an object being
// deleted stops its tokens 60 s after its deletionTimestamp).
//
// The user: system:serviceaccount:NS:NAME, uid = the ServiceAccount's uid, groups
// system:serviceaccounts and system:serviceaccounts:NS, extra
// authentication.kubernetes.io/{pod-name,pod-uid,node-name,node-uid,credential-id=JTI=<jti>}.
//
// Lookups go through the in-process client and are cached for a few seconds (positive and
// negative alike) so that a busy client does not read the store twice per request; a deleted
// ServiceAccount or Pod therefore stops its tokens within kLookupTtl.
//
// Thread-safety: AuthenticateToken may run on any number of threads; the cache is guarded
// by mu_. SetClient must happen before the API server serves requests.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "apiserver/apiserver.h"
#include "apiserver/sa_token.h"

namespace minik {

class ServiceAccountTokenAuthenticator final : public TokenAuthenticator {
 public:
  static constexpr std::chrono::seconds kLookupTtl{3};

  // `verifier` and `clock` must outlive the authenticator.
  ServiceAccountTokenAuthenticator(const JwtVerifier& verifier, ServiceAccountTokenConfig config,
                                   Clock& clock);

  // The client objects are read through (the API server's, which exists only after this
  // authenticator is handed to it). Until it is set every token is refused.
  void SetClient(Client* client);

  std::optional<UserInfo> AuthenticateToken(const std::string& token) override;
  // The same, with the reason a token was refused (Code::kUnauthorized), for logs and tests.
  StatusOr<UserInfo> Authenticate(const std::string& token);

 private:
  struct Found {
    bool exists = false;
    std::string uid;
    std::optional<SystemTime> deleted_at;  // metadata.deletionTimestamp
    SteadyTime fetched;
  };
  // Status OK when `ref` (of resource `plural`) exists with its uid and is not deleted past
  // the leeway; Unauthorized naming what is wrong otherwise.
  Status CheckBound(const std::string& plural, const std::string& ns, const TokenRef& ref,
                    SystemTime now);
  StatusOr<Found> Lookup(const std::string& plural, const std::string& ns,
                         const std::string& name);

  const JwtVerifier& verifier_;
  const ServiceAccountTokenConfig config_;
  Clock& clock_;
  std::mutex mu_;
  Client* client_ = nullptr;                // guarded by mu_
  std::map<std::string, Found> cache_;      // "plural/ns/name"; guarded by mu_
};

}  // namespace minik
