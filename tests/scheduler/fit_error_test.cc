// FitError messages, the VolumeBinding PreFilter and the taint-eviction decision.
#include <gtest/gtest.h>

#include "scheduler/framework.h"
#include "scheduler/preemption.h"
#include "scheduler/taint_eviction.h"
#include "scheduler/volume_binding.h"
#include "tests/scheduler/test_objects.h"

namespace minik::sched {
namespace {

using namespace testing;  // NOLINT

PluginStatus Fail(PluginStatus::Code code, std::vector<std::string> reasons) {
  return PluginStatus::Fail(code, "X", std::move(reasons));
}

TEST(FitErrorTest, OneNodeAffinity) {
  Diagnosis d;
  d.num_nodes = 1;
  d.node_status["a"] = Fail(PluginStatus::kUnresolvable, {kErrNodeAffinity});
  EXPECT_EQ(FitErrorMessage(d, MakePod("p")),
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
}

TEST(FitErrorTest, HistogramIsCountedAndSortedAsStrings) {
  Diagnosis d;
  d.num_nodes = 13;
  for (int i = 0; i < 10; ++i) {
    d.node_status["t" + std::to_string(i)] =
        Fail(PluginStatus::kUnresolvable, {"node(s) had untolerated taint {k: v}"});
  }
  d.node_status["r1"] = Fail(PluginStatus::kUnschedulable, {"Insufficient cpu", "Insufficient memory"});
  d.node_status["r2"] = Fail(PluginStatus::kUnschedulable, {"Insufficient cpu"});
  d.node_status["r3"] = Fail(PluginStatus::kUnschedulable, {"Too many pods"});
  EXPECT_EQ(FitErrorMessage(d, MakePod("p")),
            "0/13 nodes are available: 1 Insufficient memory, 1 Too many pods, "
            "10 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: 0/13 "
            "nodes are available: 10 Preemption is not helpful for scheduling, 3 No "
            "preemption victims found for incoming pod.");
}

TEST(FitErrorTest, PreFilterAndPreemptionPolicyNever) {
  Diagnosis d;
  d.num_nodes = 2;
  d.pre_filter_msg = "persistentvolumeclaim \"x\" not found";
  for (const char* n : {"a", "b"})
    d.node_status[n] = Fail(PluginStatus::kUnresolvable, {d.pre_filter_msg});
  EXPECT_EQ(FitErrorMessage(d, MakePod("p")),
            "0/2 nodes are available: persistentvolumeclaim \"x\" not found. preemption: 0/2 "
            "nodes are available: 2 Preemption is not helpful for scheduling.");
  Json never = MakePod("p");
  never["spec"]["preemptionPolicy"] = "Never";
  Diagnosis r;
  r.num_nodes = 1;
  r.node_status["a"] = Fail(PluginStatus::kUnschedulable, {"Insufficient cpu"});
  EXPECT_EQ(FitErrorMessage(r, never),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to "
            "preemptionPolicy=Never..");
}

TEST(FitErrorTest, DryRunReasons) {
  Diagnosis d;
  d.num_nodes = 2;
  d.node_status["a"] = Fail(PluginStatus::kUnschedulable, {"Insufficient cpu"});
  d.node_status["b"] = Fail(PluginStatus::kUnschedulable, {"Insufficient cpu"});
  d.preemption_reasons["a"] = {"Insufficient cpu"};
  d.preemption_reasons["b"] = {"Too many pods"};
  EXPECT_EQ(FitErrorMessage(d, MakePod("p")),
            "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: "
            "1 Insufficient cpu, 1 Too many pods.");
  // A successful preemption adds nothing; an ineligible pod says why.
  d.post_filter_msg = "";
  EXPECT_EQ(FitErrorMessage(d, MakePod("p")), "0/2 nodes are available: 2 Insufficient cpu.");
  d.post_filter_msg = "not eligible due to a terminating pod on the nominated node.";
  EXPECT_EQ(FitErrorMessage(d, MakePod("p")),
            "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to a "
            "terminating pod on the nominated node..");
}

// ---- VolumeBinding PreFilter ------------------------------------------------------------------

struct FakeVolumes {
  std::map<std::string, Json> claims, classes, volumes;
  VolumeLookup Lookup() {
    VolumeLookup l;
    l.claim = [this](const std::string& ns, const std::string& name) -> StatusOr<Json> {
      auto it = claims.find(ns + "/" + name);
      if (it == claims.end()) return NotFound("persistentvolumeclaims", name);
      return it->second;
    };
    l.storage_class = [this](const std::string& name) -> StatusOr<Json> {
      if (name == "broken") return Internal("etcd is down");
      auto it = classes.find(name);
      if (it == classes.end()) return NotFound("storageclasses.storage.k8s.io", name);
      return it->second;
    };
    l.volume = [this](const std::string& name) -> StatusOr<Json> {
      auto it = volumes.find(name);
      if (it == volumes.end()) return NotFound("persistentvolumes", name);
      return it->second;
    };
    return l;
  }
};

Json PodWithClaims(std::vector<std::string> claims) {
  Json pod = MakePod("p");
  pod["metadata"]["uid"] = "pod-uid";
  pod["spec"]["volumes"] = Json::array();
  for (const std::string& c : claims) {
    pod["spec"]["volumes"].push_back(
        {{"name", "v-" + c}, {"persistentVolumeClaim", {{"claimName", c}}}});
  }
  return pod;
}

Json Claim(const std::string& name, const std::string& cls, const std::string& volume = "") {
  Json c = {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"spec", Json::object()}};
  if (!cls.empty()) c["spec"]["storageClassName"] = cls;
  if (!volume.empty()) c["spec"]["volumeName"] = volume;
  return c;
}

TEST(VolumeBindingTest, Messages) {
  FakeVolumes fv;
  fv.classes["late"] = {{"volumeBindingMode", "WaitForFirstConsumer"}};
  fv.classes["now"] = {{"volumeBindingMode", "Immediate"}};
  CycleState state;
  VolumePlan plan;
  PluginStatus s = VolumeBindingPreFilter(PodWithClaims({"x"}), fv.Lookup(), &state, &plan);
  EXPECT_EQ(s.code, PluginStatus::kUnresolvable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"persistentvolumeclaim \"x\" not found"});

