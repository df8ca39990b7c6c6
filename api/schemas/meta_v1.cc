// Schema data of io.k8s.apimachinery.pkg.apis.meta.v1, generated once from
// k8s.io/apimachinery pkg/apis/meta/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendMetaV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.apimachinery.pkg.apis.meta.v1

type Condition
  | Condition contains details for one aspect of the current state of this API Resource.
  type                1 string required
    | type of condition in CamelCase or in foo.example.com/CamelCase.
  status              2 string required
    | status of the condition, one of True, False, Unknown.
  observedGeneration  3 int64  omitzero
    | observedGeneration represents the .metadata.generation that the condition was set based upon. For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date with respect to the current state of the instance.
  lastTransitionTime  4 Time   required
    | lastTransitionTime is the last time the condition transitioned from one status to another. This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.
  reason              5 string required
    | reason contains a programmatic identifier indicating the reason for the condition's last transition. Producers of specific condition types may define expected values and meanings for this field, and whether the values are considered a guaranteed API. The value should be a CamelCase string. This field may not be empty.
  message             6 string required
    | message is a human readable message indicating details about the transition. This may be an empty string.

type DeleteOptions gvk=meta.k8s.io/v1/DeleteOptions
  | DeleteOptions may be provided when deleting an API object.
  apiVersion                                        0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind                                              0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  gracePeriodSeconds                                1 int64
    | The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.
  preconditions                                     2 Preconditions
    | Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.
  orphanDependents                                  3 bool
    | Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both.
  propagationPolicy                                 4 string
    | Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.
  dryRun                                            5 list<string>
    | When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed
  ignoreStoreReadErrorWithClusterBreakingPotential  6 bool
    | if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it

type FieldSelectorRequirement
  | FieldSelectorRequirement is a selector that contains values, a key, and an operator that relates the key and values.
  key       1 string       required
    | key is the field selector key that the requirement applies to.
  operator  2 string       required
    | operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. The list of operators may grow in the future.
  values    3 list<string>
    | values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty.

type LabelSelector
  | A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.
  matchLabels       1 map<string>
    | matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.
  matchExpressions  2 list<LabelSelectorRequirement>
    | matchExpressions is a list of label selector requirements. The requirements are ANDed.

type LabelSelectorRequirement
  | A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.
  key       1 string       required
    | key is the label key that the selector applies to.
  operator  2 string       required
    | operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.
  values    3 list<string>
    | values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.

type ListMeta
  | ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.
  selfLink            1 string omitzero
    | Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.
  resourceVersion     2 string omitzero
    | String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency
  continue            3 string omitzero
    | continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects. Continuing a consistent list may not be possible if the server configuration has changed or more than a few minutes have passed. The resourceVersion field returned when using this continue value will be identical to the value in the first response, unless you have received this token from an error message.
  remainingItemCount  4 int64
    | remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization. If the list is complete (either because it is not chunking or because this is the last chunk), then there are no more remaining items and this field will be left unset and omitted during serialization. Servers older than v1.15 do not set this field. The intended use of the remainingItemCount is *estimating* the size of a collection. Clients should not rely on the remainingItemCount to be set or to be exact.

type ManagedFieldsEntry
  | ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.
  manager      1 string   omitzero
    | Manager is an identifier of the workflow managing these fields.
  operation    2 string   omitzero
    | Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.
  apiVersion   3 string   omitzero
    | APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted.
  time         4 Time
    | Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over.
  fieldsType   6 string   omitzero
    | FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"
  fieldsV1     7 FieldsV1
    | FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.
  subresource  8 string   omitzero
    | Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource.

type ObjectMeta
  | ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.
  name                        1 string                   omitzero
    | Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names
  generateName                2 string                   omitzero
    | GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.
    |
    | If this field is specified and the generated name exists, the server will return a 409.
    |
    | Applied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency
  namespace                   3 string                   omitzero
    | Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.
    |
    | Must be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces
  selfLink                    4 string                   omitzero
    | Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.
  uid                         5 string                   omitzero
    | UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.
    |
    | Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids
  resourceVersion             6 string                   omitzero
    | An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.
    |
    | Populated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency
  generation                  7 int64                    omitzero
    | A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.
  creationTimestamp           8 Time
    | CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.
    |
    | Populated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  deletionTimestamp           9 Time
    | DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client. The resource is expected to be deleted (no longer visible from resource lists, and not reachable by name) after the time in this field, once the finalizers list is empty. As long as the finalizers list contains items, deletion is blocked. Once the deletionTimestamp is set, this value may not be unset or be set further into the future, although it may be shortened or the resource may be deleted prior to this time. For example, a user may request that a pod is deleted in 30 seconds. The Kubelet will react by sending a graceful termination signal to the containers in the pod. After that 30 seconds, the Kubelet will send a hard termination signal (SIGKILL) to the container and after cleanup, remove the pod from the API. In the presence of network partitions, this object may still exist after this timestamp, until an administrator or automated process can determine the resource is fully terminated. If not set, graceful deletion of the object has not been requested.
    |
    | Populated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  deletionGracePeriodSeconds 10 int64
    | Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.
  labels                     11 map<string>
    | Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels
  annotations                12 map<string>
    | Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations
  ownerReferences            13 list<OwnerReference>     merge=uid strategy=merge listmap=uid
    | List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.
  finalizers                 14 list<string>             strategy=merge set
    | Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.  Order is NOT enforced because it introduces significant risk of stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the finalizer list is processed in order, then this can lead to a situation in which the component responsible for the first finalizer in the list is waiting for a signal (field value, external system, or other) produced by a component responsible for a finalizer later in the list, resulting in a deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not vulnerable to ordering changes in the list.
  managedFields              17 list<ManagedFieldsEntry>
    | ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like "ci-cd". The set of fields is always in the version that the workflow used when modifying the object.

type OwnerReference
  | OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.
  apiVersion          5 string required
    | API version of the referent.
  kind                1 string required
    | Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  name                3 string required
    | Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names
  uid                 4 string required
    | UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids
  controller          6 bool
    | If true, this reference points to the managing controller.
  blockOwnerDeletion  7 bool
    | If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned.

type Preconditions
  | Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.
  uid              1 string
    | Specifies the target UID.
  resourceVersion  2 string
    | Specifies the target ResourceVersion

type Status gvk=/v1/Status
  | Status is a return value for calls that don't return other objects.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 ListMeta
    | Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  status      2 string        omitzero
    | Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
  message     3 string        omitzero
    | A human-readable description of the status of this operation.
  reason      4 string        omitzero
    | A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it.
  details     5 StatusDetails
    | Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.
  code        6 int32         omitzero
    | Suggested HTTP return code for this status, 0 if not set.

type StatusCause
  | StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.
  reason   1 string omitzero
    | A machine-readable description of the cause of the error. If this value is empty there is no information available.
  message  2 string omitzero
    | A human-readable description of the cause of the error.  This field may be presented as-is to a reader.
  field    3 string omitzero
    | The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.
    |
    | Examples:
    |   "name" - the field "name" on the current resource
    |   "items[0].name" - the field "name" on the first array entry in "items"

type StatusDetails
  | StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set. Clients must ignore fields that do not match the defined type of each attribute, and should assume that any attribute may be empty, invalid, or under defined.
  name               1 string            omitzero
    | The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).
  group              2 string            omitzero
    | The group attribute of the resource associated with the status StatusReason.
  kind               3 string            omitzero
    | The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  uid                6 string            omitzero
    | UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids
  causes             4 list<StatusCause>
    | The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.
  retryAfterSeconds  5 int32             omitzero
    | If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action.
)schema");
}

}  // namespace minik::schemas
