// ReplicaSetController (ReplicaSets and ReplicationControllers) over the real registry on a
// FakeClock: the test calls Reconcile(key) itself once the informers caught up, and plays
// the scheduler and kubelet by writing spec.nodeName and pod status.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/deployment_util.h"
#include "controllers/replicaset_controller.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kEvents{"", "v1", "events"};
const ResourceRef kRS{"apps", "v1", "replicasets"};
const ResourceRef kRC{"", "v1", "replicationcontrollers"};

// Forwards to the registry; pod creates fail while `fail_creates` is set.
class FlakyClient final : public Client {
 public:
  explicit FlakyClient(Client& inner) : inner_(inner) {}
  std::atomic<bool> fail_creates{false};
  std::atomic<int> pod_creates{0};

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& sub,
                        const std::string& name) override {
    if (ref == kPods && sub.empty()) {
      ++pod_creates;
      if (fail_creates)
        return Status(Code::kForbidden, "pods \"x\" is forbidden: exceeded quota: q");
    }
    return inner_.Create(ref, ns, std::move(obj), opts, sub, name);
  }
  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string& sub) override {
    return inner_.Get(ref, ns, name, sub);
  }
  StatusOr<Json> List(const ResourceRef& ref, const std::string& ns, const ListQuery& q) override {
    return inner_.List(ref, ns, q);
  }
  StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& sub) override {
    return inner_.Update(ref, ns, std::move(obj), opts, sub);
  }
  StatusOr<Json> Patch(const ResourceRef& ref, const std::string& ns, const std::string& name,
                       PatchType type, const std::string& body, const WriteOptions& opts,
                       const std::string& sub) override {
    return inner_.Patch(ref, ns, name, type, body, opts, sub);
  }
  StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) override {
    return inner_.Delete(ref, ns, name, opts);
  }
  StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns, const ListQuery& q,
                                  const DeleteOptions& opts) override {
    return inner_.DeleteCollection(ref, ns, q, opts);
  }
  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref, const std::string& ns,
                                                 const ListQuery& q,
                                                 std::function<void()> notify) override {
    return inner_.Watch(ref, ns, q, std::move(notify));
  }

 private:
  Client& inner_;
};

