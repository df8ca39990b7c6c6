#include "controllers/clusterrole_aggregation_controller.h"

#include <algorithm>
#include <vector>

#include "api/selector.h"

namespace minik {
namespace {

const ResourceRef kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};

const Json* Selectors(const Json& role) {
  const Json* s = Find(role, {"aggregationRule", "clusterRoleSelectors"});
  return s && s->is_array() ? s : nullptr;
}


}  // namespace

ClusterRoleAggregationController::ClusterRoleAggregationController(Client& client, Clock& clock,
                                                                   SharedInformerFactory& informers)
    : QueueController("clusterrole-aggregation-controller", clock, 1),
      client_(client),
      cluster_roles_(informers.For(kClusterRoles)) {
  cluster_roles_.AddEventHandler({[this](const Json&) { EnqueueAggregated(); },
                                  [this](const Json&, const Json&) { EnqueueAggregated(); },
                                  [this](const Json&) { EnqueueAggregated(); }});
}

void ClusterRoleAggregationController::EnqueueAggregated() {
  for (const ObjectPtr& role : cluster_roles_.List())
    if (Selectors(*role)) queue().Add(Name(*role));
}

StatusOr<ReconcileResult> ClusterRoleAggregationController::Reconcile(const std::string& key) {
  ObjectPtr role = cluster_roles_.Get(key);
  if (!role) return ReconcileResult{};
  const Json* selectors = Selectors(*role);
  if (!selectors) return ReconcileResult{};
  // metav1.LabelSelectorAsSelector of each clusterRoleSelector; an invalid one matches nothing.
  std::vector<LabelSelector> parsed;
  for (const Json& s : *selectors) {
    if (auto sel = LabelSelector::FromJson(s); sel.ok()) parsed.push_back(std::move(*sel));
  }
  Json rules = Json::array();
  for (const ObjectPtr& other : cluster_roles_.List()) {  // sorted by name
    if (Name(*other) == key) continue;
    static const Json kNoLabels = Json::object();
    const Json* labels = Find(*other, {"metadata", "labels"});
    if (!labels || !labels->is_object()) labels = &kNoLabels;
    bool selected = std::any_of(parsed.begin(), parsed.end(),
                                [&](const LabelSelector& s) { return s.Matches(*labels); });
    if (!selected) continue;
    const Json* other_rules = Find(*other, {"rules"});
    if (!other_rules || !other_rules->is_array()) continue;
    for (const Json& rule : *other_rules)
      if (std::find(rules.begin(), rules.end(), rule) == rules.end()) rules.push_back(rule);
  }
  if (role->value("rules", Json::array()) == rules) return ReconcileResult{};
  Json next = *role;
  next["rules"] = std::move(rules);
  auto r = client_.Update(kClusterRoles, "", std::move(next));
  if (!r.ok()) {
    if (r.status().code() == Code::kNotFound) return ReconcileResult{};
    return r.status();  // a conflict retries with back-off against the newer object
  }
  return ReconcileResult{};
}

}  // namespace minik
