// Resource arithmetic of the scheduler (framework.Resource and resourcehelper.PodRequests):
// what a pod requests and what a node can allocate, as integers (cpu in millicores, the rest
// in base units, rounded up). Unparsable quantities count as zero, as the apiserver never
// stores them (validation rejects them).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "api/json.h"

namespace minik::sched {

struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t pods = 0;  // allowed pod count (allocatable only)
  std::map<std::string, int64_t> scalar;  // extended resources, hugepages-*, ...

  void Add(const Resources& o);
  void Sub(const Resources& o);
  void SetMax(const Resources& o);
  bool IsZero() const;  // cpu, memory, ephemeral-storage and scalars all zero
};

// A requests/limits/allocatable map ({"cpu":"100m","memory":"1Gi",...}) as Resources.
Resources ResourcesFromList(const Json& list);

// The pod's effective request: max(sum of containers + restartable (sidecar) init containers,
// each init container + the sidecars started before it), plus spec.overhead.
Resources PodRequests(const Json& pod);

// The same, with containers that request no cpu/memory counted as 100m / 200Mi
// (schedutil.GetNonzeroRequests); what the scoring plugins use.
Resources PodNonZeroRequests(const Json& pod);

// status.allocatable of a node (falling back to status.capacity when absent).
Resources NodeAllocatable(const Json& node);

inline constexpr int64_t kDefaultMilliCpuRequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

}  // namespace minik::sched
