#include "controllers/job_controller.h"

#include <algorithm>

#include "api/log.h"
#include "api/selector.h"
#include "controllers/controller_ref.h"
#include "controllers/job_util.h"

namespace minik {

using namespace jobutil;  // the Job helpers (job_util.h)

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

const ResourceRef kJobs{"batch", "v1", "jobs"};
const ResourceRef kPods{"", "v1", "pods"};
constexpr const char* kPodIndex = "job-pods";     // "uid:<job uid>" / "orphan:<ns>"
constexpr const char* kOrphanKeyPrefix = "pod:";  // queue keys of orphan pods
constexpr size_t kMaxUncountedPods = 500;
constexpr int kMaxPodCreateDeletePerSync = 500;

}  // namespace

struct JobController::SyncState {
  Json job;  // working copy; status written back from here
  std::vector<ObjectPtr> pods;
  std::vector<ObjectPtr> active_pods;
  std::optional<Json> finished;  // the condition the job is about to get
  int succeeded = 0;
  int failed = 0;
  int ready = 0;
  int terminating = 0;
  Intervals prev_succeeded_indexes, succeeded_indexes;
  std::optional<Intervals> failed_indexes;  // with backoffLimitPerIndex
  // Per index, the failed pod whose finalizer stays until its replacement exists (it carries
  // the index's failure count).
  std::map<int, ObjectPtr> delayed;
  BackoffRecord new_backoff;
  std::set<std::string> expected_rm;
  std::set<std::string> uncounted_succeeded, uncounted_failed;
};

JobController::JobController(Client& client, Clock& clock, SharedInformerFactory& informers,
                             int workers)
    : QueueController("job-controller", clock, workers,
                      RateLimit{std::chrono::seconds(1), std::chrono::minutes(1)}),
      client_(client),
      jobs_(informers.For(kJobs)),
      pods_(informers.For(kPods)),
      recorder_(client, clock, "job-controller"),
      expectations_(clock) {
  (void)pods_.AddIndex(kPodIndex, [](const Json& pod) -> std::vector<std::string> {
    if (const Json* ref = ControllerRefOf(pod)) {
      if (GetString(*ref, {"kind"}) != "Job") return {};
      return {"uid:" + GetString(*ref, {"uid"})};
    }
    return {"orphan:" + Namespace(pod)};
  });
  jobs_.AddEventHandler({[this](const Json& job) { OnJobEvent(job); },
                         [this](const Json&, const Json& job) { OnJobEvent(job); },
                         [this](const Json& job) {
                           Enqueue(job);
                           EnqueueOrphanFinalizers(job);
                         }});
  pods_.AddEventHandler(
      {[this](const Json& pod) { OnPodEvent(nullptr, pod, false); },
       [this](const Json& old_pod, const Json& pod) { OnPodEvent(&old_pod, pod, false); },
       [this](const Json& pod) { OnPodEvent(nullptr, pod, true); }});
}

// ---- handlers -------------------------------------------------------------------------------

void JobController::OnJobEvent(const Json& job) {
  Enqueue(job);
  // A finished Job no longer removes finalizers in its sync: hand its pods to the orphan path.
  if (IsFinished(job)) EnqueueOrphanFinalizers(job);
}

void JobController::EnqueueOrphanFinalizers(const Json& job) {
  for (const ObjectPtr& p : pods_.ByIndex(kPodIndex, "uid:" + Uid(job)))
    if (HasTrackingFinalizer(*p)) queue().Add(kOrphanKeyPrefix + ObjectKey(*p));
}

ObjectPtr JobController::ResolveControllerRef(const Json& pod) const {
  const Json* ref = ControllerRefOf(pod);
  if (!ref || GetString(*ref, {"kind"}) != "Job") return nullptr;
  ObjectPtr job = jobs_.Get(Namespace(pod) + "/" + GetString(*ref, {"name"}));
  if (!job || Uid(*job) != GetString(*ref, {"uid"})) return nullptr;
  return job;
}

void JobController::EnqueueJobsMatching(const Json& pod) {
  for (const ObjectPtr& job : jobs_.ByIndex(kNamespaceIndex, Namespace(pod))) {
    const Json* sel_json = Find(*job, {"spec", "selector"});
    if (!sel_json || !sel_json->is_object()) continue;
    auto sel = LabelSelector::FromJson(*sel_json);
    if (!sel.ok() || sel->Empty()) continue;
    if (sel->Matches(Labels(pod))) Enqueue(*job);
  }
}

