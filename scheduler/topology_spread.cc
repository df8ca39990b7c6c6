// PodTopologySpread (plugins/podtopologyspread): DoNotSchedule constraints filter,
// ScheduleAnyway constraints (or the system default constraints) score. Node inclusion
// policies: nodeAffinityPolicy (default Honor) and nodeTaintsPolicy (default Ignore).
#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <optional>

#include "api/selector.h"
#include "scheduler/framework.h"

namespace minik::sched {

namespace {

const Json kNullJson;
const char* const kHostname = "kubernetes.io/hostname";
const char* const kZone = "topology.kubernetes.io/zone";

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v ? *v : kNullJson;
}

struct Constraint {
  int64_t max_skew = 1;
  std::string topology_key;
  std::optional<LabelSelector> selector;  // nullopt: matches nothing
  int64_t min_domains = 0;                // 0: unset
  bool honor_affinity = true;
  bool honor_taints = false;
};

std::optional<LabelSelector> SelectorWithMatchLabelKeys(const Json& sel, const Json& keys,
                                                        const Json& pod) {
  if (!sel.is_object()) return std::nullopt;
  Json merged = sel;
  // matchLabelKeys: the incoming pod's values of those keys are ANDed into the selector.
  if (keys.is_array()) {
    const Json& labels = Labels(pod);
    for (const Json& k : keys) {
      if (!k.is_string()) continue;
      auto it = labels.find(k.get<std::string>());
      if (it == labels.end()) continue;
      merged["matchExpressions"].push_back(
          {{"key", k}, {"operator", "In"}, {"values", Json::array({*it})}});
    }
  }
  auto s = LabelSelector::FromJson(merged);
  if (!s.ok()) return std::nullopt;
  return std::move(*s);
}

std::vector<Constraint> Constraints(const Json& pod, const std::string& when) {
  std::vector<Constraint> out;
  const Json& list = At(pod, {"spec", "topologySpreadConstraints"});
  if (!list.is_array()) return out;
  for (const Json& c : list) {
    if (GetString(c, {"whenUnsatisfiable"}) != when) continue;
    Constraint k;
    k.max_skew = GetInt(c, {"maxSkew"}, 1);
    k.topology_key = GetString(c, {"topologyKey"});
    k.selector = SelectorWithMatchLabelKeys(At(c, {"labelSelector"}), At(c, {"matchLabelKeys"}), pod);
    k.min_domains = GetInt(c, {"minDomains"}, 0);
    k.honor_affinity = GetString(c, {"nodeAffinityPolicy"}) != "Ignore";
    k.honor_taints = GetString(c, {"nodeTaintsPolicy"}) == "Honor";
    out.push_back(std::move(k));
  }
  return out;
}

std::optional<std::string> LabelOf(const Json& node, const std::string& key) {
  const Json& labels = Labels(node);
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool HasAllKeys(const Json& node, const std::vector<Constraint>& cs) {
  for (const Constraint& c : cs) {
    if (!LabelOf(node, c.topology_key)) return false;
  }
  return true;
}

bool IncludesNode(const Constraint& c, const Json& pod, const Json& node) {
  if (c.honor_affinity && !PodMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.honor_taints && FindUntoleratedTaint(At(node, {"spec", "taints"}),
                                             At(pod, {"spec", "tolerations"}),
                                             {"NoSchedule", "NoExecute"}))
    return false;
  return true;
}

int64_t CountMatching(const NodeInfo& node, const Constraint& c, const std::string& ns) {
  if (!c.selector) return 0;
  std::string key = ns + '\x1f' + c.selector->String();
  if (auto it = node.match_counts->find(key); it != node.match_counts->end()) return it->second;
  int64_t n = 0;
  for (const PodPtr& p : node.pods) {
    if (Find(*p, {"metadata", "deletionTimestamp"})) continue;
    if (Namespace(*p) != ns) continue;
    if (c.selector->Matches(Labels(*p))) ++n;
  }
  node.match_counts->emplace(std::move(key), n);
  return n;
}

}  // namespace

PluginStatus FilterPodTopologySpread(const Json& pod, const NodeInfo& node, const Snapshot& snap) {
  std::vector<Constraint> cs = Constraints(pod, "DoNotSchedule");
  if (cs.empty()) return PluginStatus::Success();
  std::string ns = Namespace(pod);
  // Per constraint: topology value -> matching pods, over the nodes the policies include.
  std::vector<std::map<std::string, int64_t>> counts(cs.size());
  for (const NodeInfo& n : snap.nodes) {
    if (!HasAllKeys(*n.node, cs)) continue;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (!IncludesNode(cs[i], pod, *n.node)) continue;
      counts[i][*LabelOf(*n.node, cs[i].topology_key)] += CountMatching(n, cs[i], ns);
    }
  }
  for (size_t i = 0; i < cs.size(); ++i) {
    const Constraint& c = cs[i];
    auto value = LabelOf(*node.node, c.topology_key);
    if (!value) {
      return PluginStatus::Fail(PluginStatus::kUnresolvable, "PodTopologySpread",
                                {kErrTopologySpreadLabel});
    }
    int64_t min_match = 0;
    if (!counts[i].empty() &&
        !(c.min_domains > 0 && static_cast<int64_t>(counts[i].size()) < c.min_domains)) {
      min_match = LLONG_MAX;
      for (const auto& [v, n] : counts[i]) min_match = std::min(min_match, n);
    }
    int64_t self_match = c.selector && c.selector->Matches(Labels(pod)) ? 1 : 0;
    auto it = counts[i].find(*value);
    int64_t match = it == counts[i].end() ? 0 : it->second;
    if (match + self_match - min_match > c.max_skew) {
      return PluginStatus::Fail(PluginStatus::kUnschedulable, "PodTopologySpread",
                                {kErrTopologySpread});
    }
  }
  return PluginStatus::Success();
}

