// Kinds of the smaller groups: events.k8s.io/v1 Event, autoscaling/v2 HorizontalPodAutoscaler,
// policy/v1 PodDisruptionBudget, storage.k8s.io/v1 StorageClass, scheduling.k8s.io/v1
// PriorityClass and coordination.k8s.io/v1 Lease.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/conversion.h"
#include "api/resources/pod_spec.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

std::string QuantityText(const Json& q) {
  if (q.is_string()) return q.get<std::string>();
  if (auto i = Int(q)) return std::to_string(*i);
  return "<unknown>";
}

// ---- events.k8s.io ---------------------------------------------------------------------

// The core/v1 shape of an events.k8s.io/v1 Event (the two are one object upstream).
Json CoreEventOf(const Json& ev) {
  Json core = ev;
  auto move = [&](const char* from, const char* to) {
    if (ev.contains(from)) core[to] = ev[from];
  };
  move("regarding", "involvedObject");
  move("note", "message");
  move("deprecatedSource", "source");
  move("deprecatedFirstTimestamp", "firstTimestamp");
  move("deprecatedLastTimestamp", "lastTimestamp");
  move("deprecatedCount", "count");
  move("reportingController", "reportingComponent");
  return core;
}

std::vector<Json> EventV1Cells(const Json& ev, SystemTime now) {
  static const ResourceInfo kCore = Events();
  return kCore.cells(CoreEventOf(ev), now);
}

// The labels of events.k8s.io/v1's field label conversion (pkg/apis/events/v1/conversion.go):
// regarding.*, reason, reportingController, source and type, read as their core/v1 fields.
// The core spellings (involvedObject.*, reportingComponent) are not accepted here.
std::optional<std::string> EventV1Field(const Json& ev, const std::string& field) {
  static const ResourceInfo kCore = Events();
  std::string f = field;
  if (f.rfind("regarding.", 0) == 0) {
    f = "involvedObject." + f.substr(10);
  } else if (f == "reportingController") {
    f = "reportingComponent";
  } else if (f != "reason" && f != "source" && f != "type") {
    return std::nullopt;
  }
  return kCore.fields(CoreEventOf(ev), f);
}

void ValidateEventV1(Causes& out, const Json& ev) {
  if (!At(ev, {"eventTime"}).is_string()) out.push_back(RequiredCause("eventTime"));
  std::string type = Str(At(ev, {"type"}));
  if (type != "Normal" && type != "Warning")
    out.push_back(InvalidCause("type", "\"\"", "has invalid value: " + type));
  if (Str(At(ev, {"reportingController"})).empty()) out.push_back(RequiredCause("reportingController"));
  if (Str(At(ev, {"reportingInstance"})).empty()) out.push_back(RequiredCause("reportingInstance"));
  if (Str(At(ev, {"action"})).empty()) out.push_back(RequiredCause("action"));
  if (Str(At(ev, {"reason"})).empty()) out.push_back(RequiredCause("reason"));
  if (Str(At(ev, {"note"})).size() > 1024) out.push_back(TooLongCause("note", 1024));
  std::string ns = Namespace(ev);
  std::string involved = Str(At(ev, {"regarding", "namespace"}));
  if (involved.empty() ? (!ns.empty() && ns != "default") : ns != involved)
    out.push_back(InvalidCause("involvedObject.namespace", GoQuote(involved),
                               "does not match event.namespace"));
}

// ---- autoscaling/v2 --------------------------------------------------------------------

