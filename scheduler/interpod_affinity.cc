// InterPodAffinity (plugins/interpodaffinity): required affinity / anti-affinity of the
// incoming pod, required anti-affinity of the pods already placed, and the preferred terms
// of both for scoring. Counts are computed per call from the Snapshot; the incoming pod's
// own terms need every placed pod, the existing pods' terms only pods_with_affinity.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "api/selector.h"
#include "scheduler/framework.h"

namespace minik::sched {

namespace {

const Json kNullJson;

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v ? *v : kNullJson;
}

struct Term {
  std::optional<LabelSelector> selector;  // nullopt: selects nothing
  std::set<std::string> namespaces;
  std::optional<LabelSelector> ns_selector;  // nullopt: none
  std::string topology_key;
  int64_t weight = 0;

  // framework.AffinityTerm.Matches: `pod` is in the term's namespaces and matches.
  bool Matches(const Json& pod, const Snapshot& snap) const {
    if (!selector) return false;
    std::string ns = Namespace(pod);
    bool ns_ok = namespaces.count(ns) > 0 ||
                 (ns_selector && ns_selector->Matches(snap.NamespaceLabels(ns)));
    return ns_ok && selector->Matches(Labels(pod));
  }
};

Term ParseTerm(const Json& t, const Json& owner, int64_t weight) {
  Term term;
  term.weight = weight;
  term.topology_key = GetString(t, {"topologyKey"});
  const Json& sel = At(t, {"labelSelector"});
  if (sel.is_object()) {
    auto s = LabelSelector::FromJson(sel);
    if (s.ok()) term.selector = std::move(*s);
  }
  const Json& nss = At(t, {"namespaces"});
  if (nss.is_array()) {
    for (const Json& n : nss) {
      if (n.is_string()) term.namespaces.insert(n.get<std::string>());
    }
  }
  const Json& ns_sel = At(t, {"namespaceSelector"});
  if (ns_sel.is_object()) {
    auto s = LabelSelector::FromJson(ns_sel);
    if (s.ok()) term.ns_selector = std::move(*s);
  }
  // No namespaces and no namespaceSelector: the owner pod's own namespace.
  if (term.namespaces.empty() && ns_sel.is_null()) term.namespaces.insert(Namespace(owner));
  return term;
}

std::vector<Term> RequiredTerms(const Json& pod, const char* kind) {
  std::vector<Term> out;
  const Json& terms =
      At(pod, {"spec", "affinity", kind, "requiredDuringSchedulingIgnoredDuringExecution"});
  if (terms.is_array()) {
    for (const Json& t : terms) out.push_back(ParseTerm(t, pod, 1));
  }
  return out;
}

std::vector<Term> PreferredTerms(const Json& pod, const char* kind) {
  std::vector<Term> out;
  const Json& terms =
      At(pod, {"spec", "affinity", kind, "preferredDuringSchedulingIgnoredDuringExecution"});
  if (terms.is_array()) {
    for (const Json& t : terms) {
      out.push_back(ParseTerm(At(t, {"podAffinityTerm"}), pod, GetInt(t, {"weight"})));
    }
  }
  return out;
}

using TopologyPair = std::pair<std::string, std::string>;
using Counts = std::map<TopologyPair, int64_t>;

void Update(Counts& counts, const Json& node, const std::string& key, int64_t value) {
  const Json& labels = Labels(node);
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return;
  counts[{key, it->get<std::string>()}] += value;
}

bool MatchesAll(const std::vector<Term>& terms, const Json& pod, const Snapshot& snap) {
  if (terms.empty()) return false;
  for (const Term& t : terms) {
    if (!t.Matches(pod, snap)) return false;
  }
  return true;
}

bool Terminating(const Json& pod) { return Find(pod, {"metadata", "deletionTimestamp"}); }

std::optional<std::string> LabelOf(const Json& node, const std::string& key) {
  const Json& labels = Labels(node);
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

PluginStatus FilterInterPodAffinity(const Json& pod, const NodeInfo& node, const Snapshot& snap) {
  std::vector<Term> affinity = RequiredTerms(pod, "podAffinity");
  std::vector<Term> anti = RequiredTerms(pod, "podAntiAffinity");

  // Existing pods' required anti-affinity terms that the incoming pod matches.
  Counts existing_anti;
  for (const auto& [node_index, existing] : snap.pods_with_affinity) {
    for (const Term& t : RequiredTerms(*existing, "podAntiAffinity")) {
      if (t.Matches(pod, snap)) Update(existing_anti, *snap.nodes[node_index].node, t.topology_key, 1);
    }
  }

  Counts affinity_counts, anti_counts;
  if (!affinity.empty() || !anti.empty()) {
    for (const NodeInfo& n : snap.nodes) {
      for (const PodPtr& existing : n.pods) {
        if (MatchesAll(affinity, *existing, snap)) {
          for (const Term& t : affinity) Update(affinity_counts, *n.node, t.topology_key, 1);
        }
        for (const Term& t : anti) {
          if (t.Matches(*existing, snap)) Update(anti_counts, *n.node, t.topology_key, 1);
        }
      }
    }
  }

  // satisfyPodAffinity
  bool pods_exist = true;
  for (const Term& t : affinity) {
    auto value = LabelOf(*node.node, t.topology_key);
    if (!value) {
      return PluginStatus::Fail(PluginStatus::kUnresolvable, "InterPodAffinity",
                                {kErrPodAffinity});
    }
    auto it = affinity_counts.find({t.topology_key, *value});
    if (it == affinity_counts.end() || it->second <= 0) pods_exist = false;
  }
  if (!pods_exist) {
    // The first pod of a group with affinity to itself may go anywhere its terms allow.
    if (!(affinity_counts.empty() && MatchesAll(affinity, pod, snap))) {
      return PluginStatus::Fail(PluginStatus::kUnresolvable, "InterPodAffinity",
                                {kErrPodAffinity});
    }
  }
  // satisfyPodAntiAffinity
  for (const Term& t : anti) {
    auto value = LabelOf(*node.node, t.topology_key);
    if (!value) continue;
    auto it = anti_counts.find({t.topology_key, *value});
    if (it != anti_counts.end() && it->second > 0) {
      return PluginStatus::Fail(PluginStatus::kUnschedulable, "InterPodAffinity",
                                {kErrPodAntiAffinity});
    }
  }
  // satisfyExistingPodsAntiAffinity
  for (const auto& [pair, count] : existing_anti) {
    if (count <= 0) continue;
    auto value = LabelOf(*node.node, pair.first);
    if (value && *value == pair.second) {
      return PluginStatus::Fail(PluginStatus::kUnschedulable, "InterPodAffinity",
                                {kErrExistingAntiAffinity});
    }
  }
  return PluginStatus::Success();
}

std::vector<int64_t> ScoreInterPodAffinity(const Json& pod,
                                           const std::vector<const NodeInfo*>& nodes,
                                           const Snapshot& snap) {
  std::vector<Term> pref_affinity = PreferredTerms(pod, "podAffinity");
  std::vector<Term> pref_anti = PreferredTerms(pod, "podAntiAffinity");
  // topology pair -> score, as upstream's preScoreState.topologyScore.
  Counts topology_score;
  auto process = [&](const Json& existing, const Json& existing_node) {
    // The incoming pod's preferred terms against the existing pod.
    for (const Term& t : pref_affinity) {
      if (t.Matches(existing, snap)) Update(topology_score, existing_node, t.topology_key, t.weight);
    }
    for (const Term& t : pref_anti) {
      if (t.Matches(existing, snap))
        Update(topology_score, existing_node, t.topology_key, -t.weight);
    }
    // The existing pod's terms against the incoming pod (hardPodAffinityWeight 1).
    if (At(existing, {"spec", "affinity"}).is_object()) {
      for (const Term& t : RequiredTerms(existing, "podAffinity")) {
        if (t.Matches(pod, snap)) Update(topology_score, existing_node, t.topology_key, 1);
      }
      for (const Term& t : PreferredTerms(existing, "podAffinity")) {
        if (t.Matches(pod, snap)) Update(topology_score, existing_node, t.topology_key, t.weight);
      }
      for (const Term& t : PreferredTerms(existing, "podAntiAffinity")) {
        if (t.Matches(pod, snap))
          Update(topology_score, existing_node, t.topology_key, -t.weight);
      }
    }
  };
  if (!pref_affinity.empty() || !pref_anti.empty()) {
    for (const NodeInfo& n : snap.nodes) {
      for (const PodPtr& existing : n.pods) {
        if (!Terminating(*existing)) process(*existing, *n.node);
      }
    }
  } else {
    for (const auto& [node_index, existing] : snap.pods_with_affinity) {
      if (!Terminating(*existing)) process(*existing, *snap.nodes[node_index].node);
    }
  }

  std::vector<int64_t> scores(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& [pair, score] : topology_score) {
      auto value = LabelOf(*nodes[i]->node, pair.first);
      if (value && *value == pair.second) scores[i] += score;
    }
  }
  // Normalize: (s - min) / (max - min) * 100.
  if (scores.empty()) return scores;
  int64_t min = *std::min_element(scores.begin(), scores.end());
  int64_t max = *std::max_element(scores.begin(), scores.end());
  for (int64_t& s : scores) {
    s = max > min ? static_cast<int64_t>(static_cast<double>(kMaxNodeScore) *
                                         (static_cast<double>(s - min) /
                                          static_cast<double>(max - min)))
                  : 0;
  }
  return scores;
}

}  // namespace minik::sched
