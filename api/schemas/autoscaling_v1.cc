// Schema data of io.k8s.api.autoscaling.v1, generated once from
// k8s.io/api autoscaling/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAutoscalingV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.autoscaling.v1

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
