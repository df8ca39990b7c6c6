// Schema data of io.k8s.api.admissionregistration.v1 (MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration with the types they reach), from k8s.io/api
// admissionregistration/v1 v0.32.4 (generated.proto field numbers; types.go json names,
// omitempty and patch tags; +listType markers). Descriptions are shortened. The defaults
// (failurePolicy Fail, ...) are Go defaulting upstream, not +default markers, so they live in
// the kinds' strategy (api/resources/admissionregistration.cc), not here.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAdmissionregistrationV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.admissionregistration.v1

type MutatingWebhookConfiguration gvk=admissionregistration.k8s.io/v1/MutatingWebhookConfiguration
  | MutatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and may change the object.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.
  webhooks    2 list<MutatingWebhook> merge=name strategy=merge listmap=name
    | Webhooks is a list of webhooks and the affected resources and operations.

type ValidatingWebhookConfiguration gvk=admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration
  | ValidatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and object without changing it.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.
  webhooks    2 list<ValidatingWebhook> merge=name strategy=merge listmap=name
    | Webhooks is a list of webhooks and the affected resources and operations.

type MutatingWebhook
  | MutatingWebhook describes an admission webhook and the resources and operations it applies to.
  name                     1  string                  required
    | The name of the admission webhook. Name should be fully qualified, e.g., imagepolicy.kubernetes.io, where "imagepolicy" is the name of the webhook, and kubernetes.io is the name of the organization. Required.
  clientConfig             2  WebhookClientConfig     required
    | ClientConfig defines how to communicate with the hook. Required
  rules                    3  list<RuleWithOperations>
    | Rules describes what operations on what resources/subresources the webhook cares about. The webhook cares about an operation if it matches _any_ Rule. However, in order to prevent ValidatingAdmissionWebhooks and MutatingAdmissionWebhooks from putting the cluster in a state which cannot be recovered from without completely disabling the plugin, ValidatingAdmissionWebhooks and MutatingAdmissionWebhooks are never called on admission requests for ValidatingWebhookConfiguration and MutatingWebhookConfiguration objects.
  failurePolicy            4  string                  enum=["Fail","Ignore"]
    | FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail. Defaults to Fail.
    |
    | Possible enum values:
    |  - `"Fail"` means that an error calling the webhook causes the admission to fail.
    |  - `"Ignore"` means that an error calling the webhook is ignored.
  matchPolicy              9  string                  enum=["Equivalent","Exact"]
    | matchPolicy defines how the "rules" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent"
    |
    | Possible enum values:
    |  - `"Equivalent"` means requests should be sent to the webhook if they modify a resource listed in rules via another API group or version.
    |  - `"Exact"` means requests should only be sent to the webhook if they exactly match a given rule.
  namespaceSelector        5  io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector. If the object itself is a namespace, the matching is performed on object.metadata.labels. If the object is another cluster scoped resource, it never skips the webhook.
    |
    | Default to the empty LabelSelector, which matches everything.
  objectSelector           11 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | ObjectSelector decides whether to run the webhook based on if the object has matching labels. objectSelector is evaluated against both the oldObject and newObject that would be sent to the webhook, and is considered to match if either object matches the selector. A null object (oldObject in the case of create, or newObject in the case of delete) or an object that cannot have labels (like a DeploymentRollback or a PodProxyOptions object) is not considered to match. Use the object selector only if the webhook is opt-in, because end users may skip the admission webhook by setting the labels. Default to the empty LabelSelector, which matches everything.
  sideEffects              6  string                  required enum=["None","NoneOnDryRun","Some","Unknown"]
    | SideEffects states whether this webhook has side effects. Acceptable values are: None, NoneOnDryRun (webhooks created via v1beta1 may also specify Some or Unknown). Webhooks with side effects MUST implement a reconciliation system, since a request may be rejected by a future step in the admission chain and the side effects therefore need to be undone. Requests with the dryRun attribute will be auto-rejected if they match a webhook with sideEffects == Unknown or Some.
  timeoutSeconds           7  int32
    | TimeoutSeconds specifies the timeout for this webhook. After the timeout passes, the webhook call will be ignored or the API call will fail based on the failure policy. The timeout value must be between 1 and 30 seconds. Default to 10 seconds.
  admissionReviewVersions  8  list<string>            required
    | AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects. API server will try to use first version in the list which it supports. If none of the versions specified in this list supported by API server, validation will fail for this object. If a persisted webhook configuration specifies allowed versions and does not include any versions known to the API Server, calls to the webhook will fail and be subject to the failure policy.
  reinvocationPolicy       10 string                  enum=["IfNeeded","Never"]
    | reinvocationPolicy indicates whether this webhook should be called multiple times as part of a single admission evaluation. Allowed values are "Never" and "IfNeeded". Defaults to "Never".
  matchConditions          12 list<MatchCondition>    merge=name strategy=merge listmap=name
    | MatchConditions is a list of conditions that must be met for a request to be sent to this webhook. Match conditions filter requests that have already been matched by the rules, namespaceSelector, and objectSelector. An empty list of matchConditions matches all requests. There are a maximum of 64 match conditions allowed.

