// NodeAffinity (filter and score) and the node selector matching it shares with
// VolumeBinding's PV node affinity: v1helper / component-helpers nodeaffinity semantics.
#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "scheduler/framework.h"

namespace minik::sched {

namespace {

const Json kNullJson;

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v ? *v : kNullJson;
}

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

// One NodeSelectorRequirement against a value that is present (has) or not.
bool RequirementMatches(const Json& req, bool has, const std::string& value) {
  std::string op = GetString(req, {"operator"});
  std::vector<std::string> values;
  if (const Json* vs = Find(req, {"values"}); vs && vs->is_array()) {
    for (const Json& v : *vs) {
      if (v.is_string()) values.push_back(v.get<std::string>());
    }
  }
  auto in_values = [&] {
    for (const std::string& v : values) {
      if (v == value) return true;
    }
    return false;
  };
  if (op == "In") return has && in_values();
  if (op == "NotIn") return !has || !in_values();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "Gt" || op == "Lt") {
    int64_t have = 0, want = 0;
    if (!has || values.size() != 1 || !ParseInt64(value, &have) || !ParseInt64(values[0], &want))
      return false;
    return op == "Gt" ? have > want : have < want;
  }
  return false;  // an invalid operator never matches
}

}  // namespace

bool NodeSelectorTermMatches(const Json& term, const Json& node) {
  const Json& exprs = At(term, {"matchExpressions"});
  const Json& fields = At(term, {"matchFields"});
  bool has_exprs = exprs.is_array() && !exprs.empty();
  bool has_fields = fields.is_array() && !fields.empty();
  if (!has_exprs && !has_fields) return false;  // an empty term matches no objects
  if (has_exprs) {
    const Json& labels = Labels(node);
    for (const Json& req : exprs) {
      std::string key = GetString(req, {"key"});
      auto it = labels.find(key);
      bool has = it != labels.end() && it->is_string();
      if (!RequirementMatches(req, has, has ? it->get<std::string>() : "")) return false;
    }
  }
  if (has_fields) {
    for (const Json& req : fields) {
      // metadata.name is the only supported field; anything else makes the term invalid.
      if (GetString(req, {"key"}) != "metadata.name") return false;
      std::string op = GetString(req, {"operator"});
      if (op != "In" && op != "NotIn") return false;
      if (!RequirementMatches(req, true, Name(node))) return false;
    }
  }
  return true;
}

bool PodMatchesNodeSelectorAndAffinity(const Json& pod, const Json& node) {
  const Json& selector = At(pod, {"spec", "nodeSelector"});
  if (selector.is_object()) {
    const Json& labels = Labels(node);
    for (auto it = selector.begin(); it != selector.end(); ++it) {
      auto have = labels.find(it.key());
      if (have == labels.end() || *have != *it) return false;
    }
  }
  const Json& required = At(pod, {"spec", "affinity", "nodeAffinity",
                                  "requiredDuringSchedulingIgnoredDuringExecution"});
  if (required.is_object()) {
    const Json& terms = At(required, {"nodeSelectorTerms"});
    if (!terms.is_array()) return false;
    for (const Json& term : terms) {
      if (NodeSelectorTermMatches(term, node)) return true;
    }
    return false;
  }
  return true;
}

std::optional<std::set<std::string>> NodeAffinityPreFilterNames(const Json& pod) {
  const Json& terms = At(pod, {"spec", "affinity", "nodeAffinity",
                               "requiredDuringSchedulingIgnoredDuringExecution",
                               "nodeSelectorTerms"});
  if (!terms.is_array() || terms.empty()) return std::nullopt;
  std::set<std::string> names;
  for (const Json& term : terms) {
    std::optional<std::set<std::string>> term_names;
    const Json& fields = At(term, {"matchFields"});
    if (fields.is_array()) {
      for (const Json& req : fields) {
        if (GetString(req, {"key"}) != "metadata.name" || GetString(req, {"operator"}) != "In")
          continue;
        std::set<std::string> values;
        if (const Json* vs = Find(req, {"values"}); vs && vs->is_array()) {
          for (const Json& v : *vs) {
            if (v.is_string()) values.insert(v.get<std::string>());
          }
        }
        if (!term_names) {
          term_names = std::move(values);
        } else {  // requirements are ANDed: intersect
          std::set<std::string> both;
          for (const std::string& v : values) {
            if (term_names->count(v)) both.insert(v);
          }
          term_names = std::move(both);
        }
      }
    }
    if (!term_names) return std::nullopt;  // this term allows any node (terms are ORed)
    names.insert(term_names->begin(), term_names->end());
  }
  return names;
}

PluginStatus FilterNodeAffinity(const Json& pod, const NodeInfo& node) {
  if (PodMatchesNodeSelectorAndAffinity(pod, *node.node)) return PluginStatus::Success();
  return PluginStatus::Fail(PluginStatus::kUnresolvable, "NodeAffinity", {kErrNodeAffinity});
}

namespace {

// DefaultNormalizeScore: scale to [0, 100] by the maximum (reverse: 100 - that).
void DefaultNormalize(std::vector<int64_t>& scores, bool reverse) {
  int64_t max = 0;
  for (int64_t s : scores) max = std::max(max, s);
  for (int64_t& s : scores) {
    if (max == 0) {
      s = reverse ? kMaxNodeScore : 0;
      continue;
    }
    s = kMaxNodeScore * s / max;
    if (reverse) s = kMaxNodeScore - s;
  }
}

}  // namespace

std::vector<int64_t> ScoreNodeAffinity(const Json& pod, const std::vector<const NodeInfo*>& nodes) {
  std::vector<int64_t> scores(nodes.size(), 0);
  const Json& preferred = At(pod, {"spec", "affinity", "nodeAffinity",
                                   "preferredDuringSchedulingIgnoredDuringExecution"});
  if (preferred.is_array()) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (const Json& term : preferred) {
        int64_t weight = GetInt(term, {"weight"});
        if (weight == 0) continue;
        if (NodeSelectorTermMatches(At(term, {"preference"}), *nodes[i]->node)) {
          scores[i] += weight;
        }
      }
    }
  }
  DefaultNormalize(scores, false);
  return scores;
}

std::vector<int64_t> ScoreTaintToleration(const Json& pod,
                                          const std::vector<const NodeInfo*>& nodes) {
  // Only tolerations that can tolerate PreferNoSchedule taints count.
  Json tolerations = Json::array();
  if (const Json* ts = Find(pod, {"spec", "tolerations"}); ts && ts->is_array()) {
    for (const Json& t : *ts) {
      std::string effect = GetString(t, {"effect"});
      if (effect.empty() || effect == "PreferNoSchedule") tolerations.push_back(t);
    }
  }
  std::vector<int64_t> scores(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Json& taints = At(*nodes[i]->node, {"spec", "taints"});
    if (!taints.is_array()) continue;
    for (const Json& taint : taints) {
      if (GetString(taint, {"effect"}) != "PreferNoSchedule") continue;
      bool tolerated = false;
      for (const Json& t : tolerations) tolerated = tolerated || TolerationToleratesTaint(t, taint);
      if (!tolerated) ++scores[i];
    }
  }
  DefaultNormalize(scores, true);
  return scores;
}

}  // namespace minik::sched
