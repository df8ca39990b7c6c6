#include "controllers/statefulset_controller.h"

#include <algorithm>
#include <optional>
#include <set>

#include "api/log.h"
#include "controllers/controller_ref.h"
#include "controllers/history.h"
#include "controllers/statefulset_utils.h"

namespace minik {

namespace {

using namespace statefulset;  // NOLINT: the helpers of this controller

const ResourceRef kStatefulSets{"apps", "v1", "statefulsets"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};
constexpr const char* kComponent = "statefulset-controller";
// Pods indexed by "<namespace>/<parent set name>" as parsed from "<parent>-<ordinal>".
constexpr const char* kPodsByParent = "statefulset-pods-by-parent";

// ---- one sync of one set (stateful_set_control.go) ----------------------------------------

bool Skip(const Status& st) { return st.code() == Code::kNotFound; }

class SetSync {
 public:
  SetSync(Client& client, Clock& clock, EventRecorder& recorder, const Informer& claims,
          const Json& set)
      : client_(client), clock_(clock), recorder_(recorder), claims_(claims), set_(set) {}

  // UpdateStatefulSet: returns the status written and whether the controller should come back.
  StatusOr<Json> Run(const std::vector<ObjectPtr>& revisions, const std::vector<ObjectPtr>& pods);

 private:
  Status Revisions(const std::vector<ObjectPtr>& revisions);
  // Returns true to stop this pass (waiting, or an action was taken in monotonic mode).
  StatusOr<bool> ProcessReplica(std::vector<Json>& replicas, size_t i);
  StatusOr<bool> ProcessCondemned(const Json& pod, const Json* first_unhealthy);
  Status RollingUpdate(const std::vector<Json>& replicas, Json& status);
  Json ComputeStatus(const std::vector<const std::vector<Json>*>& lists) const;
  Status WriteStatus(Json status);

  Status CreatePod(const Json& set, const Json& pod);
  Status UpdatePod(const Json& set, Json pod);
  Status DeletePod(const Json& pod);
  Status CreateClaims(const Json& set, const Json& pod);
  StatusOr<bool> ClaimsMatchRetention(const Json& set, const Json& pod);
  Status UpdateClaimsForRetention(const Json& set, const Json& pod);
  StatusOr<bool> PodClaimIsStale(const Json& set, const Json& pod);
  ObjectPtr GetClaim(const std::string& name) const {
    return claims_.Get(Namespace(set_) + "/" + name);
  }
  void PodEvent(const std::string& verb, const Json& pod, const Status& st);
  void ClaimEvent(const Json& pod, const Json& claim, const Status& st);

