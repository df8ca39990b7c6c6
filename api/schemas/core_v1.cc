// Schema data of io.k8s.api.core.v1, generated once from
// k8s.io/api core/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendCoreV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.core.v1

type AWSElasticBlockStoreVolumeSource
  | Represents a Persistent Disk resource in AWS.
  |
  | An AWS EBS disk must exist before mounting to a container. The disk must also be in the same AWS zone as the kubelet. An AWS EBS disk can only be mounted as read/write once. AWS EBS volumes support ownership management and SELinux relabeling.
  volumeID   1 string required
    | volumeID is unique ID of the persistent disk resource in AWS (Amazon EBS volume). More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore
  fsType     2 string omitzero
    | fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore
  partition  3 int32  omitzero
    | partition is the partition in the volume that you want to mount. If omitted, the default is to mount by volume name. Examples: For volume /dev/sda1, you specify the partition as "1". Similarly, the volume partition for /dev/sda is "0" (or you can leave the property empty).
  readOnly   4 bool   omitzero
    | readOnly value true will force the readOnly setting in VolumeMounts. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore

type Affinity
  | Affinity is a group of affinity scheduling rules.
  nodeAffinity     1 NodeAffinity
    | Describes node affinity scheduling rules for the pod.
  podAffinity      2 PodAffinity
    | Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).
  podAntiAffinity  3 PodAntiAffinity
    | Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).

type AppArmorProfile
  | AppArmorProfile defines a pod or container's AppArmor settings.
  type              1 string required enum=["Localhost","RuntimeDefault","Unconfined"]
    | type indicates which kind of AppArmor profile will be applied. Valid options are:
    |   Localhost - a profile pre-loaded on the node.
    |   RuntimeDefault - the container runtime's default profile.
    |   Unconfined - no AppArmor enforcement.
    |
    | Possible enum values:
    |  - `"Localhost"` AppArmorProfileTypeLocalhost indicates that a profile pre-loaded on the node should be used.
    |  - `"RuntimeDefault"` AppArmorProfileTypeRuntimeDefault indicates that the container runtime's default AppArmor profile should be used.
    |  - `"Unconfined"` AppArmorProfileTypeUnconfined indicates that no AppArmor profile should be enforced.
  localhostProfile  2 string
    | localhostProfile indicates a profile loaded on the node that should be used. The profile must be preconfigured on the node to work. Must match the loaded name of the profile. Must be set if and only if type is "Localhost".

type AttachedVolume
  | AttachedVolume describes a volume attached to a node
  name        1 string required
    | Name of the attached volume
  devicePath  2 string required
    | DevicePath represents the device path where the volume should be available

type AzureDiskVolumeSource
  | AzureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.
  diskName     1 string required
    | diskName is the Name of the data disk in the blob storage
  diskURI      2 string required
    | diskURI is the URI of data disk in the blob storage
  cachingMode  3 string enum=["None","ReadOnly","ReadWrite"]
    | cachingMode is the Host Caching mode: None, Read Only, Read Write.
    |
    | Possible enum values:
    |  - `"None"`
    |  - `"ReadOnly"`
    |  - `"ReadWrite"`
  fsType       4 string default="ext4"
    | fsType is Filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.
  readOnly     5 bool   default=false
    | readOnly Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  kind         6 string enum=["Dedicated","Managed","Shared"]
    | kind expected values are Shared: multiple blob disks per storage account  Dedicated: single blob disk per storage account  Managed: azure managed data disk (only in managed availability set). defaults to shared
    |
    | Possible enum values:
    |  - `"Dedicated"`
    |  - `"Managed"`
    |  - `"Shared"`

type AzureFilePersistentVolumeSource
  | AzureFile represents an Azure File Service mount on the host and bind mount to the pod.
  secretName       1 string required
    | secretName is the name of secret that contains Azure Storage Account Name and Key
  shareName        2 string required
    | shareName is the azure Share Name
  readOnly         3 bool   omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  secretNamespace  4 string
    | secretNamespace is the namespace of the secret that contains Azure Storage Account Name and Key default is the same as the Pod

type AzureFileVolumeSource
  | AzureFile represents an Azure File Service mount on the host and bind mount to the pod.
  secretName  1 string required
    | secretName is the  name of secret that contains Azure Storage Account Name and Key
  shareName   2 string required
    | shareName is the azure share Name
  readOnly    3 bool   omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.

type Binding gvk=/v1/Binding
  | Binding ties one object to another; for example, a pod is bound to a node by a scheduler.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  target      2 ObjectReference                                 required
    | The target object that you want to bind to the standard object.

type CSIPersistentVolumeSource
  | Represents storage that is managed by an external CSI volume driver
  driver                      1 string          required
    | driver is the name of the driver to use for this volume. Required.
  volumeHandle                2 string          required
    | volumeHandle is the unique volume name returned by the CSI volume plugin’s CreateVolume to refer to the volume on all subsequent calls. Required.
  readOnly                    3 bool            omitzero
    | readOnly value to pass to ControllerPublishVolumeRequest. Defaults to false (read/write).
  fsType                      4 string          omitzero
    | fsType to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs".
  volumeAttributes            5 map<string>
    | volumeAttributes of the volume to publish.
  controllerPublishSecretRef  6 SecretReference
    | controllerPublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerPublishVolume and ControllerUnpublishVolume calls. This field is optional, and may be empty if no secret is required. If the secret object contains more than one secret, all secrets are passed.
  nodeStageSecretRef          7 SecretReference
    | nodeStageSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeStageVolume and NodeStageVolume and NodeUnstageVolume calls. This field is optional, and may be empty if no secret is required. If the secret object contains more than one secret, all secrets are passed.
  nodePublishSecretRef        8 SecretReference
    | nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls. This field is optional, and may be empty if no secret is required. If the secret object contains more than one secret, all secrets are passed.
  controllerExpandSecretRef   9 SecretReference
    | controllerExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerExpandVolume call. This field is optional, and may be empty if no secret is required. If the secret object contains more than one secret, all secrets are passed.
  nodeExpandSecretRef        10 SecretReference
    | nodeExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeExpandVolume call. This field is optional, may be omitted if no secret is required. If the secret object contains more than one secret, all secrets are passed.

type CSIVolumeSource
  | Represents a source location of a volume to mount, managed by an external CSI driver
  driver                1 string               required
    | driver is the name of the CSI driver that handles this volume. Consult with your admin for the correct name as registered in the cluster.
  readOnly              2 bool
    | readOnly specifies a read-only configuration for the volume. Defaults to false (read/write).
  fsType                3 string
    | fsType to mount. Ex. "ext4", "xfs", "ntfs". If not provided, the empty value is passed to the associated CSI driver which will determine the default filesystem to apply.
  volumeAttributes      4 map<string>
    | volumeAttributes stores driver-specific properties that are passed to the CSI driver. Consult your driver's documentation for supported values.
  nodePublishSecretRef  5 LocalObjectReference
    | nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls. This field is optional, and  may be empty if no secret is required. If the secret object contains more than one secret, all secret references are passed.

type Capabilities
  | Adds and removes POSIX capabilities from running containers.
  add   1 list<string>
    | Added capabilities
  drop  2 list<string>
    | Removed capabilities

type CephFSPersistentVolumeSource
  | Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling.
  monitors    1 list<string>    required
    | monitors is Required: Monitors is a collection of Ceph monitors More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  path        2 string          omitzero
    | path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /
  user        3 string          omitzero
    | user is Optional: User is the rados user name, default is admin More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  secretFile  4 string          omitzero
    | secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  secretRef   5 SecretReference
    | secretRef is Optional: SecretRef is reference to the authentication secret for User, default is empty. More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  readOnly    6 bool            omitzero
    | readOnly is Optional: Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts. More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it

type CephFSVolumeSource
  | Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling.
  monitors    1 list<string>         required
    | monitors is Required: Monitors is a collection of Ceph monitors More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  path        2 string               omitzero
    | path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /
  user        3 string               omitzero
    | user is optional: User is the rados user name, default is admin More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  secretFile  4 string               omitzero
    | secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  secretRef   5 LocalObjectReference
    | secretRef is Optional: SecretRef is reference to the authentication secret for User, default is empty. More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it
  readOnly    6 bool                 omitzero
    | readOnly is Optional: Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts. More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it

type CinderPersistentVolumeSource
  | Represents a cinder volume resource in Openstack. A Cinder volume must exist before mounting to a container. The volume must also be in the same region as the kubelet. Cinder volumes support ownership management and SELinux relabeling.
  volumeID   1 string          required
    | volumeID used to identify the volume in cinder. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  fsType     2 string          omitzero
    | fsType Filesystem type to mount. Must be a filesystem type supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  readOnly   3 bool            omitzero
    | readOnly is Optional: Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  secretRef  4 SecretReference
    | secretRef is Optional: points to a secret object containing parameters used to connect to OpenStack.

type CinderVolumeSource
  | Represents a cinder volume resource in Openstack. A Cinder volume must exist before mounting to a container. The volume must also be in the same region as the kubelet. Cinder volumes support ownership management and SELinux relabeling.
  volumeID   1 string               required
    | volumeID used to identify the volume in cinder. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  fsType     2 string               omitzero
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  readOnly   3 bool                 omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  secretRef  4 LocalObjectReference
    | secretRef is optional: points to a secret object containing parameters used to connect to OpenStack.

type ClientIPConfig
  | ClientIPConfig represents the configurations of Client IP based session affinity.
  timeoutSeconds  1 int32
    | timeoutSeconds specifies the seconds of ClientIP type session sticky time. The value must be >0 && <=86400(for 1 day) if ServiceAffinity == "ClientIP". Default value is 10800(for 3 hours).

type ClusterTrustBundleProjection
  | ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem.
  name           1 string
    | Select a single ClusterTrustBundle by object name.  Mutually-exclusive with signerName and labelSelector.
  signerName     2 string
    | Select all ClusterTrustBundles that match this signer name. Mutually-exclusive with name.  The contents of all selected ClusterTrustBundles will be unified and deduplicated.
  labelSelector  3 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | Select all ClusterTrustBundles that match this label selector.  Only has effect if signerName is set.  Mutually-exclusive with name.  If unset, interpreted as "match nothing".  If set but empty, interpreted as "match everything".
  optional       5 bool
    | If true, don't block pod startup if the referenced ClusterTrustBundle(s) aren't available.  If using name, then the named ClusterTrustBundle is allowed not to exist.  If using signerName, then the combination of signerName and labelSelector is allowed to match zero ClusterTrustBundles.
  path           4 string                                             required
    | Relative path from the volume root to write the bundle.

type ConfigMap gvk=/v1/ConfigMap
  | ConfigMap holds configuration data for pods to consume.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  immutable   4 bool
    | Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.
  data        2 map<string>
    | Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.
  binaryData  3 map<bytes>
    | BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet.

type ConfigMapEnvSource
  | ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.
  |
  | The contents of the target ConfigMap's Data field will represent the key-value pairs as environment variables.
  -         1 LocalObjectReference
    | The ConfigMap to select from.
  optional  2 bool
    | Specify whether the ConfigMap must be defined

type ConfigMapKeySelector
  | Selects a key from a ConfigMap.
  -         1 LocalObjectReference
    | The ConfigMap to select from.
  key       2 string               required
    | The key to select.
  optional  3 bool
    | Specify whether the ConfigMap or its key must be defined

type ConfigMapNodeConfigSource
  | ConfigMapNodeConfigSource contains the information to reference a ConfigMap as a config source for the Node. This API is deprecated since 1.22: https://git.k8s.io/enhancements/keps/sig-node/281-dynamic-kubelet-configuration
  namespace         1 string required
    | Namespace is the metadata.namespace of the referenced ConfigMap. This field is required in all cases.
  name              2 string required
    | Name is the metadata.name of the referenced ConfigMap. This field is required in all cases.
  uid               3 string omitzero
    | UID is the metadata.UID of the referenced ConfigMap. This field is forbidden in Node.Spec, and required in Node.Status.
  resourceVersion   4 string omitzero
    | ResourceVersion is the metadata.ResourceVersion of the referenced ConfigMap. This field is forbidden in Node.Spec, and required in Node.Status.
  kubeletConfigKey  5 string required
    | KubeletConfigKey declares which key of the referenced ConfigMap corresponds to the KubeletConfiguration structure This field is required in all cases.

type ConfigMapProjection
  | Adapts a ConfigMap into a projected volume.
  |
  | The contents of the target ConfigMap's Data field will be presented in a projected volume as files using the keys in the Data field as the file names, unless the items element is populated with specific mappings of keys to paths. Note that this is identical to a configmap volume source without the default mode.
  -         1 LocalObjectReference
  items     2 list<KeyToPath>
    | items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the ConfigMap, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.
  optional  4 bool
    | optional specify whether the ConfigMap or its keys must be defined

type ConfigMapVolumeSource
  | Adapts a ConfigMap into a volume.
  |
  | The contents of the target ConfigMap's Data field will be presented in a volume as files using the keys in the Data field as the file names, unless the items element is populated with specific mappings of keys to paths. ConfigMap volumes support ownership management and SELinux relabeling.
  -            1 LocalObjectReference
  items        2 list<KeyToPath>
    | items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the ConfigMap, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.
  defaultMode  3 int32
    | defaultMode is optional: mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Defaults to 0644. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.
  optional     4 bool
    | optional specify whether the ConfigMap or its keys must be defined

type Container
  | A single application container that you want to run within a pod.
  name                      1 string                      required
    | Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.
  image                     2 string                      omitzero
    | Container image name. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.
  command                   3 list<string>
    | Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell
  args                      4 list<string>
    | Arguments to the entrypoint. The container image's CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell
  workingDir                5 string                      omitzero
    | Container's working directory. If not specified, the container runtime's default will be used, which might be configured in the container image. Cannot be updated.
  ports                     6 list<ContainerPort>         merge=containerPort strategy=merge listmap=containerPort,protocol
    | List of ports to expose from the container. Not specifying a port here DOES NOT prevent that port from being exposed. Any port which is listening on the default "0.0.0.0" address inside a container will be accessible from the network. Modifying this array with strategic merge patch may corrupt the data. For more information See https://github.com/kubernetes/kubernetes/issues/108255. Cannot be updated.
  envFrom                  19 list<EnvFromSource>
    | List of sources to populate environment variables in the container. The keys defined within a source must be a C_IDENTIFIER. All invalid keys will be reported as an event when the container is starting. When a key exists in multiple sources, the value associated with the last source will take precedence. Values defined by an Env with a duplicate key will take precedence. Cannot be updated.
  env                       7 list<EnvVar>                merge=name strategy=merge listmap=name
    | List of environment variables to set in the container. Cannot be updated.
  resources                 8 ResourceRequirements
    | Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
  resizePolicy             23 list<ContainerResizePolicy>
    | Resources resize policy for the container.
  restartPolicy            24 string
    | RestartPolicy defines the restart behavior of individual containers in a pod. This field may only be set for init containers, and the only allowed value is "Always". For non-init containers or when this field is not specified, the restart behavior is defined by the Pod's restart policy and the container type. Setting the RestartPolicy as "Always" for the init container will have the following effect: this init container will be continually restarted on exit until all regular containers have terminated. Once all regular containers have completed, all init containers with restartPolicy "Always" will be shut down. This lifecycle differs from normal init containers and is often referred to as a "sidecar" container. Although this init container still starts in the init container sequence, it does not wait for the container to complete before proceeding to the next init container. Instead, the next init container starts immediately after this init container is started, or after any startupProbe has successfully completed.
  volumeMounts              9 list<VolumeMount>           merge=mountPath strategy=merge listmap=mountPath
    | Pod volumes to mount into the container's filesystem. Cannot be updated.
  volumeDevices            21 list<VolumeDevice>          merge=devicePath strategy=merge listmap=devicePath
    | volumeDevices is the list of block devices to be used by the container.
  livenessProbe            10 Probe
    | Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
  readinessProbe           11 Probe
    | Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
  startupProbe             22 Probe
    | StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully. If this probe fails, the Pod will be restarted, just as if the livenessProbe failed. This can be used to provide different probe parameters at the beginning of a Pod's lifecycle, when it might take a long time to load data or warm a cache, than during steady-state operation. This cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
  lifecycle                12 Lifecycle
    | Actions that the management system should take in response to container lifecycle events. Cannot be updated.
  terminationMessagePath   13 string                      omitzero
    | Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Message written is intended to be brief final status, such as an assertion failure message. Will be truncated by the node if greater than 4096 bytes. The total message length across all containers will be limited to 12kb. Defaults to /dev/termination-log. Cannot be updated.
  terminationMessagePolicy 20 string                      omitzero enum=["FallbackToLogsOnError","File"]
    | Indicate how the termination message should be populated. File will use the contents of terminationMessagePath to populate the container status message on both success and failure. FallbackToLogsOnError will use the last chunk of container log output if the termination message file is empty and the container exited with an error. The log output is limited to 2048 bytes or 80 lines, whichever is smaller. Defaults to File. Cannot be updated.
    |
    | Possible enum values:
    |  - `"FallbackToLogsOnError"` TerminationMessageFallbackToLogsOnError will read the most recent contents of the container logs for the container status message when the container exits with an error and the terminationMessagePath has no contents.
    |  - `"File"` TerminationMessageReadFile is the default behavior and will set the container status message to the contents of the container's terminationMessagePath when the container exits.
  imagePullPolicy          14 string                      omitzero enum=["Always","IfNotPresent","Never"]
    | Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images
    |
    | Possible enum values:
    |  - `"Always"` PullAlways means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
    |  - `"IfNotPresent"` PullIfNotPresent means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
    |  - `"Never"` PullNever means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present
  securityContext          15 SecurityContext
    | SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
  stdin                    16 bool                        omitzero
    | Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.
  stdinOnce                17 bool                        omitzero
    | Whether the container runtime should close the stdin channel after it has been opened by a single attach. When stdin is true the stdin stream will remain open across multiple attach sessions. If stdinOnce is set to true, stdin is opened on container start, is empty until the first client attaches to stdin, and then remains open and accepts data until the client disconnects, at which time stdin is closed and remains closed until the container is restarted. If this flag is false, a container processes that reads from stdin will never receive an EOF. Default is false
  tty                      18 bool                        omitzero
    | Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false.

type ContainerImage
  | Describe a container image
  names      1 list<string>
    | Names by which this image is known. e.g. ["kubernetes.example/hyperkube:v1.0.7", "cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7"]
  sizeBytes  2 int64        omitzero
    | The size of the image in bytes.

type ContainerPort
  | ContainerPort represents a network port in a single container.
  name           1 string omitzero
    | If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services.
  hostPort       2 int32  omitzero
    | Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536. If HostNetwork is specified, this must match ContainerPort. Most containers do not need this.
  containerPort  3 int32  required
    | Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536.
  protocol       4 string omitzero enum=["SCTP","TCP","UDP"] default="TCP"
    | Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".
    |
    | Possible enum values:
    |  - `"SCTP"` ProtocolSCTP is the SCTP protocol.
    |  - `"TCP"` ProtocolTCP is the TCP protocol.
    |  - `"UDP"` ProtocolUDP is the UDP protocol.
  hostIP         5 string omitzero
    | What host IP to bind the external port to.

type ContainerResizePolicy
  | ContainerResizePolicy represents resource resize policy for the container.
  resourceName   1 string required
    | Name of the resource to which this resource resize policy applies. Supported values: cpu, memory.
  restartPolicy  2 string required
    | Restart policy to apply when specified resource is resized. If not specified, it defaults to NotRequired.

type ContainerState
  | ContainerState holds a possible state of container. Only one of its members may be specified. If none of them is specified, the default one is ContainerStateWaiting.
  waiting     1 ContainerStateWaiting
    | Details about a waiting container
  running     2 ContainerStateRunning
    | Details about a running container
  terminated  3 ContainerStateTerminated
    | Details about a terminated container

type ContainerStateRunning
  | ContainerStateRunning is a running state of a container.
  startedAt  1 Time
    | Time at which the container was last (re-)started

type ContainerStateTerminated
  | ContainerStateTerminated is a terminated state of a container.
  exitCode     1 int32  required
    | Exit status from the last termination of the container
  signal       2 int32  omitzero
    | Signal from the last termination of the container
  reason       3 string omitzero
    | (brief) reason from the last termination of the container
  message      4 string omitzero
    | Message regarding the last termination of the container
  startedAt    5 Time
    | Time at which previous execution of the container started
  finishedAt   6 Time
    | Time at which the container last terminated
  containerID  7 string omitzero
    | Container's ID in the format '<type>://<container_id>'

type ContainerStateWaiting
  | ContainerStateWaiting is a waiting state of a container.
  reason   1 string omitzero
    | (brief) reason the container is not yet running.
  message  2 string omitzero
    | Message regarding why the container is not yet running.

