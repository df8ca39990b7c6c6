// The node-level filters as pure functions, with upstream's reason strings.
#include <gtest/gtest.h>

#include "scheduler/framework.h"
#include "tests/scheduler/test_objects.h"

namespace minik::sched {
namespace {

using namespace testing;  // NOLINT

NodeInfo Info(const Json& node) { return NodeInfo(Ptr(node)); }

TEST(NodeNameTest, MatchesOnlyTheRequestedNode) {
  NodeInfo n = Info(MakeNode("a"));
  EXPECT_TRUE(FilterNodeName(MakePod("p"), n).ok());
  EXPECT_TRUE(FilterNodeName(On(MakePod("p"), "a"), n).ok());
  PluginStatus s = FilterNodeName(On(MakePod("p"), "b"), n);
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) didn't match the requested node name"});
}

TEST(NodeUnschedulableTest, CordonedNodeUnlessTolerated) {
  Json node = MakeNode("a");
  node["spec"]["unschedulable"] = true;
  PluginStatus s = FilterNodeUnschedulable(MakePod("p"), Info(node));
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) were unschedulable"});
  Json pod = MakePod("p");
  pod["spec"]["tolerations"] = Json::array(
      {{{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"},
        {"effect", "NoSchedule"}}});
  EXPECT_TRUE(FilterNodeUnschedulable(pod, Info(node)).ok());
  node["spec"]["unschedulable"] = false;
  EXPECT_TRUE(FilterNodeUnschedulable(MakePod("p"), Info(node)).ok());
}

TEST(NodeAffinityTest, NodeSelector) {
  Json pod = MakePod("p");
  pod["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  EXPECT_TRUE(FilterNodeAffinity(pod, Info(MakeNode("a", "4", "8Gi", 110, {{"disk", "ssd"}}))).ok());
  PluginStatus s = FilterNodeAffinity(pod, Info(MakeNode("b", "4", "8Gi", 110, {{"disk", "hdd"}})));
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
  EXPECT_FALSE(FilterNodeAffinity(pod, Info(MakeNode("c"))).ok());
}

Json WithRequired(Json pod, Json terms) {
  pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {"nodeSelectorTerms", terms}};
  return pod;
}

TEST(NodeAffinityTest, Operators) {
  Json node = MakeNode("a", "4", "8Gi", 110, {{"zone", "z1"}, {"gen", "5"}});
  auto matches = [&](Json expr) {
    Json pod = WithRequired(MakePod("p"), Json::array({{{"matchExpressions", {expr}}}}));
    return FilterNodeAffinity(pod, Info(node)).ok();
  };
  EXPECT_TRUE(matches({{"key", "zone"}, {"operator", "In"}, {"values", {"z1", "z2"}}}));
  EXPECT_FALSE(matches({{"key", "zone"}, {"operator", "In"}, {"values", {"z2"}}}));
  EXPECT_TRUE(matches({{"key", "zone"}, {"operator", "NotIn"}, {"values", {"z2"}}}));
  EXPECT_FALSE(matches({{"key", "zone"}, {"operator", "NotIn"}, {"values", {"z1"}}}));
  EXPECT_TRUE(matches({{"key", "absent"}, {"operator", "NotIn"}, {"values", {"x"}}}));
  EXPECT_TRUE(matches({{"key", "zone"}, {"operator", "Exists"}}));
  EXPECT_FALSE(matches({{"key", "absent"}, {"operator", "Exists"}}));
  EXPECT_TRUE(matches({{"key", "absent"}, {"operator", "DoesNotExist"}}));
  EXPECT_FALSE(matches({{"key", "zone"}, {"operator", "DoesNotExist"}}));
  EXPECT_TRUE(matches({{"key", "gen"}, {"operator", "Gt"}, {"values", {"4"}}}));
  EXPECT_FALSE(matches({{"key", "gen"}, {"operator", "Gt"}, {"values", {"5"}}}));
  EXPECT_TRUE(matches({{"key", "gen"}, {"operator", "Lt"}, {"values", {"6"}}}));
  EXPECT_FALSE(matches({{"key", "zone"}, {"operator", "Lt"}, {"values", {"6"}}}));  // not a number
  EXPECT_FALSE(matches({{"key", "gen"}, {"operator", "Gt"}, {"values", {"x"}}}));
  EXPECT_FALSE(matches({{"key", "gen"}, {"operator", "Bogus"}, {"values", {"5"}}}));
}

TEST(NodeAffinityTest, TermsAreOredExpressionsAnded) {
  Json node = MakeNode("a", "4", "8Gi", 110, {{"zone", "z1"}});
  Json in_z1 = {{"key", "zone"}, {"operator", "In"}, {"values", {"z1"}}};
  Json in_z2 = {{"key", "zone"}, {"operator", "In"}, {"values", {"z2"}}};
  EXPECT_TRUE(FilterNodeAffinity(WithRequired(MakePod("p"),
                                              Json::array({{{"matchExpressions", {in_z2}}},
                                                           {{"matchExpressions", {in_z1}}}})),
                                 Info(node)).ok());
  EXPECT_FALSE(FilterNodeAffinity(
      WithRequired(MakePod("p"), Json::array({{{"matchExpressions", {in_z1, in_z2}}}})),
      Info(node)).ok());
  // An empty term matches nothing; so do no terms.
  EXPECT_FALSE(FilterNodeAffinity(WithRequired(MakePod("p"), Json::array({Json::object()})),
                                  Info(node)).ok());
  EXPECT_FALSE(FilterNodeAffinity(WithRequired(MakePod("p"), Json::array()), Info(node)).ok());
}

TEST(NodeAffinityTest, MatchFieldsMetadataName) {
  auto pod = [](const std::string& op, const std::string& key = "metadata.name") {
    return WithRequired(MakePod("p"),
                        Json::array({{{"matchFields", Json::array({{{"key", key},
                                                                     {"operator", op},
                                                                     {"values", {"a"}}}})}}}));
  };
  EXPECT_TRUE(FilterNodeAffinity(pod("In"), Info(MakeNode("a"))).ok());
  EXPECT_FALSE(FilterNodeAffinity(pod("In"), Info(MakeNode("b"))).ok());
  EXPECT_TRUE(FilterNodeAffinity(pod("NotIn"), Info(MakeNode("b"))).ok());
  EXPECT_FALSE(FilterNodeAffinity(pod("In", "metadata.uid"), Info(MakeNode("a"))).ok());
  EXPECT_FALSE(FilterNodeAffinity(pod("Exists"), Info(MakeNode("a"))).ok());
}

TEST(NodeAffinityTest, PreFilterNodeNames) {
  auto fields = [](std::vector<std::string> names) {
    return Json{{"matchFields", Json::array({{{"key", "metadata.name"},
                                               {"operator", "In"},
                                               {"values", names}}})}};
  };
  EXPECT_FALSE(NodeAffinityPreFilterNames(MakePod("p")).has_value());
  // A DaemonSet pod: one node.
  auto names = NodeAffinityPreFilterNames(WithRequired(MakePod("p"), Json::array({fields({"a"})})));
  ASSERT_TRUE(names.has_value());
  EXPECT_EQ(*names, (std::set<std::string>{"a"}));
  // Terms are ORed: the union.
  names = NodeAffinityPreFilterNames(
      WithRequired(MakePod("p"), Json::array({fields({"a"}), fields({"b", "c"})})));
  EXPECT_EQ(*names, (std::set<std::string>{"a", "b", "c"}));
  // A term without names allows every node.
  Json labels_only = {{"matchExpressions",
                       Json::array({{{"key", "x"}, {"operator", "Exists"}}})}};
  EXPECT_FALSE(NodeAffinityPreFilterNames(
                   WithRequired(MakePod("p"), Json::array({fields({"a"}), labels_only})))
                   .has_value());
  // Requirements within a term are ANDed: disjoint names conflict.
  Json both = fields({"a"});
  both["matchFields"].push_back({{"key", "metadata.name"}, {"operator", "In"}, {"values", {"b"}}});
  names = NodeAffinityPreFilterNames(WithRequired(MakePod("p"), Json::array({both})));
  ASSERT_TRUE(names.has_value());
  EXPECT_TRUE(names->empty());
}

TEST(TaintTolerationTest, UntoleratedTaintsAndMessage) {
  Json node = MakeNode("a");
  node["spec"]["taints"] = Json::array({{{"key", "soft"}, {"effect", "PreferNoSchedule"}},
                                        {{"key", "dedicated"}, {"value", "gpu"},
                                         {"effect", "NoSchedule"}},
                                        {{"key", "cp"}, {"effect", "NoExecute"}}});
  PluginStatus s = FilterTaintToleration(MakePod("p"), Info(node));
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) had untolerated taint {dedicated: gpu}"});

