// Schema data of io.k8s.api.apps.v1, generated once from
// k8s.io/api apps/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAppsV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.apps.v1

type ControllerRevision gvk=apps/v1/ControllerRevision
  | ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state. Once a ControllerRevision has been successfully created, it can not be updated. The API Server will fail validation of all requests that attempt to mutate the Data field. ControllerRevisions may, however, be deleted. Note that, due to its use by both the DaemonSet and StatefulSet controllers for update and rollback, this object is beta. However, it may be subject to name and representation changes in future releases, and clients should not depend on its stability. It is primarily for internal use by controllers.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  data        2 RawExtension
    | Data is the serialized representation of the state.
  revision    3 int64                                           required
    | Revision indicates the revision of the state represented by Data.

type DaemonSet gvk=apps/v1/DaemonSet
  | DaemonSet represents the configuration of a daemon set.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 DaemonSetSpec
    | The desired behavior of this daemon set. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 DaemonSetStatus
    | The current status of this daemon set. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type DaemonSetCondition
  | DaemonSetCondition describes the state of a DaemonSet at a certain point.
  type                1 string required
    | Type of DaemonSet condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastTransitionTime  3 Time
    | Last time the condition transitioned from one status to another.
  reason              4 string omitzero
    | The reason for the condition's last transition.
  message             5 string omitzero
    | A human readable message indicating details about the transition.

type DaemonSetSpec
  | DaemonSetSpec is the specification of a daemon set.
  selector              1 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector required
    | A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
  template              2 io.k8s.api.core.v1.PodTemplateSpec                 required
    | An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template's node selector (or on every node if no node selector is specified). The only allowed template.spec.restartPolicy value is "Always". More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template
  updateStrategy        3 DaemonSetUpdateStrategy
    | An update strategy to replace existing DaemonSet pods with new pods.
  minReadySeconds       4 int32                                              omitzero
    | The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready).
  revisionHistoryLimit  6 int32
    | The number of old history to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.

type DaemonSetStatus
  | DaemonSetStatus represents the current status of a daemon set.
  currentNumberScheduled  1 int32                    required
    | The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/
  numberMisscheduled      2 int32                    required
    | The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/
  desiredNumberScheduled  3 int32                    required
    | The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/
  numberReady             4 int32                    required
    | numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.
  observedGeneration      5 int64                    omitzero
    | The most recent generation observed by the daemon set controller.
  updatedNumberScheduled  6 int32                    omitzero
    | The total number of nodes that are running updated daemon pod
  numberAvailable         7 int32                    omitzero
    | The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)
  numberUnavailable       8 int32                    omitzero
    | The number of nodes that should be running the daemon pod and have none of the daemon pod running and available (ready for at least spec.minReadySeconds)
  collisionCount          9 int32
    | Count of hash collisions for the DaemonSet. The DaemonSet controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ControllerRevision.
  conditions             10 list<DaemonSetCondition> merge=type strategy=merge listmap=type
    | Represents the latest available observations of a DaemonSet's current state.

type DaemonSetUpdateStrategy
  | DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.
  type           1 string                 omitzero enum=["OnDelete","RollingUpdate"]
    | Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.
    |
    | Possible enum values:
    |  - `"OnDelete"` Replace the old daemons only when it's killed
    |  - `"RollingUpdate"` Replace the old daemons by new ones using rolling update i.e replace them on each node one after the other.
  rollingUpdate  2 RollingUpdateDaemonSet
    | Rolling update config params. Present only if type = "RollingUpdate".

type Deployment gvk=apps/v1/Deployment
  | Deployment enables declarative updates for Pods and ReplicaSets.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 DeploymentSpec
    | Specification of the desired behavior of the Deployment.
  status      3 DeploymentStatus
    | Most recently observed status of the Deployment.

type DeploymentCondition
  | DeploymentCondition describes the state of a deployment at a certain point.
  type                1 string required
    | Type of deployment condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastUpdateTime      6 Time
    | The last time this condition was updated.
  lastTransitionTime  7 Time
    | Last time the condition transitioned from one status to another.
  reason              4 string omitzero
    | The reason for the condition's last transition.
  message             5 string omitzero
    | A human readable message indicating details about the transition.

type DeploymentSpec
  | DeploymentSpec is the specification of the desired behavior of the Deployment.
  replicas                 1 int32
    | Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.
  selector                 2 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector required
    | Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.
  template                 3 io.k8s.api.core.v1.PodTemplateSpec                 required
    | Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".
  strategy                 4 DeploymentStrategy                                 strategy=retainKeys
    | The deployment strategy to use to replace existing pods with new ones.
  minReadySeconds          5 int32                                              omitzero
    | Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)
  revisionHistoryLimit     6 int32
    | The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.
  paused                   7 bool                                               omitzero
    | Indicates that the deployment is paused.
  progressDeadlineSeconds  9 int32
    | The maximum time in seconds for a deployment to make progress before it is considered to be failed. The deployment controller will continue to process failed deployments and a condition with a ProgressDeadlineExceeded reason will be surfaced in the deployment status. Note that progress will not be estimated during the time a deployment is paused. Defaults to 600s.