type ContainerStatus
  | ContainerStatus contains details for the current status of this container.
  name                      1 string                  required
    | Name is a DNS_LABEL representing the unique name of the container. Each container in a pod must have a unique name across all container types. Cannot be updated.
  state                     2 ContainerState
    | State holds details about the container's current condition.
  lastState                 3 ContainerState
    | LastTerminationState holds the last termination state of the container to help debug container crashes and restarts. This field is not populated if the container is still running and RestartCount is 0.
  ready                     4 bool                    required
    | Ready specifies whether the container is currently passing its readiness check. The value will change as readiness probes keep executing. If no readiness probes are specified, this field defaults to true once the container is fully started (see Started field).
    |
    | The value is typically used to determine whether a container is ready to accept traffic.
  restartCount              5 int32                   required
    | RestartCount holds the number of times the container has been restarted. Kubelet makes an effort to always increment the value, but there are cases when the state may be lost due to node restarts and then the value may be reset to 0. The value is never negative.
  image                     6 string                  required
    | Image is the name of container image that the container is running. The container image may not match the image used in the PodSpec, as it may have been resolved by the runtime. More info: https://kubernetes.io/docs/concepts/containers/images.
  imageID                   7 string                  required
    | ImageID is the image ID of the container's image. The image ID may not match the image ID of the image used in the PodSpec, as it may have been resolved by the runtime.
  containerID               8 string                  omitzero
    | ContainerID is the ID of the container in the format '<type>://<container_id>'. Where type is a container runtime identifier, returned from Version call of CRI API (for example "containerd").
  started                   9 bool
    | Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe. Initialized as false, becomes true after startupProbe is considered successful. Resets to false when the container is restarted, or if kubelet loses state temporarily. In both cases, startup probes will run again. Is always true when no startupProbe is defined and container is running and has passed the postStart lifecycle hook. The null value must be treated the same as false.
  allocatedResources       10 map<Quantity>
    | AllocatedResources represents the compute resources allocated for this container by the node. Kubelet sets this value to Container.Resources.Requests upon successful pod admission and after successfully admitting desired pod resize.
  resources                11 ResourceRequirements
    | Resources represents the compute resource requests and limits that have been successfully enacted on the running container after it has been started or has been successfully resized.
  volumeMounts             12 list<VolumeMountStatus> merge=mountPath strategy=merge listmap=mountPath
    | Status of volume mounts.
  user                     13 ContainerUser
    | User represents user identity information initially attached to the first process of the container
  allocatedResourcesStatus 14 list<ResourceStatus>    merge=name strategy=merge listmap=name
    | AllocatedResourcesStatus represents the status of various resources allocated for this Pod.

type ContainerUser
  | ContainerUser represents user identity information
  linux  1 LinuxContainerUser
    | Linux holds user identity information initially attached to the first process of the containers in Linux. Note that the actual running identity can be changed if the process has enough privilege to do so.

type DaemonEndpoint
  | DaemonEndpoint contains information about a single Daemon endpoint.
  Port  1 int32 required
    | Port number of the given endpoint.

type DownwardAPIProjection
  | Represents downward API info for projecting into a projected volume. Note that this is identical to a downwardAPI volume source without the default mode.
  items  1 list<DownwardAPIVolumeFile>
    | Items is a list of DownwardAPIVolume file

type DownwardAPIVolumeFile
  | DownwardAPIVolumeFile represents information to create the file containing the pod field
  path              1 string                required
    | Required: Path is  the relative path name of the file to be created. Must not be absolute or contain the '..' path. Must be utf-8 encoded. The first item of the relative path must not start with '..'
  fieldRef          2 ObjectFieldSelector
    | Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.
  resourceFieldRef  3 ResourceFieldSelector
    | Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.
  mode              4 int32
    | Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. If not specified, the volume defaultMode will be used. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.

type DownwardAPIVolumeSource
  | DownwardAPIVolumeSource represents a volume containing downward API info. Downward API volumes support ownership management and SELinux relabeling.
  items        1 list<DownwardAPIVolumeFile>
    | Items is a list of downward API volume file
  defaultMode  2 int32
    | Optional: mode bits to use on created files by default. Must be a Optional: mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Defaults to 0644. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.

type EmptyDirVolumeSource
  | Represents an empty directory for a pod. Empty directory volumes support ownership management and SELinux relabeling.
  medium     1 string   omitzero
    | medium represents what type of storage medium should back this directory. The default is "" which means to use the node's default medium. Must be an empty string (default) or Memory. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir
  sizeLimit  2 Quantity
    | sizeLimit is the total amount of local storage required for this EmptyDir volume. The size limit is also applicable for memory medium. The maximum usage on memory medium EmptyDir would be the minimum value between the SizeLimit specified here and the sum of memory limits of all containers in a pod. The default is nil which means that the limit is undefined. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir

type EndpointAddress
  | EndpointAddress is a tuple that describes single IP address.
  ip         1 string          required
    | The IP of this endpoint. May not be loopback (127.0.0.0/8 or ::1), link-local (169.254.0.0/16 or fe80::/10), or link-local multicast (224.0.0.0/24 or ff02::/16).
  hostname   3 string          omitzero
    | The Hostname of this endpoint
  nodeName   4 string
    | Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.
  targetRef  2 ObjectReference
    | Reference to object providing the endpoint.

type EndpointPort
  | EndpointPort is a tuple that describes a single port.
  name         1 string omitzero
    | The name of this port.  This must match the 'name' field in the corresponding ServicePort. Must be a DNS_LABEL. Optional only if one port is defined.
  port         2 int32  required
    | The port number of the endpoint.
  protocol     3 string omitzero enum=["SCTP","TCP","UDP"]
    | The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.
    |
    | Possible enum values:
    |  - `"SCTP"` ProtocolSCTP is the SCTP protocol.
    |  - `"TCP"` ProtocolTCP is the TCP protocol.
    |  - `"UDP"` ProtocolUDP is the UDP protocol.
  appProtocol  4 string
    | The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand. This field follows standard Kubernetes label syntax. Valid values are either:
    |
    | * Un-prefixed protocol names - reserved for IANA standard service names (as per RFC-6335 and https://www.iana.org/assignments/service-names).
    |
    | * Kubernetes-defined prefixed names:
    |   * 'kubernetes.io/h2c' - HTTP/2 prior knowledge over cleartext as described in https://www.rfc-editor.org/rfc/rfc9113.html#name-starting-http-2-with-prior-
    |   * 'kubernetes.io/ws'  - WebSocket over cleartext as described in https://www.rfc-editor.org/rfc/rfc6455
    |   * 'kubernetes.io/wss' - WebSocket over TLS as described in https://www.rfc-editor.org/rfc/rfc6455
    |
    | * Other protocols should use implementation-defined prefixed names such as mycompany.com/my-custom-protocol.

type EndpointSubset
  | EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is the Cartesian product of Addresses x Ports. For example, given:
  |
  | 	{
  | 	  Addresses: [{"ip": "10.10.1.1"}, {"ip": "10.10.2.2"}],
  | 	  Ports:     [{"name": "a", "port": 8675}, {"name": "b", "port": 309}]
  | 	}
  |
  | The resulting set of endpoints can be viewed as:
  |
  | 	a: [ 10.10.1.1:8675, 10.10.2.2:8675 ],
  | 	b: [ 10.10.1.1:309, 10.10.2.2:309 ]
  addresses          1 list<EndpointAddress>
    | IP addresses which offer the related ports that are marked as ready. These endpoints should be considered safe for load balancers and clients to utilize.
  notReadyAddresses  2 list<EndpointAddress>
    | IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.
  ports              3 list<EndpointPort>
    | Port numbers available on the related IP addresses.

type Endpoints gvk=/v1/Endpoints
  | Endpoints is a collection of endpoints that implement the actual service. Example:
  |
  | 	 Name: "mysvc",
  | 	 Subsets: [
  | 	   {
  | 	     Addresses: [{"ip": "10.10.1.1"}, {"ip": "10.10.2.2"}],
  | 	     Ports: [{"name": "a", "port": 8675}, {"name": "b", "port": 309}]
  | 	   },
  | 	   {
  | 	     Addresses: [{"ip": "10.10.3.3"}],
  | 	     Ports: [{"name": "a", "port": 93}, {"name": "b", "port": 76}]
  | 	   },
  | 	]
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  subsets     2 list<EndpointSubset>
    | The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.

type EnvFromSource
  | EnvFromSource represents the source of a set of ConfigMaps
  prefix        1 string             omitzero
    | An optional identifier to prepend to each key in the ConfigMap. Must be a C_IDENTIFIER.
  configMapRef  2 ConfigMapEnvSource
    | The ConfigMap to select from
  secretRef     3 SecretEnvSource
    | The Secret to select from

type EnvVar
  | EnvVar represents an environment variable present in a Container.
  name       1 string       required
    | Name of the environment variable. Must be a C_IDENTIFIER.
  value      2 string       omitzero
    | Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Defaults to "".
  valueFrom  3 EnvVarSource
    | Source for the environment variable's value. Cannot be used if value is not empty.

type EnvVarSource
  | EnvVarSource represents a source for the value of an EnvVar.
  fieldRef          1 ObjectFieldSelector
    | Selects a field of the pod: supports metadata.name, metadata.namespace, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.
  resourceFieldRef  2 ResourceFieldSelector
    | Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.
  configMapKeyRef   3 ConfigMapKeySelector
    | Selects a key of a ConfigMap.
  secretKeyRef      4 SecretKeySelector
    | Selects a key of a secret in the pod's namespace

type EphemeralContainer
  | An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging. Ephemeral containers have no resource or scheduling guarantees, and they will not be restarted when they exit or when a Pod is removed or restarted. The kubelet may evict a Pod if an ephemeral container causes the Pod to exceed its resource allocation.
  |
  | To add an ephemeral container, use the ephemeralcontainers subresource of an existing Pod. Ephemeral containers may not be removed or restarted.
  -                    1 EphemeralContainerCommon
    | Ephemeral containers have all of the fields of Container, plus additional fields specific to ephemeral containers. Fields in common with Container are in the following inlined struct so than an EphemeralContainer may easily be converted to a Container.
  targetContainerName  2 string                   omitzero
    | If set, the name of the container from PodSpec that this ephemeral container targets. The ephemeral container will be run in the namespaces (IPC, PID, etc) of this container. If not set then the ephemeral container uses the namespaces configured in the Pod spec.
    |
    | The container runtime must implement support for this feature. If the runtime does not support namespace targeting then the result of setting this field is undefined.
)schema");
  out.push_back(R"schema(package io.k8s.api.core.v1

type EphemeralContainerCommon
  | EphemeralContainerCommon is a copy of all fields in Container to be inlined in EphemeralContainer. This separate type allows easy conversion from EphemeralContainer to Container and allows separate documentation for the fields of EphemeralContainer. When a new field is added to Container it must be added here as well.
  name                      1 string                      required
    | Name of the ephemeral container specified as a DNS_LABEL. This name must be unique among all containers, init containers and ephemeral containers.
  image                     2 string                      omitzero
    | Container image name. More info: https://kubernetes.io/docs/concepts/containers/images
  command                   3 list<string>
    | Entrypoint array. Not executed within a shell. The image's ENTRYPOINT is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell
  args                      4 list<string>
    | Arguments to the entrypoint. The image's CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell
  workingDir                5 string                      omitzero
    | Container's working directory. If not specified, the container runtime's default will be used, which might be configured in the container image. Cannot be updated.
  ports                     6 list<ContainerPort>         merge=containerPort strategy=merge listmap=containerPort,protocol
    | Ports are not allowed for ephemeral containers.
  envFrom                  19 list<EnvFromSource>
    | List of sources to populate environment variables in the container. The keys defined within a source must be a C_IDENTIFIER. All invalid keys will be reported as an event when the container is starting. When a key exists in multiple sources, the value associated with the last source will take precedence. Values defined by an Env with a duplicate key will take precedence. Cannot be updated.
  env                       7 list<EnvVar>                merge=name strategy=merge listmap=name
    | List of environment variables to set in the container. Cannot be updated.
  resources                 8 ResourceRequirements
    | Resources are not allowed for ephemeral containers. Ephemeral containers use spare resources already allocated to the pod.
  resizePolicy             23 list<ContainerResizePolicy>
    | Resources resize policy for the container.
  restartPolicy            24 string
    | Restart policy for the container to manage the restart behavior of each container within a pod. This may only be set for init containers. You cannot set this field on ephemeral containers.
  volumeMounts              9 list<VolumeMount>           merge=mountPath strategy=merge listmap=mountPath
    | Pod volumes to mount into the container's filesystem. Subpath mounts are not allowed for ephemeral containers. Cannot be updated.
  volumeDevices            21 list<VolumeDevice>          merge=devicePath strategy=merge listmap=devicePath
    | volumeDevices is the list of block devices to be used by the container.
  livenessProbe            10 Probe
    | Probes are not allowed for ephemeral containers.
  readinessProbe           11 Probe
    | Probes are not allowed for ephemeral containers.
  startupProbe             22 Probe
    | Probes are not allowed for ephemeral containers.
  lifecycle                12 Lifecycle
    | Lifecycle is not allowed for ephemeral containers.
  terminationMessagePath   13 string                      omitzero
    | Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Message written is intended to be brief final status, such as an assertion failure message. Will be truncated by the node if greater than 4096 bytes. The total message length across all containers will be limited to 12kb. Defaults to /dev/termination-log. Cannot be updated.
  terminationMessagePolicy 20 string                      omitzero enum=["FallbackToLogsOnError","File"]
    | Indicate how the termination message should be populated. File will use the contents of terminationMessagePath to populate the container status message on both success and failure. FallbackToLogsOnError will use the last chunk of container log output if the termination message file is empty and the container exited with an error. The log output is limited to 2048 bytes or 80 lines, whichever is smaller. Defaults to File. Cannot be updated.
    |
    | Possible enum values:
    |  - `"FallbackToLogsOnError"` TerminationMessageFallbackToLogsOnError will read the most recent contents of the container logs for the container status message when the container exits with an error and the terminationMessagePath has no contents.
    |  - `"File"` TerminationMessageReadFile is the default behavior and will set the container status message to the contents of the container's terminationMessagePath when the container exits.
  imagePullPolicy          14 string                      omitzero enum=["Always","IfNotPresent","Never"]
    | Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images
    |
    | Possible enum values:
    |  - `"Always"` PullAlways means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
    |  - `"IfNotPresent"` PullIfNotPresent means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
    |  - `"Never"` PullNever means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present
  securityContext          15 SecurityContext
    | Optional: SecurityContext defines the security options the ephemeral container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext.
  stdin                    16 bool                        omitzero
    | Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.
  stdinOnce                17 bool                        omitzero
    | Whether the container runtime should close the stdin channel after it has been opened by a single attach. When stdin is true the stdin stream will remain open across multiple attach sessions. If stdinOnce is set to true, stdin is opened on container start, is empty until the first client attaches to stdin, and then remains open and accepts data until the client disconnects, at which time stdin is closed and remains closed until the container is restarted. If this flag is false, a container processes that reads from stdin will never receive an EOF. Default is false
  tty                      18 bool                        omitzero
    | Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false.

type EphemeralVolumeSource
  | Represents an ephemeral volume that is handled by a normal storage driver.
  volumeClaimTemplate  1 PersistentVolumeClaimTemplate
    | Will be used to create a stand-alone PVC to provision the volume. The pod in which this EphemeralVolumeSource is embedded will be the owner of the PVC, i.e. the PVC will be deleted together with the pod.  The name of the PVC will be `<pod name>-<volume name>` where `<volume name>` is the name from the `PodSpec.Volumes` array entry. Pod validation will reject the pod if the concatenated name is not valid for a PVC (for example, too long).
    |
    | An existing PVC with that name that is not owned by the pod will *not* be used for the pod to avoid using an unrelated volume by mistake. Starting the pod is then blocked until the unrelated PVC is removed. If such a pre-created PVC is meant to be used by the pod, the PVC has to updated with an owner reference to the pod once the pod exists. Normally this should not be necessary, but it may be useful when manually reconstructing a broken cluster.
    |
    | This field is read-only and no changes will be made by Kubernetes to the PVC after it has been created.
    |
    | Required, must not be nil.

type Event gvk=/v1/Event
  | Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.
  apiVersion          0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind                0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata            1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta required
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  involvedObject      2 ObjectReference                                 required
    | The object that this event is about.
  reason              3 string                                          omitzero
    | This should be a short, machine understandable string that gives the reason for the transition into the object's current status.
  message             4 string                                          omitzero
    | A human-readable description of the status of this operation.
  source              5 EventSource
    | The component reporting this event. Should be a short machine understandable string.
  firstTimestamp      6 Time
    | The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)
  lastTimestamp       7 Time
    | The time at which the most recent occurrence of this event was recorded.
  count               8 int32                                           omitzero
    | The number of times this event has occurred.
  type                9 string                                          omitzero
    | Type of this event (Normal, Warning), new types could be added in the future
  eventTime          10 MicroTime
    | Time when this Event was first observed.
  series             11 EventSeries
    | Data about the Event series this event represents or nil if it's a singleton Event.
  action             12 string                                          omitzero
    | What action was taken/failed regarding to the Regarding object.
  related            13 ObjectReference
    | Optional secondary object for more complex actions.
  reportingComponent 14 string
    | Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.
  reportingInstance  15 string
    | ID of the controller instance, e.g. `kubelet-xyzf`.

type EventSeries
  | EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.
  count             1 int32     omitzero
    | Number of occurrences in this series up to the last heartbeat time
  lastObservedTime  2 MicroTime
    | Time of the last occurrence observed

type EventSource
  | EventSource contains information for an event.
  component  1 string omitzero
    | Component from which the event is generated.
  host       2 string omitzero
    | Node name on which the event is generated.

type ExecAction
  | ExecAction describes a "run in container" action.
  command  1 list<string>
    | Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell, so traditional shell instructions ('|', etc) won't work. To use a shell, you need to explicitly call out to that shell. Exit status of 0 is treated as live/healthy and non-zero is unhealthy.

type FCVolumeSource
  | Represents a Fibre Channel volume. Fibre Channel volumes can only be mounted as read/write once. Fibre Channel volumes support ownership management and SELinux relabeling.
  targetWWNs  1 list<string>
    | targetWWNs is Optional: FC target worldwide names (WWNs)
  lun         2 int32
    | lun is Optional: FC target lun number
  fsType      3 string       omitzero
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.
  readOnly    4 bool         omitzero
    | readOnly is Optional: Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  wwids       5 list<string>
    | wwids Optional: FC volume world wide identifiers (wwids) Either wwids or combination of targetWWNs and lun must be set, but not both simultaneously.

type FlexPersistentVolumeSource
  | FlexPersistentVolumeSource represents a generic persistent volume resource that is provisioned/attached using an exec based plugin.
  driver     1 string          required
    | driver is the name of the driver to use for this volume.
  fsType     2 string          omitzero
    | fsType is the Filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default filesystem depends on FlexVolume script.
  secretRef  3 SecretReference
    | secretRef is Optional: SecretRef is reference to the secret object containing sensitive information to pass to the plugin scripts. This may be empty if no secret object is specified. If the secret object contains more than one secret, all secrets are passed to the plugin scripts.
  readOnly   4 bool            omitzero
    | readOnly is Optional: defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  options    5 map<string>
    | options is Optional: this field holds extra command options if any.

type FlexVolumeSource
  | FlexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.
  driver     1 string               required
    | driver is the name of the driver to use for this volume.
  fsType     2 string               omitzero
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default filesystem depends on FlexVolume script.
  secretRef  3 LocalObjectReference
    | secretRef is Optional: secretRef is reference to the secret object containing sensitive information to pass to the plugin scripts. This may be empty if no secret object is specified. If the secret object contains more than one secret, all secrets are passed to the plugin scripts.
  readOnly   4 bool                 omitzero
    | readOnly is Optional: defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  options    5 map<string>
    | options is Optional: this field holds extra command options if any.

type FlockerVolumeSource
  | Represents a Flocker volume mounted by the Flocker agent. One and only one of datasetName and datasetUUID should be set. Flocker volumes do not support ownership management or SELinux relabeling.
  datasetName  1 string omitzero
    | datasetName is Name of the dataset stored as metadata -> name on the dataset for Flocker should be considered as deprecated
  datasetUUID  2 string omitzero
    | datasetUUID is the UUID of the dataset. This is unique identifier of a Flocker dataset

type GCEPersistentDiskVolumeSource
  | Represents a Persistent Disk resource in Google Compute Engine.
  |
  | A GCE PD must exist before mounting to a container. The disk must also be in the same GCE project and zone as the kubelet. A GCE PD can only be mounted as read/write once or read-only many times. GCE PDs support ownership management and SELinux relabeling.
  pdName     1 string required
    | pdName is unique name of the PD resource in GCE. Used to identify the disk in GCE. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk
  fsType     2 string omitzero
    | fsType is filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk
  partition  3 int32  omitzero
    | partition is the partition in the volume that you want to mount. If omitted, the default is to mount by volume name. Examples: For volume /dev/sda1, you specify the partition as "1". Similarly, the volume partition for /dev/sda is "0" (or you can leave the property empty). More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk
  readOnly   4 bool   omitzero
    | readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk

type GRPCAction
  | GRPCAction specifies an action involving a GRPC service.
  port     1 int32  required
    | Port number of the gRPC service. Number must be in the range 1 to 65535.
  service  2 string default=""
    | Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).
    |
    | If this is not specified, the default behavior is defined by gRPC.

type GitRepoVolumeSource
  | Represents a volume that is populated with the contents of a git repository. Git repo volumes do not support ownership management. Git repo volumes support SELinux relabeling.
  |
  | DEPRECATED: GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container.
  repository  1 string required
    | repository is the URL
  revision    2 string omitzero
    | revision is the commit hash for the specified revision.
  directory   3 string omitzero
    | directory is the target directory name. Must not contain or start with '..'.  If '.' is supplied, the volume directory will be the git repository.  Otherwise, if specified, the volume will contain the git repository in the subdirectory with the given name.

type GlusterfsPersistentVolumeSource
  | Represents a Glusterfs mount that lasts the lifetime of a pod. Glusterfs volumes do not support ownership management or SELinux relabeling.
  endpoints           1 string required
    | endpoints is the endpoint name that details Glusterfs topology. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod
  path                2 string required
    | path is the Glusterfs volume path. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod
  readOnly            3 bool   omitzero
    | readOnly here will force the Glusterfs volume to be mounted with read-only permissions. Defaults to false. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod
  endpointsNamespace  4 string
    | endpointsNamespace is the namespace that contains Glusterfs endpoint. If this field is empty, the EndpointNamespace defaults to the same namespace as the bound PVC. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod

type GlusterfsVolumeSource
  | Represents a Glusterfs mount that lasts the lifetime of a pod. Glusterfs volumes do not support ownership management or SELinux relabeling.
  endpoints  1 string required
    | endpoints is the endpoint name that details Glusterfs topology. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod
  path       2 string required
    | path is the Glusterfs volume path. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod
  readOnly   3 bool   omitzero
    | readOnly here will force the Glusterfs volume to be mounted with read-only permissions. Defaults to false. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod

