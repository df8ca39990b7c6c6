// Schema data of io.k8s.api.storage.v1, generated once from
// k8s.io/api storage/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendStorageV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.storage.v1

type StorageClass gvk=storage.k8s.io/v1/StorageClass
  | StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.
  |
  | StorageClasses are non-namespaced; the name of the storage class according to etcd is in ObjectMeta.Name.
  apiVersion            0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind                  0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata              1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  provisioner           2 string                                          required
    | provisioner indicates the type of the provisioner.
  parameters            3 map<string>
    | parameters holds the parameters for the provisioner that should create volumes of this storage class.
  reclaimPolicy         4 string                                          enum=["Delete","Recycle","Retain"]
    | reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.
    |
    | Possible enum values:
    |  - `"Delete"` PersistentVolumeReclaimDelete means the volume will be deleted from Kubernetes on release from its claim. The volume plugin must support Deletion.
    |  - `"Recycle"` PersistentVolumeReclaimRecycle means the volume will be recycled back into the pool of unbound persistent volumes on release from its claim. The volume plugin must support Recycling.
    |  - `"Retain"` PersistentVolumeReclaimRetain means the volume will be left in its current phase (Released) for manual reclamation by the administrator. The default policy is Retain.
  mountOptions          5 list<string>
    | mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. e.g. ["ro", "soft"]. Not validated - mount of the PVs will simply fail if one is invalid.
  allowVolumeExpansion  6 bool
    | allowVolumeExpansion shows whether the storage class allow volume expand.
  volumeBindingMode     7 string                                          enum=["Immediate","WaitForFirstConsumer"]
    | volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.
    |
    | Possible enum values:
    |  - `"Immediate"` VolumeBindingImmediate indicates that PersistentVolumeClaims should be immediately provisioned and bound.  This is the default mode.
    |  - `"WaitForFirstConsumer"` VolumeBindingWaitForFirstConsumer indicates that PersistentVolumeClaims should not be provisioned and bound until the first Pod is created that references the PeristentVolumeClaim.  The volume provisioning and binding will occur during Pod scheduing.
  allowedTopologies     8 list<io.k8s.api.core.v1.TopologySelectorTerm>
    | allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. Each volume plugin defines its own supported topology specifications. An empty TopologySelectorTerm list means there is no topology restriction. This field is only honored by servers that enable the VolumeScheduling feature.
)schema");
}

}  // namespace minik::schemas
