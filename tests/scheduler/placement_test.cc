// Inter-pod affinity, topology spread and the scores, as pure functions over a Snapshot.
#include <gtest/gtest.h>

#include "scheduler/framework.h"
#include "tests/scheduler/test_objects.h"

namespace minik::sched {
namespace {

using namespace testing;  // NOLINT

Json Term(Json match_labels, const std::string& key = "kubernetes.io/hostname") {
  return {{"labelSelector", {{"matchLabels", match_labels}}}, {"topologyKey", key}};
}

Json WithPodAffinity(Json pod, const char* kind, Json terms) {
  pod["spec"]["affinity"][kind]["requiredDuringSchedulingIgnoredDuringExecution"] = terms;
  return pod;
}

std::vector<const NodeInfo*> All(const Snapshot& snap) {
  std::vector<const NodeInfo*> out;
  for (const NodeInfo& n : snap.nodes) out.push_back(&n);
  return out;
}

const NodeInfo& NodeNamed(const Snapshot& snap, const std::string& name) {
  return *snap.Find(name);
}

TEST(InterPodAffinityTest, RequiredAffinity) {
  Snapshot snap = MakeSnapshot({MakeNode("a"), MakeNode("b")},
                               {On(MakePod("db", "", "", {{"app", "db"}}), "a")});
  Json pod = WithPodAffinity(MakePod("web"), "podAffinity", Json::array({Term({{"app", "db"}})}));
  EXPECT_TRUE(FilterInterPodAffinity(pod, NodeNamed(snap, "a"), snap).ok());
  PluginStatus s = FilterInterPodAffinity(pod, NodeNamed(snap, "b"), snap);
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) didn't match pod affinity rules"});
  // A missing topology label fails the node.
  Json zonal = WithPodAffinity(MakePod("web"), "podAffinity",
                               Json::array({Term({{"app", "db"}}), Term({{"app", "db"}}, "zone")}));
  EXPECT_FALSE(FilterInterPodAffinity(zonal, NodeNamed(snap, "a"), snap).ok());
  // Other namespaces only when named.
  Json other = WithPodAffinity(MakePod("web", "", "", {}, "other"), "podAffinity",
                               Json::array({Term({{"app", "db"}})}));
  EXPECT_FALSE(FilterInterPodAffinity(other, NodeNamed(snap, "a"), snap).ok());
  other["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
       ["namespaces"] = {"default"};
  EXPECT_TRUE(FilterInterPodAffinity(other, NodeNamed(snap, "a"), snap).ok());
}

TEST(InterPodAffinityTest, FirstPodOfASelfAffineGroupMayGoAnywhere) {
  Snapshot snap = MakeSnapshot({MakeNode("a")});
  Json pod = WithPodAffinity(MakePod("w", "", "", {{"app", "w"}}), "podAffinity",
                             Json::array({Term({{"app", "w"}})}));
  EXPECT_TRUE(FilterInterPodAffinity(pod, snap.nodes[0], snap).ok());
  Json other = WithPodAffinity(MakePod("w", "", "", {{"app", "x"}}), "podAffinity",
                               Json::array({Term({{"app", "w"}})}));
  EXPECT_FALSE(FilterInterPodAffinity(other, snap.nodes[0], snap).ok());
}

TEST(InterPodAffinityTest, NamespaceSelector) {
  Snapshot snap = MakeSnapshot({MakeNode("a")},
                               {On(MakePod("db", "", "", {{"app", "db"}}, "prod"), "a")});
  snap.namespace_labels["prod"] = {{"env", "prod"}};
  Json term = Term({{"app", "db"}});
  term["namespaceSelector"] = {{"matchLabels", {{"env", "prod"}}}};
  Json pod = WithPodAffinity(MakePod("web"), "podAffinity", Json::array({term}));
  EXPECT_TRUE(FilterInterPodAffinity(pod, snap.nodes[0], snap).ok());
  term["namespaceSelector"] = {{"matchLabels", {{"env", "dev"}}}};
  pod = WithPodAffinity(MakePod("web"), "podAffinity", Json::array({term}));
  EXPECT_FALSE(FilterInterPodAffinity(pod, snap.nodes[0], snap).ok());
  term["namespaceSelector"] = Json::object();  // every namespace
  pod = WithPodAffinity(MakePod("web"), "podAffinity", Json::array({term}));
  EXPECT_TRUE(FilterInterPodAffinity(pod, snap.nodes[0], snap).ok());
}

TEST(InterPodAffinityTest, AntiAffinityBothWays) {
  Json existing = WithPodAffinity(MakePod("old", "", "", {{"app", "old"}}), "podAntiAffinity",
                                  Json::array({Term({{"app", "web"}})}));
  Snapshot snap = MakeSnapshot({MakeNode("a"), MakeNode("b")}, {On(existing, "a")});
  // The incoming pod's own anti-affinity.
  Json pod = WithPodAffinity(MakePod("p", "", "", {{"app", "x"}}), "podAntiAffinity",
                             Json::array({Term({{"app", "old"}})}));
  PluginStatus s = FilterInterPodAffinity(pod, NodeNamed(snap, "a"), snap);
  EXPECT_EQ(s.code, PluginStatus::kUnschedulable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) didn't match pod anti-affinity rules"});
  EXPECT_TRUE(FilterInterPodAffinity(pod, NodeNamed(snap, "b"), snap).ok());
  // The existing pod's anti-affinity against the incoming pod.
  s = FilterInterPodAffinity(MakePod("w", "", "", {{"app", "web"}}), NodeNamed(snap, "a"), snap);
  EXPECT_EQ(s.reasons,
            std::vector<std::string>{"node(s) didn't satisfy existing pods anti-affinity rules"});
  EXPECT_TRUE(
      FilterInterPodAffinity(MakePod("w", "", "", {{"app", "web"}}), NodeNamed(snap, "b"), snap)
          .ok());
  // A term without a labelSelector selects nothing.
  Json nothing = WithPodAffinity(MakePod("p"), "podAntiAffinity",
                                 Json::array({{{"topologyKey", "kubernetes.io/hostname"}}}));
  EXPECT_TRUE(FilterInterPodAffinity(nothing, NodeNamed(snap, "a"), snap).ok());
}

TEST(InterPodAffinityTest, PreferredScores) {
  Snapshot snap = MakeSnapshot({MakeNode("a"), MakeNode("b"), MakeNode("c")},
                               {On(MakePod("db", "", "", {{"app", "db"}}), "b")});
  Json pod = MakePod("web");
  pod["spec"]["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] =
      Json::array({{{"weight", 10}, {"podAffinityTerm", Term({{"app", "db"}})}}});
  EXPECT_EQ(ScoreInterPodAffinity(pod, All(snap), snap), (std::vector<int64_t>{0, 100, 0}));
  pod["spec"]["affinity"].erase("podAffinity");
  pod["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] =
      Json::array({{{"weight", 10}, {"podAffinityTerm", Term({{"app", "db"}})}}});
  EXPECT_EQ(ScoreInterPodAffinity(pod, All(snap), snap), (std::vector<int64_t>{100, 0, 100}));
  EXPECT_EQ(ScoreInterPodAffinity(MakePod("x"), All(snap), snap),
            (std::vector<int64_t>{0, 0, 0}));
}

Json Spread(int skew, const std::string& when, Json labels,
            const std::string& key = "zone") {
  return {{"maxSkew", skew},
          {"topologyKey", key},
          {"whenUnsatisfiable", when},
          {"labelSelector", {{"matchLabels", labels}}}};
}

TEST(PodTopologySpreadTest, DoNotScheduleFilter) {
  std::vector<Json> nodes = {MakeNode("a", "4", "8Gi", 110, {{"zone", "z1"}}),
                             MakeNode("b", "4", "8Gi", 110, {{"zone", "z2"}}),
                             MakeNode("c")};  // no zone label
  Snapshot snap = MakeSnapshot(nodes, {On(MakePod("w1", "", "", {{"app", "w"}}), "a")});
  Json pod = MakePod("w2", "", "", {{"app", "w"}});
  pod["spec"]["topologySpreadConstraints"] =
      Json::array({Spread(1, "DoNotSchedule", {{"app", "w"}})});
  PluginStatus s = FilterPodTopologySpread(pod, NodeNamed(snap, "a"), snap);
  EXPECT_EQ(s.code, PluginStatus::kUnschedulable);
  EXPECT_EQ(s.reasons,
            std::vector<std::string>{"node(s) didn't match pod topology spread constraints"});
  EXPECT_TRUE(FilterPodTopologySpread(pod, NodeNamed(snap, "b"), snap).ok());
  s = FilterPodTopologySpread(pod, NodeNamed(snap, "c"), snap);
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{
                           "node(s) didn't match pod topology spread constraints (missing "
                           "required label)"});
  // maxSkew 2 allows a second pod in z1.
  pod["spec"]["topologySpreadConstraints"][0]["maxSkew"] = 2;
  EXPECT_TRUE(FilterPodTopologySpread(pod, NodeNamed(snap, "a"), snap).ok());
  // minDomains above the number of domains makes the global minimum 0.
  pod["spec"]["topologySpreadConstraints"][0]["maxSkew"] = 1;
  pod["spec"]["topologySpreadConstraints"][0]["minDomains"] = 3;
  EXPECT_FALSE(FilterPodTopologySpread(pod, NodeNamed(snap, "b"), snap).ok() &&
               FilterPodTopologySpread(pod, NodeNamed(snap, "a"), snap).ok());
  // ScheduleAnyway constraints never filter.
  pod["spec"]["topologySpreadConstraints"] =
      Json::array({Spread(1, "ScheduleAnyway", {{"app", "w"}})});
  EXPECT_TRUE(FilterPodTopologySpread(pod, NodeNamed(snap, "a"), snap).ok());
}

TEST(PodTopologySpreadTest, ScheduleAnywayScoresEmptierDomainsHigher) {
  std::vector<Json> nodes = {MakeNode("a", "4", "8Gi", 110, {{"zone", "z1"}}),
                             MakeNode("b", "4", "8Gi", 110, {{"zone", "z2"}})};
  Snapshot snap = MakeSnapshot(nodes, {On(MakePod("w1", "", "", {{"app", "w"}}), "a"),
                                       On(MakePod("w2", "", "", {{"app", "w"}}), "a")});
  Json pod = MakePod("w3", "", "", {{"app", "w"}});
  pod["spec"]["topologySpreadConstraints"] =
      Json::array({Spread(1, "ScheduleAnyway", {{"app", "w"}})});
  std::vector<int64_t> s = ScorePodTopologySpread(pod, All(snap), snap, {});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_LT(s[0], s[1]);
  EXPECT_EQ(s[1], 100);
}

TEST(PodTopologySpreadTest, DefaultSpreadingBySelector) {
  Snapshot snap = MakeSnapshot({MakeNode("a"), MakeNode("b")},
                               {On(MakePod("r1", "", "", {{"app", "r"}}), "a")});
  CycleState state;
  state.default_spread_selector = {{"matchLabels", {{"app", "r"}}}};
  std::vector<int64_t> s = ScorePodTopologySpread(MakePod("r2", "", "", {{"app", "r"}}),
                                                  All(snap), snap, state);
  EXPECT_LT(s[0], s[1]);
  // No selector: no default spreading.
  EXPECT_EQ(ScorePodTopologySpread(MakePod("r2"), All(snap), snap, {}),
            (std::vector<int64_t>{0, 0}));
}

TEST(ScoresTest, LeastAllocatedPrefersEmptierNodes) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "4", "8Gi"), MakeNode("b", "4", "8Gi")},
                               {On(MakePod("big", "3", "6Gi"), "a")});
  std::vector<int64_t> s = ScoreLeastAllocated(MakePod("p", "1", "1Gi"), All(snap));
  // a: cpu (4-4)/4 = 0, mem (8-7)/8 = 12 -> 6; b: cpu 75, mem 87 -> 81.
  EXPECT_EQ(s, (std::vector<int64_t>{6, 81}));
  // Requests that are missing count as 100m / 200Mi.
  s = ScoreLeastAllocated(MakePod("p"), All(snap));
  EXPECT_EQ(s[1], ((4000 - 100) * 100 / 4000 + (8589934592 - 209715200) * 100 / 8589934592) / 2);
}

