// Structural schemas of CustomResourceDefinitions, as k8s.io/apiextensions-apiserver
// (pkg/apiserver/schema: structural, pruning, defaulting; pkg/apiserver/validation with the
// kube-openapi validator's messages). One parsed schema per CRD version; immutable once
// parsed, so one instance may be shared by concurrent requests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

namespace apiextensions_internal {
struct Node;
}

// Evaluates one x-kubernetes-validations rule; provided by the integrator (CEL).
class RuleEvaluator {
 public:
  virtual ~RuleEvaluator() = default;
  // ok(true/false), or an error Status reported as a field error at the rule's node:
  // Code::kBadRequest for a compile error ("rule compile error: <message>"), any other code
  // for an evaluation error ("<message> evaluating rule: <rule or its message>").
  virtual StatusOr<bool> Evaluate(const std::string& rule, const Json& self,
                                  const Json* old_self) = 0;
  virtual bool IsTransitionRule(const std::string& rule) = 0;  // uses oldSelf
};

class StructuralSchema {
 public:
  // From spec.versions[].schema.openAPIV3Schema. Code::kInvalid with StatusCauses (fields
  // under "spec.validation.openAPIV3Schema") when it is not structural or not allowed.
  static StatusOr<std::shared_ptr<const StructuralSchema>> Parse(const Json& open_api_v3_schema);
  // The same, with causes under `field_prefix` ("spec.versions[0].schema.openAPIV3Schema").
  static std::vector<StatusCause> Check(const Json& open_api_v3_schema,
                                        const std::string& field_prefix);

  // Apiextensions defaulting (on read and on write): drops non-nullable nulls that have no
  // default, then fills `default`s of absent (or non-nullable null) properties, recursively,
  // inside list items and additionalProperties too.
  void Default(Json& obj) const;
  // Drops fields the schema does not know, except under x-kubernetes-preserve-unknown-fields;
  // returns their paths sorted ("spec.bogus", "spec.a[0].b"), as strict field validation
  // reports them (`unknown field "spec.bogus"`). Root apiVersion/kind are kept, and so are
  // those of x-kubernetes-embedded-resource nodes; unknown ObjectMeta fields are dropped
  // ("metadata.bogus").
  std::vector<std::string> Prune(Json& obj) const;
  // Field errors worded as kube-apiserver's for custom resources: first the OpenAPI value
  // validation (fields "spec.size", messages such as "Invalid value: 11: spec.size in body
  // should be less than or equal to 10"), then list-type set/map duplicates, then
  // x-kubernetes-validations rules through `rules` (skipped when null). `old` non-null on
  // update: transition rules run only where an old value correlates (objects by property,
  // maps by key, lists only for x-kubernetes-list-type=map by keys). Rules are not run when
  // an earlier cause is blocking (Required, NotSupported, TooLong, TooMany, TypeInvalid); a
  // "<nil>" cause says so instead, as upstream. Errors at the root (and anyOf/oneOf/allOf/not
  // summaries) have the field "<nil>", as upstream's nil field.Path prints. Run Default and
  // Prune first, as the registry does upstream (non-nullable nulls are dropped there). Root
  // metadata is left to the registry.
  std::vector<StatusCause> Validate(const Json& obj, const Json* old, RuleEvaluator* rules) const;
  // The schema as OpenAPI v3 JSON (x-kubernetes-* kept) for /openapi/v3 and kubectl explain.
  const Json& OpenApi() const;

  ~StructuralSchema();

 private:
  StructuralSchema() = default;
  Json raw_;
  bool has_rules_ = false;  // any x-kubernetes-validations: CEL runs (and may be blocked)
  std::unique_ptr<apiextensions_internal::Node> root_;
};

}  // namespace minik
