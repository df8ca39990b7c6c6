#include "controllers/replicaset_controller.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "controllers/controller_ref.h"
#include "controllers/deployment_util.h"

namespace minik {

using namespace deployutil;  // NOLINT: the helpers shared by this controller pair

namespace {

const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kReplicaSets{"apps", "v1", "replicasets"};
const ResourceRef kReplicationControllers{"", "v1", "replicationcontrollers"};

// Runs fn(i) for every i in [0, n) on up to `threads` threads (the caller's included) and
// returns how many succeeded; *first_error is the first failure seen.
int RunParallel(int n, int threads, const std::function<Status(int)>& fn, Status* first_error) {
  std::atomic<int> next{0}, ok{0};
  std::mutex mu;
  auto work = [&] {
    for (int i = next++; i < n; i = next++) {
      Status st = fn(i);
      if (st.ok()) {
        ++ok;
      } else {
        std::lock_guard<std::mutex> g(mu);
        if (first_error->ok()) *first_error = st;
      }
    }
  };
  std::vector<std::thread> extra;
  for (int t = 1; t < std::min(n, threads); ++t) extra.emplace_back(work);
  work();
  for (std::thread& t : extra) t.join();
  return ok.load();
}

bool IsNamespaceTerminating(const Status& st) {
  if (!st.details()) return false;
  for (const StatusCause& c : st.details()->causes)
    if (c.reason == "NamespaceTerminating") return true;
  return false;
}

// The pod a replica set creates from its template (controller.GetPodFromTemplate).
StatusOr<Json> PodFromTemplate(const Json& owner, const Json& controller_ref) {
  const Json* tmpl = Find(owner, {"spec", "template"});
  if (!tmpl || !tmpl->is_object()) return BadRequest("unable to create pods, no template");
  const Json& labels = TemplateLabels(owner);
  if (labels.empty()) return BadRequest("unable to create pods, no labels");
  std::string name = Name(owner);
  // getPodsPrefix: "<name>-" unless that is not a valid name prefix.
  std::string prefix = name.size() + 1 <= 253 ? name + "-" : name;
  Json meta = {{"generateName", prefix}, {"namespace", Namespace(owner)}, {"labels", labels}};
  for (const char* f : {"annotations", "finalizers"}) {
    if (const Json* v = Find(*tmpl, {"metadata", f}); v && !v->is_null() && !v->empty())
      meta[f] = *v;
  }
  meta["ownerReferences"] = Json::array({controller_ref});
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}};
  const Json* spec = Find(*tmpl, {"spec"});
  pod["spec"] = spec ? *spec : Json::object();
  return pod;
}

int64_t Count(const Json& status, const char* field) { return GetInt(status, {field}, 0); }

void SetOrErase(Json& obj, const char* field, int64_t v) {
  if (v != 0) {
    obj[field] = v;
  } else {
    obj.erase(field);
  }
}

const Json& ConditionsOf(const Json& status) {
  static const Json kEmpty = Json::array();
  const Json* c = Find(status, {"conditions"});
  return c && c->is_array() && !c->empty() ? *c : kEmpty;
}

}  // namespace

ReplicaSetController::ReplicaSetController(Client& client, Clock& clock,
                                           SharedInformerFactory& informers,
                                           bool replication_controller, int workers)
    : QueueController(replication_controller ? "replicationmanager" : "replicaset", clock, workers),
      client_(client),
      kind_(replication_controller ? Kind{kReplicationControllers, "v1", "ReplicationController"}
                                   : Kind{kReplicaSets, "apps/v1", "ReplicaSet"}),
      owners_(informers.For(kind_.ref)),
      pods_(informers.For(kPods)),
      recorder_(client, clock,
                replication_controller ? "replication-controller" : "replicaset-controller"),
      expectations_(clock) {
  EnsureControllerUidIndex(owners_);
  EnsureControllerUidIndex(pods_);
  owners_.AddEventHandler({[this](const Json& o) { Enqueue(o); },
                           [this](const Json& old_o, const Json& o) {
                             // A recreated owner of the same name starts with clean expectations.
                             if (Uid(old_o) != Uid(o)) expectations_.Delete(ObjectKey(old_o));
                             Enqueue(o);
                           },
                           [this](const Json& o) {
                             expectations_.Delete(ObjectKey(o));
                             Enqueue(o);
                           }});
  pods_.AddEventHandler({[this](const Json& p) { AddPod(p); },
                         [this](const Json& old_p, const Json& p) { UpdatePod(old_p, p); },
                         [this](const Json& p) { DeletePod(p); }});
}

