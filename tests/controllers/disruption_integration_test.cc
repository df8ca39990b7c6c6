// The disruption controller over the real registry: PodDisruptionBudget status from the
// pods, their controllers' scale and the evictions recorded in disruptedPods.
#include <gtest/gtest.h>

#include "controllers/disruption_controller.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using testing::kPodsRef;

const ResourceRef kPdbs{"policy", "v1", "poddisruptionbudgets"};
const ResourceRef kRs{"apps", "v1", "replicasets"};
const ResourceRef kDeploy{"apps", "v1", "deployments"};
const ResourceRef kDs{"apps", "v1", "daemonsets"};

class DisruptionTest : public testing::WorkloadEnv {
 protected:
  void StartController() {
    dc_ = std::make_unique<DisruptionController>(client(), clock_, *informers_);
    Start();
  }
  void TearDown() override {
    if (dc_) dc_->Stop();
    WorkloadEnv::TearDown();
  }
  void Settle() { WorkloadEnv::Settle({kPodsRef, kPdbs, kRs, kDeploy}); }

  Json MakePdb(const std::string& name, const std::string& field, const Json& value,
               const Json& selector = Json{{"matchLabels", {{"app", "web"}}}}) {
    Json pdb = {{"metadata", {{"name", name}}}, {"spec", {{field, value}}}};
    if (!selector.is_null()) pdb["spec"]["selector"] = selector;
    return Create(kPdbs, pdb);
  }
  Json MakePod(const std::string& name, bool ready, const Json& owner = nullptr,
               const std::string& app = "web") {
    Json pod = {{"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    if (!owner.is_null()) {
      pod["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", owner["apiVersion"]},
                                                         {"kind", owner["kind"]},
                                                         {"name", Name(owner)},
                                                         {"uid", Uid(owner)},
                                                         {"controller", true}}});
    }
    Json created = Create(kPodsRef, pod);
    RunPod(name, ready);
    return created;
  }
  Json MakeRs(const std::string& name, int replicas, const Json& owner = nullptr) {
    Json rs = {{"metadata", {{"name", name}}},
               {"spec",
                {{"replicas", replicas},
                 {"selector", {{"matchLabels", {{"app", "web"}}}}},
                 {"template",
                  {{"metadata", {{"labels", {{"app", "web"}}}}},
                   {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
    if (!owner.is_null()) {
      rs["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "apps/v1"},
                                                        {"kind", owner["kind"]},
                                                        {"name", Name(owner)},
                                                        {"uid", Uid(owner)},
                                                        {"controller", true}}});
    }
    return Create(kRs, rs);
  }
  Json Sync(const std::string& name) {
    Settle();
    auto r = dc_->Reconcile("default/" + name);
    EXPECT_TRUE(r.ok()) << r.status().message();
    last_ = r.ok() ? *r : ReconcileResult{};
    return Get(kPdbs, name);
  }
  static const Json& Condition(const Json& pdb) {
    static const Json kNone;
    const Json* conds = Find(pdb, {"status", "conditions"});
    if (!conds || !conds->is_array()) return kNone;
    for (const Json& c : *conds)
      if (GetString(c, {"type"}) == "DisruptionAllowed") return c;
    return kNone;
  }

  std::unique_ptr<DisruptionController> dc_;
  ReconcileResult last_;
};

TEST_F(DisruptionTest, MinAvailableCountsHealthyPods) {
  StartController();
  MakePdb("budget", "minAvailable", 2);
  MakePod("a", true);
  MakePod("b", true);
  MakePod("c", true);
  MakePod("other", true, nullptr, "other");
  Json pdb = Sync("budget");
  EXPECT_EQ(pdb["status"]["expectedPods"], 3);
  EXPECT_EQ(pdb["status"]["desiredHealthy"], 2);
  EXPECT_EQ(pdb["status"]["currentHealthy"], 3);
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 1);
  EXPECT_EQ(pdb["status"]["observedGeneration"], GetInt(pdb, {"metadata", "generation"}));
  const Json& cond = Condition(pdb);
  EXPECT_EQ(cond["status"], "True");
  EXPECT_EQ(cond["reason"], "SufficientPods");
  EXPECT_EQ(cond["observedGeneration"], GetInt(pdb, {"metadata", "generation"}));

  // Nothing changed: no write.
  Json again = Sync("budget");
  EXPECT_EQ(ResourceVersion(again), ResourceVersion(pdb));

  // A pod turning unready takes the last disruption away.
  RunPod("c", false);
  Json tight = Sync("budget");
  EXPECT_EQ(tight["status"]["currentHealthy"], 2);
  EXPECT_EQ(tight["status"]["disruptionsAllowed"], 0);
  EXPECT_EQ(Condition(tight)["status"], "False");
  EXPECT_EQ(Condition(tight)["reason"], "InsufficientPods");
}

TEST_F(DisruptionTest, MaxUnavailableUsesTheControllersScale) {
  StartController();
  Json rs = MakeRs("rs", 4);
  MakePod("a", true, rs);
  MakePod("b", true, rs);
  MakePod("c", true, rs);
  MakePdb("budget", "maxUnavailable", 1);
  Json pdb = Sync("budget");
  EXPECT_EQ(pdb["status"]["expectedPods"], 4);  // the ReplicaSet wants 4
  EXPECT_EQ(pdb["status"]["desiredHealthy"], 3);
  EXPECT_EQ(pdb["status"]["currentHealthy"], 3);
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 0);
}

TEST_F(DisruptionTest, PercentMinAvailableCountsTheDeploymentNotItsReplicaSets) {
  StartController();
  Json dep = Create(kDeploy, Json::parse(R"({"metadata":{"name":"app"},"spec":{"replicas":5,
      "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})"));
  Json old_rs = MakeRs("app-old", 2, dep);
  Json new_rs = MakeRs("app-new", 3, dep);
  MakePod("o1", true, old_rs);
  MakePod("n1", true, new_rs);
  MakePod("n2", true, new_rs);
  MakePod("n3", true, new_rs);
  MakePdb("budget", "minAvailable", "50%");
  Json pdb = Sync("budget");
  EXPECT_EQ(pdb["status"]["expectedPods"], 5);
  EXPECT_EQ(pdb["status"]["desiredHealthy"], 3);  // 2.5 rounded up
  EXPECT_EQ(pdb["status"]["currentHealthy"], 4);
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 1);
}

