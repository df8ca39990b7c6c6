// EnsureBootstrapObjects: what the apiserver's bootstrap controllers create upstream
// (pkg/controlplane/controller/systemnamespaces, kubernetesservice, reconcilers): the system
// namespaces and the `kubernetes` Service with its Endpoints and EndpointSlice. Idempotent:
// existing objects are kept, and the endpoints are rewritten only when the address changed.
#include <string>

#include "controllers/controllers.h"
#include "controllers/create_or_update.h"
#include "controllers/persistentvolume_controller.h"

namespace minik {

namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices"};
const ResourceRef kIngressClasses{"networking.k8s.io", "v1", "ingressclasses"};
constexpr const char* kName = "kubernetes";
constexpr const char* kNs = "default";

Status EnsureNamespace(Client& client, const std::string& name) {
  Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  auto r = client.Create(kNamespaces, "", std::move(ns));
  if (r.ok() || r.status().code() == Code::kAlreadyExists) return Status::Ok();
  return r.status();
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

// A Service without selector whose endpoints minik itself serves (the API server, the DNS
// server), with its Endpoints and EndpointSlice, kept up to date on restart.
struct FixedService {
  std::string ns, name;
  Json labels;
  std::string cluster_ip, endpoint_ip;
  struct Port {
    std::string name, protocol;
    int port, target_port;
  };
  std::vector<Port> ports;
};

Status EnsureFixedService(Client& client, const FixedService& f) {
  Json service_ports = Json::array(), endpoint_ports = Json::array();
  for (const auto& p : f.ports) {
    service_ports.push_back({{"name", p.name}, {"port", p.port}, {"protocol", p.protocol},
                             {"targetPort", p.target_port}});
    endpoint_ports.push_back({{"name", p.name}, {"port", p.target_port}, {"protocol", p.protocol}});
  }
  Json service = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", f.name}, {"namespace", f.ns}, {"labels", f.labels}}},
      {"spec",
       {{"type", "ClusterIP"},
        {"clusterIP", f.cluster_ip},
        {"clusterIPs", {f.cluster_ip}},
        {"sessionAffinity", "None"},
        {"ports", service_ports}}}};
  MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kServices, service, [&](Json& current) {
    // The ClusterIP is immutable; the target ports follow where minik listens.
    bool changed = MergeLabels(current, service["metadata"]["labels"]);
    return SetField(current["spec"], "ports", service_ports) || changed;
  }));

  Json endpoints = {
      {"apiVersion", "v1"},
      {"kind", "Endpoints"},
      {"metadata",
       {{"name", f.name},
        {"namespace", f.ns},
        {"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
      {"subsets", {{{"addresses", {{{"ip", f.endpoint_ip}}}}, {"ports", endpoint_ports}}}}};
  MINIK_RETURN_IF_ERROR(CreateOrUpdate(client, kEndpoints, endpoints, [&](Json& current) {
    bool changed = MergeLabels(current, endpoints["metadata"]["labels"]);
    return SetField(current, "subsets", endpoints["subsets"]) || changed;
  }));

  Json slice = {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", f.name},
        {"namespace", f.ns},
        {"labels", {{"kubernetes.io/service-name", f.name}}}}},
      {"addressType", "IPv4"},
      {"endpoints", {{{"addresses", {f.endpoint_ip}}, {"conditions", {{"ready", true}}}}}},
      {"ports", endpoint_ports}};
  return CreateOrUpdate(client, kEndpointSlices, slice, [&](Json& current) {
    bool changed = MergeLabels(current, slice["metadata"]["labels"]);
    changed |= SetField(current, "addressType", slice["addressType"]);
    changed |= SetField(current, "endpoints", slice["endpoints"]);
    changed |= SetField(current, "ports", slice["ports"]);
    return changed;
  });
}

// IngressClass `minik`, the default class, served by netproxy's Ingress controller.
Status EnsureIngressClass(Client& client) {
  Json cls = {{"apiVersion", "networking.k8s.io/v1"},
              {"kind", "IngressClass"},
              {"metadata",
               {{"name", "minik"},
                {"annotations", {{"ingressclass.kubernetes.io/is-default-class", "true"}}}}},
              {"spec", {{"controller", "minik.io/ingress"}}}};
  // A user's edits (say, another default class) are theirs to keep.
  return CreateOrUpdate(client, kIngressClasses, cls, [](Json&) { return false; });
}

}  // namespace

Status EnsureBootstrapObjects(Client& client, const BootstrapOptions& options) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    MINIK_RETURN_IF_ERROR(EnsureNamespace(client, ns));
  }
  if (options.default_storage_class) MINIK_RETURN_IF_ERROR(EnsureDefaultStorageClass(client));
  MINIK_RETURN_IF_ERROR(EnsureBootstrapRbac(client));

  MINIK_RETURN_IF_ERROR(EnsureFixedService(
      client, {kNs, kName, {{"component", "apiserver"}, {"provider", "kubernetes"}},
               options.api_service_ip, options.api_endpoint_ip,
               {{"https", "TCP", 443, options.api_port}}}));
  if (!options.dns_service_ip.empty()) {
    MINIK_RETURN_IF_ERROR(EnsureFixedService(
        client, {"kube-system", "kube-dns",
                 {{"k8s-app", "kube-dns"}, {"kubernetes.io/cluster-service", "true"},
                  {"kubernetes.io/name", "CoreDNS"}},
                 options.dns_service_ip, options.dns_endpoint_ip,
                 {{"dns", "UDP", 53, options.dns_port},
                  {"dns-tcp", "TCP", 53, options.dns_port}}}));
  }
  if (options.ingress_class) MINIK_RETURN_IF_ERROR(EnsureIngressClass(client));
  return Status::Ok();
}

}  // namespace minik