void JobController::OnPodEvent(const Json* old_pod, const Json& pod, bool final_delete) {
  const bool has_fin = HasTrackingFinalizer(pod);
  if (old_pod && ResourceVersion(*old_pod) == ResourceVersion(pod)) return;
  // The old controller, when the controllerRef changed.
  if (old_pod) {
    const Json* old_ref = ControllerRefOf(*old_pod);
    const Json* cur_ref = ControllerRefOf(pod);
    bool changed = (old_ref == nullptr) != (cur_ref == nullptr) ||
                   (old_ref && cur_ref && *old_ref != *cur_ref);
    if (changed && old_ref) {
      if (ObjectPtr job = ResolveControllerRef(*old_pod)) {
        if (!has_fin) FinalizerRemovalObserved(ObjectKey(*job), Uid(pod));
        Enqueue(*job);
      }
    }
  }
  ObjectPtr job = ResolveControllerRef(pod);
  if (!job) {
    if (has_fin) queue().Add(kOrphanKeyPrefix + ObjectKey(pod));
    if (!ControllerRefOf(pod) && !final_delete) EnqueueJobsMatching(pod);  // adoption
    return;
  }
  const std::string key = ObjectKey(*job);
  const bool deleting = final_delete || IsBeingDeleted(pod);
  if (deleting) {
    if (IsFinished(*job)) {
      if (has_fin) queue().Add(kOrphanKeyPrefix + ObjectKey(pod));
      return;
    }
    // A creation observed already counts the pod once; a deletion of an already-terminating
    // pod is observed again: the expectation simply stays met.
    if (!old_pod || !IsBeingDeleted(*old_pod) || final_delete) expectations_.DeletionObserved(key);
    if (final_delete || !has_fin) FinalizerRemovalObserved(key, Uid(pod));
  } else if (!old_pod) {
    expectations_.CreationObserved(key);
  } else if (!has_fin) {
    FinalizerRemovalObserved(key, Uid(pod));
  }
  Enqueue(*job);
}

void JobController::FinalizerRemovalObserved(const std::string& key, const std::string& uid) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = rm_finalizers_.find(key);
  if (it == rm_finalizers_.end()) return;
  it->second.erase(uid);
  if (it->second.empty()) rm_finalizers_.erase(it);
}

std::set<std::string> JobController::ExpectedFinalizerRemovals(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = rm_finalizers_.find(key);
  return it == rm_finalizers_.end() ? std::set<std::string>{} : it->second;
}

// ---- reconcile ------------------------------------------------------------------------------

StatusOr<ReconcileResult> JobController::Reconcile(const std::string& key) {
  auto r = Sync(key);
  // A write based on a stale cache: the informer brings the new version, retry quietly.
  if (!r.ok() && r.status().code() == Code::kConflict) return ReconcileResult{true};
  return r;
}

StatusOr<ReconcileResult> JobController::Sync(const std::string& key) {
  if (key.rfind(kOrphanKeyPrefix, 0) == 0) {
    Status st = SyncOrphanPod(key.substr(std::char_traits<char>::length(kOrphanKeyPrefix)));
    if (!st.ok()) return st;
    return ReconcileResult{};
  }
  ObjectPtr job = jobs_.Get(key);
  if (!job) {
    expectations_.Delete(key);
    std::lock_guard<std::mutex> g(mu_);
    rm_finalizers_.erase(key);
    backoff_.erase(key);
    return ReconcileResult{};
  }
  return SyncJob(key, *job);
}

Status JobController::SyncOrphanPod(const std::string& pod_key) {
  ObjectPtr pod = pods_.Get(pod_key);
  if (!pod || !HasTrackingFinalizer(*pod)) return Status::Ok();
  if (const Json* ref = ControllerRefOf(*pod)) {
    // Owned by something that is not a batch/v1 Job: not ours to touch.
    if (GetString(*ref, {"kind"}) != "Job" || GetString(*ref, {"apiVersion"}) != "batch/v1")
      return Status::Ok();
    ObjectPtr job = ResolveControllerRef(*pod);
    if (job && !IsFinished(*job)) return Status::Ok();  // adopted or still tracked
  }
  Json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {kTrackingFinalizer}}}}};
  auto r =
      client_.Patch(kPods, Namespace(*pod), Name(*pod), PatchType::kStrategicMerge, patch.dump());
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  return Status::Ok();
}

StatusOr<std::vector<ObjectPtr>> JobController::PodsForJob(const Json& job) {
  const Json* sel_json = Find(job, {"spec", "selector"});
  auto selector = LabelSelector::FromJson(sel_json ? *sel_json : Json());
  if (!selector.ok())
    return Internal("couldn't convert Job selector: " + selector.status().message());
  std::vector<ObjectPtr> candidates = pods_.ByIndex(kPodIndex, "uid:" + Uid(job));
  std::vector<ObjectPtr> orphans = pods_.ByIndex(kPodIndex, "orphan:" + Namespace(job));
  // An empty selector selects nothing for a Job (the apiserver always sets one).
  if (!selector->Empty()) candidates.insert(candidates.end(), orphans.begin(), orphans.end());
  ClaimSpec spec{"batch/v1", "Job", kJobs, kPods};
  auto claimed = ClaimObjects(client_, spec, job, *selector, candidates);
  if (!claimed.ok()) return claimed.status();
  // Adopted pods get the tracking finalizer, as the ControllerRefManager's adoption patch.
  std::set<const Json*> known;
  for (const ObjectPtr& c : candidates) known.insert(c.get());
  for (ObjectPtr& p : *claimed) {
    if (known.count(p.get()) || HasTrackingFinalizer(*p)) continue;
    Json patch = {{"metadata", {{"finalizers", {kTrackingFinalizer}}}}};
    auto r =
        client_.Patch(kPods, Namespace(*p), Name(*p), PatchType::kStrategicMerge, patch.dump());
    if (r.ok()) p = std::make_shared<const Json>(std::move(*r));
  }
  return claimed;
}