type HTTPGetAction
  | HTTPGetAction describes an action based on HTTP Get requests.
  path         1 string           omitzero
    | Path to access on the HTTP server.
  port         2 IntOrString      required
    | Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.
  host         3 string           omitzero
    | Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead.
  scheme       4 string           omitzero enum=["HTTP","HTTPS"]
    | Scheme to use for connecting to the host. Defaults to HTTP.
    |
    | Possible enum values:
    |  - `"HTTP"` URISchemeHTTP means that the scheme used will be http://
    |  - `"HTTPS"` URISchemeHTTPS means that the scheme used will be https://
  httpHeaders  5 list<HTTPHeader>
    | Custom headers to set in the request. HTTP allows repeated headers.

type HTTPHeader
  | HTTPHeader describes a custom header to be used in HTTP probes
  name   1 string required
    | The header field name. This will be canonicalized upon output, so case-variant names will be understood as the same header.
  value  2 string required
    | The header field value

type HostAlias
  | HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.
  ip         1 string       required
    | IP address of the host file entry.
  hostnames  2 list<string>
    | Hostnames for the above IP address.

type HostIP
  | HostIP represents a single IP address allocated to the host.
  ip  1 string required
    | IP is the IP address assigned to the host

type HostPathVolumeSource
  | Represents a host path mapped into a pod. Host path volumes do not support ownership management or SELinux relabeling.
  path  1 string required
    | path of the directory on the host. If the path is a symlink, it will follow the link to the real path. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath
  type  2 string enum=["","BlockDevice","CharDevice","Directory","DirectoryOrCreate","File","FileOrCreate","Socket"]
    | type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath
    |
    | Possible enum values:
    |  - `""` For backwards compatible, leave it empty if unset
    |  - `"BlockDevice"` A block device must exist at the given path
    |  - `"CharDevice"` A character device must exist at the given path
    |  - `"Directory"` A directory must exist at the given path
    |  - `"DirectoryOrCreate"` If nothing exists at the given path, an empty directory will be created there as needed with file mode 0755, having the same group and ownership with Kubelet.
    |  - `"File"` A file must exist at the given path
    |  - `"FileOrCreate"` If nothing exists at the given path, an empty file will be created there as needed with file mode 0644, having the same group and ownership with Kubelet.
    |  - `"Socket"` A UNIX socket must exist at the given path

type ISCSIPersistentVolumeSource
  | ISCSIPersistentVolumeSource represents an ISCSI disk. ISCSI volumes can only be mounted as read/write once. ISCSI volumes support ownership management and SELinux relabeling.
  targetPortal       1 string          required
    | targetPortal is iSCSI Target Portal. The Portal is either an IP or ip_addr:port if the port is other than default (typically TCP ports 860 and 3260).
  iqn                2 string          required
    | iqn is Target iSCSI Qualified Name.
  lun                3 int32           required
    | lun is iSCSI Target Lun number.
  iscsiInterface     4 string          omitzero default="default"
    | iscsiInterface is the interface Name that uses an iSCSI transport. Defaults to 'default' (tcp).
  fsType             5 string          omitzero
    | fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#iscsi
  readOnly           6 bool            omitzero
    | readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false.
  portals            7 list<string>
    | portals is the iSCSI Target Portal List. The Portal is either an IP or ip_addr:port if the port is other than default (typically TCP ports 860 and 3260).
  chapAuthDiscovery  8 bool            omitzero
    | chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication
  chapAuthSession   11 bool            omitzero
    | chapAuthSession defines whether support iSCSI Session CHAP authentication
  secretRef         10 SecretReference
    | secretRef is the CHAP Secret for iSCSI target and initiator authentication
  initiatorName     12 string
    | initiatorName is the custom iSCSI Initiator Name. If initiatorName is specified with iscsiInterface simultaneously, new iSCSI interface <target portal>:<volume name> will be created for the connection.

type ISCSIVolumeSource
  | Represents an ISCSI disk. ISCSI volumes can only be mounted as read/write once. ISCSI volumes support ownership management and SELinux relabeling.
  targetPortal       1 string               required
    | targetPortal is iSCSI Target Portal. The Portal is either an IP or ip_addr:port if the port is other than default (typically TCP ports 860 and 3260).
  iqn                2 string               required
    | iqn is the target iSCSI Qualified Name.
  lun                3 int32                required
    | lun represents iSCSI Target Lun number.
  iscsiInterface     4 string               omitzero default="default"
    | iscsiInterface is the interface Name that uses an iSCSI transport. Defaults to 'default' (tcp).
  fsType             5 string               omitzero
    | fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#iscsi
  readOnly           6 bool                 omitzero
    | readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false.
  portals            7 list<string>
    | portals is the iSCSI Target Portal List. The portal is either an IP or ip_addr:port if the port is other than default (typically TCP ports 860 and 3260).
  chapAuthDiscovery  8 bool                 omitzero
    | chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication
  chapAuthSession   11 bool                 omitzero
    | chapAuthSession defines whether support iSCSI Session CHAP authentication
  secretRef         10 LocalObjectReference
    | secretRef is the CHAP Secret for iSCSI target and initiator authentication
  initiatorName     12 string
    | initiatorName is the custom iSCSI Initiator Name. If initiatorName is specified with iscsiInterface simultaneously, new iSCSI interface <target portal>:<volume name> will be created for the connection.

type ImageVolumeSource
  | ImageVolumeSource represents a image volume resource.
  reference   1 string omitzero
    | Required: Image or artifact reference to be used. Behaves in the same way as pod.spec.containers[*].image. Pull secrets will be assembled in the same way as for the container image by looking up node credentials, SA image pull secrets, and pod spec image pull secrets. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.
  pullPolicy  2 string omitzero enum=["Always","IfNotPresent","Never"]
    | Policy for pulling OCI objects. Possible values are: Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.
    |
    | Possible enum values:
    |  - `"Always"` PullAlways means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
    |  - `"IfNotPresent"` PullIfNotPresent means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
    |  - `"Never"` PullNever means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present

type KeyToPath
  | Maps a string key to a path within a volume.
  key   1 string required
    | key is the key to project.
  path  2 string required
    | path is the relative path of the file to map the key to. May not be an absolute path. May not contain the path element '..'. May not start with the string '..'.
  mode  3 int32
    | mode is Optional: mode bits used to set permissions on this file. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. If not specified, the volume defaultMode will be used. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.

type Lifecycle
  | Lifecycle describes actions that the management system should take in response to container lifecycle events. For the PostStart and PreStop lifecycle handlers, management of the container blocks until the action is complete, unless the container process fails, in which case the handler is aborted.
  postStart  1 LifecycleHandler
    | PostStart is called immediately after a container is created. If the handler fails, the container is terminated and restarted according to its restart policy. Other management of the container blocks until the hook completes. More info: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#container-hooks
  preStop    2 LifecycleHandler
    | PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc. The handler is not called if the container crashes or exits. The Pod's termination grace period countdown begins before the PreStop hook is executed. Regardless of the outcome of the handler, the container will eventually terminate within the Pod's termination grace period (unless delayed by finalizers). Other management of the container blocks until the hook completes or until the termination grace period is reached. More info: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#container-hooks

type LifecycleHandler
  | LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one of the fields, except TCPSocket must be specified.
  exec       1 ExecAction
    | Exec specifies a command to execute in the container.
  httpGet    2 HTTPGetAction
    | HTTPGet specifies an HTTP GET request to perform.
  tcpSocket  3 TCPSocketAction
    | Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility. There is no validation of this field and lifecycle hooks will fail at runtime when it is specified.
  sleep      4 SleepAction
    | Sleep represents a duration that the container should sleep.

type LimitRange gvk=/v1/LimitRange
  | LimitRange sets resource usage limits for each kind of resource in a Namespace.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 LimitRangeSpec
    | Spec defines the limits enforced. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type LimitRangeItem
  | LimitRangeItem defines a min/max usage limit for any resource that matches on kind.
  type                  1 string        required
    | Type of resource that this limit applies to.
  max                   2 map<Quantity>
    | Max usage constraints on this kind by resource name.
  min                   3 map<Quantity>
    | Min usage constraints on this kind by resource name.
  default               4 map<Quantity>
    | Default resource requirement limit value by resource name if resource limit is omitted.
  defaultRequest        5 map<Quantity>
    | DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.
  maxLimitRequestRatio  6 map<Quantity>
    | MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value; this represents the max burst for the named resource.

type LimitRangeSpec
  | LimitRangeSpec defines a min/max usage limit for resources that match on kind.
  limits  1 list<LimitRangeItem> required
    | Limits is the list of LimitRangeItem objects that are enforced.

type LinuxContainerUser
  | LinuxContainerUser represents user identity information in Linux containers
  uid                 1 int64       required
    | UID is the primary uid initially attached to the first process in the container
  gid                 2 int64       required
    | GID is the primary gid initially attached to the first process in the container
  supplementalGroups  3 list<int64>
    | SupplementalGroups are the supplemental groups initially attached to the first process in the container

type LoadBalancerIngress
  | LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the service should be sent to an ingress point.
  ip        1 string           omitzero
    | IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack load-balancers)
  hostname  2 string           omitzero
    | Hostname is set for load-balancer ingress points that are DNS based (typically AWS load-balancers)
  ipMode    3 string
    | IPMode specifies how the load-balancer IP behaves, and may only be specified when the ip field is specified. Setting this to "VIP" indicates that traffic is delivered to the node with the destination set to the load-balancer's IP and port. Setting this to "Proxy" indicates that traffic is delivered to the node or pod with the destination set to the node's IP and node port or the pod's IP and port. Service implementations may use this information to adjust traffic routing.
  ports     4 list<PortStatus>
    | Ports is a list of records of service ports If used, every port defined in the service should have an entry in it

type LoadBalancerStatus
  | LoadBalancerStatus represents the status of a load-balancer.
  ingress  1 list<LoadBalancerIngress>
    | Ingress is a list containing ingress points for the load-balancer. Traffic intended for the service should be sent to these ingress points.

type LocalObjectReference
  | LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.
  name  1 string omitzero
    | Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names

type LocalVolumeSource
  | Local represents directly-attached storage with node affinity
  path    1 string required
    | path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).
  fsType  2 string
    | fsType is the filesystem type to mount. It applies only when the Path is a block device. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default value is to auto-select a filesystem if unspecified.

type ModifyVolumeStatus
  | ModifyVolumeStatus represents the status object of ControllerModifyVolume operation
  targetVolumeAttributesClassName  1 string omitzero
    | targetVolumeAttributesClassName is the name of the VolumeAttributesClass the PVC currently being reconciled
  status                           2 string required enum=["InProgress","Infeasible","Pending"]
    | status is the status of the ControllerModifyVolume operation. It can be in any of following states:
    |  - Pending
    |    Pending indicates that the PersistentVolumeClaim cannot be modified due to unmet requirements, such as
    |    the specified VolumeAttributesClass not existing.
    |  - InProgress
    |    InProgress indicates that the volume is being modified.
    |  - Infeasible
    |   Infeasible indicates that the request has been rejected as invalid by the CSI driver. To
    | 	  resolve the error, a valid VolumeAttributesClass needs to be specified.
    | Note: New statuses can be added in the future. Consumers should check for unknown statuses and fail appropriately.
    |
    | Possible enum values:
    |  - `"InProgress"` InProgress indicates that the volume is being modified
    |  - `"Infeasible"` Infeasible indicates that the request has been rejected as invalid by the CSI driver. To resolve the error, a valid VolumeAttributesClass needs to be specified
    |  - `"Pending"` Pending indicates that the PersistentVolumeClaim cannot be modified due to unmet requirements, such as the specified VolumeAttributesClass not existing

type NFSVolumeSource
  | Represents an NFS mount that lasts the lifetime of a pod. NFS volumes do not support ownership management or SELinux relabeling.
  server    1 string required
    | server is the hostname or IP address of the NFS server. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs
  path      2 string required
    | path that is exported by the NFS server. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs
  readOnly  3 bool   omitzero
    | readOnly here will force the NFS export to be mounted with read-only permissions. Defaults to false. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs

type Namespace gvk=/v1/Namespace
  | Namespace provides a scope for Names. Use of multiple namespaces is optional.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 NamespaceSpec
    | Spec defines the behavior of the Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 NamespaceStatus
    | Status describes the current status of a Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type NamespaceCondition
  | NamespaceCondition contains details about state of namespace.
  type                1 string required
    | Type of namespace controller condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastTransitionTime  4 Time
    | Last time the condition transitioned from one status to another.
  reason              5 string omitzero
    | Unique, one-word, CamelCase reason for the condition's last transition.
  message             6 string omitzero
    | Human-readable message indicating details about last transition.

type NamespaceSpec
  | NamespaceSpec describes the attributes on a Namespace.
  finalizers  1 list<string>
    | Finalizers is an opaque list of values that must be empty to permanently remove object from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/

type NamespaceStatus
  | NamespaceStatus is information about the current status of a Namespace.
  phase       1 string                   omitzero enum=["Active","Terminating"]
    | Phase is the current lifecycle phase of the namespace. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/
    |
    | Possible enum values:
    |  - `"Active"` NamespaceActive means the namespace is available for use in the system
    |  - `"Terminating"` NamespaceTerminating means the namespace is undergoing graceful termination
  conditions  2 list<NamespaceCondition> merge=type strategy=merge listmap=type
    | Represents the latest available observations of a namespace's current state.

type Node gvk=/v1/Node
  | Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 NodeSpec
    | Spec defines the behavior of a node. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 NodeStatus
    | Most recently observed status of the node. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type NodeAddress
  | NodeAddress contains information for the node's address.
  type     1 string required
    | Node address type, one of Hostname, ExternalIP or InternalIP.
  address  2 string required
    | The node address.

type NodeAffinity
  | Node affinity is a group of node affinity scheduling rules.
  requiredDuringSchedulingIgnoredDuringExecution   1 NodeSelector
    | If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to an update), the system may or may not try to eventually evict the pod from its node.
  preferredDuringSchedulingIgnoredDuringExecution  2 list<PreferredSchedulingTerm>
    | The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node matches the corresponding matchExpressions; the node(s) with the highest sum are the most preferred.

type NodeCondition
  | NodeCondition contains condition information for a node.
  type                1 string required
    | Type of node condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastHeartbeatTime   3 Time
    | Last time we got an update on a given condition.
  lastTransitionTime  4 Time
    | Last time the condition transit from one status to another.
  reason              5 string omitzero
    | (brief) reason for the condition's last transition.
  message             6 string omitzero
    | Human readable message indicating details about last transition.

type NodeConfigSource
  | NodeConfigSource specifies a source of node configuration. Exactly one subfield (excluding metadata) must be non-nil. This API is deprecated since 1.22
  configMap  2 ConfigMapNodeConfigSource
    | ConfigMap is a reference to a Node's ConfigMap

type NodeConfigStatus
  | NodeConfigStatus describes the status of the config assigned by Node.Spec.ConfigSource.
  assigned       1 NodeConfigSource
    | Assigned reports the checkpointed config the node will try to use. When Node.Spec.ConfigSource is updated, the node checkpoints the associated config payload to local disk, along with a record indicating intended config. The node refers to this record to choose its config checkpoint, and reports this record in Assigned. Assigned only updates in the status after the record has been checkpointed to disk. When the Kubelet is restarted, it tries to make the Assigned config the Active config by loading and validating the checkpointed payload identified by Assigned.
  active         2 NodeConfigSource
    | Active reports the checkpointed config the node is actively using. Active will represent either the current version of the Assigned config, or the current LastKnownGood config, depending on whether attempting to use the Assigned config results in an error.
  lastKnownGood  3 NodeConfigSource
    | LastKnownGood reports the checkpointed config the node will fall back to when it encounters an error attempting to use the Assigned config. The Assigned config becomes the LastKnownGood config when the node determines that the Assigned config is stable and correct. This is currently implemented as a 10-minute soak period starting when the local record of Assigned config is updated. If the Assigned config is Active at the end of this period, it becomes the LastKnownGood. Note that if Spec.ConfigSource is reset to nil (use local defaults), the LastKnownGood is also immediately reset to nil, because the local default config is always assumed good. You should not make assumptions about the node's method of determining config stability and correctness, as this may change or become configurable in the future.
  error          4 string           omitzero
    | Error describes any problems reconciling the Spec.ConfigSource to the Active config. Errors may occur, for example, attempting to checkpoint Spec.ConfigSource to the local Assigned record, attempting to checkpoint the payload associated with Spec.ConfigSource, attempting to load or validate the Assigned config, etc. Errors may occur at different points while syncing config. Earlier errors (e.g. download or checkpointing errors) will not result in a rollback to LastKnownGood, and may resolve across Kubelet retries. Later errors (e.g. loading or validating a checkpointed config) will result in a rollback to LastKnownGood. In the latter case, it is usually possible to resolve the error by fixing the config assigned in Spec.ConfigSource. You can find additional information for debugging by searching the error message in the Kubelet log. Error is a human-readable description of the error state; machines can check whether or not Error is empty, but should not rely on the stability of the Error text across Kubelet versions.

type NodeDaemonEndpoints
  | NodeDaemonEndpoints lists ports opened by daemons running on the Node.
  kubeletEndpoint  1 DaemonEndpoint
    | Endpoint on which Kubelet is listening.

type NodeFeatures
  | NodeFeatures describes the set of features implemented by the CRI implementation. The features contained in the NodeFeatures should depend only on the cri implementation independent of runtime handlers.
  supplementalGroupsPolicy  1 bool
    | SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser.

type NodeRuntimeHandler
  | NodeRuntimeHandler is a set of runtime handler information.
  name      1 string
    | Runtime handler name. Empty for the default runtime handler.
  features  2 NodeRuntimeHandlerFeatures
    | Supported features.

type NodeRuntimeHandlerFeatures
  | NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler.
  recursiveReadOnlyMounts  1 bool
    | RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts.
  userNamespaces           2 bool
    | UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes.

type NodeSelector
  | A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.
  nodeSelectorTerms  1 list<NodeSelectorTerm> required
    | Required. A list of node selector terms. The terms are ORed.

type NodeSelectorRequirement
  | A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.
  key       1 string       required
    | The label key that the selector applies to.
  operator  2 string       required enum=["DoesNotExist","Exists","Gt","In","Lt","NotIn"]
    | Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.
    |
    | Possible enum values:
    |  - `"DoesNotExist"`
    |  - `"Exists"`
    |  - `"Gt"`
    |  - `"In"`
    |  - `"Lt"`
    |  - `"NotIn"`
  values    3 list<string>
    | An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer. This array is replaced during a strategic merge patch.

type NodeSelectorTerm
  | A null or empty node selector term matches no objects. The requirements of them are ANDed. The TopologySelectorTerm type implements a subset of the NodeSelectorTerm.
  matchExpressions  1 list<NodeSelectorRequirement>
    | A list of node selector requirements by node's labels.
  matchFields       2 list<NodeSelectorRequirement>
    | A list of node selector requirements by node's fields.

type NodeSpec
  | NodeSpec describes the attributes that a node is created with.
  podCIDR        1 string           omitzero
    | PodCIDR represents the pod IP range assigned to the node.
  podCIDRs       7 list<string>     strategy=merge set
    | podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node. If this field is specified, the 0th entry must match the podCIDR field. It may contain at most 1 value for each of IPv4 and IPv6.
  providerID     3 string           omitzero
    | ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>
  unschedulable  4 bool             omitzero
    | Unschedulable controls node schedulability of new pods. By default, node is schedulable. More info: https://kubernetes.io/docs/concepts/nodes/node/#manual-node-administration
  taints         5 list<Taint>
    | If specified, the node's taints.
  configSource   6 NodeConfigSource
    | Deprecated: Previously used to specify the source of the node's configuration for the DynamicKubeletConfig feature. This feature is removed.
  externalID     2 string           omitzero
    | Deprecated. Not all kubelets will set this field. Remove field after 1.13. see: https://issues.k8s.io/61966

type NodeStatus
  | NodeStatus is information about the current status of a node.
  capacity         1 map<Quantity>
    | Capacity represents the total resources of a node. More info: https://kubernetes.io/docs/reference/node/node-status/#capacity
  allocatable      2 map<Quantity>
    | Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity.
  phase            3 string                   omitzero enum=["Pending","Running","Terminated"]
    | NodePhase is the recently observed lifecycle phase of the node. More info: https://kubernetes.io/docs/concepts/nodes/node/#phase The field is never populated, and now is deprecated.
    |
    | Possible enum values:
    |  - `"Pending"` NodePending means the node has been created/added by the system, but not configured.
    |  - `"Running"` NodeRunning means the node has been configured and has Kubernetes components running.
    |  - `"Terminated"` NodeTerminated means the node has been removed from the cluster.
  conditions       4 list<NodeCondition>      merge=type strategy=merge listmap=type
    | Conditions is an array of current observed node conditions. More info: https://kubernetes.io/docs/reference/node/node-status/#condition
  addresses        5 list<NodeAddress>        merge=type strategy=merge listmap=type
    | List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).
  daemonEndpoints  6 NodeDaemonEndpoints
    | Endpoints of daemons running on the Node.
  nodeInfo         7 NodeSystemInfo
    | Set of ids/uuids to uniquely identify the node. More info: https://kubernetes.io/docs/reference/node/node-status/#info
  images           8 list<ContainerImage>
    | List of container images on this node
  volumesInUse     9 list<string>
    | List of attachable volumes in use (mounted) by the node.
  volumesAttached 10 list<AttachedVolume>
    | List of volumes that are attached to the node.
  config          11 NodeConfigStatus
    | Status of the config assigned to the node via the dynamic Kubelet config feature.
  runtimeHandlers 12 list<NodeRuntimeHandler>
    | The available runtime handlers.
  features        13 NodeFeatures
    | Features describes the set of features implemented by the CRI implementation.

