// The scheduling framework's data (framework.NodeInfo, Status, Diagnosis) and the pure
// plugin functions of the default profile. Everything here is a function of JSON objects
// (pods, nodes) and a Snapshot, with no I/O, so each filter and score is unit-tested alone.
//
// Statuses follow upstream's codes: kUnschedulable (preemption might help) and
// kUnresolvable (UnschedulableAndUnresolvable: preemption cannot help). The reason strings
// are upstream's, word for word, since users read them in `kubectl describe pod`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "api/json.h"
#include "scheduler/resources.h"

namespace minik::sched {

using PodPtr = std::shared_ptr<const Json>;

struct HostPort {
  std::string ip;  // "" or "0.0.0.0": every address
  std::string protocol;
  int64_t port = 0;
  bool operator<(const HostPort& o) const {
    return std::tie(ip, protocol, port) < std::tie(o.ip, o.protocol, o.port);
  }
};

// What a placed pod takes from its node, computed once per pod object.
struct PodResources {
  Resources requests;
  Resources non_zero_requests;
  std::vector<HostPort> ports;
};
PodResources ComputePodResources(const Json& pod);

// A node and the pods assigned to it (bound or assumed, not terminal).
struct NodeInfo {
  explicit NodeInfo(PodPtr node);
  void AddPod(PodPtr pod);
  void AddPod(PodPtr pod, const PodResources& r);
  const std::string& Name() const { return name; }

  PodPtr node;
  std::string name;
  std::vector<PodPtr> pods;
  Resources allocatable;
  Resources requested;           // sum of PodRequests
  Resources non_zero_requested;  // sum of PodNonZeroRequests (scoring)
  std::vector<HostPort> used_ports;
  // Matching-pod counts by namespace + label selector, memoized for the topology spread
  // plugins, which count every node's pods for every pod they score. Copies of a NodeInfo
  // share it (cycles are serialized); AddPod starts a fresh one.
  std::shared_ptr<std::map<std::string, int64_t>> match_counts =
      std::make_shared<std::map<std::string, int64_t>>();
};

// The pod has podAffinity or podAntiAffinity terms.
bool HasPodAffinity(const Json& pod);

// All nodes (sorted by name) and what the inter-pod plugins need beyond them.
struct Snapshot {
  std::vector<NodeInfo> nodes;
  // Labels of each namespace, for namespaceSelector in pod affinity terms. Missing
  // namespaces have no labels.
  std::map<std::string, Json> namespace_labels;
  // Pods with podAffinity/podAntiAffinity and the index of their node (filled by Index()).
  std::vector<std::pair<size_t, PodPtr>> pods_with_affinity;

  // Sorts nodes by name and fills pods_with_affinity; call after adding nodes and pods.
  void Index();
  const NodeInfo* Find(const std::string& name) const;
  const Json& NamespaceLabels(const std::string& ns) const;
};

struct PluginStatus {
  enum Code { kSuccess, kUnschedulable, kUnresolvable, kError };
  Code code = kSuccess;
  std::vector<std::string> reasons;
  std::string plugin;

