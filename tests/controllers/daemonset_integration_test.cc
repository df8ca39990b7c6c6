// The DaemonSet controller over the real registry, driven by hand on a FakeClock; the test
// plays the nodes' kubelets by writing pod status (the scheduler's binding is not needed: the
// controller places pods by their node affinity).
#include <gtest/gtest.h>

#include "controllers/controller_ref.h"
#include "controllers/daemonset_controller.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using namespace std::chrono_literals;
using testing::kDaemonSetsRef;
using testing::kNodesRef;
using testing::kPodsRef;
using testing::kRevisionsRef;

std::string TargetNode(const Json& pod) {
  const Json* v =
      Find(pod, {"spec", "affinity", "nodeAffinity",
                 "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"});
  if (!v || !v->is_array() || v->empty()) return "";
  return (*v)[0]["matchFields"][0]["values"][0].get<std::string>();
}

class DaemonSetTest : public testing::WorkloadEnv {
 protected:
  void SetUp() override {
    WorkloadEnv::SetUp();
    controller_ = std::make_unique<DaemonSetController>(client(), clock_, *informers_);
    Start();
  }
  void TearDown() override {
    informers_->Stop();
    controller_.reset();
  }
  void Settle() { WorkloadEnv::Settle({kDaemonSetsRef, kPodsRef, kNodesRef, kRevisionsRef}); }
  ReconcileResult Converge(const std::string& name, int rounds = 6) {
    ReconcileResult last;
    for (int i = 0; i < rounds; ++i) {
      Settle();
      auto r = controller_->Reconcile("default/" + name);
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (r.ok()) last = *r;
    }
    Settle();
    return last;
  }
  void AddNode(const std::string& name, const Json& labels = Json::object(),
               const Json& taints = Json::array()) {
    Json node = {
        {"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}, {"labels", labels}}}};
    if (!taints.empty()) node["spec"]["taints"] = taints;
    auto r = client().Create(kNodesRef, "", node);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void SetTaints(const std::string& name, const Json& taints) {
    Json node = Get(kNodesRef, name, "");
    node["spec"]["taints"] = taints;
    ASSERT_TRUE(client().Update(kNodesRef, "", node).ok());
  }
  Json DaemonSet(const std::string& name, const Json& spec_extra = Json::object()) {
    Json ds = Json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet","spec":{
        "selector":{"matchLabels":{"app":"ds"}},
        "template":{"metadata":{"labels":{"app":"ds"}},
          "spec":{"containers":[{"name":"main","image":"busybox:1"}]}}}})");
    ds["metadata"]["name"] = name;
    for (auto it = spec_extra.begin(); it != spec_extra.end(); ++it)
      ds["spec"][it.key()] = it.value();
    return ds;
  }
  // Live (not terminating) pods by target node.
  std::map<std::string, std::vector<Json>> PodsByNode() {
    std::map<std::string, std::vector<Json>> out;
    for (const Json& p : ListObjects(kPodsRef, "app=ds"))
      if (!IsBeingDeleted(p)) out[TargetNode(p)].push_back(p);
    return out;
  }
  std::vector<std::string> Nodes() {
    std::vector<std::string> out;
    for (const auto& [n, pods] : PodsByNode()) out.push_back(n);
    return out;
  }
  // Every live daemon pod runs and is ready; terminating ones finish (the kubelet's part).
  void RunAll() {
    for (const Json& p : ListObjects(kPodsRef, "app=ds")) {
      if (IsBeingDeleted(p)) {
        DeleteOptions now;
        now.grace_period_seconds = 0;
        (void)client().Delete(kPodsRef, "default", Name(p), now);
      } else if (GetString(p, {"status", "phase"}) != "Running") {
        RunPod(Name(p), true);
      }
    }
  }
  void UpdateTemplate(const std::string& name, const std::function<void(Json&)>& edit) {
    Json ds = Get(kDaemonSetsRef, name);
    edit(ds["spec"]["template"]);
    auto r = client().Update(kDaemonSetsRef, "default", ds);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  std::unique_ptr<DaemonSetController> controller_;
};

TEST_F(DaemonSetTest, OnePodPerEligibleNodeWithStatus) {
  AddNode("plain");
  AddNode("dedicated", {},
          Json::parse(R"([{"key":"dedicated","value":"x","effect":"NoSchedule"}])"));
  AddNode("evicting", {}, Json::parse(R"([{"key":"bad","effect":"NoExecute"}])"));
  AddNode("pressure", {},
          Json::parse(R"([{"key":"node.kubernetes.io/disk-pressure","effect":"NoSchedule"}])"));
  AddNode("cordoned", {},
          Json::parse(R"([{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}])"));
  Json ds = Create(kDaemonSetsRef, DaemonSet("ds"));
  Converge("ds");
  EXPECT_EQ(Nodes(), (std::vector<std::string>{"cordoned", "plain", "pressure"}));
  for (const auto& [node, pods] : PodsByNode()) {
    ASSERT_EQ(pods.size(), 1u) << node;
    const Json& p = pods[0];
    EXPECT_EQ(Name(p).rfind("ds-", 0), 0u);
    EXPECT_TRUE(IsControlledBy(p, ds));
    EXPECT_EQ(Labels(p).value("pod-template-generation", ""), "1");
    EXPECT_FALSE(Labels(p).value("controller-revision-hash", "").empty());
    EXPECT_EQ(
        p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
         ["nodeSelectorTerms"][0]["matchFields"][0]["key"],
        "metadata.name");
    std::set<std::string> tolerated;
    for (const Json& t : p["spec"]["tolerations"])
      tolerated.insert(GetString(t, {"key"}) + ":" + GetString(t, {"effect"}));
    EXPECT_EQ(tolerated, (std::set<std::string>{"node.kubernetes.io/not-ready:NoExecute",
                                                "node.kubernetes.io/unreachable:NoExecute",
                                                "node.kubernetes.io/disk-pressure:NoSchedule",
                                                "node.kubernetes.io/memory-pressure:NoSchedule",
                                                "node.kubernetes.io/pid-pressure:NoSchedule",
                                                "node.kubernetes.io/unschedulable:NoSchedule"}));
    EXPECT_TRUE(HasEvent("ds", "SuccessfulCreate: Created pod: " + Name(p)));
  }
  Json got = Get(kDaemonSetsRef, "ds");
  EXPECT_EQ(GetInt(got, {"status", "desiredNumberScheduled"}), 3);
  EXPECT_EQ(GetInt(got, {"status", "currentNumberScheduled"}), 3);
  EXPECT_EQ(GetInt(got, {"status", "updatedNumberScheduled"}), 3);
  EXPECT_EQ(GetInt(got, {"status", "numberReady"}), 0);
  EXPECT_EQ(GetInt(got, {"status", "numberUnavailable"}), 3);
  EXPECT_EQ(GetInt(got, {"status", "observedGeneration"}), GetInt(got, {"metadata", "generation"}));

  RunAll();
  Converge("ds");
  got = Get(kDaemonSetsRef, "ds");
  EXPECT_EQ(GetInt(got, {"status", "numberReady"}), 3);
  EXPECT_EQ(GetInt(got, {"status", "numberAvailable"}), 3);
  EXPECT_FALSE(got["status"].contains("numberUnavailable"));

  // A new NoSchedule taint: the running pod stays (misscheduled); NoExecute: it goes.
  SetTaints("plain", Json::parse(R"([{"key":"dedicated","value":"y","effect":"NoSchedule"}])"));
  SetTaints("pressure", Json::parse(R"([{"key":"bad","effect":"NoExecute"}])"));
  Converge("ds");
  EXPECT_EQ(Nodes(), (std::vector<std::string>{"cordoned", "plain"}));
  got = Get(kDaemonSetsRef, "ds");
  EXPECT_EQ(GetInt(got, {"status", "desiredNumberScheduled"}), 1);
  EXPECT_EQ(GetInt(got, {"status", "numberMisscheduled"}), 1);

  // A new node gets its pod; a deleted pod is replaced.
  AddNode("late");
  Converge("ds");
  EXPECT_EQ(Nodes(), (std::vector<std::string>{"cordoned", "late", "plain"}));
  std::string victim = Name(PodsByNode()["cordoned"][0]);
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client().Delete(kPodsRef, "default", victim, now).ok());
  Converge("ds");
  ASSERT_EQ(PodsByNode()["cordoned"].size(), 1u);
  EXPECT_NE(Name(PodsByNode()["cordoned"][0]), victim);
}