StatusOr<ReconcileResult> JobController::SyncJob(const std::string& key, const Json& cached) {
  if (IsFinished(cached)) {
    {
      std::lock_guard<std::mutex> g(mu_);
      backoff_.erase(key);
    }
    EnqueueOrphanFinalizers(cached);
    return ReconcileResult{};
  }
  std::string mode = GetString(cached, {"spec", "completionMode"});
  if (!mode.empty() && mode != "NonIndexed" && mode != "Indexed") {
    recorder_.Record(cached, "Warning", "UnknownCompletionMode",
                     "Skipped Job sync because completion mode is unknown");
    return ReconcileResult{};
  }
  const SystemTime now = clock_.Now();
  SyncState s;
  s.job = cached;
  if (!s.job["status"].is_object()) s.job["status"] = Json::object();
  if (!s.job["status"]["uncountedTerminatedPods"].is_object())
    s.job["status"]["uncountedTerminatedPods"] = Json::object();
  const Json& job = s.job;

  // Expectations first: a pod created after this check is seen by the next sync.
  const bool satisfied = expectations_.Satisfied(key);
  auto pods = PodsForJob(job);
  if (!pods.ok()) return pods.status();
  s.pods = std::move(*pods);
  for (const ObjectPtr& p : s.pods) {
    if (IsActive(*p)) {
      s.active_pods.push_back(p);
      if (IsReady(*p)) ++s.ready;
    }
    if (IsBeingDeleted(*p) && !IsTerminal(*p)) ++s.terminating;
  }
  s.uncounted_succeeded = UidSet(job["status"], "succeeded");
  s.uncounted_failed = UidSet(job["status"], "failed");
  s.expected_rm = ExpectedFinalizerRemovals(key);
  int active = static_cast<int>(s.active_pods.size());

  // Newly finished pods: still with the finalizer, not yet in the uncounted lists.
  std::vector<ObjectPtr> new_succeeded, new_failed;
  int new_failed_counted = 0;
  const Json* policy = FailurePolicy(job);
  for (const ObjectPtr& p : s.pods) {
    const std::string uid = Uid(*p);
    if (!HasTrackingFinalizer(*p) || s.expected_rm.count(uid)) continue;
    if (IsIndexed(job)) {
      int ix = CompletionIndex(*p);
      if (ix == kUnknownIndex || ix >= Completions(job)) continue;
    }
    if (Phase(*p) == "Succeeded" && !s.uncounted_succeeded.count(uid)) new_succeeded.push_back(p);
    if (IsPodFailed(*p, job) && !s.uncounted_failed.count(uid)) {
      new_failed.push_back(p);
      if (MatchPodFailurePolicy(policy, *p).count) ++new_failed_counted;
    }
  }
  s.succeeded = static_cast<int>(GetInt(job, {"status", "succeeded"}) + new_succeeded.size() +
                                 s.uncounted_succeeded.size());
  s.failed = static_cast<int>(GetInt(job, {"status", "failed"}) + new_failed_counted +
                              s.uncounted_failed.size());

  if (!Find(job, {"status", "startTime"}) && !Suspended(job))
    s.job["status"]["startTime"] = FormatRfc3339(now);
  s.new_backoff = NewBackoffRecord(key, new_succeeded, new_failed);

  milliseconds requeue{0};
  auto want_requeue = [&](milliseconds d) {
    if (d.count() <= 0) d = milliseconds(1);
    if (requeue.count() == 0 || d < requeue) requeue = d;
  };

  // The terminal condition, if any: an earlier SuccessCriteriaMet / FailureTarget decides.
  if (const Json* conds = Find(job, {"status", "conditions"}); conds && conds->is_array()) {
    for (const Json& c : *conds) {
      if (GetString(c, {"status"}) != "True") continue;
      if (GetString(c, {"type"}) == "SuccessCriteriaMet") s.finished = c;
    }
    if (!s.finished) {
      for (const Json& c : *conds) {
        if (GetString(c, {"status"}) == "True" && GetString(c, {"type"}) == "FailureTarget")
          s.finished = NewCondition("Failed", "True", GetString(c, {"reason"}),
                                    GetString(c, {"message"}), now);
      }
    }
  }
  if (!s.finished && policy) {
    for (const ObjectPtr& p : s.pods) {
      if (!IsPodFailed(*p, job)) continue;
      PolicyMatch m = MatchPodFailurePolicy(policy, *p);
      if (m.fail_job_message) {
        s.finished =
            NewCondition("FailureTarget", "True", "PodFailurePolicy", *m.fail_job_message, now);
        break;
      }
    }
  }
  if (!s.finished) {
    bool past_on_failure = false;
    if (GetString(job, {"spec", "template", "spec", "restartPolicy"}) == "OnFailure") {
      int restarts = 0;
      for (const ObjectPtr& p : s.pods)
        if (Phase(*p) == "Running" || Phase(*p) == "Pending") restarts += RestartCount(*p);
      past_on_failure = BackoffLimit(job) == 0 ? restarts > 0 : restarts >= BackoffLimit(job);
    }
    const Json* ads = Find(job, {"spec", "activeDeadlineSeconds"});
    SystemTime start = ParseTime(job, {"status", "startTime"});
    if (s.failed > BackoffLimit(job) || past_on_failure) {
      s.finished = NewCondition("FailureTarget", "True", "BackoffLimitExceeded",
                                "Job has reached the specified backoff limit", now);
    } else if (ads && ads->is_number_integer() && !Suspended(job)) {
      auto allowed = seconds(ads->get<int64_t>());
      auto elapsed = now - start;
      if (elapsed >= allowed) {
        s.finished = NewCondition("FailureTarget", "True", "DeadlineExceeded",
                                  "Job was active longer than specified deadline", now);
      } else {
        want_requeue(duration_cast<milliseconds>(allowed - elapsed));
      }
    }
  }
  if (IsIndexed(job)) {
    s.prev_succeeded_indexes =
        ParseIndexes(GetString(job, {"status", "completedIndexes"}), Completions(job));
    std::set<int> done;
    for (const ObjectPtr& p : s.pods) {
      int ix = CompletionIndex(*p);
      if (Phase(*p) == "Succeeded" && ix != kUnknownIndex && ix < Completions(job) &&
          HasTrackingFinalizer(*p))
        done.insert(ix);
    }
    s.succeeded_indexes = WithIndexes(s.prev_succeeded_indexes, done);
    s.succeeded = Total(s.succeeded_indexes);
    if (PerIndex(job)) {
      Intervals prev = ParseIndexes(GetString(job, {"status", "failedIndexes"}), Completions(job));
      std::set<int> failed_now;
      for (const ObjectPtr& p : s.pods) {
        int ix = CompletionIndex(*p);
        if (ix != kUnknownIndex && ix < Completions(job) && HasTrackingFinalizer(*p) &&
            IsIndexFailed(job, *p))
          failed_now.insert(ix);
      }
      s.failed_indexes = WithIndexes(prev, failed_now);
      const int failed_total = Total(*s.failed_indexes);
      const Json* max_failed = Find(job, {"spec", "maxFailedIndexes"});
      if (!s.finished) {
        if (max_failed && max_failed->is_number_integer() &&
            failed_total > max_failed->get<int64_t>()) {
          s.finished =
              NewCondition("FailureTarget", "True", "MaxFailedIndexesExceeded",
                           "Job has exceeded the specified maximal number of failed indexes", now);
        } else if (failed_total > 0 &&
                   failed_total + Total(s.succeeded_indexes) >= Completions(job)) {
          s.finished =
              NewCondition("FailureTarget", "True", "FailedIndexes", "Job has failed indexes", now);
        }
      }
      // getPodsWithDelayedDeletionPerIndex.
      std::set<int> active_ix;
      PodIndexes(s.active_pods, &active_ix);
      for (const ObjectPtr& p : s.pods) {
        int ix = CompletionIndex(*p);
        if (!HasTrackingFinalizer(*p) || s.expected_rm.count(Uid(*p)) || ix == kUnknownIndex ||
            ix >= Completions(job) || !IsPodFailed(*p, job))
          continue;
        if (Has(s.succeeded_indexes, ix) || Has(*s.failed_indexes, ix) || active_ix.count(ix))
          continue;
        auto it = s.delayed.find(ix);
        if (it == s.delayed.end() ||
            (AbsoluteFailureCount(*it->second) <= AbsoluteFailureCount(*p) &&
             FinishedTime(*p) >= FinishedTime(*it->second)))
          s.delayed[ix] = p;
      }
    }
    if (!s.finished) {
      if (auto msg = MatchSuccessPolicy(job, s.succeeded_indexes))
        s.finished = NewCondition("SuccessCriteriaMet", "True", "SuccessPolicy", *msg, now);
    }
  }

  bool suspend_changed = false;
  Status manage_err;
  if (s.finished) {
    Status err;
    auto [deleted, deleted_ready] = DeletePods(key, job, s.active_pods, false, &err);
    // Not finished yet while pods remain or the cache may still miss some.
    if (deleted != active || !satisfied) s.finished.reset();
    active -= deleted;
    s.terminating += deleted;
    s.ready -= deleted_ready;
    manage_err = err;
  } else {
    bool manage_called = false;
    if (satisfied && !IsBeingDeleted(job)) {
      manage_called = true;
      manage_err = ManageJob(key, s, active, want_requeue);
    }
    bool complete = HasCompletions(job) ? s.succeeded >= Completions(job) && active == 0
                                        : s.succeeded > 0 && active == 0;
    if (complete) {
      s.finished = NewCondition("SuccessCriteriaMet", "True", "CompletionsReached",
                                "Reached expected number of succeeded pods", now);
    } else if (manage_called) {
      Json& st = s.job["status"];
      if (Suspended(job)) {
        if (EnsureCondition(st, "Suspended", "True", "JobSuspended", "Job suspended", now)) {
          suspend_changed = true;
          recorder_.Record(job, "Normal", "Suspended", "Job suspended");
        }
      } else if (EnsureCondition(st, "Suspended", "False", "JobResumed", "Job resumed", now)) {
        suspend_changed = true;
        recorder_.Record(job, "Normal", "Resumed", "Job resumed");
        // A resumed job starts its activeDeadlineSeconds afresh.
        st["startTime"] = FormatRfc3339(now);
      }
    }
  }

  Json& st = s.job["status"];
  bool needs = suspend_changed || active != GetInt(st, {"active"}) || !st.contains("ready") ||
               s.ready != GetInt(st, {"ready"}) || !st.contains("terminating") ||
               s.terminating != GetInt(st, {"terminating"});
  st["active"] = active;
  st["ready"] = s.ready;
  st["terminating"] = s.terminating;
  Status tracked = TrackStatusAndRemoveFinalizers(key, s, needs);
  if (!tracked.ok()) return tracked;
  if (!manage_err.ok()) return manage_err;
  return ReconcileResult{false, requeue};
}

