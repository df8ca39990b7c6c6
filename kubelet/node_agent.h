// NodeAgent: the kubelet's node registration and heartbeat. Creates or updates the Node
// object (name = profile) with real capacity/allocatable (cpu, memory, pods 110,
// ephemeral-storage), addresses, nodeInfo and conditions (Ready, MemoryPressure,
// DiskPressure, PIDPressure), and renews a Lease in kube-node-lease every 10 s.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/status.h"
#include "kubelet/node_machine.h"

namespace minik {

struct NodeAgentOptions {
  std::string node_name = "minik";
  std::string profile;  // label minik.io/profile; empty: node_name (the profile's own node)
  std::string node_ip = "127.0.0.1";  // InternalIP
  std::string state_dir;               // for ephemeral-storage capacity (statfs)
  int lease_duration_seconds = 40;
  int heartbeat_seconds = 10;
  // Reported as nodeInfo.containerRuntimeVersion "minik://<runtime_version>".
  std::string runtime_version = "0.1.0";
  // spec.podCIDR(s) when set (e.g. "10.244.0.0/24").
  std::string pod_cidr;
  // false for worker nodes (e.g. simulated ones): no node-role.kubernetes.io/control-plane.
  bool control_plane = true;
  // Extra labels (e.g. minik.io/simulated=true) and spec.taints (a JSON array of taints).
  std::map<std::string, std::string> labels;
  Json taints = Json::array();
  // How often the Ready condition's lastHeartbeatTime is refreshed (upstream's
  // nodeStatusReportFrequency); the Lease is the frequent heartbeat.
  int status_report_seconds = 60;
  // Reported instead of the real machine's capacity and nodeInfo (simulated nodes).
  std::optional<MachineInfo> machine;
};

class NodeAgent {
 public:
  virtual ~NodeAgent() = default;
  // Registers the node and marks it Ready; returns once the Node object says Ready.
  virtual Status Start() = 0;
  virtual void Stop() = 0;
};

std::unique_ptr<NodeAgent> NewNodeAgent(Client& client, Clock& clock,
                                        const NodeAgentOptions& options);

}  // namespace minik