TEST_F(DaemonSetTest, NodeSelectorAffinityAndHostNetwork) {
  AddNode("ssd-a", {{"disk", "ssd"}, {"zone", "a"}});
  AddNode("ssd-b", {{"disk", "ssd"}, {"zone", "b"}});
  AddNode(
      "hdd", {{"disk", "hdd"}},
      Json::parse(R"([{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"}])"));
  Json ds = DaemonSet("ds");
  ds["spec"]["template"]["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  ds["spec"]["template"]["spec"]["affinity"] = Json::parse(R"({"nodeAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"zone","operator":"NotIn","values":["b"]}]}]}}})");
  Create(kDaemonSetsRef, ds);
  Converge("ds");
  EXPECT_EQ(Nodes(), std::vector<std::string>{"ssd-a"});
  // The pod's own affinity terms are replaced by the node pin (already checked).
  Json pod = PodsByNode()["ssd-a"][0];
  EXPECT_EQ(pod["spec"]["affinity"]["nodeAffinity"]
               ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
                   .size(),
            1u);

  // hostNetwork pods also tolerate network-unavailable.
  UpdateTemplate("ds", [](Json& t) {
    t["spec"].erase("nodeSelector");
    t["spec"].erase("affinity");
    t["spec"]["hostNetwork"] = true;
  });
  RunAll();
  for (int i = 0; i < 4; ++i) {
    Converge("ds");
    RunAll();
  }
  EXPECT_EQ(Nodes(), (std::vector<std::string>{"hdd", "ssd-a", "ssd-b"}));
}

TEST_F(DaemonSetTest, RollingUpdateHistoryAndUndo) {
  AddNode("n1");
  AddNode("n2");
  AddNode("n3");
  Create(kDaemonSetsRef, DaemonSet("ds"));
  Converge("ds");
  RunAll();
  Converge("ds");
  auto revisions = ListObjects(kRevisionsRef);
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(GetInt(revisions[0], {"revision"}), 1);
  EXPECT_EQ(revisions[0]["data"]["spec"]["template"]["$patch"], "replace");
  const std::string hash1 = Labels(revisions[0]).value("controller-revision-hash", "");
  EXPECT_EQ(Name(revisions[0]), "ds-" + hash1);

  UpdateTemplate("ds", [](Json& t) { t["spec"]["containers"][0]["image"] = "busybox:2"; });
  // maxUnavailable 1: one old pod at a time goes, and its replacement must be available
  // before the next.
  Converge("ds");
  int old_pods = 0, new_pods = 0;
  for (const auto& [n, pods] : PodsByNode())
    for (const Json& p : pods)
      (p["spec"]["containers"][0]["image"] == "busybox:2" ? new_pods : old_pods)++;
  EXPECT_EQ(old_pods, 2);
  EXPECT_EQ(new_pods, 1);
  Json got = Get(kDaemonSetsRef, "ds");
  EXPECT_EQ(GetInt(got, {"status", "updatedNumberScheduled"}), 1);
  for (int i = 0; i < 4; ++i) {
    RunAll();
    Converge("ds");
  }
  RunAll();
  Converge("ds");
  for (const auto& [n, pods] : PodsByNode()) {
    ASSERT_EQ(pods.size(), 1u);
    EXPECT_EQ(pods[0]["spec"]["containers"][0]["image"], "busybox:2") << n;
    EXPECT_EQ(Labels(pods[0]).value("pod-template-generation", ""), "2");
  }
  got = Get(kDaemonSetsRef, "ds");
  EXPECT_EQ(GetInt(got, {"status", "updatedNumberScheduled"}), 3);
  EXPECT_EQ(GetInt(got, {"status", "numberAvailable"}), 3);
  revisions = ListObjects(kRevisionsRef);
  ASSERT_EQ(revisions.size(), 2u);

  // Undo: the old template again reuses revision 1's object, renumbered to 3.
  UpdateTemplate("ds", [](Json& t) { t["spec"]["containers"][0]["image"] = "busybox:1"; });
  Converge("ds");
  revisions = ListObjects(kRevisionsRef);
  ASSERT_EQ(revisions.size(), 2u);
  for (const Json& r : revisions) {
    if (Name(r) == "ds-" + hash1) {
      EXPECT_EQ(GetInt(r, {"revision"}), 3);
    }
  }
}

TEST_F(DaemonSetTest, SurgeKeepsOldPodUntilNewIsAvailable) {
  AddNode("n1");
  Json ds = DaemonSet(
      "ds",
      {{"updateStrategy",
        {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}}}});
  Create(kDaemonSetsRef, ds);
  Converge("ds");
  RunAll();
  Converge("ds");
  std::string old_name = Name(PodsByNode()["n1"][0]);
  UpdateTemplate("ds", [](Json& t) { t["spec"]["containers"][0]["image"] = "busybox:2"; });
  Converge("ds");
  ASSERT_EQ(PodsByNode()["n1"].size(), 2u);  // surged: old and new side by side
  RunAll();
  Converge("ds");
  auto pods = PodsByNode()["n1"];
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_NE(Name(pods[0]), old_name);
  EXPECT_EQ(pods[0]["spec"]["containers"][0]["image"], "busybox:2");
}

