// Builders of node and pod JSON for the scheduler's unit tests.
#pragma once

#include <memory>
#include <string>

#include "api/json.h"
#include "scheduler/framework.h"

namespace minik::sched::testing {

inline Json MakeNode(const std::string& name, const std::string& cpu = "4",
                     const std::string& memory = "8Gi", int pods = 110,
                     Json labels = Json::object()) {
  labels["kubernetes.io/hostname"] = name;
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"spec", Json::object()},
          {"status",
           {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", std::to_string(pods)}}}}}};
}

inline Json MakePod(const std::string& name, const std::string& cpu = "",
                    const std::string& memory = "", Json labels = Json::object(),
                    const std::string& ns = "default") {
  Json requests = Json::object();
  if (!cpu.empty()) requests["cpu"] = cpu;
  if (!memory.empty()) requests["memory"] = memory;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"spec",
           {{"containers", Json::array({{{"name", "c"},
                                         {"image", "busybox"},
                                         {"resources", {{"requests", requests}}}}})}}}};
}

inline PodPtr Ptr(Json j) { return std::make_shared<const Json>(std::move(j)); }

// A snapshot of `nodes`, with `placed` pods put on the node named by their spec.nodeName.
inline Snapshot MakeSnapshot(const std::vector<Json>& nodes, const std::vector<Json>& placed = {}) {
  Snapshot snap;
  for (const Json& n : nodes) snap.nodes.emplace_back(Ptr(n));
  snap.Index();
  for (const Json& p : placed) {
    for (NodeInfo& n : snap.nodes) {
      if (n.name == GetString(p, {"spec", "nodeName"})) n.AddPod(Ptr(p));
    }
  }
  snap.Index();
  return snap;
}

inline Json On(Json pod, const std::string& node) {
  pod["spec"]["nodeName"] = node;
  return pod;
}

}  // namespace minik::sched::testing