  fv.claims["default/x"] = Claim("x", "now");
  s = VolumeBindingPreFilter(PodWithClaims({"x"}), fv.Lookup(), &state, &plan);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"pod has unbound immediate PersistentVolumeClaims"});
  fv.claims["default/x"] = Claim("x", "");  // no class: immediate
  EXPECT_FALSE(VolumeBindingPreFilter(PodWithClaims({"x"}), fv.Lookup(), &state, &plan).ok());
  fv.claims["default/x"] = Claim("x", "missing-class");
  EXPECT_FALSE(VolumeBindingPreFilter(PodWithClaims({"x"}), fv.Lookup(), &state, &plan).ok());

  fv.claims["default/x"] = Claim("x", "late");
  s = VolumeBindingPreFilter(PodWithClaims({"x"}), fv.Lookup(), &state, &plan);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(plan.delayed_claims, std::vector<std::string>{"x"});

  fv.claims["default/x"]["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z";
  s = VolumeBindingPreFilter(PodWithClaims({"x"}), fv.Lookup(), &state, &plan);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"persistentvolumeclaim \"x\" is being deleted"});

  fv.claims["default/y"] = Claim("y", "broken");
  s = VolumeBindingPreFilter(PodWithClaims({"y"}), fv.Lookup(), &state, &plan);
  EXPECT_EQ(s.code, PluginStatus::kError);
}

TEST(VolumeBindingTest, BoundClaimsContributePvNodeAffinity) {
  FakeVolumes fv;
  fv.claims["default/b"] = Claim("b", "late", "pv1");
  fv.claims["default/gone"] = Claim("gone", "late", "pv-missing");
  Json required = {{"nodeSelectorTerms", Json::array({{{"matchFields",
      Json::array({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"a"}}}})}}})}};
  fv.volumes["pv1"] = {{"spec", {{"nodeAffinity", {{"required", required}}}}}};
  CycleState state;
  VolumePlan plan;
  ASSERT_TRUE(VolumeBindingPreFilter(PodWithClaims({"b"}), fv.Lookup(), &state, &plan).ok());
  ASSERT_EQ(state.pv_node_selectors.size(), 1u);
  EXPECT_EQ(state.pv_node_selectors[0], required);
  EXPECT_FALSE(state.pv_missing);
  EXPECT_TRUE(plan.delayed_claims.empty());
  ASSERT_TRUE(VolumeBindingPreFilter(PodWithClaims({"gone"}), fv.Lookup(), &state, &plan).ok());
  EXPECT_TRUE(state.pv_missing);
}