TEST_F(DisruptionTest, UnmanagedPodsAreReported) {
  StartController();
  Json rs = MakeRs("rs", 2);
  MakePod("a", true, rs);
  MakePod("b", true, rs);
  MakePod("loose", true);
  MakePdb("budget", "maxUnavailable", "50%");
  Json pdb = Sync("budget");
  EXPECT_EQ(pdb["status"]["expectedPods"], 2);
  EXPECT_EQ(pdb["status"]["desiredHealthy"], 1);
  EXPECT_EQ(pdb["status"]["currentHealthy"], 3);
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 2);
  // Events are written by the recorder's own thread.
  EXPECT_TRUE(testing::Eventually([&] {
    for (const std::string& e : Events("budget"))
      if (e.rfind("UnmanagedPods: Pods selected by this PodDisruptionBudget (selector: "
                  "&LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:"
                  "[]LabelSelectorRequirement{},}) were found to be unmanaged.",
                  0) == 0)
        return true;
    return false;
  })) << ::testing::PrintToString(Events("budget"));
}

TEST_F(DisruptionTest, PodsWithoutAScalableControllerFailSafe) {
  StartController();
  Json ds = Create(kDs, Json::parse(R"({"metadata":{"name":"ds"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})"));
  MakePod("d1", true, ds);
  MakePdb("budget", "maxUnavailable", 1);
  Json pdb = Sync("budget");
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 0);
  EXPECT_EQ(Condition(pdb)["status"], "False");
  EXPECT_EQ(Condition(pdb)["reason"], "SyncFailed");
  EXPECT_EQ(Condition(pdb)["message"], "found no controllers for pod \"d1\"");
  EXPECT_TRUE(testing::Eventually([&] {
    return HasEvent("budget",
                    "CalculateExpectedPodCountFailed: Failed to calculate the number of "
                    "expected pods: found no controllers for pod \"d1\"");
  }));
}

