// SimulatedNodes: `minik start --simulated-nodes N`, KWOK inside the binary. N extra nodes
// sim-0 … sim-<N-1> register and heartbeat like real ones (a NodeAgent each, with fixed
// capacity, the label minik.io/simulated=true and the taint minik.io/simulated=true:NoSchedule),
// and one "simulated kubelet" serves every pod bound to them without running anything:
//  - a pod that is not terminating and not yet Running gets, in one status write, phase
//    Running, a pod IP from its node's pod CIDR, startTime, running+ready container
//    statuses (init containers terminated Completed) and conditions PodScheduled,
//    Initialized, ContainersReady and Ready True;
//  - a terminating pod is removed at once (grace period 0, uid precondition), as a kubelet
//    whose containers exit immediately.
// Threads: the pod informer's thread (shared or its own), plus
// `workers` threads writing statuses; each NodeAgent has its heartbeat thread.
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/status.h"

namespace minik {

struct SimulatedNodesOptions {
  int count = 0;
  std::string real_node;            // the profile's own node (its pods are not ours)
  std::string name_prefix = "sim-";
  // Node i gets pod CIDR 10.<second_octet + i / 256>.<i % 256>.0/24 (never routed: simulated
  // pods receive no traffic) and InternalIP 10.255.<(i + 1) / 256>.<(i + 1) % 256>.
  int pod_cidr_second_octet = 128;
  int workers = 4;
  // Informers shared with other components (the pod cache). Null: its own pod informer.
  // A shared factory must be stopped before SimulatedNodes is destroyed.
  SharedInformerFactory* informers = nullptr;
};

class SimulatedNodes {
 public:
  virtual ~SimulatedNodes() = default;
  // Registers the nodes (each Ready) and starts serving their pods.
  virtual Status Start() = 0;
  virtual void Stop() = 0;
};

std::unique_ptr<SimulatedNodes> NewSimulatedNodes(Client& client, Clock& clock,
                                                  const SimulatedNodesOptions& options);

// Deletes the Node objects of simulated nodes (label minik.io/simulated=true) that this
// start does not run (a restart with fewer or no --simulated-nodes), and their pods.
Status RemoveStaleSimulatedNodes(Client& client, const SimulatedNodesOptions& options);

// The name of simulated node `i` ("sim-3").
std::string SimulatedNodeName(const SimulatedNodesOptions& options, int i);

}  // namespace minik
