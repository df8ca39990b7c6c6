#include "apiserver/access_review.h"

namespace minik {

StatusOr<Json> ReviewSelfSubjectAccess(const Json& review, const UserInfo& user,
                                       const Authorizer& authorizer, SystemTime now) {
  const Json* res = Find(review, {"spec", "resourceAttributes"});
  const Json* non = Find(review, {"spec", "nonResourceAttributes"});
  bool has_res = res && res->is_object();
  bool has_non = non && non->is_object();
  if (has_res == has_non) {
    return Invalid("SelfSubjectAccessReview.authorization.k8s.io", "",
                   {{"FieldValueInvalid",
                     "Invalid value: \"null\": exactly one of nonResourceAttributes or "
                     "resourceAttributes must be specified",
                     "spec.resourceAttributes"}});
  }
  AuthzAttributes attrs;
  attrs.user = &user;
  if (has_res) {
    attrs.resource_request = true;
    attrs.verb = GetString(*res, {"verb"});
    attrs.api_group = GetString(*res, {"group"});
    attrs.api_version = GetString(*res, {"version"});
    attrs.resource = GetString(*res, {"resource"});
    attrs.subresource = GetString(*res, {"subresource"});
    attrs.name = GetString(*res, {"name"});
    attrs.ns = GetString(*res, {"namespace"});
  } else {
    attrs.verb = GetString(*non, {"verb"});
    attrs.path = GetString(*non, {"path"});
  }
  AuthzDecision decision = authorizer.Authorize(attrs);
  Json out = review;
  out["kind"] = "SelfSubjectAccessReview";
  if (GetString(out, {"apiVersion"}).empty()) out["apiVersion"] = "authorization.k8s.io/v1";
  if (!out.contains("metadata") || !out["metadata"].is_object()) out["metadata"] = Json::object();
  out["metadata"]["creationTimestamp"] = FormatRfc3339(now);
  Json status{{"allowed", decision.allowed}};
  if (!decision.reason.empty()) status["reason"] = decision.reason;
  out["status"] = std::move(status);
  return out;
}

StatusOr<Json> ReviewSelfSubjectRules(const Json& review, const UserInfo& user,
                                      const Authorizer& authorizer, SystemTime now) {
  std::string ns = GetString(review, {"spec", "namespace"});
  if (ns.empty()) return BadRequest("no namespace on request");
  UserRules rules = authorizer.RulesFor(user, ns);
  Json out = review;
  out["kind"] = "SelfSubjectRulesReview";
  if (GetString(out, {"apiVersion"}).empty()) out["apiVersion"] = "authorization.k8s.io/v1";
  if (!out.contains("metadata") || !out["metadata"].is_object()) out["metadata"] = Json::object();
  out["metadata"]["creationTimestamp"] = FormatRfc3339(now);
  Json status{{"resourceRules", rules.resource_rules},
              {"nonResourceRules", rules.non_resource_rules},
              {"incomplete", rules.incomplete}};
  if (!rules.evaluation_error.empty()) status["evaluationError"] = rules.evaluation_error;
  out["status"] = std::move(status);
  return out;
}

}  // namespace minik