  Json pod = MakePod("p");
  pod["spec"]["tolerations"] = Json::array({{{"key", "dedicated"}, {"value", "gpu"}}});
  s = FilterTaintToleration(pod, Info(node));
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) had untolerated taint {cp: }"});
  pod["spec"]["tolerations"].push_back({{"key", "cp"}, {"operator", "Exists"}, {"effect", "NoExecute"}});
  EXPECT_TRUE(FilterTaintToleration(pod, Info(node)).ok());
  // A wrong value or effect does not tolerate.
  pod["spec"]["tolerations"][0]["value"] = "cpu";
  EXPECT_FALSE(FilterTaintToleration(pod, Info(node)).ok());
  // An empty key with Exists tolerates everything.
  pod["spec"]["tolerations"] = Json::array({{{"operator", "Exists"}}});
  EXPECT_TRUE(FilterTaintToleration(pod, Info(node)).ok());
}

TEST(TolerationTest, ToleratesTaint) {
  Json taint = {{"key", "k"}, {"value", "v"}, {"effect", "NoSchedule"}};
  EXPECT_TRUE(TolerationToleratesTaint({{"key", "k"}, {"value", "v"}}, taint));
  EXPECT_TRUE(TolerationToleratesTaint({{"key", "k"}, {"operator", "Equal"}, {"value", "v"},
                                        {"effect", "NoSchedule"}}, taint));
  EXPECT_TRUE(TolerationToleratesTaint({{"key", "k"}, {"operator", "Exists"}}, taint));
  EXPECT_FALSE(TolerationToleratesTaint({{"key", "k"}, {"value", "w"}}, taint));
  EXPECT_FALSE(TolerationToleratesTaint({{"key", "k"}, {"operator", "Exists"},
                                         {"effect", "NoExecute"}}, taint));
  EXPECT_FALSE(TolerationToleratesTaint({{"key", "x"}, {"operator", "Exists"}}, taint));
  EXPECT_FALSE(TolerationToleratesTaint({{"key", "k"}, {"operator", "Bogus"}}, taint));
}

