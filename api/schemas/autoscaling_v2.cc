// Schema data of io.k8s.api.autoscaling.v2, generated once from
// k8s.io/api autoscaling/v2 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAutoscalingV2(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.autoscaling.v2

type ContainerResourceMetricSource
  | ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set.
  name       1 string       required
    | name is the name of the resource in question.
  target     2 MetricTarget required
    | target specifies the target value for the given metric
  container  3 string       required
    | container is the name of the container in the pods of the scaling target

type ContainerResourceMetricStatus
  | ContainerResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod in the current scale target (e.g. CPU or memory).  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.
  name       1 string            required
    | name is the name of the resource in question.
  current    2 MetricValueStatus required
    | current contains the current value for the given metric
  container  3 string            required
    | container is the name of the container in the pods of the scaling target

type CrossVersionObjectReference
  | CrossVersionObjectReference contains enough information to let you identify the referred resource.
  kind        1 string required
    | kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  name        2 string required
    | name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
  apiVersion  3 string omitzero
    | apiVersion is the API version of the referent

type ExternalMetricSource
  | ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).
  metric  1 MetricIdentifier required
    | metric identifies the target metric by name and selector
  target  2 MetricTarget     required
    | target specifies the target value for the given metric

type ExternalMetricStatus
  | ExternalMetricStatus indicates the current value of a global metric not associated with any Kubernetes object.
  metric   1 MetricIdentifier  required
    | metric identifies the target metric by name and selector
  current  2 MetricValueStatus required
    | current contains the current value for the given metric

type HPAScalingPolicy
  | HPAScalingPolicy is a single policy which must hold true for a specified past interval.
  type           1 string required
    | type is used to specify the scaling policy.
  value          2 int32  required
    | value contains the amount of change which is permitted by the policy. It must be greater than zero
  periodSeconds  3 int32  required
    | periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).

type HPAScalingRules
  | HPAScalingRules configures the scaling behavior for one direction. These Rules are applied after calculating DesiredReplicas from metrics for the HPA. They can limit the scaling velocity by specifying scaling policies. They can prevent flapping by specifying the stabilization window, so that the number of replicas is not set instantly, instead, the safest value from the stabilization window is chosen.
  stabilizationWindowSeconds  3 int32
    | stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. StabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour). If not set, use the default values: - For scale up: 0 (i.e. no stabilization is done). - For scale down: 300 (i.e. the stabilization window is 300 seconds long).
  selectPolicy                1 string
    | selectPolicy is used to specify which policy should be used. If not set, the default value Max is used.
  policies                    2 list<HPAScalingPolicy>
    | policies is a list of potential scaling polices which can be used during scaling. At least one policy must be specified, otherwise the HPAScalingRules will be discarded as invalid

type HorizontalPodAutoscaler gvk=autoscaling/v2/HorizontalPodAutoscaler
  | HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 HorizontalPodAutoscalerSpec
    | spec is the specification for the behaviour of the autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.
  status      3 HorizontalPodAutoscalerStatus
    | status is the current information about the autoscaler.

type HorizontalPodAutoscalerBehavior
  | HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).
  scaleUp    1 HPAScalingRules
    | scaleUp is scaling policy for scaling Up. If not set, the default value is the higher of:
    |   * increase no more than 4 pods per 60 seconds
    |   * double the number of pods per 60 seconds
    | No stabilization is used.
  scaleDown  2 HPAScalingRules
    | scaleDown is scaling policy for scaling Down. If not set, the default value is to allow to scale down to minReplicas pods, with a 300 second stabilization window (i.e., the highest recommendation for the last 300sec is used).

type HorizontalPodAutoscalerCondition
  | HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.
  type                1 string required
    | type describes the current condition
  status              2 string required
    | status is the status of the condition (True, False, Unknown)
  lastTransitionTime  3 Time
    | lastTransitionTime is the last time the condition transitioned from one status to another
  reason              4 string omitzero
    | reason is the reason for the condition's last transition.
  message             5 string omitzero
    | message is a human-readable explanation containing details about the transition

type HorizontalPodAutoscalerSpec
  | HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.
  scaleTargetRef  1 CrossVersionObjectReference     required
    | scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.
  minReplicas     2 int32
    | minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.
  maxReplicas     3 int32                           required
    | maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.
  metrics         4 list<MetricSpec>
    | metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.
  behavior        5 HorizontalPodAutoscalerBehavior
    | behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used.