  Client& client_;
  Clock& clock_;
  EventRecorder& recorder_;
  const Informer& claims_;
  const Json& set_;
  Json current_rev_, update_rev_;
  Json current_set_, update_set_;
  int32_t collision_count_ = 0;
  bool monotonic_ = true;
};

std::string Title(const std::string& verb) {
  std::string t = verb;
  if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
  return t;
}

void SetSync::PodEvent(const std::string& verb, const Json& pod, const Status& st) {
  if (st.ok()) {
    recorder_.Record(set_, "Normal", "Successful" + Title(verb),
                     verb + " Pod " + Name(pod) + " in StatefulSet " + Name(set_) + " successful");
  } else {
    recorder_.Record(set_, "Warning", "Failed" + Title(verb),
                     verb + " Pod " + Name(pod) + " in StatefulSet " + Name(set_) +
                         " failed error: " + st.message());
  }
}

void SetSync::ClaimEvent(const Json& pod, const Json& claim, const Status& st) {
  if (st.ok()) {
    recorder_.Record(set_, "Normal", "SuccessfulCreate",
                     "create Claim " + Name(claim) + " Pod " + Name(pod) + " in StatefulSet " +
                         Name(set_) + " success");
  } else {
    recorder_.Record(set_, "Warning", "FailedCreate",
                     "create Claim " + Name(claim) + " for Pod " + Name(pod) + " in StatefulSet " +
                         Name(set_) + " failed error: " + st.message());
  }
}

Status SetSync::CreateClaims(const Json& set, const Json& pod) {
  std::vector<std::string> errors;
  for (Json& claim : PodClaims(set, Ordinal(pod))) {
    ObjectPtr existing = GetClaim(Name(claim));
    if (!existing) {
      auto r = client_.Create(kClaims, Namespace(set), claim);
      if (r.ok()) {
        ClaimEvent(pod, claim, Status::Ok());
        continue;
      }
      if (r.status().code() != Code::kAlreadyExists) {
        ClaimEvent(pod, claim, r.status());
        errors.push_back("failed to create PVC " + Name(claim) + ": " + r.status().message());
        continue;
      }
      // The cache was behind: look at the stored claim.
      auto got = client_.Get(kClaims, Namespace(set), Name(claim));
      if (!got.ok()) {
        errors.push_back("failed to retrieve PVC " + Name(claim) + ": " + got.status().message());
        continue;
      }
      existing = std::make_shared<const Json>(std::move(*got));
    }
    if (IsBeingDeleted(*existing)) errors.push_back("pvc " + Name(claim) + " is being deleted");
  }
  if (errors.empty()) return Status::Ok();
  std::string msg = errors[0];
  for (size_t i = 1; i < errors.size(); ++i) msg += ", " + errors[i];
  return Status(Code::kInternal, msg);
}

StatusOr<bool> SetSync::ClaimsMatchRetention(const Json& set, const Json& pod) {
  for (const Json* tmpl : ClaimTemplates(set)) {
    ObjectPtr claim = GetClaim(ClaimName(set, *tmpl, Ordinal(pod)));
    if (claim && !ClaimOwnerUpToDate(*claim, set, pod)) return false;
  }
  return true;
}

Status SetSync::UpdateClaimsForRetention(const Json& set, const Json& pod) {
  for (const Json* tmpl : ClaimTemplates(set)) {
    std::string name = ClaimName(set, *tmpl, Ordinal(pod));
    ObjectPtr claim = GetClaim(name);
    if (!claim) continue;  // picked up on a later pass
    if (HasUnexpectedController(*claim, set, pod)) {
      recorder_.Record(set_, "Warning", "ConflictingController",
                       "PersistentVolumeClaim " + name +
                           " has a conflicting OwnerReference that acts as a manging controller, "
                           "the retention policy is ignored for this claim");
    }
    if (ClaimOwnerUpToDate(*claim, set, pod)) continue;
    Json copy = *claim;
    UpdateClaimOwnerRefs(copy, set, pod);
    auto r = client_.Update(kClaims, Namespace(set), copy);
    if (!r.ok() && !Skip(r.status())) {
      return Status(r.status().code(), "could not update claim " + name +
                                           " for delete policy ownerRefs: " + r.status().message());
    }
  }
  return Status::Ok();
}

StatusOr<bool> SetSync::PodClaimIsStale(const Json& set, const Json& pod) {
  if (!RetentionOf(set).delete_when_scaled) return false;  // claims are meant to be reused
  for (const Json& c : PodClaims(set, Ordinal(pod))) {
    ObjectPtr claim = GetClaim(Name(c));
    if (claim && HasStalePodRef(*claim, pod)) return true;
  }
  return false;
}

Status SetSync::CreatePod(const Json& set, const Json& pod) {
  if (Status st = CreateClaims(set, pod); !st.ok()) {
    PodEvent("create", pod, st);
    return st;
  }
  auto created = client_.Create(kPods, Namespace(set), pod);
  if (!created.ok() && created.status().code() == Code::kAlreadyExists) return created.status();
  if (created.ok()) {
    if (Status st = UpdateClaimsForRetention(set, *created); !st.ok()) {
      PodEvent("update", pod, st);
      return st;
    }
  }
  PodEvent("create", pod, created.status());
  return created.status();
}

Status SetSync::UpdatePod(const Json& set, Json pod) {
  bool attempted = false;
  Status result;
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool consistent = true;
    if (!IdentityMatches(set, pod)) {
      UpdateIdentity(set, pod);
      consistent = false;
    }
    if (!StorageMatches(set, pod)) {
      UpdateStorage(set, pod);
      consistent = false;
      if (Status st = CreateClaims(set, pod); !st.ok()) {
        PodEvent("update", pod, st);
        return st;
      }
    }
    auto match = ClaimsMatchRetention(set, pod);
    if (match.ok() && !*match) {
      if (Status st = UpdateClaimsForRetention(set, pod); !st.ok()) {
        PodEvent("update", pod, st);
        return st;
      }
    }
    if (consistent) break;
    attempted = true;
    auto r = client_.Update(kPods, Namespace(pod), pod);
    result = r.status();
    if (r.ok() || result.code() != Code::kConflict) break;
    auto fresh = client_.Get(kPods, Namespace(pod), Name(pod));
    if (!fresh.ok()) break;
    pod = std::move(*fresh);
  }
  if (attempted) PodEvent("update", pod, result);
  return result;
}

Status SetSync::DeletePod(const Json& pod) {
  DeleteOptions opts;
  opts.precondition_uid = Uid(pod);
  auto r = client_.Delete(kPods, Namespace(pod), Name(pod), opts);
  if (!r.ok() && Skip(r.status())) return Status::Ok();
  PodEvent("delete", pod, r.status());
  return r.status();
}

// getStatefulSetRevisions.
Status SetSync::Revisions(const std::vector<ObjectPtr>& revisions) {
  collision_count_ = static_cast<int32_t>(GetInt(set_, {"status", "collisionCount"}));
  const Json* labels = Find(set_, {"spec", "template", "metadata", "labels"});
  Json candidate =
      history::NewRevision(set_, kApiVersion, kKind, labels ? *labels : Json::object(),
                           RevisionData(set_), history::NextRevision(revisions), collision_count_);
  if (const Json* a = Find(set_, {"metadata", "annotations"}); a && a->is_object()) {
    candidate["metadata"]["annotations"] = *a;
  }
  auto equal = history::FindEqualRevisions(revisions, candidate);
  if (!equal.empty() && history::EqualRevision(*revisions.back(), *equal.back())) {
    update_rev_ = *revisions.back();  // unchanged
  } else if (!equal.empty()) {
    // A rollback to an earlier template: that revision becomes the newest.
    auto r = history::UpdateRevisionNumber(client_, *equal.back(), GetInt(candidate, {"revision"}));
    if (!r.ok()) return r.status();
    update_rev_ = std::move(*r);
  } else {
    auto r = history::CreateRevision(client_, set_, candidate, &collision_count_);
    if (!r.ok()) return r.status();
    update_rev_ = std::move(*r);
  }
  std::string current_name = GetString(set_, {"status", "currentRevision"});
  current_rev_ = update_rev_;
  for (const ObjectPtr& r : revisions) {
    if (Name(*r) == current_name) {
      current_rev_ = *r;
      break;
    }
  }
  return Status::Ok();
}

Json SetSync::ComputeStatus(const std::vector<const std::vector<Json>*>& lists) const {
  int64_t replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  int64_t min_ready = GetInt(set_, {"spec", "minReadySeconds"});
  SystemTime now = clock_.Now();
  for (const auto* list : lists) {
    for (const Json& pod : *list) {
      if (IsCreated(pod)) ++replicas;
      if (IsRunningAndReady(pod)) {
        ++ready;
        if (IsRunningAndAvailable(pod, min_ready, now)) ++available;
      }
      if (IsCreated(pod) && !IsTerminating(pod)) {
        if (PodRevision(pod) == Name(current_rev_)) ++current;
        if (PodRevision(pod) == Name(update_rev_)) ++updated;
      }
    }
  }
  return Json{{"observedGeneration", GetInt(set_, {"metadata", "generation"})},
              {"replicas", replicas},
              {"readyReplicas", ready},
              {"availableReplicas", available},
              {"currentReplicas", current},
              {"updatedReplicas", updated},
              {"currentRevision", Name(current_rev_)},
              {"updateRevision", Name(update_rev_)},
              {"collisionCount", collision_count_}};
}

// processReplica.
StatusOr<bool> SetSync::ProcessReplica(std::vector<Json>& replicas, size_t i) {
  Json& pod = replicas[i];
  std::string phase = Phase(pod);
  // Failed or Succeeded (an evicted pod's phase follows its exit code): replace it.
  if (phase == "Failed" || phase == "Succeeded") {
    if (!IsTerminating(pod)) {
      if (Status st = DeletePod(pod); !st.ok()) return st;
    }
    return true;  // the new pod is made once the old one is gone
  }
  if (!IsCreated(pod)) {
    auto stale = PodClaimIsStale(update_set_, pod);
    if (!stale.ok()) return stale.status();
    if (*stale) return true;  // wait for the garbage collector to remove the old claim
    if (Status st = CreatePod(set_, pod); !st.ok()) return st;
    return monotonic_;
  }
  if (phase == "Pending") {
    if (Status st = CreateClaims(set_, pod); !st.ok()) return st;
    if (Status st = UpdateClaimsForRetention(set_, pod); !st.ok()) {
      PodEvent("update", pod, st);
      return st;
    }
  }
  if (IsTerminating(pod) && monotonic_) return true;
  if (!IsRunningAndReady(pod) && monotonic_) return true;
  if (!IsRunningAndAvailable(pod, GetInt(set_, {"spec", "minReadySeconds"}), clock_.Now()) &&
      monotonic_)
    return true;
  auto retention = ClaimsMatchRetention(update_set_, pod);
  bool retention_ok = !retention.ok() || *retention;
  if (IdentityMatches(set_, pod) && StorageMatches(set_, pod) && retention_ok) return false;
  if (Status st = UpdatePod(update_set_, pod); !st.ok()) return st;
  return false;
}

// processCondemned: always ends the pass in monotonic mode (one deletion at a time).
StatusOr<bool> SetSync::ProcessCondemned(const Json& pod, const Json* first_unhealthy) {
  if (IsTerminating(pod)) return monotonic_;
  bool is_first = first_unhealthy && Name(*first_unhealthy) == Name(pod);
  if (!IsRunningAndReady(pod) && monotonic_ && !is_first) return true;
  if (!IsRunningAndAvailable(pod, GetInt(set_, {"spec", "minReadySeconds"}), clock_.Now()) &&
      monotonic_ && !is_first)
    return true;
  if (Status st = DeletePod(pod); !st.ok()) return st;
  return true;
}

Status SetSync::RollingUpdate(const std::vector<Json>& replicas, Json& status) {
  int64_t update_min = GetInt(set_, {"spec", "updateStrategy", "rollingUpdate", "partition"});
  for (int64_t target = static_cast<int64_t>(replicas.size()) - 1; target >= update_min; --target) {
    const Json& pod = replicas[static_cast<size_t>(target)];
    if (PodRevision(pod) != Name(update_rev_) && !IsTerminating(pod)) {
      LOG(Info, kComponent) << "pod of StatefulSet is terminating for update statefulSet="
                            << Namespace(set_) << "/" << Name(set_) << " pod=" << Name(pod);
      if (Status st = DeletePod(pod); !st.ok()) return st;
      status["currentReplicas"] = status["currentReplicas"].get<int64_t>() - 1;
      return Status::Ok();
    }
    // Wait for the updated pod.
    if (IsUnavailable(pod, GetInt(set_, {"spec", "minReadySeconds"}), clock_.Now()))
      return Status::Ok();
  }
  return Status::Ok();
}

StatusOr<Json> SetSync::Run(const std::vector<ObjectPtr>& revisions,
                            const std::vector<ObjectPtr>& pods) {
  if (Status st = Revisions(revisions); !st.ok()) return st;
  current_set_ = ApplyRevision(set_, current_rev_);
  update_set_ = ApplyRevision(set_, update_rev_);
  monotonic_ = GetString(set_, {"spec", "podManagementPolicy"}) != "Parallel";

  const int start = StartOrdinal(set_);
  const int count = std::max(0, Replicas(set_));
  std::vector<Json> replicas(static_cast<size_t>(count));
  std::vector<bool> present(static_cast<size_t>(count), false);
  std::vector<Json> condemned;
  for (const ObjectPtr& p : pods) {
    int ord = Ordinal(*p);
    if (InOrdinalRange(*p, set_)) {
      replicas[static_cast<size_t>(ord - start)] = *p;
      present[static_cast<size_t>(ord - start)] = true;
    } else if (ord >= 0) {
      condemned.push_back(*p);
    }
  }
  for (int i = 0; i < count; ++i) {
    if (!present[static_cast<size_t>(i)]) {
      replicas[static_cast<size_t>(i)] = NewVersionedPod(
          current_set_, update_set_, Name(current_rev_), Name(update_rev_), start + i);
    }
  }
  std::sort(condemned.begin(), condemned.end(),
            [](const Json& a, const Json& b) { return Ordinal(a) > Ordinal(b); });
  const int64_t min_ready = GetInt(set_, {"spec", "minReadySeconds"});
  const SystemTime now = clock_.Now();
  const Json* first_unhealthy = nullptr;
  for (const Json& p : replicas) {
    if (IsUnavailable(p, min_ready, now)) {
      first_unhealthy = &p;
      break;
    }
  }
  if (!first_unhealthy) {
    for (auto it = condemned.rbegin(); it != condemned.rend(); ++it) {
      if (IsUnavailable(*it, min_ready, now)) {
        first_unhealthy = &*it;
        break;
      }
    }
  }

  auto finish = [&](Status st) -> StatusOr<Json> {
    Json status = ComputeStatus({&replicas, &condemned});
    Status ws = WriteStatus(status);
    if (!st.ok()) return st;
    if (!ws.ok()) return ws;
    return status;
  };
  if (IsBeingDeleted(set_)) return finish(Status::Ok());

  // runForAll over the replicas: in monotonic mode stop at the first that blocks.
  for (size_t i = 0; i < replicas.size(); ++i) {
    auto stop = ProcessReplica(replicas, i);
    if (!stop.ok()) return finish(stop.status());
    if (*stop && monotonic_) return finish(Status::Ok());
  }
  for (const Json& pod : condemned) {
    auto match = ClaimsMatchRetention(update_set_, pod);
    if (!match.ok()) return finish(match.status());
    if (!*match) {
      if (Status st = UpdateClaimsForRetention(update_set_, pod); !st.ok()) return finish(st);
    }
  }
  for (const Json& pod : condemned) {
    auto stop = ProcessCondemned(pod, first_unhealthy);
    if (!stop.ok()) return finish(stop.status());
    if (*stop && monotonic_) return finish(Status::Ok());
  }
  Json status = ComputeStatus({&replicas, &condemned});
  Status st;
  if (GetString(set_, {"spec", "updateStrategy", "type"}) != "OnDelete") {
    st = RollingUpdate(replicas, status);
  }
  Status ws = WriteStatus(status);
  if (!st.ok()) return st;
  if (!ws.ok()) return ws;
  return status;
}

// updateStatefulSetStatus: completeRollingUpdate, then write only when something changed.
Status SetSync::WriteStatus(Json status) {
  if (GetString(set_, {"spec", "updateStrategy", "type"}) == "RollingUpdate" &&
      status["updatedReplicas"] == status["replicas"] &&
      status["readyReplicas"] == status["replicas"]) {
    status["currentReplicas"] = status["updatedReplicas"];
    status["currentRevision"] = status["updateRevision"];
  }
  const Json* old = Find(set_, {"status"});
  auto same = [&](const char* f) {
    return old && old->is_object() && GetInt(*old, {f}) == status[f].get<int64_t>();
  };
  auto same_str = [&](const char* f) {
    return old && old->is_object() && GetString(*old, {f}) == status[f].get<std::string>();
  };
  if (same("observedGeneration") && same("replicas") && same("readyReplicas") &&
      same("availableReplicas") && same("currentReplicas") && same("updatedReplicas") &&
      same("collisionCount") && same_str("currentRevision") && same_str("updateRevision")) {
    return Status::Ok();
  }
  // omitempty fields of StatefulSetStatus are left out when zero, as on the wire upstream.
  for (const char* f :
       {"observedGeneration", "readyReplicas", "currentReplicas", "updatedReplicas"}) {
    if (status[f].get<int64_t>() == 0) status.erase(f);
  }
  Json obj = set_;
  for (int attempt = 0; attempt < 5; ++attempt) {
    obj["status"] = status;
    if (old && old->is_object() && old->contains("conditions"))
      obj["status"]["conditions"] = (*old)["conditions"];
    auto r = client_.Update(kStatefulSets, Namespace(set_), obj, {}, "status");
    if (r.ok() || Skip(r.status())) return Status::Ok();
    if (r.status().code() != Code::kConflict) return r.status();
    auto fresh = client_.Get(kStatefulSets, Namespace(set_), Name(set_));
    if (!fresh.ok()) return Skip(fresh.status()) ? Status::Ok() : fresh.status();
    if (Uid(*fresh) != Uid(set_)) return Status::Ok();
    obj = std::move(*fresh);
  }
  return Status(Code::kConflict, "updating the status of StatefulSet " + Namespace(set_) + "/" +
                                     Name(set_) + ": too many conflicts");
}

}  // namespace

