// core/v1 Pod: the entry, its table (printPod), field selectors (pod ToSelectableFields)
// and strategy (pkg/registry/core/pod/strategy.go).
#include <algorithm>
#include <map>
#include <set>

#include "api/resources/column_docs.h"
#include "api/resources/pod_ephemeral.h"
#include "api/resources/pod_spec.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

bool IsRestartableInit(const Json& spec, const std::string& name) {
  for (const Json& c : Arr(spec, {"initContainers"}))
    if (Str(At(c, {"name"})) == name) return Str(At(c, {"restartPolicy"})) == "Always";
  return false;
}

bool HasCondition(const Json& pod, const std::string& type, const std::string& status) {
  for (const Json& c : Arr(pod, {"status", "conditions"}))
    if (Str(At(c, {"type"})) == type && Str(At(c, {"status"})) == status) return true;
  return false;
}

// A terminated state's reason, or the "ExitCode:N" / "Signal:N" printPod makes up.
std::string TerminatedReason(const Json& t, const std::string& prefix) {
  std::string reason = Str(At(t, {"reason"}));
  if (!reason.empty()) return prefix + reason;
  int64_t signal = Int(At(t, {"signal"})).value_or(0);
  if (signal != 0) return prefix + "Signal:" + std::to_string(signal);
  return prefix + "ExitCode:" + std::to_string(Int(At(t, {"exitCode"})).value_or(0));
}

// The latest lastState.terminated.finishedAt seen, kept as the newest parsed time.
void NoteRestart(const Json& status, std::optional<SystemTime>& latest) {
  const Json& finished = At(status, {"lastState", "terminated", "finishedAt"});
  SystemTime t;
  if (finished.is_string() && ParseRfc3339(finished.get<std::string>(), &t) &&
      (!latest || t > *latest))
    latest = t;
}

