// Schema data of io.k8s.api.authorization.v1, generated once from
// k8s.io/api authorization/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAuthorizationV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.authorization.v1

type ExtraValue
  | ExtraValue masks the value so protobuf can generate
  -  1 list<string>
    | items, if empty, will result in an empty slice

type FieldSelectorAttributes
  | FieldSelectorAttributes indicates a field limited access. Webhook authors are encouraged to * ensure rawSelector and requirements are not both set * consider the requirements field if set * not try to parse or consider the rawSelector field if set. This is to avoid another CVE-2022-2880 (i.e. getting different systems to agree on how exactly to parse a query is not something we want), see https://www.oxeye.io/resources/golang-parameter-smuggling-attack for more details. For the *SubjectAccessReview endpoints of the kube-apiserver: * If rawSelector is empty and requirements are empty, the request is not limited. * If rawSelector is present and requirements are empty, the rawSelector will be parsed and limited if the parsing succeeds. * If rawSelector is empty and requirements are present, the requirements should be honored * If rawSelector is present and requirements are present, the request is invalid.
  rawSelector   1 string                                                              omitzero
    | rawSelector is the serialization of a field selector that would be included in a query parameter. Webhook implementations are encouraged to ignore rawSelector. The kube-apiserver's *SubjectAccessReview will parse the rawSelector as long as the requirements are not present.
  requirements  2 list<io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement>
    | requirements is the parsed interpretation of a field selector. All requirements must be met for a resource instance to match the selector. Webhook implementations should handle requirements, but how to handle them is up to the webhook. Since requirements can only limit the request, it is safe to authorize as unlimited request if the requirements are not understood.

type LabelSelectorAttributes
  | LabelSelectorAttributes indicates a label limited access. Webhook authors are encouraged to * ensure rawSelector and requirements are not both set * consider the requirements field if set * not try to parse or consider the rawSelector field if set. This is to avoid another CVE-2022-2880 (i.e. getting different systems to agree on how exactly to parse a query is not something we want), see https://www.oxeye.io/resources/golang-parameter-smuggling-attack for more details. For the *SubjectAccessReview endpoints of the kube-apiserver: * If rawSelector is empty and requirements are empty, the request is not limited. * If rawSelector is present and requirements are empty, the rawSelector will be parsed and limited if the parsing succeeds. * If rawSelector is empty and requirements are present, the requirements should be honored * If rawSelector is present and requirements are present, the request is invalid.
  rawSelector   1 string                                                              omitzero
    | rawSelector is the serialization of a field selector that would be included in a query parameter. Webhook implementations are encouraged to ignore rawSelector. The kube-apiserver's *SubjectAccessReview will parse the rawSelector as long as the requirements are not present.
  requirements  2 list<io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement>
    | requirements is the parsed interpretation of a label selector. All requirements must be met for a resource instance to match the selector. Webhook implementations should handle requirements, but how to handle them is up to the webhook. Since requirements can only limit the request, it is safe to authorize as unlimited request if the requirements are not understood.

type LocalSubjectAccessReview gvk=authorization.k8s.io/v1/LocalSubjectAccessReview
  | LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace. Having a namespace scoped resource makes it much easier to grant namespace scoped policy that includes permissions checking.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 SubjectAccessReviewSpec                         required
    | Spec holds information about the request being evaluated.  spec.namespace must be equal to the namespace you made the request against.  If empty, it is defaulted.
  status      3 SubjectAccessReviewStatus
    | Status is filled in by the server and indicates whether the request is allowed or not

type NonResourceAttributes
  | NonResourceAttributes includes the authorization attributes available for non-resource requests to the Authorizer interface
  path  1 string omitzero
    | Path is the URL path of the request
  verb  2 string omitzero
    | Verb is the standard HTTP verb

type NonResourceRule
  | NonResourceRule holds information that describes a rule for the non-resource
  verbs            1 list<string> required
    | Verb is a list of kubernetes non-resource API verbs, like: get, post, put, delete, patch, head, options.  "*" means all.
  nonResourceURLs  2 list<string>
    | NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path.  "*" means all.

type ResourceAttributes
  | ResourceAttributes includes the authorization attributes available for resource requests to the Authorizer interface
  namespace      1 string                  omitzero
    | Namespace is the namespace of the action being requested.  Currently, there is no distinction between no namespace and all namespaces "" (empty) is defaulted for LocalSubjectAccessReviews "" (empty) is empty for cluster-scoped resources "" (empty) means "all" for namespace scoped resources from a SubjectAccessReview or SelfSubjectAccessReview
  verb           2 string                  omitzero
    | Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.  "*" means all.
  group          3 string                  omitzero
    | Group is the API Group of the Resource.  "*" means all.
  version        4 string                  omitzero
    | Version is the API Version of the Resource.  "*" means all.
  resource       5 string                  omitzero
    | Resource is one of the existing resource types.  "*" means all.
  subresource    6 string                  omitzero
    | Subresource is one of the existing resource types.  "" means none.
  name           7 string                  omitzero
    | Name is the name of the resource being requested for a "get" or deleted for a "delete". "" (empty) means all.
  fieldSelector  8 FieldSelectorAttributes
    | fieldSelector describes the limitation on access based on field.  It can only limit access, not broaden it.
    |
    | This field  is alpha-level. To use this field, you must enable the `AuthorizeWithSelectors` feature gate (disabled by default).
  labelSelector  9 LabelSelectorAttributes
    | labelSelector describes the limitation on access based on labels.  It can only limit access, not broaden it.
    |
    | This field  is alpha-level. To use this field, you must enable the `AuthorizeWithSelectors` feature gate (disabled by default).

