// authentication.k8s.io/v1 and authorization.k8s.io/v1: the review kinds. Nothing is stored:
// the router answers a create from the authenticator and the authorizer (apiserver/router.cc,
// apiserver/access_review.h). They are registered so discovery, OpenAPI and `kubectl
// api-resources` list them as the real apiserver does.
#include "api/resources/common.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

ResourceInfo Review(const std::string& group, const std::string& kind, const std::string& plural,
                    bool namespaced) {
  ResourceInfo r;
  r.group = group;
  r.version = "v1";
  r.kind = kind;
  r.plural = plural;
  r.singular = plural.substr(0, plural.size() - 1);
  r.namespaced = namespaced;
  r.verbs = {"create"};
  r.schema = SchemaName(group == "authentication.k8s.io" ? "authentication" : "authorization",
                        "v1", kind);
  DefaultTable(r);
  r.strategy = MakeStrategy(StrategySpec{});
  return r;
}

}  // namespace

std::vector<ResourceInfo> AuthenticationReviews() {
  return {Review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", false),
          Review("authentication.k8s.io", "TokenReview", "tokenreviews", false)};
}

std::vector<ResourceInfo> AuthorizationReviews() {
  return {
      Review("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true),
      Review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false),
      Review("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false),
      Review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false)};
}

}  // namespace minik::res
