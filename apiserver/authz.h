// Authorization: an Authorizer decides each authenticated request from its attributes
// (k8s.io/apiserver/pkg/authorization/authorizer). RBAC will be one implementation; for
// now MastersOnlyAuthorizer grants everything to system:masters and, to everyone
// authenticated, what the bootstrap RBAC roles system:discovery, system:public-info-viewer
// and system:basic-user grant (discovery paths, health, version, self reviews).
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
#include "api/json.h"
#include "api/status.h"

namespace minik {

struct AuthzAttributes {
  const UserInfo* user = nullptr;
  bool resource_request = false;
  std::string verb;  // resource verb, or lower-case HTTP method for non-resource paths
  std::string api_group, api_version, resource, subresource, name, ns;
  std::string path;  // non-resource requests
};

struct AuthzDecision {
  bool allowed = false;
  std::string reason;  // appended to the Forbidden message when non-empty
};

// What a user may do in a namespace, as SelfSubjectRulesReview's status shows it
// (`kubectl auth can-i --list`): rbac PolicyRule-shaped JSON objects.
struct UserRules {
  Json resource_rules = Json::array();      // {verbs, apiGroups, resources, resourceNames?}
  Json non_resource_rules = Json::array();  // {verbs, nonResourceURLs}
  bool incomplete = false;
  std::string evaluation_error;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Thread-safe.
  virtual AuthzDecision Authorize(const AuthzAttributes& attrs) const = 0;
  // The rules that apply to `user` in namespace `ns`. Thread-safe. Authorizers that cannot
  // list their rules answer `incomplete`, as upstream's non-RBAC authorizers do.
  virtual UserRules RulesFor(const UserInfo& user, const std::string& ns) const {
    (void)user;
    (void)ns;
    UserRules rules;
    rules.incomplete = true;
    return rules;
  }
};

class MastersOnlyAuthorizer final : public Authorizer {
 public:
  AuthzDecision Authorize(const AuthzAttributes& attrs) const override;
  UserRules RulesFor(const UserInfo& user, const std::string& ns) const override;
};

// The 403 the apiserver answers, worded like responsewriters.forbiddenMessage:
// `configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group ""
// in the namespace "default"`.
Status ForbiddenStatus(const AuthzAttributes& attrs, const std::string& reason);

}  // namespace minik
