#include "scheduler/preemption.h"

#include <algorithm>
#include <climits>
#include <tuple>

namespace minik::sched {

namespace {

bool TerminatingByPreemption(const Json& pod) {
  if (!Find(pod, {"metadata", "deletionTimestamp"})) return false;
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds) {
    if (GetString(c, {"type"}) == "DisruptionTarget" &&
        GetString(c, {"reason"}) == kPreemptionReason)
      return true;
  }
  return false;
}

NodeInfo Rebuild(const NodeInfo& base, const std::vector<PodPtr>& pods) {
  NodeInfo n(base.node);
  for (const PodPtr& p : pods) n.AddPod(p);
  return n;
}

}  // namespace

int64_t PodPriority(const Json& pod) { return GetInt(pod, {"spec", "priority"}, 0); }

std::string PreemptionIneligibility(const Json& pod, const Snapshot& snap, const Diagnosis& diag) {
  if (GetString(pod, {"spec", "preemptionPolicy"}) == "Never") {
    return "not eligible due to preemptionPolicy=Never.";
  }
  std::string nominated = GetString(pod, {"status", "nominatedNodeName"});
  if (nominated.empty()) return "";
  auto st = diag.node_status.find(nominated);
  if (st != diag.node_status.end() && st->second.code == PluginStatus::kUnresolvable) return "";
  if (const NodeInfo* n = snap.Find(nominated)) {
    int64_t priority = PodPriority(pod);
    for (const PodPtr& p : n->pods) {
      if (PodPriority(*p) < priority && TerminatingByPreemption(*p)) {
        return "not eligible due to a terminating pod on the nominated node.";
      }
    }
  }
  return "";
}

std::optional<PreemptionCandidate> FindPreemptionCandidate(const Json& pod, const Snapshot& snap,
                                                           const CycleState& state,
                                                           Diagnosis* diag) {
  const int64_t priority = PodPriority(pod);
  std::optional<PreemptionCandidate> best;
  std::tuple<int64_t, int64_t, size_t, std::string> best_key;
  for (const NodeInfo& n : snap.nodes) {
    auto st = diag->node_status.find(n.name);
    if (st == diag->node_status.end() || st->second.code != PluginStatus::kUnschedulable) continue;
    std::vector<PodPtr> kept, victims;
    for (const PodPtr& p : n.pods) {
      (PodPriority(*p) < priority ? victims : kept).push_back(p);
    }
    if (victims.empty()) {
      diag->preemption_reasons[n.name] = {kErrNoVictims};
      continue;
    }
    PluginStatus fits = RunFilters(pod, Rebuild(n, kept), snap, state);
    if (!fits.ok()) {
      diag->preemption_reasons[n.name] = fits.reasons;
      continue;
    }
    // Reprieve as many as possible, most important first.
    std::stable_sort(victims.begin(), victims.end(), [](const PodPtr& a, const PodPtr& b) {
      return PodPriority(*a) > PodPriority(*b);
    });
    std::vector<PodPtr> chosen;
    for (const PodPtr& v : victims) {
      kept.push_back(v);
      if (!RunFilters(pod, Rebuild(n, kept), snap, state).ok()) {
        kept.pop_back();
        chosen.push_back(v);
      }
    }
    if (chosen.empty()) continue;  // fits without evicting anyone (should not happen)
    int64_t highest = LLONG_MIN, sum = 0;
    for (const PodPtr& v : chosen) {
      highest = std::max(highest, PodPriority(*v));
      // Upstream shifts each priority by MaxInt32+1 so that the sum stays positive.
      sum += PodPriority(*v) + static_cast<int64_t>(INT_MAX) + 1;
    }
    auto key = std::make_tuple(highest, sum, chosen.size(), n.name);
    if (!best || key < best_key) {
      best = PreemptionCandidate{n.name, std::move(chosen)};
      best_key = key;
    }
  }
  return best;
}

}  // namespace minik::sched