type NodeSystemInfo
  | NodeSystemInfo is a set of ids/uuids to uniquely identify the node.
  machineID                1 string required
    | MachineID reported by the node. For unique machine identification in the cluster this field is preferred. Learn more from man(5) machine-id: http://man7.org/linux/man-pages/man5/machine-id.5.html
  systemUUID               2 string required
    | SystemUUID reported by the node. For unique machine identification MachineID is preferred. This field is specific to Red Hat hosts https://access.redhat.com/documentation/en-us/red_hat_subscription_management/1/html/rhsm/uuid
  bootID                   3 string required
    | Boot ID reported by the node.
  kernelVersion            4 string required
    | Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).
  osImage                  5 string required
    | OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).
  containerRuntimeVersion  6 string required
    | ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).
  kubeletVersion           7 string required
    | Kubelet Version reported by the node.
  kubeProxyVersion         8 string required
    | Deprecated: KubeProxy Version reported by the node.
  operatingSystem          9 string required
    | The Operating System reported by the node
  architecture            10 string required
    | The Architecture reported by the node

type ObjectFieldSelector
  | ObjectFieldSelector selects an APIVersioned field of an object.
  apiVersion  1 string omitzero
    | Version of the schema the FieldPath is written in terms of, defaults to "v1".
  fieldPath   2 string required
    | Path of the field to select in the specified API version.
)schema");
  out.push_back(R"schema(package io.k8s.api.core.v1

type ObjectReference
  | ObjectReference contains enough information to let you inspect or modify the referred object.
  kind             1 string omitzero
    | Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  namespace        2 string omitzero
    | Namespace of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
  name             3 string omitzero
    | Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
  uid              4 string omitzero
    | UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids
  apiVersion       5 string omitzero
    | API version of the referent.
  resourceVersion  6 string omitzero
    | Specific resourceVersion to which this reference is made, if any. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency
  fieldPath        7 string omitzero
    | If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.

type PersistentVolume gvk=/v1/PersistentVolume
  | PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 PersistentVolumeSpec
    | spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes
  status      3 PersistentVolumeStatus
    | status represents the current information/status for the persistent volume. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes

type PersistentVolumeClaim gvk=/v1/PersistentVolumeClaim
  | PersistentVolumeClaim is a user's request for and claim to a persistent volume
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 PersistentVolumeClaimSpec
    | spec defines the desired characteristics of a volume requested by a pod author. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
  status      3 PersistentVolumeClaimStatus
    | status represents the current information/status of a persistent volume claim. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims

type PersistentVolumeClaimCondition
  | PersistentVolumeClaimCondition contains details about state of pvc
  type                1 string required
    | Type is the type of the condition. More info: https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#:~:text=set%20to%20%27ResizeStarted%27.-,PersistentVolumeClaimCondition,-contains%20details%20about
  status              2 string required
    | Status is the status of the condition. Can be True, False, Unknown. More info: https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#:~:text=state%20of%20pvc-,conditions.status,-(string)%2C%20required
  lastProbeTime       3 Time
    | lastProbeTime is the time we probed the condition.
  lastTransitionTime  4 Time
    | lastTransitionTime is the time the condition transitioned from one status to another.
  reason              5 string omitzero
    | reason is a unique, this should be a short, machine understandable string that gives the reason for condition's last transition. If it reports "Resizing" that means the underlying persistent volume is being resized.
  message             6 string omitzero
    | message is the human-readable message indicating details about last transition.

type PersistentVolumeClaimSpec
  | PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes
  accessModes                1 list<string>
    | accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1
  selector                   4 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | selector is a label query over volumes to consider for binding.
  resources                  2 VolumeResourceRequirements
    | resources represents the minimum resources the volume should have. If RecoverVolumeExpansionFailure feature is enabled users are allowed to specify resource requirements that are lower than previous value but must still be higher than capacity recorded in the status field of the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#resources
  volumeName                 3 string                                             omitzero
    | volumeName is the binding reference to the PersistentVolume backing this claim.
  storageClassName           5 string
    | storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1
  volumeMode                 6 string                                             enum=["Block","Filesystem"]
    | volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.
    |
    | Possible enum values:
    |  - `"Block"` PersistentVolumeBlock means the volume will not be formatted with a filesystem and will remain a raw block device.
    |  - `"Filesystem"` PersistentVolumeFilesystem means the volume will be or is formatted with a filesystem.
  dataSource                 7 TypedLocalObjectReference
    | dataSource field can be used to specify either: * An existing VolumeSnapshot object (snapshot.storage.k8s.io/VolumeSnapshot) * An existing PVC (PersistentVolumeClaim) If the provisioner or an external controller can support the specified data source, it will create a new volume based on the contents of the specified data source. When the AnyVolumeDataSource feature gate is enabled, dataSource contents will be copied to dataSourceRef, and dataSourceRef contents will be copied to dataSource when dataSourceRef.namespace is not specified. If the namespace is specified, then dataSourceRef will not be copied to dataSource.
  dataSourceRef              8 TypedObjectReference
    | dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired. This may be any object from a non-empty API group (non core object) or a PersistentVolumeClaim object. When this field is specified, volume binding will only succeed if the type of the specified object matches some installed volume populator or dynamic provisioner. This field will replace the functionality of the dataSource field and as such if both fields are non-empty, they must have the same value. For backwards compatibility, when namespace isn't specified in dataSourceRef, both fields (dataSource and dataSourceRef) will be set to the same value automatically if one of them is empty and the other is non-empty. When namespace is specified in dataSourceRef, dataSource isn't set to the same value and must be empty. There are three important differences between dataSource and dataSourceRef: * While dataSource only allows two specific types of objects, dataSourceRef
    |   allows any non-core object, as well as PersistentVolumeClaim objects.
    | * While dataSource ignores disallowed values (dropping them), dataSourceRef
    |   preserves all values, and generates an error if a disallowed value is
    |   specified.
    | * While dataSource only allows local objects, dataSourceRef allows objects
    |   in any namespaces.
    | (Beta) Using this field requires the AnyVolumeDataSource feature gate to be enabled. (Alpha) Using the namespace field of dataSourceRef requires the CrossNamespaceVolumeDataSource feature gate to be enabled.
  volumeAttributesClassName  9 string
    | volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim. If specified, the CSI driver will create or update the volume with the attributes defined in the corresponding VolumeAttributesClass. This has a different purpose than storageClassName, it can be changed after the claim is created. An empty string value means that no VolumeAttributesClass will be applied to the claim but it's not allowed to reset this field to empty string once it is set. If unspecified and the PersistentVolumeClaim is unbound, the default VolumeAttributesClass will be set by the persistentvolume controller if it exists. If the resource referred to by volumeAttributesClass does not exist, this PersistentVolumeClaim will be set to a Pending state, as reflected by the modifyVolumeStatus field, until such as a resource exists. More info: https://kubernetes.io/docs/concepts/storage/volume-attributes-classes/ (Beta) Using this field requires the VolumeAttributesClass feature gate to be enabled (off by default).

type PersistentVolumeClaimStatus
  | PersistentVolumeClaimStatus is the current status of a persistent volume claim.
  phase                             1 string                               omitzero enum=["Bound","Lost","Pending"]
    | phase represents the current phase of PersistentVolumeClaim.
    |
    | Possible enum values:
    |  - `"Bound"` used for PersistentVolumeClaims that are bound
    |  - `"Lost"` used for PersistentVolumeClaims that lost their underlying PersistentVolume. The claim was bound to a PersistentVolume and this volume does not exist any longer and all data on it was lost.
    |  - `"Pending"` used for PersistentVolumeClaims that are not yet bound
  accessModes                       2 list<string>
    | accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1
  capacity                          3 map<Quantity>
    | capacity represents the actual resources of the underlying volume.
  conditions                        4 list<PersistentVolumeClaimCondition> merge=type strategy=merge listmap=type
    | conditions is the current Condition of persistent volume claim. If underlying persistent volume is being resized then the Condition will be set to 'Resizing'.
  allocatedResources                5 map<Quantity>
    | allocatedResources tracks the resources allocated to a PVC including its capacity. Key names follow standard Kubernetes label syntax. Valid values are either:
    | 	* Un-prefixed keys:
    | 		- storage - the capacity of the volume.
    | 	* Custom resources must use implementation-defined prefixed names such as "example.com/my-custom-resource"
    | Apart from above values - keys that are unprefixed or have kubernetes.io prefix are considered reserved and hence may not be used.
    |
    | Capacity reported here may be larger than the actual capacity when a volume expansion operation is requested. For storage quota, the larger value from allocatedResources and PVC.spec.resources is used. If allocatedResources is not set, PVC.spec.resources alone is used for quota calculation. If a volume expansion capacity request is lowered, allocatedResources is only lowered if there are no expansion operations in progress and if the actual volume capacity is equal or lower than the requested capacity.
    |
    | A controller that receives PVC update with previously unknown resourceName should ignore the update for the purpose it was designed. For example - a controller that only is responsible for resizing capacity of the volume, should ignore PVC updates that change other valid resources associated with PVC.
    |
    | This is an alpha field and requires enabling RecoverVolumeExpansionFailure feature.
  allocatedResourceStatuses         7 map<string>
    | allocatedResourceStatuses stores status of resource being resized for the given PVC. Key names follow standard Kubernetes label syntax. Valid values are either:
    | 	* Un-prefixed keys:
    | 		- storage - the capacity of the volume.
    | 	* Custom resources must use implementation-defined prefixed names such as "example.com/my-custom-resource"
    | Apart from above values - keys that are unprefixed or have kubernetes.io prefix are considered reserved and hence may not be used.
    |
    | ClaimResourceStatus can be in any of following states:
    | 	- ControllerResizeInProgress:
    | 		State set when resize controller starts resizing the volume in control-plane.
    | 	- ControllerResizeFailed:
    | 		State set when resize has failed in resize controller with a terminal error.
    | 	- NodeResizePending:
    | 		State set when resize controller has finished resizing the volume but further resizing of
    | 		volume is needed on the node.
    | 	- NodeResizeInProgress:
    | 		State set when kubelet starts resizing the volume.
    | 	- NodeResizeFailed:
    | 		State set when resizing has failed in kubelet with a terminal error. Transient errors don't set
    | 		NodeResizeFailed.
    | For example: if expanding a PVC for more capacity - this field can be one of the following states:
    | 	- pvc.status.allocatedResourceStatus['storage'] = "ControllerResizeInProgress"
    |      - pvc.status.allocatedResourceStatus['storage'] = "ControllerResizeFailed"
    |      - pvc.status.allocatedResourceStatus['storage'] = "NodeResizePending"
    |      - pvc.status.allocatedResourceStatus['storage'] = "NodeResizeInProgress"
    |      - pvc.status.allocatedResourceStatus['storage'] = "NodeResizeFailed"
    | When this field is not set, it means that no resize operation is in progress for the given PVC.
    |
    | A controller that receives PVC update with previously unknown resourceName or ClaimResourceStatus should ignore the update for the purpose it was designed. For example - a controller that only is responsible for resizing capacity of the volume, should ignore PVC updates that change other valid resources associated with PVC.
    |
    | This is an alpha field and requires enabling RecoverVolumeExpansionFailure feature.
  currentVolumeAttributesClassName  8 string
    | currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using. When unset, there is no VolumeAttributeClass applied to this PersistentVolumeClaim This is a beta field and requires enabling VolumeAttributesClass feature (off by default).
  modifyVolumeStatus                9 ModifyVolumeStatus
    | ModifyVolumeStatus represents the status object of ControllerModifyVolume operation. When this is unset, there is no ModifyVolume operation being attempted. This is a beta field and requires enabling VolumeAttributesClass feature (off by default).

type PersistentVolumeClaimTemplate
  | PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource.
  metadata  1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | May contain labels and annotations that will be copied into the PVC when creating it. No other fields are allowed and will be rejected during validation.
  spec      2 PersistentVolumeClaimSpec                       required
    | The specification for the PersistentVolumeClaim. The entire content is copied unchanged into the PVC that gets created from this template. The same fields as in a PersistentVolumeClaim are also valid here.

type PersistentVolumeClaimVolumeSource
  | PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace. This volume finds the bound PV and mounts that volume for the pod. A PersistentVolumeClaimVolumeSource is, essentially, a wrapper around another type of volume that is owned by someone else (the system).
  claimName  1 string required
    | claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
  readOnly   2 bool   omitzero
    | readOnly Will force the ReadOnly setting in VolumeMounts. Default false.

type PersistentVolumeSource
  | PersistentVolumeSource is similar to VolumeSource but meant for the administrator who creates PVs. Exactly one of its members must be set.
  gcePersistentDisk     1 GCEPersistentDiskVolumeSource
    | gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Provisioned by an admin. Deprecated: GCEPersistentDisk is deprecated. All operations for the in-tree gcePersistentDisk type are redirected to the pd.csi.storage.gke.io CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk
  awsElasticBlockStore  2 AWSElasticBlockStoreVolumeSource
    | awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: AWSElasticBlockStore is deprecated. All operations for the in-tree awsElasticBlockStore type are redirected to the ebs.csi.aws.com CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore
  hostPath              3 HostPathVolumeSource
    | hostPath represents a directory on the host. Provisioned by a developer or tester. This is useful for single-node development and testing only! On-host storage is not supported in any way and WILL NOT WORK in a multi-node cluster. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath
  glusterfs             4 GlusterfsPersistentVolumeSource
    | glusterfs represents a Glusterfs volume that is attached to a host and exposed to the pod. Provisioned by an admin. Deprecated: Glusterfs is deprecated and the in-tree glusterfs type is no longer supported. More info: https://examples.k8s.io/volumes/glusterfs/README.md
  nfs                   5 NFSVolumeSource
    | nfs represents an NFS mount on the host. Provisioned by an admin. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs
  rbd                   6 RBDPersistentVolumeSource
    | rbd represents a Rados Block Device mount on the host that shares a pod's lifetime. Deprecated: RBD is deprecated and the in-tree rbd type is no longer supported. More info: https://examples.k8s.io/volumes/rbd/README.md
  iscsi                 7 ISCSIPersistentVolumeSource
    | iscsi represents an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Provisioned by an admin.
  cinder                8 CinderPersistentVolumeSource
    | cinder represents a cinder volume attached and mounted on kubelets host machine. Deprecated: Cinder is deprecated. All operations for the in-tree cinder type are redirected to the cinder.csi.openstack.org CSI driver. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  cephfs                9 CephFSPersistentVolumeSource
    | cephFS represents a Ceph FS mount on the host that shares a pod's lifetime. Deprecated: CephFS is deprecated and the in-tree cephfs type is no longer supported.
  fc                   10 FCVolumeSource
    | fc represents a Fibre Channel resource that is attached to a kubelet's host machine and then exposed to the pod.
  flocker              11 FlockerVolumeSource
    | flocker represents a Flocker volume attached to a kubelet's host machine and exposed to the pod for its usage. This depends on the Flocker control service being running. Deprecated: Flocker is deprecated and the in-tree flocker type is no longer supported.
  flexVolume           12 FlexPersistentVolumeSource
    | flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin. Deprecated: FlexVolume is deprecated. Consider using a CSIDriver instead.
  azureFile            13 AzureFilePersistentVolumeSource
    | azureFile represents an Azure File Service mount on the host and bind mount to the pod. Deprecated: AzureFile is deprecated. All operations for the in-tree azureFile type are redirected to the file.csi.azure.com CSI driver.
  vsphereVolume        14 VsphereVirtualDiskVolumeSource
    | vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine. Deprecated: VsphereVolume is deprecated. All operations for the in-tree vsphereVolume type are redirected to the csi.vsphere.vmware.com CSI driver.
  quobyte              15 QuobyteVolumeSource
    | quobyte represents a Quobyte mount on the host that shares a pod's lifetime. Deprecated: Quobyte is deprecated and the in-tree quobyte type is no longer supported.
  azureDisk            16 AzureDiskVolumeSource
    | azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod. Deprecated: AzureDisk is deprecated. All operations for the in-tree azureDisk type are redirected to the disk.csi.azure.com CSI driver.
  photonPersistentDisk 17 PhotonPersistentDiskVolumeSource
    | photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine. Deprecated: PhotonPersistentDisk is deprecated and the in-tree photonPersistentDisk type is no longer supported.
  portworxVolume       18 PortworxVolumeSource
    | portworxVolume represents a portworx volume attached and mounted on kubelets host machine. Deprecated: PortworxVolume is deprecated. All operations for the in-tree portworxVolume type are redirected to the pxd.portworx.com CSI driver when the CSIMigrationPortworx feature-gate is on.
  scaleIO              19 ScaleIOPersistentVolumeSource
    | scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes. Deprecated: ScaleIO is deprecated and the in-tree scaleIO type is no longer supported.
  local                20 LocalVolumeSource
    | local represents directly-attached storage with node affinity
  storageos            21 StorageOSPersistentVolumeSource
    | storageOS represents a StorageOS volume that is attached to the kubelet's host machine and mounted into the pod. Deprecated: StorageOS is deprecated and the in-tree storageos type is no longer supported. More info: https://examples.k8s.io/volumes/storageos/README.md
  csi                  22 CSIPersistentVolumeSource
    | csi represents storage that is handled by an external CSI driver.

type PersistentVolumeSpec
  | PersistentVolumeSpec is the specification of a persistent volume.
  capacity                       1 map<Quantity>
    | capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity
  -                              2 PersistentVolumeSource
    | persistentVolumeSource is the actual volume backing the persistent volume.
  accessModes                    3 list<string>
    | accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes
  claimRef                       4 ObjectReference
    | claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding
  persistentVolumeReclaimPolicy  5 string                 omitzero enum=["Delete","Recycle","Retain"]
    | persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming
    |
    | Possible enum values:
    |  - `"Delete"` PersistentVolumeReclaimDelete means the volume will be deleted from Kubernetes on release from its claim. The volume plugin must support Deletion.
    |  - `"Recycle"` PersistentVolumeReclaimRecycle means the volume will be recycled back into the pool of unbound persistent volumes on release from its claim. The volume plugin must support Recycling.
    |  - `"Retain"` PersistentVolumeReclaimRetain means the volume will be left in its current phase (Released) for manual reclamation by the administrator. The default policy is Retain.
  storageClassName               6 string                 omitzero
    | storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.
  mountOptions                   7 list<string>
    | mountOptions is the list of mount options, e.g. ["ro", "soft"]. Not validated - mount will simply fail if one is invalid. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes/#mount-options
  volumeMode                     8 string                 enum=["Block","Filesystem"]
    | volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.
    |
    | Possible enum values:
    |  - `"Block"` PersistentVolumeBlock means the volume will not be formatted with a filesystem and will remain a raw block device.
    |  - `"Filesystem"` PersistentVolumeFilesystem means the volume will be or is formatted with a filesystem.
  nodeAffinity                   9 VolumeNodeAffinity
    | nodeAffinity defines constraints that limit what nodes this volume can be accessed from. This field influences the scheduling of pods that use this volume.
  volumeAttributesClassName     10 string
    | Name of VolumeAttributesClass to which this persistent volume belongs. Empty value is not allowed. When this field is not set, it indicates that this volume does not belong to any VolumeAttributesClass. This field is mutable and can be changed by the CSI driver after a volume has been updated successfully to a new class. For an unbound PersistentVolume, the volumeAttributesClassName will be matched with unbound PersistentVolumeClaims during the binding process. This is a beta field and requires enabling VolumeAttributesClass feature (off by default).

type PersistentVolumeStatus
  | PersistentVolumeStatus is the current status of a persistent volume.
  phase                    1 string omitzero enum=["Available","Bound","Failed","Pending","Released"]
    | phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase
    |
    | Possible enum values:
    |  - `"Available"` used for PersistentVolumes that are not yet bound Available volumes are held by the binder and matched to PersistentVolumeClaims
    |  - `"Bound"` used for PersistentVolumes that are bound
    |  - `"Failed"` used for PersistentVolumes that failed to be correctly recycled or deleted after being released from a claim
    |  - `"Pending"` used for PersistentVolumes that are not available
    |  - `"Released"` used for PersistentVolumes where the bound PersistentVolumeClaim was deleted released volumes must be recycled before becoming available again this phase is used by the persistent volume claim binder to signal to another process to reclaim the resource
  message                  2 string omitzero
    | message is a human-readable message indicating details about why the volume is in this state.
  reason                   3 string omitzero
    | reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.
  lastPhaseTransitionTime  4 Time
    | lastPhaseTransitionTime is the time the phase transitioned from one to another and automatically resets to current time everytime a volume phase transitions.

type PhotonPersistentDiskVolumeSource
  | Represents a Photon Controller persistent disk resource.
  pdID    1 string required
    | pdID is the ID that identifies Photon Controller persistent disk
  fsType  2 string omitzero
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.

type Pod gvk=/v1/Pod
  | Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 PodSpec
    | Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 PodStatus
    | Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type PodAffinity
  | Pod affinity is a group of inter pod affinity scheduling rules.
  requiredDuringSchedulingIgnoredDuringExecution   1 list<PodAffinityTerm>
    | If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to a pod label update), the system may or may not try to eventually evict the pod from its node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied.
  preferredDuringSchedulingIgnoredDuringExecution  2 list<WeightedPodAffinityTerm>
    | The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node has pods which matches the corresponding podAffinityTerm; the node(s) with the highest sum are the most preferred.