StatefulSetController::StatefulSetController(Client& client, Clock& clock,
                                             SharedInformerFactory& informers, int workers)
    : QueueController("statefulset-controller", clock, workers),
      client_(client),
      sets_(informers.For(kStatefulSets)),
      pods_(informers.For(kPods)),
      claims_(informers.For(kClaims)),
      revisions_(informers.For(history::kControllerRevisions)),
      recorder_(client, clock, kComponent) {
  sets_.AddEventHandler(EnqueueHandlers());
  Status st = pods_.AddIndex(kPodsByParent, [](const Json& pod) -> std::vector<std::string> {
    auto [parent, ord] = ParentAndOrdinal(Name(pod));
    if (ord < 0) return {};
    return {Namespace(pod) + "/" + parent};
  });
  if (!st.ok()) LOG(Warning, kComponent) << "pod index: " << st.message();
  pods_.AddEventHandler(
      {[this](const Json& pod) { EnqueueForPod(pod); },
       [this](const Json& old_pod, const Json& pod) { OnPodUpdate(old_pod, pod); },
       [this](const Json& pod) { EnqueueForPod(pod); }});
}

void StatefulSetController::EnqueueForPod(const Json& pod) {
  if (const Json* ref = ControllerRefOf(pod)) {
    if (GetString(*ref, {"kind"}) != kKind ||
        GetString(*ref, {"apiVersion"}).rfind("apps/", 0) != 0)
      return;
    std::string key = Namespace(pod) + "/" + GetString(*ref, {"name"});
    ObjectPtr set = sets_.Get(key);
    if (set && Uid(*set) == GetString(*ref, {"uid"})) queue().Add(key);
    return;
  }
  // An orphan: every set of its namespace that would adopt it.
  for (const ObjectPtr& set : sets_.ByIndex(kNamespaceIndex, Namespace(pod))) {
    const Json* sel_json = Find(*set, {"spec", "selector"});
    auto sel = LabelSelector::FromJson(sel_json ? *sel_json : Json());
    if (sel.ok() && !sel->Empty() && sel->Matches(Labels(pod))) queue().Add(ObjectKey(*set));
  }
}