type ValidatingWebhook
  | ValidatingWebhook describes an admission webhook and the resources and operations it applies to.
  name                     1  string                  required
    | The name of the admission webhook. Name should be fully qualified, e.g., imagepolicy.kubernetes.io, where "imagepolicy" is the name of the webhook, and kubernetes.io is the name of the organization. Required.
  clientConfig             2  WebhookClientConfig     required
    | ClientConfig defines how to communicate with the hook. Required
  rules                    3  list<RuleWithOperations>
    | Rules describes what operations on what resources/subresources the webhook cares about. The webhook cares about an operation if it matches _any_ Rule. However, in order to prevent ValidatingAdmissionWebhooks and MutatingAdmissionWebhooks from putting the cluster in a state which cannot be recovered from without completely disabling the plugin, ValidatingAdmissionWebhooks and MutatingAdmissionWebhooks are never called on admission requests for ValidatingWebhookConfiguration and MutatingWebhookConfiguration objects.
  failurePolicy            4  string                  enum=["Fail","Ignore"]
    | FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail. Defaults to Fail.
    |
    | Possible enum values:
    |  - `"Fail"` means that an error calling the webhook causes the admission to fail.
    |  - `"Ignore"` means that an error calling the webhook is ignored.
  matchPolicy              9  string                  enum=["Equivalent","Exact"]
    | matchPolicy defines how the "rules" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent"
    |
    | Possible enum values:
    |  - `"Equivalent"` means requests should be sent to the webhook if they modify a resource listed in rules via another API group or version.
    |  - `"Exact"` means requests should only be sent to the webhook if they exactly match a given rule.
  namespaceSelector        5  io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector. If the object itself is a namespace, the matching is performed on object.metadata.labels. If the object is another cluster scoped resource, it never skips the webhook.
    |
    | Default to the empty LabelSelector, which matches everything.
  objectSelector           10 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | ObjectSelector decides whether to run the webhook based on if the object has matching labels. objectSelector is evaluated against both the oldObject and newObject that would be sent to the webhook, and is considered to match if either object matches the selector. A null object (oldObject in the case of create, or newObject in the case of delete) or an object that cannot have labels (like a DeploymentRollback or a PodProxyOptions object) is not considered to match. Use the object selector only if the webhook is opt-in, because end users may skip the admission webhook by setting the labels. Default to the empty LabelSelector, which matches everything.
  sideEffects              6  string                  required enum=["None","NoneOnDryRun","Some","Unknown"]
    | SideEffects states whether this webhook has side effects. Acceptable values are: None, NoneOnDryRun (webhooks created via v1beta1 may also specify Some or Unknown). Webhooks with side effects MUST implement a reconciliation system, since a request may be rejected by a future step in the admission chain and the side effects therefore need to be undone. Requests with the dryRun attribute will be auto-rejected if they match a webhook with sideEffects == Unknown or Some.
  timeoutSeconds           7  int32
    | TimeoutSeconds specifies the timeout for this webhook. After the timeout passes, the webhook call will be ignored or the API call will fail based on the failure policy. The timeout value must be between 1 and 30 seconds. Default to 10 seconds.
  admissionReviewVersions  8  list<string>            required
    | AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects. API server will try to use first version in the list which it supports. If none of the versions specified in this list supported by API server, validation will fail for this object. If a persisted webhook configuration specifies allowed versions and does not include any versions known to the API Server, calls to the webhook will fail and be subject to the failure policy.
  matchConditions          11 list<MatchCondition>    merge=name strategy=merge listmap=name
    | MatchConditions is a list of conditions that must be met for a request to be sent to this webhook. Match conditions filter requests that have already been matched by the rules, namespaceSelector, and objectSelector. An empty list of matchConditions matches all requests. There are a maximum of 64 match conditions allowed.

