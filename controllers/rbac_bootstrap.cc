// EnsureBootstrapRbac: the default ClusterRoles and ClusterRoleBindings that kube-apiserver's
// rbac/bootstrap-roles post-start hook reconciles (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go), limited to the roles users and tools rely on: minik's own
// components act through the in-process client and need none.
//
// Reconciliation as upstream's: missing objects are created; existing ones annotated
// rbac.authorization.kubernetes.io/autoupdate=true get missing rules, subjects, labels and
// aggregation selectors added back (nothing is removed); autoupdate=false leaves them alone.
#include <algorithm>
#include <string>
#include <vector>

#include "controllers/controllers.h"
#include "controllers/create_or_update.h"

namespace minik {
namespace {

const ResourceRef kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
const ResourceRef kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings"};
constexpr const char* kAutoupdate = "rbac.authorization.kubernetes.io/autoupdate";

const std::vector<std::string> kRead = {"get", "list", "watch"};
const std::vector<std::string> kWrite = {"create", "delete", "deletecollection", "patch", "update"};
const std::vector<std::string> kReadWrite = {"create", "delete", "deletecollection", "get",
                                             "list",   "patch",  "update",           "watch"};

Json Rule(const std::vector<std::string>& verbs, const std::vector<std::string>& groups,
          const std::vector<std::string>& resources) {
  return {{"verbs", verbs}, {"apiGroups", groups}, {"resources", resources}};
}

Json UrlRule(const std::vector<std::string>& verbs, const std::vector<std::string>& urls) {
  return {{"verbs", verbs}, {"nonResourceURLs", urls}};
}

Json Meta(const std::string& name, const Json& labels = Json::object()) {
  Json l = labels;
  l["kubernetes.io/bootstrapping"] = "rbac-defaults";
  return {{"name", name}, {"labels", l}, {"annotations", {{kAutoupdate, "true"}}}};
}

Json Role(const std::string& name, Json rules, const Json& labels = Json::object()) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRole"},
          {"metadata", Meta(name, labels)},
          {"rules", std::move(rules)}};
}

Json Aggregated(const std::string& name, const std::string& selector_label,
                const Json& labels = Json::object()) {
  Json role = Role(name, Json::array(), labels);
  role["aggregationRule"] = {
      {"clusterRoleSelectors", Json::array({{{"matchLabels", {{selector_label, "true"}}}}})}};
  return role;
}

