// netproxy: what makes Services reachable on the node — kube-proxy's iptables rules
// (proxier.h), load-balancer IPs (service_lb.h), the cluster DNS server (dns.h) and the
// Ingress controller (ingress.h) — started and stopped together by the server once the pod
// network exists (they listen on its gateway address).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/status.h"

namespace minik {

struct NetProxyOptions {
  std::string node_name;
  std::string node_ip;       // InternalIP (the bridge gateway): LB IP, DNS and Ingress address;
                             // node ports answer there and on 127.0.0.1 only
  std::string chain_prefix;  // the pod network's, e.g. MINIK0 (its chains are left alone)
  std::string pod_cidr;      // e.g. 10.244.0.0/16
  std::string service_cidr = "10.96.0.0/12";
  SharedInformerFactory* informers = nullptr;  // required; must outlive the proxy
  // Told when each part is up ("service rules", "DNS", "ingress") with a short detail, for
  // `minik start`'s progress lines. Optional.
  std::function<void(const std::string& step, const std::string& detail)> on_step;

  // Cluster DNS on node_ip:dns_port (kube-dns's Service 10.96.0.10 points there).
  bool dns = true;
  int dns_port = 53;
  std::string cluster_domain = "cluster.local";
  std::vector<std::string> dns_upstreams;  // "ip[:port]": names outside the cluster domain

  // The Ingress controller (class `minik`) on node_ip, and on 127.0.0.1 when its ports are
  // free there (another profile's Ingress may hold them).
  bool ingress = true;
  int http_port = 80;
  int https_port = 443;
};

class NetProxy {
 public:
  virtual ~NetProxy() = default;
  // Programs the rules once (an error if iptables refuses them), then keeps them in sync;
  // starts DNS and Ingress (an error, naming the port, when one is taken).
  virtual Status Start() = 0;
  // Stops syncing and serving. The rules stay (traffic keeps flowing while the server is
  // down); CleanupNetProxy removes them.
  virtual void Stop() = 0;
};

std::unique_ptr<NetProxy> NewNetProxy(Client& client, Clock& clock, const NetProxyOptions& options);

// Removes every iptables chain and jump netproxy made for `chain_prefix` (minik delete).
Status CleanupNetProxy(const std::string& chain_prefix);

// The nameservers of a resolv.conf text, as "ip" strings (loopback stub resolvers included:
// the DNS server runs on the host and can reach them).
std::vector<std::string> NameserversOf(const std::string& resolv_conf);

}  // namespace minik