Status JobController::CreatePods(const std::string& key, const Json& job, int count,
                                 std::vector<int> indexes,
                                 const std::map<int, std::pair<int, int>>* failure_counts,
                                 int* created_out) {
  Json tmpl = job["spec"].value("template", Json::object());
  if (!tmpl.is_object()) tmpl = Json::object();
  if (!tmpl["metadata"].is_object()) tmpl["metadata"] = Json::object();
  if (!tmpl["spec"].is_object()) tmpl["spec"] = Json::object();
  if (IsIndexed(job)) AddIndexEnv(tmpl["spec"]);
  Json& fins = tmpl["metadata"]["finalizers"];
  if (!fins.is_array()) fins = Json::array();
  if (!HasFinalizer(tmpl, kTrackingFinalizer)) fins.push_back(kTrackingFinalizer);

  expectations_.Expect(key, count, 0);
  int created = 0;
  Status first_err;
  // Slow start: batches of 1, 2, 4, ... stop at the first batch with a failure.
  size_t next = 0;
  for (int batch = 1, left = count; left > 0; batch = std::min(2 * batch, left)) {
    batch = std::min(batch, left);
    int failures = 0;
    for (int i = 0; i < batch; ++i) {
      Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
      Json meta = Json::object();
      for (const char* f : {"labels", "annotations", "finalizers"})
        if (tmpl["metadata"].contains(f)) meta[f] = tmpl["metadata"][f];
      meta["generateName"] = Name(job) + "-";
      meta["ownerReferences"] = Json::array({NewControllerRef(job, "batch/v1", "Job")});
      pod["spec"] = tmpl["spec"];
      if (next < indexes.size()) {
        int ix = indexes[next++];
        if (!meta["annotations"].is_object()) meta["annotations"] = Json::object();
        if (!meta["labels"].is_object()) meta["labels"] = Json::object();
        meta["annotations"][kIndexKey] = IndexLabelValue(ix);
        meta["labels"][kIndexKey] = IndexLabelValue(ix);
        pod["spec"]["hostname"] = Name(job) + "-" + std::to_string(ix);
        meta["generateName"] = GenerateNameWithIndex(Name(job), ix);
        if (failure_counts) {
          auto it = failure_counts->find(ix);
          std::pair<int, int> c =
              it == failure_counts->end() ? std::pair<int, int>{0, 0} : it->second;
          meta["annotations"][kIndexFailureCount] = std::to_string(c.first);
          if (c.second > 0) meta["annotations"][kIndexIgnoredCount] = std::to_string(c.second);
        }
      }
      pod["metadata"] = std::move(meta);
      auto r = client_.Create(kPods, Namespace(job), std::move(pod));
      if (!r.ok()) {
        expectations_.CreationObserved(key);
        ++failures;
        // A namespace being torn down refuses every pod: nothing to report.
        if (r.status().code() == Code::kForbidden &&
            r.status().message().find("being terminated") != std::string::npos)
          continue;
        recorder_.Record(job, "Warning", "FailedCreate", "Error creating: " + r.status().message());
        if (first_err.ok()) first_err = r.status();
        continue;
      }
      ++created;
      recorder_.Record(job, "Normal", "SuccessfulCreate", "Created pod: " + Name(*r));
    }
    left -= batch;
    if (failures > 0) {
      // The skipped creations will not be observed.
      for (int i = 0; i < left; ++i) expectations_.CreationObserved(key);
      break;
    }
  }
  *created_out = created;
  return first_err;
}