type ResourceRule
  | ResourceRule is the list of actions the subject is allowed to perform on resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete.
  verbs          1 list<string> required
    | Verb is a list of kubernetes resource API verbs, like: get, list, watch, create, update, delete, proxy.  "*" means all.
  apiGroups      2 list<string>
    | APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed.  "*" means all.
  resources      3 list<string>
    | Resources is a list of resources this rule applies to.  "*" means all in the specified apiGroups.
    |  "*/foo" represents the subresource 'foo' for all resources in the specified apiGroups.
  resourceNames  4 list<string>
    | ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.  "*" means all.

type SelfSubjectAccessReview gvk=authorization.k8s.io/v1/SelfSubjectAccessReview
  | SelfSubjectAccessReview checks whether or the current user can perform an action.  Not filling in a spec.namespace means "in all namespaces".  Self is a special case, because users should always be able to check whether they can perform an action
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 SelfSubjectAccessReviewSpec                     required
    | Spec holds information about the request being evaluated.  user and groups must be empty
  status      3 SubjectAccessReviewStatus
    | Status is filled in by the server and indicates whether the request is allowed or not

type SelfSubjectAccessReviewSpec
  | SelfSubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set
  resourceAttributes     1 ResourceAttributes
    | ResourceAuthorizationAttributes describes information for a resource access request
  nonResourceAttributes  2 NonResourceAttributes
    | NonResourceAttributes describes information for a non-resource access request

type SelfSubjectRulesReview gvk=authorization.k8s.io/v1/SelfSubjectRulesReview
  | SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace. The returned list of actions may be incomplete depending on the server's authorization mode, and any errors experienced during the evaluation. SelfSubjectRulesReview should be used by UIs to show/hide actions, or to quickly let an end user reason about their permissions. It should NOT Be used by external systems to drive authorization decisions as this raises confused deputy, cache lifetime/revocation, and correctness concerns. SubjectAccessReview, and LocalAccessReview are the correct way to defer authorization decisions to the API server.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 SelfSubjectRulesReviewSpec                      required
    | Spec holds information about the request being evaluated.
  status      3 SubjectRulesReviewStatus
    | Status is filled in by the server and indicates the set of actions a user can perform.

type SelfSubjectRulesReviewSpec
  | SelfSubjectRulesReviewSpec defines the specification for SelfSubjectRulesReview.
  namespace  1 string omitzero
    | Namespace to evaluate rules for. Required.

type SubjectAccessReview gvk=authorization.k8s.io/v1/SubjectAccessReview
  | SubjectAccessReview checks whether or not a user or group can perform an action.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 SubjectAccessReviewSpec                         required
    | Spec holds information about the request being evaluated
  status      3 SubjectAccessReviewStatus
    | Status is filled in by the server and indicates whether the request is allowed or not

type SubjectAccessReviewSpec
  | SubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set
  resourceAttributes     1 ResourceAttributes
    | ResourceAuthorizationAttributes describes information for a resource access request
  nonResourceAttributes  2 NonResourceAttributes
    | NonResourceAttributes describes information for a non-resource access request
  user                   3 string                omitzero
    | User is the user you're testing for. If you specify "User" but not "Groups", then is it interpreted as "What if User were not a member of any groups
  groups                 4 list<string>
    | Groups is the groups you're testing for.
  extra                  5 map<ExtraValue>
    | Extra corresponds to the user.Info.GetExtra() method from the authenticator.  Since that is input to the authorizer it needs a reflection here.
  uid                    6 string                omitzero
    | UID information about the requesting user.

type SubjectAccessReviewStatus
  | SubjectAccessReviewStatus
  allowed          1 bool   required
    | Allowed is required. True if the action would be allowed, false otherwise.
  denied           4 bool   omitzero
    | Denied is optional. True if the action would be denied, otherwise false. If both allowed is false and denied is false, then the authorizer has no opinion on whether to authorize the action. Denied may not be true if Allowed is true.
  reason           2 string omitzero
    | Reason is optional.  It indicates why a request was allowed or denied.
  evaluationError  3 string omitzero
    | EvaluationError is an indication that some error occurred during the authorization check. It is entirely possible to get an error and be able to continue determine authorization status in spite of it. For instance, RBAC can be missing a role, but enough roles are still present and bound to reason about the request.

type SubjectRulesReviewStatus
  | SubjectRulesReviewStatus contains the result of a rules check. This check can be incomplete depending on the set of authorizers the server is configured with and any errors experienced during evaluation. Because authorization rules are additive, if a rule appears in a list it's safe to assume the subject has that permission, even if that list is incomplete.
  resourceRules     1 list<ResourceRule>    required
    | ResourceRules is the list of actions the subject is allowed to perform on resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete.
  nonResourceRules  2 list<NonResourceRule> required
    | NonResourceRules is the list of actions the subject is allowed to perform on non-resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete.
  incomplete        3 bool                  required
    | Incomplete is true when the rules returned by this call are incomplete. This is most commonly encountered when an authorizer, such as an external authorizer, doesn't support rules evaluation.
  evaluationError   4 string                omitzero
    | EvaluationError can appear in combination with Rules. It indicates an error occurred during rule evaluation, such as an authorizer that doesn't support rule evaluation, and that ResourceRules and/or NonResourceRules may be incomplete.
)schema");
}

}  // namespace minik::schemas