StatusOr<LabelSelector> ReplicaSetController::SelectorOf(const Json& owner) const {
  const Json* sel = Find(owner, {"spec", "selector"});
  if (!sel || !sel->is_object()) return BadRequest("no selector");
  if (kind_.kind == "ReplicationController")
    return LabelSelector::FromJson({{"matchLabels", *sel}});
  return LabelSelector::FromJson(*sel);
}

ObjectPtr ReplicaSetController::ResolveControllerRef(const std::string& ns, const Json& ref) const {
  if (GetString(ref, {"kind"}) != kind_.kind) return nullptr;
  ObjectPtr owner = owners_.Get(ns + "/" + GetString(ref, {"name"}));
  if (!owner || Uid(*owner) != GetString(ref, {"uid"})) return nullptr;
  return owner;
}

// An orphan pod appeared or changed: the owners whose selector matches may adopt it.
void ReplicaSetController::EnqueueMatchingOwners(const Json& pod) {
  const std::string ns = Namespace(pod);
  for (const ObjectPtr& owner : owners_.ByIndex(kNamespaceIndex, ns)) {
    auto sel = SelectorOf(*owner);
    if (!sel.ok() || sel->Empty() || !sel->Matches(Labels(pod))) continue;
    Enqueue(*owner);
  }
}

void ReplicaSetController::AddPod(const Json& pod) {
  if (IsBeingDeleted(pod)) {
    // Seen already terminating (e.g. after a restart): not a creation to observe.
    DeletePod(pod);
    return;
  }
  if (const Json* ref = ControllerRefOf(pod)) {
    if (ObjectPtr owner = ResolveControllerRef(Namespace(pod), *ref)) {
      expectations_.CreationObserved(ObjectKey(*owner));
      Enqueue(*owner);
    }
    return;
  }
  EnqueueMatchingOwners(pod);
}

void ReplicaSetController::UpdatePod(const Json& old_pod, const Json& pod) {
  if (ResourceVersion(old_pod) == ResourceVersion(pod)) return;
  const bool labels_changed = Labels(old_pod) != Labels(pod);
  if (IsBeingDeleted(pod)) {
    // Graceful deletion started: replace the pod now rather than when it is gone.
    DeletePod(pod);
    if (labels_changed) DeletePod(old_pod);
    return;
  }
  const Json* cur_ref = ControllerRefOf(pod);
  const Json* old_ref = ControllerRefOf(old_pod);
  const bool ref_changed =
      (cur_ref == nullptr) != (old_ref == nullptr) || (cur_ref && *cur_ref != *old_ref);
  if (ref_changed && old_ref) {
    if (ObjectPtr owner = ResolveControllerRef(Namespace(old_pod), *old_ref)) Enqueue(*owner);
  }
  if (cur_ref) {
    ObjectPtr owner = ResolveControllerRef(Namespace(pod), *cur_ref);
    if (!owner) return;
    Enqueue(*owner);
    // The pod became ready: it becomes available after minReadySeconds, with no event then.
    int64_t min_ready = GetInt(*owner, {"spec", "minReadySeconds"}, 0);
    if (!IsPodReady(old_pod) && IsPodReady(pod) && min_ready > 0)
      queue().AddAfter(ObjectKey(*owner), std::chrono::seconds(min_ready + 1));
    return;
  }
  if (labels_changed || ref_changed) EnqueueMatchingOwners(pod);
}

void ReplicaSetController::DeletePod(const Json& pod) {
  const Json* ref = ControllerRefOf(pod);
  if (!ref) return;
  ObjectPtr owner = ResolveControllerRef(Namespace(pod), *ref);
  if (!owner) return;
  const std::string key = ObjectKey(*owner);
  expectations_.DeletionObserved(key, ObjectKey(pod));
  queue().Add(key);
}