TEST(ScoresTest, BalancedAllocation) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "4", "8Gi")});
  // cpu 50%, memory 50%: perfectly balanced.
  EXPECT_EQ(ScoreBalancedAllocation(MakePod("p", "2", "4Gi"), All(snap)),
            std::vector<int64_t>{100});
  // cpu 100%, memory 0%: std = 0.5.
  EXPECT_EQ(ScoreBalancedAllocation(MakePod("p", "4"), All(snap)), std::vector<int64_t>{50});
}

TEST(ScoresTest, NodeAffinityPreferred) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "4", "8Gi", 110, {{"disk", "ssd"}}),
                                MakeNode("b", "4", "8Gi", 110, {{"disk", "hdd"}}),
                                MakeNode("c")});
  Json pod = MakePod("p");
  pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] =
      Json::array(
          {{{"weight", 80},
            {"preference",
             {{"matchExpressions",
               Json::array({{{"key", "disk"}, {"operator", "In"}, {"values", {"ssd"}}}})}}}},
           {{"weight", 20},
            {"preference",
             {{"matchExpressions", Json::array({{{"key", "disk"}, {"operator", "Exists"}}})}}}}});
  EXPECT_EQ(ScoreNodeAffinity(pod, All(snap)), (std::vector<int64_t>{100, 20, 0}));
  EXPECT_EQ(ScoreNodeAffinity(MakePod("q"), All(snap)), (std::vector<int64_t>{0, 0, 0}));
}

