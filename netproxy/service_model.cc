#include "netproxy/service_model.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace minik::netproxy {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool Condition(const Json& ep, const char* name, bool fallback) {
  const Json* v = Find(ep, {"conditions", name});
  return v != nullptr && v->is_boolean() ? v->get<bool>() : fallback;
}

void AddEndpoints(const Json& slice, const std::string& port_name, const std::string& protocol,
                  const std::string& node_name, ServicePort& sp, std::set<std::string>& seen) {
  if (GetString(slice, {"addressType"}) != "IPv4") return;
  const Json* ports = Find(slice, {"ports"});
  if (ports == nullptr || !ports->is_array()) return;
  int port = 0;
  for (const Json& p : *ports) {
    std::string proto = GetString(p, {"protocol"});
    if (GetString(p, {"name"}) == port_name && Lower(proto.empty() ? "TCP" : proto) == protocol) {
      port = static_cast<int>(GetInt(p, {"port"}));
      break;
    }
  }
  if (port <= 0 || port > 65535) return;
  const Json* eps = Find(slice, {"endpoints"});
  if (eps == nullptr || !eps->is_array()) return;
  for (const Json& ep : *eps) {
    const Json* addrs = Find(ep, {"addresses"});
    if (addrs == nullptr || !addrs->is_array() || addrs->empty() || !(*addrs)[0].is_string())
      continue;
    Endpoint e;
    // Like kube-proxy, the first address stands for the endpoint.
    e.ip = (*addrs)[0].get<std::string>();
    e.port = port;
    if (!seen.insert(e.ip + ":" + std::to_string(port)).second) continue;
    e.ready = Condition(ep, "ready", true);
    e.serving = Condition(ep, "serving", e.ready);
    e.terminating = Condition(ep, "terminating", false);
    std::string node = GetString(ep, {"nodeName"});
    e.local = node.empty() || node == node_name;
    sp.endpoints.push_back(std::move(e));
  }
}

}  // namespace

std::vector<ServicePort> ServicePortsOf(const Json& service, const std::vector<const Json*>& slices,
                                        const std::string& node_name) {
  std::vector<ServicePort> out;
  const std::string type = GetString(service, {"spec", "type"});
  if (type == "ExternalName") return out;
  std::string cluster_ip = GetString(service, {"spec", "clusterIP"});
  if (cluster_ip == "None") cluster_ip.clear();
  if (cluster_ip.empty()) return out;  // headless: DNS only
  const bool external_type = type == "NodePort" || type == "LoadBalancer";
  std::vector<std::string> external_ips;
  if (const Json* ips = Find(service, {"spec", "externalIPs"}); ips && ips->is_array())
    for (const Json& ip : *ips)
      if (ip.is_string()) external_ips.push_back(ip.get<std::string>());
  if (type == "LoadBalancer") {
    if (const Json* ing = Find(service, {"status", "loadBalancer", "ingress"}); ing && ing->is_array())
      for (const Json& i : *ing)
        if (std::string ip = GetString(i, {"ip"}); !ip.empty()) external_ips.push_back(ip);
  }
  int affinity = 0;
  if (GetString(service, {"spec", "sessionAffinity"}) == "ClientIP") {
    affinity = static_cast<int>(
        GetInt(service, {"spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"}, 10800));
    if (affinity <= 0) affinity = 10800;
  }
  const Json* ports = Find(service, {"spec", "ports"});
  if (ports == nullptr || !ports->is_array()) return out;
  for (const Json& p : *ports) {
    ServicePort sp;
    sp.ns = Namespace(service);
    sp.name = Name(service);
    sp.port_name = GetString(p, {"name"});
    std::string proto = GetString(p, {"protocol"});
    sp.protocol = Lower(proto.empty() ? "TCP" : proto);
    if (sp.protocol != "tcp" && sp.protocol != "udp" && sp.protocol != "sctp") continue;
    sp.cluster_ip = cluster_ip;
    sp.port = static_cast<int>(GetInt(p, {"port"}));
    if (sp.port <= 0 || sp.port > 65535) continue;
    if (external_type) sp.node_port = static_cast<int>(GetInt(p, {"nodePort"}));
    sp.external_ips = external_ips;
    sp.affinity_seconds = affinity;
    sp.external_local = external_type && GetString(service, {"spec", "externalTrafficPolicy"}) == "Local";
    sp.internal_local = GetString(service, {"spec", "internalTrafficPolicy"}) == "Local";
    std::set<std::string> seen;
    for (const Json* slice : slices)
      AddEndpoints(*slice, sp.port_name, sp.protocol, node_name, sp, seen);
    out.push_back(std::move(sp));
  }
  return out;
}

std::vector<std::string> WantedLoadBalancerIps(const Json& service, const std::string& node_ip) {
  if (GetString(service, {"spec", "type"}) != "LoadBalancer") return {};
  if (!GetString(service, {"spec", "loadBalancerClass"}).empty()) return {};
  if (node_ip.empty()) return {};
  return {node_ip};
}

}  // namespace minik::netproxy