std::vector<int64_t> ScorePodTopologySpread(const Json& pod,
                                            const std::vector<const NodeInfo*>& nodes,
                                            const Snapshot& snap, const CycleState& state) {
  std::vector<int64_t> scores(nodes.size(), 0);
  std::vector<Constraint> cs;
  bool require_all = true;
  const Json& explicit_cs = At(pod, {"spec", "topologySpreadConstraints"});
  if (explicit_cs.is_array() && !explicit_cs.empty()) {
    cs = Constraints(pod, "ScheduleAnyway");
  } else if (state.default_spread_selector.is_object()) {
    auto sel = LabelSelector::FromJson(state.default_spread_selector);
    if (sel.ok() && !sel->Empty()) {
      for (auto [key, skew] : {std::pair<const char*, int64_t>{kHostname, 3}, {kZone, 5}}) {
        Constraint c;
        c.max_skew = skew;
        c.topology_key = key;
        c.selector = *sel;
        cs.push_back(std::move(c));
      }
      require_all = false;
    }
  }
  if (cs.empty()) return scores;  // Skip: every node scores 0
  std::string ns = Namespace(pod);

  // initPreScoreState: the topology values of the feasible nodes, and the weights.
  std::vector<bool> ignored(nodes.size(), false);
  size_t ignored_count = 0;
  std::vector<std::map<std::string, int64_t>> counts(cs.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (require_all && !HasAllKeys(*nodes[n]->node, cs)) {
      ignored[n] = true;
      ++ignored_count;
      continue;
    }
    for (size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].topology_key == kHostname) continue;
      if (auto v = LabelOf(*nodes[n]->node, cs[i].topology_key)) counts[i].emplace(*v, 0);
    }
  }
  std::vector<double> weight(cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    size_t size = cs[i].topology_key == kHostname ? nodes.size() - ignored_count
                                                  : counts[i].size();
    weight[i] = std::log(static_cast<double>(size + 2));
  }
  // Pods per topology value over all nodes (hostname counts are per node, in Score).
  for (const NodeInfo& n : snap.nodes) {
    if (require_all && !HasAllKeys(*n.node, cs)) continue;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].topology_key == kHostname || !IncludesNode(cs[i], pod, *n.node)) continue;
      auto v = LabelOf(*n.node, cs[i].topology_key);
      if (!v) continue;
      auto it = counts[i].find(*v);
      if (it != counts[i].end()) it->second += CountMatching(n, cs[i], ns);
    }
  }
  // Score: lower is better before normalization.
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (ignored[n]) continue;
    double score = 0;
    for (size_t i = 0; i < cs.size(); ++i) {
      auto v = LabelOf(*nodes[n]->node, cs[i].topology_key);
      if (!v) continue;
      int64_t cnt = cs[i].topology_key == kHostname ? CountMatching(*nodes[n], cs[i], ns)
                                                    : counts[i][*v];
      score += static_cast<double>(cnt) * weight[i] + static_cast<double>(cs[i].max_skew - 1);
    }
    scores[n] = std::llround(score);
  }
  // NormalizeScore: 100 * (max + min - s) / max; ignored nodes get 0.
  int64_t min = LLONG_MAX, max = 0;
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (ignored[n]) continue;
    min = std::min(min, scores[n]);
    max = std::max(max, scores[n]);
  }
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (ignored[n]) {
      scores[n] = 0;
    } else if (max == 0) {
      scores[n] = kMaxNodeScore;
    } else {
      scores[n] = kMaxNodeScore * (max + min - scores[n]) / max;
    }
  }
  return scores;
}

}  // namespace minik::sched
