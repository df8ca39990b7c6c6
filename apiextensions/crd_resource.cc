// The apiextensions.k8s.io/v1 CustomResourceDefinition kind (upstream's
// pkg/registry/customresourcedefinition strategy).
#include "api/resources/common.h"
#include "apiextensions/crd_serving.h"
#include "apiextensions/crd_validation.h"

namespace minik {

ResourceInfo CustomResourceDefinitions() {
  ResourceInfo r;
  r.group = "apiextensions.k8s.io";
  r.version = "v1";
  r.kind = "CustomResourceDefinition";
  r.plural = "customresourcedefinitions";
  r.singular = "customresourcedefinition";
  r.short_names = {"crd", "crds"};
  r.categories = {"api-extensions"};
  r.namespaced = false;
  r.verbs = res::kStandardVerbs;
  r.subresources = {res::StatusSubresource(r.group, r.version, r.kind)};
  r.schema = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition";
  r.fields = [](const Json&, const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  res::DefaultTable(r);
  res::StrategySpec s;
  s.empty_status = Json{{"acceptedNames", {{"plural", ""}, {"kind", ""}}}};
  s.generation = res::Generation::kSpec;
  s.prepare_create = [](Json& crd) {
    // Custom resources go before their definition does.
    Json& finalizers = crd["metadata"]["finalizers"];
    if (!finalizers.is_array()) finalizers = Json::array();
    bool has = false;
    for (const Json& f : finalizers) has |= f == kCrdCleanupFinalizer;
    if (!has) finalizers.push_back(kCrdCleanupFinalizer);
  };
  s.defaults = DefaultCustomResourceDefinition;
  s.validate = [](res::Causes& out, const Json& crd) {
    for (StatusCause& c : ValidateCustomResourceDefinition(crd)) out.push_back(std::move(c));
  };
  r.strategy = res::MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik
