// JobController: batch/v1 Jobs run to completion, as upstream's pkg/controller/job.
//
// Per Job (key "ns/name"), level-triggered from the informer caches:
//  - claims its pods (controllerRef; matching orphans are adopted), creates pods from the
//    template (generateName "<job>-", finalizer batch.kubernetes.io/job-tracking, events
//    SuccessfulCreate / FailedCreate) up to min(parallelism, completions - succeeded), and
//    deletes extra ones (not-ready / unscheduled first);
//  - counts finished pods through status.uncountedTerminatedPods: a finished pod's uid is
//    written to the status first, then its tracking finalizer is removed, then the uid moves
//    into status.succeeded / status.failed; so a result is never lost or counted twice, even
//    when pods are deleted meanwhile (a deleted, unfinished pod counts as failed);
//  - pod failure back-off: after N consecutive failures the next pod waits 10 s * 2^(N-1),
//    capped at 10 min (upstream's DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff),
//    reset by a success;
//  - backoffLimit (failed > backoffLimit, or OnFailure restarts >= backoffLimit) ->
//    FailureTarget then Failed, reason BackoffLimitExceeded; activeDeadlineSeconds ->
//    DeadlineExceeded; podFailurePolicy rules (FailJob, Ignore, Count on exit codes and pod
//    conditions); active pods are deleted first and the terminal condition waits until no
//    pod is terminating, as upstream 1.31+ (SuccessCriteriaMet then Complete);
//  - suspend deletes the active pods (Suspended condition, events Suspended / Resumed);
//  - completionMode Indexed: one pod per index with the annotation and label
//    batch.kubernetes.io/job-completion-index, hostname "<job>-<index>", env
//    JOB_COMPLETION_INDEX from the downward API, status.completedIndexes ("0-2,4");
//    backoffLimitPerIndex (per-index back-off and failure-count annotations,
//    status.failedIndexes, maxFailedIndexes, FailIndex rules) and successPolicy;
//  - events Completed, BackoffLimitExceeded, DeadlineExceeded, as the "job-controller".
// Pods that lost their Job but keep the tracking finalizer (orphans, pods of finished or
// deleted Jobs) are queued under the key "pod:ns/name" and get the finalizer removed.
//
// Threads: informer handlers only record expectations and enqueue keys; Reconcile runs on
// the workers (one key never twice at once). mu_ guards the back-off records and the
// finalizer-removal expectations.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"
#include "controllers/expectations.h"

namespace minik {

class JobController final : public QueueController {
 public:
  static constexpr std::chrono::seconds kPodFailureBackoff{10};
  static constexpr std::chrono::minutes kMaxPodFailureBackoff{10};

  JobController(Client& client, Clock& clock, SharedInformerFactory& informers, int workers = 5);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  StatusOr<ReconcileResult> Sync(const std::string& key);
  struct BackoffRecord {
    int failures_after_last_success = 0;
    SystemTime last_failure{};
  };
  struct SyncState;

  StatusOr<ReconcileResult> SyncJob(const std::string& key, const Json& cached);
  Status SyncOrphanPod(const std::string& pod_key);
  Status ManageJob(const std::string& key, SyncState& s, int& active,
                   const std::function<void(std::chrono::milliseconds)>& want_requeue);
  StatusOr<std::vector<ObjectPtr>> PodsForJob(const Json& job);
  // Creates `count` pods (indexes from `indexes` when Indexed), in slow-start batches;
  // *created: how many creations succeeded. Returns the first creation error.
  // With backoffLimitPerIndex, `failure_counts` gives each index's (failed, ignored) counts
  // for the batch.kubernetes.io/job-index-*failure-count annotations.
  Status CreatePods(const std::string& key, const Json& job, int count, std::vector<int> indexes,
                    const std::map<int, std::pair<int, int>>* failure_counts, int* created);
  // Deletes pods (removing the tracking finalizer first when `remove_finalizer`).
  // Returns {deleted, deleted_ready}.
  std::pair<int, int> DeletePods(const std::string& key, const Json& job,
                                 const std::vector<ObjectPtr>& pods, bool remove_finalizer,
                                 Status* err);
  Status TrackStatusAndRemoveFinalizers(const std::string& key, SyncState& s, bool needs_flush);
  Status RemoveFinalizers(const std::string& key, const std::vector<ObjectPtr>& pods,
                          std::set<std::string>& uids_with_finalizer);
  Status UpdateStatus(Json& job);
  BackoffRecord NewBackoffRecord(const std::string& key, std::vector<ObjectPtr> succeeded,
                                 std::vector<ObjectPtr> failed);
  std::chrono::milliseconds RemainingBackoff(const BackoffRecord& r) const;

  // Handlers.
  void OnPodEvent(const Json* old_pod, const Json& pod, bool final_delete);
  void OnJobEvent(const Json& job);
  void EnqueueJobsMatching(const Json& pod);
  void EnqueueOrphanFinalizers(const Json& job);
  ObjectPtr ResolveControllerRef(const Json& pod) const;
  void FinalizerRemovalObserved(const std::string& key, const std::string& uid);
  std::set<std::string> ExpectedFinalizerRemovals(const std::string& key);

  Client& client_;
  Informer& jobs_;
  Informer& pods_;
  EventRecorder recorder_;
  ControllerExpectations expectations_;

  std::mutex mu_;
  std::map<std::string, BackoffRecord> backoff_;                // by job key
  std::map<std::string, std::set<std::string>> rm_finalizers_;  // job key -> pod uids
};

}  // namespace minik
