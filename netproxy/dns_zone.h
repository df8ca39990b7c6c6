// The cluster DNS zone: an immutable snapshot of Services, EndpointSlices and Namespaces that
// answers questions the way CoreDNS's kubernetes plugin does with kubeadm's Corefile
// (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa
// ip6.arpa; ttl 30 }`):
//  - <svc>.<ns>.svc.<domain>: A/AAAA of the ClusterIPs; headless (clusterIP None): the ready
//    addresses of the service's EndpointSlices; ExternalName: a CNAME (chased inside the
//    domain here, outside it by the server: Disposition::kChase).
//  - <endpoint>.<svc>.<ns>.svc.<domain>: the ready address whose hostname (or, without one,
//    dashed IP "10-244-0-5") is <endpoint>; _<port>._<proto>.<svc>.<ns>.svc.<domain>: SRV,
//    targets the service name (ClusterIP) or each endpoint name (headless), A/AAAA in the
//    additional section; <a-b-c-d>.<ns>.pod.<domain>: a.b.c.d ("pods insecure").
//  - PTR in in-addr.arpa/ip6.arpa for ClusterIPs (-> <svc>.<ns>.svc.<domain>) and ready
//    endpoint addresses (-> <hostname-or-dashed-ip>.<svc>.<ns>.svc.<domain>).
//  - Inside the domain, an unknown name is NXDOMAIN and a known name without records of the
//    asked type NODATA, both with the SOA (ns.dns.<domain>, hostmaster.<domain>) in the
//    authority section. A namespace that does not exist is NXDOMAIN; the apex, svc.<domain>,
//    pod.<domain> and an existing <ns>.svc.<domain> are NODATA. AXFR/IXFR are REFUSED.
//  - Names outside the domain, and reverse names the cluster does not know, are for the
//    upstream resolvers (Disposition::kForward).
// Names match case-insensitively; answers carry the question's spelling.
//
// Thread-safety: a built snapshot is immutable; Answer may run on any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/json.h"
#include "netproxy/dns_message.h"

namespace minik::netproxy::dns {

struct ZoneOptions {
  std::string domain = "cluster.local";
  uint32_t ttl = 30;
};

enum class Disposition {
  kAnswered,  // the reply is complete
  kForward,   // not the cluster's name: ask the upstreams
  kChase,     // the reply holds a CNAME chain to `chase`, outside the cluster: resolve the
              // chase name upstream (same type) and append its answers
};

class ZoneSnapshot {
 public:
  // Builds from objects as the API serves them (v1 Namespace, v1 Service,
  // discovery.k8s.io/v1 EndpointSlice). Objects of other shapes are skipped, never trusted.
  // `serial` is the SOA serial.
  static std::shared_ptr<const ZoneSnapshot> Build(const ZoneOptions& options,
                                                   const std::vector<const Json*>& namespaces,
                                                   const std::vector<const Json*>& services,
                                                   const std::vector<const Json*>& slices,
                                                   uint32_t serial);
  ~ZoneSnapshot();

  // Answers one question: sets reply->rcode and reply->aa and appends to the answer,
  // authority and additional sections (id, flags and question are the caller's).
  Disposition Answer(const Question& question, Message* reply, std::string* chase) const;

  const ZoneOptions& options() const;
  size_t service_count() const;

  struct Data;  // the indexes (dns_zone.cc)

 private:
  explicit ZoneSnapshot(std::unique_ptr<Data> data);
  std::unique_ptr<Data> data_;
};

}  // namespace minik::netproxy::dns
