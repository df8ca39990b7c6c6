// The cluster DNS server: answers <svc>.<ns>.svc.<domain>, <pod-ip>.<ns>.pod.<domain>, SRV and
// PTR names from the Services, EndpointSlices and Namespaces the informers hold, the way
// CoreDNS's kubernetes plugin does with kubeadm's Corefile (dns_zone.h has the rules), and
// forwards every other name to the upstream resolvers. netproxy DNATs the kube-dns Service
// (10.96.0.10:53, UDP and TCP) to `address:port`.
//
// Contract:
//  - Start() starts (idempotently) and waits for the informers of v1 services and namespaces
//    and discovery.k8s.io/v1 endpointslices, then listens on UDP and TCP. A port already in
//    use (or informers that do not sync) is Code::kServiceUnavailable naming the address.
//  - Changes to those objects are answered within ~100 ms (rebuilds are coalesced).
//  - UDP replies fit 512 bytes, or the client's EDNS0 size (at most 4096), else carry TC;
//    TCP takes several length-framed queries per connection, closes idle ones after 10 s and
//    holds at most 256 connections.
//  - Forwarded queries go to the upstreams in order over UDP (again over TCP when the answer
//    is truncated and the client asked over TCP), within 2 s in all; when every upstream
//    fails, or none is configured, the answer is SERVFAIL. They never delay cluster answers.
//    Upstream answers are cached for their TTL, 30 s at most (kubeadm's `cache 30`).
//  - Stop() closes the sockets and joins the threads; Start() may not be called again.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/informer.h"
#include "api/status.h"

namespace minik {

struct DnsOptions {
  std::string address = "10.244.0.1";  // listen address, UDP and TCP
  int port = 53;                       // 0: any free port (tests); port() tells which
  std::string cluster_domain = "cluster.local";
  std::vector<std::string> upstreams;  // "ip", "ip:port" or "[ipv6]:port" (port 53 by default)
  int ttl_seconds = 30;                // kubeadm's Corefile: `ttl 30`
};

class DnsServer {
 public:
  virtual ~DnsServer() = default;
  virtual Status Start() = 0;
  virtual void Stop() = 0;
  virtual int port() const = 0;  // the bound port (after Start)
};

// `informers` must outlive the server.
std::unique_ptr<DnsServer> NewDnsServer(SharedInformerFactory& informers,
                                        const DnsOptions& options);

}  // namespace minik