type PodAffinityTerm
  | Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running
  labelSelector      1 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | A label query over a set of resources, in this case pods. If it's null, this PodAffinityTerm matches with no Pods.
  namespaces         2 list<string>
    | namespaces specifies a static list of namespace names that the term applies to. The term is applied to the union of the namespaces listed in this field and the ones selected by namespaceSelector. null or empty namespaces list and null namespaceSelector means "this pod's namespace".
  topologyKey        3 string                                             required
    | This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.
  namespaceSelector  4 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | A label query over the set of namespaces that the term applies to. The term is applied to the union of the namespaces selected by this field and the ones listed in the namespaces field. null selector and null or empty namespaces list means "this pod's namespace". An empty selector ({}) matches all namespaces.
  matchLabelKeys     5 list<string>
    | MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key in (value)` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both matchLabelKeys and labelSelector. Also, matchLabelKeys cannot be set when labelSelector isn't set. This is a beta field and requires enabling MatchLabelKeysInPodAffinity feature gate (enabled by default).
  mismatchLabelKeys  6 list<string>
    | MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key notin (value)` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both mismatchLabelKeys and labelSelector. Also, mismatchLabelKeys cannot be set when labelSelector isn't set. This is a beta field and requires enabling MatchLabelKeysInPodAffinity feature gate (enabled by default).

type PodAntiAffinity
  | Pod anti affinity is a group of inter pod anti affinity scheduling rules.
  requiredDuringSchedulingIgnoredDuringExecution   1 list<PodAffinityTerm>
    | If the anti-affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the anti-affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to a pod label update), the system may or may not try to eventually evict the pod from its node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied.
  preferredDuringSchedulingIgnoredDuringExecution  2 list<WeightedPodAffinityTerm>
    | The scheduler will prefer to schedule pods to nodes that satisfy the anti-affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling anti-affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node has pods which matches the corresponding podAffinityTerm; the node(s) with the highest sum are the most preferred.

type PodCondition
  | PodCondition contains details for the current condition of this pod.
  type                1 string required
    | Type is the type of the condition. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions
  status              2 string required
    | Status is the status of the condition. Can be True, False, Unknown. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions
  lastProbeTime       3 Time
    | Last time we probed the condition.
  lastTransitionTime  4 Time
    | Last time the condition transitioned from one status to another.
  reason              5 string omitzero
    | Unique, one-word, CamelCase reason for the condition's last transition.
  message             6 string omitzero
    | Human-readable message indicating details about last transition.

type PodDNSConfig
  | PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.
  nameservers  1 list<string>
    | A list of DNS name server IP addresses. This will be appended to the base nameservers generated from DNSPolicy. Duplicated nameservers will be removed.
  searches     2 list<string>
    | A list of DNS search domains for host-name lookup. This will be appended to the base search paths generated from DNSPolicy. Duplicated search paths will be removed.
  options      3 list<PodDNSConfigOption>
    | A list of DNS resolver options. This will be merged with the base options generated from DNSPolicy. Duplicated entries will be removed. Resolution options given in Options will override those that appear in the base DNSPolicy.

type PodDNSConfigOption
  | PodDNSConfigOption defines DNS resolver options of a pod.
  name   1 string omitzero
    | Name is this DNS resolver option's name. Required.
  value  2 string
    | Value is this DNS resolver option's value.

type PodIP
  | PodIP represents a single IP address allocated to the pod.
  ip  1 string required
    | IP is the IP address assigned to the pod

type PodOS
  | PodOS defines the OS parameters of a pod.
  name  1 string required
    | Name is the name of the operating system. The currently supported values are linux and windows. Additional value may be defined in future and can be one of: https://github.com/opencontainers/runtime-spec/blob/master/config.md#platform-specific-configuration Clients should expect to handle additional values and treat unrecognized values in this field as os: null

type PodReadinessGate
  | PodReadinessGate contains the reference to a pod condition
  conditionType  1 string required
    | ConditionType refers to a condition in the pod's condition list with matching type.

type PodResourceClaim
  | PodResourceClaim references exactly one ResourceClaim, either directly or by naming a ResourceClaimTemplate which is then turned into a ResourceClaim for the pod.
  |
  | It adds a name to it that uniquely identifies the ResourceClaim inside the Pod. Containers that need access to the ResourceClaim reference it with this name.
  name                       1 string required
    | Name uniquely identifies this resource claim inside the pod. This must be a DNS_LABEL.
  resourceClaimName          3 string
    | ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.
    |
    | Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.
  resourceClaimTemplateName  4 string
    | ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.
    |
    | The template will be used to create a new ResourceClaim, which will be bound to this pod. When this pod is deleted, the ResourceClaim will also be deleted. The pod name and resource name, along with a generated component, will be used to form a unique name for the ResourceClaim, which will be recorded in pod.status.resourceClaimStatuses.
    |
    | This field is immutable and no changes will be made to the corresponding ResourceClaim by the control plane after creating the ResourceClaim.
    |
    | Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.

type PodResourceClaimStatus
  | PodResourceClaimStatus is stored in the PodStatus for each PodResourceClaim which references a ResourceClaimTemplate. It stores the generated name for the corresponding ResourceClaim.
  name               1 string required
    | Name uniquely identifies this resource claim inside the pod. This must match the name of an entry in pod.spec.resourceClaims, which implies that the string must be a DNS_LABEL.
  resourceClaimName  2 string
    | ResourceClaimName is the name of the ResourceClaim that was generated for the Pod in the namespace of the Pod. If this is unset, then generating a ResourceClaim was not necessary. The pod.spec.resourceClaims entry can be ignored in this case.

type PodSchedulingGate
  | PodSchedulingGate is associated to a Pod to guard its scheduling.
  name  1 string required
    | Name of the scheduling gate. Each scheduling gate must have a unique name field.

type PodSecurityContext
  | PodSecurityContext holds pod-level security attributes and common container settings. Some fields are also present in container.securityContext.  Field values of container.securityContext take precedence over field values of PodSecurityContext.
  seLinuxOptions            1 SELinuxOptions
    | The SELinux context to be applied to all containers. If unspecified, the container runtime will allocate a random SELinux context for each container.  May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence for that container. Note that this field cannot be set when spec.os.name is windows.
  windowsOptions            8 WindowsSecurityContextOptions
    | The Windows specific settings applied to all containers. If unspecified, the options within a container's SecurityContext will be used. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is linux.
  runAsUser                 2 int64
    | The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified. May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence for that container. Note that this field cannot be set when spec.os.name is windows.
  runAsGroup                6 int64
    | The GID to run the entrypoint of the container process. Uses runtime default if unset. May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence for that container. Note that this field cannot be set when spec.os.name is windows.
  runAsNonRoot              3 bool
    | Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does. If unset or false, no such validation will be performed. May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.
  supplementalGroups        4 list<int64>
    | A list of groups applied to the first process run in each container, in addition to the container's primary GID and fsGroup (if specified).  If the SupplementalGroupsPolicy feature is enabled, the supplementalGroupsPolicy field determines whether these are in addition to or instead of any group memberships defined in the container image. If unspecified, no additional groups are added, though group memberships defined in the container image may still be used, depending on the supplementalGroupsPolicy field. Note that this field cannot be set when spec.os.name is windows.
  supplementalGroupsPolicy 12 string                        enum=["Merge","Strict"]
    | Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict". If not specified, "Merge" is used. (Alpha) Using the field requires the SupplementalGroupsPolicy feature gate to be enabled and the container runtime must implement support for this feature. Note that this field cannot be set when spec.os.name is windows.
    |
    | Possible enum values:
    |  - `"Merge"` SupplementalGroupsPolicyMerge means that the container's provided SupplementalGroups and FsGroup (specified in SecurityContext) will be merged with the primary user's groups as defined in the container image (in /etc/group).
    |  - `"Strict"` SupplementalGroupsPolicyStrict means that the container's provided SupplementalGroups and FsGroup (specified in SecurityContext) will be used instead of any groups defined in the container image.
  fsGroup                   5 int64
    | A special supplemental group that applies to all containers in a pod. Some volume types allow the Kubelet to change the ownership of that volume to be owned by the pod:
    |
    | 1. The owning GID will be the FSGroup 2. The setgid bit is set (new files created in the volume will be owned by FSGroup) 3. The permission bits are OR'd with rw-rw----
    |
    | If unset, the Kubelet will not modify the ownership and permissions of any volume. Note that this field cannot be set when spec.os.name is windows.
  sysctls                   7 list<Sysctl>
    | Sysctls hold a list of namespaced sysctls used for the pod. Pods with unsupported sysctls (by the container runtime) might fail to launch. Note that this field cannot be set when spec.os.name is windows.
  fsGroupChangePolicy       9 string                        enum=["Always","OnRootMismatch"]
    | fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod. This field will only apply to volume types which support fsGroup based ownership(and permissions). It will have no effect on ephemeral volume types such as: secret, configmaps and emptydir. Valid values are "OnRootMismatch" and "Always". If not specified, "Always" is used. Note that this field cannot be set when spec.os.name is windows.
    |
    | Possible enum values:
    |  - `"Always"` FSGroupChangeAlways indicates that volume's ownership and permissions should always be changed whenever volume is mounted inside a Pod. This the default behavior.
    |  - `"OnRootMismatch"` FSGroupChangeOnRootMismatch indicates that volume's ownership and permissions will be changed only when permission and ownership of root directory does not match with expected permissions on the volume. This can help shorten the time it takes to change ownership and permissions of a volume.
  seccompProfile           10 SeccompProfile
    | The seccomp options to use by the containers in this pod. Note that this field cannot be set when spec.os.name is windows.
  appArmorProfile          11 AppArmorProfile
    | appArmorProfile is the AppArmor options to use by the containers in this pod. Note that this field cannot be set when spec.os.name is windows.
  seLinuxChangePolicy      13 string
    | seLinuxChangePolicy defines how the container's SELinux label is applied to all volumes used by the Pod. It has no effect on nodes that do not support SELinux or to volumes does not support SELinux. Valid values are "MountOption" and "Recursive".
    |
    | "Recursive" means relabeling of all files on all Pod volumes by the container runtime. This may be slow for large volumes, but allows mixing privileged and unprivileged Pods sharing the same volume on the same node.
    |
    | "MountOption" mounts all eligible Pod volumes with `-o context` mount option. This requires all Pods that share the same volume to use the same SELinux label. It is not possible to share the same volume among privileged and unprivileged Pods. Eligible volumes are in-tree FibreChannel and iSCSI volumes, and all CSI volumes whose CSI driver announces SELinux support by setting spec.seLinuxMount: true in their CSIDriver instance. Other volumes are always re-labelled recursively. "MountOption" value is allowed only when SELinuxMount feature gate is enabled.
    |
    | If not specified and SELinuxMount feature gate is enabled, "MountOption" is used. If not specified and SELinuxMount feature gate is disabled, "MountOption" is used for ReadWriteOncePod volumes and "Recursive" for all other volumes.
    |
    | This field affects only Pods that have SELinux label set, either in PodSecurityContext or in SecurityContext of all containers.
    |
    | All Pods that use the same volume should use the same seLinuxChangePolicy, otherwise some pods can get stuck in ContainerCreating state. Note that this field cannot be set when spec.os.name is windows.
)schema");
  out.push_back(R"schema(package io.k8s.api.core.v1

type PodSpec
  | PodSpec is a description of a pod.
  volumes                        1 list<Volume>                   merge=name strategy=merge,retainKeys listmap=name
    | List of volumes that can be mounted by containers belonging to the pod. More info: https://kubernetes.io/docs/concepts/storage/volumes
  initContainers                20 list<Container>                merge=name strategy=merge listmap=name
    | List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started. If any init container fails, the pod is considered to have failed and is handled according to its restartPolicy. The name for an init container or normal container must be unique among all containers. Init containers may not have Lifecycle actions, Readiness probes, Liveness probes, or Startup probes. The resourceRequirements of an init container are taken into account during scheduling by finding the highest request/limit for each resource type, and then using the max of of that value or the sum of the normal containers. Limits are applied to init containers in a similar fashion. Init containers cannot currently be added or removed. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
  containers                     2 list<Container>                merge=name strategy=merge listmap=name required
    | List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.
  ephemeralContainers           34 list<EphemeralContainer>       merge=name strategy=merge listmap=name
    | List of ephemeral containers run in this pod. Ephemeral containers may be run in an existing pod to perform user-initiated actions such as debugging. This list cannot be specified when creating a pod, and it cannot be modified by updating the pod spec. In order to add an ephemeral container to an existing pod, use the pod's ephemeralcontainers subresource.
  restartPolicy                  3 string                         omitzero enum=["Always","Never","OnFailure"]
    | Restart policy for all containers within the pod. One of Always, OnFailure, Never. In some contexts, only a subset of those values may be permitted. Default to Always. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy
    |
    | Possible enum values:
    |  - `"Always"`
    |  - `"Never"`
    |  - `"OnFailure"`
  terminationGracePeriodSeconds  4 int64
    | Optional duration in seconds the pod needs to terminate gracefully. May be decreased in delete request. Value must be non-negative integer. The value zero indicates stop immediately via the kill signal (no opportunity to shut down). If this value is nil, the default grace period will be used instead. The grace period is the duration in seconds after the processes running in the pod are sent a termination signal and the time when the processes are forcibly halted with a kill signal. Set this value longer than the expected cleanup time for your process. Defaults to 30 seconds.
  activeDeadlineSeconds          5 int64
    | Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers. Value must be a positive integer.
  dnsPolicy                      6 string                         omitzero enum=["ClusterFirst","ClusterFirstWithHostNet","Default","None"]
    | Set DNS policy for the pod. Defaults to "ClusterFirst". Valid values are 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'. DNS parameters given in DNSConfig will be merged with the policy selected with DNSPolicy. To have DNS options set along with hostNetwork, you have to specify DNS policy explicitly to 'ClusterFirstWithHostNet'.
    |
    | Possible enum values:
    |  - `"ClusterFirst"` DNSClusterFirst indicates that the pod should use cluster DNS first unless hostNetwork is true, if it is available, then fall back on the default (as determined by kubelet) DNS settings.
    |  - `"ClusterFirstWithHostNet"` DNSClusterFirstWithHostNet indicates that the pod should use cluster DNS first, if it is available, then fall back on the default (as determined by kubelet) DNS settings.
    |  - `"Default"` DNSDefault indicates that the pod should use the default (as determined by kubelet) DNS settings.
    |  - `"None"` DNSNone indicates that the pod should use empty DNS settings. DNS parameters such as nameservers and search paths should be defined via DNSConfig.
  nodeSelector                   7 map<string>
    | NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/
  serviceAccountName             8 string                         omitzero
    | ServiceAccountName is the name of the ServiceAccount to use to run this pod. More info: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
  serviceAccount                 9 string                         omitzero
    | DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead.
  automountServiceAccountToken  21 bool
    | AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.
  nodeName                      10 string                         omitzero
    | NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename
  hostNetwork                   11 bool                           omitzero
    | Host networking requested for this pod. Use the host's network namespace. If this option is set, the ports that will be used must be specified. Default to false.
  hostPID                       12 bool                           omitzero
    | Use the host's pid namespace. Optional: Default to false.
  hostIPC                       13 bool                           omitzero
    | Use the host's ipc namespace. Optional: Default to false.
  shareProcessNamespace         27 bool
    | Share a single process namespace between all of the containers in a pod. When this is set containers will be able to view and signal processes from other containers in the same pod, and the first process in each container will not be assigned PID 1. HostPID and ShareProcessNamespace cannot both be set. Optional: Default to false.
  securityContext               14 PodSecurityContext
    | SecurityContext holds pod-level security attributes and common container settings. Optional: Defaults to empty.  See type description for default values of each field.
  imagePullSecrets              15 list<LocalObjectReference>     merge=name strategy=merge listmap=name
    | ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec. If specified, these secrets will be passed to individual puller implementations for them to use. More info: https://kubernetes.io/docs/concepts/containers/images#specifying-imagepullsecrets-on-a-pod
  hostname                      16 string                         omitzero
    | Specifies the hostname of the Pod If not specified, the pod's hostname will be set to a system-defined value.
  subdomain                     17 string                         omitzero
    | If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>". If not specified, the pod will not have a domainname at all.
  affinity                      18 Affinity
    | If specified, the pod's scheduling constraints
  schedulerName                 19 string                         omitzero
    | If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.
  tolerations                   22 list<Toleration>
    | If specified, the pod's tolerations.
  hostAliases                   23 list<HostAlias>                merge=ip strategy=merge listmap=ip
    | HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file if specified.
  priorityClassName             24 string                         omitzero
    | If specified, indicates the pod's priority. "system-node-critical" and "system-cluster-critical" are two special keywords which indicate the highest priorities with the former being the highest priority. Any other name must be defined by creating a PriorityClass object with that name. If not specified, the pod priority will be default or zero if there is no default.
  priority                      25 int32
    | The priority value. Various system components use this field to find the priority of the pod. When Priority Admission Controller is enabled, it prevents users from setting this field. The admission controller populates this field from PriorityClassName. The higher the value, the higher the priority.
  dnsConfig                     26 PodDNSConfig
    | Specifies the DNS parameters of a pod. Parameters specified here will be merged to the generated DNS configuration based on DNSPolicy.
  readinessGates                28 list<PodReadinessGate>
    | If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates
  runtimeClassName              29 string
    | RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.  If no RuntimeClass resource matches the named class, the pod will not be run. If unset or empty, the "legacy" RuntimeClass will be used, which is an implicit class with an empty definition that uses the default runtime handler. More info: https://git.k8s.io/enhancements/keps/sig-node/585-runtime-class
  enableServiceLinks            30 bool
    | EnableServiceLinks indicates whether information about services should be injected into pod's environment variables, matching the syntax of Docker links. Optional: Defaults to true.
  preemptionPolicy              31 string                         enum=["Never","PreemptLowerPriority"]
    | PreemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.
    |
    | Possible enum values:
    |  - `"Never"` PreemptNever means that pod never preempts other pods with lower priority.
    |  - `"PreemptLowerPriority"` PreemptLowerPriority means that pod can preempt other pods with lower priority.
  overhead                      32 map<Quantity>
    | Overhead represents the resource overhead associated with running a pod for a given RuntimeClass. This field will be autopopulated at admission time by the RuntimeClass admission controller. If the RuntimeClass admission controller is enabled, overhead must not be set in Pod create requests. The RuntimeClass admission controller will reject Pod create requests which have the overhead already set. If RuntimeClass is configured and selected in the PodSpec, Overhead will be set to the value defined in the corresponding RuntimeClass, otherwise it will remain unset and treated as zero. More info: https://git.k8s.io/enhancements/keps/sig-node/688-pod-overhead/README.md
  topologySpreadConstraints     33 list<TopologySpreadConstraint> merge=topologyKey strategy=merge listmap=topologyKey,whenUnsatisfiable
    | TopologySpreadConstraints describes how a group of pods ought to spread across topology domains. Scheduler will schedule pods in a way which abides by the constraints. All topologySpreadConstraints are ANDed.
  setHostnameAsFQDN             35 bool
    | If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default). In Linux containers, this means setting the FQDN in the hostname field of the kernel (the nodename field of struct utsname). In Windows containers, this means setting the registry value of hostname for the registry key HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters to FQDN. If a pod does not have FQDN, this has no effect. Default to false.
  os                            36 PodOS
    | Specifies the OS of the containers in the pod. Some pod and container fields are restricted if this is set.
    |
    | If the OS field is set to linux, the following fields must be unset: -securityContext.windowsOptions
    |
    | If the OS field is set to windows, following fields must be unset: - spec.hostPID - spec.hostIPC - spec.hostUsers - spec.securityContext.appArmorProfile - spec.securityContext.seLinuxOptions - spec.securityContext.seccompProfile - spec.securityContext.fsGroup - spec.securityContext.fsGroupChangePolicy - spec.securityContext.sysctls - spec.shareProcessNamespace - spec.securityContext.runAsUser - spec.securityContext.runAsGroup - spec.securityContext.supplementalGroups - spec.securityContext.supplementalGroupsPolicy - spec.containers[*].securityContext.appArmorProfile - spec.containers[*].securityContext.seLinuxOptions - spec.containers[*].securityContext.seccompProfile - spec.containers[*].securityContext.capabilities - spec.containers[*].securityContext.readOnlyRootFilesystem - spec.containers[*].securityContext.privileged - spec.containers[*].securityContext.allowPrivilegeEscalation - spec.containers[*].securityContext.procMount - spec.containers[*].securityContext.runAsUser - spec.containers[*].securityContext.runAsGroup
  hostUsers                     37 bool
    | Use the host's user namespace. Optional: Default to true. If set to true or not present, the pod will be run in the host user namespace, useful for when the pod needs a feature only available to the host user namespace, such as loading a kernel module with CAP_SYS_MODULE. When set to false, a new userns is created for the pod. Setting false is useful for mitigating container breakout vulnerabilities even allowing users to run their containers as root without actually having root privileges on the host. This field is alpha-level and is only honored by servers that enable the UserNamespacesSupport feature.
  schedulingGates               38 list<PodSchedulingGate>        merge=name strategy=merge listmap=name
    | SchedulingGates is an opaque list of values that if specified will block scheduling the pod. If schedulingGates is not empty, the pod will stay in the SchedulingGated state and the scheduler will not attempt to schedule the pod.
    |
    | SchedulingGates can only be set at pod creation time, and be removed only afterwards.
  resourceClaims                39 list<PodResourceClaim>         merge=name strategy=merge,retainKeys listmap=name
    | ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start. The resources will be made available to those containers which consume them by name.
    |
    | This is an alpha field and requires enabling the DynamicResourceAllocation feature gate.
    |
    | This field is immutable.
  resources                     40 ResourceRequirements
    | Resources is the total amount of CPU and Memory resources required by all containers in the pod. It supports specifying Requests and Limits for "cpu" and "memory" resource names only. ResourceClaims are not supported.
    |
    | This field enables fine-grained control over resource allocation for the entire pod, allowing resource sharing among containers in a pod.
    |
    | This is an alpha field and requires enabling the PodLevelResources feature gate.

