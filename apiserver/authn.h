// Authentication of HTTP requests, like the apiserver's union of the x509 and bearer-token
// authenticators with anonymous access behind them (anonymous.NewAuthenticator under
// union.NewFailOnError): a presented but invalid credential is 401 everywhere, no
// credential at all is the anonymous user, who may reach only the public paths.
#pragma once

#include <optional>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "apiserver/apiserver.h"
#include "apiserver/http.h"

namespace minik {

// The user of a verified client certificate: CN (empty: nullopt), groups = O values +
// system:authenticated, extra authentication.kubernetes.io/credential-id X509SHA256=<hex>.
// nullopt too when the certificate lacks the clientAuth usage.
std::optional<UserInfo> UserFromCertificate(const PeerCertificate& cert);

struct AuthnResult {
  bool anonymous = false;  // no credential presented
  UserInfo user;           // system:anonymous / system:unauthenticated when anonymous
};

// Unauthorized (401, message "Unauthorized") when a credential was presented and none was
// valid. `tokens` may be null (bearer tokens are then always invalid).
StatusOr<AuthnResult> Authenticate(const HttpRequest& request, TokenAuthenticator* tokens);

// /healthz, /livez, /readyz, /version and their sub-paths: open to anonymous users.
bool IsPublicPath(const std::string& path);

Status UnauthorizedStatus();

// The answer to POST selfsubjectreviews (`kubectl auth whoami`): a SelfSubjectReview of
// `api_version` ("authentication.k8s.io/v1") with status.userInfo of `user`.
Json SelfSubjectReview(const UserInfo& user, const std::string& api_version, SystemTime now);

}  // namespace minik
