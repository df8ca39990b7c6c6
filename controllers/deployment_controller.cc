#include "controllers/deployment_controller.h"

#include <algorithm>
#include <map>

#include "controllers/controller_ref.h"
#include "controllers/deployment_util.h"

namespace minik {

using namespace deployutil;  // NOLINT: the helpers shared by this controller pair

namespace {

const ResourceRef kDeployments{"apps", "v1", "deployments"};
const ResourceRef kReplicaSets{"apps", "v1", "replicasets"};
const ResourceRef kPods{"", "v1", "pods"};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

void SetOrErase(Json& obj, const char* field, int64_t v) {
  if (v != 0) {
    obj[field] = v;
  } else {
    obj.erase(field);
  }
}

// SetDeploymentRevision: true when the annotation changed.
bool SetDeploymentRevision(Json& d, const std::string& revision) {
  Json& meta = d["metadata"];
  if (!meta.contains("annotations") || !meta["annotations"].is_object())
    meta["annotations"] = Json::object();
  Json& a = meta["annotations"];
  if (a.contains(kRevisionAnnotation) && a[kRevisionAnnotation] == revision) return false;
  a[kRevisionAnnotation] = revision;
  return true;
}

Json& StatusOf(Json& d) {
  if (!d.contains("status") || !d["status"].is_object()) d["status"] = Json::object();
  return d["status"];
}

}  // namespace

DeploymentController::DeploymentController(Client& client, Clock& clock,
                                           SharedInformerFactory& informers, int workers)
    : QueueController("deployment", clock, workers),
      client_(client),
      deployments_(informers.For(kDeployments)),
      replica_sets_(informers.For(kReplicaSets)),
      pods_(informers.For(kPods)),
      recorder_(client, clock, "deployment-controller") {
  EnsureControllerUidIndex(replica_sets_);
  EnsureControllerUidIndex(pods_);
  deployments_.AddEventHandler(EnqueueHandlers());
  replica_sets_.AddEventHandler({[this](const Json& rs) { AddReplicaSet(rs); },
                                 [this](const Json& o, const Json& rs) { UpdateReplicaSet(o, rs); },
                                 [this](const Json& rs) { DeleteReplicaSet(rs); }});
  pods_.AddEventHandler({nullptr, nullptr, [this](const Json& p) { DeletePod(p); }});
}

// ---- handlers --------------------------------------------------------------------------------

ObjectPtr DeploymentController::ResolveDeployment(const std::string& ns, const Json& ref) const {
  if (GetString(ref, {"kind"}) != "Deployment") return nullptr;
  ObjectPtr d = deployments_.Get(ns + "/" + GetString(ref, {"name"}));
  if (!d || Uid(*d) != GetString(ref, {"uid"})) return nullptr;
  return d;
}

// An orphan ReplicaSet: the Deployments whose selector matches may adopt it.
void DeploymentController::EnqueueMatchingDeployments(const Json& rs) {
  for (const ObjectPtr& d : deployments_.ByIndex(kNamespaceIndex, Namespace(rs))) {
    const Json* sel = Find(*d, {"spec", "selector"});
    if (!sel) continue;
    auto selector = LabelSelector::FromJson(*sel);
    if (!selector.ok() || selector->Empty() || !selector->Matches(Labels(rs))) continue;
    Enqueue(*d);
  }
}

void DeploymentController::AddReplicaSet(const Json& rs) {
  if (IsBeingDeleted(rs)) {
    DeleteReplicaSet(rs);
    return;
  }
  if (const Json* ref = ControllerRefOf(rs)) {
    if (ObjectPtr d = ResolveDeployment(Namespace(rs), *ref)) Enqueue(*d);
    return;
  }
  EnqueueMatchingDeployments(rs);
}

void DeploymentController::UpdateReplicaSet(const Json& old_rs, const Json& rs) {
  if (ResourceVersion(old_rs) == ResourceVersion(rs)) return;
  const Json* cur_ref = ControllerRefOf(rs);
  const Json* old_ref = ControllerRefOf(old_rs);
  const bool ref_changed =
      (cur_ref == nullptr) != (old_ref == nullptr) || (cur_ref && *cur_ref != *old_ref);
  if (ref_changed && old_ref) {
    if (ObjectPtr d = ResolveDeployment(Namespace(old_rs), *old_ref)) Enqueue(*d);
  }
  if (cur_ref) {
    if (ObjectPtr d = ResolveDeployment(Namespace(rs), *cur_ref)) Enqueue(*d);
    return;
  }
  if (ref_changed || Labels(old_rs) != Labels(rs)) EnqueueMatchingDeployments(rs);
}

void DeploymentController::DeleteReplicaSet(const Json& rs) {
  const Json* ref = ControllerRefOf(rs);
  if (!ref) return;
  if (ObjectPtr d = ResolveDeployment(Namespace(rs), *ref)) Enqueue(*d);
}

// A Recreate rollout waits for the old pods to be gone.
void DeploymentController::DeletePod(const Json& pod) {
  const Json* ref = ControllerRefOf(pod);
  if (!ref || GetString(*ref, {"kind"}) != "ReplicaSet") return;
  ObjectPtr rs = replica_sets_.Get(Namespace(pod) + "/" + GetString(*ref, {"name"}));
  if (!rs || Uid(*rs) != GetString(*ref, {"uid"})) return;
  const Json* rs_ref = ControllerRefOf(*rs);
  if (!rs_ref) return;
  ObjectPtr d = ResolveDeployment(Namespace(*rs), *rs_ref);
  if (d && GetString(*d, {"spec", "strategy", "type"}) == "Recreate") Enqueue(*d);
}

// ---- reconcile -------------------------------------------------------------------------------

StatusOr<ReconcileResult> DeploymentController::Reconcile(const std::string& key) {
  auto r = SyncDeployment(key);
  // A write on a version the cache had not caught up with: the informer event of the newer
  // version queues the key again; retried (rate-limited) without a warning.
  if (!r.ok() && r.status().code() == Code::kConflict) {
    ReconcileResult retry;
    retry.requeue = true;
    return retry;
  }
  return r;
}

StatusOr<ReconcileResult> DeploymentController::SyncDeployment(const std::string& key) {
  ObjectPtr cached = deployments_.Get(key);
  if (!cached) return ReconcileResult{};
  Sync s;
  s.d = *cached;
  s.now = clock_.Now();
  const Json* sel = Find(s.d, {"spec", "selector"});
  if (!sel || !sel->is_object() || NormalizeTemplate(*sel).empty()) {
    recorder_.Record(s.d, "Warning", "SelectingAll",
                     "This deployment is selecting all pods. A non-empty selector is required.");
    int64_t generation = GetInt(s.d, {"metadata", "generation"}, 0);
    if (GetInt(s.d, {"status", "observedGeneration"}, 0) < generation) {
      StatusOf(s.d)["observedGeneration"] = generation;
      MINIK_RETURN_IF_ERROR(UpdateDeploymentStatus(s));
    }
    return ReconcileResult{};
  }
  auto selector = LabelSelector::FromJson(*sel);
  if (!selector.ok()) {
    return Status(Code::kInvalid, "deployment " + key + " has invalid label selector: " +
                                      selector.status().message());
  }
  MINIK_RETURN_IF_ERROR(ClaimReplicaSets(s, *selector));

  if (IsBeingDeleted(s.d)) {
    MINIK_RETURN_IF_ERROR(SyncStatusOnly(s));
    return s.result;
  }
  MINIK_RETURN_IF_ERROR(CheckPausedConditions(s));
  Status st;
  if (Find(s.d, {"spec", "paused"}) && s.d["spec"]["paused"] == true) {
    st = SyncScale(s);
  } else {
    auto scaling = IsScalingEvent(s);
    if (!scaling.ok()) return scaling.status();
    if (*scaling) {
      st = SyncScale(s);
    } else {
      std::string type = GetString(s.d, {"spec", "strategy", "type"});
      if (type == "Recreate") {
        st = RolloutRecreate(s);
      } else if (type == "RollingUpdate") {
        st = RolloutRolling(s);
      } else {
        st = BadRequest("unexpected deployment strategy type: " + type);
      }
    }
  }
  if (!st.ok()) return st;
  return s.result;
}

Status DeploymentController::ClaimReplicaSets(Sync& s, const LabelSelector& selector) {
  ClaimSpec spec{"apps/v1", "Deployment", kDeployments, kReplicaSets};
  auto claimed = ClaimObjects(client_, spec, s.d, selector,
                              ClaimCandidates(replica_sets_, Namespace(s.d), Uid(s.d)));
  if (!claimed.ok()) return claimed.status();
  for (const ObjectPtr& rs : *claimed) s.rss.push_back(std::make_shared<Json>(*rs));
  return Status::Ok();
}

Status DeploymentController::UpdateDeploymentStatus(Sync& s) {
  auto r = client_.Update(kDeployments, Namespace(s.d), s.d, {}, "status");
  if (!r.ok()) return r.status();
  // Later writes of this reconcile start from the stored version.
  s.d["metadata"]["resourceVersion"] = ResourceVersion(*r);
  return Status::Ok();
}

// ---- revisions and the new replica set ------------------------------------------------------

Status DeploymentController::GetAllReplicaSetsAndSyncRevision(Sync& s, bool create, Json** new_rs,
                                                              RSList* old_rss) {
  RSList sorted;
  for (auto& rs : s.rss) sorted.push_back(rs.get());
  std::sort(sorted.begin(), sorted.end(), CreationLess);
  Json* existing = nullptr;
  const Json* tmpl = Find(s.d, {"spec", "template"});
  for (Json* rs : sorted) {
    const Json* rs_tmpl = Find(*rs, {"spec", "template"});
    if (tmpl && rs_tmpl && EqualIgnoreHash(*rs_tmpl, *tmpl)) {
      existing = rs;  // several (after upgrades): the oldest, deterministically
      break;
    }
  }
  old_rss->clear();
  for (auto& rs : s.rss)
    if (rs.get() != existing) old_rss->push_back(rs.get());
  auto got = GetNewReplicaSet(s, existing, *old_rss, create);
  if (!got.ok()) return got.status();
  *new_rs = *got;
  return Status::Ok();
}

StatusOr<Json*> DeploymentController::GetNewReplicaSet(Sync& s, Json* existing,
                                                       const RSList& old_rss, bool create) {
  std::vector<const Json*> olds(old_rss.begin(), old_rss.end());
  const std::string new_revision = std::to_string(MaxRevision(olds) + 1);
  Json& d = s.d;
  const std::string ns = Namespace(d);
  if (existing) {
    Json copy = *existing;
    bool annotations_updated = SetNewReplicaSetAnnotations(d, copy, new_revision, true);
    const int64_t min_ready = GetInt(d, {"spec", "minReadySeconds"}, 0);
    if (annotations_updated || GetInt(copy, {"spec", "minReadySeconds"}, 0) != min_ready) {
      SetOrErase(copy["spec"], "minReadySeconds", min_ready);
      auto r = client_.Update(kReplicaSets, ns, copy);
      if (!r.ok()) return r.status();
      *existing = std::move(*r);
      return existing;
    }
    bool needs_update = SetDeploymentRevision(d, Annotation(copy, kRevisionAnnotation));
    // Progress is estimated from the first time this replica set was seen.
    if (HasProgressDeadline(d) && !GetCondition(StatusOf(d), "Progressing")) {
      SetCondition(StatusOf(d),
                   NewDeploymentCondition("Progressing", "True", kFoundNewRSReason,
                                          "Found new replica set " + Quote(Name(copy)), s.now));
      needs_update = true;
    }
    if (needs_update) MINIK_RETURN_IF_ERROR(UpdateDeploymentStatus(s));
    return existing;
  }
  if (!create) return static_cast<Json*>(nullptr);

  // A new replica set: "<deploy>-<hash>", the hash also on its labels, selector and template.
  const Json& d_tmpl = d["spec"]["template"];
  std::optional<int64_t> collisions;
  if (const Json* c = Find(d, {"status", "collisionCount"}); c && c->is_number_integer())
    collisions = c->get<int64_t>();
  const std::string hash = ComputeHash(d_tmpl, collisions);
  Json tmpl = d_tmpl;
  if (!tmpl["metadata"].is_object()) tmpl["metadata"] = Json::object();
  if (!tmpl["metadata"]["labels"].is_object()) tmpl["metadata"]["labels"] = Json::object();
  tmpl["metadata"]["labels"][kPodTemplateHashLabel] = hash;
  Json selector = d["spec"]["selector"];
  if (!selector["matchLabels"].is_object()) selector["matchLabels"] = Json::object();
  selector["matchLabels"][kPodTemplateHashLabel] = hash;
  const std::string name = Name(d) + "-" + hash;
  Json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", name},
               {"namespace", ns},
               {"labels", tmpl["metadata"]["labels"]},
               {"ownerReferences", Json::array({NewControllerRef(d, "apps/v1", "Deployment")})}}},
             {"spec", {{"replicas", 0}, {"selector", selector}, {"template", tmpl}}}};
  SetOrErase(rs["spec"], "minReadySeconds", GetInt(d, {"spec", "minReadySeconds"}, 0));
  RSList all = old_rss;
  all.push_back(&rs);
  auto count = NewRSNewReplicas(d, std::vector<const Json*>(all.begin(), all.end()), rs);
  if (!count.ok()) return count.status();
  rs["spec"]["replicas"] = *count;
  SetNewReplicaSetAnnotations(d, rs, new_revision, false);

  bool already_exists = false;
  Json created;
  auto r = client_.Create(kReplicaSets, ns, rs);
  if (r.ok()) {
    created = std::move(*r);
  } else if (r.status().code() == Code::kAlreadyExists) {
    // A slow cache, or a hash collision with another template.
    already_exists = true;
    ObjectPtr cached = replica_sets_.Get(ns + "/" + name);
    Json found;
    if (cached) {
      found = *cached;
    } else {
      auto got = client_.Get(kReplicaSets, ns, name);
      if (!got.ok()) return got.status();
      found = std::move(*got);
    }
    const Json* found_tmpl = Find(found, {"spec", "template"});
    if (IsControlledBy(found, d) && found_tmpl && EqualIgnoreHash(d_tmpl, *found_tmpl)) {
      created = std::move(found);
    } else {
      StatusOf(d)["collisionCount"] = collisions.value_or(0) + 1;
      (void)UpdateDeploymentStatus(s);  // the error below requeues either way
      return r.status();
    }
  } else {
    bool terminating = false;
    if (r.status().details())
      for (const StatusCause& c : r.status().details()->causes)
        terminating = terminating || c.reason == "NamespaceTerminating";
    if (terminating) return r.status();
    std::string msg =
        "Failed to create new replica set " + Quote(name) + ": " + r.status().message();
    if (HasProgressDeadline(d)) {
      SetCondition(StatusOf(d), NewDeploymentCondition("Progressing", "False",
                                                       kFailedRSCreateReason, msg, s.now));
      (void)UpdateDeploymentStatus(s);  // the create error is the one to report
    }
    recorder_.Record(d, "Warning", kFailedRSCreateReason, msg);
    return r.status();
  }
  if (!already_exists && *count > 0) {
    recorder_.Record(
        d, "Normal", "ScalingReplicaSet",
        "Scaled up replica set " + Name(created) + " from 0 to " + std::to_string(*count));
  }
  s.rss.push_back(std::make_shared<Json>(std::move(created)));
  Json* new_rs = s.rss.back().get();
  bool needs_update = SetDeploymentRevision(d, new_revision);
  if (!already_exists && HasProgressDeadline(d)) {
    SetCondition(StatusOf(d),
                 NewDeploymentCondition("Progressing", "True", kNewReplicaSetReason,
                                        "Created new replica set " + Quote(Name(*new_rs)), s.now));
    needs_update = true;
  }
  if (needs_update) MINIK_RETURN_IF_ERROR(UpdateDeploymentStatus(s));
  return new_rs;
}