StatusOr<ReconcileResult> ReplicaSetController::Reconcile(const std::string& key) {
  ObjectPtr owner_ptr = owners_.Get(key);
  if (!owner_ptr) {
    expectations_.Delete(key);
    return ReconcileResult{};
  }
  const Json& owner = *owner_ptr;
  const bool needs_sync = expectations_.Satisfied(key);
  auto selector = SelectorOf(owner);
  // A selector that does not parse selects nothing; validation normally refuses it.
  if (!selector.ok()) return ReconcileResult{};

  std::vector<ObjectPtr> active;
  for (ObjectPtr& p : ClaimCandidates(pods_, Namespace(owner), Uid(owner))) {
    if (IsPodActive(*p)) active.push_back(std::move(p));
  }
  ClaimSpec spec{kind_.api_version, kind_.kind, kind_.ref, kPods};
  auto claimed = ClaimObjects(client_, spec, owner, *selector, active);
  if (!claimed.ok()) return claimed.status();
  const std::vector<ObjectPtr>& pods = *claimed;

  Status manage_err;
  if (needs_sync && !IsBeingDeleted(owner)) manage_err = ManageReplicas(pods, owner, key);

  // calculateStatus
  const SystemTime now = clock_.Now();
  const int64_t min_ready = GetInt(owner, {"spec", "minReadySeconds"}, 0);
  const Json& tmpl_labels = TemplateLabels(owner);
  int64_t fully_labeled = 0, ready = 0, available = 0;
  std::optional<std::chrono::milliseconds> next_available;
  for (const ObjectPtr& p : pods) {
    const Json& labels = Labels(*p);
    bool all = true;
    for (auto it = tmpl_labels.begin(); it != tmpl_labels.end() && all; ++it) {
      auto l = labels.find(it.key());
      all = l != labels.end() && *l == *it;
    }
    if (all) ++fully_labeled;
    if (!IsPodReady(*p)) continue;
    ++ready;
    // Without minReadySeconds ready is available: no transition time to parse (this loop
    // runs over every pod of the ReplicaSet on every pod event).
    if (min_ready <= 0) {
      ++available;
      continue;
    }
    auto ready_at = PodReadyTime(*p);
    if (!ready_at) continue;
    if (IsPodAvailable(*p, min_ready, now)) {
      ++available;
    } else if (*ready_at != SystemTime{}) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *ready_at + std::chrono::seconds(min_ready) - now);
      if (!next_available || left < *next_available) next_available = left;
    }
  }
  const Json* old_status_ptr = Find(owner, {"status"});
  const Json old_status =
      old_status_ptr && old_status_ptr->is_object() ? *old_status_ptr : Json::object();
  Json status = old_status;
  const Json* failure = GetCondition(old_status, "ReplicaFailure");
  if (!manage_err.ok() && !failure) {
    int64_t diff = static_cast<int64_t>(pods.size()) - SpecReplicas(owner);
    std::string reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    if (!status.contains("conditions") || !status["conditions"].is_array())
      status["conditions"] = Json::array();
    status["conditions"].push_back({{"type", "ReplicaFailure"},
                                    {"status", "True"},
                                    {"lastTransitionTime", FormatRfc3339(now)},
                                    {"reason", reason},
                                    {"message", manage_err.message()}});
  } else if (manage_err.ok() && failure) {
    RemoveCondition(status, "ReplicaFailure");
  }
  status["replicas"] = static_cast<int64_t>(pods.size());
  SetOrErase(status, "fullyLabeledReplicas", fully_labeled);
  SetOrErase(status, "readyReplicas", ready);
  SetOrErase(status, "availableReplicas", available);
  const int64_t generation = GetInt(owner, {"metadata", "generation"}, 0);
  const bool unchanged = Count(old_status, "replicas") == Count(status, "replicas") &&
                         Count(old_status, "fullyLabeledReplicas") == fully_labeled &&
                         Count(old_status, "readyReplicas") == ready &&
                         Count(old_status, "availableReplicas") == available &&
                         Count(old_status, "observedGeneration") == generation &&
                         ConditionsOf(old_status) == ConditionsOf(status);
  if (!unchanged) {
    SetOrErase(status, "observedGeneration", generation);
    MINIK_RETURN_IF_ERROR(UpdateStatus(owner, std::move(status)));
  }
  if (!manage_err.ok()) return manage_err;
  ReconcileResult result;
  // Resync when the next ready pod becomes available (a second late, as upstream, so that
  // the strict "before now" comparison holds).
  if (next_available)
    result.requeue_after =
        std::max(*next_available, std::chrono::milliseconds(0)) + std::chrono::seconds(1);
  return result;
}

Status ReplicaSetController::UpdateStatus(const Json& owner, Json status) {
  Json obj = owner;
  obj["status"] = status;
  auto r = client_.Update(kind_.ref, Namespace(owner), obj, {}, "status");
  if (r.ok()) return Status::Ok();
  if (r.status().code() == Code::kNotFound) return Status::Ok();  // gone: nothing to report
  if (r.status().code() != Code::kConflict) return r.status();
  // One retry on the latest version (updateReplicaSetStatus' single GET/PUT retry).
  auto fresh = client_.Get(kind_.ref, Namespace(owner), Name(owner));
  if (!fresh.ok()) return fresh.status().code() == Code::kNotFound ? Status::Ok() : fresh.status();
  if (Uid(*fresh) != Uid(owner)) return Status::Ok();
  (*fresh)["status"] = std::move(status);
  auto again = client_.Update(kind_.ref, Namespace(owner), *fresh, {}, "status");
  return again.ok() ? Status::Ok() : again.status();
}

