// Admission defaults that need other objects (upstream's DefaultIngressClass plugin,
// plugin/pkg/admission/network/defaultingressclass): pure, so the registry passes the
// objects in.
#include "apiserver/registry_internal.h"

namespace minik::registry {

void DefaultIngressClass(Json& ingress, const Json& ingress_classes) {
  if (!GetString(ingress, {"spec", "ingressClassName"}).empty()) return;
  // The legacy annotation still selects a class: leave such Ingresses alone, as upstream does.
  if (Find(ingress, {"metadata", "annotations", "kubernetes.io/ingress.class"}) != nullptr) return;
  const Json* items = Find(ingress_classes, {"items"});
  if (items == nullptr || !items->is_array()) return;
  const Json* chosen = nullptr;
  for (const Json& cls : *items) {
    if (GetString(cls, {"metadata", "annotations", "ingressclass.kubernetes.io/is-default-class"}) !=
        "true")
      continue;
    // Several defaults: the newest wins (upstream since 1.28), then the name for stability.
    if (chosen == nullptr) {
      chosen = &cls;
      continue;
    }
    std::string t = GetString(cls, {"metadata", "creationTimestamp"});
    std::string chosen_t = GetString(*chosen, {"metadata", "creationTimestamp"});
    if (t > chosen_t || (t == chosen_t && Name(cls) < Name(*chosen))) chosen = &cls;
  }
  if (chosen == nullptr) return;
  if (!ingress.contains("spec") || !ingress["spec"].is_object()) ingress["spec"] = Json::object();
  ingress["spec"]["ingressClassName"] = Name(*chosen);
}

}  // namespace minik::registry