std::vector<Json> PodCells(const Json& pod, SystemTime now) {
  const Json& spec = At(pod, {"spec"});
  int64_t restarts = 0, restartable_restarts = 0;
  int64_t total = static_cast<int64_t>(Arr(spec, {"containers"}).size());
  int64_t ready = 0;
  std::optional<SystemTime> last_restart, last_restartable_restart;

  std::string phase = Str(At(pod, {"status", "phase"}));
  std::string reason = phase;
  if (!Str(At(pod, {"status", "reason"})).empty()) reason = Str(At(pod, {"status", "reason"}));
  for (const Json& c : Arr(pod, {"status", "conditions"})) {
    if (Str(At(c, {"type"})) == "PodScheduled" && Str(At(c, {"reason"})) == "SchedulingGated")
      reason = "SchedulingGated";
  }
  for (const Json& c : Arr(spec, {"initContainers"}))
    if (Str(At(c, {"restartPolicy"})) == "Always") ++total;

  bool initializing = false;
  const Json& init_statuses = Arr(pod, {"status", "initContainerStatuses"});
  const size_t n_init = Arr(spec, {"initContainers"}).size();
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const Json& cs = init_statuses[i];
    restarts += Int(At(cs, {"restartCount"})).value_or(0);
    NoteRestart(cs, last_restart);
    bool restartable = IsRestartableInit(spec, Str(At(cs, {"name"})));
    if (restartable) {
      restartable_restarts += Int(At(cs, {"restartCount"})).value_or(0);
      NoteRestart(cs, last_restartable_restart);
    }
    const Json& terminated = At(cs, {"state", "terminated"});
    const Json& waiting = At(cs, {"state", "waiting"});
    if (terminated.is_object() && Int(At(terminated, {"exitCode"})).value_or(0) == 0) continue;
    if (restartable && IsTrue(cs, {"started"})) {
      if (IsTrue(cs, {"ready"})) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      reason = TerminatedReason(terminated, "Init:");
    } else if (waiting.is_object() && !Str(At(waiting, {"reason"})).empty() &&
               Str(At(waiting, {"reason"})) != "PodInitializing") {
      reason = "Init:" + Str(At(waiting, {"reason"}));
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(n_init);
    }
    initializing = true;
    break;
  }

  if (!initializing || HasCondition(pod, "Initialized", "True")) {
    restarts = restartable_restarts;
    last_restart = last_restartable_restart;
    bool has_running = false;
    const Json& statuses = Arr(pod, {"status", "containerStatuses"});
    for (size_t k = statuses.size(); k-- > 0;) {
      const Json& cs = statuses[k];
      restarts += Int(At(cs, {"restartCount"})).value_or(0);
      NoteRestart(cs, last_restart);
      const Json& waiting = At(cs, {"state", "waiting"});
      const Json& terminated = At(cs, {"state", "terminated"});
      if (waiting.is_object() && !Str(At(waiting, {"reason"})).empty()) {
        reason = Str(At(waiting, {"reason"}));
      } else if (terminated.is_object()) {
        reason = TerminatedReason(terminated, "");
      } else if (IsTrue(cs, {"ready"}) && At(cs, {"state", "running"}).is_object()) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running)
      reason = HasCondition(pod, "Ready", "True") ? "Running" : "NotReady";
  }

  bool deleting = At(pod, {"metadata", "deletionTimestamp"}).is_string();
  if (deleting && Str(At(pod, {"status", "reason"})) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && last_restart)
    restarts_text += " (" +
                     HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(
                         now - *last_restart)) +
                     " ago)";

  std::string ip;
  const Json& ips = Arr(pod, {"status", "podIPs"});
  if (!ips.empty()) ip = Str(At(ips[0], {"ip"}));
  if (ip.empty()) ip = "<none>";
  std::string node = Str(At(spec, {"nodeName"}));
  if (node.empty()) node = "<none>";
  std::string nominated = Str(At(pod, {"status", "nominatedNodeName"}));
  if (nominated.empty()) nominated = "<none>";
  std::string gates = "<none>";
  const Json& readiness_gates = Arr(spec, {"readinessGates"});
  if (!readiness_gates.empty()) {
    int true_conditions = 0;
    for (const Json& g : readiness_gates) {
      std::string type = Str(At(g, {"conditionType"}));
      for (const Json& c : Arr(pod, {"status", "conditions"})) {
        if (Str(At(c, {"type"})) != type) continue;
        if (Str(At(c, {"status"})) == "True") ++true_conditions;
        break;
      }
    }
    gates = std::to_string(true_conditions) + "/" + std::to_string(readiness_gates.size());
  }
  return {std::to_string(ready) + "/" + std::to_string(total), reason, restarts_text,
          AgeOf(pod, now), ip, node, nominated, gates};
}

std::optional<std::string> PodField(const Json& pod, const std::string& field) {
  if (field == "spec.nodeName") return Str(At(pod, {"spec", "nodeName"}));
  if (field == "spec.restartPolicy") return Str(At(pod, {"spec", "restartPolicy"}));
  if (field == "spec.schedulerName") return Str(At(pod, {"spec", "schedulerName"}));
  if (field == "spec.serviceAccountName") return Str(At(pod, {"spec", "serviceAccountName"}));
  if (field == "spec.hostNetwork")
    return std::string(IsTrue(pod, {"spec", "hostNetwork"}) ? "true" : "false");
  if (field == "status.phase") return Str(At(pod, {"status", "phase"}));
  if (field == "status.podIP") {
    const Json& ips = Arr(pod, {"status", "podIPs"});
    return ips.empty() ? Str(At(pod, {"status", "podIP"})) : Str(At(ips[0], {"ip"}));
  }
  if (field == "status.nominatedNodeName") return Str(At(pod, {"status", "nominatedNodeName"}));
  return std::nullopt;
}