type HorizontalPodAutoscalerStatus
  | HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.
  observedGeneration  1 int64
    | observedGeneration is the most recent generation observed by this autoscaler.
  lastScaleTime       2 Time
    | lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed.
  currentReplicas     3 int32                                  omitzero
    | currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.
  desiredReplicas     4 int32                                  required
    | desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.
  currentMetrics      5 list<MetricStatus>
    | currentMetrics is the last read state of the metrics used by this autoscaler.
  conditions          6 list<HorizontalPodAutoscalerCondition> merge=type strategy=merge listmap=type
    | conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.

type MetricIdentifier
  | MetricIdentifier defines the name and optionally selector for a metric
  name      1 string                                             required
    | name is the name of the given metric
  selector  2 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | selector is the string-encoded form of a standard kubernetes label selector for the given metric When set, it is passed as an additional parameter to the metrics server for more specific metrics scoping. When unset, just the metricName will be used to gather metrics.

type MetricSpec
  | MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).
  type               1 string                        required
    | type is the type of metric source.  It should be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each mapping to a matching field in the object.
  object             2 ObjectMetricSource
    | object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object).
  pods               3 PodsMetricSource
    | pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second).  The values will be averaged together before being compared to the target value.
  resource           4 ResourceMetricSource
    | resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.
  containerResource  7 ContainerResourceMetricSource
    | containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.
  external           5 ExternalMetricSource
    | external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).

type MetricStatus
  | MetricStatus describes the last-read state of a single metric.
  type               1 string                        required
    | type is the type of metric source.  It will be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each corresponds to a matching field in the object.
  object             2 ObjectMetricStatus
    | object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object).
  pods               3 PodsMetricStatus
    | pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second).  The values will be averaged together before being compared to the target value.
  resource           4 ResourceMetricStatus
    | resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.
  containerResource  7 ContainerResourceMetricStatus
    | container resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.
  external           5 ExternalMetricStatus
    | external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).

type MetricTarget
  | MetricTarget defines the target value, average value, or average utilization of a specific metric
  type                1 string   required
    | type represents whether the metric type is Utilization, Value, or AverageValue
  value               2 Quantity
    | value is the target value of the metric (as a quantity).
  averageValue        3 Quantity
    | averageValue is the target value of the average of the metric across all relevant pods (as a quantity)
  averageUtilization  4 int32
    | averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type

type MetricValueStatus
  | MetricValueStatus holds the current value for a metric
  value               1 Quantity
    | value is the current value of the metric (as a quantity).
  averageValue        2 Quantity
    | averageValue is the current value of the average of the metric across all relevant pods (as a quantity)
  averageUtilization  3 int32
    | currentAverageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods.

type ObjectMetricSource
  | ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).
  describedObject  1 CrossVersionObjectReference required
    | describedObject specifies the descriptions of a object,such as kind,name apiVersion
  target           2 MetricTarget                required
    | target specifies the target value for the given metric
  metric           3 MetricIdentifier            required
    | metric identifies the target metric by name and selector

type ObjectMetricStatus
  | ObjectMetricStatus indicates the current value of a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).
  metric           1 MetricIdentifier            required
    | metric identifies the target metric by name and selector
  current          2 MetricValueStatus           required
    | current contains the current value for the given metric
  describedObject  3 CrossVersionObjectReference required
    | DescribedObject specifies the descriptions of a object,such as kind,name apiVersion

type PodsMetricSource
  | PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value.
  metric  1 MetricIdentifier required
    | metric identifies the target metric by name and selector
  target  2 MetricTarget     required
    | target specifies the target value for the given metric

type PodsMetricStatus
  | PodsMetricStatus indicates the current value of a metric describing each pod in the current scale target (for example, transactions-processed-per-second).
  metric   1 MetricIdentifier  required
    | metric identifies the target metric by name and selector
  current  2 MetricValueStatus required
    | current contains the current value for the given metric

type ResourceMetricSource
  | ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set.
  name    1 string       required
    | name is the name of the resource in question.
  target  2 MetricTarget required
    | target specifies the target value for the given metric

type ResourceMetricStatus
  | ResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.
  name     1 string            required
    | name is the name of the resource in question.
  current  2 MetricValueStatus required
    | current contains the current value for the given metric
)schema");
}

}  // namespace minik::schemas
