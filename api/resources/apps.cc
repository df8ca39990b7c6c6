// apps/v1 Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision and the core/v1
// ReplicationController (pkg/registry/apps/*, pkg/apis/apps/v1/defaults.go,
// pkg/apis/apps/validation).
#include <algorithm>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/pod_spec.h"
#include "api/resources/quantity.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

const char* const kContainersDoc = "Names of each container in the template.";
const char* const kImagesDoc = "Images referenced by each container in the template.";

int64_t Num(const Json& obj, std::initializer_list<const char*> path) {
  return Int(At(obj, path)).value_or(0);
}

void DefaultTemplateOf(Json& obj) { DefaultPodTemplate(Obj(Obj(obj, "spec"), "template")); }

void CheckSelectorImmutable(Causes& out, const Json& obj, const Json& old) {
  const Json& sel = At(obj, {"spec", "selector"});
  if (sel != At(old, {"spec", "selector"}))
    out.push_back(InvalidCause("spec.selector", GoLabelSelector(sel), "field is immutable"));
}

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

std::optional<std::string> ReplicasField(const Json& obj, const std::string& field) {
  if (field == "status.replicas") return std::to_string(Num(obj, {"status", "replicas"}));
  return std::nullopt;
}

// ---- deployments -----------------------------------------------------------------------

void DefaultDeployment(Json& d) {
  Json& spec = Obj(d, "spec");
  SetDefault(spec, "replicas", 1);
  Json& strategy = Obj(spec, "strategy");
  SetDefault(strategy, "type", "RollingUpdate");
  if (Str(At(strategy, {"type"})) == "RollingUpdate") {
    Json& ru = Obj(strategy, "rollingUpdate");
    SetDefault(ru, "maxUnavailable", "25%");
    SetDefault(ru, "maxSurge", "25%");
  }
  SetDefault(spec, "revisionHistoryLimit", 10);
  SetDefault(spec, "progressDeadlineSeconds", 600);
  DefaultTemplateOf(d);
}

