// SelfSubjectAccessReview (`kubectl auth can-i`): the Authorizer's answer for the caller,
// for resource or non-resource attributes, as the apiserver's selfsubjectaccessreview REST.
#pragma once

#include "api/client.h"
#include "api/clock.h"
#include "api/json.h"
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

}  // namespace minik