type DeploymentStatus
  | DeploymentStatus is the most recently observed status of the Deployment.
  observedGeneration   1 int64                     omitzero
    | The generation observed by the deployment controller.
  replicas             2 int32                     omitzero
    | Total number of non-terminated pods targeted by this deployment (their labels match the selector).
  updatedReplicas      3 int32                     omitzero
    | Total number of non-terminated pods targeted by this deployment that have the desired template spec.
  readyReplicas        7 int32                     omitzero
    | readyReplicas is the number of pods targeted by this Deployment with a Ready Condition.
  availableReplicas    4 int32                     omitzero
    | Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.
  unavailableReplicas  5 int32                     omitzero
    | Total number of unavailable pods targeted by this deployment. This is the total number of pods that are still required for the deployment to have 100% available capacity. They may either be pods that are running but not yet available or pods that still have not been created.
  conditions           6 list<DeploymentCondition> merge=type strategy=merge listmap=type
    | Represents the latest available observations of a deployment's current state.
  collisionCount       8 int32
    | Count of hash collisions for the Deployment. The Deployment controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ReplicaSet.

type DeploymentStrategy
  | DeploymentStrategy describes how to replace existing pods with new ones.
  type           1 string                  omitzero enum=["Recreate","RollingUpdate"]
    | Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.
    |
    | Possible enum values:
    |  - `"Recreate"` Kill all existing pods before creating new ones.
    |  - `"RollingUpdate"` Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.
  rollingUpdate  2 RollingUpdateDeployment
    | Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.

type ReplicaSet gvk=apps/v1/ReplicaSet
  | ReplicaSet ensures that a specified number of pod replicas are running at any given time.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | If the Labels of a ReplicaSet are empty, they are defaulted to be the same as the Pod(s) that the ReplicaSet manages. Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 ReplicaSetSpec
    | Spec defines the specification of the desired behavior of the ReplicaSet. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 ReplicaSetStatus
    | Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type ReplicaSetCondition
  | ReplicaSetCondition describes the state of a replica set at a certain point.
  type                1 string required
    | Type of replica set condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastTransitionTime  3 Time
    | The last time the condition transitioned from one status to another.
  reason              4 string omitzero
    | The reason for the condition's last transition.
  message             5 string omitzero
    | A human readable message indicating details about the transition.

type ReplicaSetSpec
  | ReplicaSetSpec is the specification of a ReplicaSet.
  replicas         1 int32
    | Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller
  minReadySeconds  4 int32                                              omitzero
    | Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)
  selector         2 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector required
    | Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
  template         3 io.k8s.api.core.v1.PodTemplateSpec
    | Template is the object that describes the pod that will be created if insufficient replicas are detected. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template

type ReplicaSetStatus
  | ReplicaSetStatus represents the current status of a ReplicaSet.
  replicas              1 int32                     required
    | Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller
  fullyLabeledReplicas  2 int32                     omitzero
    | The number of pods that have labels matching the labels of the pod template of the replicaset.
  readyReplicas         4 int32                     omitzero
    | readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.
  availableReplicas     5 int32                     omitzero
    | The number of available replicas (ready for at least minReadySeconds) for this replica set.
  observedGeneration    3 int64                     omitzero
    | ObservedGeneration reflects the generation of the most recently observed ReplicaSet.
  conditions            6 list<ReplicaSetCondition> merge=type strategy=merge listmap=type
    | Represents the latest available observations of a replica set's current state.

type RollingUpdateDaemonSet
  | Spec to control the desired behavior of daemon set rolling update.
  maxUnavailable  1 IntOrString
    | The maximum number of DaemonSet pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of total number of DaemonSet pods at the start of the update (ex: 10%). Absolute number is calculated from percentage by rounding up. This cannot be 0 if MaxSurge is 0 Default value is 1. Example: when this is set to 30%, at most 30% of the total number of nodes that should be running the daemon pod (i.e. status.desiredNumberScheduled) can have their pods stopped for an update at any given time. The update starts by stopping at most 30% of those DaemonSet pods and then brings up new DaemonSet pods in their place. Once the new pods are available, it then proceeds onto other DaemonSet pods, thus ensuring that at least 70% of original number of DaemonSet pods are available at all times during the update.
  maxSurge        2 IntOrString
    | The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up to a minimum of 1. Default value is 0. Example: when this is set to 30%, at most 30% of the total number of nodes that should be running the daemon pod (i.e. status.desiredNumberScheduled) can have their a new pod created before the old pod is marked as deleted. The update starts by launching new pods on 30% of nodes. Once an updated pod is available (Ready for at least minReadySeconds) the old DaemonSet pod on that node is marked deleted. If the old pod becomes unavailable for any reason (Ready transitions to false, is evicted, or is drained) an updated pod is immediatedly created on that node without considering surge limits. Allowing surge implies the possibility that the resources consumed by the daemonset on any given node can double if the readiness check fails, and so resource intensive daemonsets should take into account that they may cause evictions during disruption.