Json Template(const std::string& app, Json extra_labels = Json::object()) {
  Json labels = {{"app", app}};
  labels.update(extra_labels);
  return Json{{"metadata", {{"labels", labels}, {"annotations", {{"note", "n"}}}}},
              {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
}

Json ReplicaSet(const std::string& name, int replicas, const std::string& app, int min_ready = 0) {
  Json rs = {{"metadata", {{"name", name}}},
             {"spec",
              {{"replicas", replicas},
               {"selector", {{"matchLabels", {{"app", app}}}}},
               {"template", Template(app)}}}};
  if (min_ready > 0) rs["spec"]["minReadySeconds"] = min_ready;
  return rs;
}

class ReplicaSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    registry_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    client_ = std::make_unique<FlakyClient>(*registry_);
    ASSERT_TRUE(registry_->Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
  }
  void TearDown() override {
    if (rs_) rs_->Stop();
    if (rc_) rc_->Stop();
    informers_->Stop();
  }
  void StartControllers(int workers = 2) {
    rs_ = std::make_unique<ReplicaSetController>(*client_, clock_, *informers_, false, workers);
    rc_ = std::make_unique<ReplicaSetController>(*client_, clock_, *informers_, true, workers);
    informers_->Start();
    ASSERT_TRUE(informers_->WaitForCacheSync(std::chrono::seconds(5)));
  }
  // Waits until the informers of `refs` hold exactly the stored objects.
  void Settle(std::vector<ResourceRef> refs = {kPods, kRS, kRC}) {
    for (const ResourceRef& ref : refs) {
      Informer& inf = informers_->For(ref);
      bool ok = Eventually([&] {
        auto list = registry_->List(ref, "");
        if (!list.ok()) return false;
        std::map<std::string, std::string> want, got;
        for (const Json& o : (*list)["items"]) want[ObjectKey(o)] = ResourceVersion(o);
        for (const ObjectPtr& o : inf.List()) got[ObjectKey(*o)] = ResourceVersion(*o);
        return want == got;
      });
      ASSERT_TRUE(ok) << ref.resource << " informer did not settle";
    }
  }
  // Settles, reconciles `key`, settles again.
  ReconcileResult Sync(ReplicaSetController& c, const std::string& key) {
    Settle();
    auto r = c.Reconcile(key);
    EXPECT_TRUE(r.ok()) << r.status().message();
    Settle();
    return r.ok() ? *r : ReconcileResult{};
  }
  Json Create(const ResourceRef& ref, const Json& obj) {
    auto r = registry_->Create(ref, "default", obj);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Json();
  }
  Json Get(const ResourceRef& ref, const std::string& name) {
    auto r = registry_->Get(ref, "default", name);
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
    return r.ok() ? *r : Json();
  }
  std::vector<Json> Pods(const std::string& selector, bool include_terminating = true) {
    ListQuery q;
    q.label_selector = selector;
    auto r = registry_->List(kPods, "default", q);
    std::vector<Json> out;
    if (!r.ok()) return out;
    for (const Json& p : (*r)["items"])
      if (include_terminating || !Find(p, {"metadata", "deletionTimestamp"})) out.push_back(p);
    return out;
  }
  int CountEventsNow(const std::string& object, const std::string& reason) {
    auto r = registry_->List(kEvents, "default");
    int n = 0;
    for (const Json& e : (*r)["items"])
      if (GetString(e, {"involvedObject", "name"}) == object && GetString(e, {"reason"}) == reason)
        ++n;
    return n;
  }
  // Events are written by the recorder's own thread: waits for `want` of them (bounded).
  int CountEvents(const std::string& object, const std::string& reason, int want) {
    Eventually([&] { return CountEventsNow(object, reason) >= want; }, std::chrono::seconds(2));
    return CountEventsNow(object, reason);
  }
  // The scheduler's and kubelet's part.
  void SetPod(const std::string& name, const std::string& node, const std::string& phase,
              bool ready, SystemTime ready_since) {
    Json pod = Get(kPods, name);
    if (!node.empty() && GetString(pod, {"spec", "nodeName"}).empty()) {
      Json binding = {{"metadata", {{"name", name}}},
                      {"target", {{"kind", "Node"}, {"name", node}}}};
      auto b = registry_->Create(kPods, "default", binding, {}, "binding", name);
      ASSERT_TRUE(b.ok()) << b.status().message();
      pod = Get(kPods, name);
    }
    pod["status"]["phase"] = phase;
    pod["status"]["conditions"] =
        Json::array({{{"type", "Ready"},
                      {"status", ready ? "True" : "False"},
                      {"lastTransitionTime", FormatRfc3339(ready_since)}}});
    auto r = registry_->Update(kPods, "default", pod, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void RunAll(const std::string& selector, SystemTime since) {
    for (const Json& p : Pods(selector, false)) SetPod(Name(p), "n1", "Running", true, since);
  }

  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> registry_;
  std::unique_ptr<FlakyClient> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<ReplicaSetController> rs_, rc_;
};

TEST_F(ReplicaSetTest, CreatesPodsFromTheTemplateWithControllerRefAndEvents) {
  StartControllers();
  Json rs = Create(kRS, ReplicaSet("web", 3, "web"));
  Sync(*rs_, "default/web");
  std::vector<Json> pods = Pods("app=web");
  ASSERT_EQ(pods.size(), 3u);
  for (const Json& p : pods) {
    EXPECT_EQ(Name(p).rfind("web-", 0), 0u) << Name(p);
    EXPECT_EQ(Name(p).size(), 9u) << Name(p);  // generateName "web-" + 5 characters
    EXPECT_EQ(GetString(p, {"metadata", "annotations", "note"}), "n");
    const Json& ref = p["metadata"]["ownerReferences"][0];
    EXPECT_EQ(ref["kind"], "ReplicaSet");
    EXPECT_EQ(ref["apiVersion"], "apps/v1");
    EXPECT_EQ(ref["uid"], Uid(rs));
    EXPECT_EQ(ref["controller"], true);
    EXPECT_EQ(ref["blockOwnerDeletion"], true);
  }
  EXPECT_EQ(CountEvents("web", "SuccessfulCreate", 3), 3);
  const Json events = *registry_->List(kEvents, "default");
  for (const Json& e : events["items"]) {
    EXPECT_EQ(e["involvedObject"]["kind"], "ReplicaSet");
    EXPECT_EQ(e["source"]["component"], "replicaset-controller");
    EXPECT_EQ(GetString(e, {"message"}).rfind("Created pod: web-", 0), 0u);
  }
  // Level-triggered: another reconcile changes nothing.
  Sync(*rs_, "default/web");
  EXPECT_EQ(Pods("app=web").size(), 3u);
  Json got = Get(kRS, "web");
  EXPECT_EQ(got["status"]["replicas"], 3);
  EXPECT_EQ(got["status"]["fullyLabeledReplicas"], 3);
  EXPECT_EQ(got["status"]["observedGeneration"], 1);
  EXPECT_FALSE(got["status"].contains("readyReplicas"));
  // Reconciling a missing key is a no-op.
  auto r = rs_->Reconcile("default/missing");
  EXPECT_TRUE(r.ok());
}

TEST_F(ReplicaSetTest, StatusCountsReadyAndAvailableAfterMinReadySeconds) {
  StartControllers();
  Create(kRS, ReplicaSet("web", 2, "web", /*min_ready=*/10));
  Sync(*rs_, "default/web");
  RunAll("app=web", clock_.Now());
  ReconcileResult r = Sync(*rs_, "default/web");
  Json got = Get(kRS, "web");
  EXPECT_EQ(got["status"]["readyReplicas"], 2);
  EXPECT_FALSE(got["status"].contains("availableReplicas"));
  // Requeued for the moment the pods become available (10 s + 1 s).
  EXPECT_EQ(r.requeue_after, std::chrono::seconds(11));
  std::string rv = ResourceVersion(got);
  // Nothing changed: no status write.
  Sync(*rs_, "default/web");
  EXPECT_EQ(ResourceVersion(Get(kRS, "web")), rv);
  clock_.Step(std::chrono::seconds(11));
  r = Sync(*rs_, "default/web");
  got = Get(kRS, "web");
  EXPECT_EQ(got["status"]["availableReplicas"], 2);
  EXPECT_EQ(r.requeue_after.count(), 0);
}

TEST_F(ReplicaSetTest, ScaleDownDeletesInUpstreamOrder) {
  StartControllers();
  Create(kRS, ReplicaSet("web", 6, "web"));
  Sync(*rs_, "default/web");
  std::vector<Json> pods = Pods("app=web");
  ASSERT_EQ(pods.size(), 6u);
  SystemTime t0 = clock_.Now();
  // pods[0] unscheduled; [1] scheduled Pending; [2] Running not ready; [3] ready long ago;
  // [4] ready recently; [5] ready recently with a high deletion cost.
  SetPod(Name(pods[1]), "n1", "Pending", false, t0);
  SetPod(Name(pods[2]), "n1", "Running", false, t0);
  SetPod(Name(pods[3]), "n1", "Running", true, t0 - std::chrono::hours(100));
  SetPod(Name(pods[4]), "n1", "Running", true, t0);
  SetPod(Name(pods[5]), "n1", "Running", true, t0);
  Json costly = Get(kPods, Name(pods[5]));
  costly["metadata"]["annotations"][deployutil::kPodDeletionCostAnnotation] = "100";
  ASSERT_TRUE(registry_->Update(kPods, "default", costly).ok());
  clock_.Step(std::chrono::minutes(1));

  auto scale_to = [&](int n) {
    Json rs = Get(kRS, "web");
    rs["spec"]["replicas"] = n;
    ASSERT_TRUE(registry_->Update(kRS, "default", rs).ok());
    Sync(*rs_, "default/web");
  };
  auto alive = [&] {
    std::set<std::string> names;
    for (const Json& p : Pods("app=web", false)) names.insert(Name(p));
    return names;
  };
  scale_to(5);
  EXPECT_EQ(alive().count(Name(pods[0])), 0u) << "the unscheduled pod goes first";
  scale_to(4);
  EXPECT_EQ(alive().count(Name(pods[1])), 0u) << "then the pending one";
  scale_to(3);
  EXPECT_EQ(alive().count(Name(pods[2])), 0u) << "then the not ready one";
  scale_to(2);
  EXPECT_EQ(alive().count(Name(pods[4])), 0u) << "then the one ready for less time";
  scale_to(1);
  EXPECT_EQ(alive(), std::set<std::string>{Name(pods[5])}) << "the costly pod stays last";
  EXPECT_EQ(CountEvents("web", "SuccessfulDelete", 5), 5);
  // Status counts the pods seen before acting, as upstream; the next sync sees the
  // deletion. Bound running pods are deleted gracefully: terminating pods are not counted.
  Sync(*rs_, "default/web");
  EXPECT_EQ(Get(kRS, "web")["status"]["replicas"], 1);
}

TEST_F(ReplicaSetTest, ScaleDownPrefersNodesWithMoreRelatedPods) {
  StartControllers();
  Create(kRS, ReplicaSet("web", 3, "web"));
  Sync(*rs_, "default/web");
  std::vector<Json> pods = Pods("app=web");
  ASSERT_EQ(pods.size(), 3u);
  SystemTime t0 = clock_.Now();
  SetPod(Name(pods[0]), "n1", "Running", true, t0);
  SetPod(Name(pods[1]), "n1", "Running", true, t0);
  SetPod(Name(pods[2]), "n2", "Running", true, t0);
  Json rs = Get(kRS, "web");
  rs["spec"]["replicas"] = 2;
  ASSERT_TRUE(registry_->Update(kRS, "default", rs).ok());
  Sync(*rs_, "default/web");
  std::set<std::string> nodes;
  for (const Json& p : Pods("app=web", false)) nodes.insert(GetString(p, {"spec", "nodeName"}));
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2"})) << "one of the doubled-up pods went";
}

TEST_F(ReplicaSetTest, TerminatingAndFinishedPodsAreReplaced) {
  StartControllers();
  Create(kRS, ReplicaSet("web", 2, "web"));
  Sync(*rs_, "default/web");
  std::vector<Json> pods = Pods("app=web");
  ASSERT_EQ(pods.size(), 2u);
  SetPod(Name(pods[0]), "n1", "Running", true, clock_.Now());
  SetPod(Name(pods[1]), "n1", "Failed", false, clock_.Now());
  ASSERT_TRUE(registry_->Delete(kPods, "default", Name(pods[0])).ok());  // graceful: stays
  Sync(*rs_, "default/web");
  EXPECT_EQ(Pods("app=web").size(), 4u);
  EXPECT_EQ(Pods("app=web", false).size(), 3u);
  Sync(*rs_, "default/web");
  EXPECT_EQ(Get(kRS, "web")["status"]["replicas"], 2);
}

TEST_F(ReplicaSetTest, AdoptsMatchingOrphansAndReleasesPodsThatStopMatching) {
  StartControllers();
  Json orphan = {{"metadata", {{"name", "orphan"}, {"labels", {{"app", "web"}}}}},
                 {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
  Create(kPods, orphan);
  Json other = orphan;
  other["metadata"]["name"] = "other";
  other["metadata"]["labels"]["app"] = "other";
  Create(kPods, other);
  Json rs = Create(kRS, ReplicaSet("web", 1, "web"));
  Sync(*rs_, "default/web");
  Json adopted = Get(kPods, "orphan");
  ASSERT_TRUE(adopted["metadata"].contains("ownerReferences"));
  EXPECT_EQ(adopted["metadata"]["ownerReferences"][0]["uid"], Uid(rs));
  EXPECT_EQ(adopted["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(Pods("app=web").size(), 1u) << "the adopted pod counts: nothing created";
  EXPECT_FALSE(Get(kPods, "other")["metadata"].contains("ownerReferences"));

  // The pod's labels stop matching: released, and a replacement is created.
  adopted["metadata"]["labels"]["app"] = "moved";
  ASSERT_TRUE(registry_->Update(kPods, "default", adopted).ok());
  Sync(*rs_, "default/web");
  Json released = Get(kPods, "orphan");
  const Json* refs = Find(released, {"metadata", "ownerReferences"});
  EXPECT_TRUE(!refs || refs->empty());
  EXPECT_EQ(Pods("app=web").size(), 1u);
  EXPECT_NE(Name(Pods("app=web")[0]), "orphan");
}

TEST_F(ReplicaSetTest, FailedCreateStopsTheSlowStartAndSetsReplicaFailure) {
  StartControllers();
  Create(kRS, ReplicaSet("web", 10, "web"));
  client_->fail_creates = true;
  Settle();
  auto r = rs_->Reconcile("default/web");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(client_->pod_creates.load(), 1) << "the first batch of one failed: no more tries";
  Settle();
  Json got = Get(kRS, "web");
  const Json* cond = deployutil::GetCondition(got["status"], "ReplicaFailure");
  ASSERT_NE(cond, nullptr);
  EXPECT_EQ(GetString(*cond, {"reason"}), "FailedCreate");
  EXPECT_EQ(GetString(*cond, {"message"}), "pods \"x\" is forbidden: exceeded quota: q");
  EXPECT_EQ(CountEvents("web", "FailedCreate", 1), 1);

  // The failure is gone: expectations were lowered, so the next reconcile creates all.
  client_->fail_creates = false;
  Sync(*rs_, "default/web");
  EXPECT_EQ(Pods("app=web").size(), 10u);
  EXPECT_EQ(client_->pod_creates.load(), 11);
  EXPECT_EQ(deployutil::GetCondition(Get(kRS, "web")["status"], "ReplicaFailure"), nullptr);
}

TEST_F(ReplicaSetTest, DeletingOwnerCreatesNothing) {
  StartControllers();
  Json rs = ReplicaSet("web", 2, "web");
  rs["metadata"]["finalizers"] = {"example.com/hold"};
  Create(kRS, rs);
  ASSERT_TRUE(registry_->Delete(kRS, "default", "web").ok());
  Sync(*rs_, "default/web");
  EXPECT_TRUE(Pods("app=web").empty());
}

TEST_F(ReplicaSetTest, InvalidReplicaSetsAreRefusedByTheRegistry) {
  Json bad = ReplicaSet("bad", -1, "web");
  EXPECT_EQ(registry_->Create(kRS, "default", bad).status().code(), Code::kInvalid);
  Json mismatch = ReplicaSet("mismatch", 1, "web");
  mismatch["spec"]["template"]["metadata"]["labels"]["app"] = "other";
  EXPECT_EQ(registry_->Create(kRS, "default", mismatch).status().code(), Code::kInvalid);
}

TEST_F(ReplicaSetTest, ReplicationControllerUsesItsMapSelectorAndKind) {
  StartControllers();
  Json rc = {
      {"metadata", {{"name", "rc"}}},
      {"spec", {{"replicas", 2}, {"selector", {{"app", "rc"}}}, {"template", Template("rc")}}}};
  Json created = Create(kRC, rc);
  Sync(*rc_, "default/rc");
  std::vector<Json> pods = Pods("app=rc");
  ASSERT_EQ(pods.size(), 2u);
  const Json& ref = pods[0]["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["kind"], "ReplicationController");
  EXPECT_EQ(ref["apiVersion"], "v1");
  EXPECT_EQ(ref["uid"], Uid(created));
  RunAll("app=rc", clock_.Now());
  Sync(*rc_, "default/rc");
  Json got = Get(kRC, "rc");
  EXPECT_EQ(got["status"]["readyReplicas"], 2);
  EXPECT_EQ(got["status"]["availableReplicas"], 2);
  EXPECT_EQ(CountEvents("rc", "SuccessfulCreate", 2), 2);
  // The ReplicaSet controller leaves RC pods alone.
  Sync(*rs_, "default/rc");
  EXPECT_EQ(Pods("app=rc").size(), 2u);
}

// 1,000 replicas with the controller's workers: how long until every pod exists.
TEST_F(ReplicaSetTest, ThousandReplicasBenchmark) {
  StartControllers();
  rs_->Run();
  auto start = std::chrono::steady_clock::now();
  Create(kRS, ReplicaSet("big", 1000, "big"));
  Informer& pods = informers_->For(kPods);
  ASSERT_TRUE(Eventually([&] { return pods.Size() >= 1000; }, std::chrono::seconds(60)));
  auto created = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(Eventually(
      [&] {
        auto rs = registry_->Get(kRS, "default", "big");
        return rs.ok() && GetInt(*rs, {"status", "replicas"}) == 1000;
      },
      std::chrono::seconds(30)));
  auto counted = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(Pods("app=big").size(), 1000u);
  std::printf("1000 pods created in %lld ms, status.replicas=1000 after %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(created).count()),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(counted).count()));
}

}  // namespace
}  // namespace minik