std::pair<int, int> JobController::DeletePods(const std::string& key, const Json& job,
                                              const std::vector<ObjectPtr>& pods,
                                              bool remove_finalizer, Status* err) {
  int deleted = 0, deleted_ready = 0;
  for (const ObjectPtr& p : pods) {
    if (remove_finalizer && HasTrackingFinalizer(*p)) {
      Json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {kTrackingFinalizer}}}}};
      auto r =
          client_.Patch(kPods, Namespace(*p), Name(*p), PatchType::kStrategicMerge, patch.dump());
      if (!r.ok()) {
        expectations_.DeletionObserved(key);
        if (r.status().code() != Code::kNotFound && err->ok()) *err = r.status();
        continue;
      }
    }
    auto r = client_.Delete(kPods, Namespace(*p), Name(*p));
    if (!r.ok()) {
      if (remove_finalizer) expectations_.DeletionObserved(key);
      if (r.status().code() != Code::kNotFound) {
        recorder_.Record(job, "Warning", "FailedDelete", "Error deleting: " + r.status().message());
        if (err->ok()) *err = r.status();
        continue;
      }
    } else {
      recorder_.Record(job, "Normal", "SuccessfulDelete", "Deleted pod: " + Name(*p));
    }
    ++deleted;
    if (IsReady(*p)) ++deleted_ready;
  }
  return {deleted, deleted_ready};
}

