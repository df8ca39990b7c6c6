// Helpers of the Job controller (job_controller.h), as upstream's pkg/controller/job utilities:
// pod and Job predicates, conditions, completed-index intervals, podFailurePolicy and
// successPolicy matching, backoffLimitPerIndex counts. Pure functions over JSON objects.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/informer.h"
#include "api/json.h"

namespace minik::jobutil {

inline constexpr const char* kTrackingFinalizer = "batch.kubernetes.io/job-tracking";
inline constexpr const char* kIndexKey = "batch.kubernetes.io/job-completion-index";
inline constexpr const char* kIndexFailureCount = "batch.kubernetes.io/job-index-failure-count";
inline constexpr const char* kIndexIgnoredCount =
    "batch.kubernetes.io/job-index-ignored-failure-count";
inline constexpr int kUnknownIndex = -1;

// ---- pods ----
std::string Phase(const Json& pod);
bool IsTerminal(const Json& pod);  // Succeeded or Failed
bool IsActive(const Json& pod);    // not terminal, not being deleted
const Json* PodCondition(const Json& pod, const std::string& type);
bool IsReady(const Json& pod);
bool HasFinalizer(const Json& obj, const std::string& name);
bool HasTrackingFinalizer(const Json& pod);
// The batch.kubernetes.io/job-completion-index annotation, or kUnknownIndex.
int CompletionIndex(const Json& pod);
int RestartCount(const Json& pod);  // init and app containers
SystemTime ParseTime(const Json& obj, std::initializer_list<const char*> path);
// getFinishedTime: containers' latest finishedAt, the Ready=False transition, the deletion
// time minus the grace period, or the creation time.
SystemTime FinishedTime(const Json& pod);
// controller.ActivePods order: the pod to delete first sorts first.
bool DeleteFirst(const ObjectPtr& a, const ObjectPtr& b);
// The completion indexes of `pods`, sorted (and as a set).
std::vector<int> PodIndexes(const std::vector<ObjectPtr>& pods, std::set<int>* out_set = nullptr);

// ---- jobs ----
bool Suspended(const Json& job);
bool IsIndexed(const Json& job);
bool HasCompletions(const Json& job);
int Completions(const Json& job);
int Parallelism(const Json& job);
int BackoffLimit(const Json& job);
const Json* FailurePolicy(const Json& job);  // spec.podFailurePolicy or nullptr
bool OnlyReplaceFailedPods(const Json& job);
// isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it succeeded.
bool IsPodFailed(const Json& pod, const Json& job);

// ---- conditions ----
Json* FindCondition(Json& conds, const std::string& type);
bool ConditionTrue(const Json& job, const std::string& type);
bool IsFinished(const Json& job);  // Complete or Failed is True
Json NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, SystemTime now);
// ensureJobConditionStatus: updates the condition of that type, or appends it unless the new
// status is False. True when the list changed.
bool EnsureCondition(Json& status, const std::string& type, const std::string& cstatus,
                     const std::string& reason, const std::string& message, SystemTime now);
// status.uncountedTerminatedPods.<list> as a set.
std::set<std::string> UidSet(const Json& status, const char* list);

// ---- completed/failed index intervals (orderedIntervals) ----
struct Interval {
  int first, last;
};
using Intervals = std::vector<Interval>;
Intervals Merge(const Intervals& a, const Intervals& b);
Intervals WithIndexes(const Intervals& a, const std::set<int>& indexes);
int Total(const Intervals& iv);
bool Has(const Intervals& iv, int ix);
std::string ToString(const Intervals& iv);  // "0-2,4,6,7"
// parseIndexesFromString: corrupted parts skipped, cut at `completions`.
Intervals ParseIndexes(const std::string& text, int completions);

// ---- policies ----
struct PolicyMatch {
  std::optional<std::string> fail_job_message;  // a FailJob rule matched
  bool count = true;                            // counts towards backoffLimit (false for Ignore)
  std::string action;                           // "" when no rule matched
};
PolicyMatch MatchPodFailurePolicy(const Json* policy, const Json& pod);
// matchSuccessPolicy: "Matched rules at index N" for the first rule satisfied.
std::optional<std::string> MatchSuccessPolicy(const Json& job, const Intervals& succeeded);

// ---- indexed pods ----
bool PerIndex(const Json& job);  // Indexed with spec.backoffLimitPerIndex
int AnnotationCount(const Json& pod, const char* key);
int AbsoluteFailureCount(const Json& pod);  // failure + ignored-failure counts
bool IsIndexFailed(const Json& job, const Json& pod);
std::string IndexLabelValue(int ix);
std::string GenerateNameWithIndex(const std::string& job, int ix);  // "<job>-<ix>-", cut to fit
// The JOB_COMPLETION_INDEX env var (from the index label) in every container of `spec`.
void AddIndexEnv(Json& spec);

}  // namespace minik::jobutil