TEST(VolumeBindingTest, EphemeralVolumes) {
  FakeVolumes fv;
  Json pod = MakePod("p");
  pod["metadata"]["uid"] = "pod-uid";
  pod["spec"]["volumes"] = Json::array({{{"name", "scratch"}, {"ephemeral", Json::object()}}});
  EXPECT_EQ(PodClaims(pod), (std::vector<std::pair<std::string, bool>>{{"p-scratch", true}}));
  CycleState state;
  VolumePlan plan;
  PluginStatus s = VolumeBindingPreFilter(pod, fv.Lookup(), &state, &plan);
  EXPECT_EQ(s.reasons, std::vector<std::string>{
                           "waiting for ephemeral volume controller to create the "
                           "persistentvolumeclaim \"p-scratch\""});
  fv.claims["default/p-scratch"] = Claim("p-scratch", "late");
  s = VolumeBindingPreFilter(pod, fv.Lookup(), &state, &plan);
  EXPECT_EQ(s.reasons,
            std::vector<std::string>{"persistentvolumeclaim \"p-scratch\" was not created for the pod"});
  fv.claims["default/p-scratch"]["metadata"]["ownerReferences"] =
      Json::array({{{"uid", "pod-uid"}, {"controller", true}, {"kind", "Pod"}, {"name", "p"}}});
  fv.classes["late"] = {{"volumeBindingMode", "WaitForFirstConsumer"}};
  EXPECT_TRUE(VolumeBindingPreFilter(pod, fv.Lookup(), &state, &plan).ok());
}

// ---- preemption --------------------------------------------------------------------------------

Json WithPriority(Json pod, int64_t priority) {
  pod["spec"]["priority"] = priority;
  return pod;
}

Diagnosis Diagnose(const Json& pod, const Snapshot& snap) {
  Diagnosis d;
  d.num_nodes = static_cast<int>(snap.nodes.size());
  for (const NodeInfo& n : snap.nodes) {
    PluginStatus s = RunFilters(pod, n, snap);
    if (!s.ok()) d.node_status[n.name] = s;
  }
  return d;
}

TEST(PreemptionTest, PicksTheFewestLeastImportantVictims) {
  std::vector<Json> nodes = {MakeNode("a", "4"), MakeNode("b", "4"), MakeNode("c", "4")};
  Snapshot snap = MakeSnapshot(
      nodes, {On(WithPriority(MakePod("a-low", "2"), 10), "a"),
              On(WithPriority(MakePod("a-mid", "2"), 50), "a"),
              On(WithPriority(MakePod("b-low1", "1"), 10), "b"),
              On(WithPriority(MakePod("b-low2", "1"), 10), "b"),
              On(WithPriority(MakePod("b-high", "2"), 1000), "b"),
              On(WithPriority(MakePod("c-same", "4"), 100), "c")});
  Json pod = WithPriority(MakePod("p", "2"), 100);
  Diagnosis d = Diagnose(pod, snap);
  ASSERT_EQ(d.node_status.size(), 3u);
  EXPECT_EQ(PreemptionIneligibility(pod, snap, d), "");
  auto c = FindPreemptionCandidate(pod, snap, {}, &d);
  ASSERT_TRUE(c.has_value());
  // a: evict a-low (10); b: evict b-low1 + b-low2 (10, 10): a has the smaller sum.
  EXPECT_EQ(c->node, "a");
  ASSERT_EQ(c->victims.size(), 1u);
  EXPECT_EQ(Name(*c->victims[0]), "a-low");
  // c runs only a pod of equal priority: nothing to evict there.
  EXPECT_EQ(d.preemption_reasons["c"], std::vector<std::string>{kErrNoVictims});
}