type PodStatus
  | PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.
  phase                       1 string                       omitzero enum=["Failed","Pending","Running","Succeeded","Unknown"]
    | The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle. The conditions array, the reason and message fields, and the individual container status arrays contain more detail about the pod's status. There are five possible phase values:
    |
    | Pending: The pod has been accepted by the Kubernetes system, but one or more of the container images has not been created. This includes time before being scheduled as well as time spent downloading images over the network, which could take a while. Running: The pod has been bound to a node, and all of the containers have been created. At least one container is still running, or is in the process of starting or restarting. Succeeded: All containers in the pod have terminated in success, and will not be restarted. Failed: All containers in the pod have terminated, and at least one container has terminated in failure. The container either exited with non-zero status or was terminated by the system. Unknown: For some reason the state of the pod could not be obtained, typically due to an error in communicating with the host of the pod.
    |
    | More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-phase
    |
    | Possible enum values:
    |  - `"Failed"` PodFailed means that all containers in the pod have terminated, and at least one container has terminated in a failure (exited with a non-zero exit code or was stopped by the system).
    |  - `"Pending"` PodPending means the pod has been accepted by the system, but one or more of the containers has not been started. This includes time before being bound to a node, as well as time spent pulling images onto the host.
    |  - `"Running"` PodRunning means the pod has been bound to a node and all of the containers have been started. At least one container is still running or is in the process of being restarted.
    |  - `"Succeeded"` PodSucceeded means that all containers in the pod have voluntarily terminated with a container exit code of 0, and the system is not going to restart any of these containers.
    |  - `"Unknown"` PodUnknown means that for some reason the state of the pod could not be obtained, typically due to an error in communicating with the host of the pod. Deprecated: It isn't being set since 2015 (74da3b14b0c0f658b3bb8d2def5094686d0e9095)
  conditions                  2 list<PodCondition>           merge=type strategy=merge listmap=type
    | Current service state of pod. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions
  message                     3 string                       omitzero
    | A human readable message indicating details about why the pod is in this condition.
  reason                      4 string                       omitzero
    | A brief CamelCase message indicating details about why the pod is in this state. e.g. 'Evicted'
  nominatedNodeName          11 string                       omitzero
    | nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.
  hostIP                      5 string                       omitzero
    | hostIP holds the IP address of the host to which the pod is assigned. Empty if the pod has not started yet. A pod can be assigned to a node that has a problem in kubelet which in turns mean that HostIP will not be updated even if there is a node is assigned to pod
  hostIPs                    16 list<HostIP>                 merge=ip strategy=merge
    | hostIPs holds the IP addresses allocated to the host. If this field is specified, the first entry must match the hostIP field. This list is empty if the pod has not started yet. A pod can be assigned to a node that has a problem in kubelet which in turns means that HostIPs will not be updated even if there is a node is assigned to this pod.
  podIP                       6 string                       omitzero
    | podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.
  podIPs                     12 list<PodIP>                  merge=ip strategy=merge listmap=ip
    | podIPs holds the IP addresses allocated to the pod. If this field is specified, the 0th entry must match the podIP field. Pods may be allocated at most 1 value for each of IPv4 and IPv6. This list is empty if no IPs have been allocated yet.
  startTime                   7 Time
    | RFC 3339 date and time at which the object was acknowledged by the Kubelet. This is before the Kubelet pulled the container image(s) for the pod.
  initContainerStatuses      10 list<ContainerStatus>
    | Statuses of init containers in this pod. The most recent successful non-restartable init container will have ready = true, the most recently started container will have startTime set. Each init container in the pod should have at most one status in this list, and all statuses should be for containers in the pod. However this is not enforced. If a status for a non-existent container is present in the list, or the list has duplicate names, the behavior of various Kubernetes components is not defined and those statuses might be ignored. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-and-container-status
  containerStatuses           8 list<ContainerStatus>
    | Statuses of containers in this pod. Each container in the pod should have at most one status in this list, and all statuses should be for containers in the pod. However this is not enforced. If a status for a non-existent container is present in the list, or the list has duplicate names, the behavior of various Kubernetes components is not defined and those statuses might be ignored. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-and-container-status
  qosClass                    9 string                       omitzero enum=["BestEffort","Burstable","Guaranteed"]
    | The Quality of Service (QOS) classification assigned to the pod based on resource requirements See PodQOSClass type for available QOS classes More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#quality-of-service-classes
    |
    | Possible enum values:
    |  - `"BestEffort"` PodQOSBestEffort is the BestEffort qos class.
    |  - `"Burstable"` PodQOSBurstable is the Burstable qos class.
    |  - `"Guaranteed"` PodQOSGuaranteed is the Guaranteed qos class.
  ephemeralContainerStatuses 13 list<ContainerStatus>
    | Statuses for any ephemeral containers that have run in this pod. Each ephemeral container in the pod should have at most one status in this list, and all statuses should be for containers in the pod. However this is not enforced. If a status for a non-existent container is present in the list, or the list has duplicate names, the behavior of various Kubernetes components is not defined and those statuses might be ignored. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-and-container-status
  resize                     14 string                       omitzero
    | Status of resources resize desired for pod's containers. It is empty if no resources resize is pending. Any changes to container resources will automatically set this to "Proposed"
  resourceClaimStatuses      15 list<PodResourceClaimStatus> merge=name strategy=merge,retainKeys listmap=name
    | Status of resource claims.

type PodTemplate gvk=/v1/PodTemplate
  | PodTemplate describes a template for creating copies of a predefined pod.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  template    2 PodTemplateSpec
    | Template defines the pods that will be created from this pod template. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type PodTemplateSpec
  | PodTemplateSpec describes the data a pod should have when created from a template
  metadata  1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec      2 PodSpec
    | Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type PortStatus
  | PortStatus represents the error condition of a service port
  port      1 int32  required
    | Port is the port number of the service port of which status is recorded here
  protocol  2 string required enum=["SCTP","TCP","UDP"]
    | Protocol is the protocol of the service port of which status is recorded here The supported values are: "TCP", "UDP", "SCTP"
    |
    | Possible enum values:
    |  - `"SCTP"` ProtocolSCTP is the SCTP protocol.
    |  - `"TCP"` ProtocolTCP is the TCP protocol.
    |  - `"UDP"` ProtocolUDP is the UDP protocol.
  error     3 string
    | Error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use
    |   CamelCase names
    | - cloud provider specific error values must have names that comply with the
    |   format foo.example.com/CamelCase.

type PortworxVolumeSource
  | PortworxVolumeSource represents a Portworx volume resource.
  volumeID  1 string required
    | volumeID uniquely identifies a Portworx volume
  fsType    2 string omitzero
    | fSType represents the filesystem type to mount Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs". Implicitly inferred to be "ext4" if unspecified.
  readOnly  3 bool   omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.

type PreferredSchedulingTerm
  | An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op). A null preferred scheduling term matches no objects (i.e. is also a no-op).
  weight      1 int32            required
    | Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.
  preference  2 NodeSelectorTerm required
    | A node selector term, associated with the corresponding weight.

type Probe
  | Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.
  -                              1 ProbeHandler
    | The action taken to determine the health of a container
  initialDelaySeconds            2 int32        omitzero
    | Number of seconds after the container has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
  timeoutSeconds                 3 int32        omitzero
    | Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
  periodSeconds                  4 int32        omitzero
    | How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.
  successThreshold               5 int32        omitzero
    | Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness and startup. Minimum value is 1.
  failureThreshold               6 int32        omitzero
    | Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.
  terminationGracePeriodSeconds  7 int64
    | Optional duration in seconds the pod needs to terminate gracefully upon probe failure. The grace period is the duration in seconds after the processes running in the pod are sent a termination signal and the time when the processes are forcibly halted with a kill signal. Set this value longer than the expected cleanup time for your process. If this value is nil, the pod's terminationGracePeriodSeconds will be used. Otherwise, this value overrides the value provided by the pod spec. Value must be non-negative integer. The value zero indicates stop immediately via the kill signal (no opportunity to shut down). This is a beta field and requires enabling ProbeTerminationGracePeriod feature gate. Minimum value is 1. spec.terminationGracePeriodSeconds is used if unset.

type ProbeHandler
  | ProbeHandler defines a specific action that should be taken in a probe. One and only one of the fields must be specified.
  exec       1 ExecAction
    | Exec specifies a command to execute in the container.
  httpGet    2 HTTPGetAction
    | HTTPGet specifies an HTTP GET request to perform.
  tcpSocket  3 TCPSocketAction
    | TCPSocket specifies a connection to a TCP port.
  grpc       4 GRPCAction
    | GRPC specifies a GRPC HealthCheckRequest.

type ProjectedVolumeSource
  | Represents a projected volume source
  sources      1 list<VolumeProjection>
    | sources is the list of volume projections. Each entry in this list handles one source.
  defaultMode  2 int32
    | defaultMode are the mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.

type QuobyteVolumeSource
  | Represents a Quobyte mount that lasts the lifetime of a pod. Quobyte volumes do not support ownership management or SELinux relabeling.
  registry  1 string required
    | registry represents a single or multiple Quobyte Registry services specified as a string as host:port pair (multiple entries are separated with commas) which acts as the central registry for volumes
  volume    2 string required
    | volume is a string that references an already created Quobyte volume by name.
  readOnly  3 bool   omitzero
    | readOnly here will force the Quobyte volume to be mounted with read-only permissions. Defaults to false.
  user      4 string omitzero
    | user to map volume access to Defaults to serivceaccount user
  group     5 string omitzero
    | group to map volume access to Default is no group
  tenant    6 string omitzero
    | tenant owning the given Quobyte volume in the Backend Used with dynamically provisioned Quobyte volumes, value is set by the plugin

type RBDPersistentVolumeSource
  | Represents a Rados Block Device mount that lasts the lifetime of a pod. RBD volumes support ownership management and SELinux relabeling.
  monitors   1 list<string>    required
    | monitors is a collection of Ceph monitors. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  image      2 string          required
    | image is the rados image name. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  fsType     3 string          omitzero
    | fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#rbd
  pool       4 string          omitzero default="rbd"
    | pool is the rados pool name. Default is rbd. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  user       5 string          omitzero default="admin"
    | user is the rados user name. Default is admin. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  keyring    6 string          omitzero default="/etc/ceph/keyring"
    | keyring is the path to key ring for RBDUser. Default is /etc/ceph/keyring. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  secretRef  7 SecretReference
    | secretRef is name of the authentication secret for RBDUser. If provided overrides keyring. Default is nil. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  readOnly   8 bool            omitzero
    | readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it

type RBDVolumeSource
  | Represents a Rados Block Device mount that lasts the lifetime of a pod. RBD volumes support ownership management and SELinux relabeling.
  monitors   1 list<string>         required
    | monitors is a collection of Ceph monitors. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  image      2 string               required
    | image is the rados image name. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  fsType     3 string               omitzero
    | fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#rbd
  pool       4 string               omitzero default="rbd"
    | pool is the rados pool name. Default is rbd. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  user       5 string               omitzero default="admin"
    | user is the rados user name. Default is admin. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  keyring    6 string               omitzero default="/etc/ceph/keyring"
    | keyring is the path to key ring for RBDUser. Default is /etc/ceph/keyring. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  secretRef  7 LocalObjectReference
    | secretRef is name of the authentication secret for RBDUser. If provided overrides keyring. Default is nil. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it
  readOnly   8 bool                 omitzero
    | readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it

type ReplicationController gvk=/v1/ReplicationController
  | ReplicationController represents the configuration of a replication controller.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | If the Labels of a ReplicationController are empty, they are defaulted to be the same as the Pod(s) that the replication controller manages. Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 ReplicationControllerSpec
    | Spec defines the specification of the desired behavior of the replication controller. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 ReplicationControllerStatus
    | Status is the most recently observed status of the replication controller. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type ReplicationControllerCondition
  | ReplicationControllerCondition describes the state of a replication controller at a certain point.
  type                1 string required
    | Type of replication controller condition.
  status              2 string required
    | Status of the condition, one of True, False, Unknown.
  lastTransitionTime  3 Time
    | The last time the condition transitioned from one status to another.
  reason              4 string omitzero
    | The reason for the condition's last transition.
  message             5 string omitzero
    | A human readable message indicating details about the transition.

type ReplicationControllerSpec
  | ReplicationControllerSpec is the specification of a replication controller.
  replicas         1 int32
    | Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller
  minReadySeconds  4 int32           omitzero
    | Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)
  selector         2 map<string>
    | Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
  template         3 PodTemplateSpec
    | Template is the object that describes the pod that will be created if insufficient replicas are detected. This takes precedence over a TemplateRef. The only allowed template.spec.restartPolicy value is "Always". More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template

type ReplicationControllerStatus
  | ReplicationControllerStatus represents the current status of a replication controller.
  replicas              1 int32                                required
    | Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller
  fullyLabeledReplicas  2 int32                                omitzero
    | The number of pods that have labels matching the labels of the pod template of the replication controller.
  readyReplicas         4 int32                                omitzero
    | The number of ready replicas for this replication controller.
  availableReplicas     5 int32                                omitzero
    | The number of available replicas (ready for at least minReadySeconds) for this replication controller.
  observedGeneration    3 int64                                omitzero
    | ObservedGeneration reflects the generation of the most recently observed replication controller.
  conditions            6 list<ReplicationControllerCondition> merge=type strategy=merge listmap=type
    | Represents the latest available observations of a replication controller's current state.

type ResourceClaim
  | ResourceClaim references one entry in PodSpec.ResourceClaims.
  name     1 string required
    | Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used. It makes that resource available inside a container.
  request  2 string omitzero
    | Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available, otherwise only the result of this request.

type ResourceFieldSelector
  | ResourceFieldSelector represents container resources (cpu, memory) and their output format
  containerName  1 string   omitzero
    | Container name: required for volumes, optional for env vars
  resource       2 string   required
    | Required: resource to select
  divisor        3 Quantity
    | Specifies the output format of the exposed resources, defaults to "1"

type ResourceHealth
  | ResourceHealth represents the health of a resource. It has the latest device health information. This is a part of KEP https://kep.k8s.io/4680.
  resourceID  1 string required
    | ResourceID is the unique identifier of the resource. See the ResourceID type for more information.
  health      2 string omitzero
    | Health of the resource. can be one of:
    |  - Healthy: operates as normal
    |  - Unhealthy: reported unhealthy. We consider this a temporary health issue
    |               since we do not have a mechanism today to distinguish
    |               temporary and permanent issues.
    |  - Unknown: The status cannot be determined.
    |             For example, Device Plugin got unregistered and hasn't been re-registered since.
    |
    | In future we may want to introduce the PermanentlyUnhealthy Status.

type ResourceQuota gvk=/v1/ResourceQuota
  | ResourceQuota sets aggregate quota restrictions enforced per namespace
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 ResourceQuotaSpec
    | Spec defines the desired quota. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 ResourceQuotaStatus
    | Status defines the actual enforced quota and its current usage. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type ResourceQuotaSpec
  | ResourceQuotaSpec defines the desired hard limits to enforce for Quota.
  hard           1 map<Quantity>
    | hard is the set of desired hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/
  scopes         2 list<string>
    | A collection of filters that must match each object tracked by a quota. If not specified, the quota matches all objects.
  scopeSelector  3 ScopeSelector
    | scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values. For a resource to match, both scopes AND scopeSelector (if specified in spec), must be matched.

type ResourceQuotaStatus
  | ResourceQuotaStatus defines the enforced hard limits and observed use.
  hard  1 map<Quantity>
    | Hard is the set of enforced hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/
  used  2 map<Quantity>
    | Used is the current observed total usage of the resource in the namespace.

type ResourceRequirements
  | ResourceRequirements describes the compute resource requirements.
  limits    1 map<Quantity>
    | Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
  requests  2 map<Quantity>
    | Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
  claims    3 list<ResourceClaim> listmap=name
    | Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.
    |
    | This is an alpha field and requires enabling the DynamicResourceAllocation feature gate.
    |
    | This field is immutable. It can only be set for containers.

type ResourceStatus
  | ResourceStatus represents the status of a single resource allocated to a Pod.
  name       1 string               required
    | Name of the resource. Must be unique within the pod and in case of non-DRA resource, match one of the resources from the pod spec. For DRA resources, the value must be "claim:<claim_name>/<request>". When this status is reported about a container, the "claim_name" and "request" must match one of the claims of this container.
  resources  2 list<ResourceHealth> listmap=resourceID
    | List of unique resources health. Each element in the list contains an unique resource ID and its health. At a minimum, for the lifetime of a Pod, resource ID must uniquely identify the resource allocated to the Pod on the Node. If other Pod on the same Node reports the status with the same resource ID, it must be the same resource they share. See ResourceID type definition for a specific format it has in various use cases.

type SELinuxOptions
  | SELinuxOptions are the labels to be applied to the container
  user   1 string omitzero
    | User is a SELinux user label that applies to the container.
  role   2 string omitzero
    | Role is a SELinux role label that applies to the container.
  type   3 string omitzero
    | Type is a SELinux type label that applies to the container.
  level  4 string omitzero
    | Level is SELinux level label that applies to the container.

type ScaleIOPersistentVolumeSource
  | ScaleIOPersistentVolumeSource represents a persistent ScaleIO volume
  gateway           1 string          required
    | gateway is the host address of the ScaleIO API Gateway.
  system            2 string          required
    | system is the name of the storage system as configured in ScaleIO.
  secretRef         3 SecretReference required
    | secretRef references to the secret for ScaleIO user and other sensitive information. If this is not provided, Login operation will fail.
  sslEnabled        4 bool            omitzero
    | sslEnabled is the flag to enable/disable SSL communication with Gateway, default false
  protectionDomain  5 string          omitzero
    | protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.
  storagePool       6 string          omitzero
    | storagePool is the ScaleIO Storage Pool associated with the protection domain.
  storageMode       7 string          omitzero default="ThinProvisioned"
    | storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned. Default is ThinProvisioned.
  volumeName        8 string          omitzero
    | volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.
  fsType            9 string          omitzero default="xfs"
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Default is "xfs"
  readOnly         10 bool            omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.

type ScaleIOVolumeSource
  | ScaleIOVolumeSource represents a persistent ScaleIO volume
  gateway           1 string               required
    | gateway is the host address of the ScaleIO API Gateway.
  system            2 string               required
    | system is the name of the storage system as configured in ScaleIO.
  secretRef         3 LocalObjectReference required
    | secretRef references to the secret for ScaleIO user and other sensitive information. If this is not provided, Login operation will fail.
  sslEnabled        4 bool                 omitzero
    | sslEnabled Flag enable/disable SSL communication with Gateway, default false
  protectionDomain  5 string               omitzero
    | protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.
  storagePool       6 string               omitzero
    | storagePool is the ScaleIO Storage Pool associated with the protection domain.
  storageMode       7 string               omitzero default="ThinProvisioned"
    | storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned. Default is ThinProvisioned.
  volumeName        8 string               omitzero
    | volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.
  fsType            9 string               omitzero default="xfs"
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Default is "xfs".
  readOnly         10 bool                 omitzero
    | readOnly Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.

type ScopeSelector
  | A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.
  matchExpressions  1 list<ScopedResourceSelectorRequirement>
    | A list of scope selector requirements by scope of the resources.

type ScopedResourceSelectorRequirement
  | A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.
  scopeName  1 string       required enum=["BestEffort","CrossNamespacePodAffinity","NotBestEffort","NotTerminating","PriorityClass","Terminating"]
    | The name of the scope that the selector applies to.
    |
    | Possible enum values:
    |  - `"BestEffort"` Match all pod objects that have best effort quality of service
    |  - `"CrossNamespacePodAffinity"` Match all pod objects that have cross-namespace pod (anti)affinity mentioned.
    |  - `"NotBestEffort"` Match all pod objects that do not have best effort quality of service
    |  - `"NotTerminating"` Match all pod objects where spec.activeDeadlineSeconds is nil
    |  - `"PriorityClass"` Match all pod objects that have priority class mentioned
    |  - `"Terminating"` Match all pod objects where spec.activeDeadlineSeconds >=0
  operator   2 string       required enum=["DoesNotExist","Exists","In","NotIn"]
    | Represents a scope's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist.
    |
    | Possible enum values:
    |  - `"DoesNotExist"`
    |  - `"Exists"`
    |  - `"In"`
    |  - `"NotIn"`
  values     3 list<string>
    | An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.

type SeccompProfile
  | SeccompProfile defines a pod/container's seccomp profile settings. Only one profile source may be set.
  type              1 string required enum=["Localhost","RuntimeDefault","Unconfined"]
    | type indicates which kind of seccomp profile will be applied. Valid options are:
    |
    | Localhost - a profile defined in a file on the node should be used. RuntimeDefault - the container runtime default profile should be used. Unconfined - no profile should be applied.
    |
    | Possible enum values:
    |  - `"Localhost"` SeccompProfileTypeLocalhost indicates a profile defined in a file on the node should be used. The file's location relative to <kubelet-root-dir>/seccomp.
    |  - `"RuntimeDefault"` SeccompProfileTypeRuntimeDefault represents the default container runtime seccomp profile.
    |  - `"Unconfined"` SeccompProfileTypeUnconfined indicates no seccomp profile is applied (A.K.A. unconfined).
  localhostProfile  2 string
    | localhostProfile indicates a profile defined in a file on the node should be used. The profile must be preconfigured on the node to work. Must be a descending path, relative to the kubelet's configured seccomp profile location. Must be set if type is "Localhost". Must NOT be set for any other type.

type Secret gvk=/v1/Secret
  | Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  immutable   5 bool
    | Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.
  data        2 map<bytes>
    | Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4
  stringData  4 map<string>
    | stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.
  type        3 string                                          omitzero
    | Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types