// ---- sync: scaling and paused deployments ------------------------------------------------------

Status DeploymentController::SyncStatusOnly(Sync& s) {
  Json* new_rs = nullptr;
  RSList old_rss;
  MINIK_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false, &new_rs, &old_rss));
  RSList all = old_rss;
  all.push_back(new_rs);
  return SyncDeploymentStatus(s, all, new_rs);
}

Status DeploymentController::SyncScale(Sync& s) {
  Json* new_rs = nullptr;
  RSList old_rss;
  MINIK_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false, &new_rs, &old_rss));
  MINIK_RETURN_IF_ERROR(Scale(s, new_rs, old_rss));
  const Json* paused = Find(s.d, {"spec", "paused"});
  if (paused && *paused == true) MINIK_RETURN_IF_ERROR(CleanupDeployment(s, old_rss));
  RSList all = old_rss;
  all.push_back(new_rs);
  return SyncDeploymentStatus(s, all, new_rs);
}

Status DeploymentController::CheckPausedConditions(Sync& s) {
  if (!HasProgressDeadline(s.d)) return Status::Ok();
  Json& status = StatusOf(s.d);
  const Json* cond = GetCondition(status, "Progressing");
  // A reported lack of progress is not overwritten by a paused condition.
  if (cond && GetString(*cond, {"reason"}) == kTimedOutReason) return Status::Ok();
  const bool paused_cond = cond && GetString(*cond, {"reason"}) == kPausedDeployReason;
  const Json* p = Find(s.d, {"spec", "paused"});
  const bool paused = p && *p == true;
  if (paused && !paused_cond) {
    SetCondition(status, NewDeploymentCondition("Progressing", "Unknown", kPausedDeployReason,
                                                "Deployment is paused", s.now));
  } else if (!paused && paused_cond) {
    SetCondition(status, NewDeploymentCondition("Progressing", "Unknown", kResumedDeployReason,
                                                "Deployment is resumed", s.now));
  } else {
    return Status::Ok();
  }
  return UpdateDeploymentStatus(s);
}

