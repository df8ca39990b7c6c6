#include "apiserver/authz.h"

#include <algorithm>

namespace minik {
namespace {

bool InGroup(const UserInfo& user, const std::string& group) {
  return std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end();
}

bool PathMatches(const std::string& path, const std::string& prefix) {
  return path == prefix || path.rfind(prefix + "/", 0) == 0;
}

// Non-resource paths that the bootstrap ClusterRoles system:discovery and
// system:public-info-viewer open to every authenticated user.
bool DiscoveryPath(const std::string& path) {
  for (const char* p : {"/api", "/apis", "/openapi", "/version", "/healthz", "/livez",
                        "/readyz"}) {
    if (PathMatches(path, p)) return true;
  }
  return path == "/";
}

// system:basic-user: every user may ask who they are and what they may do.
bool SelfReview(const AuthzAttributes& a) {
  if (a.verb != "create") return false;
  if (a.api_group == "authentication.k8s.io") return a.resource == "selfsubjectreviews";
  if (a.api_group == "authorization.k8s.io") {
    return a.resource == "selfsubjectaccessreviews" || a.resource == "selfsubjectrulesreviews";
  }
  return false;
}

}  // namespace

AuthzDecision MastersOnlyAuthorizer::Authorize(const AuthzAttributes& attrs) const {
  if (attrs.user != nullptr && InGroup(*attrs.user, "system:masters")) return {true, ""};
  if (!attrs.resource_request) {
    bool read = attrs.verb == "get" || attrs.verb == "head";
    if (read && DiscoveryPath(attrs.path)) return {true, ""};
    return {false, ""};
  }
  if (SelfReview(attrs)) return {true, ""};
  return {false, ""};
}

Status ForbiddenStatus(const AuthzAttributes& attrs, const std::string& reason) {
  std::string user = attrs.user ? attrs.user->name : "";
  std::string msg;
  StatusDetails details;
  if (!attrs.resource_request) {
    msg = "forbidden: User \"" + user + "\" cannot " + attrs.verb + " path \"" + attrs.path +
          "\"";
  } else {
    std::string resource = attrs.resource;
    if (!attrs.subresource.empty()) resource += "/" + attrs.subresource;
    std::string scope = attrs.ns.empty() ? " at the cluster scope"
                                         : " in the namespace \"" + attrs.ns + "\"";
    std::string detail = "User \"" + user + "\" cannot " + attrs.verb + " resource \"" +
                         resource + "\" in API group \"" + attrs.api_group + "\"" + scope;
    std::string gr = attrs.api_group.empty() ? attrs.resource
                                             : attrs.resource + "." + attrs.api_group;
    msg = gr + (attrs.name.empty() ? "" : " \"" + attrs.name + "\"") + " is forbidden: " + detail;
    details.name = attrs.name;
    details.group = attrs.api_group;
    details.kind = attrs.resource;
  }
  if (!reason.empty()) msg += ": " + reason;
  return Status(Code::kForbidden, msg, details);
}

}  // namespace minik