TEST_F(DisruptionTest, NoPodsAllowNothing) {
  StartController();
  MakePdb("none", "minAvailable", 0, nullptr);  // a null selector matches no pod
  MakePod("a", true);
  Json pdb = Sync("none");
  EXPECT_EQ(pdb["status"]["expectedPods"], 0);
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 0);
  EXPECT_TRUE(
      testing::Eventually([&] { return HasEvent("none", "NoPods: No matching pods found"); }));
  // An empty selector matches every pod of the namespace (policy/v1).
  MakePdb("all", "minAvailable", 0, Json::object());
  Json all = Sync("all");
  EXPECT_EQ(all["status"]["expectedPods"], 1);
  EXPECT_EQ(all["status"]["disruptionsAllowed"], 1);
}

TEST_F(DisruptionTest, DisruptedPodsCountAsUnhealthyUntilTheyExpire) {
  StartController();
  MakePdb("budget", "minAvailable", 1);
  MakePod("a", true);
  MakePod("b", true);
  Json pdb = Sync("budget");
  ASSERT_EQ(pdb["status"]["disruptionsAllowed"], 1);
  // What pods/eviction records for a pod it let go (one recent, one long ago).
  pdb["status"]["disruptedPods"] = {{"a", FormatRfc3339(clock_.Now() - std::chrono::minutes(1))},
                                    {"b", FormatRfc3339(clock_.Now() - std::chrono::minutes(3))},
                                    {"gone", FormatRfc3339(clock_.Now())}};
  ASSERT_TRUE(client().Update(kPdbs, "default", pdb, {}, "status").ok());
  Json next = Sync("budget");
  EXPECT_EQ(next["status"]["currentHealthy"], 1);  // "a" is on its way out
  EXPECT_EQ(next["status"]["disruptionsAllowed"], 0);
  EXPECT_EQ(next["status"]["disruptedPods"], Json({{"a", pdb["status"]["disruptedPods"]["a"]}}));
  EXPECT_TRUE(testing::Eventually([&] {
    return HasEvent("b",
                    "NotDeleted: Pod was expected by PDB default/budget to be deleted but "
                    "it wasn't");
  }));
  // Looked at again when "a"'s entry expires (in a minute).
  EXPECT_GT(last_.requeue_after, std::chrono::seconds(55));
  EXPECT_LE(last_.requeue_after, std::chrono::seconds(61));
  clock_.Step(std::chrono::minutes(1) + std::chrono::seconds(1));
  Json expired = Sync("budget");
  EXPECT_EQ(expired["status"]["currentHealthy"], 2);
  EXPECT_FALSE(Find(expired, {"status", "disruptedPods"}));
  EXPECT_EQ(last_.requeue_after.count(), 0);
}

TEST_F(DisruptionTest, PodEventsEnqueueTheirBudgets) {
  StartController();
  MakePdb("budget", "minAvailable", 1);
  Settle();
  while (dc_->queue().Len() > 0) dc_->ProcessNextItem();
  MakePod("a", true);
  EXPECT_TRUE(testing::Eventually([&] {
    while (dc_->queue().Len() > 0) dc_->ProcessNextItem();
    return GetInt(Get(kPdbs, "budget"), {"status", "currentHealthy"}) == 1;
  }));
  // Budgets of deleted ones are gone from the cache: nothing to do, no error.
  ASSERT_TRUE(client().Delete(kPdbs, "default", "budget").ok());
  Settle();
  auto r = dc_->Reconcile("default/budget");
  EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace minik
