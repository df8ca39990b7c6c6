#include "controllers/ttl_after_finished_controller.h"

#include <optional>

#include "api/log.h"
#include "controllers/controller_ref.h"

namespace minik {

namespace {

const ResourceRef kJobs{"batch", "v1", "jobs"};

bool NeedsCleanup(const Json& job) {
  const Json* ttl = Find(job, {"spec", "ttlSecondsAfterFinished"});
  if (!ttl || !ttl->is_number_integer()) return false;
  const Json* conds = Find(job, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds) {
    std::string type = GetString(c, {"type"});
    if ((type == "Complete" || type == "Failed") && GetString(c, {"status"}) == "True") return true;
  }
  return false;
}

// jobFinishTime: the lastTransitionTime of the finished condition.
StatusOr<SystemTime> FinishTime(const Json& job) {
  const Json* conds = Find(job, {"status", "conditions"});
  if (conds && conds->is_array()) {
    for (const Json& c : *conds) {
      std::string type = GetString(c, {"type"});
      if ((type != "Complete" && type != "Failed") || GetString(c, {"status"}) != "True") continue;
      SystemTime t{};
      if (!ParseRfc3339(GetString(c, {"lastTransitionTime"}), &t)) {
        return Internal("unable to find the time when the Job " + Namespace(job) + "/" + Name(job) +
                        " finished");
      }
      return t;
    }
  }
  return Internal("unable to find the status of the finished Job " + Namespace(job) + "/" +
                  Name(job));
}

// The time left before the Job expires (<= 0: expired).
StatusOr<std::chrono::milliseconds> TimeLeft(const Json& job, SystemTime now) {
  auto finish = FinishTime(job);
  if (!finish.ok()) return finish.status();
  if (*finish > now) {
    LOG(Info, "ttl-after-finished-controller")
        << "Found Job finished in the future. This is likely due to time skew in the cluster. "
           "Job cleanup will be deferred. job="
        << ObjectKey(job);
  }
  auto expire = *finish + std::chrono::seconds(GetInt(job, {"spec", "ttlSecondsAfterFinished"}));
  return std::chrono::duration_cast<std::chrono::milliseconds>(expire - now);
}

}  // namespace

TtlAfterFinishedController::TtlAfterFinishedController(Client& client, Clock& clock,
                                                       SharedInformerFactory& informers,
                                                       int workers)
    : QueueController("ttl-after-finished-controller", clock, workers),
      client_(client),
      jobs_(informers.For(kJobs)) {
  jobs_.AddEventHandler({[this](const Json& job) {
                           if (NeedsCleanup(job)) Enqueue(job);
                         },
                         [this](const Json&, const Json& job) {
                           if (NeedsCleanup(job)) Enqueue(job);
                         },
                         nullptr});
}

StatusOr<ReconcileResult> TtlAfterFinishedController::Reconcile(const std::string& key) {
  ObjectPtr cached = jobs_.Get(key);
  if (!cached || !NeedsCleanup(*cached)) return ReconcileResult{};
  auto left = TimeLeft(*cached, clock_.Now());
  if (!left.ok()) return left.status();
  if (left->count() > 0) return ReconcileResult{false, *left};
  // The cache may be stale (e.g. the TTL was just extended): decide on a fresh read.
  auto fresh = client_.Get(kJobs, Namespace(*cached), Name(*cached));
  if (!fresh.ok()) {
    if (fresh.status().code() == Code::kNotFound) return ReconcileResult{};
    return fresh.status();
  }
  if (!NeedsCleanup(*fresh)) return ReconcileResult{};
  left = TimeLeft(*fresh, clock_.Now());
  if (!left.ok()) return left.status();
  if (left->count() > 0) return ReconcileResult{false, *left};
  DeleteOptions opts;
  opts.propagation_policy = "Background";
  opts.precondition_uid = Uid(*fresh);
  auto r = client_.Delete(kJobs, Namespace(*fresh), Name(*fresh), opts);
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  LOG(Info, "ttl-after-finished-controller") << "Cleaning up Job job=" << key;
  return ReconcileResult{};
}

}  // namespace minik
