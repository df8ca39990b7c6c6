// Serving custom resources: what a CustomResourceDefinition turns into in the API server.
// The CRD controller (controllers/crd_controller.h) calls BuildCustomResources for an
// accepted CRD and hands the result to the ResourceRegistry (SetCustomResources) and the
// SchemaRegistry (SetDynamic); the generic registry then stores, validates, patches, watches
// and prints custom resources like built-in kinds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/resource.h"
#include "api/schema.h"
#include "api/status.h"

namespace minik {

class RuleEvaluator;

// The finalizer the API server puts on every CRD so that its custom resources are deleted
// before it goes (upstream's customresourcecleanup finalizer).
inline constexpr const char* kCrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

struct CustomResourceServing {
  std::vector<ResourceInfo> infos;  // one per served version, preferred version first
  std::vector<TypeSchema> types;    // the schemas of every served version, for SetDynamic
  std::string storage_version;
};

// `crd`: a validated and defaulted CustomResourceDefinition. `rules` evaluates
// x-kubernetes-validations (shared, thread-safe); may be null (rules then fail closed).
// `terminating`: the CRD is being deleted; creates are refused.
StatusOr<CustomResourceServing> BuildCustomResources(const Json& crd,
                                                     std::shared_ptr<RuleEvaluator> rules,
                                                     bool terminating);

// The apiextensions.k8s.io/v1 CustomResourceDefinition kind (cluster-scoped, status
// subresource, short names crd/crds, category api-extensions).
ResourceInfo CustomResourceDefinitions();

// A CEL-backed RuleEvaluator (cel/cel.h) that caches compiled rules.
std::shared_ptr<RuleEvaluator> NewCelRuleEvaluator();

// Kubernetes' version priority (k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings):
// GA before beta before alpha, higher numbers first, then non-Kubernetes names
// alphabetically. Negative when `a` sorts before `b`.
int CompareKubeAwareVersions(const std::string& a, const std::string& b);

// The value a simple JSONPath (".spec.size", ".status.conditions[0].type",
// ".status.conditions[?(@.type==\"Ready\")].status") selects in `obj`; null when absent.
Json EvaluateSimpleJsonPath(const Json& obj, const std::string& path);

}  // namespace minik