TEST(ScoresTest, TaintTolerationPreferNoSchedule) {
  Json tainted = MakeNode("a");
  tainted["spec"]["taints"] = Json::array({{{"key", "k"}, {"effect", "PreferNoSchedule"}}});
  Snapshot snap = MakeSnapshot({tainted, MakeNode("b")});
  EXPECT_EQ(ScoreTaintToleration(MakePod("p"), All(snap)), (std::vector<int64_t>{0, 100}));
  Json pod = MakePod("p");
  pod["spec"]["tolerations"] = Json::array({{{"key", "k"}, {"operator", "Exists"},
                                             {"effect", "PreferNoSchedule"}}});
  EXPECT_EQ(ScoreTaintToleration(pod, All(snap)), (std::vector<int64_t>{100, 100}));
}

TEST(ScoresTest, WeightedTotalPrefersTheBetterNode) {
  Json tainted = MakeNode("a");
  tainted["spec"]["taints"] = Json::array({{{"key", "k"}, {"effect", "PreferNoSchedule"}}});
  Snapshot snap = MakeSnapshot({tainted, MakeNode("b")});
  std::vector<int64_t> total = ScoreNodes(MakePod("p", "1", "1Gi"), All(snap), snap);
  EXPECT_GT(total[1], total[0]);
  EXPECT_EQ(total[1] - total[0], 300);  // TaintToleration weight 3, all else equal
}

}  // namespace
}  // namespace minik::sched