type RollingUpdateDeployment
  | Spec to control the desired behavior of rolling update.
  maxUnavailable  1 IntOrString
    | The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding down. This can not be 0 if MaxSurge is 0. Defaults to 25%. Example: when this is set to 30%, the old ReplicaSet can be scaled down to 70% of desired pods immediately when the rolling update starts. Once new pods are ready, old ReplicaSet can be scaled down further, followed by scaling up the new ReplicaSet, ensuring that the total number of pods available at all times during the update is at least 70% of desired pods.
  maxSurge        2 IntOrString
    | The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up. Defaults to 25%. Example: when this is set to 30%, the new ReplicaSet can be scaled up immediately when the rolling update starts, such that the total number of old and new pods do not exceed 130% of desired pods. Once old pods have been killed, new ReplicaSet can be scaled up further, ensuring that total number of pods running at any time during the update is at most 130% of desired pods.

type RollingUpdateStatefulSetStrategy
  | RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.
  partition       1 int32
    | Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. During a rolling update, all pods from ordinal Replicas-1 to Partition are updated. All pods from ordinal Partition-1 to 0 remain untouched. This is helpful in being able to do a canary based deployment. The default value is 0.
  maxUnavailable  2 IntOrString
    | The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding up. This can not be 0. Defaults to 1. This field is alpha-level and is only honored by servers that enable the MaxUnavailableStatefulSet feature. The field applies to all pods in the range 0 to Replicas-1. That means if there is any unavailable pod in the range 0 to Replicas-1, it will be counted towards MaxUnavailable.

type StatefulSet gvk=apps/v1/StatefulSet
  | StatefulSet represents a set of pods with consistent identities. Identities are defined as:
  |   - Network: A single stable DNS and hostname.
  |   - Storage: As many VolumeClaims as requested.
  |
  | The StatefulSet guarantees that a given network identity will always map to the same storage identity.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 StatefulSetSpec
    | Spec defines the desired identities of pods in this set.
  status      3 StatefulSetStatus
    | Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time.

type StatefulSetCondition
  | StatefulSetCondition describes the state of a statefulset at a certain point.
  type                1 string required
    | Type of statefulset condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastTransitionTime  3 Time
    | Last time the condition transitioned from one status to another.
  reason              4 string omitzero
    | The reason for the condition's last transition.
  message             5 string omitzero
    | A human readable message indicating details about the transition.

type StatefulSetOrdinals
  | StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.
  start  1 int32
    | start is the number representing the first replica's index. It may be used to number replicas from an alternate index (eg: 1-indexed) over the default 0-indexed names, or to orchestrate progressive movement of replicas from one StatefulSet to another. If set, replica indices will be in the range:
    |   [.spec.ordinals.start, .spec.ordinals.start + .spec.replicas).
    | If unset, defaults to 0. Replica indices will be in the range:
    |   [0, .spec.replicas).

type StatefulSetPersistentVolumeClaimRetentionPolicy
  | StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.
  whenDeleted  1 string omitzero
    | WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted. The default policy of `Retain` causes PVCs to not be affected by StatefulSet deletion. The `Delete` policy causes those PVCs to be deleted.
  whenScaled   2 string omitzero
    | WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down. The default policy of `Retain` causes PVCs to not be affected by a scaledown. The `Delete` policy causes the associated PVCs for any excess pods above the replica count to be deleted.

