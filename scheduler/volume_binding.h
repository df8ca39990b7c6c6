// VolumeBinding's PreFilter and PreBind inputs (plugins/volumebinding), minimal: the pod's
// PersistentVolumeClaims must exist and not be terminating; bound claims contribute their
// PV's node affinity to the per-node filter; unbound claims must use a StorageClass with
// volumeBindingMode WaitForFirstConsumer (others are "unbound immediate" and wait for the PV
// controller). Delayed claims are annotated with the chosen node before the pod is bound.
// Matching static PVs to delayed claims is left to the PV controller.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"
#include "scheduler/framework.h"

namespace minik::sched {

inline constexpr const char* kSelectedNodeAnnotation = "volume.kubernetes.io/selected-node";
inline constexpr const char* kErrUnboundImmediate =
    "pod has unbound immediate PersistentVolumeClaims";

// Lookups by name; a NotFound status means absent, any other error aborts the cycle.
struct VolumeLookup {
  std::function<StatusOr<Json>(const std::string& ns, const std::string& name)> claim;
  std::function<StatusOr<Json>(const std::string& name)> storage_class;
  std::function<StatusOr<Json>(const std::string& name)> volume;
};

struct VolumePlan {
  std::vector<std::string> delayed_claims;  // unbound WaitForFirstConsumer claim names
};

// The claim names a pod uses: persistentVolumeClaim volumes and generic ephemeral volumes
// ("<pod>-<volume>"), with whether each is ephemeral.
std::vector<std::pair<std::string, bool>> PodClaims(const Json& pod);

// Success, or a status whose single reason is upstream's PreFilter message (kUnresolvable),
// or kError with the lookup failure. Fills state->pv_node_selectors / pv_missing and plan.
PluginStatus VolumeBindingPreFilter(const Json& pod, const VolumeLookup& lookup,
                                    CycleState* state, VolumePlan* plan);

}  // namespace minik::sched