// manageJob: suspend, or delete extra pods, or create missing ones (respecting back-off).
Status JobController::ManageJob(const std::string& key, SyncState& s, int& active,
                                const std::function<void(milliseconds)>& want_requeue) {
  const Json& job = s.job;
  Status manage_err;
  if (Suspended(job)) {
    std::vector<ObjectPtr> rm = s.active_pods;
    expectations_.Expect(key, 0, static_cast<int>(rm.size()));
    Status err;
    auto [removed, removed_ready] = DeletePods(key, job, rm, true, &err);
    active -= removed;
    s.terminating += removed;
    s.ready -= removed_ready;
    manage_err = err;
  } else {
    int parallelism = Parallelism(job);
    int want = 0;
    if (!HasCompletions(job)) {
      want = s.succeeded > 0 ? active : parallelism;
    } else {
      want = std::clamp(Completions(job) - s.succeeded, 0, parallelism);
    }
    // Pods to remove: duplicated / out-of-range / index-less pods of an Indexed job,
    // then the extra ones, in deletion order.
    std::vector<ObjectPtr> rm, left;
    if (IsIndexed(job)) {
      std::map<int, std::vector<ObjectPtr>> by_index;
      for (const ObjectPtr& p : s.active_pods) {
        int ix = CompletionIndex(*p);
        if (ix == kUnknownIndex || ix >= Completions(job)) {
          rm.push_back(p);
        } else {
          by_index[ix].push_back(p);
        }
      }
      for (auto& [ix, same] : by_index) {
        std::sort(same.begin(), same.end(), DeleteFirst);
        rm.insert(rm.end(), same.begin(), same.end() - 1);
        left.push_back(same.back());
      }
    } else {
      left = s.active_pods;
    }
    int rm_at_least = std::max(0, active - want);
    if (static_cast<int>(rm.size()) < rm_at_least) {
      std::sort(left.begin(), left.end(), DeleteFirst);
      rm.insert(rm.end(), left.begin(), left.begin() + (rm_at_least - rm.size()));
    }
    if (static_cast<int>(rm.size()) > kMaxPodCreateDeletePerSync)
      rm.resize(kMaxPodCreateDeletePerSync);
    if (!rm.empty()) {
      expectations_.Expect(key, 0, static_cast<int>(rm.size()));
      Status err;
      auto [removed, removed_ready] = DeletePods(key, job, rm, true, &err);
      active -= removed;
      s.terminating += removed;
      s.ready -= removed_ready;
      manage_err = err;
    } else {
      int terminating = OnlyReplaceFailedPods(job) ? s.terminating : 0;
      int diff = want - terminating - active;
      if (diff > 0) {
        // With backoffLimitPerIndex each index has its own back-off (below).
        milliseconds remaining = PerIndex(job) ? milliseconds(0) : RemainingBackoff(s.new_backoff);
        if (remaining.count() > 0) {
          want_requeue(std::max(remaining, milliseconds(1000)));
        } else {
          diff = std::min(diff, kMaxPodCreateDeletePerSync);
          std::vector<int> indexes;
          if (IsIndexed(job)) {
            std::set<int> busy;
            PodIndexes(s.active_pods, &busy);
            if (OnlyReplaceFailedPods(job)) {
              std::vector<ObjectPtr> term;
              for (const ObjectPtr& p : s.pods)
                if (IsBeingDeleted(*p) && !IsTerminal(*p)) term.push_back(p);
              std::set<int> t;
              PodIndexes(term, &t);
              busy.insert(t.begin(), t.end());
            }
            Intervals non_pending = WithIndexes(s.succeeded_indexes, busy);
            if (s.failed_indexes) non_pending = Merge(non_pending, *s.failed_indexes);
            for (int c = 0; c < Completions(job) && static_cast<int>(indexes.size()) < diff; ++c)
              if (!Has(non_pending, c)) indexes.push_back(c);
            if (PerIndex(job)) {
              // getPodCreationInfoForIndependentIndexes: only indexes out of back-off.
              std::vector<int> now_ready;
              milliseconds min_left{0};
              for (int ix : indexes) {
                milliseconds left{0};
                if (auto it = s.delayed.find(ix); it != s.delayed.end()) {
                  BackoffRecord r{AbsoluteFailureCount(*it->second) + 1, FinishedTime(*it->second)};
                  left = RemainingBackoff(r);
                }
                if (left.count() == 0) {
                  now_ready.push_back(ix);
                } else if (min_left.count() == 0 || left < min_left) {
                  min_left = left;
                }
              }
              if (now_ready.empty() && min_left.count() > 0)
                want_requeue(std::max(min_left, milliseconds(1000)));
              indexes = std::move(now_ready);
            }
            diff = static_cast<int>(indexes.size());
          }
          if (diff > 0) {
            int created = 0;
            std::map<int, std::pair<int, int>> counts;
            if (PerIndex(job)) {
              // addIndexFailureCountAnnotation: the replaced pod's counts plus its failure.
              for (int ix : indexes) {
                std::pair<int, int>& c = counts[ix];
                auto it = s.delayed.find(ix);
                if (it == s.delayed.end()) continue;
                c = {AnnotationCount(*it->second, kIndexFailureCount),
                     AnnotationCount(*it->second, kIndexIgnoredCount)};
                if (MatchPodFailurePolicy(FailurePolicy(job), *it->second).count) {
                  ++c.first;
                } else {
                  ++c.second;
                }
              }
            }
            manage_err = CreatePods(key, job, diff, std::move(indexes),
                                    PerIndex(job) ? &counts : nullptr, &created);
            active += created;
          }
        }
      }
    }
  }
  return manage_err;
}

Status JobController::UpdateStatus(Json& job) {
  Json body = job;
  Json& st = body["status"];
  // Zero counters are omitted, as the Go types' omitempty.
  for (const char* f : {"active", "succeeded", "failed"})
    if (st.contains(f) && st[f] == 0) st.erase(f);
  Json& unc = st["uncountedTerminatedPods"];
  for (const char* f : {"succeeded", "failed"})
    if (unc.contains(f) && (!unc[f].is_array() || unc[f].empty())) unc.erase(f);
  auto r = client_.Update(kJobs, Namespace(job), std::move(body), {}, "status");
  if (!r.ok()) return r.status();
  job = std::move(*r);
  if (!job["status"].is_object()) job["status"] = Json::object();
  if (!job["status"]["uncountedTerminatedPods"].is_object())
    job["status"]["uncountedTerminatedPods"] = Json::object();
  return Status::Ok();
}

