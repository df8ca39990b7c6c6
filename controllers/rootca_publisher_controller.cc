#include "controllers/rootca_publisher_controller.h"

namespace minik {
namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
constexpr const char* kDescriptionKey = "kubernetes.io/description";
constexpr const char* kDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.";

bool Active(const Json& ns) {
  if (Find(ns, {"metadata", "deletionTimestamp"})) return false;
  std::string phase = GetString(ns, {"status", "phase"});
  return phase.empty() || phase == "Active";
}

}  // namespace

RootCaPublisher::RootCaPublisher(Client& client, Clock& clock, SharedInformerFactory& informers,
                                 std::string ca_pem)
    : QueueController("root-ca-cert-publisher", clock, 1),
      client_(client),
      namespaces_(informers.For(kNamespaces)),
      config_maps_(informers.For(kConfigMaps)),
      ca_pem_(std::move(ca_pem)) {
  namespaces_.AddEventHandler({[this](const Json& ns) { queue().Add(Name(ns)); },
                               [this](const Json&, const Json& ns) { queue().Add(Name(ns)); },
                               nullptr});
  auto ours = [this](const Json& cm) {
    if (Name(cm) == kConfigMapName) queue().Add(Namespace(cm));
  };
  config_maps_.AddEventHandler(
      {nullptr, [ours](const Json&, const Json& cm) { ours(cm); }, ours});
}

StatusOr<ReconcileResult> RootCaPublisher::Reconcile(const std::string& key) {
  ObjectPtr ns = namespaces_.Get(key);
  if (!ns || !Active(*ns)) return ReconcileResult{};
  ObjectPtr cm = config_maps_.Get(key + "/" + kConfigMapName);
  Json data = {{"ca.crt", ca_pem_}};
  StatusOr<Json> r = Json();
  if (!cm) {
    Json obj = {{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata",
                 {{"name", kConfigMapName},
                  {"namespace", key},
                  {"annotations", {{kDescriptionKey, kDescription}}}}},
                {"data", data}};
    r = client_.Create(kConfigMaps, key, std::move(obj));
    if (!r.ok() && r.status().code() == Code::kAlreadyExists) {
      return ReconcileResult{.requeue = true};  // the cache lags: look again
    }
  } else {
    const Json* have = Find(*cm, {"data"});
    bool same_data = have && *have == data && !Find(*cm, {"binaryData"});
    if (same_data && GetString(*cm, {"metadata", "annotations", kDescriptionKey}) == kDescription) {
      return ReconcileResult{};
    }
    Json next = *cm;
    next["data"] = data;
    next.erase("binaryData");
    next["metadata"]["annotations"][kDescriptionKey] = kDescription;
    r = client_.Update(kConfigMaps, key, std::move(next));
    if (!r.ok() && r.status().code() == Code::kConflict) return ReconcileResult{.requeue = true};
  }
  if (!r.ok()) {
    // A namespace that started terminating meanwhile refuses new content: nothing to do.
    if (r.status().code() == Code::kForbidden || r.status().code() == Code::kNotFound) {
      return ReconcileResult{};
    }
    return r.status();
  }
  return ReconcileResult{};
}

}  // namespace minik
