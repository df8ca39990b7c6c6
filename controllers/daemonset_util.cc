#include "controllers/daemonset_util.h"

#include <algorithm>
#include <cmath>

#include "controllers/controller_ref.h"
#include "controllers/history.h"

namespace minik::daemonutil {

namespace {
using std::chrono::seconds;
constexpr const char* kGenerationAnnotation = "deprecated.daemonset.template.generation";
}  // namespace

// ---- pods ---------------------------------------------------------------------------------

std::string Phase(const Json& pod) { return GetString(pod, {"status", "phase"}); }
bool IsTerminal(const Json& pod) { return Phase(pod) == "Succeeded" || Phase(pod) == "Failed"; }

const Json* ReadyCondition(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == "Ready") return &c;
  return nullptr;
}
bool IsReady(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  return c && GetString(*c, {"status"}) == "True";
}
// podutil.IsPodAvailable: ready for at least minReadySeconds.
bool IsAvailable(const Json& pod, int64_t min_ready, SystemTime now) {
  if (!IsReady(pod)) return false;
  if (min_ready == 0) return true;
  SystemTime t{};
  if (!ParseRfc3339(GetString(*ReadyCondition(pod), {"lastTransitionTime"}), &t)) return false;
  return t + seconds(min_ready) < now;
}

// util.GetTargetNodeName: spec.nodeName, else the node the affinity pins the pod to.
std::string TargetNodeName(const Json& pod) {
  std::string node = GetString(pod, {"spec", "nodeName"});
  if (!node.empty()) return node;
  const Json* terms =
      Find(pod, {"spec", "affinity", "nodeAffinity",
                 "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"});
  if (!terms || !terms->is_array()) return "";
  for (const Json& term : *terms) {
    const Json* fields = Find(term, {"matchFields"});
    if (!fields || !fields->is_array()) continue;
    for (const Json& req : *fields) {
      const Json* values = Find(req, {"values"});
      if (GetString(req, {"key"}) == "metadata.name" && GetString(req, {"operator"}) == "In" &&
          values && values->is_array() && values->size() == 1 && (*values)[0].is_string())
        return (*values)[0].get<std::string>();
    }
  }
  return "";
}

// podByCreationTimestampAndPhase: scheduled first, then oldest, then by name.
bool OlderFirst(const ObjectPtr& a, const ObjectPtr& b) {
  bool sa = !GetString(*a, {"spec", "nodeName"}).empty();
  bool sb = !GetString(*b, {"spec", "nodeName"}).empty();
  if (sa != sb) return sa;
  std::string ta = GetString(*a, {"metadata", "creationTimestamp"});
  std::string tb = GetString(*b, {"metadata", "creationTimestamp"});
  if (ta != tb) return ta < tb;
  return Name(*a) < Name(*b);
}

// ---- scheduling predicates ----------------------------------------------------------------

Json Toleration(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"operator", "Exists"}, {"effect", effect}};
}

