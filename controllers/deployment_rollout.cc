// The Deployment strategies, as upstream's rolling.go and recreate.go.
#include <algorithm>

#include "controllers/controller_ref.h"
#include "controllers/deployment_controller.h"
#include "controllers/deployment_util.h"

namespace minik {

using namespace deployutil;  // NOLINT: the helpers shared by this controller pair

// ---- RollingUpdate ---------------------------------------------------------------------------

Status DeploymentController::RolloutRolling(Sync& s) {
  Json* new_rs = nullptr;
  RSList old_rss;
  MINIK_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, true, &new_rs, &old_rss));
  RSList all = old_rss;
  all.push_back(new_rs);
  // Scale up, if we can; else scale down, if we can; a step is one write, then status.
  auto up = ReconcileNewReplicaSet(s, all, new_rs);
  if (!up.ok()) return up.status();
  if (*up) return SyncRolloutStatus(s, all, new_rs);
  auto down = ReconcileOldReplicaSets(s, all, FilterActive(old_rss), new_rs);
  if (!down.ok()) return down.status();
  if (*down) return SyncRolloutStatus(s, all, new_rs);
  if (DeploymentComplete(s.d, s.d["status"])) MINIK_RETURN_IF_ERROR(CleanupDeployment(s, old_rss));
  return SyncRolloutStatus(s, all, new_rs);
}

StatusOr<bool> DeploymentController::ReconcileNewReplicaSet(Sync& s, const RSList& all,
                                                            Json* new_rs) {
  const int64_t replicas = SpecReplicas(s.d);
  const int64_t current = SpecReplicas(*new_rs);
  if (current == replicas) return false;
  if (current > replicas) return ScaleReplicaSetAndRecordEvent(s, new_rs, replicas);
  auto count = NewRSNewReplicas(s.d, std::vector<const Json*>(all.begin(), all.end()), *new_rs);
  if (!count.ok()) return count.status();
  return ScaleReplicaSetAndRecordEvent(s, new_rs, *count);
}

StatusOr<bool> DeploymentController::ReconcileOldReplicaSets(Sync& s, const RSList& all,
                                                             RSList old_rss, Json* new_rs) {
  if (SumSpec(old_rss) == 0) return false;  // nothing left to scale down
  const int64_t all_pods = SumSpec(all);
  const int64_t min_available = SpecReplicas(s.d) - MaxUnavailable(s.d);
  // Old pods may go while the total stays above what must be available plus the new
  // replica set's pods that are not available yet (they may never become so).
  const int64_t new_unavailable =
      SpecReplicas(*new_rs) - GetInt(*new_rs, {"status", "availableReplicas"}, 0);
  const int64_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;
  // Unhealthy old replicas first: removing them does not lower availability.
  auto cleaned = CleanupUnhealthyReplicas(s, old_rss, max_scaled_down);
  if (!cleaned.ok()) return false;  // as upstream: retried on the next sync
  RSList after = old_rss;
  after.push_back(new_rs);
  auto scaled = ScaleDownOldReplicaSetsForRollingUpdate(s, after, old_rss);
  if (!scaled.ok()) return false;
  return *cleaned + *scaled > 0;
}

StatusOr<int64_t> DeploymentController::CleanupUnhealthyReplicas(Sync& s, RSList& old_rss,
                                                                 int64_t max_cleanup) {
  std::sort(old_rss.begin(), old_rss.end(), CreationLess);
  int64_t total = 0;
  for (Json* rs : old_rss) {
    if (total >= max_cleanup) break;
    const int64_t replicas = SpecReplicas(*rs);
    const int64_t available = GetInt(*rs, {"status", "availableReplicas"}, 0);
    if (replicas == 0 || replicas == available) continue;  // nothing unhealthy here
    const int64_t n = std::min(max_cleanup - total, replicas - available);
    if (replicas - n > replicas) {
      return Status(Code::kInternal,
                    "when cleaning up unhealthy replicas, got invalid request to scale down " +
                        Namespace(*rs) + "/" + Name(*rs));
    }
    auto r = ScaleReplicaSetAndRecordEvent(s, rs, replicas - n);
    if (!r.ok()) return r.status();
    total += n;
  }
  return total;
}

StatusOr<int64_t> DeploymentController::ScaleDownOldReplicaSetsForRollingUpdate(Sync& s,
                                                                                const RSList& all,
                                                                                RSList old_rss) {
  const int64_t min_available = SpecReplicas(s.d) - MaxUnavailable(s.d);
  const int64_t available = SumStatus(all, "availableReplicas");
  if (available <= min_available) return int64_t{0};
  std::sort(old_rss.begin(), old_rss.end(), CreationLess);
  int64_t total = 0;
  const int64_t wanted = available - min_available;
  for (Json* rs : old_rss) {
    if (total >= wanted) break;
    const int64_t replicas = SpecReplicas(*rs);
    if (replicas == 0) continue;
    const int64_t n = std::min(replicas, wanted - total);
    auto r = ScaleReplicaSetAndRecordEvent(s, rs, replicas - n);
    if (!r.ok()) return r.status();
    total += n;
  }
  return total;
}

// ---- Recreate --------------------------------------------------------------------------------

Status DeploymentController::RolloutRecreate(Sync& s) {
  // No new replica set yet: it must not scale up before the old ones are down.
  Json* new_rs = nullptr;
  RSList old_rss;
  MINIK_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false, &new_rs, &old_rss));
  RSList all = old_rss;
  all.push_back(new_rs);
  bool scaled_down = false;
  for (Json* rs : FilterActive(old_rss)) {
    auto r = ScaleReplicaSetAndRecordEvent(s, rs, 0);
    if (!r.ok()) return r.status();
    scaled_down = scaled_down || *r;
  }
  if (scaled_down) return SyncRolloutStatus(s, all, new_rs);
  if (OldPodsRunning(s, new_rs, old_rss)) return SyncRolloutStatus(s, all, new_rs);
  if (!new_rs) {
    MINIK_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, true, &new_rs, &old_rss));
    all = old_rss;
    all.push_back(new_rs);
  }
  auto up = ScaleReplicaSetAndRecordEvent(s, new_rs, SpecReplicas(s.d));
  if (!up.ok()) return up.status();
  if (DeploymentComplete(s.d, s.d["status"])) MINIK_RETURN_IF_ERROR(CleanupDeployment(s, old_rss));
  return SyncRolloutStatus(s, all, new_rs);
}

// Old pods still running, or an old replica set that still counts some.
bool DeploymentController::OldPodsRunning(const Sync& s, const Json* new_rs,
                                          const RSList& old_rss) const {
  if (SumStatus(old_rss, "replicas") > 0) return true;
  const Json* sel = Find(s.d, {"spec", "selector"});
  if (!sel) return false;
  auto selector = LabelSelector::FromJson(*sel);
  if (!selector.ok()) return false;
  for (const auto& rs : s.rss) {
    if (new_rs && Uid(*rs) == Uid(*new_rs)) continue;
    for (const ObjectPtr& pod : pods_.ByIndex(kControllerUidIndex, Uid(*rs))) {
      if (Namespace(*pod) != Namespace(s.d) || !selector->Matches(Labels(*pod))) continue;
      std::string phase = GetString(*pod, {"status", "phase"});
      if (phase != "Failed" && phase != "Succeeded") return true;  // Unknown counts too
    }
  }
  return false;
}

}  // namespace minik
