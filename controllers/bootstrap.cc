// EnsureBootstrapObjects: what the apiserver's bootstrap controllers create upstream
// (pkg/controlplane/controller/systemnamespaces, kubernetesservice, reconcilers): the system
// namespaces and the `kubernetes` Service with its Endpoints and EndpointSlice. Idempotent:
// existing objects are kept, and the endpoints are rewritten only when the address changed.
#include <string>

#include "controllers/controllers.h"
#include "controllers/persistentvolume_controller.h"

namespace minik {

namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices"};
constexpr const char* kName = "kubernetes";
constexpr const char* kNs = "default";

Status EnsureNamespace(Client& client, const std::string& name) {
  Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  auto r = client.Create(kNamespaces, "", std::move(ns));
  if (r.ok() || r.status().code() == Code::kAlreadyExists) return Status::Ok();
  return r.status();
}

// Creates `want` when absent; otherwise `mutate(current)` brings the stored object up to date
// and says whether it changed anything (then it is written back, retrying on conflicts).
// Get comes first: a Create of an existing Service would fail on its fixed ClusterIP
// ("already allocated") before the name conflict is noticed.
template <typename Mutate>
Status CreateOrUpdate(Client& client, const ResourceRef& ref, const Json& want, Mutate mutate) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = client.Get(ref, kNs, kName);
    if (!current.ok()) {
      if (current.status().code() != Code::kNotFound) return current.status();
      auto created = client.Create(ref, kNs, want);
      if (created.ok()) return Status::Ok();
      if (created.status().code() == Code::kAlreadyExists) continue;  // raced a creator
      return created.status();
    }
    Json next = *current;
    if (!mutate(next)) return Status::Ok();
    auto updated = client.Update(ref, kNs, std::move(next));
    if (updated.ok()) return Status::Ok();
    if (updated.status().code() != Code::kConflict) return updated.status();
  }
  return Status(Code::kConflict, "bootstrap: kept conflicting on " + ref.resource + " " + kName);
}

// Sets obj[field] = value; true when that changed it.
bool SetField(Json& obj, const char* field, const Json& value) {
  if (obj.contains(field) && obj[field] == value) return false;
  obj[field] = value;
  return true;
}

// Merges `labels` into metadata.labels; true when that changed them.
bool MergeLabels(Json& obj, const Json& labels) {
  bool changed = false;
  Json& meta = obj["metadata"];
  if (!meta.contains("labels") || !meta["labels"].is_object()) meta["labels"] = Json::object();
  for (auto& [k, v] : labels.items()) changed |= SetField(meta["labels"], k.c_str(), v);
  return changed;
}

}  // namespace

Status EnsureBootstrapObjects(Client& client, const BootstrapOptions& options) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    MINIK_RETURN_IF_ERROR(EnsureNamespace(client, ns));
  }
  if (options.default_storage_class) MINIK_RETURN_IF_ERROR(EnsureDefaultStorageClass(client));

  Json service = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"name", kName},
        {"namespace", kNs},
        {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
      {"spec",
       {{"type", "ClusterIP"},
        {"clusterIP", options.api_service_ip},
        {"clusterIPs", {options.api_service_ip}},
        {"sessionAffinity", "None"},
        {"ports",
         {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"},
           {"targetPort", options.api_port}}}}}}};
  MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kServices, service, [&](Json& current) {
    // The ClusterIP is immutable; the target port follows the API server's port.
    bool changed = MergeLabels(current, service["metadata"]["labels"]);
    Json& spec = current["spec"];
    if (!spec.contains("ports") || !spec["ports"].is_array() || spec["ports"].empty()) {
      spec["ports"] = service["spec"]["ports"];
      return true;
    }
    return SetField(spec["ports"][0], "targetPort", Json(options.api_port)) || changed;
  }));

  Json endpoints = {
      {"apiVersion", "v1"},
      {"kind", "Endpoints"},
      {"metadata",
       {{"name", kName},
        {"namespace", kNs},
        {"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
      {"subsets",
       {{{"addresses", {{{"ip", options.api_endpoint_ip}}}},
         {"ports", {{{"name", "https"}, {"port", options.api_port}, {"protocol", "TCP"}}}}}}}};
  MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kEndpoints, endpoints, [&](Json& current) {
    bool changed = MergeLabels(current, endpoints["metadata"]["labels"]);
    return SetField(current, "subsets", endpoints["subsets"]) || changed;
  }));

  Json slice = {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", kName},
        {"namespace", kNs},
        {"labels", {{"kubernetes.io/service-name", kName}}}}},
      {"addressType", "IPv4"},
      {"endpoints",
       {{{"addresses", {options.api_endpoint_ip}}, {"conditions", {{"ready", true}}}}}},
      {"ports", {{{"name", "https"}, {"port", options.api_port}, {"protocol", "TCP"}}}}};
  MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kEndpointSlices, slice, [&](Json& current) {
    bool changed = MergeLabels(current, slice["metadata"]["labels"]);
    changed |= SetField(current, "addressType", slice["addressType"]);
    changed |= SetField(current, "endpoints", slice["endpoints"]);
    changed |= SetField(current, "ports", slice["ports"]);
    return changed;
  }));
  return Status::Ok();
}

}  // namespace minik