TEST(NodeResourcesFitTest, InsufficientResourcesInOrder) {
  Json node = MakeNode("a", "1", "1Gi", 110);
  node["status"]["allocatable"]["ephemeral-storage"] = "10Gi";
  Snapshot snap = MakeSnapshot({node}, {On(MakePod("old", "600m", "512Mi"), "a")});
  const NodeInfo& n = snap.nodes[0];
  EXPECT_TRUE(FilterNodeResourcesFit(MakePod("p", "400m", "512Mi"), n).ok());
  PluginStatus s = FilterNodeResourcesFit(MakePod("p", "500m", "600Mi"), n);
  EXPECT_EQ(s.code, PluginStatus::kUnschedulable);  // preemption could help
  EXPECT_EQ(s.reasons, (std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));
  // More than the whole node: preemption cannot help.
  s = FilterNodeResourcesFit(MakePod("p", "2"), n);
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"Insufficient cpu"});
  // Extended resources the node does not have.
  Json gpu = MakePod("p");
  gpu["spec"]["containers"][0]["resources"]["requests"]["example.com/gpu"] = "1";
  s = FilterNodeResourcesFit(gpu, n);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"Insufficient example.com/gpu"});
  Json eph = MakePod("p");
  eph["spec"]["containers"][0]["resources"]["requests"]["ephemeral-storage"] = "11Gi";
  EXPECT_EQ(FilterNodeResourcesFit(eph, n).reasons,
            std::vector<std::string>{"Insufficient ephemeral-storage"});
}

TEST(NodeResourcesFitTest, TooManyPodsAndBestEffort) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "1", "1Gi", 1)}, {On(MakePod("old"), "a")});
  PluginStatus s = FilterNodeResourcesFit(MakePod("p"), snap.nodes[0]);
  EXPECT_EQ(s.code, PluginStatus::kUnschedulable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"Too many pods"});
  Snapshot empty = MakeSnapshot({MakeNode("b", "1", "1Gi", 1)});
  EXPECT_TRUE(FilterNodeResourcesFit(MakePod("p"), empty.nodes[0]).ok());
}