void DefaultPod(Json& pod) {
  Json& spec = Obj(pod, "spec");
  DefaultPodSpec(spec);
  SetDefault(spec, "enableServiceLinks", true);
  // SetDefaults_Pod: requests default to limits, per resource.
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (Json& c : spec[list]) {
      if (!c.is_object()) continue;
      const Json& limits = At(c, {"resources", "limits"});
      if (!limits.is_object() || limits.empty()) continue;
      Json& requests = Obj(Obj(c, "resources"), "requests");
      for (auto it = limits.begin(); it != limits.end(); ++it)
        if (!requests.contains(it.key())) requests[it.key()] = *it;
    }
  }
  if (pod.contains("status") && pod["status"].is_object() && !pod["status"].contains("qosClass"))
    pod["status"]["qosClass"] = PodQosClass(spec);
}

void PrepareCreatePod(Json& pod) {
  pod["status"] = Json{{"phase", "Pending"}};
  if (!Arr(pod, {"spec", "schedulingGates"}).empty()) {
    pod["status"]["conditions"] = Json::array(
        {{{"type", "PodScheduled"},
          {"status", "False"},
          {"lastProbeTime", nullptr},
          {"lastTransitionTime", nullptr},
          {"reason", "SchedulingGated"},
          {"message", "Scheduling is blocked due to non-empty scheduling gates"}}});
  }
  if (pod.contains("metadata") && pod["metadata"].is_object())
    pod["metadata"].erase("generation");
  if (!pod.contains("spec") || !pod["spec"].is_object()) return;
  Json& spec = pod["spec"];
  // What upstream's pure admission plugins add on create (they need no lookups), so pods look
  // the same here as on a real cluster: ServiceAccount's default account (and the deprecated
  // serviceAccount mirror of the v1 conversion), DefaultTolerationSeconds' taint tolerations,
  // and Priority's values for pods without a class or with a system class.
  std::string sa = Str(At(spec, {"serviceAccountName"}));
  if (sa.empty()) sa = Str(At(spec, {"serviceAccount"}));
  if (sa.empty()) sa = "default";
  spec["serviceAccountName"] = sa;
  spec["serviceAccount"] = sa;
  Json tolerations = At(spec, {"tolerations"}).is_array() ? spec["tolerations"] : Json::array();
  for (const char* taint : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool tolerated = false;
    for (const Json& t : tolerations) {
      std::string effect = Str(At(t, {"effect"}));
      std::string key = Str(At(t, {"key"}));
      if ((effect.empty() || effect == "NoExecute") && (key.empty() || key == taint))
        tolerated = true;
    }
    if (!tolerated)
      tolerations.push_back({{"key", taint},
                             {"operator", "Exists"},
                             {"effect", "NoExecute"},
                             {"tolerationSeconds", 300}});
  }
  spec["tolerations"] = tolerations;
  std::string pc = Str(At(spec, {"priorityClassName"}));
  if (pc.empty() || pc == "system-node-critical" || pc == "system-cluster-critical") {
    if (!At(spec, {"priority"}).is_number())
      spec["priority"] = pc.empty() ? 0 : pc == "system-node-critical" ? 2000001000 : 2000000000;
    SetDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  }
}

const char* const kPodUpdateForbidden =
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)";

// ValidateContainerUpdates: the same number of containers, each with a trimmed image.
bool ValidateContainerUpdates(Causes& out, const Json& now, const Json& was, const std::string& path) {
  if (now.size() != was.size()) {
    out.push_back(ForbiddenCause(path, "pod updates may not add or remove containers"));
    return false;
  }
  for (size_t i = 0; i < now.size(); ++i) {
    std::string image = Str(At(now[i], {"image"}));
    std::string ip = path + "[" + std::to_string(i) + "].image";
    if (image.empty()) out.push_back(RequiredCause(ip));
    size_t first = image.find_first_not_of(" \t\n\r\f\v");
    size_t last = image.find_last_not_of(" \t\n\r\f\v");
    if (!image.empty() && (first != 0 || last != image.size() - 1))
      out.push_back(InvalidCause(ip, GoQuote(image), "must not have leading or trailing whitespace"));
  }
  return true;
}

