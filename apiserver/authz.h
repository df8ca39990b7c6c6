// Authorization: an Authorizer decides each authenticated request from its attributes
// (k8s.io/apiserver/pkg/authorization/authorizer). RBAC will be one implementation; for
// now MastersOnlyAuthorizer grants everything to system:masters and, to everyone
// authenticated, what the bootstrap RBAC roles system:discovery, system:public-info-viewer
// and system:basic-user grant (discovery paths, health, version, self reviews).
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
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

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Thread-safe.
  virtual AuthzDecision Authorize(const AuthzAttributes& attrs) const = 0;
};

class MastersOnlyAuthorizer final : public Authorizer {
 public:
  AuthzDecision Authorize(const AuthzAttributes& attrs) const override;
};

// The 403 the apiserver answers, worded like responsewriters.forbiddenMessage:
// `configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group ""
// in the namespace "default"`.
Status ForbiddenStatus(const AuthzAttributes& attrs, const std::string& reason);

}  // namespace minik
