// DeploymentController with the ReplicaSetController over the real registry on a FakeClock.
// The test runs both controllers by hand (Reconcile of every key) and plays the kubelet:
// pods become Running and Ready (unless the test says otherwise) and terminating pods go.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/deployment_controller.h"
#include "controllers/deployment_util.h"
#include "controllers/replicaset_controller.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using namespace deployutil;  // NOLINT
using testing::Eventually;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kEvents{"", "v1", "events"};
const ResourceRef kRS{"apps", "v1", "replicasets"};
const ResourceRef kDeploy{"apps", "v1", "deployments"};

Json Deployment(const std::string& name, int replicas, const std::string& image = "busybox:1") {
  return Json{{"metadata", {{"name", name}}},
              {"spec",
               {{"replicas", replicas},
                {"selector", {{"matchLabels", {{"app", name}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", name}}}}},
                  {"spec", {{"containers", {{{"name", "main"}, {"image", image}}}}}}}}}}};
}

std::string Image(const Json& obj) {
  return GetString(obj["spec"]["template"]["spec"]["containers"][0], {"image"});
}

// kubectl's DeploymentStatusViewer, reduced to its verdict.
std::string RolloutStatus(const Json& d) {
  if (GetInt(d, {"metadata", "generation"}) > GetInt(d, {"status", "observedGeneration"}))
    return "waiting for the spec to be observed";
  const Json* cond = GetCondition(d["status"], "Progressing");
  if (cond && GetString(*cond, {"reason"}) == "ProgressDeadlineExceeded") return "timed out";
  int64_t updated = GetInt(d, {"status", "updatedReplicas"});
  if (updated < SpecReplicas(d)) return "new replicas not updated";
  if (GetInt(d, {"status", "replicas"}) > updated) return "old replicas pending termination";
  if (GetInt(d, {"status", "availableReplicas"}) < updated) return "updated replicas not available";
  return "done";
}

class DeploymentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(client_->Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
    dc_ = std::make_unique<DeploymentController>(*client_, clock_, *informers_);
    rsc_ = std::make_unique<ReplicaSetController>(*client_, clock_, *informers_);
    informers_->Start();
    ASSERT_TRUE(informers_->WaitForCacheSync(std::chrono::seconds(5)));
  }
  void TearDown() override {
    dc_->Stop();
    rsc_->Stop();
    informers_->Stop();
  }

  std::vector<Json> List(const ResourceRef& ref, const std::string& selector = "") {
    ListQuery q;
    q.label_selector = selector;
    auto r = client_->List(ref, "default", q);
    std::vector<Json> out;
    if (r.ok())
      for (const Json& o : (*r)["items"]) out.push_back(o);
    return out;
  }
  void Settle() {
    for (const ResourceRef& ref : {kPods, kRS, kDeploy}) {
      Informer& inf = informers_->For(ref);
      bool ok = Eventually([&] {
        std::map<std::string, std::string> want, got;
        for (const Json& o : List(ref)) want[ObjectKey(o)] = ResourceVersion(o);
        for (const ObjectPtr& o : inf.List()) got[ObjectKey(*o)] = ResourceVersion(*o);
        return want == got;
      });
      ASSERT_TRUE(ok) << ref.resource << " informer did not settle";
    }
  }
  std::string Fingerprint() {
    std::string out;
    for (const ResourceRef& ref : {kPods, kRS, kDeploy})
      for (const Json& o : List(ref)) out += ObjectKey(o) + "@" + ResourceVersion(o) + ";";
    return out;
  }
  ReconcileResult ReconcileDeployment(const std::string& name) {
    Settle();
    auto r = dc_->Reconcile("default/" + name);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ReconcileResult{};
  }
  // The kubelet: pods that `ready_if` accepts become Running and Ready; terminating pods go.
  void Kubelet() {
    for (const Json& p : List(kPods)) {
      if (Find(p, {"metadata", "deletionTimestamp"})) {
        DeleteOptions now;
        now.grace_period_seconds = 0;
        (void)client_->Delete(kPods, "default", Name(p), now);
        continue;
      }
      if (IsPodReady(p) || !ready_if(p)) continue;
      Json pod = p;
      pod["status"]["phase"] = "Running";
      pod["status"]["conditions"] =
          Json::array({{{"type", "Ready"},
                        {"status", "True"},
                        {"lastTransitionTime", FormatRfc3339(clock_.Now())}}});
      (void)client_->Update(kPods, "default", pod, {}, "status");
    }
  }
  // Rounds of: every deployment, every replica set, the kubelet; until nothing changes.
  // `check` runs after each round.
  int Converge(const std::function<void()>& check = nullptr, int rounds = 60) {
    for (int i = 0; i < rounds; ++i) {
      Settle();
      std::string before = Fingerprint();
      for (const Json& d : List(kDeploy)) {
        auto r = dc_->Reconcile(ObjectKey(d));
        // Conflicts (and a hash collision's AlreadyExists) are retried by the work queue;
        // here by the next round.
        if (!r.ok()) {
          EXPECT_TRUE(r.status().code() == Code::kConflict ||
                      r.status().code() == Code::kAlreadyExists)
              << r.status().message();
        }
      }
      Settle();
      for (const Json& rs : List(kRS)) {
        auto r = rsc_->Reconcile(ObjectKey(rs));
        EXPECT_TRUE(r.ok()) << r.status().message();
      }
      Settle();
      Kubelet();
      Settle();
      if (check) check();
      if (Fingerprint() == before) return i;
    }
    ADD_FAILURE() << "no steady state after " << rounds << " rounds";
    return rounds;
  }
  Json Get(const ResourceRef& ref, const std::string& name) {
    auto r = client_->Get(ref, "default", name);
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
    return r.ok() ? *r : Json();
  }
  void Create(const Json& d) {
    auto r = client_->Create(kDeploy, "default", d);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void Mutate(const std::string& name, const std::function<void(Json&)>& f) {
    Json d = Get(kDeploy, name);
    f(d);
    auto r = client_->Update(kDeploy, "default", d);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void SetImage(const std::string& name, const std::string& image) {
    Mutate(name, [&](Json& d) { d["spec"]["template"]["spec"]["containers"][0]["image"] = image; });
  }
  // Replica sets of the deployment by name.
  std::map<std::string, Json> ReplicaSets(const std::string& app) {
    std::map<std::string, Json> out;
    for (const Json& rs : List(kRS, "app=" + app)) out[Name(rs)] = rs;
    return out;
  }
  Json ReplicaSetWithImage(const std::string& app, const std::string& image) {
    for (auto& [name, rs] : ReplicaSets(app))
      if (Image(rs) == image) return rs;
    ADD_FAILURE() << "no replica set with image " << image;
    return Json::object();
  }
  int LivePods(const std::string& selector) {
    int n = 0;
    for (const Json& p : List(kPods, selector))
      if (!Find(p, {"metadata", "deletionTimestamp"})) ++n;
    return n;
  }
  // Events are written by the recorder's own thread: waits (bounded) for at least one.
  std::vector<std::string> EventMessages(const std::string& object, const std::string& reason) {
    Eventually([&] { return !EventMessagesNow(object, reason).empty(); }, std::chrono::seconds(2));
    return EventMessagesNow(object, reason);
  }
  std::vector<std::string> EventMessagesNow(const std::string& object, const std::string& reason) {
    std::vector<std::string> out;
    for (const Json& e : List(kEvents))
      if (GetString(e, {"involvedObject", "name"}) == object && GetString(e, {"reason"}) == reason)
        out.push_back(GetString(e, {"message"}));
    return out;
  }
  // kubectl rollout history's revisions.
  std::set<int64_t> Revisions(const std::string& app) {
    std::set<int64_t> out;
    for (auto& [name, rs] : ReplicaSets(app)) out.insert(Revision(rs).value_or(-1));
    return out;
  }

  std::function<bool(const Json&)> ready_if = [](const Json&) { return true; };
  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<DeploymentController> dc_;
  std::unique_ptr<ReplicaSetController> rsc_;
};

TEST_F(DeploymentTest, CreatesAHashedReplicaSetAndCompletesTheRollout) {
  Create(Deployment("app", 3));
  Converge();
  auto rss = ReplicaSets("app");
  ASSERT_EQ(rss.size(), 1u);
  const Json& rs = rss.begin()->second;
  Json d = Get(kDeploy, "app");
  std::string hash = ComputeHash(d["spec"]["template"], std::nullopt);
  EXPECT_EQ(Name(rs), "app-" + hash);
  EXPECT_EQ(rs["metadata"]["labels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(rs["spec"]["selector"]["matchLabels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(rs["spec"]["template"]["metadata"]["labels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(Annotation(rs, kRevisionAnnotation), "1");
  EXPECT_EQ(Annotation(rs, kDesiredReplicasAnnotation), "3");
  EXPECT_EQ(Annotation(rs, kMaxReplicasAnnotation), "4");  // 25% of 3 rounded up
  EXPECT_EQ(Annotation(d, kRevisionAnnotation), "1");
  for (const Json& p : List(kPods, "app=app"))
    EXPECT_EQ(p["metadata"]["labels"][kPodTemplateHashLabel], hash);

  EXPECT_EQ(RolloutStatus(d), "done");
  EXPECT_EQ(d["status"]["replicas"], 3);
  EXPECT_EQ(d["status"]["updatedReplicas"], 3);
  EXPECT_EQ(d["status"]["readyReplicas"], 3);
  EXPECT_EQ(d["status"]["availableReplicas"], 3);
  EXPECT_FALSE(d["status"].contains("unavailableReplicas"));
  EXPECT_EQ(d["status"]["observedGeneration"], d["metadata"]["generation"]);
  const Json* available = GetCondition(d["status"], "Available");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(GetString(*available, {"status"}), "True");
  EXPECT_EQ(GetString(*available, {"reason"}), "MinimumReplicasAvailable");
  const Json* progressing = GetCondition(d["status"], "Progressing");
  ASSERT_NE(progressing, nullptr);
  EXPECT_EQ(GetString(*progressing, {"reason"}), "NewReplicaSetAvailable");
  EXPECT_EQ(GetString(*progressing, {"message"}),
            "ReplicaSet \"" + Name(rs) + "\" has successfully progressed.");
  EXPECT_EQ(EventMessages("app", "ScalingReplicaSet"),
            std::vector<std::string>{"Scaled up replica set " + Name(rs) + " from 0 to 3"});
  for (const Json& e : List(kEvents)) {
    if (GetString(e, {"reason"}) != "ScalingReplicaSet") continue;
    EXPECT_EQ(e["involvedObject"]["kind"], "Deployment");
    EXPECT_EQ(e["source"]["component"], "deployment-controller");
  }
  // Level-triggered: nothing more to do.
  std::string before = Fingerprint();
  ReconcileDeployment("app");
  Settle();
  EXPECT_EQ(Fingerprint(), before);
}

TEST_F(DeploymentTest, RollingUpdateStaysWithinSurgeAndUnavailable) {
  Json d = Deployment("app", 4, "img:a");
  d["spec"]["strategy"] = {{"type", "RollingUpdate"},
                           {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}};
  Create(d);
  Converge();
  SetImage("app", "img:b");
  int rounds = Converge([&] {
    int64_t total = 0;
    for (auto& [name, rs] : ReplicaSets("app")) total += SpecReplicas(rs);
    EXPECT_LE(total, 5) << "replicas + maxSurge";
    int ready = 0;
    for (const Json& p : List(kPods, "app=app"))
      if (!Find(p, {"metadata", "deletionTimestamp"}) && IsPodReady(p)) ++ready;
    EXPECT_GE(ready, 4) << "maxUnavailable 0";
  });
  EXPECT_GT(rounds, 3);
  Json after = Get(kDeploy, "app");
  EXPECT_EQ(RolloutStatus(after), "done");
  EXPECT_EQ(Annotation(after, kRevisionAnnotation), "2");
  EXPECT_EQ(SpecReplicas(ReplicaSetWithImage("app", "img:b")), 4);
  EXPECT_EQ(SpecReplicas(ReplicaSetWithImage("app", "img:a")), 0);
  EXPECT_EQ(Revisions("app"), (std::set<int64_t>{1, 2}));
  EXPECT_EQ(LivePods("app=app"), 4);
  EXPECT_TRUE(Eventually([&] {
    for (const std::string& m : EventMessagesNow("app", "ScalingReplicaSet"))
      if (m.rfind("Scaled down replica set ", 0) == 0) return true;
    return false;
  }));
}

TEST_F(DeploymentTest, PercentFenceposts) {
  // 25% of 10: surge rounds up to 3, unavailable down to 2.
  Json d = Deployment("app", 10, "img:a");
  Create(d);
  Converge();
  SetImage("app", "img:b");
  ready_if = [](const Json& p) {
    return GetString(p["spec"]["containers"][0], {"image"}) != "img:b";
  };
  Converge();
  // New pods never become ready: the rollout stops at replicas+3 pods, 8 old available.
  Json rs_a = ReplicaSetWithImage("app", "img:a");
  Json rs_b = ReplicaSetWithImage("app", "img:b");
  EXPECT_EQ(SpecReplicas(rs_a), 8);
  EXPECT_EQ(SpecReplicas(rs_b), 5);
  Json got = Get(kDeploy, "app");
  EXPECT_EQ(got["status"]["unavailableReplicas"], 5);
  EXPECT_EQ(RolloutStatus(got), "new replicas not updated");

  // Proportional scaling during the rollout: 10 -> 20 spreads 10 more pods by size.
  Mutate("app", [](Json& d) { d["spec"]["replicas"] = 20; });
  ReconcileDeployment("app");
  Settle();
  rs_a = ReplicaSetWithImage("app", "img:a");
  rs_b = ReplicaSetWithImage("app", "img:b");
  // 25 (20 + 25% surge) - 13 = 12 more, by the size each was scaled for (max-replicas 13):
  // round(8 * 25 / 13) = 15 and round(5 * 25 / 13) = 10.
  EXPECT_EQ(SpecReplicas(rs_a), 15);
  EXPECT_EQ(SpecReplicas(rs_b), 10);
  EXPECT_EQ(Annotation(rs_a, kDesiredReplicasAnnotation), "20");
  EXPECT_EQ(Annotation(rs_b, kMaxReplicasAnnotation), "25");
}

TEST_F(DeploymentTest, UndoReusesTheOldReplicaSetAndBumpsItsRevision) {
  Json d = Deployment("app", 2, "img:a");
  d["metadata"]["annotations"] = {{"kubernetes.io/change-cause", "first"}};
  Create(d);
  Converge();
  Mutate("app", [](Json& d) {
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "img:b";
    d["metadata"]["annotations"]["kubernetes.io/change-cause"] = "second";
  });
  Converge();
  Json rs_a = ReplicaSetWithImage("app", "img:a");
  Json rs_b = ReplicaSetWithImage("app", "img:b");
  EXPECT_EQ(Annotation(rs_a, "kubernetes.io/change-cause"), "first");
  EXPECT_EQ(Annotation(rs_b, "kubernetes.io/change-cause"), "second");
  EXPECT_EQ(Revisions("app"), (std::set<int64_t>{1, 2}));

  // kubectl rollout undo: the old replica set's template (hash label removed, as a typed
  // client serializes it) and annotations patched into the deployment.
  Json tmpl = rs_a["spec"]["template"];
  tmpl["metadata"]["labels"].erase(kPodTemplateHashLabel);
  tmpl["metadata"]["creationTimestamp"] = nullptr;
  tmpl["spec"]["containers"][0]["resources"] = Json::object();
  Json patch = Json::array(
      {{{"op", "replace"}, {"path", "/spec/template"}, {"value", tmpl}},
       {{"op", "replace"},
        {"path", "/metadata/annotations"},
        {"value",
         {{"kubernetes.io/change-cause", "first"},
          {kRevisionAnnotation, Annotation(Get(kDeploy, "app"), kRevisionAnnotation)}}}}});
  auto r = client_->Patch(kDeploy, "default", "app", PatchType::kJson, patch.dump());
  ASSERT_TRUE(r.ok()) << r.status().message();
  Converge();
  EXPECT_EQ(ReplicaSets("app").size(), 2u) << "the first replica set is reused";
  rs_a = ReplicaSetWithImage("app", "img:a");
  EXPECT_EQ(Annotation(rs_a, kRevisionAnnotation), "3");
  EXPECT_EQ(Annotation(rs_a, kRevisionHistoryAnnotation), "1");
  EXPECT_EQ(SpecReplicas(rs_a), 2);
  EXPECT_EQ(SpecReplicas(ReplicaSetWithImage("app", "img:b")), 0);
  EXPECT_EQ(Revisions("app"), (std::set<int64_t>{2, 3}));
  Json after = Get(kDeploy, "app");
  EXPECT_EQ(Annotation(after, kRevisionAnnotation), "3");
  EXPECT_EQ(RolloutStatus(after), "done");

  // kubectl scale after the rollout: the one active replica set takes the size.
  for (int replicas : {5, 1}) {
    Mutate("app", [&](Json& d) { d["spec"]["replicas"] = replicas; });
    Converge();
    EXPECT_EQ(LivePods("app=app"), replicas);
    rs_a = ReplicaSetWithImage("app", "img:a");
    EXPECT_EQ(SpecReplicas(rs_a), replicas);
    EXPECT_EQ(Annotation(rs_a, kDesiredReplicasAnnotation), std::to_string(replicas));
    EXPECT_EQ(RolloutStatus(Get(kDeploy, "app")), "done");
  }
  EXPECT_EQ(ReplicaSets("app").size(), 2u);
}

TEST_F(DeploymentTest, RecreateScalesDownBeforeCreatingTheNewReplicaSet) {
  Json d = Deployment("app", 3, "img:a");
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  Create(d);
  Converge();
  SetImage("app", "img:b");
  ReconcileDeployment("app");
  Settle();
  EXPECT_EQ(ReplicaSets("app").size(), 1u) << "no new replica set while old pods run";
  EXPECT_EQ(SpecReplicas(ReplicaSetWithImage("app", "img:a")), 0);
  Converge([&] {
    std::set<std::string> images;
    for (const Json& p : List(kPods, "app=app"))
      images.insert(GetString(p["spec"]["containers"][0], {"image"}));
    EXPECT_LE(images.size(), 1u) << "never old and new pods at once";
  });
  EXPECT_EQ(SpecReplicas(ReplicaSetWithImage("app", "img:b")), 3);
  EXPECT_EQ(RolloutStatus(Get(kDeploy, "app")), "done");
  EXPECT_EQ(LivePods("app=app"), 3);
}

TEST_F(DeploymentTest, PausedDeploymentsDoNotRollOutUntilResumed) {
  Create(Deployment("app", 2, "img:a"));
  Converge();
  Mutate("app", [](Json& d) { d["spec"]["paused"] = true; });
  SetImage("app", "img:b");
  Converge();
  EXPECT_EQ(ReplicaSets("app").size(), 1u);
  Json d = Get(kDeploy, "app");
  const Json* cond = GetCondition(d["status"], "Progressing");
  ASSERT_NE(cond, nullptr);
  EXPECT_EQ(GetString(*cond, {"status"}), "Unknown");
  EXPECT_EQ(GetString(*cond, {"reason"}), "DeploymentPaused");
  // Scaling still works while paused.
  Mutate("app", [](Json& d) { d["spec"]["replicas"] = 3; });
  Converge();
  EXPECT_EQ(LivePods("app=app"), 3);

  Mutate("app", [](Json& d) { d["spec"]["paused"] = false; });
  ReconcileDeployment("app");
  Settle();
  const Json resumed = Get(kDeploy, "app");
  cond = GetCondition(resumed["status"], "Progressing");
  ASSERT_NE(cond, nullptr);
  EXPECT_NE(GetString(*cond, {"reason"}), "DeploymentPaused");
  Converge();
  EXPECT_EQ(RolloutStatus(Get(kDeploy, "app")), "done");
  EXPECT_EQ(SpecReplicas(ReplicaSetWithImage("app", "img:b")), 3);
}

TEST_F(DeploymentTest, RestartAnnotationMakesANewReplicaSet) {
  Create(Deployment("app", 1));
  Converge();
  Mutate("app", [](Json& d) {
    d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] =
        "2025-01-01T00:00:00Z";
  });
  Converge();
  EXPECT_EQ(ReplicaSets("app").size(), 2u);
  EXPECT_EQ(RolloutStatus(Get(kDeploy, "app")), "done");
}

TEST_F(DeploymentTest, RevisionHistoryLimitDeletesOldEmptyReplicaSets) {
  Json d = Deployment("app", 1, "img:1");
  d["spec"]["revisionHistoryLimit"] = 1;
  Create(d);
  Converge();
  for (const char* image : {"img:2", "img:3", "img:4"}) {
    SetImage("app", image);
    Converge();
  }
  auto rss = ReplicaSets("app");
  EXPECT_EQ(rss.size(), 2u);
  EXPECT_EQ(Revisions("app"), (std::set<int64_t>{3, 4}));
}

TEST_F(DeploymentTest, ProgressDeadlineExceeded) {
  Json d = Deployment("app", 2);
  d["spec"]["progressDeadlineSeconds"] = 60;
  Create(d);
  ready_if = [](const Json&) { return false; };
  Converge();
  ReconcileResult r = ReconcileDeployment("app");
  EXPECT_GE(r.requeue_after, std::chrono::seconds(59));
  EXPECT_LE(r.requeue_after, std::chrono::seconds(61));
  Json got = Get(kDeploy, "app");
  EXPECT_EQ(GetString(*GetCondition(got["status"], "Available"), {"reason"}),
            "MinimumReplicasUnavailable");
  clock_.Step(std::chrono::seconds(61));
  ReconcileDeployment("app");
  Settle();
  got = Get(kDeploy, "app");
  const Json* cond = GetCondition(got["status"], "Progressing");
  ASSERT_NE(cond, nullptr);
  EXPECT_EQ(GetString(*cond, {"status"}), "False");
  EXPECT_EQ(GetString(*cond, {"reason"}), "ProgressDeadlineExceeded");
  EXPECT_EQ(
      GetString(*cond, {"message"}),
      "ReplicaSet \"" + Name(ReplicaSets("app").begin()->second) + "\" has timed out progressing.");
  EXPECT_EQ(RolloutStatus(got), "timed out");
}

TEST_F(DeploymentTest, AdoptsOrphanReplicaSetsAndResolvesHashCollisions) {
  Json d = Deployment("app", 1);
  std::string hash = ComputeHash(
      [&] {
        // The template as the registry stores it (defaults applied).
        auto r = client_->Create(kDeploy, "default", Deployment("probe", 1));
        EXPECT_TRUE(r.ok());
        Json t = (*r)["spec"]["template"];
        t["metadata"]["labels"]["app"] = "app";
        EXPECT_TRUE(client_->Delete(kDeploy, "default", "probe").ok());
        return t;
      }(),
      std::nullopt);
  // Someone else's replica set took the name, with another template.
  Json squatter = {{"metadata", {{"name", "app-" + hash}, {"labels", {{"app", "other"}}}}},
                   {"spec",
                    {{"replicas", 0},
                     {"selector", {{"matchLabels", {{"app", "other"}}}}},
                     {"template",
                      {{"metadata", {{"labels", {{"app", "other"}}}}},
                       {"spec", {{"containers", {{{"name", "x"}, {"image", "x"}}}}}}}}}}};
  ASSERT_TRUE(client_->Create(kRS, "default", squatter).ok());
  Create(d);
  Converge();
  Json got = Get(kDeploy, "app");
  EXPECT_EQ(got["status"]["collisionCount"], 1);
  auto rss = ReplicaSets("app");
  ASSERT_EQ(rss.size(), 1u);
  EXPECT_EQ(rss.begin()->first, "app-" + ComputeHash(got["spec"]["template"], 1));
  EXPECT_EQ(RolloutStatus(got), "done");

  // An orphan replica set matching the selector is adopted.
  Json orphan = {{"metadata", {{"name", "stray"}, {"labels", {{"app", "app"}}}}},
                 {"spec",
                  {{"replicas", 0},
                   {"selector", {{"matchLabels", {{"app", "app"}, {"x", "y"}}}}},
                   {"template",
                    {{"metadata", {{"labels", {{"app", "app"}, {"x", "y"}}}}},
                     {"spec", {{"containers", {{{"name", "x"}, {"image", "x"}}}}}}}}}}};
  ASSERT_TRUE(client_->Create(kRS, "default", orphan).ok());
  Converge();
  Json stray = Get(kRS, "stray");
  ASSERT_TRUE(stray["metadata"].contains("ownerReferences"));
  EXPECT_EQ(stray["metadata"]["ownerReferences"][0]["uid"], Uid(got));
}

TEST_F(DeploymentTest, BadInput) {
  Json both_zero = Deployment("bad", 1);
  both_zero["spec"]["strategy"] = {{"type", "RollingUpdate"},
                                   {"rollingUpdate", {{"maxSurge", 0}, {"maxUnavailable", 0}}}};
  EXPECT_EQ(client_->Create(kDeploy, "default", both_zero).status().code(), Code::kInvalid);
  Json bad_percent = Deployment("bad", 1);
  bad_percent["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "ten%";
  EXPECT_EQ(client_->Create(kDeploy, "default", bad_percent).status().code(), Code::kInvalid);
  auto r = dc_->Reconcile("default/missing");
  EXPECT_TRUE(r.ok());

  EXPECT_EQ(*ValueFromIntOrPercent("25%", 3, true), 1);
  EXPECT_EQ(*ValueFromIntOrPercent("25%", 3, false), 0);
  EXPECT_EQ(*ValueFromIntOrPercent(2, 3, false), 2);
  EXPECT_FALSE(ValueFromIntOrPercent("25", 3, true).ok());
  EXPECT_FALSE(ValueFromIntOrPercent("x%", 3, true).ok());
  EXPECT_FALSE(ValueFromIntOrPercent(Json::array(), 3, true).ok());
  auto f = ResolveFenceposts("1%", "1%", 2);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->surge, 1);
  EXPECT_EQ(f->unavailable, 0);
  f = ResolveFenceposts(0, "10%", 2);
  EXPECT_EQ(f->unavailable, 1) << "both zero: one may be unavailable";

  Json t = Deployment("x", 1)["spec"]["template"];
  Json noisy = t;
  noisy["metadata"]["creationTimestamp"] = nullptr;
  noisy["metadata"]["labels"][kPodTemplateHashLabel] = "abc";
  noisy["spec"]["containers"][0]["resources"] = Json::object();
  EXPECT_TRUE(EqualIgnoreHash(t, noisy));
  EXPECT_EQ(ComputeHash(t, std::nullopt), ComputeHash(t, std::nullopt));
  EXPECT_NE(ComputeHash(t, std::nullopt), ComputeHash(t, 1));
  for (char c : ComputeHash(t, 7))
    EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);
}

// A large Deployment with both controllers' workers and a fake kubelet thread: created -> all
// available, then a full rolling update. 200 replicas by default (CI runs this under ASan on
// 2 shared cores; the deadline only catches a hang); MINIK_ROLLOUT_REPLICAS=1000 for figures.
TEST_F(DeploymentTest, LargeRolloutBenchmark) {
  const char* env = std::getenv("MINIK_ROLLOUT_REPLICAS");
  const int replicas = env ? std::max(1, std::atoi(env)) : 200;
  dc_->Run();
  rsc_->Run();
  std::atomic<bool> stop{false};
  std::thread kubelet([&] {
    Informer& pods = informers_->For(kPods);
    while (!stop) {
      bool idle = true;
      for (const ObjectPtr& p : pods.List()) {
        if (IsPodReady(*p) || Find(*p, {"metadata", "deletionTimestamp"})) continue;
        Json pod = *p;
        pod["status"]["phase"] = "Running";
        pod["status"]["conditions"] =
            Json::array({{{"type", "Ready"},
                          {"status", "True"},
                          {"lastTransitionTime", FormatRfc3339(clock_.Now())}}});
        (void)client_->Update(kPods, "default", pod, {}, "status");
        idle = false;
      }
      if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  auto done = [&](const std::string& image) {
    auto d = client_->Get(kDeploy, "default", "big");
    if (!d.ok() || Image(*d) != image || RolloutStatus(*d) != "done") return false;
    return GetInt(*d, {"status", "availableReplicas"}) == replicas &&
           LivePods("app=big") == replicas;
  };
  auto t0 = std::chrono::steady_clock::now();
  Create(Deployment("big", replicas, "img:a"));
  bool created = Eventually([&] { return done("img:a"); }, std::chrono::seconds(180));
  auto t1 = std::chrono::steady_clock::now();
  SetImage("big", "img:b");
  bool updated = Eventually([&] { return done("img:b"); }, std::chrono::seconds(180));
  auto t2 = std::chrono::steady_clock::now();
  stop = true;
  kubelet.join();
  EXPECT_TRUE(created);
  EXPECT_TRUE(updated);
  auto ms = [](auto d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  std::printf("%d replicas: created -> all available in %lld ms; rolling update in %lld ms\n",
              replicas, ms(t1 - t0), ms(t2 - t1));
}

}  // namespace
}  // namespace minik