TEST_F(DaemonSetTest, OnDeleteAndFailedPods) {
  AddNode("n1");
  Create(kDaemonSetsRef, DaemonSet("ds", {{"updateStrategy", {{"type", "OnDelete"}}}}));
  Converge("ds");
  RunAll();
  Converge("ds");
  std::string first = Name(PodsByNode()["n1"][0]);
  UpdateTemplate("ds", [](Json& t) { t["spec"]["containers"][0]["image"] = "busybox:2"; });
  Converge("ds");
  EXPECT_EQ(Name(PodsByNode()["n1"][0]), first);  // OnDelete: nothing happens by itself
  EXPECT_EQ(GetInt(Get(kDaemonSetsRef, "ds"), {"status", "updatedNumberScheduled"}), 0);

  // A failed pod is deleted (with an event) and replaced by one of the new template.
  FinishPod(first, 1);
  Converge("ds");
  EXPECT_TRUE(HasEvent("ds", "FailedDaemonPod: Found failed daemon pod default/" + first +
                                 " on node n1, will try to kill it"));
  RunAll();
  Converge("ds");
  auto pods = PodsByNode()["n1"];
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["spec"]["containers"][0]["image"], "busybox:2");
  // Failing again within the back-off: the deletion waits.
  FinishPod(Name(pods[0]), 1);
  ReconcileResult r = Converge("ds");
  EXPECT_EQ(PodsByNode()["n1"].size(), 1u);
  EXPECT_GT(r.requeue_after.count(), 0);
  clock_.Step(3s);
  Converge("ds");
  RunAll();
  Converge("ds");
  EXPECT_NE(Name(PodsByNode()["n1"][0]), Name(pods[0]));
}