namespace {
// cleanUncountedPodsWithoutFinalizers: uids whose pod no longer has the finalizer move from
// the uncounted lists into the counters. True when the status changed.
bool CleanUncounted(Json& status, const std::set<std::string>& with_finalizer) {
  bool updated = false;
  Json& unc = status["uncountedTerminatedPods"];
  for (const char* list : {"succeeded", "failed"}) {
    if (!unc.contains(list) || !unc[list].is_array()) continue;
    Json& l = unc[list];
    Json keep = Json::array();
    for (const Json& uid : l)
      if (uid.is_string() && with_finalizer.count(uid.get<std::string>())) keep.push_back(uid);
    if (keep.size() != l.size()) {
      updated = true;
      status[list] = GetInt(status, {list}) + static_cast<int64_t>(l.size() - keep.size());
      l = std::move(keep);
    }
  }
  return updated;
}
}  // namespace

Status JobController::TrackStatusAndRemoveFinalizers(const std::string& key, SyncState& s,
                                                     bool needs_flush) {
  const SystemTime now = clock_.Now();
  const bool indexed = IsIndexed(s.job);
  if (indexed) {
    std::stable_sort(s.pods.begin(), s.pods.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return CompletionIndex(*a) < CompletionIndex(*b);
    });
  }
  std::set<std::string> with_finalizer;
  for (const ObjectPtr& p : s.pods)
    if (HasTrackingFinalizer(*p) && !s.expected_rm.count(Uid(*p))) with_finalizer.insert(Uid(*p));
  if (CleanUncounted(s.job["status"], with_finalizer)) needs_flush = true;

  Json& unc = s.job["status"]["uncountedTerminatedPods"];
  for (const char* l : {"succeeded", "failed"})
    if (!unc[l].is_array()) unc[l] = Json::array();
  const Json* policy = FailurePolicy(s.job);
  std::vector<ObjectPtr> to_remove;
  std::set<int> new_indexes;
  bool reached_max = false;
  const bool finishing_failed =
      s.finished && GetString(*s.finished, {"type"}) != "SuccessCriteriaMet";
  for (const ObjectPtr& p : s.pods) {
    const std::string uid = Uid(*p);
    if (!HasTrackingFinalizer(*p) || s.expected_rm.count(uid)) continue;
    const bool failed = IsPodFailed(*p, s.job);
    // canRemoveFinalizer: the job is going away or finishing, or the pod is done (but a
    // failed pod whose index awaits its replacement keeps it).
    if (!(IsBeingDeleted(s.job) || s.finished || Phase(*p) == "Succeeded" || failed)) continue;
    if (!IsBeingDeleted(s.job) && !s.finished && Phase(*p) != "Succeeded") {
      auto d = s.delayed.find(CompletionIndex(*p));
      if (d != s.delayed.end() && Uid(*d->second) == uid) continue;
    }
    to_remove.push_back(p);
    if (Phase(*p) == "Succeeded" && !s.uncounted_failed.count(uid)) {
      if (indexed) {
        int ix = CompletionIndex(*p);
        if (ix != kUnknownIndex && ix < Completions(s.job) && !Has(s.prev_succeeded_indexes, ix)) {
          new_indexes.insert(ix);
          needs_flush = true;
        }
      } else if (!s.uncounted_succeeded.count(uid)) {
        needs_flush = true;
        unc["succeeded"].push_back(uid);
      }
    } else if (failed || finishing_failed) {
      // When the job is finishing as failed, every unfinished pod counts as failed.
      int ix = CompletionIndex(*p);
      if (!s.uncounted_failed.count(uid) &&
          (!indexed || (ix != kUnknownIndex && ix < Completions(s.job)))) {
        if (MatchPodFailurePolicy(policy, *p).count) {
          needs_flush = true;
          unc["failed"].push_back(uid);
        }
      }
    }
    if (new_indexes.size() + unc["succeeded"].size() + unc["failed"].size() >= kMaxUncountedPods) {
      reached_max = true;
      break;
    }
  }
  Json& st = s.job["status"];
  if (indexed) {
    s.succeeded_indexes = WithIndexes(s.succeeded_indexes, new_indexes);
    std::string text = ToString(s.succeeded_indexes);
    if (text != GetString(st, {"completedIndexes"})) needs_flush = true;
    st["succeeded"] = Total(s.succeeded_indexes);
    if (text.empty()) {
      st.erase("completedIndexes");
    } else {
      st["completedIndexes"] = text;
    }
    if (s.failed_indexes) {
      std::string failed_text = ToString(*s.failed_indexes);
      if (!st.contains("failedIndexes") || GetString(st, {"failedIndexes"}) != failed_text) {
        st["failedIndexes"] = failed_text;
        needs_flush = true;
      }
    }
  }
  if (s.finished && GetString(*s.finished, {"type"}) == "FailureTarget") {
    // The interim FailureTarget goes in before the finalizers go; Failed follows.
    if (!st["conditions"].is_array()) st["conditions"] = Json::array();
    st["conditions"].push_back(*s.finished);
    needs_flush = true;
    s.finished = NewCondition("Failed", "True", GetString(*s.finished, {"reason"}),
                              GetString(*s.finished, {"message"}), now);
  }
  if (s.finished && GetString(*s.finished, {"type"}) == "SuccessCriteriaMet") {
    if (!ConditionTrue(s.job, "SuccessCriteriaMet")) {
      if (!st["conditions"].is_array()) st["conditions"] = Json::array();
      st["conditions"].push_back(*s.finished);
      needs_flush = true;
    }
    s.finished = NewCondition("Complete", "True", GetString(*s.finished, {"reason"}),
                              GetString(*s.finished, {"message"}), now);
  }

  // Flush the uncounted uids (and the interim condition) before removing finalizers.
  if (needs_flush) {
    Status u = UpdateStatus(s.job);
    if (!u.ok()) return u;
    {
      std::lock_guard<std::mutex> g(mu_);
      backoff_[key] = s.new_backoff;
    }
    needs_flush = false;
  }
  Status rm_err;
  if (!to_remove.empty()) rm_err = RemoveFinalizers(key, to_remove, with_finalizer);
  if (CleanUncounted(s.job["status"], with_finalizer)) needs_flush = true;
  if (!rm_err.ok()) {
    if (needs_flush) {
      Status u = UpdateStatus(s.job);
      if (!u.ok()) return u;
    }
    return rm_err;
  }

  // enactJobFinished: only once nothing is uncounted and nothing is terminating.
  bool finished_now = false;
  if (!reached_max && s.finished) {
    const Json& u = s.job["status"]["uncountedTerminatedPods"];
    size_t uncounted = (u.contains("succeeded") ? u["succeeded"].size() : 0) +
                       (u.contains("failed") ? u["failed"].size() : 0);
    if (uncounted == 0 && s.terminating == 0) {
      const Json& c = *s.finished;
      EnsureCondition(s.job["status"], GetString(c, {"type"}), "True", GetString(c, {"reason"}),
                      GetString(c, {"message"}), now);
      if (GetString(c, {"type"}) == "Complete")
        s.job["status"]["completionTime"] = FormatRfc3339(now);
      finished_now = true;
      needs_flush = true;
    }
  }
  if (needs_flush) {
    Status u = UpdateStatus(s.job);
    if (!u.ok()) return u;
    if (finished_now) {
      const Json& c = *s.finished;
      if (GetString(c, {"type"}) == "Complete") {
        if (HasCompletions(s.job) && GetInt(s.job, {"status", "succeeded"}) > Completions(s.job))
          recorder_.Record(s.job, "Warning", "TooManySucceededPods",
                           "Too many succeeded pods running after completion count reached");
        recorder_.Record(s.job, "Normal", "Completed", "Job completed");
      } else {
        recorder_.Record(s.job, "Warning", GetString(c, {"reason"}), GetString(c, {"message"}));
      }
    }
  }
  return Status::Ok();
}

