#include "scheduler/resources.h"

#include <algorithm>

#include "scheduler/quantity.h"

namespace minik::sched {

void Resources::Add(const Resources& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  pods += o.pods;
  for (const auto& [k, v] : o.scalar) scalar[k] += v;
}

void Resources::Sub(const Resources& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  pods -= o.pods;
  for (const auto& [k, v] : o.scalar) scalar[k] -= v;
}

void Resources::SetMax(const Resources& o) {
  milli_cpu = std::max(milli_cpu, o.milli_cpu);
  memory = std::max(memory, o.memory);
  ephemeral_storage = std::max(ephemeral_storage, o.ephemeral_storage);
  pods = std::max(pods, o.pods);
  for (const auto& [k, v] : o.scalar) scalar[k] = std::max(scalar[k], v);
}

bool Resources::IsZero() const {
  if (milli_cpu != 0 || memory != 0 || ephemeral_storage != 0) return false;
  for (const auto& [k, v] : scalar) {
    if (v != 0) return false;
  }
  return true;
}

Resources ResourcesFromList(const Json& list) {
  Resources r;
  if (!list.is_object()) return r;
  for (auto it = list.begin(); it != list.end(); ++it) {
    auto q = QuantityFromJson(it.value());
    if (!q.ok()) continue;
    const std::string& name = it.key();
    if (name == "cpu") {
      r.milli_cpu = q->MilliValue();
    } else if (name == "memory") {
      r.memory = q->Value();
    } else if (name == "ephemeral-storage") {
      r.ephemeral_storage = q->Value();
    } else if (name == "pods") {
      r.pods = q->Value();
    } else if (name == "storage") {
      // Not a node resource the scheduler accounts for.
    } else {
      r.scalar[name] = q->Value();
    }
  }
  return r;
}

namespace {

const Json& Requests(const Json& container) {
  static const Json kNull;
  const Json* r = Find(container, {"resources", "requests"});
  return r ? *r : kNull;
}

Resources ContainerRequests(const Json& container, bool non_zero) {
  Resources r = ResourcesFromList(Requests(container));
  if (non_zero) {
    const Json& req = Requests(container);
    if (!req.is_object() || !req.contains("cpu")) r.milli_cpu = kDefaultMilliCpuRequest;
    if (!req.is_object() || !req.contains("memory")) r.memory = kDefaultMemoryRequest;
  }
  return r;
}

bool Restartable(const Json& container) {
  return GetString(container, {"restartPolicy"}) == "Always";
}

Resources Requests(const Json& pod, bool non_zero) {
  Resources sum;
  if (const Json* cs = Find(pod, {"spec", "containers"}); cs && cs->is_array()) {
    for (const Json& c : *cs) sum.Add(ContainerRequests(c, non_zero));
  }
  // Init containers run one by one, while restartable ones (sidecars) keep running: each
  // init container needs its own request plus the sidecars started before it.
  Resources sidecars;
  Resources init_max;
  if (const Json* ics = Find(pod, {"spec", "initContainers"}); ics && ics->is_array()) {
    for (const Json& c : *ics) {
      Resources r = ContainerRequests(c, non_zero);
      if (Restartable(c)) {
        sidecars.Add(r);
        init_max.SetMax(sidecars);
      } else {
        Resources step = r;
        step.Add(sidecars);
        init_max.SetMax(step);
      }
    }
  }
  sum.Add(sidecars);
  sum.SetMax(init_max);
  if (const Json* overhead = Find(pod, {"spec", "overhead"})) {
    sum.Add(ResourcesFromList(*overhead));
  }
  sum.pods = 0;
  return sum;
}

}  // namespace

Resources PodRequests(const Json& pod) { return Requests(pod, false); }
Resources PodNonZeroRequests(const Json& pod) { return Requests(pod, true); }

Resources NodeAllocatable(const Json& node) {
  const Json* alloc = Find(node, {"status", "allocatable"});
  if (!alloc || !alloc->is_object() || alloc->empty()) alloc = Find(node, {"status", "capacity"});
  return alloc ? ResourcesFromList(*alloc) : Resources{};
}

}  // namespace minik::sched
