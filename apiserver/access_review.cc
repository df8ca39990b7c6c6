#include "apiserver/access_review.h"

namespace minik {

namespace {

// spec.resourceAttributes / spec.nonResourceAttributes -> the authorizer's attributes.
AuthzAttributes AttributesOf(const Json& spec, const UserInfo* user) {
  AuthzAttributes attrs;
  attrs.user = user;
  if (const Json* res = Find(spec, {"resourceAttributes"}); res && res->is_object()) {
    attrs.resource_request = true;
    attrs.verb = GetString(*res, {"verb"});
    attrs.api_group = GetString(*res, {"group"});
    attrs.api_version = GetString(*res, {"version"});
    attrs.resource = GetString(*res, {"resource"});
    attrs.subresource = GetString(*res, {"subresource"});
    attrs.name = GetString(*res, {"name"});
    attrs.ns = GetString(*res, {"namespace"});
  } else if (const Json* non = Find(spec, {"nonResourceAttributes"}); non && non->is_object()) {
    attrs.verb = GetString(*non, {"verb"});
    attrs.path = GetString(*non, {"path"});
  }
  return attrs;
}

const Json& Spec(const Json& review) {
  static const Json kNone = Json::object();
  const Json* spec = Find(review, {"spec"});
  return spec && spec->is_object() ? *spec : kNone;
}

bool HasObject(const Json& spec, const char* field) {
  const Json* v = Find(spec, {field});
  return v && v->is_object();
}

// The answer: the request as sent, with kind/apiVersion, a creation time and the status.
Json Answer(const Json& review, const char* kind, const char* api_version, SystemTime now,
            Json status) {
  Json out = review;
  out["kind"] = kind;
  if (GetString(out, {"apiVersion"}).empty()) out["apiVersion"] = api_version;
  if (!out.contains("metadata") || !out["metadata"].is_object()) out["metadata"] = Json::object();
  out["metadata"]["creationTimestamp"] = FormatRfc3339(now);
  out["status"] = std::move(status);
  return out;
}

Json AccessStatus(const AuthzDecision& decision) {
  Json status{{"allowed", decision.allowed}};
  if (!decision.reason.empty()) status["reason"] = decision.reason;
  return status;
}

}  // namespace

StatusOr<Json> ReviewSelfSubjectAccess(const Json& review, const UserInfo& user,
                                       const Authorizer& authorizer, SystemTime now) {
  const Json& spec = Spec(review);
  if (HasObject(spec, "resourceAttributes") == HasObject(spec, "nonResourceAttributes")) {
    return Invalid("SelfSubjectAccessReview.authorization.k8s.io", "",
                   {{"FieldValueInvalid",
                     "Invalid value: \"null\": exactly one of nonResourceAttributes or "
                     "resourceAttributes must be specified",
                     "spec.resourceAttributes"}});
  }
  AuthzDecision decision = authorizer.Authorize(AttributesOf(spec, &user));
  return Answer(review, "SelfSubjectAccessReview", "authorization.k8s.io/v1", now,
                AccessStatus(decision));
}

StatusOr<Json> ReviewSubjectAccess(const Json& review, const std::string& url_ns,
                                   const Authorizer& authorizer, SystemTime now) {
  const bool local = !url_ns.empty();
  const char* kind = local ? "LocalSubjectAccessReview" : "SubjectAccessReview";
  const Json& spec = Spec(review);
  // ValidateSubjectAccessReviewSpec and ValidateLocalSubjectAccessReview, in upstream's order.
  std::vector<StatusCause> causes;
  bool has_res = HasObject(spec, "resourceAttributes");
  bool has_non = HasObject(spec, "nonResourceAttributes");
  if (has_res && has_non) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: \"object\": cannot be specified in combination with "
                      "resourceAttributes",
                      "spec.nonResourceAttributes"});
  }
  if (!has_res && !has_non) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: \"null\": exactly one of nonResourceAttributes or "
                      "resourceAttributes must be specified",
                      "spec.resourceAttributes"});
  }
  const Json* groups = Find(spec, {"groups"});
  bool has_groups = groups && groups->is_array() && !groups->empty();
  if (GetString(spec, {"user"}).empty() && !has_groups) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: \"\": at least one of user or group must be specified",
                      "spec.user"});
  }
  Json meta = review.contains("metadata") && review["metadata"].is_object() ? review["metadata"]
                                                                           : Json::object();
  std::string meta_ns = GetString(meta, {"namespace"});
  meta.erase("managedFields");
  meta.erase("creationTimestamp");  // a zero time is how Go clients send "unset"
  if (local) meta.erase("namespace");
  if (!meta.empty()) {
    causes.push_back({"FieldValueInvalid",
                      local ? "Invalid value: \"object\": must be empty except for namespace"
                            : "Invalid value: \"object\": must be empty",
                      "metadata"});
  }
  if (local && has_res && GetString(spec, {"resourceAttributes", "namespace"}) != meta_ns) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: \"" + GetString(spec, {"resourceAttributes", "namespace"}) +
                          "\": must match metadata.namespace",
                      "spec.resourceAttributes.namespace"});
  }
  if (local && has_non) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: \"object\": disallowed on this kind of request",
                      "spec.nonResourceAttributes"});
  }
  if (!causes.empty()) {
    return Invalid(std::string(kind) + ".authorization.k8s.io", "", std::move(causes));
  }
  if (local && meta_ns != url_ns) {
    return BadRequest("spec.resourceAttributes.namespace must match namespace: " + url_ns);
  }
  UserInfo subject;
  subject.name = GetString(spec, {"user"});
  subject.uid = GetString(spec, {"uid"});
  if (has_groups) {
    for (const Json& g : *groups)
      if (g.is_string()) subject.groups.push_back(g.get<std::string>());
  }
  if (const Json* extra = Find(spec, {"extra"}); extra && extra->is_object()) {
    for (const auto& [key, values] : extra->items()) {
      auto& out = subject.extra[key];
      if (!values.is_array()) continue;
      for (const Json& v : values)
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  AuthzDecision decision = authorizer.Authorize(AttributesOf(spec, &subject));
  return Answer(review, kind, "authorization.k8s.io/v1", now, AccessStatus(decision));
}

StatusOr<Json> ReviewToken(const Json& review, TokenAuthenticator* tokens, SystemTime now) {
  std::string token = GetString(review, {"spec", "token"});
  if (token.empty()) return BadRequest("token is required for TokenReview in authentication");
  const Json* audiences = Find(review, {"spec", "audiences"});
  if (audiences && audiences->is_array() && !audiences->empty()) {
    return NotImplemented(
        "TokenReview with spec.audiences is not supported yet: this server's tokens carry no "
        "audiences");
  }
  std::optional<UserInfo> user = tokens ? tokens->AuthenticateToken(token) : std::nullopt;
  Json status{{"authenticated", user.has_value() && !user->name.empty()}};
  if (status["authenticated"].get<bool>()) {
    Json info{{"username", user->name}};
    if (!user->uid.empty()) info["uid"] = user->uid;
    if (!user->groups.empty()) info["groups"] = user->groups;
    if (!user->extra.empty()) info["extra"] = user->extra;
    status["user"] = std::move(info);
  } else {
    status["user"] = Json::object();
  }
  return Answer(review, "TokenReview", "authentication.k8s.io/v1", now, std::move(status));
}

StatusOr<Json> ReviewSelfSubjectRules(const Json& review, const UserInfo& user,
                                      const Authorizer& authorizer, SystemTime now) {
  std::string ns = GetString(review, {"spec", "namespace"});
  if (ns.empty()) return BadRequest("no namespace on request");
  UserRules rules = authorizer.RulesFor(user, ns);
  Json status{{"resourceRules", rules.resource_rules},
              {"nonResourceRules", rules.non_resource_rules},
              {"incomplete", rules.incomplete}};
  if (!rules.evaluation_error.empty()) status["evaluationError"] = rules.evaluation_error;
  return Answer(review, "SelfSubjectRulesReview", "authorization.k8s.io/v1", now,
                std::move(status));
}

}  // namespace minik
