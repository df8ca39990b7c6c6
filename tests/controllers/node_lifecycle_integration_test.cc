// The node lifecycle controller over the real registry, on a fake clock: heartbeats through
// the node status and the node lease, Unknown conditions, taints, pods marked not ready,
// rate-limited NoExecute taints and the all-nodes-down safety.
#include <gtest/gtest.h>

#include "controllers/node_lifecycle_controller.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using testing::kNodesRef;
using testing::kPodsRef;

const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases"};

class NodeLifecycleTest : public testing::WorkloadEnv {
 protected:
  void SetUp() override {
    WorkloadEnv::SetUp();
    ASSERT_TRUE(
        client()
            .Create(testing::kNamespacesRef, "", Json{{"metadata", {{"name", "kube-node-lease"}}}})
            .ok());
  }
  void StartController() {
    nlc_ = std::make_unique<NodeLifecycleController>(client(), clock_, *informers_);
    Start();
  }
  void TearDown() override {
    if (nlc_) nlc_->Stop();
    WorkloadEnv::TearDown();
  }

  // The kubelet's registration and status: Ready `ready`, heartbeat now.
  void MakeNode(const std::string& name, const std::string& ready = "True",
                const Json& labels = Json::object()) {
    Json node = {{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", Json::object()}};
    ASSERT_TRUE(client().Create(kNodesRef, "", node).ok());
    PostStatus(name, ready);
    RenewLease(name);
  }
  void PostStatus(const std::string& name, const std::string& ready) {
    Json node = Get(kNodesRef, name, "");
    std::string now = FormatRfc3339(clock_.Now());
    Json conds = Json::array();
    for (const char* type : {"MemoryPressure", "DiskPressure", "PIDPressure"})
      conds.push_back({{"type", type},
                       {"status", "False"},
                       {"reason", "KubeletHasSufficient"},
                       {"message", "ok"},
                       {"lastHeartbeatTime", now},
                       {"lastTransitionTime", now}});
    conds.push_back({{"type", "Ready"},
                     {"status", ready},
                     {"reason", ready == "True" ? "KubeletReady" : "KubeletNotReady"},
                     {"message", "m"},
                     {"lastHeartbeatTime", now},
                     {"lastTransitionTime", now}});
    node["status"]["conditions"] = conds;
    auto r = client().Update(kNodesRef, "", node, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void RenewLease(const std::string& name) {
    std::string now = FormatRfc3339Micro(clock_.Now());
    auto lease = client().Get(kLeases, "kube-node-lease", name);
    if (!lease.ok()) {
      Json fresh = {
          {"metadata", {{"name", name}}},
          {"spec", {{"holderIdentity", name}, {"leaseDurationSeconds", 40}, {"renewTime", now}}}};
      ASSERT_TRUE(client().Create(kLeases, "kube-node-lease", fresh).ok());
      return;
    }
    (*lease)["spec"]["renewTime"] = now;
    ASSERT_TRUE(client().Update(kLeases, "kube-node-lease", *lease).ok());
  }
  void MakePod(const std::string& name, const std::string& node) {
    Create(
        kPodsRef,
        {{"metadata", {{"name", name}}},
         {"spec", {{"nodeName", node}, {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}});
    RunPod(name, true);
  }
  void Settle() { WorkloadEnv::Settle({kNodesRef, kLeases, kPodsRef}); }
  ReconcileResult Sync(const std::string& name) {
    Settle();
    auto r = nlc_->Reconcile(name);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ReconcileResult{};
  }
  std::string Condition(const std::string& node, const std::string& type,
                        const char* field = "status") {
    Json n = Get(kNodesRef, node, "");
    for (const Json& c : n["status"]["conditions"])
      if (c["type"] == type) return GetString(c, {field});
    return "";
  }
  // "key:effect" of the node's taints.
  std::vector<std::string> Taints(const std::string& node) {
    std::vector<std::string> out;
    Json n = Get(kNodesRef, node, "");
    if (const Json* t = Find(n, {"spec", "taints"}); t && t->is_array())
      for (const Json& x : *t)
        out.push_back(GetString(x, {"key"}) + ":" + GetString(x, {"effect"}));
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string PodReady(const std::string& pod) {
    Json p = Get(kPodsRef, pod);
    for (const Json& c : p["status"]["conditions"])
      if (c["type"] == "Ready") return GetString(c, {"status"});
    return "";
  }

  std::unique_ptr<NodeLifecycleController> nlc_;
};

const std::vector<std::string> kUnreachable = {"node.kubernetes.io/unreachable:NoExecute",
                                               "node.kubernetes.io/unreachable:NoSchedule"};
const std::vector<std::string> kNotReady = {"node.kubernetes.io/not-ready:NoExecute",
                                            "node.kubernetes.io/not-ready:NoSchedule"};

TEST_F(NodeLifecycleTest, LeaseRenewalsKeepANodeHealthy) {
  StartController();
  MakeNode("n1");
  MakeNode("n2");
  auto r = Sync("n1");
  EXPECT_GT(r.requeue_after, std::chrono::seconds(39));  // looked at again when grace ends
  EXPECT_LE(r.requeue_after, std::chrono::seconds(41));
  Sync("n2");
  for (int i = 0; i < 4; ++i) {  // 120 s without a status update, only lease renewals
    clock_.Step(std::chrono::seconds(30));
    RenewLease("n1");
    Sync("n1");
  }
  EXPECT_EQ(Condition("n1", "Ready"), "True");
  EXPECT_TRUE(Taints("n1").empty());
  EXPECT_TRUE(testing::Eventually(
      [&] { return HasEvent("n1", "RegisteredNode: Registered Node n1 in Controller"); }));
}

TEST_F(NodeLifecycleTest, SilentNodeBecomesUnknownTaintedAndItsPodsNotReady) {
  StartController();
  MakeNode("n1");
  MakeNode("n2");
  MakePod("p1", "n1");
  MakePod("p2", "n2");
  Sync("n1");
  Sync("n2");
  clock_.Step(std::chrono::seconds(41));
  RenewLease("n2");
  Sync("n2");
  auto r = Sync("n1");
  EXPECT_EQ(r.requeue_after, std::chrono::seconds(5));
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    EXPECT_EQ(Condition("n1", type), "Unknown") << type;
    EXPECT_EQ(Condition("n1", type, "reason"), "NodeStatusUnknown") << type;
    EXPECT_EQ(Condition("n1", type, "message"), "Kubelet stopped posting node status.");
  }
  EXPECT_EQ(Condition("n2", "Ready"), "True");
  EXPECT_EQ(Taints("n1"), kUnreachable);
  EXPECT_TRUE(Taints("n2").empty());
  EXPECT_EQ(PodReady("p1"), "False");
  EXPECT_EQ(PodReady("p2"), "True");
  EXPECT_TRUE(
      testing::Eventually([&] { return HasEvent("p1", "NodeNotReady: Node is not ready"); }));
  EXPECT_TRUE(testing::Eventually(
      [&] { return HasEvent("n1", "NodeNotReady: Node n1 status is now: NodeNotReady"); }));
  // Looking again changes nothing.
  std::string rv = ResourceVersion(Get(kNodesRef, "n1", ""));
  Sync("n1");
  EXPECT_EQ(ResourceVersion(Get(kNodesRef, "n1", "")), rv);

  // The kubelet comes back: the taints go.
  clock_.Step(std::chrono::seconds(1));
  PostStatus("n1", "True");
  Sync("n1");
  EXPECT_EQ(Condition("n1", "Ready"), "True");
  EXPECT_TRUE(Taints("n1").empty());
}

TEST_F(NodeLifecycleTest, NotReadyNodeGetsNotReadyTaintsAndSwapsFromUnreachable) {
  StartController();
  MakeNode("n1");
  MakeNode("n2");
  Sync("n2");
  Sync("n1");
  clock_.Step(std::chrono::seconds(41));
  RenewLease("n2");
  Sync("n2");
  Sync("n1");
  ASSERT_EQ(Taints("n1"), kUnreachable);
  // The kubelet speaks again, but says NotReady: swapped at once (no rate limit).
  PostStatus("n1", "False");
  Sync("n1");
  EXPECT_EQ(Taints("n1"), kNotReady);
}

TEST_F(NodeLifecycleTest, KubeletReportingNotReadyDoesNotTouchPods) {
  StartController();
  MakeNode("n1");
  MakeNode("n2");
  MakePod("p1", "n1");
  Sync("n1");
  Sync("n2");
  PostStatus("n1", "False");
  Sync("n1");
  EXPECT_EQ(Taints("n1"), kNotReady);
  EXPECT_EQ(PodReady("p1"), "True");
}

TEST_F(NodeLifecycleTest, AllNodesDownGetsNoNoExecuteTaint) {
  StartController();
  MakeNode("only");
  MakePod("p", "only");
  Sync("only");
  clock_.Step(std::chrono::seconds(41));
  Sync("only");
  EXPECT_EQ(Condition("only", "Ready"), "Unknown");
  // Master disruption: the scheduler's taint eviction would empty the whole cluster.
  EXPECT_EQ(Taints("only"), std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule"});
  EXPECT_EQ(PodReady("p"), "False");
}

TEST_F(NodeLifecycleTest, NoExecuteTaintsAreRateLimitedPerZone) {
  StartController();
  for (const char* n : {"a", "b", "c", "d", "e"}) {
    MakeNode(n);
    Sync(n);
  }
  clock_.Step(std::chrono::seconds(41));
  for (const char* n : {"c", "d", "e"}) {
    RenewLease(n);
    Sync(n);
  }
  Sync("a");
  EXPECT_EQ(Taints("a"), kUnreachable);
  // 0.1 nodes per second: b waits ten seconds for its NoExecute taint (looked at every 5 s).
  for (int i = 0; i < 2; ++i) {
    auto r = Sync("b");
    EXPECT_EQ(r.requeue_after, std::chrono::seconds(5));
    EXPECT_EQ(Taints("b"), std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule"});
    clock_.Step(std::chrono::seconds(5));
    for (const char* n : {"c", "d", "e"}) {
      RenewLease(n);
      Sync(n);
    }
  }
  Sync("b");
  EXPECT_EQ(Taints("b"), kUnreachable);
}

TEST_F(NodeLifecycleTest, PartialDisruptionOfASmallZoneStopsNoExecuteTaints) {
  StartController();
  for (const char* n : {"a", "b", "c", "d"}) {
    MakeNode(n, "True", {{"topology.kubernetes.io/zone", "z1"}});
    Sync(n);
  }
  MakeNode("other", "True", {{"topology.kubernetes.io/zone", "z2"}});
  Sync("other");
  // Three of four nodes of z1 report NotReady: >= 55%, a small zone: no NoExecute taints.
  for (const char* n : {"a", "b", "c"}) PostStatus(n, "False");
  for (const char* n : {"a", "b", "c", "a", "b", "c"}) Sync(n);
  for (const char* n : {"a", "b", "c"})
    EXPECT_EQ(Taints(n), std::vector<std::string>{"node.kubernetes.io/not-ready:NoSchedule"}) << n;
}

TEST_F(NodeLifecycleTest, NodeThatNeverPostedStatusGetsTheStartupGrace) {
  StartController();
  ASSERT_TRUE(client().Create(kNodesRef, "", Json{{"metadata", {{"name", "mute"}}}}).ok());
  MakeNode("other");
  Sync("other");
  Sync("mute");
  clock_.Step(std::chrono::seconds(45));  // past 40 s, within the 60 s startup grace
  RenewLease("other");
  Sync("other");
  Sync("mute");
  EXPECT_EQ(Condition("mute", "Ready"), "");
  clock_.Step(std::chrono::seconds(16));
  RenewLease("other");
  Sync("other");
  Sync("mute");
  EXPECT_EQ(Condition("mute", "Ready"), "Unknown");
  EXPECT_EQ(Condition("mute", "Ready", "reason"), "NodeStatusNeverUpdated");
  EXPECT_EQ(Condition("mute", "Ready", "message"), "Kubelet never posted node status.");
  EXPECT_EQ(Taints("mute"), kUnreachable);
}

TEST_F(NodeLifecycleTest, CordonedNodeIsTaintedUnschedulable) {
  StartController();
  MakeNode("n1");
  Sync("n1");
  Json node = Get(kNodesRef, "n1", "");
  node["spec"]["unschedulable"] = true;
  node["spec"]["taints"] =
      Json::array({{{"key", "dedicated"}, {"value", "x"}, {"effect", "NoSchedule"}}});
  ASSERT_TRUE(client().Update(kNodesRef, "", node).ok());
  Sync("n1");
  EXPECT_EQ(Taints("n1"),
            (std::vector<std::string>{"dedicated:NoSchedule",
                                      "node.kubernetes.io/unschedulable:NoSchedule"}));
  node = Get(kNodesRef, "n1", "");
  node["spec"].erase("unschedulable");
  ASSERT_TRUE(client().Update(kNodesRef, "", node).ok());
  Sync("n1");
  EXPECT_EQ(Taints("n1"), std::vector<std::string>{"dedicated:NoSchedule"});  // others' stay
}

TEST_F(NodeLifecycleTest, DeletedNodeIsForgotten) {
  StartController();
  MakeNode("n1");
  Sync("n1");
  ASSERT_TRUE(client().Delete(kNodesRef, "", "n1").ok());
  auto r = Sync("n1");
  EXPECT_EQ(r.requeue_after.count(), 0);
}

}  // namespace
}  // namespace minik
