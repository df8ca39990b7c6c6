// Schema data of io.k8s.api.authentication.v1, generated once from
// k8s.io/api authentication/v1 v0.32.4 (generated.proto field numbers; types.go json
// names, omitempty and patch tags; +listType markers) and kept here as the source of truth.
// Format: api/schemas/README.md.
#include "api/schemas/schemas.h"

namespace minik::schemas {

void AppendAuthenticationV1(std::vector<std::string_view>& out) {
  out.push_back(R"schema(package io.k8s.api.authentication.v1

type BoundObjectReference
  | BoundObjectReference is a reference to an object that a token is bound to.
  kind        1 string omitzero
    | Kind of the referent. Valid kinds are 'Pod' and 'Secret'.
  apiVersion  2 string omitzero
    | API version of the referent.
  name        3 string omitzero
    | Name of the referent.
  uid         4 string omitzero
    | UID of the referent.

type ExtraValue
  | ExtraValue masks the value so protobuf can generate
  -  1 list<string>
    | items, if empty, will result in an empty slice

type SelfSubjectReview gvk=authentication.k8s.io/v1/SelfSubjectReview
  | SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request. When using impersonation, users will receive the user info of the user being impersonated.  If impersonation or request header authentication is used, any extra keys will have their case ignored and returned as lowercase.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  status      2 SelfSubjectReviewStatus
    | Status is filled in by the server with the user attributes.

type SelfSubjectReviewStatus
  | SelfSubjectReviewStatus is filled by the kube-apiserver and sent back to a user.
  userInfo  1 UserInfo
    | User attributes of the user making this request.

type TokenRequest gvk=authentication.k8s.io/v1/TokenRequest
  | TokenRequest requests a token for a given service account.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 TokenRequestSpec                                required
    | Spec holds information about the request being evaluated
  status      3 TokenRequestStatus
    | Status is filled in by the server and indicates whether the token can be authenticated.

type TokenRequestSpec
  | TokenRequestSpec contains client provided parameters of a token request.
  audiences          1 list<string>         required
    | Audiences are the intendend audiences of the token. A recipient of a token must identify themself with an identifier in the list of audiences of the token, and otherwise should reject the token. A token issued for multiple audiences may be used to authenticate against any of the audiences listed but implies a high degree of trust between the target audiences.
  expirationSeconds  4 int64
    | ExpirationSeconds is the requested duration of validity of the request. The token issuer may return a token with a different validity duration so a client needs to check the 'expiration' field in a response.
  boundObjectRef     3 BoundObjectReference
    | BoundObjectRef is a reference to an object that the token will be bound to. The token will only be valid for as long as the bound object exists. NOTE: The API server's TokenReview endpoint will validate the BoundObjectRef, but other audiences may not. Keep ExpirationSeconds small if you want prompt revocation.

type TokenRequestStatus
  | TokenRequestStatus is the result of a token request.
  token                1 string required
    | Token is the opaque bearer token.
  expirationTimestamp  2 Time   required
    | ExpirationTimestamp is the time of expiration of the returned token.

type TokenReview gvk=authentication.k8s.io/v1/TokenReview
  | TokenReview attempts to authenticate a token to a known user. Note: TokenReview requests may be cached by the webhook token authenticator plugin in the kube-apiserver.
  apiVersion  0 string
    | APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
  kind        0 string
    | Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
  metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
    | Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
  spec        2 TokenReviewSpec                                 required
    | Spec holds information about the request being evaluated
  status      3 TokenReviewStatus
    | Status is filled in by the server and indicates whether the request can be authenticated.

type TokenReviewSpec
  | TokenReviewSpec is a description of the token authentication request.
  token      1 string       omitzero
    | Token is the opaque bearer token.
  audiences  2 list<string>
    | Audiences is a list of the identifiers that the resource server presented with the token identifies as. Audience-aware token authenticators will verify that the token was intended for at least one of the audiences in this list. If no audiences are provided, the audience will default to the audience of the Kubernetes apiserver.

type TokenReviewStatus
  | TokenReviewStatus is the result of the token authentication request.
  authenticated  1 bool         omitzero
    | Authenticated indicates that the token was associated with a known user.
  user           2 UserInfo
    | User is the UserInfo associated with the provided token.
  audiences      4 list<string>
    | Audiences are audience identifiers chosen by the authenticator that are compatible with both the TokenReview and token. An identifier is any identifier in the intersection of the TokenReviewSpec audiences and the token's audiences. A client of the TokenReview API that sets the spec.audiences field should validate that a compatible audience identifier is returned in the status.audiences field to ensure that the TokenReview server is audience aware. If a TokenReview returns an empty status.audience field where status.authenticated is "true", the token is valid against the audience of the Kubernetes API server.
  error          3 string       omitzero
    | Error indicates that the token couldn't be checked

type UserInfo
  | UserInfo holds the information about the user needed to implement the user.Info interface.
  username  1 string          omitzero
    | The name that uniquely identifies this user among all active users.
  uid       2 string          omitzero
    | A unique value that identifies this user across time. If this user is deleted and another user by the same name is added, they will have different UIDs.
  groups    3 list<string>
    | The names of groups this user is a part of.
  extra     4 map<ExtraValue>
    | Any additional information provided by the authenticator.
)schema");
}

}  // namespace minik::schemas
