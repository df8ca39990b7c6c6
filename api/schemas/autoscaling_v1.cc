// Schema data of io.k8s.api.autoscaling.v1, generated once from
// k8s.io/api autoscaling/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAutoscalingV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.autoscaling.v1

type CrossVersionObjectReference
  | CrossVersionObjectReference contains enough information to let you identify the referred resource.
  kind        1 string required
    | kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  name        2 string required
    | name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
  apiVersion  3 string omitzero
    | apiVersion is the API version of the referent

type HorizontalPodAutoscaler gvk=autoscaling/v1/HorizontalPodAutoscaler
  | configuration of a horizontal pod autoscaler.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 HorizontalPodAutoscalerSpec
    | spec defines the behaviour of autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.
  status      3 HorizontalPodAutoscalerStatus
    | status is the current information about the autoscaler.

type HorizontalPodAutoscalerSpec
  | specification of a horizontal pod autoscaler.
  scaleTargetRef                  1 CrossVersionObjectReference required
    | reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.
  minReplicas                     2 int32
    | minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.
  maxReplicas                     3 int32 required
    | maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.
  targetCPUUtilizationPercentage  4 int32
    | targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used.

type HorizontalPodAutoscalerStatus
  | current status of a horizontal pod autoscaler
  observedGeneration               1 int64
    | observedGeneration is the most recent generation observed by this autoscaler.
  lastScaleTime                    2 Time
    | lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods; used by the autoscaler to control how often the number of pods is changed.
  currentReplicas                  3 int32 required
    | currentReplicas is the current number of replicas of pods managed by this autoscaler.
  desiredReplicas                  4 int32 required
    | desiredReplicas is the  desired number of replicas of pods managed by this autoscaler.
  currentCPUUtilizationPercentage  5 int32
    | currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU, e.g. 70 means that an average pod is using now 70% of its requested CPU.

type Scale gvk=autoscaling/v1/Scale
  | Scale represents a scaling request for a resource.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.
  spec        2 ScaleSpec
    | spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.
  status      3 ScaleStatus
    | status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.

type ScaleSpec
  | ScaleSpec describes the attributes of a scale subresource.
  replicas  1 int32 omitzero
    | replicas is the desired number of instances for the scaled object.

type ScaleStatus
  | ScaleStatus represents the current status of a scale subresource.
  replicas  1 int32  required
    | replicas is the actual number of observed instances of the scaled object.
  selector  2 string omitzero
    | selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients. The string will be in the same format as the query-param syntax. More info about label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
)schema");
}

}  // namespace minik::schemas
