// Schema data of io.k8s.api.coordination.v1, generated once from
// k8s.io/api coordination/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendCoordinationV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.coordination.v1

type Lease gvk=coordination.k8s.io/v1/Lease
  | Lease defines a lease concept.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 LeaseSpec
    | spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type LeaseSpec
  | LeaseSpec is a specification of a Lease.
  holderIdentity        1 string
    | holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.
  leaseDurationSeconds  2 int32
    | leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.
  acquireTime           3 MicroTime
    | acquireTime is a time when the current lease was acquired.
  renewTime             4 MicroTime
    | renewTime is a time when the current holder of a lease has last updated the lease.
  leaseTransitions      5 int32
    | leaseTransitions is the number of transitions of a lease between holders.
  strategy              6 string
    | Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.
  preferredHolder       7 string
    | PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set.
)schema");
}

}  // namespace minik::schemas
