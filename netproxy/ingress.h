// IngressController: minik's built-in Ingress controller (IngressClass `minik`, controller
// `minik.io/ingress`): an HTTP/1.1 reverse proxy in the server process, on every address in
// `addresses`, HTTP on http_port and HTTPS on https_port.
//
// Routing follows networking.k8s.io/v1 and ingress-nginx (netproxy/ingress_routes.h): exact
// and wildcard hosts, Exact/Prefix paths with the longest match winning, rules merged across
// Ingresses, defaultBackend, ready endpoints round-robin, TLS certificates by SNI (else a
// self-signed default certificate). Unknown host or path: 404; no ready endpoint: 503;
// upstream unreachable (after one other endpoint): 502. The proxy is described in
// netproxy/ingress_proxy.h.
//
// The controller reads Ingresses, IngressClasses, Services, EndpointSlices and Secrets
// through shared informers; every change rebuilds the routing table, which is swapped in
// atomically (requests in flight finish on the table they started with). For every handled
// Ingress it writes status.loadBalancer.ingress = [{ip: status_ip}] when different (nothing
// when status_ip is empty), and clears that status from an Ingress it no longer handles.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/status.h"

namespace minik {

struct IngressOptions {
  std::vector<std::string> addresses = {"127.0.0.1"};  // listen on each, HTTP and HTTPS
  std::vector<std::string> optional_addresses;  // also, when their ports are free
  int http_port = 80;  // 0: any free port (tests); http_port()/https_port() tell which
  int https_port = 443;
  std::string class_name = "minik";
  std::string controller = "minik.io/ingress";
  std::string status_ip;  // written to Ingress status.loadBalancer.ingress[0].ip ("" = none)
  int io_threads = 2;     // proxy I/O threads
};

class IngressController {
 public:
  virtual ~IngressController() = default;
  // Listens (ServiceUnavailable naming the address and port when one is taken), waits for the
  // informers' first lists, installs the first routing table, then follows changes. Once only.
  virtual Status Start() = 0;
  // Stops serving (every connection is closed) and following changes. The informers, shared,
  // keep running.
  virtual void Stop() = 0;
  virtual int http_port() const = 0;
  virtual int https_port() const = 0;
};

// `client`, `clock` and `informers` must outlive the controller.
std::unique_ptr<IngressController> NewIngressController(Client& client, Clock& clock,
                                                        SharedInformerFactory& informers,
                                                        const IngressOptions& options);

}  // namespace minik