bool IsValidPercent(const std::string& s) {
  return s.size() >= 2 && s.back() == '%' &&
         std::all_of(s.begin(), s.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
}

// getIntOrPercentValue: a valid percentage's number, else IntOrString.IntValue() (a string
// that is no number counts as 0).
int64_t IntOrPercentValue(const Json& v) {
  if (auto i = Int(v)) return *i;
  std::string s = Str(v);
  if (IsValidPercent(s)) s.pop_back();
  try {
    size_t used = 0;
    int64_t n = std::stoll(s, &used);
    return used == s.size() ? n : 0;
  } catch (...) {
    return 0;
  }
}

// ValidatePositiveIntOrPercent; the value renders as Go's %#v of an intstr.IntOrString.
void CheckIntOrPercent(Causes& out, const Json& v, const std::string& field) {
  if (v.is_null()) return;
  if (v.is_string()) {
    if (!IsValidPercent(v.get<std::string>()))
      out.push_back(InvalidCause(field, GoIntOrString(v),
                                 "a valid percent string must be a numeric string followed by an "
                                 "ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                                 "'[0-9]+%')"));
  } else if (IntOrPercentValue(v) < 0) {
    out.push_back(InvalidValue(field, v, "must be greater than or equal to 0"));
  }
}

// IsNotMoreThan100Percent.
void CheckNotOver100Percent(Causes& out, const Json& v, const std::string& field) {
  if (v.is_string() && IsValidPercent(v.get<std::string>()) && IntOrPercentValue(v) > 100)
    out.push_back(InvalidCause(field, GoIntOrString(v), "must not be greater than 100%"));
}

// The selector checks every apps kind shares: required (except daemon sets, whose nil
// selector only fails to match), valid, not empty. Returns whether it converts to a selector
// (metav1.LabelSelectorAsSelector), which decides the template checks that follow.
bool CheckAppsSelector(Causes& out, const Json& selector, const std::string& kind,
                       bool required) {
  if (selector.is_null()) {
    if (required) out.push_back(RequiredCause("spec.selector"));
    return true;  // a nil selector converts to labels.Nothing()
  }
  CheckLabelSelector(out, selector, "spec.selector");
  if (selector.is_object() && SelectorEmpty(selector))
    out.push_back(InvalidCause("spec.selector", GoLabelSelector(selector),
                               "empty selector is invalid for " + kind));
  return SelectorParses(selector);
}

// Go's %#v of a struct holding a Type and a pointer: apps.DeploymentStrategy{Type:"X", ...}.
std::string GoTypedStrategy(const std::string& go_type, const Json& strategy,
                            const std::string& pointer_type) {
  return go_type + "{Type:" + GoQuote(Str(At(strategy, {"type"}))) + ", RollingUpdate:(*" +
         pointer_type + ")(" + (At(strategy, {"rollingUpdate"}).is_null() ? "nil" : "0xc000000000") +
         ")}";
}

StatusCause NotSupportedRendered(const std::string& field, const std::string& rendered,
                                 const std::vector<std::string>& supported) {
  std::string msg = "Unsupported value: " + rendered + ": supported values: ";
  for (size_t i = 0; i < supported.size(); ++i) msg += (i ? ", " : "") + GoQuote(supported[i]);
  return {"FieldValueNotSupported", msg, field};
}

void ValidateDeploymentStrategy(Causes& out, const Json& strategy) {
  std::string type = Str(At(strategy, {"type"}));
  const std::string path = "spec.strategy";
  if (type == "Recreate") {
    if (!At(strategy, {"rollingUpdate"}).is_null())
      out.push_back(ForbiddenCause(path + ".rollingUpdate",
                                   "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type == "RollingUpdate") {
    const Json& ru = At(strategy, {"rollingUpdate"});
    if (!ru.is_object()) {
      out.push_back(RequiredCause(path + ".rollingUpdate", "this should be defaulted and never be nil"));
      return;
    }
    const Json& mu = At(ru, {"maxUnavailable"});
    const Json& ms = At(ru, {"maxSurge"});
    CheckIntOrPercent(out, mu, path + ".rollingUpdate.maxUnavailable");
    CheckIntOrPercent(out, ms, path + ".rollingUpdate.maxSurge");
    if (IntOrPercentValue(mu) == 0 && IntOrPercentValue(ms) == 0)
      out.push_back(InvalidCause(path + ".rollingUpdate.maxUnavailable",
                                 GoIntOrString(mu.is_null() ? Json(0) : mu),
                                 "may not be 0 when `maxSurge` is 0"));
    CheckNotOver100Percent(out, mu, path + ".rollingUpdate.maxUnavailable");
  } else {
    out.push_back(NotSupportedRendered(
        path, GoTypedStrategy("apps.DeploymentStrategy", strategy, "apps.RollingUpdateDeployment"),
        {"Recreate", "RollingUpdate"}));
  }
}

// ValidateDeploymentSpec, in upstream's order.
void ValidateDeployment(Causes& out, const Json& d) {
  const Json& spec = At(d, {"spec"});
  CheckNonNegative(out, spec, {"replicas"}, "spec.replicas");
  const Json& selector = At(spec, {"selector"});
  if (CheckAppsSelector(out, selector, "deployment", /*required=*/true)) {
    ValidateReplicaTemplate(out, selector, At(spec, {"template"}), "spec.template");
  } else {
    out.push_back(InvalidCause("spec.selector", GoLabelSelector(selector), "invalid label selector"));
  }
  ValidateDeploymentStrategy(out, At(spec, {"strategy"}));
  CheckNonNegative(out, spec, {"minReadySeconds"}, "spec.minReadySeconds");
  CheckNonNegative(out, spec, {"revisionHistoryLimit"}, "spec.revisionHistoryLimit");
  const Json& pds = At(spec, {"progressDeadlineSeconds"});
  if (auto p = Int(pds)) {
    CheckNonNegative(out, spec, {"progressDeadlineSeconds"}, "spec.progressDeadlineSeconds");
    if (*p <= Num(spec, {"minReadySeconds"}))
      out.push_back(InvalidValue("spec.progressDeadlineSeconds", pds,
                                 "must be greater than minReadySeconds"));
  }
}

std::vector<Json> DeploymentCells(const Json& d, SystemTime now) {
  auto [names, images] = ContainerCells(At(d, {"spec", "template", "spec", "containers"}));
  return {std::to_string(Num(d, {"status", "readyReplicas"})) + "/" +
              std::to_string(Num(d, {"spec", "replicas"})),
          Num(d, {"status", "updatedReplicas"}),
          Num(d, {"status", "availableReplicas"}),
          AgeOf(d, now),
          names,
          images,
          SelectorString(At(d, {"spec", "selector"}))};
}

// ---- replica sets and replication controllers ------------------------------------------

void DefaultReplicaSet(Json& rs) {
  SetDefault(Obj(rs, "spec"), "replicas", 1);
  DefaultTemplateOf(rs);
}

// ValidateReplicaSetSpec (its empty-selector error is worded as the deployment's upstream).
void ValidateReplicaSet(Causes& out, const Json& rs) {
  const Json& spec = At(rs, {"spec"});
  CheckNonNegative(out, spec, {"replicas"}, "spec.replicas");
  CheckNonNegative(out, spec, {"minReadySeconds"}, "spec.minReadySeconds");
  const Json& selector = At(spec, {"selector"});
  if (CheckAppsSelector(out, selector, "deployment", /*required=*/true)) {
    ValidateReplicaTemplate(out, selector, At(spec, {"template"}), "spec.template");
  } else {
    out.push_back(InvalidCause("spec.selector", GoLabelSelector(selector), "invalid label selector"));
  }
}

std::vector<Json> ReplicaCells(const Json& obj, SystemTime now, const std::string& selector) {
  auto [names, images] = ContainerCells(At(obj, {"spec", "template", "spec", "containers"}));
  return {Num(obj, {"spec", "replicas"}),
          Num(obj, {"status", "replicas"}),
          Num(obj, {"status", "readyReplicas"}),
          AgeOf(obj, now),
          names,
          images,
          selector};
}

void DefaultReplicationController(Json& rc) {
  Json& spec = Obj(rc, "spec");
  const Json& labels = At(spec, {"template", "metadata", "labels"});
  if (labels.is_object() && !labels.empty()) {
    const Json& sel = At(spec, {"selector"});
    if (!sel.is_object() || sel.empty()) spec["selector"] = labels;
    const Json& own = At(rc, {"metadata", "labels"});
    if (!own.is_object() || own.empty()) Obj(rc, "metadata")["labels"] = labels;
  }
  SetDefault(spec, "replicas", 1);
  if (spec.contains("template") && spec["template"].is_object()) DefaultPodTemplate(spec["template"]);
}

// ValidateReplicationControllerSpec: minReadySeconds, a non-empty selector, replicas, then
// ValidatePodTemplateSpecForRC.
void ValidateReplicationController(Causes& out, const Json& rc) {
  const Json& spec = At(rc, {"spec"});
  CheckNonNegative(out, spec, {"minReadySeconds"}, "spec.minReadySeconds");
  const Json& selector = At(spec, {"selector"});
  bool has_selector = selector.is_object() && !selector.empty();
  if (!has_selector) out.push_back(RequiredCause("spec.selector"));
  CheckNonNegative(out, spec, {"replicas"}, "spec.replicas");
  const Json& tmpl = At(spec, {"template"});
  if (!tmpl.is_object()) {
    out.push_back(RequiredCause("spec.template"));
    return;
  }
  const Json& labels = At(tmpl, {"metadata", "labels"});
  if (has_selector && !SelectorMatches(Json{{"matchLabels", selector}}, labels))
    out.push_back(InvalidCause("spec.template.metadata.labels", GoStringMap(labels),
                               "`selector` does not match template `labels`"));
  ValidatePodTemplate(out, tmpl, "spec.template");
  std::string restart = Str(At(tmpl, {"spec", "restartPolicy"}));
  if (restart != "Always")
    out.push_back(NotSupportedCause("spec.template.spec.restartPolicy", restart, {"Always"}));
  if (!At(tmpl, {"spec", "activeDeadlineSeconds"}).is_null())
    out.push_back(ForbiddenCause("spec.template.spec.activeDeadlineSeconds",
                                 "activeDeadlineSeconds in ReplicationController is not Supported"));
}

// ---- daemon sets -----------------------------------------------------------------------

constexpr const char* kTemplateGeneration = "deprecated.daemonset.template.generation";

void DefaultDaemonSet(Json& ds) {
  Json& spec = Obj(ds, "spec");
  Json& us = Obj(spec, "updateStrategy");
  SetDefault(us, "type", "RollingUpdate");
  if (Str(At(us, {"type"})) == "RollingUpdate") {
    Json& ru = Obj(us, "rollingUpdate");
    SetDefault(ru, "maxUnavailable", 1);
    SetDefault(ru, "maxSurge", 0);
  }
  SetDefault(spec, "revisionHistoryLimit", 10);
  DefaultTemplateOf(ds);
}

int64_t TemplateGeneration(const Json& ds) {
  std::string v = Str(At(ds, {"metadata", "annotations", kTemplateGeneration}));
  try {
    return v.empty() ? 0 : std::stoll(v);
  } catch (...) {
    return 0;
  }
}

void PrepareCreateDaemonSet(Json& ds) {
  if (TemplateGeneration(ds) < 1)
    Obj(Obj(ds, "metadata"), "annotations")[kTemplateGeneration] = "1";
}

void PrepareUpdateDaemonSet(Json& ds, const Json& old) {
  // The template generation is the server's: the stored one, plus one when the template
  // changed (compared with defaults applied, as upstream compares decoded objects).
  Json probe = At(ds, {"spec", "template"});
  DefaultPodTemplate(probe);
  int64_t gen = std::max<int64_t>(TemplateGeneration(old), 1);
  if (probe != At(old, {"spec", "template"})) ++gen;
  Obj(Obj(ds, "metadata"), "annotations")[kTemplateGeneration] = std::to_string(gen);
}

// ValidateDaemonSetUpdateStrategy / ValidateRollingUpdateDaemonSet: exactly one of
// maxUnavailable and maxSurge is non-zero.
void ValidateDaemonSetUpdateStrategy(Causes& out, const Json& us) {
  const std::string path = "spec.updateStrategy";
  std::string type = Str(At(us, {"type"}));
  if (type == "OnDelete") return;
  if (type != "RollingUpdate") {
    out.push_back(NotSupportedRendered(
        path, GoTypedStrategy("apps.DaemonSetUpdateStrategy", us, "apps.RollingUpdateDaemonSet"),
        {"RollingUpdate", "OnDelete"}));
    return;
  }
  const Json& ru = At(us, {"rollingUpdate"});
  if (!ru.is_object()) {
    out.push_back(RequiredCause(path + ".rollingUpdate"));
    return;
  }
  const Json& mu = At(ru, {"maxUnavailable"});
  const Json& ms = At(ru, {"maxSurge"});
  CheckIntOrPercent(out, mu, path + ".rollingUpdate.maxUnavailable");
  CheckIntOrPercent(out, ms, path + ".rollingUpdate.maxSurge");
  CheckNotOver100Percent(out, mu, path + ".rollingUpdate.maxUnavailable");
  CheckNotOver100Percent(out, ms, path + ".rollingUpdate.maxSurge");
  bool unavailable = IntOrPercentValue(mu) != 0, surge = IntOrPercentValue(ms) != 0;
  if (unavailable && surge) {
    out.push_back(InvalidCause(path + ".rollingUpdate.maxSurge", GoIntOrString(ms),
                               "may not be set when maxUnavailable is non-zero"));
  } else if (!unavailable && !surge) {
    out.push_back(RequiredCause(path + ".rollingUpdate.maxUnavailable",
                                "cannot be 0 when maxSurge is 0"));
  }
}

// ValidateDaemonSetSpec: a nil selector is not "required" upstream; it matches nothing.
void ValidateDaemonSet(Causes& out, const Json& ds) {
  const Json& spec = At(ds, {"spec"});
  const Json& selector = At(spec, {"selector"});
  CheckLabelSelector(out, selector, "spec.selector");
  const Json& tmpl = At(spec, {"template"});
  if (selector.is_null() || (SelectorParses(selector) &&
                             !SelectorMatches(selector, At(tmpl, {"metadata", "labels"}))))
    out.push_back(InvalidCause("spec.template.metadata.labels",
                               GoStringMap(At(tmpl, {"metadata", "labels"})),
                               "`selector` does not match template `labels`"));
  if (selector.is_object() && SelectorEmpty(selector))
    out.push_back(InvalidCause("spec.selector", GoLabelSelector(selector),
                               "empty selector is invalid for daemonset"));
  ValidatePodTemplate(out, tmpl, "spec.template");
  std::string restart = Str(At(tmpl, {"spec", "restartPolicy"}));
  if (restart != "Always")
    out.push_back(NotSupportedCause("spec.template.spec.restartPolicy", restart, {"Always"}));
  if (!At(tmpl, {"spec", "activeDeadlineSeconds"}).is_null())
    out.push_back(ForbiddenCause("spec.template.spec.activeDeadlineSeconds",
                                 "activeDeadlineSeconds in DaemonSet is not Supported"));
  CheckNonNegative(out, spec, {"minReadySeconds"}, "spec.minReadySeconds");
  ValidateDaemonSetUpdateStrategy(out, At(spec, {"updateStrategy"}));
  CheckNonNegative(out, spec, {"revisionHistoryLimit"}, "spec.revisionHistoryLimit");
}

std::vector<Json> DaemonSetCells(const Json& ds, SystemTime now) {
  auto [names, images] = ContainerCells(At(ds, {"spec", "template", "spec", "containers"}));
  return {Num(ds, {"status", "desiredNumberScheduled"}),
          Num(ds, {"status", "currentNumberScheduled"}),
          Num(ds, {"status", "numberReady"}),
          Num(ds, {"status", "updatedNumberScheduled"}),
          Num(ds, {"status", "numberAvailable"}),
          FormatLabels(At(ds, {"spec", "template", "spec", "nodeSelector"})),
          AgeOf(ds, now),
          names,
          images,
          FormatLabelSelector(At(ds, {"spec", "selector"}))};
}

// ---- stateful sets ---------------------------------------------------------------------

void DefaultStatefulSet(Json& sts) {
  Json& spec = Obj(sts, "spec");
  SetDefault(spec, "podManagementPolicy", "OrderedReady");
  Json& us = Obj(spec, "updateStrategy");
  SetDefault(us, "type", "RollingUpdate");
  if (Str(At(us, {"type"})) == "RollingUpdate") SetDefault(Obj(us, "rollingUpdate"), "partition", 0);
  SetDefault(spec, "replicas", 1);
  SetDefault(spec, "revisionHistoryLimit", 10);
  Json& retention = Obj(spec, "persistentVolumeClaimRetentionPolicy");
  SetDefault(retention, "whenDeleted", "Retain");
  SetDefault(retention, "whenScaled", "Retain");
  if (spec.contains("volumeClaimTemplates") && spec["volumeClaimTemplates"].is_array()) {
    for (Json& pvc : spec["volumeClaimTemplates"]) {
      if (!pvc.is_object()) continue;
      SetDefault(pvc, "apiVersion", "v1");
      SetDefault(pvc, "kind", "PersistentVolumeClaim");
      SetDefault(Obj(pvc, "spec"), "volumeMode", "Filesystem");
      CanonicalizeResourceListAt(pvc, {"spec", "resources", "limits"});
      CanonicalizeResourceListAt(pvc, {"spec", "resources", "requests"});
      SetDefault(Obj(pvc, "status"), "phase", "Pending");
    }
  }
  DefaultTemplateOf(sts);
}

// ValidateStatefulSetSpec. Upstream validates only the template's labels and annotations, not
// its pod spec (a TODO there: volumes may name claim templates); pods fail at creation.
void ValidateStatefulSet(Causes& out, const Json& sts) {
  const Json& spec = At(sts, {"spec"});
  std::string policy = Str(At(spec, {"podManagementPolicy"}));
  if (policy.empty()) {
    out.push_back(RequiredCause("spec.podManagementPolicy"));
  } else if (policy != "OrderedReady" && policy != "Parallel") {
    out.push_back(InvalidValue("spec.podManagementPolicy", policy,
                               "must be 'OrderedReady' or 'Parallel'"));
  }
  const Json& us = At(spec, {"updateStrategy"});
  std::string type = Str(At(us, {"type"}));
  const Json& ru = At(us, {"rollingUpdate"});
  if (type.empty()) {
    out.push_back(RequiredCause("spec.updateStrategy"));
  } else if (type == "OnDelete") {
    if (!ru.is_null())
      out.push_back(InvalidCause(
          "spec.updateStrategy.rollingUpdate",
          "apps.RollingUpdateStatefulSetStrategy{Partition:" +
              std::to_string(Num(ru, {"partition"})) + ", MaxUnavailable:(*intstr.IntOrString)(" +
              (At(ru, {"maxUnavailable"}).is_null() ? "nil" : "0xc000000000") + ")}",
          "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (type == "RollingUpdate") {
    CheckNonNegative(out, ru, {"partition"}, "spec.updateStrategy.rollingUpdate.partition");
    const Json& mu = At(ru, {"maxUnavailable"});
    if (!mu.is_null()) {
      const std::string mpath = "spec.updateStrategy.rollingUpdate.maxUnavailable";
      CheckIntOrPercent(out, mu, mpath);
      if (IntOrPercentValue(mu) == 0) out.push_back(InvalidCause(mpath, GoIntOrString(mu), "cannot be 0"));
      CheckNotOver100Percent(out, mu, mpath);
    }
  } else {
    out.push_back(InvalidCause(
        "spec.updateStrategy",
        GoTypedStrategy("apps.StatefulSetUpdateStrategy", us, "apps.RollingUpdateStatefulSetStrategy"),
        "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const Json& retention = At(spec, {"persistentVolumeClaimRetentionPolicy"});
  if (retention.is_object()) {
    for (const char* f : {"whenDeleted", "whenScaled"}) {
      std::string v = Str(At(retention, {f}));
      if (v != "Retain" && v != "Delete")
        out.push_back(NotSupportedCause(
            std::string("spec.persistentVolumeClaimRetentionPolicy.") + f, v, {"Retain", "Delete"}));
    }
  }
  CheckNonNegative(out, spec, {"replicas"}, "spec.replicas");
  CheckNonNegative(out, spec, {"minReadySeconds"}, "spec.minReadySeconds");
  CheckNonNegative(out, spec, {"ordinals", "start"}, "spec.ordinals.start");
  const Json& selector = At(spec, {"selector"});
  const Json& tmpl = At(spec, {"template"});
  if (CheckAppsSelector(out, selector, "statefulset", /*required=*/true)) {
    if (selector.is_null() || (!SelectorEmpty(selector) &&
                               !SelectorMatches(selector, At(tmpl, {"metadata", "labels"}))))
      out.push_back(InvalidCause("spec.template.metadata.labels",
                                 GoStringMap(At(tmpl, {"metadata", "labels"})),
                                 "`selector` does not match template `labels`"));
    CheckLabels(out, At(tmpl, {"metadata", "labels"}), "spec.template.labels");
    for (auto& c : ValidateAnnotations(At(tmpl, {"metadata", "annotations"}), "spec.template.annotations"))
      out.push_back(std::move(c));
  } else {
    out.push_back(InvalidCause("spec.selector", GoLabelSelector(selector), ""));
  }
  std::string restart = Str(At(tmpl, {"spec", "restartPolicy"}));
  if (restart != "Always")
    out.push_back(NotSupportedCause("spec.template.spec.restartPolicy", restart, {"Always"}));
  if (!At(tmpl, {"spec", "activeDeadlineSeconds"}).is_null())
    out.push_back(ForbiddenCause("spec.template.spec.activeDeadlineSeconds",
                                 "activeDeadlineSeconds in StatefulSet is not Supported"));
}

void ValidateStatefulSetUpdate(Causes& out, const Json& sts, const Json& old) {
  Json spec = At(sts, {"spec"});
  const Json& old_spec = At(old, {"spec"});
  if (!spec.is_object() || !old_spec.is_object()) return;
  for (const char* f : {"replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
                        "persistentVolumeClaimRetentionPolicy"}) {
    if (old_spec.contains(f)) {
      spec[f] = old_spec[f];
    } else {
      spec.erase(f);
    }
  }
  if (spec != old_spec)
    out.push_back(ForbiddenCause(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
        "forbidden"));
}

// dropStatefulSetDisabledFields: maxUnavailable needs the MaxUnavailableStatefulSet gate (alpha,
// off in 1.32) unless the stored object already uses it.
void DropStatefulSetMaxUnavailable(Json& sts, const Json* old) {
  if (old && !At(*old, {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"}).is_null())
    return;
  if (!At(sts, {"spec", "updateStrategy", "rollingUpdate"}).is_object()) return;
  sts["spec"]["updateStrategy"]["rollingUpdate"].erase("maxUnavailable");
}

// ---- controller revisions --------------------------------------------------------------

std::vector<Json> RevisionCells(const Json& cr, SystemTime now) {
  std::string controller = "<none>";
  for (const Json& ref : Arr(cr, {"metadata", "ownerReferences"})) {
    if (!IsTrue(ref, {"controller"})) continue;
    std::string api = Str(At(ref, {"apiVersion"}));
    std::string group = api.find('/') == std::string::npos ? "" : api.substr(0, api.find('/'));
    std::string kind = Str(At(ref, {"kind"}));
    std::string gk = group.empty() ? kind : kind + "." + group;
    std::transform(gk.begin(), gk.end(), gk.begin(), ::tolower);
    controller = gk.empty() ? Str(At(ref, {"name"})) : gk + "/" + Str(At(ref, {"name"}));
    break;
  }
  return {controller, Num(cr, {"revision"}), AgeOf(cr, now)};
}

ResourceInfo AppsEntry(const std::string& kind, const std::string& plural,
                       const std::string& singular) {
  ResourceInfo r;
  r.group = "apps";
  r.version = "v1";
  r.kind = kind;
  r.plural = plural;
  r.singular = singular;
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("apps", "v1", kind);
  return r;
}

// ---- status subresource validation (ValidateXStatusUpdate) -------------------------------

int64_t StatusCount(const Json& obj, const char* field) {
  return Int(At(obj, {"status", field})).value_or(0);
}

// ValidateNonnegativeField for each status field.
void StatusNonNegative(Causes& out, const Json& obj, std::initializer_list<const char*> fields) {
  for (const char* f : fields)
    CheckNonNegative(out, obj, {"status", f}, std::string("status.") + f);
}

// `field` may not exceed `limit` ("cannot be greater than status.replicas").
void StatusNotAbove(Causes& out, const Json& obj, const char* field, const char* limit,
                    const std::string& message) {
  if (StatusCount(obj, field) > StatusCount(obj, limit))
    out.push_back(InvalidValue(std::string("status.") + field, StatusCount(obj, field), message));
}

// apivalidation.IsDecremented(status.collisionCount): unsetting counts as decrementing.
void CollisionCountNotDecremented(Causes& out, const Json& obj, const Json& old) {
  const Json& now = At(obj, {"status", "collisionCount"});
  const Json& before = At(old, {"status", "collisionCount"});
  if (before.is_null()) return;
  if (now.is_null() || Int(now).value_or(0) < Int(before).value_or(0))
    out.push_back(
        InvalidValue("status.collisionCount", Int(now).value_or(0), "cannot be decremented"));
}

constexpr const char* kAboveReplicas = "cannot be greater than status.replicas";

void ValidateDeploymentStatus(Causes& out, const Json& d, const Json& old) {
  StatusNonNegative(out, d,
                    {"observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                     "availableReplicas", "unavailableReplicas", "collisionCount"});
  StatusNotAbove(out, d, "updatedReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, d, "readyReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, d, "availableReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, d, "availableReplicas", "readyReplicas",
                 "cannot be greater than readyReplicas");
  CollisionCountNotDecremented(out, d, old);
}

// ValidateReplicaSetStatus and core's ValidateReplicationControllerStatus (the same rules).
void ValidateReplicaSetStatus(Causes& out, const Json& rs, const Json& old) {
  (void)old;
  StatusNonNegative(out, rs,
                    {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                     "observedGeneration"});
  StatusNotAbove(out, rs, "fullyLabeledReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, rs, "readyReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, rs, "availableReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, rs, "availableReplicas", "readyReplicas",
                 "cannot be greater than readyReplicas");
}

void ValidateDaemonSetStatus(Causes& out, const Json& ds, const Json& old) {
  StatusNonNegative(out, ds,
                    {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                     "numberReady", "observedGeneration", "updatedNumberScheduled",
                     "numberAvailable", "numberUnavailable", "collisionCount"});
  CollisionCountNotDecremented(out, ds, old);
}

void ValidateStatefulSetStatus(Causes& out, const Json& sts, const Json& old) {
  StatusNonNegative(out, sts,
                    {"replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                     "availableReplicas", "observedGeneration", "collisionCount"});
  StatusNotAbove(out, sts, "readyReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, sts, "currentReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, sts, "updatedReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, sts, "availableReplicas", "replicas", kAboveReplicas);
  StatusNotAbove(out, sts, "availableReplicas", "readyReplicas",
                 "cannot be greater than status.readyReplicas");
  CollisionCountNotDecremented(out, sts, old);
}

}  // namespace

ResourceInfo Deployments() {
  ResourceInfo r = AppsEntry("Deployment", "deployments", "deployment");
  r.short_names = {"deploy"};
  r.categories = {"all"};
  r.subresources = {ScaleSubresource(), StatusSubresource("apps", "v1", "Deployment")};
  r.columns = {
      Col("Ready", "string", "Number of the pod with ready state"),
      Col("Up-to-date", "string", Doc("DeploymentStatus.updatedReplicas")),
      Col("Available", "string", Doc("DeploymentStatus.availableReplicas")),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
      Col("Selector", "string", Doc("DeploymentSpec.selector"), 1),
  };
  r.cells = DeploymentCells;
  r.fields = NoFields;
  StrategySpec s;
  s.empty_status = Json::object();
  s.generation = Generation::kSpecOrAnnotations;
  s.status_keeps_labels = true;  // deploymentStatusStrategy resets spec and labels
  s.defaults = DefaultDeployment;
  s.validate = ValidateDeployment;
  s.validate_status = ValidateDeploymentStatus;
  s.validate_update = CheckSelectorImmutable;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo ReplicaSets() {
  ResourceInfo r = AppsEntry("ReplicaSet", "replicasets", "replicaset");
  r.short_names = {"rs"};
  r.categories = {"all"};
  r.subresources = {ScaleSubresource(), StatusSubresource("apps", "v1", "ReplicaSet")};
  r.columns = {
      Col("Desired", "integer", Doc("ReplicaSetSpec.replicas")),
      Col("Current", "integer", Doc("ReplicaSetStatus.replicas")),
      Col("Ready", "integer", Doc("ReplicaSetStatus.readyReplicas")),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
      Col("Selector", "string", Doc("ReplicaSetSpec.selector"), 1),
  };
  r.cells = [](const Json& rs, SystemTime now) {
    return ReplicaCells(rs, now, FormatLabelSelector(At(rs, {"spec", "selector"})));
  };
  r.fields = ReplicasField;
  StrategySpec s;
  s.empty_status = Json{{"replicas", 0}};
  s.generation = Generation::kSpec;
  s.defaults = DefaultReplicaSet;
  s.validate = ValidateReplicaSet;
  s.validate_status = ValidateReplicaSetStatus;
  s.validate_update = CheckSelectorImmutable;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo DaemonSets() {
  ResourceInfo r = AppsEntry("DaemonSet", "daemonsets", "daemonset");
  r.short_names = {"ds"};
  r.categories = {"all"};
  r.subresources = {StatusSubresource("apps", "v1", "DaemonSet")};
  r.columns = {
      Col("Desired", "integer", Doc("DaemonSetStatus.desiredNumberScheduled")),
      Col("Current", "integer", Doc("DaemonSetStatus.currentNumberScheduled")),
      Col("Ready", "integer", Doc("DaemonSetStatus.numberReady")),
      Col("Up-to-date", "integer", Doc("DaemonSetStatus.updatedNumberScheduled")),
      Col("Available", "integer", Doc("DaemonSetStatus.numberAvailable")),
      Col("Node Selector", "string", Doc("PodSpec.nodeSelector")),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
      Col("Selector", "string", Doc("DaemonSetSpec.selector"), 1),
  };
  r.cells = DaemonSetCells;
  r.fields = NoFields;
  StrategySpec s;
  s.empty_status = Json{{"currentNumberScheduled", 0},
                        {"numberMisscheduled", 0},
                        {"desiredNumberScheduled", 0},
                        {"numberReady", 0}};
  s.generation = Generation::kSpec;
  s.prepare_create = PrepareCreateDaemonSet;
  s.prepare_update = PrepareUpdateDaemonSet;
  s.defaults = DefaultDaemonSet;
  s.validate = ValidateDaemonSet;
  s.validate_status = ValidateDaemonSetStatus;
  s.validate_update = CheckSelectorImmutable;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo StatefulSets() {
  ResourceInfo r = AppsEntry("StatefulSet", "statefulsets", "statefulset");
  r.short_names = {"sts"};
  r.categories = {"all"};
  r.subresources = {ScaleSubresource(), StatusSubresource("apps", "v1", "StatefulSet")};
  r.name_rule = NameRule::kDns1123Label;  // ValidateStatefulSetName: NameIsDNSLabel
  r.columns = {
      Col("Ready", "string", "Number of the pod with ready state"),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
  };
  r.cells = [](const Json& sts, SystemTime now) -> std::vector<Json> {
    auto [names, images] = ContainerCells(At(sts, {"spec", "template", "spec", "containers"}));
    return {std::to_string(Num(sts, {"status", "readyReplicas"})) + "/" +
                std::to_string(Num(sts, {"spec", "replicas"})),
            AgeOf(sts, now), names, images};
  };
  r.fields = NoFields;
  StrategySpec s;
  s.empty_status = Json{{"replicas", 0}, {"availableReplicas", 0}};
  s.generation = Generation::kSpec;
  s.prepare_create = [](Json& sts) { DropStatefulSetMaxUnavailable(sts, nullptr); };
  s.prepare_update = [](Json& sts, const Json& old) { DropStatefulSetMaxUnavailable(sts, &old); };
  s.defaults = DefaultStatefulSet;
  s.validate = ValidateStatefulSet;
  s.validate_status = ValidateStatefulSetStatus;
  s.validate_update = ValidateStatefulSetUpdate;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo ControllerRevisions() {
  ResourceInfo r = AppsEntry("ControllerRevision", "controllerrevisions", "controllerrevision");
  r.columns = {
      Col("Controller", "string", "Controller of the object"),
      Col("Revision", "string", Doc("ControllerRevision.revision")),
      AgeCol(),
  };
  r.cells = RevisionCells;
  r.fields = NoFields;
  StrategySpec s;
  s.validate = [](Causes& out, const Json& cr) {
    CheckNonNegative(out, cr, {"revision"}, "revision");
  };
  s.validate_update = [](Causes& out, const Json& cr, const Json& old) {
    if (At(cr, {"data"}) != At(old, {"data"}))
      out.push_back(InvalidCause("data", At(cr, {"data"}).dump(), "field is immutable"));
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo ReplicationControllers() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "ReplicationController";
  r.plural = "replicationcontrollers";
  r.singular = "replicationcontroller";
  r.short_names = {"rc"};
  r.categories = {"all"};
  r.verbs = kStandardVerbs;
  r.subresources = {ScaleSubresource(), StatusSubresource("", "v1", "ReplicationController")};
  r.schema = SchemaName("core", "v1", "ReplicationController");
  r.columns = {
      Col("Desired", "integer", Doc("ReplicationControllerSpec.replicas")),
      Col("Current", "integer", Doc("ReplicationControllerStatus.replicas")),
      Col("Ready", "integer", Doc("ReplicationControllerStatus.readyReplicas")),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
      Col("Selector", "string", Doc("ReplicationControllerSpec.selector"), 1),
  };
  r.cells = [](const Json& rc, SystemTime now) {
    return ReplicaCells(rc, now, FormatLabels(At(rc, {"spec", "selector"})));
  };
  r.fields = ReplicasField;
  StrategySpec s;
  s.empty_status = Json{{"replicas", 0}};
  s.generation = Generation::kSpec;
  s.defaults = DefaultReplicationController;
  s.validate = ValidateReplicationController;
  s.validate_status = ValidateReplicaSetStatus;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
