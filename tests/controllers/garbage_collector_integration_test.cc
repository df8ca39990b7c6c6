// The garbage collector over the real registry: background, orphan and foreground
// propagation, virtual owners, dangling references, and a large graph.
#include <gtest/gtest.h>

#include "controllers/controller_ref.h"
#include "controllers/garbage_collector.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using testing::Eventually;
using testing::kPodsRef;

const ResourceRef kRs{"apps", "v1", "replicasets"};
const ResourceRef kDeploy{"apps", "v1", "deployments"};
const ResourceRef kCm{"", "v1", "configmaps"};

class GarbageCollectorTest : public testing::WorkloadEnv {
 protected:
  void StartGc() {
    gc_ = std::make_unique<GarbageCollector>(client(), clock_, *informers_, resources_);
    Start();
  }
  void TearDown() override {
    if (gc_) gc_->Stop();
    WorkloadEnv::TearDown();
  }

  // Runs the collector's ready work (without worker threads) until `done` holds; informer
  // events arrive on their own threads, hence the bounded real-time wait.
  template <typename F>
  bool RunUntil(F done, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    return Eventually(
        [&] {
          while (gc_->queue().Len() > 0) gc_->ProcessNextItem();
          return done();
        },
        timeout);
  }

  static Json Ref(const Json& owner, bool controller = true, bool block = true) {
    return {{"apiVersion", owner["apiVersion"]},
            {"kind", owner["kind"]},
            {"name", Name(owner)},
            {"uid", Uid(owner)},
            {"controller", controller},
            {"blockOwnerDeletion", block}};
  }
  Json MakeRs(const std::string& name, const Json& owner_refs = nullptr) {
    Json rs = {{"metadata", {{"name", name}}},
               {"spec",
                {{"replicas", 2},
                 {"selector", {{"matchLabels", {{"app", name}}}}},
                 {"template",
                  {{"metadata", {{"labels", {{"app", name}}}}},
                   {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
    if (!owner_refs.is_null()) rs["metadata"]["ownerReferences"] = owner_refs;
    return Create(kRs, rs);
  }
  Json MakePod(const std::string& name, const Json& owner_refs, const std::string& node = "") {
    Json pod = {{"metadata", {{"name", name}, {"ownerReferences", owner_refs}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    if (!node.empty()) pod["spec"]["nodeName"] = node;
    return Create(kPodsRef, pod);
  }
  bool Exists(const ResourceRef& ref, const std::string& name) {
    return client().Get(ref, "default", name).ok();
  }
  Status Delete(const ResourceRef& ref, const std::string& name, const std::string& policy) {
    DeleteOptions opts;
    opts.propagation_policy = policy;
    auto r = client().Delete(ref, "default", name, opts);
    return r.ok() ? Status::Ok() : r.status();
  }
  size_t OwnerRefCount(const std::string& pod) {
    Json obj = Get(kPodsRef, pod);
    const Json* refs = Find(obj, {"metadata", "ownerReferences"});
    return refs && refs->is_array() ? refs->size() : 0;
  }

  std::unique_ptr<GarbageCollector> gc_;
};

TEST_F(GarbageCollectorTest, WatchesDeletableKindsButNotEvents) {
  StartGc();
  auto kinds = gc_->MonitoredResources();
  auto has = [&](const std::string& k) {
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
  };
  EXPECT_TRUE(has("pods"));
  EXPECT_TRUE(has("replicasets.apps"));
  EXPECT_TRUE(has("leases.coordination.k8s.io"));
  EXPECT_FALSE(has("events"));
  EXPECT_FALSE(has("events.events.k8s.io"));
  EXPECT_FALSE(has("tokenreviews.authentication.k8s.io"));
}

TEST_F(GarbageCollectorTest, BackgroundDeletionRemovesDependents) {
  StartGc();
  Json rs = MakeRs("web");
  MakePod("web-1", Json::array({Ref(rs)}));
  MakePod("web-2", Json::array({Ref(rs)}));
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(rs)) == 2; }));
  ASSERT_TRUE(Delete(kRs, "web", "Background").ok());
  EXPECT_FALSE(Exists(kRs, "web"));
  EXPECT_TRUE(RunUntil([&] { return !Exists(kPodsRef, "web-1") && !Exists(kPodsRef, "web-2"); }));
  EXPECT_TRUE(RunUntil([&] { return !gc_->InGraph(Uid(rs)); }));
}

TEST_F(GarbageCollectorTest, DeploymentChainIsCollected) {
  StartGc();
  Json dep = Create(kDeploy, Json::parse(R"({"metadata":{"name":"app"},"spec":{
      "selector":{"matchLabels":{"app":"app"}},"template":{"metadata":{"labels":{"app":"app"}},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})"));
  Json rs = MakeRs("app-1", Json::array({Ref(dep)}));
  MakePod("app-1-a", Json::array({Ref(rs)}));
  // kubectl delete deploy app: propagationPolicy Background.
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(rs)) == 1; }));
  ASSERT_TRUE(Delete(kDeploy, "app", "Background").ok());
  EXPECT_TRUE(RunUntil([&] { return !Exists(kRs, "app-1") && !Exists(kPodsRef, "app-1-a"); }));
}

TEST_F(GarbageCollectorTest, SurvivingOwnerKeepsTheDependentAndLosesTheDanglingRef) {
  StartGc();
  Json a = MakeRs("a");
  Json b = MakeRs("b");
  MakePod("shared", Json::array({Ref(a), Ref(b, false)}));
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(b)) == 1; }));
  ASSERT_TRUE(Delete(kRs, "a", "Background").ok());
  ASSERT_TRUE(RunUntil([&] { return OwnerRefCount("shared") == 1; }));
  EXPECT_TRUE(Exists(kPodsRef, "shared"));
  EXPECT_EQ(Get(kPodsRef, "shared")["metadata"]["ownerReferences"][0]["name"], "b");
}