// util.AddOrUpdateDaemonPodTolerations (AddOrUpdateTolerationInPodSpec: an equal toleration
// is not added twice).
void AddDaemonTolerations(Json& spec) {
  std::vector<Json> add = {Toleration("node.kubernetes.io/not-ready", "NoExecute"),
                           Toleration("node.kubernetes.io/unreachable", "NoExecute"),
                           Toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
                           Toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
                           Toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
                           Toleration("node.kubernetes.io/unschedulable", "NoSchedule")};
  const Json* hn = Find(spec, {"hostNetwork"});
  if (hn && hn->is_boolean() && hn->get<bool>())
    add.push_back(Toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
  if (!spec["tolerations"].is_array()) spec["tolerations"] = Json::array();
  Json& tols = spec["tolerations"];
  for (const Json& t : add) {
    bool found = false;
    for (Json& existing : tols) {
      if (GetString(existing, {"key"}) == GetString(t, {"key"}) &&
          GetString(existing, {"effect"}) == GetString(t, {"effect"}) &&
          GetString(existing, {"operator"}) == "Exists" && GetString(existing, {"value"}).empty()) {
        found = true;
        break;
      }
    }
    if (!found) tols.push_back(t);
  }
}

bool ToleratesTaint(const Json& tol, const Json& taint) {
  std::string effect = GetString(tol, {"effect"});
  if (!effect.empty() && effect != GetString(taint, {"effect"})) return false;
  std::string key = GetString(tol, {"key"});
  if (!key.empty() && key != GetString(taint, {"key"})) return false;
  std::string op = GetString(tol, {"operator"});
  if (op.empty() || op == "Equal") return GetString(tol, {"value"}) == GetString(taint, {"value"});
  return op == "Exists";
}

// FindMatchingUntoleratedTaint over the taints with one of `effects`.
bool HasUntoleratedTaint(const Json& node, const Json& tolerations,
                         std::initializer_list<const char*> effects) {
  const Json* taints = Find(node, {"spec", "taints"});
  if (!taints || !taints->is_array()) return false;
  for (const Json& taint : *taints) {
    std::string e = GetString(taint, {"effect"});
    if (std::none_of(effects.begin(), effects.end(), [&](const char* x) { return e == x; }))
      continue;
    bool tolerated = false;
    if (tolerations.is_array())
      for (const Json& t : tolerations) tolerated = tolerated || ToleratesTaint(t, taint);
    if (!tolerated) return true;
  }
  return false;
}

bool RequirementMatches(const Json& req, const std::optional<std::string>& value) {
  std::string op = GetString(req, {"operator"});
  std::vector<std::string> values;
  if (const Json* v = Find(req, {"values"}); v && v->is_array())
    for (const Json& x : *v)
      if (x.is_string()) values.push_back(x.get<std::string>());
  bool in = value && std::find(values.begin(), values.end(), *value) != values.end();
  if (op == "In") return in;
  if (op == "NotIn") return !in;
  if (op == "Exists") return value.has_value();
  if (op == "DoesNotExist") return !value.has_value();
  if (op == "Gt" || op == "Lt") {
    if (!value || values.size() != 1) return false;
    try {
      long long have = std::stoll(*value), want = std::stoll(values[0]);
      return op == "Gt" ? have > want : have < want;
    } catch (...) {
      return false;
    }
  }
  return false;
}

// v1helper.MatchNodeSelectorTerms for one term: matchExpressions (labels) and matchFields
// (metadata.name) all match; an empty term matches nothing.
bool TermMatches(const Json& term, const Json& node) {
  const Json* exprs = Find(term, {"matchExpressions"});
  const Json* fields = Find(term, {"matchFields"});
  bool any = false;
  const Json& labels = Labels(node);
  if (exprs && exprs->is_array()) {
    for (const Json& req : *exprs) {
      any = true;
      std::string key = GetString(req, {"key"});
      std::optional<std::string> v;
      if (labels.contains(key) && labels[key].is_string()) v = labels[key].get<std::string>();
      if (!RequirementMatches(req, v)) return false;
    }
  }
  if (fields && fields->is_array()) {
    for (const Json& req : *fields) {
      any = true;
      if (GetString(req, {"key"}) != "metadata.name") return false;
      if (!RequirementMatches(req, Name(node))) return false;
    }
  }
  return any;
}

// nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector and the required terms.
bool NodeMatches(const Json& spec, const Json& node) {
  if (const Json* sel = Find(spec, {"nodeSelector"}); sel && sel->is_object()) {
    const Json& labels = Labels(node);
    for (auto it = sel->begin(); it != sel->end(); ++it) {
      if (!labels.contains(it.key()) || labels[it.key()] != it.value()) return false;
    }
  }
  const Json* terms =
      Find(spec, {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                  "nodeSelectorTerms"});
  if (terms && terms->is_array()) {
    for (const Json& t : *terms)
      if (TermMatches(t, node)) return true;
    return false;
  }
  return true;
}

Json TemplateOf(const Json& ds) {
  const Json* t = Find(ds, {"spec", "template"});
  return t && t->is_object() ? *t : Json::object();
}

ShouldRun NodeShouldRunDaemonPod(const Json& node, const Json& ds) {
  const Json* s = Find(ds, {"spec", "template", "spec"});
  Json spec = s && s->is_object() ? *s : Json::object();
  std::string fixed = GetString(spec, {"nodeName"});
  if (!fixed.empty() && fixed != Name(node)) return {};
  AddDaemonTolerations(spec);
  if (!NodeMatches(spec, node)) return {};
  if (HasUntoleratedTaint(node, spec["tolerations"], {"NoExecute", "NoSchedule"})) {
    return {false, !HasUntoleratedTaint(node, spec["tolerations"], {"NoExecute"})};
  }
  if (IsBeingDeleted(node)) return {false, true};  // no new pods on a node going away
  return {true, true};
}

std::optional<int64_t> TemplateGeneration(const Json& ds) {
  const Json* v = Find(ds, {"metadata", "annotations", kGenerationAnnotation});
  if (!v || !v->is_string()) return std::nullopt;
  try {
    return std::stoll(v->get<std::string>());
  } catch (...) {
    return std::nullopt;
  }
}

// util.IsPodUpdated: the hash label or the template generation label is current.
bool IsPodUpdated(const Json& pod, const std::string& hash, std::optional<int64_t> gen) {
  const Json& labels = Labels(pod);
  bool gen_matches = gen && labels.value(kGenerationLabel, "") == std::to_string(*gen);
  bool hash_matches = !hash.empty() && labels.value(kRevisionHashLabel, "") == hash;
  return hash_matches || gen_matches;
}

// intstr.GetScaledValueFromIntOrPercent, rounding up.
int ScaledValue(const Json& v, int total) {
  if (v.is_number_integer()) return static_cast<int>(v.get<int64_t>());
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (!s.empty() && s.back() == '%') {
      try {
        int pct = std::stoi(s.substr(0, s.size() - 1));
        return static_cast<int>(std::ceil(static_cast<double>(pct) * total / 100.0));
      } catch (...) {
        return 0;
      }
    }
    try {
      return std::stoi(s);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

bool AllowsSurge(const Json& ds) {
  if (GetString(ds, {"spec", "updateStrategy", "type"}) != "RollingUpdate") return false;
  const Json* s = Find(ds, {"spec", "updateStrategy", "rollingUpdate", "maxSurge"});
  return s && ScaledValue(*s, 1) != 0;
}

// The revision's hash (the label the pods carry).
std::string RevisionHash(const Json& rev) {
  const Json& labels = Labels(rev);
  if (labels.contains(history::kHashLabel) && labels[history::kHashLabel].is_string())
    return labels[history::kHashLabel].get<std::string>();
  return labels.value(kRevisionHashLabel, Name(rev));
}

// getPatch: the template, to be restored with "$patch": "replace".
Json RevisionData(const Json& ds) {
  Json tmpl = TemplateOf(ds);
  tmpl["$patch"] = "replace";
  return Json{{"spec", {{"template", tmpl}}}};
}

}  // namespace minik::daemonutil