StatusOr<bool> DeploymentController::IsScalingEvent(Sync& s) {
  Json* new_rs = nullptr;
  RSList old_rss;
  MINIK_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false, &new_rs, &old_rss));
  RSList all = old_rss;
  all.push_back(new_rs);
  for (Json* rs : FilterActive(all)) {
    auto desired = IntAnnotation(*rs, kDesiredReplicasAnnotation);
    if (desired && *desired != SpecReplicas(s.d)) return true;
  }
  return false;
}

Status DeploymentController::Scale(Sync& s, Json* new_rs, RSList old_rss) {
  const Json& d = s.d;
  const int64_t replicas = SpecReplicas(d);
  // FindActiveOrLatest: one active replica set takes the whole size; none: the newest.
  std::sort(old_rss.begin(), old_rss.end(),
            [](const Json* a, const Json* b) { return CreationLess(b, a); });
  RSList all = old_rss;
  all.push_back(new_rs);
  RSList active = FilterActive(all);
  Json* active_or_latest = nullptr;
  if (active.size() == 1) {
    active_or_latest = active[0];
  } else if (active.empty() && (new_rs || !old_rss.empty())) {
    active_or_latest = new_rs ? new_rs : old_rss[0];
  }
  if (active_or_latest) {
    if (SpecReplicas(*active_or_latest) == replicas) return Status::Ok();
    auto r = ScaleReplicaSetAndRecordEvent(s, active_or_latest, replicas);
    return r.ok() ? Status::Ok() : r.status();
  }
  // A saturated new replica set (e.g. after adopting old ones): the old ones go to zero.
  if (IsSaturated(d, new_rs)) {
    for (Json* old : FilterActive(old_rss)) {
      auto r = ScaleReplicaSetAndRecordEvent(s, old, 0);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }
  if (!IsRollingUpdate(d)) return Status::Ok();
  // Proportional scaling: spread the difference over the active replica sets by their
  // share of the size they were last scaled for (max-replicas); leftovers go to the largest.
  const int64_t allowed = replicas > 0 ? replicas + MaxSurge(d) : 0;
  const int64_t to_add = allowed - SumSpec(active);
  if (to_add > 0) {
    std::stable_sort(active.begin(), active.end(), [](const Json* a, const Json* b) {
      if (SpecReplicas(*a) != SpecReplicas(*b)) return SpecReplicas(*a) > SpecReplicas(*b);
      return CreationLess(b, a);  // newer first when scaling up
    });
  } else if (to_add < 0) {
    std::stable_sort(active.begin(), active.end(), [](const Json* a, const Json* b) {
      if (SpecReplicas(*a) != SpecReplicas(*b)) return SpecReplicas(*a) > SpecReplicas(*b);
      return CreationLess(a, b);  // older first when scaling down
    });
  }
  int64_t added = 0;
  std::map<std::string, int64_t> size;
  for (Json* rs : active) {
    int64_t proportion = to_add != 0 ? GetProportion(*rs, d, to_add, added) : 0;
    size[Name(*rs)] = SpecReplicas(*rs) + proportion;
    added += proportion;
  }
  for (size_t i = 0; i < active.size(); ++i) {
    Json* rs = active[i];
    if (i == 0 && to_add != 0)
      size[Name(*rs)] = std::max<int64_t>(0, size[Name(*rs)] + to_add - added);
    auto r = ScaleReplicaSet(s, rs, size[Name(*rs)]);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

StatusOr<bool> DeploymentController::ScaleReplicaSetAndRecordEvent(Sync& s, Json* rs,
                                                                   int64_t new_scale) {
  if (SpecReplicas(*rs) == new_scale) return false;
  return ScaleReplicaSet(s, rs, new_scale);
}

StatusOr<bool> DeploymentController::ScaleReplicaSet(Sync& s, Json* rs, int64_t new_scale) {
  const int64_t replicas = SpecReplicas(s.d);
  const int64_t max = replicas + MaxSurge(s.d);
  const int64_t old_scale = SpecReplicas(*rs);
  const bool size_changes = old_scale != new_scale;
  if (!size_changes && !ReplicasAnnotationsNeedUpdate(*rs, replicas, max)) return false;
  Json copy = *rs;
  copy["spec"]["replicas"] = new_scale;
  SetReplicasAnnotations(copy, replicas, max);
  auto r = client_.Update(kReplicaSets, Namespace(copy), copy);
  if (!r.ok()) return r.status();
  *rs = std::move(*r);
  if (!size_changes) return false;
  recorder_.Record(s.d, "Normal", "ScalingReplicaSet",
                   std::string("Scaled ") + (old_scale < new_scale ? "up" : "down") +
                       " replica set " + Name(*rs) + " from " + std::to_string(old_scale) + " to " +
                       std::to_string(new_scale));
  return true;
}

Status DeploymentController::CleanupDeployment(Sync& s, const RSList& old_rss) {
  if (!HasRevisionHistoryLimit(s.d)) return Status::Ok();
  RSList cleanable;
  for (Json* rs : old_rss)
    if (rs && !IsBeingDeleted(*rs)) cleanable.push_back(rs);
  const int64_t diff =
      static_cast<int64_t>(cleanable.size()) - GetInt(s.d, {"spec", "revisionHistoryLimit"}, 0);
  if (diff <= 0) return Status::Ok();
  std::stable_sort(cleanable.begin(), cleanable.end(), [](const Json* a, const Json* b) {
    auto ra = Revision(*a), rb = Revision(*b);
    if (!ra || !rb || *ra == *rb) return CreationLess(a, b);
    return *ra < *rb;
  });
  for (int64_t i = 0; i < diff; ++i) {
    const Json& rs = *cleanable[i];
    // Only replica sets that scaled down to nothing and whose controller saw it.
    if (GetInt(rs, {"status", "replicas"}, 0) != 0 || SpecReplicas(rs) != 0 ||
        GetInt(rs, {"metadata", "generation"}, 0) > GetInt(rs, {"status", "observedGeneration"}, 0))
      continue;
    auto r = client_.Delete(kReplicaSets, Namespace(rs), Name(rs));
    if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  }
  return Status::Ok();
}

// ---- status ----------------------------------------------------------------------------------

Json DeploymentController::CalculateStatus(const Sync& s, const RSList& all,
                                           const Json* new_rs) const {
  const Json& d = s.d;
  const int64_t available = SumStatus(all, "availableReplicas");
  const int64_t unavailable = std::max<int64_t>(0, SumSpec(all) - available);
  Json status = Json::object();
  SetOrErase(status, "observedGeneration", GetInt(d, {"metadata", "generation"}, 0));
  SetOrErase(status, "replicas", SumStatus(all, "replicas"));
  SetOrErase(status, "updatedReplicas", new_rs ? GetInt(*new_rs, {"status", "replicas"}, 0) : 0);
  SetOrErase(status, "readyReplicas", SumStatus(all, "readyReplicas"));
  SetOrErase(status, "availableReplicas", available);
  SetOrErase(status, "unavailableReplicas", unavailable);
  if (const Json* c = Find(d, {"status", "collisionCount"}); c && !c->is_null())
    status["collisionCount"] = *c;
  if (const Json* conds = Find(d, {"status", "conditions"});
      conds && conds->is_array() && !conds->empty())
    status["conditions"] = *conds;
  if (available >= SpecReplicas(d) - MaxUnavailable(d)) {
    SetCondition(status, NewDeploymentCondition("Available", "True", kMinimumReplicasAvailable,
                                                "Deployment has minimum availability.", s.now));
  } else {
    SetCondition(status,
                 NewDeploymentCondition("Available", "False", kMinimumReplicasUnavailable,
                                        "Deployment does not have minimum availability.", s.now));
  }
  return status;
}

Status DeploymentController::SyncDeploymentStatus(Sync& s, const RSList& all, const Json* new_rs) {
  Json status = CalculateStatus(s, all, new_rs);
  if (StatusOf(s.d) == status) return Status::Ok();
  s.d["status"] = std::move(status);
  return UpdateDeploymentStatus(s);
}

Status DeploymentController::SyncRolloutStatus(Sync& s, const RSList& all, const Json* new_rs) {
  const Json& d = s.d;
  Json status = CalculateStatus(s, all, new_rs);
  if (!HasProgressDeadline(d)) RemoveCondition(status, "Progressing");
  const Json* current = GetCondition(StatusOf(s.d), "Progressing");
  const bool complete_before =
      GetInt(status, {"replicas"}, 0) == GetInt(status, {"updatedReplicas"}, 0) && current &&
      GetString(*current, {"reason"}) == kNewRSAvailableReason;
  // Progress is estimated only while a rollout is under way.
  if (HasProgressDeadline(d) && !complete_before) {
    const std::string subject =
        new_rs ? "ReplicaSet " + Quote(Name(*new_rs)) : "Deployment " + Quote(Name(d));
    if (DeploymentComplete(d, status)) {
      SetCondition(status,
                   NewDeploymentCondition("Progressing", "True", kNewRSAvailableReason,
                                          subject + " has successfully progressed.", s.now));
    } else if (DeploymentProgressing(d, status)) {
      // Any progress refreshes lastUpdateTime, even with the same reason.
      Json cond = NewDeploymentCondition("Progressing", "True", kReplicaSetUpdatedReason,
                                         subject + " is progressing.", s.now);
      if (current) {
        if (GetString(*current, {"status"}) == "True")
          cond["lastTransitionTime"] = GetString(*current, {"lastTransitionTime"});
        RemoveCondition(status, "Progressing");
      }
      SetCondition(status, std::move(cond));
    } else if (DeploymentTimedOut(d, status, s.now)) {
      SetCondition(status, NewDeploymentCondition("Progressing", "False", kTimedOutReason,
                                                  subject + " has timed out progressing.", s.now));
    }
  }
  // ReplicaFailure of the new replica set first, else of any replica set.
  const Json* failure = nullptr;
  if (new_rs)
    if (const Json* st = Find(*new_rs, {"status"})) failure = GetCondition(*st, "ReplicaFailure");
  for (size_t i = 0; !failure && i < all.size(); ++i) {
    if (!all[i]) continue;
    if (const Json* st = Find(*all[i], {"status"})) failure = GetCondition(*st, "ReplicaFailure");
  }
  if (failure) {
    std::string ts = GetString(*failure, {"lastTransitionTime"});
    SetCondition(status, Json{{"type", "ReplicaFailure"},
                              {"status", GetString(*failure, {"status"})},
                              {"lastUpdateTime", ts},
                              {"lastTransitionTime", ts},
                              {"reason", GetString(*failure, {"reason"})},
                              {"message", GetString(*failure, {"message"})}});
  } else {
    RemoveCondition(status, "ReplicaFailure");
  }
  if (StatusOf(s.d) == status) {
    RequeueStuckDeployment(s, status);
    return Status::Ok();
  }
  s.d["status"] = std::move(status);
  return UpdateDeploymentStatus(s);
}

void DeploymentController::RequeueStuckDeployment(Sync& s, const Json& new_status) {
  const Json* current = GetCondition(StatusOf(s.d), "Progressing");
  if (!HasProgressDeadline(s.d) || !current) return;
  if (DeploymentComplete(s.d, new_status) || GetString(*current, {"reason"}) == kTimedOutReason)
    return;
  // No progress now: check again when the deadline passes (lastUpdateTime + deadline).
  SystemTime last = ParseTime(GetString(*current, {"lastUpdateTime"}));
  auto deadline = std::chrono::seconds(GetInt(s.d, {"spec", "progressDeadlineSeconds"}, 0));
  auto after = std::chrono::duration_cast<std::chrono::milliseconds>(last + deadline - s.now);
  if (after < std::chrono::seconds(1)) {
    s.result.requeue = true;
  } else {
    s.result.requeue_after = after + std::chrono::seconds(1);
  }
}

}  // namespace minik
