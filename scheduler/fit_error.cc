// framework.FitError.Error() and DefaultPreemption's PostFilter message: nodes rejected as
// UnschedulableAndUnresolvable are "not helpful", the others carry the dry run's reasons
// (Diagnosis::preemption_reasons), "No preemption victims found" by default.
#include <algorithm>

#include "scheduler/framework.h"

namespace minik::sched {

namespace {

std::string Histogram(const std::map<std::string, int>& reasons) {
  std::vector<std::string> parts;
  for (const auto& [reason, count] : reasons) parts.push_back(std::to_string(count) + " " + reason);
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

std::string FitErrorMessage(const Diagnosis& d, const Json& pod) {
  std::string msg = "0/" + std::to_string(d.num_nodes) + " nodes are available:";
  if (!d.pre_filter_msg.empty()) {
    msg += " " + d.pre_filter_msg + ".";
  } else {
    std::map<std::string, int> reasons;
    for (const auto& [node, status] : d.node_status) {
      for (const std::string& r : status.reasons) ++reasons[r];
    }
    std::string h = Histogram(reasons);
    if (!h.empty()) msg += " " + h + ".";
  }

  // PostFilter (DefaultPreemption).
  if (d.post_filter_msg) {
    return d.post_filter_msg->empty() ? msg : msg + " preemption: " + *d.post_filter_msg + ".";
  }
  if (GetString(pod, {"spec", "preemptionPolicy"}) == "Never") {
    return msg + " preemption: not eligible due to preemptionPolicy=Never..";
  }
  std::map<std::string, int> reasons;
  for (const auto& [node, status] : d.node_status) {
    if (!d.pre_filter_msg.empty() || status.code == PluginStatus::kUnresolvable) {
      ++reasons["Preemption is not helpful for scheduling"];
    } else if (auto it = d.preemption_reasons.find(node); it != d.preemption_reasons.end()) {
      for (const std::string& r : it->second) ++reasons[r];
    } else {
      ++reasons["No preemption victims found for incoming pod"];
    }
  }
  // Nodes without a status (none here, upstream's absent nodes) count as not helpful.
  int absent = d.num_nodes - static_cast<int>(d.node_status.size());
  if (absent > 0) reasons["Preemption is not helpful for scheduling"] += absent;
  std::string h = Histogram(reasons);
  msg += " preemption: 0/" + std::to_string(d.num_nodes) + " nodes are available:";
  if (!h.empty()) msg += " " + h + ".";
  return msg;
}

}  // namespace minik::sched
