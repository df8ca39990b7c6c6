// Service rules as kube-proxy's iptables mode writes them, rendered purely from a list of
// service ports and their endpoints (golden-tested), and the iptables-restore input that turns
// what is programmed into what is wanted, rewriting only the chains that changed.
//
// Chains (P = the profile's chain prefix, h = a hash of the service port or endpoint):
//   nat    P-SERVICES   <- PREROUTING, OUTPUT (first)  per cluster/external IP: -> P-SVC-h or
//                                                      P-SVL-h / P-EXT-h; last: -> P-NODEPORTS
//                                                      for the node-port addresses
//   nat    P-NODEPORTS                                 per node port: -> P-EXT-h
//   nat    P-SVC-h      one per service port           masquerade off-pod traffic, then one
//                                                      endpoint at random (statistic) or by
//                                                      ClientIP affinity (recent)
//   nat    P-SVL-h      the same over this node's endpoints (a Local traffic policy)
//   nat    P-EXT-h      node port / external / LB IP   masquerade (Cluster policy) -> P-SVC-h
//   nat    P-SEP-h      one per endpoint               hairpin mark + DNAT
//   nat    P-MARK-MASQ                                 mark 0x4000 (the pod network's
//                                                      POSTROUTING masquerades it)
//   filter P-SERVICES   <- INPUT, FORWARD, OUTPUT      REJECT for ports without endpoints and
//                          (first, new connections)    for any service-CIDR address left
//                                                      un-DNATed, so such traffic never
//                                                      leaves the machine
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kubelet/network/iptables.h"

namespace minik::netproxy {

struct Endpoint {
  std::string ip;
  int port = 0;
  bool ready = true;
  bool serving = true;
  bool terminating = false;
  bool local = true;  // on this node
};

struct ServicePort {
  std::string ns, name, port_name;  // port_name may be empty (a single unnamed port)
  std::string protocol = "tcp";     // tcp, udp or sctp
  std::string cluster_ip;           // empty: headless (no virtual IP)
  int port = 0;
  int node_port = 0;                      // 0: none
  std::vector<std::string> external_ips;  // spec.externalIPs and load-balancer ingress IPs
  int affinity_seconds = 0;               // > 0: sessionAffinity ClientIP
  bool external_local = false;            // externalTrafficPolicy: Local
  bool internal_local = false;            // internalTrafficPolicy: Local
  std::vector<Endpoint> endpoints;

  // "ns/name:port_name", as kube-proxy's ServicePortName prints it.
  std::string Key() const;
};

struct RulesLayout {
  std::string prefix;        // the chain prefix, e.g. MINIK0
  std::string pod_cidr;      // e.g. 10.244.0.0/16
  std::string service_cidr;  // e.g. 10.96.0.0/12
  // Where node ports answer, as kube-proxy's --nodeport-addresses (e.g. the node IP/32 and
  // 127.0.0.0/8, so they are not offered on the machine's LAN addresses); empty: every
  // local address.
  std::vector<std::string> nodeport_cidrs;
};

// Table -> chain -> its rules ("-A CHAIN ..." lines), in order.
using ChainSet = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

// Every chain of ours that the given service ports need (P-SERVICES, P-NODEPORTS and
// P-MARK-MASQ always), ports sorted by key so the output is stable.
ChainSet RenderServiceChains(const RulesLayout& layout, std::vector<ServicePort> ports);

// The endpoints traffic goes to, as kube-proxy's CategorizeEndpoints: the ready ones, or when
// none is ready the serving terminating ones; only local ones when `local_only`.
std::vector<Endpoint> UsableEndpoints(const std::vector<Endpoint>& endpoints, bool local_only);

// iptables-restore input turning `programmed` into `desired`: new and changed chains are
// (re)declared — which flushes them — and refilled; chains no longer wanted are flushed and
// deleted. "" when nothing differs.
std::string RenderChainDiff(const ChainSet& programmed, const ChainSet& desired);

// True for a chain this component owns (so cleanup never touches the pod network's chains).
bool IsServiceChain(const RulesLayout& layout, const std::string& chain);

// iptables-restore input for a fresh start from what iptables-save shows: every jump to our
// chains from the built-in ones is removed and inserted again first in its chain, every chain
// of ours is flushed, and chains of ours not in `desired` are deleted; `desired` is written
// whole.
std::string RenderFullSync(const RulesLayout& layout, const net::SavedTables& saved,
                           const ChainSet& desired);

// iptables-restore input removing the jumps to our chains and the chains. "" when none.
std::string RenderServiceCleanup(const RulesLayout& layout, const net::SavedTables& saved);

}  // namespace minik::netproxy
