// LoadBalancerStatus: minik's answer to type LoadBalancer, like k3s's ServiceLB: the node's
// address becomes the service's load-balancer IP (status.loadBalancer.ingress[0].ip), and the
// proxier routes <ip>:<port> to the endpoints. Services with a spec.loadBalancerClass are
// left to that class's controller; a service that stops being a LoadBalancer loses the status.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "api/client.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/workqueue.h"

namespace minik::netproxy {

class LoadBalancerStatus {
 public:
  LoadBalancerStatus(Client& client, Clock& clock, SharedInformerFactory& informers,
                     std::string node_ip);
  ~LoadBalancerStatus();
  LoadBalancerStatus(const LoadBalancerStatus&) = delete;
  LoadBalancerStatus& operator=(const LoadBalancerStatus&) = delete;

  void Start();
  void Stop();

  // Writes the wanted status of service `key` ("ns/name") if it differs.
  Status Reconcile(const std::string& key);

 private:
  void Run();

  Client& client_;
  Informer& services_;
  const std::string node_ip_;
  WorkQueue queue_;
  std::thread thread_;
};

}  // namespace minik::netproxy