TEST_F(DaemonSetTest, BadInputAndOrphans) {
  AddNode("n1");
  // The API refuses a selector that does not match the template, or a bad strategy.
  Json mismatched = DaemonSet("bad");
  mismatched["spec"]["selector"]["matchLabels"]["app"] = "other";
  EXPECT_EQ(client().Create(kDaemonSetsRef, "default", mismatched).status().code(), Code::kInvalid);
  Json strategy = DaemonSet("bad2", {{"updateStrategy", {{"type", "Sometimes"}}}});
  EXPECT_EQ(client().Create(kDaemonSetsRef, "default", strategy).status().code(), Code::kInvalid);
  auto r = controller_->Reconcile("default/missing");
  ASSERT_TRUE(r.ok());

  // A matching orphan on the node is adopted instead of creating a second pod.
  Json orphan = Json::parse(R"({"metadata":{"name":"orphan","labels":{"app":"ds"}},
      "spec":{"nodeName":"n1","containers":[{"name":"main","image":"busybox:1"}]}})");
  Create(kPodsRef, orphan);
  Json ds = Create(kDaemonSetsRef, DaemonSet("ds"));
  Converge("ds");
  EXPECT_TRUE(IsControlledBy(Get(kPodsRef, "orphan"), ds));
  EXPECT_EQ(ListObjects(kPodsRef, "app=ds").size(), 1u);
}

}  // namespace
}  // namespace minik
