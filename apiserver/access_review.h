// SelfSubjectAccessReview (`kubectl auth can-i`): the Authorizer's answer for the caller,
// for resource or non-resource attributes, as the apiserver's selfsubjectaccessreview REST.
#pragma once

#include "api/client.h"
#include "api/clock.h"
#include "api/json.h"
#include "apiserver/apiserver.h"
#include "apiserver/authz.h"

namespace minik {

// `review` is the decoded request body. Returns the review with status.allowed (and
// status.reason when the authorizer gives one); 422 Invalid unless exactly one of
// spec.resourceAttributes / spec.nonResourceAttributes is set.
StatusOr<Json> ReviewSelfSubjectAccess(const Json& review, const UserInfo& user,
                                       const Authorizer& authorizer, SystemTime now);

// SelfSubjectRulesReview (`kubectl auth can-i --list`): the authorizer's rules for the caller
// in spec.namespace (400 when it is empty, as the apiserver).
StatusOr<Json> ReviewSelfSubjectRules(const Json& review, const UserInfo& user,
                                      const Authorizer& authorizer, SystemTime now);

// SubjectAccessReview (`url_ns` empty) and LocalSubjectAccessReview (`url_ns` the URL's
// namespace): the authorizer's answer for spec.user/groups/extra/uid, with upstream's
// validation (422: exactly one of the attribute kinds, a user or a group, empty metadata;
// local reviews: resource attributes only, in the URL's namespace).
StatusOr<Json> ReviewSubjectAccess(const Json& review, const std::string& url_ns,
                                   const Authorizer& authorizer, SystemTime now);

// TokenReview: whether spec.token authenticates with `tokens` (null: no bearer token is
// valid on this server) and as whom. 400 without a token. Audience-bound reviews
// (spec.audiences) answer 501 until tokens carry audiences.
StatusOr<Json> ReviewToken(const Json& review, TokenAuthenticator* tokens, SystemTime now);

}  // namespace minik