TEST(PreemptionTest, NotHelpfulWhenEvenAnEmptyNodeIsTooSmall) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "4")},
                               {On(WithPriority(MakePod("low", "3"), 0), "a"),
                                On(WithPriority(MakePod("high", "1", "", {}, "default"), 500), "a")});
  // 3.5 cpu fits only if "high" goes too, and it may not.
  Json pod = WithPriority(MakePod("p", "3500m"), 100);
  Diagnosis d = Diagnose(pod, snap);
  EXPECT_FALSE(FindPreemptionCandidate(pod, snap, {}, &d).has_value());
  EXPECT_EQ(d.preemption_reasons["a"], std::vector<std::string>{"Insufficient cpu"});
  EXPECT_EQ(FitErrorMessage(d, pod),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
            "1 Insufficient cpu.");
}

TEST(PreemptionTest, Eligibility) {
  Snapshot snap = MakeSnapshot({MakeNode("a", "1")});
  Json pod = WithPriority(MakePod("p", "800m"), 100);
  Diagnosis d = Diagnose(pod, snap);
  pod["spec"]["preemptionPolicy"] = "Never";
  EXPECT_EQ(PreemptionIneligibility(pod, snap, d), "not eligible due to preemptionPolicy=Never.");
  pod["spec"].erase("preemptionPolicy");
  Json victim = On(WithPriority(MakePod("v", "500m"), 1), "a");
  victim["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z";
  victim["status"]["conditions"] =
      Json::array({{{"type", "DisruptionTarget"}, {"status", "True"},
                    {"reason", "PreemptionByScheduler"}}});
  snap = MakeSnapshot({MakeNode("a", "1")}, {victim});
  pod["status"]["nominatedNodeName"] = "a";
  d = Diagnose(pod, snap);
  EXPECT_EQ(PreemptionIneligibility(pod, snap, d),
            "not eligible due to a terminating pod on the nominated node.");
  pod["status"]["nominatedNodeName"] = "b";
  EXPECT_EQ(PreemptionIneligibility(pod, snap, d), "");
  // A nominated node that can never fit the pod does not block a new preemption.
  pod["status"]["nominatedNodeName"] = "a";
  pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "2";
  d = Diagnose(pod, snap);
  EXPECT_EQ(PreemptionIneligibility(pod, snap, d), "");
}

// ---- taint eviction -------------------------------------------------------------------------

TEST(TaintEvictionTest, Decisions) {
  Json node = MakeNode("a");
  Json pod = MakePod("p");
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNone);
  node["spec"]["taints"] = Json::array({{{"key", "soft"}, {"effect", "NoSchedule"}}});
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNone);
  node["spec"]["taints"].push_back({{"key", "gone"}, {"effect", "NoExecute"}});
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNow);
  pod["spec"]["tolerations"] = Json::array({{{"key", "gone"}, {"operator", "Exists"}}});
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNone);  // forever
  pod["spec"]["tolerations"][0]["tolerationSeconds"] = 300;
  EvictionDecision d = DecideTaintEviction(pod, node);
  EXPECT_EQ(d.kind, EvictionDecision::kAfter);
  EXPECT_EQ(d.after, std::chrono::seconds(300));
  // The smallest tolerationSeconds of the tolerations in use wins.
  node["spec"]["taints"].push_back({{"key", "late"}, {"effect", "NoExecute"}});
  pod["spec"]["tolerations"].push_back(
      {{"key", "late"}, {"operator", "Exists"}, {"tolerationSeconds", 60}});
  EXPECT_EQ(DecideTaintEviction(pod, node).after, std::chrono::seconds(60));
  pod["spec"]["tolerations"][1]["tolerationSeconds"] = 0;
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNow);
  pod["spec"]["tolerations"][1]["tolerationSeconds"] = -5;
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNow);
  // A toleration for NoSchedule only does not cover NoExecute.
  pod["spec"]["tolerations"] = Json::array({{{"key", "gone"}, {"operator", "Exists"},
                                             {"effect", "NoSchedule"}}});
  EXPECT_EQ(DecideTaintEviction(pod, node).kind, EvictionDecision::kNow);
}

}  // namespace
}  // namespace minik::sched