type SecretEnvSource
  | SecretEnvSource selects a Secret to populate the environment variables with.
  |
  | The contents of the target Secret's Data field will represent the key-value pairs as environment variables.
  -         1 LocalObjectReference
    | The Secret to select from.
  optional  2 bool
    | Specify whether the Secret must be defined

type SecretKeySelector
  | SecretKeySelector selects a key of a Secret.
  -         1 LocalObjectReference
    | The name of the secret in the pod's namespace to select from.
  key       2 string               required
    | The key of the secret to select from.  Must be a valid secret key.
  optional  3 bool
    | Specify whether the Secret or its key must be defined

type SecretProjection
  | Adapts a secret into a projected volume.
  |
  | The contents of the target Secret's Data field will be presented in a projected volume as files using the keys in the Data field as the file names. Note that this is identical to a secret volume source without the default mode.
  -         1 LocalObjectReference
  items     2 list<KeyToPath>
    | items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the Secret, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.
  optional  4 bool
    | optional field specify whether the Secret or its key must be defined

type SecretReference
  | SecretReference represents a Secret Reference. It has enough information to retrieve secret in any namespace
  name       1 string omitzero
    | name is unique within a namespace to reference a secret resource.
  namespace  2 string omitzero
    | namespace defines the space within which the secret name must be unique.

type SecretVolumeSource
  | Adapts a Secret into a volume.
  |
  | The contents of the target Secret's Data field will be presented in a volume as files using the keys in the Data field as the file names. Secret volumes support ownership management and SELinux relabeling.
  secretName   1 string          omitzero
    | secretName is the name of the secret in the pod's namespace to use. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret
  items        2 list<KeyToPath>
    | items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the Secret, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.
  defaultMode  3 int32
    | defaultMode is Optional: mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Defaults to 0644. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.
  optional     4 bool
    | optional field specify whether the Secret or its keys must be defined
)schema");
  out.push_back(R"schema(package io.k8s.api.core.v1

type SecurityContext
  | SecurityContext holds security configuration that will be applied to a container. Some fields are present in both SecurityContext and PodSecurityContext.  When both are set, the values in SecurityContext take precedence.
  capabilities              1 Capabilities
    | The capabilities to add/drop when running containers. Defaults to the default set of capabilities granted by the container runtime. Note that this field cannot be set when spec.os.name is windows.
  privileged                2 bool
    | Run container in privileged mode. Processes in privileged containers are essentially equivalent to root on the host. Defaults to false. Note that this field cannot be set when spec.os.name is windows.
  seLinuxOptions            3 SELinuxOptions
    | The SELinux context to be applied to the container. If unspecified, the container runtime will allocate a random SELinux context for each container.  May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is windows.
  windowsOptions           10 WindowsSecurityContextOptions
    | The Windows specific settings applied to all containers. If unspecified, the options from the PodSecurityContext will be used. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is linux.
  runAsUser                 4 int64
    | The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified. May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is windows.
  runAsGroup                8 int64
    | The GID to run the entrypoint of the container process. Uses runtime default if unset. May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is windows.
  runAsNonRoot              5 bool
    | Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does. If unset or false, no such validation will be performed. May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.
  readOnlyRootFilesystem    6 bool
    | Whether this container has a read-only root filesystem. Default is false. Note that this field cannot be set when spec.os.name is windows.
  allowPrivilegeEscalation  7 bool
    | AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process. This bool directly controls if the no_new_privs flag will be set on the container process. AllowPrivilegeEscalation is true always when the container is: 1) run as Privileged 2) has CAP_SYS_ADMIN Note that this field cannot be set when spec.os.name is windows.
  procMount                 9 string                        enum=["Default","Unmasked"]
    | procMount denotes the type of proc mount to use for the containers. The default value is Default which uses the container runtime defaults for readonly paths and masked paths. This requires the ProcMountType feature flag to be enabled. Note that this field cannot be set when spec.os.name is windows.
    |
    | Possible enum values:
    |  - `"Default"` DefaultProcMount uses the container runtime defaults for readonly and masked paths for /proc.  Most container runtimes mask certain paths in /proc to avoid accidental security exposure of special devices or information.
    |  - `"Unmasked"` UnmaskedProcMount bypasses the default masking behavior of the container runtime and ensures the newly created /proc the container stays in tact with no modifications.
  seccompProfile           11 SeccompProfile
    | The seccomp options to use by this container. If seccomp options are provided at both the pod & container level, the container options override the pod options. Note that this field cannot be set when spec.os.name is windows.
  appArmorProfile          12 AppArmorProfile
    | appArmorProfile is the AppArmor options to use by this container. If set, this profile overrides the pod's appArmorProfile. Note that this field cannot be set when spec.os.name is windows.

type Service gvk=/v1/Service
  | Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 ServiceSpec
    | Spec defines the behavior of a service. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  status      3 ServiceStatus
    | Most recently observed status of the service. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status

type ServiceAccount gvk=/v1/ServiceAccount
  | ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets
  apiVersion                    0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind                          0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata                      1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  secrets                       2 list<ObjectReference>                           merge=name strategy=merge listmap=name
    | Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret
  imagePullSecrets              3 list<LocalObjectReference>
    | ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are only accessed by the kubelet. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod
  automountServiceAccountToken  4 bool
    | AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.

type ServiceAccountTokenProjection
  | ServiceAccountTokenProjection represents a projected service account token volume. This projection can be used to insert a service account token into the pods runtime filesystem for use against APIs (Kubernetes API Server or otherwise).
  audience           1 string omitzero
    | audience is the intended audience of the token. A recipient of a token must identify itself with an identifier specified in the audience of the token, and otherwise should reject the token. The audience defaults to the identifier of the apiserver.
  expirationSeconds  2 int64
    | expirationSeconds is the requested duration of validity of the service account token. As the token approaches expiration, the kubelet volume plugin will proactively rotate the service account token. The kubelet will start trying to rotate the token if the token is older than 80 percent of its time to live or if the token is older than 24 hours.Defaults to 1 hour and must be at least 10 minutes.
  path               3 string required
    | path is the path relative to the mount point of the file to project the token into.

type ServicePort
  | ServicePort contains information on service's port.
  name         1 string      omitzero
    | The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names. When considering the endpoints for a Service, this must match the 'name' field in the EndpointPort. Optional if only one ServicePort is defined on this service.
  protocol     2 string      omitzero enum=["SCTP","TCP","UDP"] default="TCP"
    | The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.
    |
    | Possible enum values:
    |  - `"SCTP"` ProtocolSCTP is the SCTP protocol.
    |  - `"TCP"` ProtocolTCP is the TCP protocol.
    |  - `"UDP"` ProtocolUDP is the UDP protocol.
  appProtocol  6 string
    | The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand. This field follows standard Kubernetes label syntax. Valid values are either:
    |
    | * Un-prefixed protocol names - reserved for IANA standard service names (as per RFC-6335 and https://www.iana.org/assignments/service-names).
    |
    | * Kubernetes-defined prefixed names:
    |   * 'kubernetes.io/h2c' - HTTP/2 prior knowledge over cleartext as described in https://www.rfc-editor.org/rfc/rfc9113.html#name-starting-http-2-with-prior-
    |   * 'kubernetes.io/ws'  - WebSocket over cleartext as described in https://www.rfc-editor.org/rfc/rfc6455
    |   * 'kubernetes.io/wss' - WebSocket over TLS as described in https://www.rfc-editor.org/rfc/rfc6455
    |
    | * Other protocols should use implementation-defined prefixed names such as mycompany.com/my-custom-protocol.
  port         3 int32       required
    | The port that will be exposed by this service.
  targetPort   4 IntOrString omitzero
    | Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). This field is ignored for services with clusterIP=None, and should be omitted or set equal to the 'port' field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
  nodePort     5 int32       omitzero
    | The port on each node on which this service is exposed when type is NodePort or LoadBalancer.  Usually assigned by the system. If a value is specified, in-range, and not in use it will be used, otherwise the operation will fail.  If not specified, a port will be allocated if this Service requires one.  If this field is specified when creating a Service which does not need it, creation will fail. This field will be wiped when updating a Service to no longer need it (e.g. changing type from NodePort to ClusterIP). More info: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport

