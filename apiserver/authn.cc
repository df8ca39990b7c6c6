#include "apiserver/authn.h"

#include <algorithm>
#include <cctype>

namespace minik {
namespace {

constexpr const char* kAuthenticated = "system:authenticated";

void AddAuthenticatedGroup(UserInfo& user) {
  if (std::find(user.groups.begin(), user.groups.end(), kAuthenticated) == user.groups.end()) {
    user.groups.push_back(kAuthenticated);
  }
}

// "Bearer <token>" (scheme case-insensitive). nullopt when there is no bearer credential.
std::optional<std::string> BearerToken(const HttpRequest& request) {
  std::string auth = request.Header("Authorization");
  size_t i = 0;
  while (i < auth.size() && auth[i] == ' ') ++i;
  std::string scheme;
  while (i < auth.size() && auth[i] != ' ') {
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(auth[i])));
    ++i;
  }
  if (scheme != "bearer") return std::nullopt;
  while (i < auth.size() && auth[i] == ' ') ++i;
  std::string token = auth.substr(i);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  return token;
}

}  // namespace

Status UnauthorizedStatus() { return Status(Code::kUnauthorized, "Unauthorized"); }

std::optional<UserInfo> UserFromCertificate(const PeerCertificate& cert) {
  if (cert.common_name.empty() || !cert.client_auth_usage) return std::nullopt;
  UserInfo user;
  user.name = cert.common_name;
  user.groups = cert.organizations;
  AddAuthenticatedGroup(user);
  if (!cert.sha256_hex.empty()) {
    user.extra["authentication.kubernetes.io/credential-id"] = {"X509SHA256=" + cert.sha256_hex};
  }
  return user;
}

StatusOr<AuthnResult> Authenticate(const HttpRequest& request, TokenAuthenticator* tokens) {
  bool presented = false;
  if (request.client_cert) {
    presented = true;
    if (auto user = UserFromCertificate(*request.client_cert)) {
      return AuthnResult{false, std::move(*user)};
    }
  }
  if (auto token = BearerToken(request)) {
    presented = true;
    if (tokens != nullptr && !token->empty()) {
      if (auto user = tokens->AuthenticateToken(*token); user && !user->name.empty()) {
        AddAuthenticatedGroup(*user);
        return AuthnResult{false, std::move(*user)};
      }
    }
  }
  if (presented) return UnauthorizedStatus();
  AuthnResult anon;
  anon.anonymous = true;
  anon.user.name = "system:anonymous";
  anon.user.groups = {"system:unauthenticated"};
  return anon;
}

Json SelfSubjectReview(const UserInfo& user, const std::string& api_version, SystemTime now) {
  Json info{{"username", user.name}, {"groups", user.groups}};
  if (!user.uid.empty()) info["uid"] = user.uid;
  if (!user.extra.empty()) info["extra"] = user.extra;
  return Json{{"kind", "SelfSubjectReview"},
              {"apiVersion", api_version},
              {"metadata", Json{{"creationTimestamp", FormatRfc3339(now)}}},
              {"status", Json{{"userInfo", info}}}};
}

bool IsPublicPath(const std::string& path) {
  for (const char* p : {"/healthz", "/livez", "/readyz", "/version"}) {
    std::string prefix = p;
    if (path == prefix || path.rfind(prefix + "/", 0) == 0) return true;
  }
  return false;
}

}  // namespace minik