void StatefulSetController::OnPodUpdate(const Json& old_pod, const Json& pod) {
  if (ResourceVersion(old_pod) == ResourceVersion(pod)) return;  // a resync, nothing changed
  const Json* old_ref = ControllerRefOf(old_pod);
  const Json* ref = ControllerRefOf(pod);
  bool ref_changed = (old_ref == nullptr) != (ref == nullptr) ||
                     (old_ref && ref && GetString(*old_ref, {"uid"}) != GetString(*ref, {"uid"}));
  if (ref_changed && old_ref) EnqueueForPod(old_pod);
  EnqueueForPod(pod);
  // A pod that just became ready is available minReadySeconds later: look again then.
  if (ref && !IsRunningAndReady(old_pod) && IsRunningAndReady(pod)) {
    std::string key = Namespace(pod) + "/" + GetString(*ref, {"name"});
    if (ObjectPtr set = sets_.Get(key)) {
      int64_t min_ready = GetInt(*set, {"spec", "minReadySeconds"});
      if (min_ready > 0) queue().AddAfter(key, std::chrono::seconds(min_ready));
    }
  }
}

StatusOr<ReconcileResult> StatefulSetController::Reconcile(const std::string& key) {
  ObjectPtr set = sets_.Get(key);
  if (!set) return ReconcileResult{};
  const Json* sel_json = Find(*set, {"spec", "selector"});
  auto selector = LabelSelector::FromJson(sel_json ? *sel_json : Json());
  if (!selector.ok()) {
    // Not transient: the next spec change enqueues the set again.
    LOG(Warning, kComponent) << "bad selector statefulSet=" << key
                             << " message=" << selector.status().message();
    return ReconcileResult{};
  }
  auto revisions = history::ClaimRevisions(client_, revisions_, *set, kApiVersion, kKind,
                                           kStatefulSets, *selector);
  if (!revisions.ok()) return revisions.status();
  ClaimSpec spec{kApiVersion, kKind, kStatefulSets, kPods};
  auto pods = ClaimObjects(client_, spec, *set, *selector, pods_.ByIndex(kPodsByParent, key));
  if (!pods.ok()) return pods.status();

  SetSync sync(client_, clock_, recorder_, claims_, *set);
  auto status = sync.Run(*revisions, *pods);
  if (!status.ok()) {
    // A pod or claim the cache did not show yet, or a write against a cached object that
    // changed meanwhile: the informer brings the news; try again shortly, quietly.
    if (status.status().code() == Code::kAlreadyExists || status.status().code() == Code::kConflict)
      return ReconcileResult{true, {}};
    return status.status();
  }
  // Truncate the history to revisionHistoryLimit; revisions of live pods are kept.
  std::set<std::string> live = {GetString(*status, {"currentRevision"}),
                                GetString(*status, {"updateRevision"})};
  for (const ObjectPtr& p : *pods) live.insert(PodRevision(*p));
  Status st = history::TruncateHistory(client_, *revisions, live,
                                       GetInt(*set, {"spec", "revisionHistoryLimit"}, 10));
  if (!st.ok()) return st;
  int64_t min_ready = GetInt(*set, {"spec", "minReadySeconds"});
  if (min_ready > 0 && GetInt(*status, {"availableReplicas"}) != Replicas(*set)) {
    return ReconcileResult{false, std::chrono::seconds(min_ready)};
  }
  return ReconcileResult{};
}

}  // namespace minik
