// Schema data of io.k8s.api.scheduling.v1, generated once from
// k8s.io/api scheduling/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendSchedulingV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.scheduling.v1

type PriorityClass gvk=scheduling.k8s.io/v1/PriorityClass
  | PriorityClass defines mapping from a priority class name to the priority integer value. The value can be any valid integer.
  apiVersion        0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind              0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata          1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  value             2 int32                                           required
    | value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.
  globalDefault     3 bool                                            omitzero
    | globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.
  description       4 string                                          omitzero
    | description is an arbitrary string that usually provides guidelines on when this priority class should be used.
  preemptionPolicy  5 string
    | preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.
)schema");
}

}  // namespace minik::schemas