TEST_F(GarbageCollectorTest, OrphanRemovesOwnerReferencesThenTheOwner) {
  StartGc();
  Json rs = MakeRs("keep");
  MakePod("keep-1", Json::array({Ref(rs)}));
  MakePod("keep-2", Json::array({Ref(rs)}));
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(rs)) == 2; }));
  // kubectl delete rs keep --cascade=orphan
  ASSERT_TRUE(Delete(kRs, "keep", "Orphan").ok());
  EXPECT_TRUE(Exists(kRs, "keep"));  // held by the "orphan" finalizer
  EXPECT_TRUE(RunUntil([&] { return !Exists(kRs, "keep"); }));
  EXPECT_TRUE(Exists(kPodsRef, "keep-1"));
  EXPECT_TRUE(Exists(kPodsRef, "keep-2"));
  EXPECT_EQ(OwnerRefCount("keep-1"), 0u);
  EXPECT_EQ(OwnerRefCount("keep-2"), 0u);
  Json kept = Get(kPodsRef, "keep-1");
  EXPECT_FALSE(Find(kept, {"metadata", "ownerReferences"}));
}

TEST_F(GarbageCollectorTest, ForegroundWaitsForBlockingDependents) {
  StartGc();
  Json dep = Create(kDeploy, Json::parse(R"({"metadata":{"name":"fg"},"spec":{
      "selector":{"matchLabels":{"app":"fg"}},"template":{"metadata":{"labels":{"app":"fg"}},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})"));
  Json rs = MakeRs("fg-1", Json::array({Ref(dep)}));
  // Bound to a node: deleted gracefully, so it stays until "the kubelet" finishes it.
  MakePod("fg-1-a", Json::array({Ref(rs)}), "node-1");
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(rs)) == 1; }));
  ASSERT_TRUE(Delete(kDeploy, "fg", "Foreground").ok());
  ASSERT_TRUE(RunUntil([&] {
    auto pod = client().Get(kPodsRef, "default", "fg-1-a");
    return pod.ok() && IsBeingDeleted(*pod);
  }));
  // The ReplicaSet went into foreground deletion too, and both wait for the pod.
  Json rs_now = Get(kRs, "fg-1");
  EXPECT_TRUE(IsBeingDeleted(rs_now));
  EXPECT_EQ(rs_now["metadata"]["finalizers"], Json::array({"foregroundDeletion"}));
  EXPECT_TRUE(Exists(kDeploy, "fg"));
  // The kubelet's final delete.
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client().Delete(kPodsRef, "default", "fg-1-a", now).ok());
  EXPECT_TRUE(RunUntil([&] { return !Exists(kRs, "fg-1") && !Exists(kDeploy, "fg"); }));
}

