// Scoring: NodeResourcesFit (LeastAllocated, cpu and memory weight 1 each),
// NodeResourcesBalancedAllocation, and the weighted sum of every score plugin of the default
// profile (pkg/scheduler/apis/config/v1/default_plugins.go).
#include <cmath>

#include "scheduler/framework.h"

namespace minik::sched {

namespace {

int64_t LeastRequested(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

}  // namespace

std::vector<int64_t> ScoreLeastAllocated(const Json& pod,
                                         const std::vector<const NodeInfo*>& nodes) {
  Resources req = PodNonZeroRequests(pod);
  std::vector<int64_t> scores(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& n = *nodes[i];
    int64_t score = 0, weights = 0;
    if (n.allocatable.milli_cpu > 0) {
      score += LeastRequested(n.non_zero_requested.milli_cpu + req.milli_cpu,
                              n.allocatable.milli_cpu);
      ++weights;
    }
    if (n.allocatable.memory > 0) {
      score += LeastRequested(n.non_zero_requested.memory + req.memory, n.allocatable.memory);
      ++weights;
    }
    scores[i] = weights == 0 ? 0 : score / weights;
  }
  return scores;
}

std::vector<int64_t> ScoreBalancedAllocation(const Json& pod,
                                             const std::vector<const NodeInfo*>& nodes) {
  Resources req = PodRequests(pod);
  std::vector<int64_t> scores(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& n = *nodes[i];
    std::vector<double> fractions;
    auto add = [&](int64_t requested, int64_t allocatable) {
      if (allocatable == 0) return;
      fractions.push_back(std::min(1.0, static_cast<double>(requested) /
                                            static_cast<double>(allocatable)));
    };
    add(n.requested.milli_cpu + req.milli_cpu, n.allocatable.milli_cpu);
    add(n.requested.memory + req.memory, n.allocatable.memory);
    double std_dev = fractions.size() == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0;
    scores[i] = static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
  }
  return scores;
}

std::vector<int64_t> ScoreNodes(const Json& pod, const std::vector<const NodeInfo*>& nodes,
                                const Snapshot& snap, const CycleState& state) {
  std::vector<int64_t> total(nodes.size(), 0);
  auto add = [&](const std::vector<int64_t>& scores, int64_t weight) {
    for (size_t i = 0; i < nodes.size(); ++i) total[i] += scores[i] * weight;
  };
  add(ScoreTaintToleration(pod, nodes), 3);
  add(ScoreNodeAffinity(pod, nodes), 2);
  add(ScorePodTopologySpread(pod, nodes, snap, state), 2);
  add(ScoreInterPodAffinity(pod, nodes, snap), 2);
  add(ScoreLeastAllocated(pod, nodes), 1);
  add(ScoreBalancedAllocation(pod, nodes), 1);
  return total;
}

}  // namespace minik::sched
