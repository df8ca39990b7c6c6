#include "scheduler/framework.h"

#include <algorithm>

namespace minik::sched {

namespace {

const Json kNullJson;

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v ? *v : kNullJson;
}

}  // namespace

bool HasPodAffinity(const Json& pod) {
  const Json& a = At(pod, {"spec", "affinity"});
  return a.is_object() && (a.contains("podAffinity") || a.contains("podAntiAffinity"));
}

NodeInfo::NodeInfo(PodPtr n) : node(std::move(n)) {
  name = minik::Name(*node);
  allocatable = NodeAllocatable(*node);
}

PodResources ComputePodResources(const Json& pod) {
  return {PodRequests(pod), PodNonZeroRequests(pod), PodHostPorts(pod)};
}

void NodeInfo::AddPod(PodPtr pod) {
  PodResources r = ComputePodResources(*pod);
  AddPod(std::move(pod), r);
}

void NodeInfo::AddPod(PodPtr pod, const PodResources& r) {
  requested.Add(r.requests);
  non_zero_requested.Add(r.non_zero_requests);
  used_ports.insert(used_ports.end(), r.ports.begin(), r.ports.end());
  pods.push_back(std::move(pod));
  match_counts = std::make_shared<std::map<std::string, int64_t>>();
}

void Snapshot::Index() {
  std::sort(nodes.begin(), nodes.end(),
            [](const NodeInfo& a, const NodeInfo& b) { return a.name < b.name; });
  pods_with_affinity.clear();
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const PodPtr& p : nodes[i].pods) {
      if (HasPodAffinity(*p)) pods_with_affinity.emplace_back(i, p);
    }
  }
}

const NodeInfo* Snapshot::Find(const std::string& name) const {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), name,
                             [](const NodeInfo& n, const std::string& v) { return n.name < v; });
  return it != nodes.end() && it->name == name ? &*it : nullptr;
}

const Json& Snapshot::NamespaceLabels(const std::string& ns) const {
  static const Json kEmpty = Json::object();
  auto it = namespace_labels.find(ns);
  return it == namespace_labels.end() ? kEmpty : it->second;
}

// ---- NodeName, NodeUnschedulable --------------------------------------------------------------

PluginStatus FilterNodeName(const Json& pod, const NodeInfo& node) {
  std::string want = GetString(pod, {"spec", "nodeName"});
  if (want.empty() || want == node.name) return PluginStatus::Success();
  return PluginStatus::Fail(PluginStatus::kUnresolvable, "NodeName", {kErrNodeName});
}

PluginStatus FilterNodeUnschedulable(const Json& pod, const NodeInfo& node) {
  const Json& unsched = At(*node.node, {"spec", "unschedulable"});
  if (!unsched.is_boolean() || !unsched.get<bool>()) return PluginStatus::Success();
  Json taint = {{"key", "node.kubernetes.io/unschedulable"}, {"effect", "NoSchedule"}};
  const Json& tolerations = At(pod, {"spec", "tolerations"});
  if (tolerations.is_array()) {
    for (const Json& t : tolerations) {
      if (TolerationToleratesTaint(t, taint)) return PluginStatus::Success();
    }
  }
  return PluginStatus::Fail(PluginStatus::kUnresolvable, "NodeUnschedulable",
                            {kErrUnschedulable});
}

// ---- TaintToleration --------------------------------------------------------------------------

bool TolerationToleratesTaint(const Json& toleration, const Json& taint) {
  std::string effect = GetString(toleration, {"effect"});
  if (!effect.empty() && effect != GetString(taint, {"effect"})) return false;
  std::string key = GetString(toleration, {"key"});
  if (!key.empty() && key != GetString(taint, {"key"})) return false;
  std::string op = GetString(toleration, {"operator"});
  if (op.empty() || op == "Equal") {
    return GetString(toleration, {"value"}) == GetString(taint, {"value"});
  }
  return op == "Exists";
}

const Json* FindUntoleratedTaint(const Json& taints, const Json& tolerations,
                                 const std::set<std::string>& effects) {
  if (!taints.is_array()) return nullptr;
  for (const Json& taint : taints) {
    if (!effects.count(GetString(taint, {"effect"}))) continue;
    bool tolerated = false;
    if (tolerations.is_array()) {
      for (const Json& t : tolerations) {
        if (TolerationToleratesTaint(t, taint)) {
          tolerated = true;
          break;
        }
      }
    }
    if (!tolerated) return &taint;
  }
  return nullptr;
}

PluginStatus FilterTaintToleration(const Json& pod, const NodeInfo& node) {
  const Json* taint = FindUntoleratedTaint(At(*node.node, {"spec", "taints"}),
                                           At(pod, {"spec", "tolerations"}),
                                           {"NoSchedule", "NoExecute"});
  if (!taint) return PluginStatus::Success();
  return PluginStatus::Fail(PluginStatus::kUnresolvable, "TaintToleration",
                            {"node(s) had untolerated taint {" + GetString(*taint, {"key"}) +
                             ": " + GetString(*taint, {"value"}) + "}"});
}

