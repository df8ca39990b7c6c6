// What the proxy programs for one Service, read from the Service and its EndpointSlices
// (the slices labelled kubernetes.io/service-name=<name>), as kube-proxy's ServiceChangeTracker
// and EndpointsChangeTracker do.
#pragma once

#include <string>
#include <vector>

#include "api/json.h"
#include "netproxy/service_rules.h"

namespace minik::netproxy {

// One ServicePort per spec.ports entry; none for ExternalName and headless services. Endpoint
// ports come from the slice port with the service port's name; IPv4 slices only; conditions
// default as the API documents them (ready: true, serving: ready, terminating: false);
// endpoints on `node_name` (or with no nodeName) are local.
std::vector<ServicePort> ServicePortsOf(const Json& service, const std::vector<const Json*>& slices,
                                        const std::string& node_name);

// The load-balancer IPs to publish for a Service: [node_ip] for type LoadBalancer without a
// loadBalancerClass, [] otherwise.
std::vector<std::string> WantedLoadBalancerIps(const Json& service, const std::string& node_ip);

}  // namespace minik::netproxy