TEST_F(GarbageCollectorTest, ForegroundWithoutBlockersFinishesAtOnce) {
  StartGc();
  Json rs = MakeRs("nb");
  MakePod("nb-1", Json::array({Ref(rs, true, false)}), "node-1");
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(rs)) == 1; }));
  ASSERT_TRUE(Delete(kRs, "nb", "Foreground").ok());
  EXPECT_TRUE(RunUntil([&] { return !Exists(kRs, "nb"); }));
  // The non-blocking dependent is still collected (gracefully).
  EXPECT_TRUE(RunUntil([&] {
    auto pod = client().Get(kPodsRef, "default", "nb-1");
    return !pod.ok() || IsBeingDeleted(*pod);
  }));
}

TEST_F(GarbageCollectorTest, DependentOfAnOwnerThatNeverExistedIsCollected) {
  StartGc();
  Json ghost = {{"apiVersion", "apps/v1"},
                {"kind", "ReplicaSet"},
                {"metadata", {{"name", "ghost"}, {"uid", "0000-ghost"}}}};
  MakePod("haunted", Json::array({Ref(ghost)}));
  EXPECT_TRUE(RunUntil([&] { return !Exists(kPodsRef, "haunted"); }));
  EXPECT_TRUE(RunUntil([&] { return !gc_->InGraph("0000-ghost"); }));
}

TEST_F(GarbageCollectorTest, NamesakeWithAnotherUidIsNotTheOwner) {
  StartGc();
  Json rs = MakeRs("same");
  Json old_owner = rs;
  old_owner["metadata"]["uid"] = "an-older-uid";
  MakePod("stale", Json::array({Ref(old_owner)}));
  MakePod("fresh", Json::array({Ref(rs)}));
  EXPECT_TRUE(RunUntil([&] { return !Exists(kPodsRef, "stale"); }));
  EXPECT_TRUE(Exists(kPodsRef, "fresh"));
}

TEST_F(GarbageCollectorTest, UnknownOwnerKindIsLeftAlone) {
  StartGc();
  Json weird = {{"apiVersion", "example.com/v1"},
                {"kind", "Widget"},
                {"metadata", {{"name", "w"}, {"uid", "widget-uid"}}}};
  MakePod("odd", Json::array({Ref(weird)}));
  ASSERT_TRUE(RunUntil([&] { return gc_->InGraph("widget-uid"); }));
  // The virtual owner cannot be looked up: retried with back-off, the pod stays.
  EXPECT_TRUE(RunUntil([&] { return gc_->queue().NumWaiting() > 0; }));
  EXPECT_TRUE(Exists(kPodsRef, "odd"));
}

TEST_F(GarbageCollectorTest, DanglingReferencesFromBeforeTheStartAreCollected) {
  Json rs = MakeRs("before");
  MakePod("before-1", Json::array({Ref(rs)}));
  DeleteOptions bg;
  bg.propagation_policy = "Background";
  ASSERT_TRUE(client().Delete(kRs, "default", "before", bg).ok());
  StartGc();  // the owner is gone before the collector ever saw it
  EXPECT_TRUE(RunUntil([&] { return !Exists(kPodsRef, "before-1"); }));
}

TEST_F(GarbageCollectorTest, ManyDependentsOfOneOwner) {
  // 2,000 dependents (config maps: the cheapest kind to create; the graph work is the same
  // as for pods) are graphed and collected. Times are recorded, not asserted (sanitizer
  // builds on shared machines vary tenfold); bench/workloads.sh measures at scale.
  Json owner = Create(kCm, Json{{"metadata", {{"name", "owner"}}}});
  const int n = 2000;
  Json refs = Json::array({Ref(owner, false, false)});
  for (int i = 0; i < n; ++i)
    Create(kCm,
           Json{{"metadata", {{"name", "dep-" + std::to_string(i)}, {"ownerReferences", refs}}}});
  auto start = std::chrono::steady_clock::now();
  StartGc();
  ASSERT_TRUE(RunUntil([&] { return gc_->DependentCount(Uid(owner)) == size_t(n); }));
  auto graphed = std::chrono::steady_clock::now();
  ASSERT_TRUE(Delete(kCm, "owner", "Background").ok());
  ASSERT_TRUE(RunUntil([&] { return gc_->GraphSize() < 100; }, std::chrono::milliseconds(60000)));
  EXPECT_TRUE(RunUntil([&] { return ListObjects(kCm).empty(); }));
  auto took = std::chrono::steady_clock::now() - start;
  RecordProperty(
      "graph_ms",
      int(std::chrono::duration_cast<std::chrono::milliseconds>(graphed - start).count()));
  RecordProperty("total_ms",
                 int(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

}  // namespace
}  // namespace minik