type RuleWithOperations
  | RuleWithOperations is a tuple of Operations and Resources. It is recommended to make sure that all the tuple expansions are valid.
  operations   1 list<string>
    | Operations is the operations the admission hook cares about - CREATE, UPDATE, DELETE, CONNECT or * for all of those operations and any future admission operations that are added. If '*' is present, the length of the slice must be one. Required.
  -            2 Rule

type Rule
  | Rule is a tuple of APIGroups, APIVersion, and Resources.It is recommended to make sure that all the tuple expansions are valid.
  apiGroups    1 list<string>
    | APIGroups is the API groups the resources belong to. '*' is all groups. If '*' is present, the length of the slice must be one. Required.
  apiVersions  2 list<string>
    | APIVersions is the API versions the resources belong to. '*' is all versions. If '*' is present, the length of the slice must be one. Required.
  resources    3 list<string>
    | Resources is a list of resources this rule applies to.
    |
    | For example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.
    |
    | If wildcard is present, the validation rule will ensure resources do not overlap with each other.
    |
    | Depending on the enclosing object, subresources might not be allowed. Required.
  scope        4 string enum=["*","Cluster","Namespaced"]
    | scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*" "Cluster" means that only cluster-scoped resources will match this rule. Namespace API objects are cluster-scoped. "Namespaced" means that only namespaced resources will match this rule. "*" means that there are no scope restrictions. Subresources match the scope of their parent resource. Default is "*".

type WebhookClientConfig
  | WebhookClientConfig contains the information to make a TLS connection with the webhook
  url        3 string
    | `url` gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified.
    |
    | The scheme must be "https"; the URL must begin with "https://".
    |
    | Attempting to use a user or basic auth e.g. "user:password@" is not allowed. Fragments ("#...") and query parameters ("?...") are not allowed, either.
  service    1 ServiceReference
    | `service` is a reference to the service for this webhook. Either `service` or `url` must be specified.
    |
    | If the webhook is running within the cluster, then you should use `service`.
  caBundle   2 bytes
    | `caBundle` is a PEM encoded CA bundle which will be used to validate the webhook's server certificate. If unspecified, system trust roots on the apiserver are used.

type ServiceReference
  | ServiceReference holds a reference to Service.legacy.k8s.io
  namespace  1 string required
    | `namespace` is the namespace of the service. Required
  name       2 string required
    | `name` is the name of the service. Required
  path       3 string
    | `path` is an optional URL path which will be sent in any request to this service.
  port       4 int32
    | If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).