std::string HpaMetrics(const Json& hpa) {
  const Json& specs = Arr(hpa, {"spec", "metrics"});
  const Json& statuses = Arr(hpa, {"status", "currentMetrics"});
  if (specs.empty()) return "<none>";
  std::vector<std::string> list;
  for (size_t i = 0; i < specs.size(); ++i) {
    const Json& spec = specs[i];
    const Json& st = i < statuses.size() ? statuses[i] : Json::object();
    std::string type = Str(At(spec, {"type"}));
    auto current_of = [&](const char* src, const char* field) -> std::string {
      const Json& v = At(st, {src, "current", field});
      return v.is_null() ? "<unknown>" : QuantityText(v);
    };
    if (type == "External" || type == "Object") {
      const char* src = type == "External" ? "external" : "object";
      const Json& avg = At(spec, {src, "target", "averageValue"});
      if (!avg.is_null()) {
        list.push_back(current_of(src, "averageValue") + "/" + QuantityText(avg) + " (avg)");
      } else {
        list.push_back(current_of(src, "value") + "/" +
                       QuantityText(At(spec, {src, "target", "value"})));
      }
    } else if (type == "Pods") {
      list.push_back(current_of("pods", "averageValue") + "/" +
                     QuantityText(At(spec, {"pods", "target", "averageValue"})));
    } else if (type == "Resource" || type == "ContainerResource") {
      const char* src = type == "Resource" ? "resource" : "containerResource";
      std::string name = Str(At(spec, {src, "name"}));
      const Json& avg = At(spec, {src, "target", "averageValue"});
      if (!avg.is_null()) {
        list.push_back(name + ": " + current_of(src, "averageValue") + "/" + QuantityText(avg));
      } else {
        std::string current = "<unknown>";
        if (auto u = Int(At(st, {src, "current", "averageUtilization"})))
          current = std::to_string(*u) + "%";
        std::string target = "<auto>";
        if (auto u = Int(At(spec, {src, "target", "averageUtilization"})))
          target = std::to_string(*u) + "%";
        list.push_back(name + ": " + current + "/" + target);
      }
    } else {
      list.push_back("<unknown type>");
    }
  }
  std::string ret;
  const size_t max = 2;
  for (size_t i = 0; i < list.size() && i < max; ++i) ret += (i ? ", " : "") + list[i];
  if (list.size() > max) ret += " + " + std::to_string(list.size() - max) + " more...";
  return ret;
}

std::vector<Json> HpaCells(const Json& hpa, SystemTime now) {
  const Json& min = At(hpa, {"spec", "minReplicas"});
  return {Str(At(hpa, {"spec", "scaleTargetRef", "kind"})) + "/" +
              Str(At(hpa, {"spec", "scaleTargetRef", "name"})),
          HpaMetrics(hpa),
          Int(min) ? std::to_string(*Int(min)) : std::string("<unset>"),
          Int(At(hpa, {"spec", "maxReplicas"})).value_or(0),
          Int(At(hpa, {"status", "currentReplicas"})).value_or(0),
          AgeOf(hpa, now)};
}

// GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: nil fields take the defaults; scale-down
// has no default stabilization window (the controller's flag decides), and a given (even
// empty) policy list is kept.
void DefaultScalingRules(Json& rules, bool up) {
  if (up) SetDefault(rules, "stabilizationWindowSeconds", 0);
  SetDefault(rules, "selectPolicy", "Max");
  if (At(rules, {"policies"}).is_null()) {
    rules["policies"] = up ? Json::array({{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                          {{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})
                           : Json::array({{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}});
  }
}

void DefaultHpa(Json& hpa) {
  Json& spec = Obj(hpa, "spec");
  SetDefault(spec, "minReplicas", 1);
  if (Arr(spec, {"metrics"}).empty()) {
    spec["metrics"] = Json::array(
        {{{"type", "Resource"},
          {"resource",
           {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}}});
  }
  if (spec.contains("behavior") && spec["behavior"].is_object()) {
    DefaultScalingRules(Obj(spec["behavior"], "scaleUp"), true);
    DefaultScalingRules(Obj(spec["behavior"], "scaleDown"), false);
  }
}

// validateScalingRules (after defaulting, so scaleUp and scaleDown are both set).
void ValidateScalingRules(Causes& out, const Json& rules, const std::string& path) {
  if (!rules.is_object()) return;
  const Json& window = At(rules, {"stabilizationWindowSeconds"});
  if (auto w = Int(window)) {
    if (*w < 0)
      out.push_back(InvalidValue(path + ".stabilizationWindowSeconds", window,
                                 "must be greater than or equal to zero"));
    if (*w > 3600)
      out.push_back(InvalidValue(path + ".stabilizationWindowSeconds", window,
                                 "must be less than or equal to 3600"));
  }
  const Json& select = At(rules, {"selectPolicy"});
  if (select.is_string() && select != "Max" && select != "Min" && select != "Disabled")
    out.push_back(NotSupportedCause(path + ".selectPolicy", select, {"Disabled", "Max", "Min"}));
  const Json& policies = Arr(rules, {"policies"});
  if (policies.empty())
    out.push_back(RequiredCause(path + ".policies", "must specify at least one Policy"));
  for (size_t i = 0; i < policies.size(); ++i) {
    std::string pp = path + ".policies[" + std::to_string(i) + "]";
    const Json& type = At(policies[i], {"type"});
    if (type != "Pods" && type != "Percent")
      out.push_back(NotSupportedCause(pp + ".type", Str(type), {"Percent", "Pods"}));
    int64_t value = Int(At(policies[i], {"value"})).value_or(0);
    if (value <= 0) out.push_back(InvalidValue(pp + ".value", value, "must be greater than zero"));
    int64_t period = Int(At(policies[i], {"periodSeconds"})).value_or(0);
    if (period <= 0)
      out.push_back(InvalidValue(pp + ".periodSeconds", period, "must be greater than zero"));
    if (period > 1800)
      out.push_back(
          InvalidValue(pp + ".periodSeconds", period, "must be less than or equal to 1800"));
  }
}

// validateHorizontalPodAutoscalerSpec, in upstream's order (HPAScaleToZero is alpha: the lower
// bound of minReplicas is 1); the behavior's rules come last.
void ValidateHpa(Causes& out, const Json& hpa) {
  const Json& spec = At(hpa, {"spec"});
  auto min = Int(At(spec, {"minReplicas"}));
  int64_t max = Int(At(spec, {"maxReplicas"})).value_or(0);
  if (min && *min < 1)
    out.push_back(InvalidCause("spec.minReplicas", std::to_string(*min), "must be greater than or equal to 1"));
  if (max < 1) out.push_back(InvalidCause("spec.maxReplicas", std::to_string(max), "must be greater than 0"));
  if (min && max < *min)
    out.push_back(InvalidCause("spec.maxReplicas", std::to_string(max),
                               "must be greater than or equal to `minReplicas`"));
  for (const char* f : {"kind", "name"}) {
    std::string v = Str(At(spec, {"scaleTargetRef", f}));
    std::string path = std::string("spec.scaleTargetRef.") + f;
    if (v.empty()) {
      out.push_back(RequiredCause(path));
    } else {
      for (const auto& m : IsValidPathSegmentName(v)) out.push_back(InvalidCause(path, GoQuote(v), m));
    }
  }
  static const std::vector<std::string> kTypes = {"ContainerResource", "External", "Object",
                                                  "Pods", "Resource"};
  static const std::vector<std::pair<std::string, std::string>> kSources = {
      {"Object", "object"}, {"External", "external"}, {"Pods", "pods"},
      {"Resource", "resource"}, {"ContainerResource", "containerResource"}};
  const Json& metrics = Arr(spec, {"metrics"});
  bool object_or_external = false;
  for (size_t i = 0; i < metrics.size(); ++i) {
    const Json& m = metrics[i];
    std::string mp = "spec.metrics[" + std::to_string(i) + "]";
    std::string type = Str(At(m, {"type"}));
    bool known = std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
    if (type.empty()) out.push_back(RequiredCause(mp + ".type", "must specify a metric source type"));
    if (!known) out.push_back(NotSupportedCause(mp + ".type", type, kTypes));
    std::vector<std::string> present;
    for (const auto& [t, key] : kSources) {
      if (At(m, {key.c_str()}).is_null()) continue;
      present.push_back(key);
      if (present.size() == 1 && (key == "resource" || key == "containerResource")) {
        const Json& src = At(m, {key.c_str()});
        std::string sp = mp + "." + key;
        if (Str(At(src, {"name"})).empty())
          out.push_back(RequiredCause(sp + ".name", "must specify a resource name"));
        std::string tt = Str(At(src, {"target", "type"}));
        if (tt.empty()) out.push_back(RequiredCause(sp + ".target.type", "must specify a metric target type"));
        if (tt != "Utilization" && tt != "Value" && tt != "AverageValue")
          out.push_back(InvalidCause(sp + ".target.type", GoQuote(tt),
                                     "must be either Utilization, Value, or AverageValue"));
        const Json& util = At(src, {"target", "averageUtilization"});
        if (Int(util) && *Int(util) < 1)
          out.push_back(InvalidValue(sp + ".target.averageUtilization", util, "must be greater than 0"));
        if (util.is_null() && At(src, {"target", "averageValue"}).is_null())
          out.push_back(RequiredCause(sp + ".target.averageUtilization",
                                      "must set either a target raw value or a target utilization"));
        if (!util.is_null() && !At(src, {"target", "averageValue"}).is_null())
          out.push_back(ForbiddenCause(sp + ".target.averageValue",
                                       "may not set both a target raw value and a target utilization"));
      }
    }
    std::string expected;
    for (const auto& [t, key] : kSources) {
      if (t != type) continue;
      expected = key;
      if (At(m, {key.c_str()}).is_null())
        out.push_back(RequiredCause(mp + "." + key, "must populate information for the given metric source"));
    }
    if (!known) out.push_back(NotSupportedCause(mp + ".type", type, kTypes));
    if (present.size() != 1) {
      for (const auto& key : present)
        if (key != expected)
          out.push_back(ForbiddenCause(mp + "." + key, "must populate the given metric source only"));
    }
    if (type == "Object" || type == "External") object_or_external = true;
  }
  if (min && *min == 0 && !object_or_external)
    out.push_back(ForbiddenCause("spec.metrics", "must specify at least one Object or External metric "
                                                 "to support scaling to zero replicas"));
  ValidateScalingRules(out, At(spec, {"behavior", "scaleUp"}), "spec.behavior.scaleUp");
  ValidateScalingRules(out, At(spec, {"behavior", "scaleDown"}), "spec.behavior.scaleDown");
}

// ValidateHorizontalPodAutoscalerStatusUpdate.
void ValidateHpaStatus(Causes& out, const Json& hpa, const Json& old) {
  (void)old;
  CheckNonNegative(out, hpa, {"status", "currentReplicas"}, "status.currentReplicas");
  CheckNonNegative(out, hpa, {"status", "desiredReplicas"}, "status.desiredReplicas");
}

// ---- policy/v1 -------------------------------------------------------------------------

// ValidatePositiveIntOrPercent + IsNotMoreThan100Percent; values render as Go's %#v of an
// intstr.IntOrString.
void CheckPercentOrInt(Causes& out, const Json& v, const std::string& field) {
  if (v.is_null()) return;
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    bool ok = s.size() >= 2 && s.back() == '%' &&
              std::all_of(s.begin(), s.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
    if (!ok) {
      out.push_back(InvalidCause(field, GoIntOrString(v),
                                 "a valid percent string must be a numeric string followed by an "
                                 "ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                                 "'[0-9]+%')"));
    } else if (s.size() > 4 || std::stoll(s.substr(0, s.size() - 1)) > 100) {
      out.push_back(InvalidCause(field, GoIntOrString(v), "must not be greater than 100%"));
    }
  } else if (Int(v).value_or(0) < 0) {
    out.push_back(InvalidValue(field, v, "must be greater than or equal to 0"));
  }
}

// ValidatePodDisruptionBudgetStatusUpdate (policy/v1).
void ValidatePdbStatus(Causes& out, const Json& pdb, const Json& old) {
  (void)old;
  for (auto& c : ValidateConditions(At(pdb, {"status", "conditions"}), "status.conditions"))
    out.push_back(std::move(c));
  for (const char* f : {"disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"})
    CheckNonNegative(out, pdb, {"status", f}, std::string("status.") + f);
}

void ValidatePdb(Causes& out, const Json& pdb) {
  const Json& spec = At(pdb, {"spec"});
  const Json& min = At(spec, {"minAvailable"});
  const Json& max = At(spec, {"maxUnavailable"});
  if (!min.is_null() && !max.is_null())
    out.push_back(InvalidCause("spec", "policy.PodDisruptionBudgetSpec{...}",
                               "minAvailable and maxUnavailable cannot be both set"));
  CheckPercentOrInt(out, min, "spec.minAvailable");
  CheckPercentOrInt(out, max, "spec.maxUnavailable");
  CheckLabelSelector(out, At(spec, {"selector"}), "spec.selector");
  std::string policy = Str(At(spec, {"unhealthyPodEvictionPolicy"}));
  if (!policy.empty() && policy != "AlwaysAllow" && policy != "IfHealthyBudget")
    out.push_back(NotSupportedCause("spec.unhealthyPodEvictionPolicy", policy,
                                    {"AlwaysAllow", "IfHealthyBudget"}));
}

// ---- storage.k8s.io --------------------------------------------------------------------

bool IsDefaultClass(const Json& sc) {
  for (const char* a : {"storageclass.kubernetes.io/is-default-class",
                        "storageclass.beta.kubernetes.io/is-default-class"})
    if (Str(At(sc, {"metadata", "annotations", a})) == "true") return true;
  return false;
}

// validateAllowedTopologies: each term's label requirements (values required and unique,
// keys qualified names, no key twice) and no two terms alike.
void ValidateAllowedTopologies(Causes& out, const Json& terms) {
  std::vector<std::map<std::string, std::set<std::string>>> seen;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string tp = "allowedTopologies[" + std::to_string(i) + "].matchLabelExpressions";
    std::map<std::string, std::set<std::string>> expr_map;
    const Json& exprs = Arr(terms[i], {"matchLabelExpressions"});
    for (size_t j = 0; j < exprs.size(); ++j) {
      std::string ep = tp + "[" + std::to_string(j) + "]";
      const Json& values = Arr(exprs[j], {"values"});
      if (values.empty()) out.push_back(RequiredCause(ep + ".values"));
      std::set<std::string> value_set;
      for (size_t k = 0; k < values.size(); ++k) {
        if (!value_set.insert(Str(values[k])).second)
          out.push_back(
              DuplicateCause(ep + ".values[" + std::to_string(k) + "]", GoQuote(Str(values[k]))));
      }
      std::string key = Str(At(exprs[j], {"key"}));
      for (const auto& m : IsQualifiedName(key))
        out.push_back(InvalidCause(ep + ".key", GoQuote(key), m));
      if (expr_map.count(key)) out.push_back(DuplicateCause(ep + ".key", GoQuote(key)));
      expr_map[key] = value_set;
    }
    for (const auto& prev : seen)
      if (prev == expr_map) out.push_back(DuplicateCause(tp, "\"\""));
    seen.push_back(std::move(expr_map));
  }
}

void ValidateStorageClass(Causes& out, const Json& sc) {
  std::string provisioner = Str(At(sc, {"provisioner"}));
  if (provisioner.empty()) {
    out.push_back(RequiredCause("provisioner"));
  } else {
    // validateProvisioner checks the lower-cased name.
    std::string lower = provisioner;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& m : IsQualifiedName(lower))
      out.push_back(InvalidCause("provisioner", GoQuote(lower), m));
  }
  // validateParameters.
  const Json& params = At(sc, {"parameters"});
  if (params.is_object() && params.size() > 512) {
    out.push_back(TooLongCause("parameters", 512));
  } else if (params.is_object()) {
    int64_t total = 0;
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (it.key().empty())
        out.push_back(InvalidCause("parameters", "\"\"", "field can not be empty."));
      total += static_cast<int64_t>(it.key().size() + Str(*it).size());
    }
    if (total > 256 * 1024) out.push_back(TooLongCause("parameters", 256 * 1024));
  }
  std::string reclaim = Str(At(sc, {"reclaimPolicy"}));
  if (!reclaim.empty() && reclaim != "Delete" && reclaim != "Retain")
    out.push_back(NotSupportedCause("reclaimPolicy", reclaim, {"Delete", "Retain"}));
  const Json& mode = At(sc, {"volumeBindingMode"});
  if (mode.is_null()) {
    out.push_back(RequiredCause("volumeBindingMode"));
  } else if (mode != "Immediate" && mode != "WaitForFirstConsumer") {
    out.push_back(
        NotSupportedCause("volumeBindingMode", Str(mode), {"Immediate", "WaitForFirstConsumer"}));
  }
  ValidateAllowedTopologies(out, Arr(sc, {"allowedTopologies"}));
}

void ValidateStorageClassUpdate(Causes& out, const Json& sc, const Json& old) {
  if (At(sc, {"parameters"}) != At(old, {"parameters"}))
    out.push_back(ForbiddenCause("parameters", "updates to parameters are forbidden."));
  if (At(sc, {"provisioner"}) != At(old, {"provisioner"}))
    out.push_back(ForbiddenCause("provisioner", "updates to provisioner are forbidden."));
  if (At(sc, {"reclaimPolicy"}) != At(old, {"reclaimPolicy"}))
    out.push_back(ForbiddenCause("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  if (At(sc, {"volumeBindingMode"}) != At(old, {"volumeBindingMode"}))
    out.push_back(InvalidValue("volumeBindingMode", At(sc, {"volumeBindingMode"}), "field is immutable"));
}

// ---- scheduling.k8s.io -----------------------------------------------------------------

void ValidatePriorityClass(Causes& out, const Json& pc) {
  std::string name = Name(pc);
  int64_t value = Int(At(pc, {"value"})).value_or(0);
  bool global = IsTrue(pc, {"globalDefault"});
  if (name.rfind("system-", 0) == 0) {
    std::string err;
    if (name == "system-node-critical" || name == "system-cluster-critical") {
      int64_t want = name == "system-node-critical" ? 2000001000 : 2000000000;
      if (value != want) {
        err = "value of " + name + " PriorityClass must be " + std::to_string(want);
      } else if (global) {
        err = "globalDefault of " + name + " PriorityClass must be false";
      }
    } else {
      err = name + " is not a known system priority class";
    }
    if (!err.empty())
      out.push_back(ForbiddenCause("metadata.name",
                                   "priority class names with 'system-' prefix are reserved for "
                                   "system use only. error: " + err));
  } else if (value > 1000000000) {
    out.push_back(ForbiddenCause("value", "maximum allowed value of a user defined priority is 1000000000"));
  }
  // ValidatePreemptionPolicy.
  const Json& policy = At(pc, {"preemptionPolicy"});
  if (policy == "") {
    out.push_back(RequiredCause("preemptionPolicy"));
  } else if (policy.is_string() && policy != "Never" && policy != "PreemptLowerPriority") {
    out.push_back(NotSupportedCause("preemptionPolicy", policy, {"PreemptLowerPriority", "Never"}));
  }
}

void ValidatePriorityClassUpdate(Causes& out, const Json& pc, const Json& old) {
  if (At(pc, {"value"}) != At(old, {"value"}))
    out.push_back(ForbiddenCause("value", "may not be changed in an update."));
  if (At(pc, {"preemptionPolicy"}) != At(old, {"preemptionPolicy"}))
    out.push_back(InvalidValue("preemptionPolicy", At(pc, {"preemptionPolicy"}), "field is immutable"));
}

ResourceInfo Entry(const std::string& group, const std::string& version, const std::string& pkg,
                   const std::string& kind, const std::string& plural, const std::string& singular) {
  ResourceInfo r;
  r.group = group;
  r.version = version;
  r.kind = kind;
  r.plural = plural;
  r.singular = singular;
  r.verbs = kStandardVerbs;
  r.schema = SchemaName(pkg, version, kind);
  r.fields = NoFields;
  return r;
}

}  // namespace

ResourceInfo EventsV1() {
  ResourceInfo r = Entry("events.k8s.io", "v1", "events", "Event", "events", "event");
  r.short_names = {"ev"};
  ResourceInfo core = Events();
  r.full_row = core.full_row;
  r.columns = core.columns;
  r.cells = EventV1Cells;
  r.fields = EventV1Field;
  auto conversion = std::make_shared<StorageConversion>(*EventsV1Conversion());
  conversion->validate = [](const Json& ev) {
    Causes out;
    ValidateEventV1(out, ev);
    return out;
  };
  r.conversion = std::move(conversion);
  StrategySpec s;
  s.validate = ValidateEventV1;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo HorizontalPodAutoscalers() {
  ResourceInfo r = Entry("autoscaling", "v2", "autoscaling", "HorizontalPodAutoscaler",
                         "horizontalpodautoscalers", "horizontalpodautoscaler");
  r.short_names = {"hpa"};
  r.categories = {"all"};
  r.subresources = {StatusSubresource("autoscaling", "v2", "HorizontalPodAutoscaler")};
  r.columns = {
      Col("Reference", "string", Doc("HorizontalPodAutoscalerSpec.scaleTargetRef")),
      Col("Targets", "string", Doc("HorizontalPodAutoscalerSpec.metrics")),
      Col("MinPods", "string", Doc("HorizontalPodAutoscalerSpec.minReplicas")),
      Col("MaxPods", "string", Doc("HorizontalPodAutoscalerSpec.maxReplicas")),
      Col("Replicas", "string", Doc("HorizontalPodAutoscalerStatus.currentReplicas")),
      AgeCol(),
  };
  r.cells = HpaCells;
  StrategySpec s;
  s.empty_status = Json{{"desiredReplicas", 0}};
  s.defaults = DefaultHpa;
  s.validate = ValidateHpa;
  s.validate_status = ValidateHpaStatus;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo PodDisruptionBudgets() {
  ResourceInfo r = Entry("policy", "v1", "policy", "PodDisruptionBudget", "poddisruptionbudgets",
                         "poddisruptionbudget");
  r.short_names = {"pdb"};
  r.subresources = {StatusSubresource("policy", "v1", "PodDisruptionBudget")};
  r.columns = {
      Col("Min Available", "string", "The minimum number of pods that must be available."),
      Col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
      Col("Allowed Disruptions", "integer",
          "Calculated number of pods that may be disrupted at this time."),
      AgeCol(),
  };
  r.cells = [](const Json& pdb, SystemTime now) -> std::vector<Json> {
    const Json& min = At(pdb, {"spec", "minAvailable"});
    const Json& max = At(pdb, {"spec", "maxUnavailable"});
    return {min.is_null() ? "N/A" : IntOrStringText(min), max.is_null() ? "N/A" : IntOrStringText(max),
            Int(At(pdb, {"status", "disruptionsAllowed"})).value_or(0), AgeOf(pdb, now)};
  };
  StrategySpec s;
  s.empty_status = Json{{"disruptionsAllowed", 0},
                        {"currentHealthy", 0},
                        {"desiredHealthy", 0},
                        {"expectedPods", 0}};
  s.generation = Generation::kSpec;
  s.validate = ValidatePdb;
  s.validate_status = ValidatePdbStatus;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo StorageClasses() {
  ResourceInfo r = Entry("storage.k8s.io", "v1", "storage", "StorageClass", "storageclasses",
                         "storageclass");
  r.short_names = {"sc"};
  r.namespaced = false;
  r.full_row = true;
  r.columns = {
      Col("Name", "string", kNameDescription, 0, "name"),
      Col("Provisioner", "string", Doc("StorageClass.provisioner")),
      Col("ReclaimPolicy", "string", Doc("StorageClass.reclaimPolicy")),
      Col("VolumeBindingMode", "string", Doc("StorageClass.volumeBindingMode")),
      Col("AllowVolumeExpansion", "string", Doc("StorageClass.allowVolumeExpansion")),
      AgeCol(),
  };
  r.cells = [](const Json& sc, SystemTime now) -> std::vector<Json> {
    std::string name = Name(sc) + (IsDefaultClass(sc) ? " (default)" : "");
    std::string reclaim = Str(At(sc, {"reclaimPolicy"}));
    std::string mode = Str(At(sc, {"volumeBindingMode"}));
    return {name, Str(At(sc, {"provisioner"})), reclaim.empty() ? "Delete" : reclaim,
            mode.empty() ? "Immediate" : mode, IsTrue(sc, {"allowVolumeExpansion"}), AgeOf(sc, now)};
  };
  StrategySpec s;
  s.defaults = [](Json& sc) {
    SetDefault(sc, "reclaimPolicy", "Delete");
    SetDefault(sc, "volumeBindingMode", "Immediate");
  };
  s.validate = ValidateStorageClass;
  s.validate_update = ValidateStorageClassUpdate;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo PriorityClasses() {
  ResourceInfo r = Entry("scheduling.k8s.io", "v1", "scheduling", "PriorityClass",
                         "priorityclasses", "priorityclass");
  r.short_names = {"pc"};
  r.namespaced = false;
  r.columns = {
      Col("Value", "integer", Doc("PriorityClass.value")),
      Col("Global-Default", "boolean", Doc("PriorityClass.globalDefault")),
      AgeCol(),
      Col("PreemptionPolicy", "string", Doc("PriorityClass.preemptionPolicy")),
  };
  r.cells = [](const Json& pc, SystemTime now) -> std::vector<Json> {
    return {Int(At(pc, {"value"})).value_or(0), IsTrue(pc, {"globalDefault"}), AgeOf(pc, now),
            Str(At(pc, {"preemptionPolicy"}))};
  };
  StrategySpec s;
  s.defaults = [](Json& pc) { SetDefault(pc, "preemptionPolicy", "PreemptLowerPriority"); };
  s.validate = ValidatePriorityClass;
  s.validate_update = ValidatePriorityClassUpdate;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo Leases() {
  ResourceInfo r = Entry("coordination.k8s.io", "v1", "coordination", "Lease", "leases", "lease");
  r.columns = {Col("Holder", "string", Doc("LeaseSpec.holderIdentity")), AgeCol()};
  r.cells = [](const Json& lease, SystemTime now) -> std::vector<Json> {
    return {Str(At(lease, {"spec", "holderIdentity"})), AgeOf(lease, now)};
  };
  StrategySpec s;
  s.validate = [](Causes& out, const Json& lease) {
    const Json& d = At(lease, {"spec", "leaseDurationSeconds"});
    if (auto v = Int(d); v && *v <= 0)
      out.push_back(InvalidValue("spec.leaseDurationSeconds", d, "must be greater than 0"));
    CheckNonNegative(out, lease, {"spec", "leaseTransitions"}, "spec.leaseTransitions");
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