type StatefulSetSpec
  | A StatefulSetSpec is the specification of a StatefulSet.
  replicas                              1 int32
    | replicas is the desired number of replicas of the given Template. These are replicas in the sense that they are instantiations of the same Template, but individual replicas also have a consistent identity. If unspecified, defaults to 1.
  selector                              2 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector required
    | selector is a label query over pods that should match the replica count. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
  template                              3 io.k8s.api.core.v1.PodTemplateSpec                 required
    | template is the object that describes the pod that will be created if insufficient replicas are detected. Each pod stamped out by the StatefulSet will fulfill this Template, but have a unique identity from the rest of the StatefulSet. Each pod will be named with the format <statefulsetname>-<podindex>. For example, a pod in a StatefulSet named "web" with index number "3" would be named "web-3". The only allowed template.spec.restartPolicy value is "Always".
  volumeClaimTemplates                  4 list<io.k8s.api.core.v1.PersistentVolumeClaim>
    | volumeClaimTemplates is a list of claims that pods are allowed to reference. The StatefulSet controller is responsible for mapping network identities to claims in a way that maintains the identity of a pod. Every claim in this list must have at least one matching (by name) volumeMount in one container in the template. A claim in this list takes precedence over any volumes in the template, with the same name.
  serviceName                           5 string                                             required
    | serviceName is the name of the service that governs this StatefulSet. This service must exist before the StatefulSet, and is responsible for the network identity of the set. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local where "pod-specific-string" is managed by the StatefulSet controller.
  podManagementPolicy                   6 string                                             omitzero enum=["OrderedReady","Parallel"]
    | podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down. The default policy is `OrderedReady`, where pods are created in increasing order (pod-0, then pod-1, etc) and the controller will wait until each pod is ready before continuing. When scaling down, the pods are removed in the opposite order. The alternative policy is `Parallel` which will create pods in parallel to match the desired scale without waiting, and on scale down will delete all pods at once.
    |
    | Possible enum values:
    |  - `"OrderedReady"` OrderedReadyPodManagement will create pods in strictly increasing order on scale up and strictly decreasing order on scale down, progressing only when the previous pod is ready or terminated. At most one pod will be changed at any time.
    |  - `"Parallel"` ParallelPodManagement will create and delete pods as soon as the stateful set replica count is changed, and will not wait for pods to be ready or complete termination.
  updateStrategy                        7 StatefulSetUpdateStrategy
    | updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.
  revisionHistoryLimit                  8 int32
    | revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history. The revision history consists of all revisions not represented by a currently applied StatefulSetSpec version. The default value is 10.
  minReadySeconds                       9 int32                                              omitzero
    | Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)
  persistentVolumeClaimRetentionPolicy 10 StatefulSetPersistentVolumeClaimRetentionPolicy
    | persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates. By default, all persistent volume claims are created as needed and retained until manually deleted. This policy allows the lifecycle to be altered, for example by deleting persistent volume claims when their stateful set is deleted, or when their pod is scaled down.
  ordinals                             11 StatefulSetOrdinals
    | ordinals controls the numbering of replica indices in a StatefulSet. The default ordinals behavior assigns a "0" index to the first replica and increments the index by one for each additional replica requested.

type StatefulSetStatus
  | StatefulSetStatus represents the current state of a StatefulSet.
  observedGeneration  1 int64                      omitzero
    | observedGeneration is the most recent generation observed for this StatefulSet. It corresponds to the StatefulSet's generation, which is updated on mutation by the API Server.
  replicas            2 int32                      required
    | replicas is the number of Pods created by the StatefulSet controller.
  readyReplicas       3 int32                      omitzero
    | readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.
  currentReplicas     4 int32                      omitzero
    | currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.
  updatedReplicas     5 int32                      omitzero
    | updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.
  currentRevision     6 string                     omitzero
    | currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).
  updateRevision      7 string                     omitzero
    | updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)
  collisionCount      9 int32
    | collisionCount is the count of hash collisions for the StatefulSet. The StatefulSet controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ControllerRevision.
  conditions         10 list<StatefulSetCondition> merge=type strategy=merge listmap=type
    | Represents the latest available observations of a statefulset's current state.
  availableReplicas  11 int32
    | Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.

type StatefulSetUpdateStrategy
  | StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates. It includes any additional parameters necessary to perform the update for the indicated strategy.
  type           1 string                           omitzero enum=["OnDelete","RollingUpdate"]
    | Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.
    |
    | Possible enum values:
    |  - `"OnDelete"` OnDeleteStatefulSetStrategyType triggers the legacy behavior. Version tracking and ordered rolling restarts are disabled. Pods are recreated from the StatefulSetSpec when they are manually deleted. When a scale operation is performed with this strategy,specification version indicated by the StatefulSet's currentRevision.
    |  - `"RollingUpdate"` RollingUpdateStatefulSetStrategyType indicates that update will be applied to all Pods in the StatefulSet with respect to the StatefulSet ordering constraints. When a scale operation is performed with this strategy, new Pods will be created from the specification version indicated by the StatefulSet's updateRevision.
  rollingUpdate  2 RollingUpdateStatefulSetStrategy
    | RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.
)schema");
}

}  // namespace minik::schemas