TEST(NodeResourcesFitTest, InitContainersAndOverhead) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "2")});
  Json pod = MakePod("p", "1");
  pod["spec"]["initContainers"] =
      Json::array({{{"name", "i"}, {"resources", {{"requests", {{"cpu", "2"}}}}}}});
  EXPECT_TRUE(FilterNodeResourcesFit(pod, snap.nodes[0]).ok());  // max(1, 2) = 2
  pod["spec"]["overhead"] = {{"cpu", "1m"}};
  EXPECT_EQ(FilterNodeResourcesFit(pod, snap.nodes[0]).reasons,
            std::vector<std::string>{"Insufficient cpu"});
}

TEST(NodePortsTest, HostPortConflicts) {
  auto with_port = [](Json pod, int port, const std::string& ip = "",
                      const std::string& proto = "") {
    Json p = {{"containerPort", 80}, {"hostPort", port}};
    if (!ip.empty()) p["hostIP"] = ip;
    if (!proto.empty()) p["protocol"] = proto;
    pod["spec"]["containers"][0]["ports"] = Json::array({p});
    return pod;
  };
  Snapshot snap =
      MakeSnapshot({MakeNode("a")}, {On(with_port(MakePod("old"), 8080, "10.0.0.1"), "a")});
  const NodeInfo& n = snap.nodes[0];
  PluginStatus s = FilterNodePorts(with_port(MakePod("p"), 8080), n);  // 0.0.0.0 overlaps
  EXPECT_EQ(s.code, PluginStatus::kUnschedulable);
  EXPECT_EQ(s.reasons,
            std::vector<std::string>{"node(s) didn't have free ports for the requested pod ports"});
  EXPECT_FALSE(FilterNodePorts(with_port(MakePod("p"), 8080, "10.0.0.1"), n).ok());
  EXPECT_TRUE(FilterNodePorts(with_port(MakePod("p"), 8080, "10.0.0.2"), n).ok());
  EXPECT_TRUE(FilterNodePorts(with_port(MakePod("p"), 8080, "", "UDP"), n).ok());
  EXPECT_TRUE(FilterNodePorts(with_port(MakePod("p"), 8081), n).ok());
  EXPECT_TRUE(FilterNodePorts(MakePod("p"), n).ok());
}

TEST(RunFiltersTest, StopsAtTheFirstFailingPluginInUpstreamOrder) {
  Json node = MakeNode("a", "1");
  node["spec"]["unschedulable"] = true;
  node["spec"]["taints"] = Json::array({{{"key", "k"}, {"effect", "NoSchedule"}}});
  Snapshot snap = MakeSnapshot({node});
  PluginStatus s = RunFilters(MakePod("p", "2"), snap.nodes[0], snap);
  EXPECT_EQ(s.plugin, "NodeUnschedulable");
  node["spec"].erase("unschedulable");
  snap = MakeSnapshot({node});
  EXPECT_EQ(RunFilters(MakePod("p", "2"), snap.nodes[0], snap).plugin, "TaintToleration");
  node["spec"].erase("taints");
  snap = MakeSnapshot({node});
  EXPECT_EQ(RunFilters(MakePod("p", "2"), snap.nodes[0], snap).plugin, "NodeResourcesFit");
  EXPECT_TRUE(RunFilters(MakePod("p", "1"), snap.nodes[0], snap).ok());
}

TEST(VolumeFilterTest, PvNodeAffinityAndMissingPv) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "1", "1Gi", 110, {{"zone", "z1"}})});
  CycleState state;
  state.pv_node_selectors.push_back(
      {{"nodeSelectorTerms",
        Json::array({{{"matchExpressions",
                       Json::array({{{"key", "zone"}, {"operator", "In"}, {"values", {"z2"}}}})}}})}});
  PluginStatus s = RunFilters(MakePod("p"), snap.nodes[0], snap, state);
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) had volume node affinity conflict"});
  state.pv_node_selectors[0]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] = {"z1"};
  EXPECT_TRUE(RunFilters(MakePod("p"), snap.nodes[0], snap, state).ok());
  state.pv_missing = true;
  EXPECT_EQ(RunFilters(MakePod("p"), snap.nodes[0], snap, state).reasons,
            std::vector<std::string>{
                "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"});
}

}  // namespace
}  // namespace minik::sched
