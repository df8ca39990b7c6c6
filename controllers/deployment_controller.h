// DeploymentController: rolls Deployments out through ReplicaSets, as upstream's
// pkg/controller/deployment. Keys are "ns/name".
//
// One reconcile of a Deployment (syncDeployment):
//  - its ReplicaSets: owned ones and the namespace's orphans (informer index by controller
//    uid), claimed with ClaimObjects on the Deployment's selector;
//  - the new ReplicaSet is the oldest one whose template equals the Deployment's, ignoring
//    pod-template-hash; when there is none and a rollout needs it, it is created as
//    "<deploy>-<hash>" with the pod-template-hash label on its labels, selector and
//    template (hash of the template and status.collisionCount; a name taken by another
//    template bumps collisionCount). The new ReplicaSet's revision annotation becomes
//    max(old revisions)+1 (an old template brought back, e.g. by `kubectl rollout undo`,
//    reuses its ReplicaSet and records the previous number in revision-history); the
//    Deployment's annotations but the skipped ones (kubernetes.io/change-cause included)
//    are copied to it, desired-replicas / max-replicas record the size it was scaled for;
//  - deleting: status only. Paused (spec.paused): Progressing=Unknown DeploymentPaused, then
//    only scaling. A changed spec.replicas (desired-replicas differs) is a scaling event:
//    the only active ReplicaSet takes the new size, or all of them proportionally;
//  - RollingUpdate: scale the new ReplicaSet up within replicas + maxSurge, the old ones
//    down keeping replicas - maxUnavailable available (unhealthy old pods first);
//    Recreate: old ReplicaSets to 0, wait until no old pod runs, then the new one to size;
//  - a finished rollout deletes old ReplicaSets with no replicas beyond revisionHistoryLimit;
//  - status: observedGeneration, replicas, updatedReplicas, readyReplicas,
//    availableReplicas, unavailableReplicas, collisionCount (zero counts omitted, as the
//    API serializes them), conditions Available (MinimumReplicasAvailable /
//    MinimumReplicasUnavailable) and Progressing (NewReplicaSetCreated, FoundNewReplicaSet,
//    ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused,
//    DeploymentResumed, ReplicaSetCreateError), ReplicaFailure copied from ReplicaSets;
//    written only when changed. A rollout without progress is requeued for the moment its
//    progressDeadlineSeconds runs out.
// Events: ScalingReplicaSet "Scaled up replica set x from 0 to 3" / "Scaled down ...",
// ReplicaSetCreateError, SelectingAll.
//
// A write that conflicts (the cache was behind) requeues the key, rate-limited, without an
// error; other errors are returned.
//
// Threads: informer handlers only enqueue keys; workers run Reconcile (one key never on two
// workers at once). A reconcile works on its own copies (struct Sync).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "api/selector.h"
#include "controllers/controller.h"

namespace minik {

class DeploymentController final : public QueueController {
 public:
  DeploymentController(Client& client, Clock& clock, SharedInformerFactory& informers,
                       int workers = 2);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  // The state of one reconcile: working copies of the Deployment and its ReplicaSets
  // (replaced by what the API returns after each write).
  struct Sync {
    Json d;
    std::vector<std::shared_ptr<Json>> rss;
    SystemTime now;
    ReconcileResult result;
  };
  using RSList = std::vector<Json*>;

  // Reconcile without the conflict mapping (syncDeployment).
  StatusOr<ReconcileResult> SyncDeployment(const std::string& key);

  // Handlers.
  ObjectPtr ResolveDeployment(const std::string& ns, const Json& ref) const;
  void EnqueueMatchingDeployments(const Json& rs);
  void AddReplicaSet(const Json& rs);
  void UpdateReplicaSet(const Json& old_rs, const Json& rs);
  void DeleteReplicaSet(const Json& rs);
  void DeletePod(const Json& pod);

  // deployment_controller.cc: claiming, revisions, scaling, status.
  Status ClaimReplicaSets(Sync& s, const LabelSelector& selector);
  Status GetAllReplicaSetsAndSyncRevision(Sync& s, bool create, Json** new_rs, RSList* old_rss);
  StatusOr<Json*> GetNewReplicaSet(Sync& s, Json* existing, const RSList& old_rss, bool create);
  Status SyncStatusOnly(Sync& s);
  Status SyncScale(Sync& s);  // upstream's sync(): scaling events and paused deployments
  Status CheckPausedConditions(Sync& s);
  StatusOr<bool> IsScalingEvent(Sync& s);
  Status Scale(Sync& s, Json* new_rs, RSList old_rss);
  StatusOr<bool> ScaleReplicaSetAndRecordEvent(Sync& s, Json* rs, int64_t new_scale);
  StatusOr<bool> ScaleReplicaSet(Sync& s, Json* rs, int64_t new_scale);
  Status CleanupDeployment(Sync& s, const RSList& old_rss);
  Json CalculateStatus(const Sync& s, const RSList& all, const Json* new_rs) const;
  Status SyncDeploymentStatus(Sync& s, const RSList& all, const Json* new_rs);
  Status SyncRolloutStatus(Sync& s, const RSList& all, const Json* new_rs);
  void RequeueStuckDeployment(Sync& s, const Json& new_status);
  Status UpdateDeploymentStatus(Sync& s);

  // deployment_rollout.cc: the two strategies.
  Status RolloutRolling(Sync& s);
  StatusOr<bool> ReconcileNewReplicaSet(Sync& s, const RSList& all, Json* new_rs);
  StatusOr<bool> ReconcileOldReplicaSets(Sync& s, const RSList& all, RSList old_rss, Json* new_rs);
  StatusOr<int64_t> CleanupUnhealthyReplicas(Sync& s, RSList& old_rss, int64_t max_cleanup);
  StatusOr<int64_t> ScaleDownOldReplicaSetsForRollingUpdate(Sync& s, const RSList& all,
                                                            RSList old_rss);
  Status RolloutRecreate(Sync& s);
  bool OldPodsRunning(const Sync& s, const Json* new_rs, const RSList& old_rss) const;

  Client& client_;
  Informer& deployments_;
  Informer& replica_sets_;
  Informer& pods_;
  EventRecorder recorder_;
};

}  // namespace minik