// ValidatePodUpdate: images, a lowered activeDeadlineSeconds, added tolerations (their
// tolerationSeconds may change), removed scheduling gates, a negative grace period turned 1,
// and nodeSelector additions while gated; anything else is the Forbidden spec error.
void ValidatePodUpdate(Causes& out, const Json& pod, const Json& old) {
  const Json& spec = At(pod, {"spec"});
  const Json& old_spec = At(old, {"spec"});
  if (!spec.is_object() || !old_spec.is_object()) return;
  if (!ValidateContainerUpdates(out, Arr(spec, {"containers"}), Arr(old_spec, {"containers"}),
                                "spec.containers") ||
      !ValidateContainerUpdates(out, Arr(spec, {"initContainers"}), Arr(old_spec, {"initContainers"}),
                                "spec.initContainers"))
    return;
  const Json& ads = At(spec, {"activeDeadlineSeconds"});
  const Json& old_ads = At(old_spec, {"activeDeadlineSeconds"});
  if (!ads.is_null()) {
    int64_t v = Int(ads).value_or(-1);
    if (v < 0 || v > 2147483647) {
      out.push_back(InvalidValue("spec.activeDeadlineSeconds", ads, "must be between 0 and 2147483647, inclusive"));
      return;
    }
    if (!old_ads.is_null() && Int(old_ads).value_or(0) < v) {
      out.push_back(InvalidValue("spec.activeDeadlineSeconds", ads, "must be less than or equal to previous value"));
      return;
    }
  } else if (!old_ads.is_null()) {
    out.push_back(InvalidCause("spec.activeDeadlineSeconds", "null",
                               "must not update from a positive integer to nil value"));
  }
  // validateOnlyAddedTolerations.
  const Json& tolerations = Arr(spec, {"tolerations"});
  for (const Json& t : Arr(old_spec, {"tolerations"})) {
    bool found = false;
    for (const Json& n : tolerations) {
      Json clone = t;
      if (n.contains("tolerationSeconds")) {
        clone["tolerationSeconds"] = n["tolerationSeconds"];
      } else if (clone.is_object()) {
        clone.erase("tolerationSeconds");
      }
      if (clone == n) found = true;
    }
    if (!found) {
      out.push_back(ForbiddenCause("spec.tolerations",
                                   "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  // validateOnlyDeletedSchedulingGates.
  const Json& gates = Arr(spec, {"schedulingGates"});
  for (size_t i = 0; i < gates.size(); ++i) {
    std::string name = Str(At(gates[i], {"name"}));
    bool known = false;
    for (const Json& g : Arr(old_spec, {"schedulingGates"})) known = known || Str(At(g, {"name"})) == name;
    if (!known)
      out.push_back(ForbiddenCause("spec.schedulingGates[" + std::to_string(i) + "].name",
                                   "only deletion is allowed, but found new scheduling gate '" + name + "'"));
  }
  if (spec == old_spec) return;
  Json munged = spec;
  for (const char* list : {"containers", "initContainers"}) {
    if (!munged.contains(list) || !munged[list].is_array()) continue;
    const Json& was = Arr(old_spec, {list});
    for (size_t i = 0; i < munged[list].size() && i < was.size(); ++i) {
      if (!munged[list][i].is_object()) continue;
      if (was[i].contains("image")) {
        munged[list][i]["image"] = was[i]["image"];
      } else {
        munged[list][i].erase("image");
      }
    }
  }
  for (const char* f : {"activeDeadlineSeconds", "schedulingGates", "tolerations"}) {
    if (old_spec.contains(f)) {
      munged[f] = old_spec[f];
    } else {
      munged.erase(f);
    }
  }
  auto old_grace = Int(At(old_spec, {"terminationGracePeriodSeconds"}));
  if (old_grace && *old_grace < 0 && Int(At(munged, {"terminationGracePeriodSeconds"})) == 1)
    munged["terminationGracePeriodSeconds"] = *old_grace;
  // A gated pod may add node selector terms.
  if (!Arr(old_spec, {"schedulingGates"}).empty()) {
    const Json& was = At(old_spec, {"nodeSelector"});
    const Json& now = At(munged, {"nodeSelector"});
    bool additions = true;
    if (was.is_object()) {
      for (auto it = was.begin(); it != was.end(); ++it)
        if (!now.is_object() || At(now, {it.key().c_str()}) != *it) additions = false;
    }
    if (additions) {
      if (old_spec.contains("nodeSelector")) {
        munged["nodeSelector"] = old_spec["nodeSelector"];
      } else {
        munged.erase("nodeSelector");
      }
    }
  }
  if (munged == old_spec) return;
  out.push_back(ForbiddenCause("spec", std::string(kPodUpdateForbidden) + SpecDiff(old_spec, munged)));
}

// ValidatePodCreate's extra rules.
void ValidatePodCreate(Causes& out, const Json& pod) {
  if (!Arr(pod, {"spec", "ephemeralContainers"}).empty())
    out.push_back(ForbiddenCause("spec.ephemeralContainers", "cannot be set on create"));
  if (!Str(At(pod, {"spec", "nodeName"})).empty() && !Arr(pod, {"spec", "schedulingGates"}).empty())
    out.push_back(ForbiddenCause("spec.nodeName",
                                 "cannot be set until all schedulingGates have been cleared"));
}

// podStatusStrategy: the spec and owner references stay as stored; labels may change; a
// status without qosClass gets the stored one back (it is immutable).
void PrepareStatusUpdatePod(Json& pod, const Json& old) {
  KeepAllButStatusAndMetadata(pod, old, /*keep_labels=*/false);
  const Json& qos = At(old, {"status", "qosClass"});
  if (!qos.is_null() && pod.contains("status") && pod["status"].is_object() &&
      Str(At(pod, {"status", "qosClass"})).empty())
    pod["status"]["qosClass"] = qos;
  Json& meta = Obj(pod, "metadata");
  const Json& owners = At(old, {"metadata", "ownerReferences"});
  if (owners.is_null()) {
    meta.erase("ownerReferences");
  } else {
    meta["ownerReferences"] = owners;
  }
}

// ---- status writes (ValidatePodStatusUpdate) --------------------------------------------

// ValidateContainerStateTransition / ValidateInitContainerStateTransition: unless the pod
// restarts its containers, a terminated container stays terminated. `restartable` names the
// init containers with restartPolicy Always (sidecars), which may restart.
void CheckStateTransitions(Causes& out, const Json& now, const Json& before,
                           const std::string& path, const std::string& restart_policy,
                           const std::set<std::string>& restartable) {
  if (restart_policy == "Always") return;
  for (size_t i = 0; i < before.size(); ++i) {
    const Json& terminated = At(before[i], {"state", "terminated"});
    if (!terminated.is_object()) continue;
    if (Int(At(terminated, {"exitCode"})).value_or(0) != 0 && restart_policy == "OnFailure")
      continue;
    std::string name = Str(At(before[i], {"name"}));
    if (restartable.count(name)) continue;
    for (const Json& status : now) {
      if (Str(At(status, {"name"})) == name && !At(status, {"state", "terminated"}).is_object())
        out.push_back(ForbiddenCause(path + "[" + std::to_string(i) + "].state",
                                     "may not be transitioned to non-terminated state"));
    }
  }
}

// validatePodIPs / validateHostIPs: valid addresses, at most one per family, no duplicates.
void CheckStatusIps(Causes& out, const Json& list, const std::string& path, const char* go_type,
                    bool duplicates_first) {
  for (size_t i = 0; i < list.size(); ++i)
    for (auto& c : IsValidIp(path + "[" + std::to_string(i) + "]", Str(At(list[i], {"ip"}))))
      out.push_back(std::move(c));
  if (list.size() < 2) return;
  auto render = [&](const Json& entry) {
    return std::string(go_type) + "{IP:" + GoQuote(Str(At(entry, {"ip"}))) + "}";
  };
  Causes dups;
  std::set<std::string> seen;
  bool v4 = false, v6 = false;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string ip = Str(At(list[i], {"ip"}));
    if (!seen.insert(ip).second)
      dups.push_back(DuplicateCause(path + "[" + std::to_string(i) + "]", render(list[i])));
    if (auto parsed = ParseIp(ip)) (parsed->v4 ? v4 : v6) = true;
  }
  if (duplicates_first) out.insert(out.end(), dups.begin(), dups.end());
  if (!(v4 && v6) || list.size() > 2) {
    std::string all;
    for (const Json& entry : list) all += (all.empty() ? "" : ", ") + render(entry);
    out.push_back(InvalidCause(path, "[]" + std::string(go_type) + "{" + all + "}",
                               "may specify no more than one IP for each IP family"));
  }
  if (!duplicates_first) out.insert(out.end(), dups.begin(), dups.end());
}

void ValidatePodStatusUpdate(Causes& out, const Json& pod, const Json& old) {
  // validatePodConditions (upstream words the path under metadata).
  const Json& conditions = Arr(pod, {"status", "conditions"});
  for (size_t i = 0; i < conditions.size(); ++i) {
    std::string type = Str(At(conditions[i], {"type"}));
    if (type == "PodScheduled" || type == "Ready" || type == "Initialized") continue;
    std::string path = "metadata.conditions[" + std::to_string(i) + "].Type";
    for (const auto& m : IsQualifiedName(type)) out.push_back(InvalidCause(path, GoQuote(type), m));
  }
  std::string nominated = Str(At(pod, {"status", "nominatedNodeName"}));
  if (!nominated.empty() && nominated != Str(At(old, {"status", "nominatedNodeName"})))
    for (const auto& m : IsDns1123Subdomain(nominated))
      out.push_back(InvalidCause("status.nominatedNodeName", GoQuote(nominated), m));
  std::string restart = Str(At(old, {"spec", "restartPolicy"}));
  CheckStateTransitions(out, Arr(pod, {"status", "containerStatuses"}),
                        Arr(old, {"status", "containerStatuses"}), "status.containerStatuses",
                        restart, {});
  std::set<std::string> sidecars;
  for (const Json& c : Arr(old, {"spec", "initContainers"}))
    if (Str(At(c, {"restartPolicy"})) == "Always") sidecars.insert(Str(At(c, {"name"})));
  CheckStateTransitions(out, Arr(pod, {"status", "initContainerStatuses"}),
                        Arr(old, {"status", "initContainerStatuses"}),
                        "status.initContainerStatuses", restart, sidecars);
  // The kubelet never restarts ephemeral containers: an implicit restartPolicy Never.
  CheckStateTransitions(out, Arr(pod, {"status", "ephemeralContainerStatuses"}),
                        Arr(old, {"status", "ephemeralContainerStatuses"}),
                        "status.ephemeralContainerStatuses", "Never", {});
  // validatePodResourceClaimStatuses.
  std::set<std::string> claims, claim_statuses;
  for (const Json& c : Arr(pod, {"spec", "resourceClaims"})) claims.insert(Str(At(c, {"name"})));
  const Json& claim_list = Arr(pod, {"status", "resourceClaimStatuses"});
  for (size_t i = 0; i < claim_list.size(); ++i) {
    std::string path = "status.resourceClaimStatuses[" + std::to_string(i) + "].name";
    std::string name = Str(At(claim_list[i], {"name"}));
    if (!claims.count(name))
      out.push_back(InvalidCause(path, GoQuote(name),
                                 "must match the name of an entry in `spec.resourceClaims`"));
    if (!claim_statuses.insert(name).second) out.push_back(DuplicateCause(path, GoQuote(name)));
  }
  CheckStatusIps(out, Arr(pod, {"status", "podIPs"}), "status.podIPs", "core.PodIP", false);
  const Json& host_ips = Arr(pod, {"status", "hostIPs"});
  if (!host_ips.empty()) {
    std::string first = Str(At(host_ips[0], {"ip"}));
    if (Str(At(pod, {"status", "hostIP"})) != first)
      out.push_back(
          InvalidCause("status.hostIPs[0].ip", GoQuote(first), "must be equal to `hostIP`"));
    CheckStatusIps(out, host_ips, "status.hostIPs", "core.HostIP", true);
  }
}

// The spec-driven strategy plus the pods/ephemeralcontainers writes (pod_ephemeral.h).
class PodStrategy final : public SpecStrategy {
 public:
  using SpecStrategy::SpecStrategy;
  void PrepareForEphemeralContainersUpdate(Json& obj, const Json& old) const override {
    PrepareEphemeralContainersUpdate(obj, old);
  }
  std::vector<StatusCause> ValidateEphemeralContainersUpdate(const Json& obj,
                                                             const Json& old) const override {
    Causes out;
    res::ValidateEphemeralContainersUpdate(out, obj, old);
    return out;
  }
};

}  // namespace

ResourceInfo Pods() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Pod";
  r.plural = "pods";
  r.singular = "pod";
  r.short_names = {"po"};
  r.categories = {"all"};
  r.verbs = kStandardVerbs;
  r.subresources = {
      {"attach", {"", "v1", "PodAttachOptions"}, {"create", "get"}},
      {"binding", {"", "v1", "Binding"}, {"create"}},
      {"ephemeralcontainers", {"", "v1", "Pod"}, {"get", "patch", "update"}},
      {"eviction", {"policy", "v1", "Eviction"}, {"create"}},
      {"exec", {"", "v1", "PodExecOptions"}, {"create", "get"}},
      {"log", {"", "v1", "Pod"}, {"get"}},
      {"portforward", {"", "v1", "PodPortForwardOptions"}, {"create", "get"}},
      {"proxy", {"", "v1", "PodProxyOptions"}, {"create", "delete", "get", "patch", "update"}},
      StatusSubresource("", "v1", "Pod"),
  };
  r.schema = SchemaName("core", "v1", "Pod");
  r.columns = {
      Col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
      Col("Status", "string", "The aggregate status of the containers in this pod."),
      Col("Restarts", "string",
          "The number of times the containers in this pod have been restarted and when the "
          "last container in this pod has restarted."),
      AgeCol(),
      Col("IP", "string", Doc("PodStatus.podIP"), 1),
      Col("Node", "string", Doc("PodSpec.nodeName"), 1),
      Col("Nominated Node", "string", Doc("PodStatus.nominatedNodeName"), 1),
      Col("Readiness Gates", "string", Doc("PodSpec.readinessGates"), 1),
  };
  r.cells = PodCells;
  r.fields = PodField;
  StrategySpec s;
  s.empty_status = Json{{"phase", "Pending"}};
  s.prepare_create = PrepareCreatePod;
  s.defaults = DefaultPod;
  s.validate = [](Causes& out, const Json& pod) {
    ValidatePodSpec(out, At(pod, {"spec"}), "spec");
  };
  s.validate_update = ValidatePodUpdate;
  s.validate_create = ValidatePodCreate;
  s.prepare_status_update = PrepareStatusUpdatePod;
  s.validate_status = ValidatePodStatusUpdate;
  r.strategy = std::make_shared<PodStrategy>(std::move(s));
  return r;
}

}  // namespace minik::res
