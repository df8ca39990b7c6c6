// Helpers shared by the ReplicaSet/ReplicationController and Deployment controllers, as
// upstream's pkg/controller/deployment/util, pkg/api/v1/pod (readiness, availability) and
// pkg/controller/controller_utils.go (active pods, the pod deletion order, ComputeHash).
// Pure functions over JSON objects; all of them tolerate missing fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/informer.h"
#include "api/json.h"
#include "api/status.h"

namespace minik::deployutil {

inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kRevisionHistoryAnnotation =
    "deployment.kubernetes.io/revision-history";
inline constexpr const char* kDesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kPodDeletionCostAnnotation =
    "controller.kubernetes.io/pod-deletion-cost";
// Upstream's maxRevHistoryLengthInChars.
inline constexpr size_t kMaxRevisionHistoryChars = 2000;

// Condition reasons (deployment util).
inline constexpr const char* kReplicaSetUpdatedReason = "ReplicaSetUpdated";
inline constexpr const char* kFailedRSCreateReason = "ReplicaSetCreateError";
inline constexpr const char* kNewReplicaSetReason = "NewReplicaSetCreated";
inline constexpr const char* kFoundNewRSReason = "FoundNewReplicaSet";
inline constexpr const char* kNewRSAvailableReason = "NewReplicaSetAvailable";
inline constexpr const char* kTimedOutReason = "ProgressDeadlineExceeded";
inline constexpr const char* kPausedDeployReason = "DeploymentPaused";
inline constexpr const char* kResumedDeployReason = "DeploymentResumed";
inline constexpr const char* kMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr const char* kMinimumReplicasUnavailable = "MinimumReplicasUnavailable";

// ---- informer index: objects by the uid of their controller ------------------------------
// Both controllers index pods and ReplicaSets with it: a controlled object under its
// controller's uid, an object without controller under OrphanIndexValue(its namespace).
inline constexpr const char* kControllerUidIndex = "apps-controller-uid";
std::string OrphanIndexValue(const std::string& ns);
std::vector<std::string> ControllerUidIndexFunc(const Json& obj);
// Adds the index unless present (the RS and RC controllers share the pod informer).
void EnsureControllerUidIndex(Informer& informer);
// What an owner with `owner_uid` in `ns` may claim: its own objects and the namespace's
// orphans (objects controlled by others can never be claimed), sorted by key.
std::vector<ObjectPtr> ClaimCandidates(const Informer& informer, const std::string& ns,
                                       const std::string& owner_uid);

// ---- objects -----------------------------------------------------------------------------
SystemTime CreationTime(const Json& obj);    // epoch when absent/malformed
SystemTime ParseTime(const std::string& s);  // epoch when empty/malformed
int64_t SpecReplicas(const Json& obj);       // spec.replicas (1 when absent, as defaulted)
std::string Annotation(const Json& obj, const std::string& key);
// Label/selector maps as JSON objects; `labels` null or an object.
const Json& TemplateLabels(const Json& owner);

// ---- pods --------------------------------------------------------------------------------
bool IsPodReady(const Json& pod);
// lastTransitionTime of the Ready=True condition; nullopt when not ready.
std::optional<SystemTime> PodReadyTime(const Json& pod);
// Ready for at least minReadySeconds (strictly before now), as podutil.IsPodAvailable.
bool IsPodAvailable(const Json& pod, int64_t min_ready_seconds, SystemTime now);
// Not Succeeded/Failed and not being deleted (controller.IsPodActive).
bool IsPodActive(const Json& pod);
int64_t MaxContainerRestarts(const Json& pod);

// Sorts `pods` so the ones to delete first come first (ActivePodsWithRanks.Less with
// PodDeletionCost and LogarithmicScaleDown on, as in 1.32): unassigned < assigned;
// Pending < Unknown < Running; not ready < ready; lower deletion cost first; more
// co-located related pods first; ready for less time first; more restarts first; newer
// first. `ranks[i]` belongs to `pods[i]`.
void SortPodsForDeletion(std::vector<ObjectPtr>& pods, std::vector<int>& ranks, SystemTime now);

// ---- pod templates -----------------------------------------------------------------------
// The template with nulls, empty objects and empty arrays removed, recursively: what
// apiequality.Semantic.DeepEqual treats as equal to absent, so templates that went through
// a typed client round-trip ("creationTimestamp": null, "resources": {}) compare equal.
Json NormalizeTemplate(const Json& tmpl);
// EqualIgnoreHash: equal templates once the pod-template-hash label is dropped.
bool EqualIgnoreHash(const Json& a, const Json& b);
// controller.ComputeHash: FNV-32a of the (normalized) template, then the collision count as
// 8 little-endian bytes when present, the decimal sum encoded with SafeEncodeString. Stable
// for the same template and count.
std::string ComputeHash(const Json& tmpl, std::optional<int64_t> collision_count);

// ---- deployments -------------------------------------------------------------------------
// intstr.GetValueFromIntOrPercent: an int, or "N%" of total rounded up or down. BadRequest
// for anything else.
StatusOr<int64_t> ValueFromIntOrPercent(const Json& v, int64_t total, bool round_up);
struct Fenceposts {
  int64_t surge = 0;
  int64_t unavailable = 0;
};
// ResolveFenceposts: both absent/zero resolve unavailable to 1.
StatusOr<Fenceposts> ResolveFenceposts(const Json& max_surge, const Json& max_unavailable,
                                       int64_t desired);
bool IsRollingUpdate(const Json& d);
int64_t MaxSurge(const Json& d);        // 0 unless RollingUpdate
int64_t MaxUnavailable(const Json& d);  // 0 unless RollingUpdate or replicas == 0
bool HasProgressDeadline(const Json& d);
bool HasRevisionHistoryLimit(const Json& d);

// Revision annotation of an object: 0 when absent, nullopt when malformed.
std::optional<int64_t> Revision(const Json& obj);
int64_t MaxRevision(const std::vector<const Json*>& rss);

// SetNewReplicaSetAnnotations: copies the deployment's annotations (but the skipped ones),
// raises the revision to `new_revision` (keeping the old one in revision-history), and for a
// replica set about to be created sets desired/max replicas. True when anything changed.
bool SetNewReplicaSetAnnotations(const Json& d, Json& rs, const std::string& new_revision,
                                 bool exists);
bool SetReplicasAnnotations(Json& rs, int64_t desired, int64_t max);
bool ReplicasAnnotationsNeedUpdate(const Json& rs, int64_t desired, int64_t max);
// Annotation parsed as an integer.
std::optional<int64_t> IntAnnotation(const Json& obj, const std::string& key);

// GetProportion / getReplicaSetFraction for proportional scaling.
int64_t GetProportion(const Json& rs, const Json& d, int64_t to_add, int64_t added);
// NewRSNewReplicas: the new replica set's size for this step of the rollout.
StatusOr<int64_t> NewRSNewReplicas(const Json& d, const std::vector<const Json*>& all_rss,
                                   const Json& new_rs);
bool IsSaturated(const Json& d, const Json* rs);

// Lists of replica sets (entries may be null: "no new replica set yet").
// ReplicaSetsByCreationTimestamp: older first, then by name.
bool CreationLess(const Json* a, const Json* b);
// FilterActiveReplicaSets: the non-null ones with spec.replicas > 0.
std::vector<Json*> FilterActive(const std::vector<Json*>& rss);
int64_t SumSpec(const std::vector<Json*>& rss);                       // spec.replicas
int64_t SumStatus(const std::vector<Json*>& rss, const char* field);  // status.<field>

// Conditions ({type, status, lastUpdateTime, lastTransitionTime, reason, message}).
const Json* GetCondition(const Json& status, const std::string& type);
Json NewDeploymentCondition(const std::string& type, const std::string& status,
                            const std::string& reason, const std::string& message, SystemTime now);
// SetDeploymentCondition: no-op when status and reason are unchanged; keeps
// lastTransitionTime when only the reason changes.
void SetCondition(Json& status, Json condition);
void RemoveCondition(Json& status, const std::string& type);

// On status JSON as the controller builds it (zero counts omitted).
bool DeploymentComplete(const Json& d, const Json& new_status);
bool DeploymentProgressing(const Json& d, const Json& new_status);
bool DeploymentTimedOut(const Json& d, const Json& new_status, SystemTime now);

}  // namespace minik::deployutil
