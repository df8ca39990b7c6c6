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

UserRules MastersOnlyAuthorizer::RulesFor(const UserInfo& user, const std::string& ns) const {
  (void)ns;
  UserRules rules;
  if (InGroup(user, "system:masters")) {
    // The cluster-admin ClusterRole bound to system:masters.
    rules.resource_rules.push_back(
        Json{{"verbs", {"*"}}, {"apiGroups", {"*"}}, {"resources", {"*"}}});
    rules.non_resource_rules.push_back(Json{{"verbs", {"*"}}, {"nonResourceURLs", {"*"}}});
  }
  // system:basic-user, system:discovery and system:public-info-viewer, bound to every
  // authenticated user (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go).
  rules.resource_rules.push_back(Json{{"verbs", {"create"}},
                                      {"apiGroups", {"authentication.k8s.io"}},
                                      {"resources", {"selfsubjectreviews"}}});
  rules.resource_rules.push_back(
      Json{{"verbs", {"create"}},
           {"apiGroups", {"authorization.k8s.io"}},
           {"resources", {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}}});
  rules.non_resource_rules.push_back(
      Json{{"verbs", {"get"}},
           {"nonResourceURLs", {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                "/openapi", "/openapi/*", "/readyz", "/version", "/version/"}}});
  rules.non_resource_rules.push_back(
      Json{{"verbs", {"get"}},
           {"nonResourceURLs", {"/healthz", "/livez", "/readyz", "/version", "/version/"}}});
  return rules;
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