  bool ok() const { return code == kSuccess; }
  static PluginStatus Success() { return {}; }
  static PluginStatus Fail(Code code, std::string plugin, std::vector<std::string> reasons) {
    return {code, std::move(reasons), std::move(plugin)};
  }
};

// ---- filters (plugins' Filter) ---------------------------------------------------------------

inline constexpr const char* kErrNodeName = "node(s) didn't match the requested node name";
inline constexpr const char* kErrUnschedulable = "node(s) were unschedulable";
inline constexpr const char* kErrNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
inline constexpr const char* kErrNodePorts =
    "node(s) didn't have free ports for the requested pod ports";
inline constexpr const char* kErrPodAffinity = "node(s) didn't match pod affinity rules";
inline constexpr const char* kErrPodAntiAffinity = "node(s) didn't match pod anti-affinity rules";
inline constexpr const char* kErrExistingAntiAffinity =
    "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr const char* kErrTopologySpread =
    "node(s) didn't match pod topology spread constraints";
inline constexpr const char* kErrTopologySpreadLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
inline constexpr const char* kErrVolumeNodeAffinity = "node(s) had volume node affinity conflict";
inline constexpr const char* kErrPvNotExist =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

PluginStatus FilterNodeName(const Json& pod, const NodeInfo& node);
PluginStatus FilterNodeUnschedulable(const Json& pod, const NodeInfo& node);
PluginStatus FilterNodeAffinity(const Json& pod, const NodeInfo& node);
PluginStatus FilterTaintToleration(const Json& pod, const NodeInfo& node);
PluginStatus FilterNodeResourcesFit(const Json& pod, const NodeInfo& node);
PluginStatus FilterNodePorts(const Json& pod, const NodeInfo& node);
PluginStatus FilterInterPodAffinity(const Json& pod, const NodeInfo& node, const Snapshot& snap);
PluginStatus FilterPodTopologySpread(const Json& pod, const NodeInfo& node, const Snapshot& snap);
struct CycleState;
// VolumeBinding's per-node part: every bound PV's spec.nodeAffinity.required matches.
PluginStatus FilterVolumeBinding(const CycleState& state, const NodeInfo& node);

// What the scheduler computes once per pod before filtering and scoring (upstream's
// PreFilter/PreScore state that needs the API: volumes and the default spreading selector).
struct CycleState {
  std::vector<Json> pv_node_selectors;  // spec.nodeAffinity.required of the pod's bound PVs
  bool pv_missing = false;              // a claim is bound to a PV that does not exist
  // DefaultSelector: a metav1.LabelSelector for the pods of the same services/controller;
  // null when nothing selects the pod (no default spreading then).
  Json default_spread_selector;
};

// Every filter above in upstream's order (NodeUnschedulable, NodeName, TaintToleration,
// NodeAffinity, NodePorts, NodeResourcesFit, VolumeBinding, PodTopologySpread,
// InterPodAffinity); stops at the first failure, as the framework does.
PluginStatus RunFilters(const Json& pod, const NodeInfo& node, const Snapshot& snap,
                        const CycleState& state = {});

// ---- helpers shared by filters, scores and the taint-eviction controller ----------------------

// v1helper.MatchNodeSelectorTerms: one nodeSelectorTerm (matchExpressions AND matchFields)
// matching; an empty term matches nothing.
bool NodeSelectorTermMatches(const Json& term, const Json& node);
// nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both match.
bool PodMatchesNodeSelectorAndAffinity(const Json& pod, const Json& node);
// NodeAffinity's PreFilter: when every required term names nodes with matchFields
// metadata.name In (as DaemonSet pods do), the union of those names; nullopt: all nodes.
// An empty set means the terms conflict (PreFilter fails with kErrAffinityConflict).
std::optional<std::set<std::string>> NodeAffinityPreFilterNames(const Json& pod);
inline constexpr const char* kErrAffinityConflict = "pod affinity terms conflict";
// The status of nodes left out by a PreFilter result.
inline constexpr const char* kErrPreFilterNodeAffinity =
    "node(s) didn't satisfy plugin(s) [NodeAffinity]";
// A toleration (from pod.spec.tolerations) tolerating a taint (ToleratesTaint).
bool TolerationToleratesTaint(const Json& toleration, const Json& taint);
// The first taint with one of `effects` not tolerated by any of `tolerations`, or nullptr.
const Json* FindUntoleratedTaint(const Json& taints, const Json& tolerations,
                                 const std::set<std::string>& effects);
// The host ports a pod asks for (containers' ports with hostPort > 0).
std::vector<HostPort> PodHostPorts(const Json& pod);

// ---- scores (plugins' Score + NormalizeScore, weighted) ---------------------------------------

inline constexpr int64_t kMaxNodeScore = 100;

// Weighted total per feasible node (same order as `nodes`), as the default profile weighs
// them: NodeResourcesFit 1, NodeResourcesBalancedAllocation 1, NodeAffinity 2,
// TaintToleration 3, InterPodAffinity 2, PodTopologySpread 2 (incl. the default spreading).
std::vector<int64_t> ScoreNodes(const Json& pod, const std::vector<const NodeInfo*>& nodes,
                                const Snapshot& snap, const CycleState& state = {});

// The individual plugins, each normalized to [0, 100] over `nodes`.
std::vector<int64_t> ScoreLeastAllocated(const Json& pod, const std::vector<const NodeInfo*>& nodes);
std::vector<int64_t> ScoreBalancedAllocation(const Json& pod,
                                             const std::vector<const NodeInfo*>& nodes);
std::vector<int64_t> ScoreNodeAffinity(const Json& pod, const std::vector<const NodeInfo*>& nodes);
std::vector<int64_t> ScoreTaintToleration(const Json& pod,
                                          const std::vector<const NodeInfo*>& nodes);
std::vector<int64_t> ScoreInterPodAffinity(const Json& pod,
                                           const std::vector<const NodeInfo*>& nodes,
                                           const Snapshot& snap);
// Explicit ScheduleAnyway constraints, or, when the pod has no constraints at all, the
// system defaults (hostname maxSkew 3, zone maxSkew 5) over state.default_spread_selector.
std::vector<int64_t> ScorePodTopologySpread(const Json& pod,
                                            const std::vector<const NodeInfo*>& nodes,
                                            const Snapshot& snap, const CycleState& state);

// ---- FitError -------------------------------------------------------------------------------

// The scheduling failure's message, as framework.FitError.Error() plus DefaultPreemption's
// PostFilter message ("preemption: 0/N nodes are available: ...").
struct Diagnosis {
  int num_nodes = 0;
  std::string pre_filter_msg;  // a PreFilter rejection (same status for every node)
  PluginStatus::Code pre_filter_code = PluginStatus::kSuccess;
  std::map<std::string, PluginStatus> node_status;  // by node name
  // Per node, the preemption dry run's reasons (FindPreemptionCandidate fills it); nodes
  // without an entry read "No preemption victims found for incoming pod".
  std::map<std::string, std::vector<std::string>> preemption_reasons;
  // Set when the PostFilter decided the message itself: "" after a successful preemption
  // (no suffix), or an ineligibility message ("not eligible due to ...").
  std::optional<std::string> post_filter_msg;
};
std::string FitErrorMessage(const Diagnosis& d, const Json& pod);

}  // namespace minik::sched