Json Binding(const std::string& name, const std::vector<std::string>& groups) {
  Json subjects = Json::array();
  for (const auto& g : groups)
    subjects.push_back({{"kind", "Group"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", g}});
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRoleBinding"},
          {"metadata", Meta(name)},
          {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", name}}},
          {"subjects", subjects}};
}

std::vector<Json> ClusterRoles() {
  const std::string agg = "rbac.authorization.k8s.io/aggregate-to-";
  std::vector<Json> roles;
  roles.push_back(Role("cluster-admin", Json::array({Rule({"*"}, {"*"}, {"*"}), UrlRule({"*"}, {"*"})})));
  roles.push_back(Role("system:discovery",
                       Json::array({UrlRule({"get"}, {"/api", "/api/*", "/apis", "/apis/*", "/healthz",
                                                      "/livez", "/openapi", "/openapi/*", "/readyz",
                                                      "/version", "/version/"})})));
  roles.push_back(Role("system:public-info-viewer",
                       Json::array({UrlRule({"get"}, {"/healthz", "/livez", "/readyz", "/version",
                                                      "/version/"})})));
  roles.push_back(Role(
      "system:basic-user",
      Json::array({Rule({"create"}, {"authentication.k8s.io"}, {"selfsubjectreviews"}),
                   Rule({"create"}, {"authorization.k8s.io"},
                        {"selfsubjectaccessreviews", "selfsubjectrulesreviews"})})));
  roles.push_back(Role("system:service-account-issuer-discovery",
                       Json::array({UrlRule({"get"}, {"/.well-known/openid-configuration",
                                                      "/.well-known/openid-configuration/",
                                                      "/openid/v1/jwks", "/openid/v1/jwks/"})})));
  roles.push_back(Role("system:monitoring",
                       Json::array({UrlRule({"get"}, {"/healthz", "/healthz/*", "/livez", "/livez/*",
                                                      "/metrics", "/metrics/slis", "/readyz",
                                                      "/readyz/*"})})));
  roles.push_back(Role(
      "system:auth-delegator",
      Json::array({Rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
                   Rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"})})));

  roles.push_back(Aggregated("admin", agg + "admin"));
  roles.push_back(Aggregated("edit", agg + "edit", {{agg + "admin", "true"}}));
  roles.push_back(Aggregated("view", agg + "view", {{agg + "edit", "true"}}));
  roles.push_back(Role(
      "system:aggregate-to-admin",
      Json::array({Rule({"create"}, {"authorization.k8s.io"}, {"localsubjectaccessreviews"}),
                   Rule(kReadWrite, {"rbac.authorization.k8s.io"}, {"rolebindings", "roles"})}),
      {{agg + "admin", "true"}}));
  roles.push_back(Role(
      "system:aggregate-to-edit",
      Json::array({
          Rule(kRead, {""}, {"pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                             "services/proxy"}),
          Rule({"impersonate"}, {""}, {"serviceaccounts"}),
          Rule(kWrite, {""}, {"pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}),
          Rule({"create"}, {""}, {"pods/eviction"}),
          Rule(kWrite, {""}, {"configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                              "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                              "services/proxy"}),
          Rule({"create"}, {""}, {"serviceaccounts/token"}),
          Rule(kWrite, {"apps"}, {"daemonsets", "deployments", "deployments/rollback",
                                  "deployments/scale", "replicasets", "replicasets/scale",
                                  "statefulsets", "statefulsets/scale"}),
          Rule(kWrite, {"autoscaling"}, {"horizontalpodautoscalers"}),
          Rule(kWrite, {"batch"}, {"cronjobs", "jobs"}),
          Rule(kWrite, {"extensions"}, {"daemonsets", "deployments", "deployments/rollback",
                                        "deployments/scale", "ingresses", "networkpolicies",
                                        "replicasets", "replicasets/scale",
                                        "replicationcontrollers/scale"}),
          Rule(kWrite, {"policy"}, {"poddisruptionbudgets"}),
          Rule(kWrite, {"networking.k8s.io"}, {"ingresses", "networkpolicies"}),
          Rule(kWrite, {"coordination.k8s.io"}, {"leases"}),
      }),
      {{agg + "edit", "true"}}));
  roles.push_back(Role(
      "system:aggregate-to-view",
      Json::array({
          Rule(kRead, {""}, {"configmaps", "endpoints", "persistentvolumeclaims",
                             "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                             "replicationcontrollers/scale", "serviceaccounts", "services",
                             "services/status"}),
          Rule(kRead, {""}, {"bindings", "events", "limitranges", "namespaces/status", "pods/log",
                             "pods/status", "replicationcontrollers/status", "resourcequotas",
                             "resourcequotas/status"}),
          Rule(kRead, {""}, {"namespaces"}),
          Rule(kRead, {"discovery.k8s.io"}, {"endpointslices"}),
          Rule(kRead, {"apps"}, {"controllerrevisions", "daemonsets", "daemonsets/status",
                                 "deployments", "deployments/scale", "deployments/status",
                                 "replicasets", "replicasets/scale", "replicasets/status",
                                 "statefulsets", "statefulsets/scale", "statefulsets/status"}),
          Rule(kRead, {"autoscaling"}, {"horizontalpodautoscalers", "horizontalpodautoscalers/status"}),
          Rule(kRead, {"batch"}, {"cronjobs", "cronjobs/status", "jobs", "jobs/status"}),
          Rule(kRead, {"extensions"}, {"daemonsets", "daemonsets/status", "deployments",
                                       "deployments/scale", "deployments/status", "ingresses",
                                       "ingresses/status", "networkpolicies", "replicasets",
                                       "replicasets/scale", "replicasets/status",
                                       "replicationcontrollers/scale"}),
          Rule(kRead, {"policy"}, {"poddisruptionbudgets", "poddisruptionbudgets/status"}),
          Rule(kRead, {"networking.k8s.io"}, {"ingresses", "ingresses/status", "networkpolicies"}),
          Rule(kRead, {"coordination.k8s.io"}, {"leases"}),
      }),
      {{agg + "view", "true"}}));
  return roles;
}

std::vector<Json> ClusterRoleBindings() {
  return {Binding("cluster-admin", {"system:masters"}),
          Binding("system:discovery", {"system:authenticated"}),
          Binding("system:basic-user", {"system:authenticated"}),
          Binding("system:public-info-viewer", {"system:authenticated", "system:unauthenticated"}),
          Binding("system:service-account-issuer-discovery", {"system:serviceaccounts"}),
          Binding("system:monitoring", {"system:monitoring"})};
}

// Adds to `into` the entries of array `from` it lacks; true when it added any.
bool AddMissing(Json& into, const Json& from) {
  if (!into.is_array()) into = Json::array();
  bool changed = false;
  for (const Json& v : from) {
    if (std::find(into.begin(), into.end(), v) != into.end()) continue;
    into.push_back(v);
    changed = true;
  }
  return changed;
}

bool AddMissingMap(Json& into, const Json& from) {
  if (!into.is_object()) into = Json::object();
  bool changed = false;
  for (const auto& [k, v] : from.items()) {
    if (into.contains(k)) continue;
    into[k] = v;
    changed = true;
  }
  return changed;
}

// Brings `current` up to `want`; true when it changed.
bool Reconcile(Json& current, const Json& want, const char* list_field) {
  if (GetString(current, {"metadata", "annotations", kAutoupdate}) == "false") return false;
  bool changed = AddMissingMap(current["metadata"]["labels"], want["metadata"]["labels"]);
  changed |= AddMissingMap(current["metadata"]["annotations"], want["metadata"]["annotations"]);
  if (want.contains("aggregationRule")) {
    // The aggregation controller owns the rules of aggregated roles.
    Json& selectors = current["aggregationRule"]["clusterRoleSelectors"];
    changed |= AddMissing(selectors, want["aggregationRule"]["clusterRoleSelectors"]);
    return changed;
  }
  changed |= AddMissing(current[list_field], want[list_field]);
  return changed;
}

}  // namespace

Status EnsureBootstrapRbac(Client& client) {
  // Embedders (and tests) that serve no RBAC kinds have no default policy to reconcile.
  if (auto probe = client.List(kClusterRoles, "", {}); !probe.ok()) {
    if (probe.status().code() == Code::kNotFound) return Status::Ok();
    return probe.status();
  }
  for (const Json& role : ClusterRoles()) {
    MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kClusterRoles, role, [&](Json& current) {
      return Reconcile(current, role, "rules");
    }));
  }
  for (const Json& binding : ClusterRoleBindings())
    MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kClusterRoleBindings, binding, [&](Json& current) {
      return Reconcile(current, binding, "subjects");
    }));
  return Status::Ok();
}

}  // namespace minik
