// ResourceQuotaController over a real registry: status.hard mirrors spec.hard, status.used
// is recounted from the store (scopes applied), deletions and finished pods give back, and a
// status write by admission does not trigger a recount.
#include "controllers/resourcequota_controller.h"

#include "tests/controllers/workload_env.h"

namespace minik::testing {
namespace {

const ResourceRef kQuotas{"", "v1", "resourcequotas"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};

class ResourceQuotaControllerTest : public WorkloadEnv {
 protected:
  void SetUp() override {
    WorkloadEnv::SetUp();
    controller_ = std::make_unique<ResourceQuotaController>(client(), clock_, *informers_,
                                                            resources_);
    Start();
  }
  Json MakePod(const std::string& name, Json requests = Json::object()) {
    Json c = {{"name", "main"}, {"image", "busybox"}};
    if (!requests.empty()) c["resources"]["requests"] = std::move(requests);
    return Create(kPodsRef, {{"metadata", {{"name", name}}}, {"spec", {{"containers", {c}}}}});
  }
  Json Sync(const std::string& name) {
    Settle({kQuotas, kPodsRef});
    auto r = controller_->Reconcile("default/" + name);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r.ok()) {
      EXPECT_EQ(r->requeue_after, ResourceQuotaController::kResyncPeriod);
    }
    return Get(kQuotas, name)["status"];
  }
  std::unique_ptr<ResourceQuotaController> controller_;
};

TEST_F(ResourceQuotaControllerTest, CountsWhatExistsAndGivesBackOnDelete) {
  MakePod("a", {{"cpu", "250m"}});
  MakePod("b");
  Create(kConfigMaps, {{"metadata", {{"name", "c1"}}}});
  Create(kQuotas, {{"metadata", {{"name", "q"}}},
                   {"spec", {{"hard", {{"pods", "5"}, {"requests.cpu", "2"},
                                       {"count/configmaps", "10"}, {"services", "1"}}}}}});
  Json status = Sync("q");
  EXPECT_EQ(status["hard"], Json({{"pods", "5"}, {"requests.cpu", "2"},
                                  {"count/configmaps", "10"}, {"services", "1"}}));
  EXPECT_EQ(status["used"], Json({{"pods", "2"}, {"requests.cpu", "250m"},
                                  {"count/configmaps", "1"}, {"services", "0"}}));
  ASSERT_TRUE(client().Delete(kPodsRef, "default", "a").ok());
  FinishPod("b", 0);
  status = Sync("q");
  EXPECT_EQ(status["used"]["pods"], "0");
  EXPECT_EQ(status["used"]["requests.cpu"], "0");
}

TEST_F(ResourceQuotaControllerTest, ScopesSelectPods) {
  MakePod("best-effort");
  MakePod("burstable", {{"memory", "1Mi"}});
  Create(kQuotas, {{"metadata", {{"name", "be"}}},
                   {"spec", {{"hard", {{"pods", "5"}}}, {"scopes", {"BestEffort"}}}}});
  EXPECT_EQ(Sync("be")["used"]["pods"], "1");
}

TEST_F(ResourceQuotaControllerTest, StatusUpdatesDoNotRequeueButSpecChangesDo) {
  Create(kQuotas, {{"metadata", {{"name", "q"}}}, {"spec", {{"hard", {{"pods", "5"}}}}}});
  Sync("q");
  while (controller_->queue().Len() > 0) {  // drain the add
    std::string key;
    controller_->queue().Get(&key);
    controller_->queue().Done(key);
  }
  Json q = Get(kQuotas, "q");
  q["status"]["used"]["pods"] = "1";  // as admission charges
  ASSERT_TRUE(client().Update(kQuotas, "default", q, {}, "status").ok());
  Settle({kQuotas});
  EXPECT_EQ(controller_->queue().Len(), 0u);
  q = Get(kQuotas, "q");
  q["spec"]["hard"]["pods"] = "6";
  ASSERT_TRUE(client().Update(kQuotas, "default", q).ok());
  Settle({kQuotas});
  EXPECT_EQ(controller_->queue().Len(), 1u);
}


TEST_F(ResourceQuotaControllerTest, DeletionsOfCountedKindsRequeueTheQuota) {
  Create(kConfigMaps, {{"metadata", {{"name", "c1"}}}});
  Create(kQuotas, {{"metadata", {{"name", "q"}}}, {"spec", {{"hard", {{"configmaps", "3"}}}}}});
  EXPECT_EQ(Sync("q")["used"]["configmaps"], "1");
  Settle({kConfigMaps});  // the controller started watching configmaps in that sync
  while (controller_->queue().Len() > 0) {
    std::string key;
    controller_->queue().Get(&key);
    controller_->queue().Done(key);
  }
  ASSERT_TRUE(client().Delete(kConfigMaps, "default", "c1").ok());
  ASSERT_TRUE(Eventually([&] { return controller_->queue().Len() == 1; }));
  EXPECT_EQ(Sync("q")["used"]["configmaps"], "0");
}

}  // namespace
}  // namespace minik::testing