Status JobController::RemoveFinalizers(const std::string& key, const std::vector<ObjectPtr>& pods,
                                       std::set<std::string>& uids_with_finalizer) {
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const ObjectPtr& p : pods) rm_finalizers_[key].insert(Uid(*p));
  }
  Status first;
  Json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {kTrackingFinalizer}}}}};
  const std::string body = patch.dump();
  for (const ObjectPtr& p : pods) {
    auto r = client_.Patch(kPods, Namespace(*p), Name(*p), PatchType::kStrategicMerge, body);
    if (!r.ok()) {
      // No update will show this removal: stop expecting it.
      FinalizerRemovalObserved(key, Uid(*p));
      if (r.status().code() != Code::kNotFound) {
        if (first.ok()) first = r.status();
        continue;
      }
    }
    uids_with_finalizer.erase(Uid(*p));
  }
  return first;
}

JobController::BackoffRecord JobController::NewBackoffRecord(const std::string& key,
                                                             std::vector<ObjectPtr> succeeded,
                                                             std::vector<ObjectPtr> failed) {
  BackoffRecord r;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (auto it = backoff_.find(key); it != backoff_.end()) r = it->second;
  }
  auto by_finish = [](const ObjectPtr& a, const ObjectPtr& b) {
    return FinishedTime(*a) < FinishedTime(*b);
  };
  std::sort(succeeded.begin(), succeeded.end(), by_finish);
  std::sort(failed.begin(), failed.end(), by_finish);
  if (succeeded.empty()) {
    if (failed.empty()) return r;
    r.failures_after_last_success += static_cast<int>(failed.size());
    r.last_failure = FinishedTime(*failed.back());
    return r;
  }
  r.failures_after_last_success = 0;
  r.last_failure = SystemTime{};
  SystemTime last_success = FinishedTime(*succeeded.back());
  bool have_last = false;
  for (auto it = failed.rbegin(); it != failed.rend(); ++it) {
    SystemTime t = FinishedTime(**it);
    if (t <= last_success) break;
    if (!have_last) {
      r.last_failure = t;
      have_last = true;
    }
    ++r.failures_after_last_success;
  }
  return r;
}

std::chrono::milliseconds JobController::RemainingBackoff(const BackoffRecord& r) const {
  if (r.failures_after_last_success == 0) return milliseconds(0);
  milliseconds backoff = kPodFailureBackoff;
  for (int i = 1; i < r.failures_after_last_success; ++i) {
    backoff *= 2;
    if (backoff >= kMaxPodFailureBackoff) {
      backoff = kMaxPodFailureBackoff;
      break;
    }
  }
  auto elapsed = duration_cast<milliseconds>(clock_.Now() - r.last_failure);
  if (backoff < elapsed) return milliseconds(0);
  return backoff - elapsed;
}

}  // namespace minik