// ---- NodeResourcesFit -------------------------------------------------------------------------

PluginStatus FilterNodeResourcesFit(const Json& pod, const NodeInfo& node) {
  std::vector<std::string> reasons;
  bool unresolvable = false;
  if (static_cast<int64_t>(node.pods.size()) + 1 > node.allocatable.pods) {
    reasons.push_back("Too many pods");
  }
  Resources req = PodRequests(pod);
  if (!req.IsZero()) {
    const Resources& alloc = node.allocatable;
    const Resources& used = node.requested;
    auto check = [&](int64_t want, int64_t have, int64_t in_use, const std::string& name) {
      if (want > 0 && want > have - in_use) {
        reasons.push_back("Insufficient " + name);
        if (want > have) unresolvable = true;
      }
    };
    check(req.milli_cpu, alloc.milli_cpu, used.milli_cpu, "cpu");
    check(req.memory, alloc.memory, used.memory, "memory");
    check(req.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage,
          "ephemeral-storage");
    for (const auto& [name, want] : req.scalar) {
      auto have = alloc.scalar.find(name);
      auto in_use = used.scalar.find(name);
      check(want, have == alloc.scalar.end() ? 0 : have->second,
            in_use == used.scalar.end() ? 0 : in_use->second, name);
    }
  }
  if (reasons.empty()) return PluginStatus::Success();
  return PluginStatus::Fail(unresolvable ? PluginStatus::kUnresolvable : PluginStatus::kUnschedulable,
                            "NodeResourcesFit", std::move(reasons));
}

// ---- NodePorts --------------------------------------------------------------------------------

std::vector<HostPort> PodHostPorts(const Json& pod) {
  std::vector<HostPort> out;
  for (const char* list : {"initContainers", "containers"}) {
    const Json& cs = At(pod, {"spec", list});
    if (!cs.is_array()) continue;
    for (const Json& c : cs) {
      // Init containers hold ports only while running as sidecars.
      if (std::string(list) == "initContainers" && GetString(c, {"restartPolicy"}) != "Always")
        continue;
      const Json& ports = At(c, {"ports"});
      if (!ports.is_array()) continue;
      for (const Json& p : ports) {
        int64_t host_port = GetInt(p, {"hostPort"});
        if (host_port <= 0) continue;
        HostPort hp;
        hp.port = host_port;
        hp.protocol = GetString(p, {"protocol"});
        if (hp.protocol.empty()) hp.protocol = "TCP";
        hp.ip = GetString(p, {"hostIP"});
        if (hp.ip.empty()) hp.ip = "0.0.0.0";
        out.push_back(std::move(hp));
      }
    }
  }
  return out;
}

PluginStatus FilterNodePorts(const Json& pod, const NodeInfo& node) {
  for (const HostPort& want : PodHostPorts(pod)) {
    for (const HostPort& used : node.used_ports) {
      if (want.port != used.port || want.protocol != used.protocol) continue;
      if (want.ip == used.ip || want.ip == "0.0.0.0" || used.ip == "0.0.0.0") {
        return PluginStatus::Fail(PluginStatus::kUnschedulable, "NodePorts", {kErrNodePorts});
      }
    }
  }
  return PluginStatus::Success();
}

// ---- VolumeBinding (per node) -----------------------------------------------------------------

PluginStatus FilterVolumeBinding(const CycleState& state, const NodeInfo& node) {
  if (state.pv_missing) {
    return PluginStatus::Fail(PluginStatus::kUnresolvable, "VolumeBinding", {kErrPvNotExist});
  }
  for (const Json& selector : state.pv_node_selectors) {
    const Json& terms = At(selector, {"nodeSelectorTerms"});
    bool matched = false;
    if (terms.is_array()) {
      for (const Json& term : terms) {
        if (NodeSelectorTermMatches(term, *node.node)) {
          matched = true;
          break;
        }
      }
    }
    if (!matched) {
      return PluginStatus::Fail(PluginStatus::kUnresolvable, "VolumeBinding",
                                {kErrVolumeNodeAffinity});
    }
  }
  return PluginStatus::Success();
}

// ---- all filters ------------------------------------------------------------------------------

PluginStatus RunFilters(const Json& pod, const NodeInfo& node, const Snapshot& snap,
                        const CycleState& state) {
  PluginStatus s = FilterNodeUnschedulable(pod, node);
  if (s.ok()) s = FilterNodeName(pod, node);
  if (s.ok()) s = FilterTaintToleration(pod, node);
  if (s.ok()) s = FilterNodeAffinity(pod, node);
  if (s.ok()) s = FilterNodePorts(pod, node);
  if (s.ok()) s = FilterNodeResourcesFit(pod, node);
  if (s.ok()) s = FilterVolumeBinding(state, node);
  if (s.ok()) s = FilterPodTopologySpread(pod, node, snap);
  if (s.ok()) s = FilterInterPodAffinity(pod, node, snap);
  return s;
}

}  // namespace minik::sched
