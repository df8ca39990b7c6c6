#include "controllers/disruption_controller.h"

#include <cmath>
#include <map>

#include "api/log.h"
#include "api/selector.h"
#include "controllers/controller_ref.h"

namespace minik {

namespace {

const ResourceRef kPdbs{"policy", "v1", "poddisruptionbudgets"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kReplicaSets{"apps", "v1", "replicasets"};
const ResourceRef kDeployments{"apps", "v1", "deployments"};
const ResourceRef kReplicationControllers{"", "v1", "replicationcontrollers"};
const ResourceRef kStatefulSets{"apps", "v1", "statefulsets"};

constexpr const char* kCondition = "DisruptionAllowed";

bool IsPodReady(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
  return false;
}

std::string GroupOf(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

// The selector of a budget: nullopt selects nothing (a null selector).
StatusOr<std::optional<LabelSelector>> SelectorOf(const Json& pdb) {
  const Json* sel = Find(pdb, {"spec", "selector"});
  if (!sel || sel->is_null()) return std::optional<LabelSelector>();
  auto parsed = LabelSelector::FromJson(*sel);
  if (!parsed.ok()) return parsed.status();
  return std::optional<LabelSelector>(std::move(*parsed));
}

// intstr.GetScaledValueFromIntOrPercent.
StatusOr<int64_t> ScaledValue(const Json& v, int64_t total, bool round_up) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string())
    return Status(Code::kInvalid,
                  "invalid value for IntOrString: invalid type: neither int nor percentage");
  std::string s = v.get<std::string>();
  if (s.empty() || s.back() != '%')
    return Status(Code::kInvalid,
                  "invalid value for IntOrString: invalid type: string is not a percentage");
  std::string digits = s.substr(0, s.size() - 1);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return Status(Code::kInvalid, "invalid value for IntOrString: invalid value \"" + s + "\"");
  double scaled = double(std::stoll(digits)) * double(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

// Go's %v of a *metav1.LabelSelector, as upstream's UnmanagedPods message prints it.
std::string GoSelector(const Json& sel) {
  std::string out = "&LabelSelector{MatchLabels:map[string]string{";
  if (const Json* ml = Find(sel, {"matchLabels"}); ml && ml->is_object())
    for (auto& [k, v] : ml->items())
      out += k + ": " + (v.is_string() ? v.get<std::string>() : v.dump()) + ",";
  out += "},MatchExpressions:[]LabelSelectorRequirement{";
  if (const Json* me = Find(sel, {"matchExpressions"}); me && me->is_array()) {
    for (const Json& e : *me) {
      out += "LabelSelectorRequirement{Key:" + GetString(e, {"key"}) +
             ",Operator:" + GetString(e, {"operator"}) + ",Values:[";
      bool first = true;
      if (const Json* vals = Find(e, {"values"}); vals && vals->is_array())
        for (const Json& x : *vals) {
          if (!first) out += " ";
          out += x.is_string() ? x.get<std::string>() : x.dump();
          first = false;
        }
      out += "],},";
    }
  }
  return out + "},}";
}

// pdbhelper.UpdateDisruptionAllowedCondition / meta.SetStatusCondition.
void SetCondition(Json& status, const std::string& cond_status, const std::string& reason,
                  const std::string& message, int64_t observed_generation, SystemTime now) {
  Json& conds = status["conditions"];
  if (!conds.is_array()) conds = Json::array();
  for (Json& c : conds) {
    if (GetString(c, {"type"}) != kCondition) continue;
    if (GetString(c, {"status"}) != cond_status) c["lastTransitionTime"] = FormatRfc3339(now);
    c["status"] = cond_status;
    c["reason"] = reason;
    c["message"] = message;
    c["observedGeneration"] = observed_generation;
    return;
  }
  conds.push_back({{"type", kCondition},
                   {"status", cond_status},
                   {"observedGeneration", observed_generation},
                   {"lastTransitionTime", FormatRfc3339(now)},
                   {"reason", reason},
                   {"message", message}});
}

void UpdateDisruptionAllowedCondition(Json& status, SystemTime now) {
  bool allowed = GetInt(status, {"disruptionsAllowed"}) > 0;
  SetCondition(status, allowed ? "True" : "False", allowed ? "SufficientPods" : "InsufficientPods",
               "", GetInt(status, {"observedGeneration"}), now);
}

// pdbhelper.ConditionsAreUpToDate.
bool ConditionsAreUpToDate(const Json& pdb) {
  const Json* conds = Find(pdb, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  int64_t generation = GetInt(pdb, {"metadata", "generation"});
  if (GetInt(pdb, {"status", "observedGeneration"}) != generation) return false;
  for (const Json& c : *conds) {
    if (GetString(c, {"type"}) != kCondition) continue;
    if (GetInt(c, {"observedGeneration"}) != generation) return false;
    if (GetInt(pdb, {"status", "disruptionsAllowed"}) > 0)
      return GetString(c, {"status"}) == "True" && GetString(c, {"reason"}) == "SufficientPods";
    return GetString(c, {"status"}) == "False" && GetString(c, {"reason"}) == "InsufficientPods";
  }
  return false;
}

}  // namespace

DisruptionController::DisruptionController(Client& client, Clock& clock,
                                           SharedInformerFactory& informers, int workers)
    : QueueController("disruption-controller", clock, workers),
      client_(client),
      pdbs_(informers.For(kPdbs)),
      pods_(informers.For(kPods)),
      replicasets_(informers.For(kReplicaSets)),
      deployments_(informers.For(kDeployments)),
      controllers_(informers.For(kReplicationControllers)),
      statefulsets_(informers.For(kStatefulSets)),
      recorder_(client, clock, "controllermanager") {
  pdbs_.AddEventHandler(EnqueueHandlers());
  pods_.AddEventHandler({[this](const Json& pod) { EnqueueBudgetsOf(pod); },
                         [this](const Json& old_pod, const Json& pod) {
                           // Labels may have moved the pod between budgets.
                           if (Labels(old_pod) != Labels(pod)) EnqueueBudgetsOf(old_pod);
                           EnqueueBudgetsOf(pod);
                         },
                         [this](const Json& pod) { EnqueueBudgetsOf(pod); }});
}

DisruptionController::~DisruptionController() { Stop(); }

void DisruptionController::EnqueueBudgetsOf(const Json& pod) {
  for (const ObjectPtr& pdb : pdbs_.ByIndex(kNamespaceIndex, Namespace(pod))) {
    auto sel = SelectorOf(*pdb);
    if (!sel.ok() || !*sel) continue;
    if ((*sel)->Matches(Labels(pod))) queue().Add(ObjectKey(*pdb));
  }
}

std::vector<ObjectPtr> DisruptionController::PodsFor(const Json& pdb) const {
  std::vector<ObjectPtr> out;
  auto sel = SelectorOf(pdb);
  if (!sel.ok() || !*sel) return out;
  for (ObjectPtr& pod : pods_.ByIndex(kNamespaceIndex, Namespace(pdb)))
    if ((*sel)->Matches(Labels(*pod))) out.push_back(std::move(pod));
  return out;
}

StatusOr<std::optional<std::pair<std::string, int64_t>>> DisruptionController::ControllerScale(
    const Json& ref, const std::string& ns) {
  using Found = std::optional<std::pair<std::string, int64_t>>;
  const std::string kind = GetString(ref, {"kind"});
  const std::string group = GroupOf(GetString(ref, {"apiVersion"}));
  const std::string name = GetString(ref, {"name"});
  const std::string uid = GetString(ref, {"uid"});
  auto cached = [&](Informer& inf) -> ObjectPtr {
    ObjectPtr obj = inf.Get(ns + "/" + name);
    return obj && Uid(*obj) == uid ? obj : nullptr;
  };
  auto replicas = [](const Json& obj) { return GetInt(obj, {"spec", "replicas"}, 1); };
  if (group == "apps" && kind == "ReplicaSet") {
    ObjectPtr rs = cached(replicasets_);
    if (!rs) return Found();
    const Json* owner = ControllerRefOf(*rs);
    if (owner && GetString(*owner, {"kind"}) == "Deployment" &&
        GroupOf(GetString(*owner, {"apiVersion"})) == "apps") {
      // The Deployment's scale counts, not its ReplicaSets'.
      ObjectPtr dep = deployments_.Get(ns + "/" + GetString(*owner, {"name"}));
      if (!dep || Uid(*dep) != GetString(*owner, {"uid"})) return Found();
      return Found({Uid(*dep), replicas(*dep)});
    }
    return Found({Uid(*rs), replicas(*rs)});
  }
  if (group.empty() && kind == "ReplicationController") {
    ObjectPtr rc = cached(controllers_);
    return rc ? Found({Uid(*rc), replicas(*rc)}) : Found();
  }
  if (group == "apps" && kind == "StatefulSet") {
    ObjectPtr ss = cached(statefulsets_);
    return ss ? Found({Uid(*ss), replicas(*ss)}) : Found();
  }
  // Any other controller with a scale subresource. Without a REST mapper here, its
  // resource is taken to be the lower-cased kind plus "s" (true of every built-in kind and
  // of most custom resources); a wrong guess is NotFound, as for a kind without scale.
  std::string version = GetString(ref, {"apiVersion"}).substr(group.empty() ? 0 : group.size() + 1);
  std::string plural;
  for (char c : kind) plural += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  plural += "s";
  auto scale = client_.Get({group, version, plural}, ns, name, "scale");
  if (!scale.ok()) {
    if (scale.status().code() == Code::kNotFound) return Found();
    return scale.status();
  }
  if (Uid(*scale) != uid) return Found();
  return Found({uid, GetInt(*scale, {"spec", "replicas"})});
}

StatusOr<int64_t> DisruptionController::ExpectedScale(const Json& pdb,
                                                      const std::vector<ObjectPtr>& pods,
                                                      std::vector<std::string>& unmanaged) {
  (void)pdb;
  std::map<std::string, int64_t> scale_by_uid;
  for (const ObjectPtr& pod : pods) {
    const Json* ref = ControllerRefOf(*pod);
    if (!ref) {
      unmanaged.push_back(Name(*pod));
      continue;
    }
    if (scale_by_uid.count(GetString(*ref, {"uid"}))) continue;
    auto found = ControllerScale(*ref, Namespace(*pod));
    if (!found.ok()) return found.status();
    if (!*found)
      return Status(Code::kNotFound, "found no controllers for pod \"" + Name(*pod) + "\"");
    scale_by_uid[(*found)->first] = (*found)->second;
  }
  int64_t expected = 0;
  for (const auto& [uid, n] : scale_by_uid) expected += n;
  return expected;
}

StatusOr<DisruptionController::Expected> DisruptionController::ExpectedPodCount(
    const Json& pdb, const std::vector<ObjectPtr>& pods) {
  Expected out;
  const Json* max = Find(pdb, {"spec", "maxUnavailable"});
  const Json* min = Find(pdb, {"spec", "minAvailable"});
  if (max && !max->is_null()) {
    auto expected = ExpectedScale(pdb, pods, out.unmanaged);
    if (!expected.ok()) return expected.status();
    out.expected = *expected;
    auto unavailable = ScaledValue(*max, out.expected, true);
    if (!unavailable.ok()) return unavailable.status();
    out.desired = std::max<int64_t>(0, out.expected - *unavailable);
  } else if (min && !min->is_null()) {
    if (min->is_number_integer()) {
      out.desired = min->get<int64_t>();
      out.expected = static_cast<int64_t>(pods.size());
    } else {
      auto expected = ExpectedScale(pdb, pods, out.unmanaged);
      if (!expected.ok()) return expected.status();
      out.expected = *expected;
      auto available = ScaledValue(*min, out.expected, true);
      if (!available.ok()) return available.status();
      out.desired = *available;
    }
  }
  return out;
}

StatusOr<std::optional<std::chrono::nanoseconds>> DisruptionController::TrySync(const Json& pdb) {
  std::vector<ObjectPtr> pods = PodsFor(pdb);
  if (pods.empty()) recorder_.Record(pdb, "Normal", "NoPods", "No matching pods found");

  auto expected = ExpectedPodCount(pdb, pods);
  if (!expected.ok()) {
    recorder_.Record(
        pdb, "Warning", "CalculateExpectedPodCountFailed",
        "Failed to calculate the number of expected pods: " + expected.status().message());
    return expected.status();
  }
  if (!expected->unmanaged.empty()) {
    const Json* sel = Find(pdb, {"spec", "selector"});
    recorder_.Record(
        pdb, "Warning", "UnmanagedPods",
        "Pods selected by this PodDisruptionBudget (selector: " + GoSelector(sel ? *sel : Json()) +
            ") were found to be unmanaged. As a result, the status of the PDB cannot be "
            "calculated correctly, which may result in undefined behavior. To account for these "
            "pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
  }

  // buildDisruptedPodMap: evictions approved by pods/eviction, until they expire.
  const SystemTime now = clock_.Now();
  Json disrupted = Json::object();
  std::optional<SystemTime> recheck;
  const Json* recorded = Find(pdb, {"status", "disruptedPods"});
  if (recorded && recorded->is_object()) {
    for (const ObjectPtr& pod : pods) {
      if (IsBeingDeleted(*pod)) continue;
      const Json* at = Find(*recorded, {Name(*pod).c_str()});
      SystemTime when;
      if (!at || !at->is_string() || !ParseRfc3339(at->get<std::string>(), &when)) continue;
      SystemTime expires = when + kDeletionTimeout;
      if (expires < now) {
        recorder_.Record(
            *pod, "Warning", "NotDeleted",
            "Pod was expected by PDB " + ObjectKey(pdb) + " to be deleted but it wasn't");
        continue;
      }
      if (!recheck || expires < *recheck) recheck = expires;
      disrupted[Name(*pod)] = *at;
    }
  }
  // countHealthyPods.
  int64_t healthy = 0;
  for (const ObjectPtr& pod : pods) {
    if (IsBeingDeleted(*pod) || disrupted.contains(Name(*pod))) continue;
    if (IsPodReady(*pod)) ++healthy;
  }

  // updatePdbStatus: expectedPods must be > 0 so that a budget whose pods are only just
  // appearing is safe before this controller has counted them.
  int64_t allowed = healthy - expected->desired;
  if (expected->expected <= 0 || allowed <= 0) allowed = 0;
  const int64_t generation = GetInt(pdb, {"metadata", "generation"});
  const Json* old_disrupted = Find(pdb, {"status", "disruptedPods"});
  bool same_disrupted = (!old_disrupted || old_disrupted->is_null()) ? disrupted.empty()
                                                                     : *old_disrupted == disrupted;
  bool unchanged = GetInt(pdb, {"status", "currentHealthy"}, -1) == healthy &&
                   GetInt(pdb, {"status", "desiredHealthy"}, -1) == expected->desired &&
                   GetInt(pdb, {"status", "expectedPods"}, -1) == expected->expected &&
                   GetInt(pdb, {"status", "disruptionsAllowed"}, -1) == allowed && same_disrupted &&
                   GetInt(pdb, {"status", "observedGeneration"}, -1) == generation &&
                   ConditionsAreUpToDate(pdb);
  if (!unchanged) {
    Json next = pdb;
    Json status = {{"currentHealthy", healthy},
                   {"desiredHealthy", expected->desired},
                   {"expectedPods", expected->expected},
                   {"disruptionsAllowed", allowed},
                   {"observedGeneration", generation}};
    if (!disrupted.empty()) status["disruptedPods"] = disrupted;
    if (const Json* conds = Find(pdb, {"status", "conditions"}); conds && conds->is_array())
      status["conditions"] = *conds;
    UpdateDisruptionAllowedCondition(status, now);
    next["status"] = std::move(status);
    auto r = client_.Update(kPdbs, Namespace(pdb), std::move(next), WriteOptions{}, "status");
    if (!r.ok()) return r.status();
  }
  if (!recheck) return std::optional<std::chrono::nanoseconds>();
  return std::optional<std::chrono::nanoseconds>(*recheck - now);
}

Status DisruptionController::FailSafe(const Json& pdb, const Status& why) {
  Json next = pdb;
  Json& status = next["status"];
  if (!status.is_object()) status = Json::object();
  status["disruptionsAllowed"] = 0;
  SetCondition(status, "False", "SyncFailed", why.message(), GetInt(status, {"observedGeneration"}),
               clock_.Now());
  auto r = client_.Update(kPdbs, Namespace(pdb), std::move(next), WriteOptions{}, "status");
  return r.ok() || r.status().code() == Code::kNotFound ? Status::Ok() : r.status();
}

StatusOr<ReconcileResult> DisruptionController::Reconcile(const std::string& key) {
  ObjectPtr pdb = pdbs_.Get(key);
  if (!pdb) return ReconcileResult{};
  auto synced = TrySync(*pdb);
  if (!synced.ok()) {
    // A conflict is retried as it is; any other failure makes the budget refuse evictions.
    if (synced.status().code() == Code::kConflict) return synced.status();
    LOG(Warning, name().c_str()) << "failed to sync pdb=" << key
                                 << " reason=" << synced.status().message();
    MINIK_RETURN_IF_ERROR(FailSafe(*pdb, synced.status()));
    return ReconcileResult{};
  }
  ReconcileResult result;
  if (*synced) {
    result.requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(**synced) +
                           std::chrono::milliseconds(1);
  }
  return result;
}

}  // namespace minik
