// Helpers shared by the controller tests.
#pragma once

#include <chrono>
#include <thread>

#include "api/json.h"
#include "api/resource.h"

namespace minik::testing {

// Waits (real time, bounded) for another thread's progress.
template <typename F>
bool Eventually(F f, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return f();
}

inline ResourceInfo Kind(std::string group, std::string kind, std::string plural,
                         bool namespaced) {
  ResourceInfo info;
  info.group = std::move(group);
  info.version = "v1";
  info.kind = std::move(kind);
  info.plural = std::move(plural);
  info.namespaced = namespaced;
  info.strategy = std::make_shared<Strategy>();
  return info;
}

// The kinds FakeClient::AddDefaultKinds serves, as a ResourceRegistry.
inline void AddDefaultKinds(ResourceRegistry& r) {
  r.Add(Kind("", "Namespace", "namespaces", false));
  r.Add(Kind("", "ServiceAccount", "serviceaccounts", true));
  r.Add(Kind("", "ConfigMap", "configmaps", true));
  r.Add(Kind("", "Pod", "pods", true));
  r.Add(Kind("", "Service", "services", true));
  r.Add(Kind("", "Endpoints", "endpoints", true));
  r.Add(Kind("", "Node", "nodes", false));
  r.Add(Kind("discovery.k8s.io", "EndpointSlice", "endpointslices", true));
  r.Add(Kind("coordination.k8s.io", "Lease", "leases", true));
}

}  // namespace minik::testing
