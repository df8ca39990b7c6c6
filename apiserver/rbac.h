// RBAC (rbac.authorization.k8s.io/v1), as plugin/pkg/auth/authorizer/rbac and
// pkg/registry/rbac/validation: the authorizer that decides requests from Roles,
// ClusterRoles and their bindings, the rule resolver behind `kubectl auth can-i --list`, and
// the escalation check (a user may grant only what they hold, unless allowed to `escalate`
// or `bind`).
//
// Threads: Authorize/RulesFor run on many HTTP threads. The informers' handlers only mark
// the snapshot stale; the first reader after that rebuilds it under mu_ and swaps in an
// immutable snapshot that readers then share without locking.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/informer.h"
#include "apiserver/authz.h"

namespace minik {

// One rbac PolicyRule.
struct PolicyRule {
  std::vector<std::string> verbs, api_groups, resources, resource_names, non_resource_urls;
};

std::vector<PolicyRule> ParseRules(const Json& rules);
Json RuleToJson(const PolicyRule& rule);
// rbacv1helpers.CompactString: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}.
std::string CompactString(const PolicyRule& rule);

// Whether `rule` allows the request (RuleAllows in rbac.go).
bool RuleAllows(const AuthzAttributes& attrs, const PolicyRule& rule);

// validation.Covers: whether `owner` holds every permission of `servant`; the uncovered
// rules, broken down to one verb/group/resource/name each, go to `missing`.
bool Covers(const std::vector<PolicyRule>& owner, const std::vector<PolicyRule>& servant,
            std::vector<PolicyRule>* missing);

class RbacAuthorizer final : public Authorizer {
 public:
  RbacAuthorizer() = default;
  RbacAuthorizer(const RbacAuthorizer&) = delete;
  RbacAuthorizer& operator=(const RbacAuthorizer&) = delete;

  // Reads Roles, ClusterRoles and bindings from `informers` (which must outlive this and be
  // started by the caller). Until then, and until they sync, only system:masters is allowed.
  void Attach(SharedInformerFactory& informers);
  // Forgets the informers (before they are destroyed); decisions keep using the last
  // snapshot.
  void Detach();

  AuthzDecision Authorize(const AuthzAttributes& attrs) const override;
  UserRules RulesFor(const UserInfo& user, const std::string& ns) const override;

  // The rules `user` holds in `ns` ("" : cluster-wide bindings only), and the errors met
  // resolving them (a binding to a missing role), as upstream's RulesFor.
  std::vector<PolicyRule> Rules(const UserInfo& user, const std::string& ns,
                                std::vector<std::string>* errors) const;
  // The rules of the role a binding refers to: kind Role (in `ns`) or ClusterRole.
  StatusOr<std::vector<PolicyRule>> RoleRefRules(const std::string& kind, const std::string& name,
                                                 const std::string& ns) const;

  struct Snapshot;

 private:
  std::shared_ptr<const Snapshot> Current() const;

  Informer* roles_ = nullptr;
  Informer* cluster_roles_ = nullptr;
  Informer* role_bindings_ = nullptr;
  Informer* cluster_role_bindings_ = nullptr;
  mutable std::atomic<bool> stale_{true};
  mutable std::mutex mu_;  // guards snapshot_ swaps
  mutable std::shared_ptr<const Snapshot> snapshot_;
};

// Whether `user` may write `obj` (a Role, ClusterRole, RoleBinding or ClusterRoleBinding,
// `resource` its plural; `old` the stored object on update, else null) without escalating:
// system:masters, the `escalate` verb (roles) or `bind` verb (bindings on their roleRef), or
// holding every permission granted. Forbidden, worded as upstream, otherwise.
Status ConfirmNoEscalation(const RbacAuthorizer& rbac, const UserInfo& user,
                           const std::string& resource, const Json& obj, const Json* old);

class AdmissionPlugin;  // apiserver/admission.h
// The admission plugin that runs ConfirmNoEscalation on every write of an RBAC object by a
// user (in-process writes act with full rights). `rbac` must outlive it.
std::shared_ptr<AdmissionPlugin> NewRbacEscalationPlugin(const RbacAuthorizer& rbac);

}  // namespace minik
