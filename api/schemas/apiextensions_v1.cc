// Schema data of io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1 (k8s.io/apiextensions-apiserver
// pkg/apis/apiextensions/v1 v0.32: generated.proto field numbers, types.go json names and
// markers). JSONSchemaProps is carried as free-form JSON (`any`): the CRD code reads it with
// its own structural-schema parser (apiextensions/structural_schema.h).
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendApiextensionsV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1

type CustomResourceDefinition gvk=apiextensions.k8s.io/v1/CustomResourceDefinition
  | CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 CustomResourceDefinitionSpec  required
    | spec describes how the user wants the resources to appear
  status      3 CustomResourceDefinitionStatus
    | status indicates the actual state of the CustomResourceDefinition

type CustomResourceDefinitionList gvk=apiextensions.k8s.io/v1/CustomResourceDefinitionList
  | CustomResourceDefinitionList is a list of CustomResourceDefinition objects.
  apiVersion  0 string
  kind        0 string
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta
  items       2 list<CustomResourceDefinition>  required
    | items list individual CustomResourceDefinition objects

type CustomResourceDefinitionSpec
  | CustomResourceDefinitionSpec describes how a user wants their resource to appear
  group                  1 string  required
    | group is the API group of the defined custom resource. The custom resources are served under `/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`).
  names                  3 CustomResourceDefinitionNames  required
    | names specify the resource and kind names for the custom resource.
  scope                  4 string  required
    | scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.
  versions               7 list<CustomResourceDefinitionVersion>  required
    | versions is the list of all API versions of the defined custom resource. Version names are used to compute the order in which served versions are listed in API discovery.
  conversion             9 CustomResourceConversion
    | conversion defines conversion settings for the CRD.
  preserveUnknownFields  10 bool  omitzero
    | preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage. apiVersion, kind, metadata and known fields inside metadata are always preserved. This field is deprecated in favor of setting `x-preserve-unknown-fields` to true in `spec.versions[*].schema.openAPIV3Schema`.

type CustomResourceDefinitionNames
  | CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition
  plural      1 string  required
    | plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`). Must be all lowercase.
  singular    2 string
    | singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.
  shortNames  3 list<string>
    | shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`. It must be all lowercase.
  kind        4 string  required
    | kind is the serialized kind of the resource. It is normally CamelCase and singular. Custom resource instances will use this value as the `kind` attribute in API calls.
  listKind    5 string
    | listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".
  categories  6 list<string>
    | categories is a list of grouped resources this custom resource belongs to (e.g. 'all'). This is published in API discovery documents, and used by clients to support invocations like `kubectl get all`.

type CustomResourceDefinitionVersion
  | CustomResourceDefinitionVersion describes a version for CRD.
  name                      1 string  required
    | name is the version name, e.g. “v1”, “v2beta1”, etc. The custom resources are served under this version at `/apis/<group>/<version>/...` if `served` is true.
  served                    2 bool  required
    | served is a flag enabling/disabling this version from being served via REST APIs
  storage                   3 bool  required
    | storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.
  deprecated                7 bool  omitzero
    | deprecated indicates this version of the custom resource API is deprecated. When set to true, API requests to this version receive a warning header in the server response. Defaults to false.
  deprecationWarning        8 string
    | deprecationWarning overrides the default warning returned to API clients. May only be set when `deprecated` is true. The default warning indicates this version is deprecated and recommends use of the newest served version of equal or greater stability, if one exists.
  schema                    4 CustomResourceValidation
    | schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.
  subresources              5 CustomResourceSubresources
    | subresources specify what subresources this version of the defined custom resource have.
  additionalPrinterColumns  6 list<CustomResourceColumnDefinition>
    | additionalPrinterColumns specifies additional columns returned in Table output. See https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables for details. If no columns are specified, a single column displaying the age of the custom resource is used.
  selectableFields          9 list<SelectableField>
    | selectableFields specifies paths to fields that may be used as field selectors. A maximum of 8 selectable fields are allowed. See https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors

type CustomResourceValidation
  | CustomResourceValidation is a list of validation methods for CustomResources.
  openAPIV3Schema  1 any
    | openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.

type CustomResourceSubresources
  | CustomResourceSubresources defines the status and scale subresources for CustomResources.
  status  1 any
    | status indicates the custom resource should serve a `/status` subresource. When enabled: 1. requests to the custom resource primary endpoint ignore changes to the `status` stanza of the object. 2. requests to the custom resource `/status` subresource ignore changes to anything other than the `status` stanza of the object.
  scale   2 CustomResourceSubresourceScale
    | scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.

type CustomResourceSubresourceScale
  | CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.
  specReplicasPath    1 string  required
    | specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.spec`. If there is no value under the given path in the custom resource, the `/scale` subresource will return an error on GET.
  statusReplicasPath  2 string  required
    | statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status`. If there is no value under the given path in the custom resource, the `status.replicas` value in the `/scale` subresource will default to 0.
  labelSelectorPath   3 string
    | labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status` or `.spec`.

type CustomResourceColumnDefinition
  | CustomResourceColumnDefinition specifies a column for server side printing.
  name         1 string  required
    | name is a human readable name for the column.
  type         2 string  required
    | type is an OpenAPI type definition for this column. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details.
  format       3 string
    | format is an optional OpenAPI type definition for this column. The 'name' format is applied to the primary identifier column to assist in clients identifying column is the resource name. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details.
  description  4 string
    | description is a human readable description of this column.
  priority     5 int32  omitzero
    | priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority. Columns that may be omitted in limited space scenarios should be given a priority greater than 0.
  jsonPath     6 string  required
    | jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.

type SelectableField
  | SelectableField specifies the JSON path of a field that may be used with field selectors.
  jsonPath  1 string  required
    | jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value. Only JSON paths without the array notation are allowed. Must point to a field of type string, boolean or integer. Types with enum values and strings with formats are allowed. If jsonPath refers to absent field in a resource, the jsonPath evaluates to an empty string. Must not point to metdata fields. Required.

type CustomResourceConversion
  | CustomResourceConversion describes how to convert different versions of a CR.
  strategy  1 string  required
    | strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion. Additional information
  webhook   2 any
    | webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.

type CustomResourceDefinitionStatus
  | CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition
  conditions      1 list<CustomResourceDefinitionCondition>  listmap=type
    | conditions indicate state for particular aspects of a CustomResourceDefinition
  acceptedNames   2 CustomResourceDefinitionNames
    | acceptedNames are the names that are actually being used to serve discovery. They may be different than the names in spec.
  storedVersions  3 list<string>
    | storedVersions lists all versions of CustomResources that were ever persisted. Tracking these versions allows a migration path for stored versions in etcd. The field is mutable so a migration controller can finish a migration to another version (ensuring no old objects are left in storage), and then remove the rest of the versions from this list. Versions may not be removed from `spec.versions` while they exist in this list.

type CustomResourceDefinitionCondition
  | CustomResourceDefinitionCondition contains details for the current condition of this pod.
  type                1 string  required
    | type is the type of the condition. Types include Established, NamesAccepted and Terminating.
  status              2 string  required
    | status is the status of the condition. Can be True, False, Unknown.
  lastTransitionTime  3 Time
    | lastTransitionTime last time the condition transitioned from one status to another.
  reason              4 string
    | reason is a unique, one-word, CamelCase reason for the condition's last transition.
  message             5 string
    | message is a human-readable message indicating details about last transition.
)schema");
}

}  // namespace minik::schemas
