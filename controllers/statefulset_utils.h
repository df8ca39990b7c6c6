// The pure helpers of the StatefulSet controller, as upstream's stateful_set_utils.go: pod
// identity, claims from volumeClaimTemplates, revision snapshots, and the claim ownerRefs that
// implement persistentVolumeClaimRetentionPolicy. No I/O; all take objects as JSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/clock.h"
#include "api/json.h"

namespace minik::statefulset {

inline constexpr const char* kApiVersion = "apps/v1";
inline constexpr const char* kKind = "StatefulSet";
inline constexpr const char* kRevisionLabel = "controller-revision-hash";
inline constexpr const char* kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

// ---- identity ----
// getParentNameAndOrdinal: "<parent>-<ordinal>" with a 32-bit ordinal; {"", -1} otherwise.
std::pair<std::string, int> ParentAndOrdinal(const std::string& name);
int Ordinal(const Json& pod);
int StartOrdinal(const Json& set);  // spec.ordinals.start
int Replicas(const Json& set);      // spec.replicas (1 when absent)
int EndOrdinal(const Json& set);
bool InOrdinalRange(const Json& pod, const Json& set);
std::string PodName(const Json& set, int ordinal);
std::string ClaimName(const Json& set, const Json& tmpl, int ordinal);  // <tpl>-<set>-<ord>
std::string PodRevision(const Json& pod);  // the controller-revision-hash label
std::string Phase(const Json& pod);
bool IsCreated(const Json& pod);  // has a phase: stored by the API server
bool IsTerminating(const Json& pod);
bool IsRunningAndReady(const Json& pod);
// Ready for more than min_ready seconds (podutil.IsPodAvailable).
bool IsRunningAndAvailable(const Json& pod, int64_t min_ready, SystemTime now);
bool IsUnavailable(const Json& pod, int64_t min_ready, SystemTime now);

// ---- pods and claims ----
std::vector<const Json*> ClaimTemplates(const Json& set);
// The claims of `ordinal`, in template order, labelled with the selector's matchLabels.
std::vector<Json> PodClaims(const Json& set, int ordinal);
bool IdentityMatches(const Json& set, const Json& pod);
bool StorageMatches(const Json& set, const Json& pod);
void UpdateIdentity(const Json& set, Json& pod);  // name, namespace, pod-name/index labels
void UpdateStorage(const Json& set, Json& pod);   // one claim volume per template
// newStatefulSetPod: from the template, with controllerRef, identity, hostname/subdomain and
// claim volumes.
Json NewPod(const Json& set, int ordinal);
// newVersionedStatefulSetPod: below the RollingUpdate partition, at the current revision.
Json NewVersionedPod(const Json& current_set, const Json& update_set, const std::string& current,
                     const std::string& update, int ordinal);

// ---- revisions ----
// getPatch: {"spec":{"template":{...,"$patch":"replace"}}}.
Json RevisionData(const Json& set);
// ApplyRevision: the set with the revision's template.
Json ApplyRevision(const Json& set, const Json& revision);

// ---- persistentVolumeClaimRetentionPolicy ----
struct Retention {
  bool delete_when_deleted = false;
  bool delete_when_scaled = false;
};
Retention RetentionOf(const Json& set);
// The claim names the pod (kind and name) with another uid: left by an earlier pod.
bool HasStalePodRef(const Json& claim, const Json& pod);
// A controller ref other than the set's or the pod's (or ours with a wrong uid).
bool HasUnexpectedController(const Json& claim, const Json& set, const Json& pod);
// isClaimOwnerUpToDate: whenDeleted Delete -> the set is controller; whenScaled Delete and
// the pod scaled down -> the pod is controller (instead); Retain/Retain -> neither.
bool ClaimOwnerUpToDate(const Json& claim, const Json& set, const Json& pod);
// updateClaimOwnerRefForSetAndPod: rewrites the claim's refs to what the policy asks.
void UpdateClaimOwnerRefs(Json& claim, const Json& set, const Json& pod);

}  // namespace minik::statefulset
