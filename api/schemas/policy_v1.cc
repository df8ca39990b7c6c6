// Schema data of io.k8s.api.policy.v1, generated once from
// k8s.io/api policy/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendPolicyV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.policy.v1

type Eviction gvk=policy/v1/Eviction
  | Eviction evicts a pod from its node subject to certain policies and safety constraints. This is a subresource of Pod.  A request to cause such an eviction is created by POSTing to .../pods/<pod name>/evictions.
  apiVersion     0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind           0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata       1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | ObjectMeta describes the pod that is being evicted.
  deleteOptions  2 io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions
    | DeleteOptions may be provided

type PodDisruptionBudget gvk=policy/v1/PodDisruptionBudget
  | PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 PodDisruptionBudgetSpec
    | Specification of the desired behavior of the PodDisruptionBudget.
  status      3 PodDisruptionBudgetStatus
    | Most recently observed status of the PodDisruptionBudget.

type PodDisruptionBudgetSpec
  | PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.
  minAvailable                1 IntOrString
    | An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod.  So for example you can prevent all voluntary evictions by specifying "100%".
  selector                    2 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector strategy=replace
    | Label query over pods whose evictions are managed by the disruption budget. A null selector will match no pods, while an empty ({}) selector will select all pods within the namespace.
  maxUnavailable              3 IntOrString
    | An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod. For example, one can prevent all voluntary evictions by specifying 0. This is a mutually exclusive setting with "minAvailable".
  unhealthyPodEvictionPolicy  4 string                                             enum=["AlwaysAllow","IfHealthyBudget"]
    | UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction. Current implementation considers healthy pods, as pods that have status.conditions item with type="Ready",status="True".
    |
    | Valid policies are IfHealthyBudget and AlwaysAllow. If no policy is specified, the default behavior will be used, which corresponds to the IfHealthyBudget policy.
    |
    | IfHealthyBudget policy means that running pods (status.phase="Running"), but not yet healthy can be evicted only if the guarded application is not disrupted (status.currentHealthy is at least equal to status.desiredHealthy). Healthy pods will be subject to the PDB for eviction.
    |
    | AlwaysAllow policy means that all running pods (status.phase="Running"), but not yet healthy are considered disrupted and can be evicted regardless of whether the criteria in a PDB is met. This means perspective running pods of a disrupted application might not get a chance to become healthy. Healthy pods will be subject to the PDB for eviction.
    |
    | Additional policies may be added in the future. Clients making eviction decisions should disallow eviction of unhealthy pods if they encounter an unrecognized policy in this field.
    |
    | This field is beta-level. The eviction API uses this field when the feature gate PDBUnhealthyPodEvictionPolicy is enabled (enabled by default).
    |
    | Possible enum values:
    |  - `"AlwaysAllow"` AlwaysAllow policy means that all running pods (status.phase="Running"), but not yet healthy are considered disrupted and can be evicted regardless of whether the criteria in a PDB is met. This means perspective running pods of a disrupted application might not get a chance to become healthy. Healthy pods will be subject to the PDB for eviction.
    |  - `"IfHealthyBudget"` IfHealthyBudget policy means that running pods (status.phase="Running"), but not yet healthy can be evicted only if the guarded application is not disrupted (status.currentHealthy is at least equal to status.desiredHealthy). Healthy pods will be subject to the PDB for eviction.

type PodDisruptionBudgetStatus
  | PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget. Status may trail the actual state of a system.
  observedGeneration  1 int64                                                omitzero
    | Most recent generation observed when updating this PDB status. DisruptionsAllowed and other status information is valid only if observedGeneration equals to PDB's object generation.
  disruptedPods       2 map<Time>
    | DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller. A pod will be in this map from the time when the API server processed the eviction request to the time when the pod is seen by PDB controller as having been marked for deletion (or after a timeout). The key in the map is the name of the pod and the value is the time when the API server processed the eviction request. If the deletion didn't occur and a pod is still there it will be removed from the list automatically by PodDisruptionBudget controller after some time. If everything goes smooth this map should be empty for the most of the time. Large number of entries in the map may indicate problems with pod deletions.
  disruptionsAllowed  3 int32                                                required
    | Number of pod disruptions that are currently allowed.
  currentHealthy      4 int32                                                required
    | current number of healthy pods
  desiredHealthy      5 int32                                                required
    | minimum desired number of healthy pods
  expectedPods        6 int32                                                required
    | total number of pods counted by this disruption budget
  conditions          7 list<io.k8s.apimachinery.pkg.apis.meta.v1.Condition> merge=type strategy=merge listmap=type
    | Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition. The following are known values for the reason field (additional reasons could be added in the future): - SyncFailed: The controller encountered an error and wasn't able to compute
    |               the number of allowed disruptions. Therefore no disruptions are
    |               allowed and the status of the condition will be False.
    | - InsufficientPods: The number of pods are either at or below the number
    |                     required by the PodDisruptionBudget. No disruptions are
    |                     allowed and the status of the condition will be False.
    | - SufficientPods: There are more pods than required by the PodDisruptionBudget.
    |                   The condition will be True, and the number of allowed
    |                   disruptions are provided by the disruptionsAllowed property.
)schema");
}

}  // namespace minik::schemas