Status ReplicaSetController::ManageReplicas(const std::vector<ObjectPtr>& pods, const Json& owner,
                                            const std::string& key) {
  const int64_t diff = static_cast<int64_t>(pods.size()) - SpecReplicas(owner);
  if (diff < 0) {
    const int n = static_cast<int>(std::min<int64_t>(-diff, kBurstReplicas));
    expectations_.Expect(key, n, 0);
    return CreatePods(owner, key, n);
  }
  if (diff > 0) {
    const int n = static_cast<int>(std::min<int64_t>(diff, kBurstReplicas));
    return DeletePods(owner, key, pods, n);
  }
  return Status::Ok();
}

Status ReplicaSetController::CreatePods(const Json& owner, const std::string& key, int count) {
  auto pod = PodFromTemplate(owner, NewControllerRef(owner, kind_.api_version, kind_.kind));
  const std::string ns = Namespace(owner);
  auto create_one = [&](int) -> Status {
    if (!pod.ok()) return pod.status();
    auto r = client_.Create(kPods, ns, *pod);
    if (!r.ok()) {
      // A terminating namespace refuses every create: nothing to do or report.
      if (IsNamespaceTerminating(r.status())) return Status::Ok();
      recorder_.Record(owner, "Warning", "FailedCreate", "Error creating: " + r.status().message());
      return r.status();
    }
    recorder_.Record(owner, "Normal", "SuccessfulCreate", "Created pod: " + Name(*r));
    return Status::Ok();
  };
  // slowStartBatch: 1, 2, 4, ... creates; a failing batch ends the attempt, so a quota or
  // admission error costs a few requests rather than `count`.
  int remaining = count, successes = 0;
  Status err;
  for (int batch = std::min(remaining, 1); batch > 0; batch = std::min(2 * batch, remaining)) {
    successes += RunParallel(batch, kParallelism, create_one, &err);
    if (!err.ok()) break;
    remaining -= batch;
  }
  // Pods never created will never be observed.
  for (int i = successes; i < count; ++i) expectations_.CreationObserved(key);
  return err;
}

Status ReplicaSetController::DeletePods(const Json& owner, const std::string& key,
                                        std::vector<ObjectPtr> pods, int count) {
  if (static_cast<size_t>(count) < pods.size()) {
    // Rank each pod by the active pods of the same controller (e.g. the Deployment's other
    // replica sets) on its node, so doubled-up nodes lose pods first.
    std::vector<int> ranks(pods.size(), 0);
    if (const Json* ref = ControllerRefOf(owner)) {
      std::map<std::string, int> on_node;
      std::set<std::string> seen;
      for (const ObjectPtr& rs : owners_.ByIndex(kControllerUidIndex, GetString(*ref, {"uid"}))) {
        if (Namespace(*rs) != Namespace(owner)) continue;
        for (const ObjectPtr& p : pods_.ByIndex(kControllerUidIndex, Uid(*rs))) {
          if (seen.insert(Uid(*p)).second && IsPodActive(*p))
            ++on_node[GetString(*p, {"spec", "nodeName"})];
        }
      }
      for (size_t i = 0; i < pods.size(); ++i)
        ranks[i] = on_node[GetString(*pods[i], {"spec", "nodeName"})];
    }
    SortPodsForDeletion(pods, ranks, clock_.Now());
  }
  pods.resize(count);
  std::set<std::string> keys;
  for (const ObjectPtr& p : pods) keys.insert(ObjectKey(*p));
  expectations_.ExpectDeletions(key, keys);
  Status err;
  RunParallel(
      count, kParallelism,
      [&](int i) -> Status {
        const Json& pod = *pods[i];
        auto r = client_.Delete(kPods, Namespace(pod), Name(pod));
        if (!r.ok()) {
          // The informer will not show this deletion.
          expectations_.DeletionObserved(key, ObjectKey(pod));
          if (r.status().code() == Code::kNotFound) return Status::Ok();
          recorder_.Record(owner, "Warning", "FailedDelete",
                           "Error deleting: " + r.status().message());
          return r.status();
        }
        recorder_.Record(owner, "Normal", "SuccessfulDelete", "Deleted pod: " + Name(pod));
        return Status::Ok();
      },
      &err);
  return err;
}

}  // namespace minik