type MatchCondition
  | MatchCondition represents a condition which must by fulfilled for a request to be sent to a webhook.
  name        1 string required
    | Name is an identifier for this match condition, used for strategic merging of MatchConditions, as well as providing an identifier for logging purposes. A good name should be descriptive of the associated expression.
  expression  2 string required
    | Expression represents the expression which will be evaluated by CEL. Must evaluate to bool.
)schema");
  // ValidatingAdmissionPolicy and its binding (CEL policies evaluated in the API server).
  out.push_back(R"schema(package io.k8s.api.admissionregistration.v1

type ValidatingAdmissionPolicy gvk=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy
  | ValidatingAdmissionPolicy describes the definition of an admission validation policy that accepts or rejects an object without changing it.
  apiVersion  0 string
  kind        0 string
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.
  spec        2 ValidatingAdmissionPolicySpec
    | Specification of the desired behavior of the ValidatingAdmissionPolicy.
  status      3 ValidatingAdmissionPolicyStatus
    | The status of the ValidatingAdmissionPolicy, including warnings that are useful to determine if the policy behaves in the expected way. Populated by the system. Read-only.

type ValidatingAdmissionPolicySpec
  | ValidatingAdmissionPolicySpec is the specification of the desired behavior of the AdmissionPolicy.
  paramKind         1 ParamKind
    | ParamKind specifies the kind of resources used to parameterize this policy. If absent, there are no parameters for this policy and the param CEL variable will not be provided to validation expressions.
  matchConstraints  2 MatchResources
    | MatchConstraints specifies what resources this policy is designed to validate. The AdmissionPolicy cares about a request if it matches _all_ Constraints. Required.
  validations       3 list<Validation>
    | Validations contain CEL expressions which is used to apply the validation. Validations and AuditAnnotations may not both be empty; a minimum of one Validations or AuditAnnotations is required.
  failurePolicy     5 string enum=["Fail","Ignore"]
    | failurePolicy defines how to handle failures for the admission policy. Failures can occur from CEL expression parse errors, type check errors, runtime errors and invalid or mis-configured policy definitions or bindings. Allowed values are Ignore or Fail. Defaults to Fail.
  auditAnnotations  6 list<AuditAnnotation>
    | auditAnnotations contains CEL expressions which are used to produce audit annotations for the audit event of the API request.
  matchConditions   7 list<MatchCondition> merge=name strategy=merge listmap=name
    | MatchConditions is a list of conditions that must be met for a request to be validated. Match conditions filter requests that have already been matched by the rules, namespaceSelector, and objectSelector. An empty list of matchConditions matches all requests. There are a maximum of 64 match conditions allowed.
  variables         8 list<Variable>
    | Variables contain definitions of variables that can be used in composition of other expressions. Each variable is defined as a named CEL expression. The variables defined here will be available under `variables` in other expressions of the policy except MatchConditions because MatchConditions are evaluated before the rest of the policy.

type ParamKind
  | ParamKind is a tuple of Group Kind and Version.
  apiVersion  1 string
    | APIVersion is the API group version the resources belong to. In format of "group/version". Required.
  kind        2 string
    | Kind is the API kind the resources belong to. Required.

type MatchResources
  | MatchResources decides whether to run the admission control policy on an object based on whether it meets the match criteria. The exclude rules take precedence over include rules (if a resource matches both, it is excluded)
  namespaceSelector     1 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | NamespaceSelector decides whether to run the admission control policy on an object based on whether the namespace for that object matches the selector. If the object itself is a namespace, the matching is performed on object.metadata.labels. If the object is another cluster scoped resource, it never skips the policy. Default to the empty LabelSelector, which matches everything.
  objectSelector        2 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | ObjectSelector decides whether to run the validation based on if the object has matching labels. Default to the empty LabelSelector, which matches everything.
  resourceRules         3 list<NamedRuleWithOperations>
    | ResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy matches. The policy cares about an operation if it matches _any_ Rule.
  excludeResourceRules  4 list<NamedRuleWithOperations>
    | ExcludeResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy should not care about. The exclude rules take precedence over include rules (if a resource matches both, it is excluded)
  matchPolicy           7 string enum=["Equivalent","Exact"]
    | matchPolicy defines how the "MatchResources" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent"

type NamedRuleWithOperations
  | NamedRuleWithOperations is a tuple of Operations and Resources with ResourceNames.
  resourceNames  1 list<string>
    | ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.
  -              2 RuleWithOperations

type Validation
  | Validation specifies the CEL expression which is used to apply the validation.
  expression         1 string required
    | Expression represents the expression which will be evaluated by CEL. ref: https://github.com/google/cel-spec CEL expressions have access to the contents of the API request/response, organized into CEL variables as well as some other useful variables: 'object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables'. Required.
  message            2 string
    | Message represents the message displayed when validation fails. If the Expression contains line breaks, Message is required. If unspecified, the message is "failed Expression: {Expression}".
  reason             3 string
    | Reason represents a machine-readable description of why this validation failed. If this is the first validation in the list to fail, this reason, as well as the corresponding HTTP response code, are used in the HTTP response to the client. The currently supported reasons are: "Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge". If not set, StatusReasonInvalid is used in the response to the client.
  messageExpression  4 string
    | messageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails.

type AuditAnnotation
  | AuditAnnotation describes how to produce an audit annotation for an API request.
  key              1 string required
    | key specifies the audit annotation key.
  valueExpression  2 string required
    | valueExpression represents the expression which is evaluated by CEL to produce an audit annotation value.

type Variable
  | Variable is the definition of a variable that is used for composition. A variable is defined as a named expression.
  name        1 string required
    | Name is the name of the variable. The name must be a valid CEL identifier and unique among all variables. The variable can be accessed in other expressions through `variables`
  expression  2 string required
    | Expression is the expression that will be evaluated as the value of the variable. The CEL expression has access to the same identifiers as the CEL expressions in Validation.

type ValidatingAdmissionPolicyStatus
  | ValidatingAdmissionPolicyStatus represents the status of an admission validation policy.
  observedGeneration  1 int64
    | The generation observed by the controller.
  typeChecking        2 any
    | The results of type checking for each expression. Presence of this field indicates the completion of the type checking.
  conditions          3 list<io.k8s.apimachinery.pkg.apis.meta.v1.Condition> listmap=type
    | The conditions represent the latest available observations of a policy's current state.

type ValidatingAdmissionPolicyBinding gvk=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding
  | ValidatingAdmissionPolicyBinding binds the ValidatingAdmissionPolicy with paramerized resources.
  apiVersion  0 string
  kind        0 string
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.
  spec        2 ValidatingAdmissionPolicyBindingSpec
    | Specification of the desired behavior of the ValidatingAdmissionPolicyBinding.

type ValidatingAdmissionPolicyBindingSpec
  | ValidatingAdmissionPolicyBindingSpec is the specification of the ValidatingAdmissionPolicyBinding.
  policyName         1 string
    | PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to. If the referenced resource does not exist, this binding is considered invalid and will be ignored Required.
  paramRef           2 ParamRef
    | paramRef specifies the parameter resource used to configure the admission control policy. It should point to a resource of the type specified in ParamKind of the bound ValidatingAdmissionPolicy.
  matchResources     3 MatchResources
    | MatchResources declares what resources match this binding and will be validated by it. Note that this is intersected with the policy's matchConstraints, so only requests that are matched by the policy can be selected by this.
  validationActions  4 list<string> set
    | validationActions declares how Validations of the referenced ValidatingAdmissionPolicy are enforced. If a validation evaluates to false it is always enforced according to these actions. Allowed values: "Deny", "Warn", "Audit". Required.

type ParamRef
  | ParamRef describes how to locate the params to be used as input to expressions of rules applied by a policy binding.
  name                     1 string
    | name is the name of the resource being referenced.
  namespace                2 string
    | namespace is the namespace of the referenced resource. Allows limiting the search for params to a specific namespace. Applies to both `name` and `selector` fields.
  selector                 3 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector
    | selector can be used to match multiple param objects based on their labels. Supply selector: {} to match all resources of the ParamKind.
  parameterNotFoundAction  4 string
    | parameterNotFoundAction controls the behavior of the binding when the resource exists, and name or selector is valid, but there are no parameters matched by the binding. Allowed values are `Allow` or `Deny` Required
)schema");
}

}  // namespace minik::schemas