type ServiceSpec
  | ServiceSpec describes the attributes that a user creates on a service.
  ports                          1 list<ServicePort>     merge=port strategy=merge listmap=port,protocol
    | The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies
  selector                       2 map<string>
    | Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/
  clusterIP                      3 string                omitzero
    | clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies
  clusterIPs                    18 list<string>
    | ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.  If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be empty) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address.  Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName.  If this field is not specified, it will be initialized from the clusterIP field.  If this field is specified, clients must ensure that clusterIPs[0] and clusterIP have the same value.
    |
    | This field may hold a maximum of two entries (dual-stack IPs, in either order). These IPs must correspond to the values of the ipFamilies field. Both clusterIPs and ipFamilies are governed by the ipFamilyPolicy field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies
  type                           4 string                omitzero enum=["ClusterIP","ExternalName","LoadBalancer","NodePort"]
    | type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
    |
    | Possible enum values:
    |  - `"ClusterIP"` ServiceTypeClusterIP means a service will only be accessible inside the cluster, via the cluster IP.
    |  - `"ExternalName"` ServiceTypeExternalName means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.
    |  - `"LoadBalancer"` ServiceTypeLoadBalancer means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to 'NodePort' type.
    |  - `"NodePort"` ServiceTypeNodePort means a service will be exposed on one port of every node, in addition to 'ClusterIP' type.
  externalIPs                    5 list<string>
    | externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.
  sessionAffinity                7 string                omitzero enum=["ClientIP","None"]
    | Supports "ClientIP" and "None". Used to maintain session affinity. Enable client IP based session affinity. Must be ClientIP or None. Defaults to None. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies
    |
    | Possible enum values:
    |  - `"ClientIP"` ServiceAffinityClientIP is the Client IP based.
    |  - `"None"` ServiceAffinityNone - no session affinity.
  loadBalancerIP                 8 string                omitzero
    | Only applies to Service Type: LoadBalancer. This feature depends on whether the underlying cloud-provider supports specifying the loadBalancerIP when a load balancer is created. This field will be ignored if the cloud-provider does not support the feature. Deprecated: This field was under-specified and its meaning varies across implementations. Using it is non-portable and it may not support dual-stack. Users are encouraged to use implementation-specific annotations when available.
  loadBalancerSourceRanges       9 list<string>
    | If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs. This field will be ignored if the cloud-provider does not support the feature." More info: https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/
  externalName                  10 string                omitzero
    | externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). No proxying will be involved.  Must be a lowercase RFC-1123 hostname (https://tools.ietf.org/html/rfc1123) and requires `type` to be "ExternalName".
  externalTrafficPolicy         11 string                omitzero enum=["Cluster","Local"]
    | externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service's "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs). If set to "Local", the proxy will configure the service in a way that assumes that external load balancers will take care of balancing the service traffic between nodes, and so each node will deliver traffic only to the node-local endpoints of the service, without masquerading the client source IP. (Traffic mistakenly sent to a node with no endpoints will be dropped.) The default value, "Cluster", uses the standard behavior of routing to all endpoints evenly (possibly modified by topology and other features). Note that traffic sent to an External IP or LoadBalancer IP from within the cluster will always get "Cluster" semantics, but clients sending to a NodePort from within the cluster may need to take traffic policy into account when picking a node.
    |
    | Possible enum values:
    |  - `"Cluster"` ServiceExternalTrafficPolicyCluster routes traffic to all endpoints.
    |  - `"Local"` ServiceExternalTrafficPolicyLocal preserves the source IP of the traffic by routing only to endpoints on the same node as the traffic was received on (dropping the traffic if there are no local endpoints).
  healthCheckNodePort           12 int32                 omitzero
    | healthCheckNodePort specifies the healthcheck nodePort for the service. This only applies when type is set to LoadBalancer and externalTrafficPolicy is set to Local. If a value is specified, is in-range, and is not in use, it will be used.  If not specified, a value will be automatically allocated.  External systems (e.g. load-balancers) can use this port to determine if a given node holds endpoints for this service or not.  If this field is specified when creating a Service which does not need it, creation will fail. This field will be wiped when updating a Service to no longer need it (e.g. changing type). This field cannot be updated once set.
  publishNotReadyAddresses      13 bool                  omitzero
    | publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready. The primary use case for setting this field is for a StatefulSet's Headless Service to propagate SRV DNS records for its Pods for the purpose of peer discovery. The Kubernetes controllers that generate Endpoints and EndpointSlice resources for Services interpret this to mean that all endpoints are considered "ready" even if the Pods themselves are not. Agents which consume only Kubernetes generated endpoints through the Endpoints or EndpointSlice resources can safely assume this behavior.
  sessionAffinityConfig         14 SessionAffinityConfig
    | sessionAffinityConfig contains the configurations of session affinity.
  ipFamilies                    19 list<string>
    | IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service. This field is usually assigned automatically based on cluster configuration and the ipFamilyPolicy field. If this field is specified manually, the requested family is available in the cluster, and ipFamilyPolicy allows it, it will be used; otherwise creation of the service will fail. This field is conditionally mutable: it allows for adding or removing a secondary IP family, but it does not allow changing the primary IP family of the Service. Valid values are "IPv4" and "IPv6".  This field only applies to Services of types ClusterIP, NodePort, and LoadBalancer, and does apply to "headless" services. This field will be wiped when updating a Service to type ExternalName.
    |
    | This field may hold a maximum of two entries (dual-stack families, in either order).  These families must correspond to the values of the clusterIPs field, if specified. Both clusterIPs and ipFamilies are governed by the ipFamilyPolicy field.
  ipFamilyPolicy                17 string                enum=["PreferDualStack","RequireDualStack","SingleStack"]
    | IPFamilyPolicy represents the dual-stack-ness requested or required by this Service. If there is no value provided, then this field will be set to SingleStack. Services can be "SingleStack" (a single IP family), "PreferDualStack" (two IP families on dual-stack configured clusters or a single IP family on single-stack clusters), or "RequireDualStack" (two IP families on dual-stack configured clusters, otherwise fail). The ipFamilies and clusterIPs fields depend on the value of this field. This field will be wiped when updating a service to type ExternalName.
    |
    | Possible enum values:
    |  - `"PreferDualStack"` IPFamilyPolicyPreferDualStack indicates that this service prefers dual-stack when the cluster is configured for dual-stack. If the cluster is not configured for dual-stack the service will be assigned a single IPFamily. If the IPFamily is not set in service.spec.ipFamilies then the service will be assigned the default IPFamily configured on the cluster
    |  - `"RequireDualStack"` IPFamilyPolicyRequireDualStack indicates that this service requires dual-stack. Using IPFamilyPolicyRequireDualStack on a single stack cluster will result in validation errors. The IPFamilies (and their order) assigned  to this service is based on service.spec.ipFamilies. If service.spec.ipFamilies was not provided then it will be assigned according to how they are configured on the cluster. If service.spec.ipFamilies has only one entry then the alternative IPFamily will be added by apiserver
    |  - `"SingleStack"` IPFamilyPolicySingleStack indicates that this service is required to have a single IPFamily. The IPFamily assigned is based on the default IPFamily used by the cluster or as identified by service.spec.ipFamilies field
  allocateLoadBalancerNodePorts 20 bool
    | allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.  Default is "true". It may be set to "false" if the cluster load-balancer does not rely on NodePorts.  If the caller requests specific NodePorts (by specifying a value), those requests will be respected, regardless of this field. This field may only be set for services with type LoadBalancer and will be cleared if the type is changed to any other type.
  loadBalancerClass             21 string
    | loadBalancerClass is the class of the load balancer implementation this Service belongs to. If specified, the value of this field must be a label-style identifier, with an optional prefix, e.g. "internal-vip" or "example.com/internal-vip". Unprefixed names are reserved for end-users. This field can only be set when the Service type is 'LoadBalancer'. If not set, the default load balancer implementation is used, today this is typically done through the cloud provider integration, but should apply for any default implementation. If set, it is assumed that a load balancer implementation is watching for Services with a matching class. Any default load balancer implementation (e.g. cloud providers) should ignore Services that set this field. This field can only be set when creating or updating a Service to type 'LoadBalancer'. Once set, it can not be changed. This field will be wiped when a service is updated to a non 'LoadBalancer' type.
  internalTrafficPolicy         22 string                enum=["Cluster","Local"]
    | InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. If set to "Local", the proxy will assume that pods only want to talk to endpoints of the service on the same node as the pod, dropping the traffic if there are no local endpoints. The default value, "Cluster", uses the standard behavior of routing to all endpoints evenly (possibly modified by topology and other features).
    |
    | Possible enum values:
    |  - `"Cluster"` ServiceInternalTrafficPolicyCluster routes traffic to all endpoints.
    |  - `"Local"` ServiceInternalTrafficPolicyLocal routes traffic only to endpoints on the same node as the client pod (dropping the traffic if there are no local endpoints).
  trafficDistribution           23 string
    | TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints. Implementations can use this field as a hint, but are not required to guarantee strict adherence. If the field is not set, the implementation will apply its default routing strategy. If set to "PreferClose", implementations should prioritize endpoints that are topologically close (e.g., same zone). This is a beta field and requires enabling ServiceTrafficDistribution feature.

type ServiceStatus
  | ServiceStatus represents the current status of a service.
  loadBalancer  1 LoadBalancerStatus
    | LoadBalancer contains the current status of the load-balancer, if one is present.
  conditions    2 list<io.k8s.apimachinery.pkg.apis.meta.v1.Condition> merge=type strategy=merge listmap=type
    | Current service state

type SessionAffinityConfig
  | SessionAffinityConfig represents the configurations of session affinity.
  clientIP  1 ClientIPConfig
    | clientIP contains the configurations of Client IP based session affinity.

type SleepAction
  | SleepAction describes a "sleep" action.
  seconds  1 int64 required
    | Seconds is the number of seconds to sleep.

type StorageOSPersistentVolumeSource
  | Represents a StorageOS persistent volume resource.
  volumeName       1 string          omitzero
    | volumeName is the human-readable name of the StorageOS volume.  Volume names are only unique within a namespace.
  volumeNamespace  2 string          omitzero
    | volumeNamespace specifies the scope of the volume within StorageOS.  If no namespace is specified then the Pod's namespace will be used.  This allows the Kubernetes name scoping to be mirrored within StorageOS for tighter integration. Set VolumeName to any name to override the default behaviour. Set to "default" if you are not using namespaces within StorageOS. Namespaces that do not pre-exist within StorageOS will be created.
  fsType           3 string          omitzero
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.
  readOnly         4 bool            omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  secretRef        5 ObjectReference
    | secretRef specifies the secret to use for obtaining the StorageOS API credentials.  If not specified, default values will be attempted.

type StorageOSVolumeSource
  | Represents a StorageOS persistent volume resource.
  volumeName       1 string               omitzero
    | volumeName is the human-readable name of the StorageOS volume.  Volume names are only unique within a namespace.
  volumeNamespace  2 string               omitzero
    | volumeNamespace specifies the scope of the volume within StorageOS.  If no namespace is specified then the Pod's namespace will be used.  This allows the Kubernetes name scoping to be mirrored within StorageOS for tighter integration. Set VolumeName to any name to override the default behaviour. Set to "default" if you are not using namespaces within StorageOS. Namespaces that do not pre-exist within StorageOS will be created.
  fsType           3 string               omitzero
    | fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.
  readOnly         4 bool                 omitzero
    | readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.
  secretRef        5 LocalObjectReference
    | secretRef specifies the secret to use for obtaining the StorageOS API credentials.  If not specified, default values will be attempted.

type Sysctl
  | Sysctl defines a kernel parameter to be set
  name   1 string required
    | Name of a property to set
  value  2 string required
    | Value of a property to set

type TCPSocketAction
  | TCPSocketAction describes an action based on opening a socket
  port  1 IntOrString required
    | Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.
  host  2 string      omitzero
    | Optional: Host name to connect to, defaults to the pod IP.

type Taint
  | The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.
  key        1 string required
    | Required. The taint key to be applied to a node.
  value      2 string omitzero
    | The taint value corresponding to the taint key.
  effect     3 string required enum=["NoExecute","NoSchedule","PreferNoSchedule"]
    | Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.
    |
    | Possible enum values:
    |  - `"NoExecute"` Evict any already-running pods that do not tolerate the taint. Currently enforced by NodeController.
    |  - `"NoSchedule"` Do not allow new pods to schedule onto the node unless they tolerate the taint, but allow all pods submitted to Kubelet without going through the scheduler to start, and allow all already-running pods to continue running. Enforced by the scheduler.
    |  - `"PreferNoSchedule"` Like TaintEffectNoSchedule, but the scheduler tries not to schedule new pods onto the node, rather than prohibiting new pods from scheduling onto the node entirely. Enforced by the scheduler.
  timeAdded  4 Time
    | TimeAdded represents the time at which the taint was added. It is only written for NoExecute taints.

type Toleration
  | The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.
  key                1 string omitzero
    | Key is the taint key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must be Exists; this combination means to match all values and all keys.
  operator           2 string omitzero enum=["Equal","Exists"]
    | Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal. Exists is equivalent to wildcard for value, so that a pod can tolerate all taints of a particular category.
    |
    | Possible enum values:
    |  - `"Equal"`
    |  - `"Exists"`
  value              3 string omitzero
    | Value is the taint value the toleration matches to. If the operator is Exists, the value should be empty, otherwise just a regular string.
  effect             4 string omitzero enum=["NoExecute","NoSchedule","PreferNoSchedule"]
    | Effect indicates the taint effect to match. Empty means match all taint effects. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.
    |
    | Possible enum values:
    |  - `"NoExecute"` Evict any already-running pods that do not tolerate the taint. Currently enforced by NodeController.
    |  - `"NoSchedule"` Do not allow new pods to schedule onto the node unless they tolerate the taint, but allow all pods submitted to Kubelet without going through the scheduler to start, and allow all already-running pods to continue running. Enforced by the scheduler.
    |  - `"PreferNoSchedule"` Like TaintEffectNoSchedule, but the scheduler tries not to schedule new pods onto the node, rather than prohibiting new pods from scheduling onto the node entirely. Enforced by the scheduler.
  tolerationSeconds  5 int64
    | TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint. By default, it is not set, which means tolerate the taint forever (do not evict). Zero and negative values will be treated as 0 (evict immediately) by the system.

type TopologySelectorLabelRequirement
  | A topology selector requirement is a selector that matches given label. This is an alpha feature and may change in the future.
  key     1 string       required
    | The label key that the selector applies to.
  values  2 list<string> required
    | An array of string values. One value must match the label to be selected. Each entry in Values is ORed.

type TopologySelectorTerm
  | A topology selector term represents the result of label queries. A null or empty topology selector term matches no objects. The requirements of them are ANDed. It provides a subset of functionality as NodeSelectorTerm. This is an alpha feature and may change in the future.
  matchLabelExpressions  1 list<TopologySelectorLabelRequirement>
    | A list of topology selector requirements by labels.

type TopologySpreadConstraint
  | TopologySpreadConstraint specifies how to spread matching pods among the given topology.
  maxSkew             1 int32                                              required
    | MaxSkew describes the degree to which pods may be unevenly distributed. When `whenUnsatisfiable=DoNotSchedule`, it is the maximum permitted difference between the number of matching pods in the target topology and the global minimum. The global minimum is the minimum number of matching pods in an eligible domain or zero if the number of eligible domains is less than MinDomains. For example, in a 3-zone cluster, MaxSkew is set to 1, and pods with the same labelSelector spread as 2/2/1: In this case, the global minimum is 1. | zone1 | zone2 | zone3 | |  P P  |  P P  |   P   | - if MaxSkew is 1, incoming pod can only be scheduled to zone3 to become 2/2/2; scheduling it onto zone1(zone2) would make the ActualSkew(3-1) on zone1(zone2) violate MaxSkew(1). - if MaxSkew is 2, incoming pod can be scheduled onto any zone. When `whenUnsatisfiable=ScheduleAnyway`, it is used to give higher precedence to topologies that satisfy it. It's a required field. Default value is 1 and 0 is not allowed.
  topologyKey         2 string                                             required
    | TopologyKey is the key of node labels. Nodes that have a label with this key and identical values are considered to be in the same topology. We consider each <key, value> as a "bucket", and try to put balanced number of pods into each bucket. We define a domain as a particular instance of a topology. Also, we define an eligible domain as a domain whose nodes meet the requirements of nodeAffinityPolicy and nodeTaintsPolicy. e.g. If TopologyKey is "kubernetes.io/hostname", each Node is a domain of that topology. And, if TopologyKey is "topology.kubernetes.io/zone", each zone is a domain of that topology. It's a required field.
  whenUnsatisfiable   3 string                                             required enum=["DoNotSchedule","ScheduleAnyway"]
    | WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint. - DoNotSchedule (default) tells the scheduler not to schedule it. - ScheduleAnyway tells the scheduler to schedule the pod in any location,
    |   but giving higher precedence to topologies that would help reduce the
    |   skew.
    | A constraint is considered "Unsatisfiable" for an incoming pod if and only if every possible node assignment for that pod would violate "MaxSkew" on some topology. For example, in a 3-zone cluster, MaxSkew is set to 1, and pods with the same labelSelector spread as 3/1/1: | zone1 | zone2 | zone3 | | P P P |   P   |   P   | If WhenUnsatisfiable is set to DoNotSchedule, incoming pod can only be scheduled to zone2(zone3) to become 3/2/1(3/1/2) as ActualSkew(2-1) on zone2(zone3) satisfies MaxSkew(1). In other words, the cluster can still be imbalanced, but scheduler won't make it *more* imbalanced. It's a required field.
    |
    | Possible enum values:
    |  - `"DoNotSchedule"` DoNotSchedule instructs the scheduler not to schedule the pod when constraints are not satisfied.
    |  - `"ScheduleAnyway"` ScheduleAnyway instructs the scheduler to schedule the pod even if constraints are not satisfied.
  labelSelector       4 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | LabelSelector is used to find matching pods. Pods that match this label selector are counted to determine the number of pods in their corresponding topology domain.
  minDomains          5 int32
    | MinDomains indicates a minimum number of eligible domains. When the number of eligible domains with matching topology keys is less than minDomains, Pod Topology Spread treats "global minimum" as 0, and then the calculation of Skew is performed. And when the number of eligible domains with matching topology keys equals or greater than minDomains, this value has no effect on scheduling. As a result, when the number of eligible domains is less than minDomains, scheduler won't schedule more than maxSkew Pods to those domains. If value is nil, the constraint behaves as if MinDomains is equal to 1. Valid values are integers greater than 0. When value is not nil, WhenUnsatisfiable must be DoNotSchedule.
    |
    | For example, in a 3-zone cluster, MaxSkew is set to 2, MinDomains is set to 5 and pods with the same labelSelector spread as 2/2/2: | zone1 | zone2 | zone3 | |  P P  |  P P  |  P P  | The number of domains is less than 5(MinDomains), so "global minimum" is treated as 0. In this situation, new pod with the same labelSelector cannot be scheduled, because computed skew will be 3(3 - 0) if new Pod is scheduled to any of the three zones, it will violate MaxSkew.
  nodeAffinityPolicy  6 string                                             enum=["Honor","Ignore"]
    | NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew. Options are: - Honor: only nodes matching nodeAffinity/nodeSelector are included in the calculations. - Ignore: nodeAffinity/nodeSelector are ignored. All nodes are included in the calculations.
    |
    | If this value is nil, the behavior is equivalent to the Honor policy. This is a beta-level feature default enabled by the NodeInclusionPolicyInPodTopologySpread feature flag.
    |
    | Possible enum values:
    |  - `"Honor"` NodeInclusionPolicyHonor means use this scheduling directive when calculating pod topology spread skew.
    |  - `"Ignore"` NodeInclusionPolicyIgnore means ignore this scheduling directive when calculating pod topology spread skew.
  nodeTaintsPolicy    7 string                                             enum=["Honor","Ignore"]
    | NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew. Options are: - Honor: nodes without taints, along with tainted nodes for which the incoming pod has a toleration, are included. - Ignore: node taints are ignored. All nodes are included.
    |
    | If this value is nil, the behavior is equivalent to the Ignore policy. This is a beta-level feature default enabled by the NodeInclusionPolicyInPodTopologySpread feature flag.
    |
    | Possible enum values:
    |  - `"Honor"` NodeInclusionPolicyHonor means use this scheduling directive when calculating pod topology spread skew.
    |  - `"Ignore"` NodeInclusionPolicyIgnore means ignore this scheduling directive when calculating pod topology spread skew.
  matchLabelKeys      8 list<string>
    | MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated. The keys are used to lookup values from the incoming pod labels, those key-value labels are ANDed with labelSelector to select the group of existing pods over which spreading will be calculated for the incoming pod. The same key is forbidden to exist in both MatchLabelKeys and LabelSelector. MatchLabelKeys cannot be set when LabelSelector isn't set. Keys that don't exist in the incoming pod labels will be ignored. A null or empty list means only match against labelSelector.
    |
    | This is a beta field and requires the MatchLabelKeysInPodTopologySpread feature gate to be enabled (enabled by default).

type TypedLocalObjectReference
  | TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.
  apiGroup  1 string
    | APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.
  kind      2 string required
    | Kind is the type of resource being referenced
  name      3 string required
    | Name is the name of resource being referenced

type TypedObjectReference
  | TypedObjectReference contains enough information to let you locate the typed referenced object
  apiGroup   1 string
    | APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.
  kind       2 string required
    | Kind is the type of resource being referenced
  name       3 string required
    | Name is the name of resource being referenced
  namespace  4 string
    | Namespace is the namespace of resource being referenced Note that when a namespace is specified, a gateway.networking.k8s.io/ReferenceGrant object is required in the referent namespace to allow that namespace's owner to accept the reference. See the ReferenceGrant documentation for details. (Alpha) This field requires the CrossNamespaceVolumeDataSource feature gate to be enabled.

type Volume
  | Volume represents a named volume in a pod that may be accessed by any container in the pod.
  name  1 string       required
    | name of the volume. Must be a DNS_LABEL and unique within the pod. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
  -     2 VolumeSource
    | volumeSource represents the location and type of the mounted volume. If not specified, the Volume is implied to be an EmptyDir. This implied behavior is deprecated and will be removed in a future version.

type VolumeDevice
  | volumeDevice describes a mapping of a raw block device within a container.
  name        1 string required
    | name must match the name of a persistentVolumeClaim in the pod
  devicePath  2 string required
    | devicePath is the path inside of the container that the device will be mapped to.

type VolumeMount
  | VolumeMount describes a mounting of a Volume within a container.
  name               1 string required
    | This must match the Name of a Volume.
  readOnly           2 bool   omitzero
    | Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.
  recursiveReadOnly  7 string
    | RecursiveReadOnly specifies whether read-only mounts should be handled recursively.
    |
    | If ReadOnly is false, this field has no meaning and must be unspecified.
    |
    | If ReadOnly is true, and this field is set to Disabled, the mount is not made recursively read-only.  If this field is set to IfPossible, the mount is made recursively read-only, if it is supported by the container runtime.  If this field is set to Enabled, the mount is made recursively read-only if it is supported by the container runtime, otherwise the pod will not be started and an error will be generated to indicate the reason.
    |
    | If this field is set to IfPossible or Enabled, MountPropagation must be set to None (or be unspecified, which defaults to None).
    |
    | If this field is not specified, it is treated as an equivalent of Disabled.
  mountPath          3 string required
    | Path within the container at which the volume should be mounted.  Must not contain ':'.
  subPath            4 string omitzero
    | Path within the volume from which the container's volume should be mounted. Defaults to "" (volume's root).
  mountPropagation   5 string enum=["Bidirectional","HostToContainer","None"]
    | mountPropagation determines how mounts are propagated from the host to container and the other way around. When not set, MountPropagationNone is used. This field is beta in 1.10. When RecursiveReadOnly is set to IfPossible or to Enabled, MountPropagation must be None or unspecified (which defaults to None).
    |
    | Possible enum values:
    |  - `"Bidirectional"` MountPropagationBidirectional means that the volume in a container will receive new mounts from the host or other containers, and its own mounts will be propagated from the container to the host or other containers. Note that this mode is recursively applied to all mounts in the volume ("rshared" in Linux terminology).
    |  - `"HostToContainer"` MountPropagationHostToContainer means that the volume in a container will receive new mounts from the host or other containers, but filesystems mounted inside the container won't be propagated to the host or other containers. Note that this mode is recursively applied to all mounts in the volume ("rslave" in Linux terminology).
    |  - `"None"` MountPropagationNone means that the volume in a container will not receive new mounts from the host or other containers, and filesystems mounted inside the container won't be propagated to the host or other containers. Note that this mode corresponds to "private" in Linux terminology.
  subPathExpr        6 string omitzero
    | Expanded path within the volume from which the container's volume should be mounted. Behaves similarly to SubPath but environment variable references $(VAR_NAME) are expanded using the container's environment. Defaults to "" (volume's root). SubPathExpr and SubPath are mutually exclusive.

type VolumeMountStatus
  | VolumeMountStatus shows status of volume mounts.
  name               1 string required
    | Name corresponds to the name of the original VolumeMount.
  mountPath          2 string required
    | MountPath corresponds to the original VolumeMount.
  readOnly           3 bool   omitzero
    | ReadOnly corresponds to the original VolumeMount.
  recursiveReadOnly  4 string
    | RecursiveReadOnly must be set to Disabled, Enabled, or unspecified (for non-readonly mounts). An IfPossible value in the original VolumeMount must be translated to Disabled or Enabled, depending on the mount result.

type VolumeNodeAffinity
  | VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.
  required  1 NodeSelector
    | required specifies hard node constraints that must be met.

type VolumeProjection
  | Projection that may be projected along with other supported volume types. Exactly one of these fields must be set.
  secret               1 SecretProjection
    | secret information about the secret data to project
  downwardAPI          2 DownwardAPIProjection
    | downwardAPI information about the downwardAPI data to project
  configMap            3 ConfigMapProjection
    | configMap information about the configMap data to project
  serviceAccountToken  4 ServiceAccountTokenProjection
    | serviceAccountToken is information about the serviceAccountToken data to project
  clusterTrustBundle   5 ClusterTrustBundleProjection
    | ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file.
    |
    | Alpha, gated by the ClusterTrustBundleProjection feature gate.
    |
    | ClusterTrustBundle objects can either be selected by name, or by the combination of signer name and a label selector.
    |
    | Kubelet performs aggressive normalization of the PEM contents written into the pod filesystem.  Esoteric PEM features such as inter-block comments and block headers are stripped.  Certificates are deduplicated. The ordering of certificates within the file is arbitrary, and Kubelet may change the order over time.

type VolumeResourceRequirements
  | VolumeResourceRequirements describes the storage resource requirements for a volume.
  limits    1 map<Quantity>
    | Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
  requests  2 map<Quantity>
    | Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
)schema");
  out.push_back(R"schema(package io.k8s.api.core.v1

type VolumeSource
  | Represents the source of a volume to mount. Only one of its members may be specified.
  hostPath               1 HostPathVolumeSource
    | hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container. This is generally used for system agents or other privileged things that are allowed to see the host machine. Most containers will NOT need this. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath
  emptyDir               2 EmptyDirVolumeSource
    | emptyDir represents a temporary directory that shares a pod's lifetime. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir
  gcePersistentDisk      3 GCEPersistentDiskVolumeSource
    | gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: GCEPersistentDisk is deprecated. All operations for the in-tree gcePersistentDisk type are redirected to the pd.csi.storage.gke.io CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk
  awsElasticBlockStore   4 AWSElasticBlockStoreVolumeSource
    | awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: AWSElasticBlockStore is deprecated. All operations for the in-tree awsElasticBlockStore type are redirected to the ebs.csi.aws.com CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore
  gitRepo                5 GitRepoVolumeSource
    | gitRepo represents a git repository at a particular revision. Deprecated: GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container.
  secret                 6 SecretVolumeSource
    | secret represents a secret that should populate this volume. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret
  nfs                    7 NFSVolumeSource
    | nfs represents an NFS mount on the host that shares a pod's lifetime More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs
  iscsi                  8 ISCSIVolumeSource
    | iscsi represents an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod. More info: https://examples.k8s.io/volumes/iscsi/README.md
  glusterfs              9 GlusterfsVolumeSource
    | glusterfs represents a Glusterfs mount on the host that shares a pod's lifetime. Deprecated: Glusterfs is deprecated and the in-tree glusterfs type is no longer supported. More info: https://examples.k8s.io/volumes/glusterfs/README.md
  persistentVolumeClaim 10 PersistentVolumeClaimVolumeSource
    | persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
  rbd                   11 RBDVolumeSource
    | rbd represents a Rados Block Device mount on the host that shares a pod's lifetime. Deprecated: RBD is deprecated and the in-tree rbd type is no longer supported. More info: https://examples.k8s.io/volumes/rbd/README.md
  flexVolume            12 FlexVolumeSource
    | flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin. Deprecated: FlexVolume is deprecated. Consider using a CSIDriver instead.
  cinder                13 CinderVolumeSource
    | cinder represents a cinder volume attached and mounted on kubelets host machine. Deprecated: Cinder is deprecated. All operations for the in-tree cinder type are redirected to the cinder.csi.openstack.org CSI driver. More info: https://examples.k8s.io/mysql-cinder-pd/README.md
  cephfs                14 CephFSVolumeSource
    | cephFS represents a Ceph FS mount on the host that shares a pod's lifetime. Deprecated: CephFS is deprecated and the in-tree cephfs type is no longer supported.
  flocker               15 FlockerVolumeSource
    | flocker represents a Flocker volume attached to a kubelet's host machine. This depends on the Flocker control service being running. Deprecated: Flocker is deprecated and the in-tree flocker type is no longer supported.
  downwardAPI           16 DownwardAPIVolumeSource
    | downwardAPI represents downward API about the pod that should populate this volume
  fc                    17 FCVolumeSource
    | fc represents a Fibre Channel resource that is attached to a kubelet's host machine and then exposed to the pod.
  azureFile             18 AzureFileVolumeSource
    | azureFile represents an Azure File Service mount on the host and bind mount to the pod. Deprecated: AzureFile is deprecated. All operations for the in-tree azureFile type are redirected to the file.csi.azure.com CSI driver.
  configMap             19 ConfigMapVolumeSource
    | configMap represents a configMap that should populate this volume
  vsphereVolume         20 VsphereVirtualDiskVolumeSource
    | vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine. Deprecated: VsphereVolume is deprecated. All operations for the in-tree vsphereVolume type are redirected to the csi.vsphere.vmware.com CSI driver.
  quobyte               21 QuobyteVolumeSource
    | quobyte represents a Quobyte mount on the host that shares a pod's lifetime. Deprecated: Quobyte is deprecated and the in-tree quobyte type is no longer supported.
  azureDisk             22 AzureDiskVolumeSource
    | azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod. Deprecated: AzureDisk is deprecated. All operations for the in-tree azureDisk type are redirected to the disk.csi.azure.com CSI driver.
  photonPersistentDisk  23 PhotonPersistentDiskVolumeSource
    | photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine. Deprecated: PhotonPersistentDisk is deprecated and the in-tree photonPersistentDisk type is no longer supported.
  projected             26 ProjectedVolumeSource
    | projected items for all in one resources secrets, configmaps, and downward API
  portworxVolume        24 PortworxVolumeSource
    | portworxVolume represents a portworx volume attached and mounted on kubelets host machine. Deprecated: PortworxVolume is deprecated. All operations for the in-tree portworxVolume type are redirected to the pxd.portworx.com CSI driver when the CSIMigrationPortworx feature-gate is on.
  scaleIO               25 ScaleIOVolumeSource
    | scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes. Deprecated: ScaleIO is deprecated and the in-tree scaleIO type is no longer supported.
  storageos             27 StorageOSVolumeSource
    | storageOS represents a StorageOS volume attached and mounted on Kubernetes nodes. Deprecated: StorageOS is deprecated and the in-tree storageos type is no longer supported.
  csi                   28 CSIVolumeSource
    | csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.
  ephemeral             29 EphemeralVolumeSource
    | ephemeral represents a volume that is handled by a cluster storage driver. The volume's lifecycle is tied to the pod that defines it - it will be created before the pod starts, and deleted when the pod is removed.
    |
    | Use this if: a) the volume is only needed while the pod runs, b) features of normal volumes like restoring from snapshot or capacity
    |    tracking are needed,
    | c) the storage driver is specified through a storage class, and d) the storage driver supports dynamic volume provisioning through
    |    a PersistentVolumeClaim (see EphemeralVolumeSource for more
    |    information on the connection between this volume type
    |    and PersistentVolumeClaim).
    |
    | Use PersistentVolumeClaim or one of the vendor-specific APIs for volumes that persist for longer than the lifecycle of an individual pod.
    |
    | Use CSI for light-weight local ephemeral volumes if the CSI driver is meant to be used that way - see the documentation of the driver for more information.
    |
    | A pod can use both types of ephemeral volumes and persistent volumes at the same time.
  image                 30 ImageVolumeSource
    | image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine. The volume is resolved at pod startup depending on which PullPolicy value is provided:
    |
    | - Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. - Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. - IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails.
    |
    | The volume gets re-resolved if the pod gets deleted and recreated, which means that new remote content will become available on pod recreation. A failure to resolve or pull the image during pod startup will block containers from starting and may add significant latency. Failures will be retried using normal volume backoff and will be reported on the pod reason and message. The types of objects that may be mounted by this volume are defined by the container runtime implementation on a host machine and at minimum must include all valid types supported by the container image field. The OCI object gets mounted in a single directory (spec.containers[*].volumeMounts.mountPath) by merging the manifest layers in the same way as for container images. The volume will be mounted read-only (ro) and non-executable files (noexec). Sub path mounts for containers are not supported (spec.containers[*].volumeMounts.subpath). The field spec.securityContext.fsGroupChangePolicy has no effect on this volume type.

type VsphereVirtualDiskVolumeSource
  | Represents a vSphere volume resource.
  volumePath         1 string required
    | volumePath is the path that identifies vSphere volume vmdk
  fsType             2 string omitzero
    | fsType is filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.
  storagePolicyName  3 string omitzero
    | storagePolicyName is the storage Policy Based Management (SPBM) profile name.
  storagePolicyID    4 string omitzero
    | storagePolicyID is the storage Policy Based Management (SPBM) profile ID associated with the StoragePolicyName.

type WeightedPodAffinityTerm
  | The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)
  weight           1 int32           required
    | weight associated with matching the corresponding podAffinityTerm, in the range 1-100.
  podAffinityTerm  2 PodAffinityTerm required
    | Required. A pod affinity term, associated with the corresponding weight.

type WindowsSecurityContextOptions
  | WindowsSecurityContextOptions contain Windows-specific options and credentials.
  gmsaCredentialSpecName  1 string
    | GMSACredentialSpecName is the name of the GMSA credential spec to use.
  gmsaCredentialSpec      2 string
    | GMSACredentialSpec is where the GMSA admission webhook (https://github.com/kubernetes-sigs/windows-gmsa) inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.
  runAsUserName           3 string
    | The UserName in Windows to run the entrypoint of the container process. Defaults to the user specified in image metadata if unspecified. May also be set in PodSecurityContext. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.
  hostProcess             4 bool
    | HostProcess determines if a container should be run as a 'Host Process' container. All of a Pod's containers must have the same effective HostProcess value (it is not allowed to have a mix of HostProcess containers and non-HostProcess containers). In addition, if HostProcess is true then HostNetwork must also be set to true.
)schema");
}

}  // namespace minik::schemas
