// DefaultPreemption, basic (plugins/defaultpreemption + framework/preemption): when a pod
// fits nowhere, find nodes where evicting lower-priority pods would make it fit, choose one,
// and name the victims. PodDisruptionBudgets and nominated pods of other preemptors are not
// considered (minik has no PDB enforcement in the scheduler).
//
// SelectVictims follows SelectVictimsOnNode: remove every lower-priority pod, check the pod
// fits, then reprieve victims from the highest priority down while it still fits. The node
// is chosen as pickOneNodeForPreemption does without PDBs: the lowest highest-victim
// priority, then the smallest sum of priorities, then the fewest victims, then by name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scheduler/framework.h"

namespace minik::sched {

struct PreemptionCandidate {
  std::string node;
  std::vector<PodPtr> victims;
};

// spec.priority (0 when unset).
int64_t PodPriority(const Json& pod);

// PodEligibleToPreemptOthers: "" when eligible, else upstream's message ("not eligible due to
// preemptionPolicy=Never.", "not eligible due to a terminating pod on the nominated node.").
std::string PreemptionIneligibility(const Json& pod, const Snapshot& snap,
                                    const Diagnosis& diag);

// Evaluates every node the filters rejected as kUnschedulable. Nodes where preemption does
// not help get their reasons in diag->preemption_reasons ("No preemption victims found for
// incoming pod" when there is nothing to evict). Returns the chosen candidate, if any.
std::optional<PreemptionCandidate> FindPreemptionCandidate(const Json& pod, const Snapshot& snap,
                                                           const CycleState& state,
                                                           Diagnosis* diag);

inline constexpr const char* kErrNoVictims = "No preemption victims found for incoming pod";
inline constexpr const char* kPreemptionReason = "PreemptionByScheduler";

}  // namespace minik::sched
