// The controllers over the real registry (built-in kinds and schemas, in-memory store).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller_ref.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/controllers.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
const ResourceRef kSecrets{"", "v1", "secrets"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};
const ResourceRef kDeployments{"apps", "v1", "deployments"};

class ControllersIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
  }
  Client& client() { return *client_; }
  bool Exists(const ResourceRef& ref, const std::string& ns, const std::string& name) {
    return client_->Get(ref, ns, name).ok();
  }

  RealClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(ControllersIntegrationTest, BootstrapObjectsPassValidationAndAreIdempotent) {
  Status st = EnsureBootstrapObjects(client(), {});
  ASSERT_TRUE(st.ok()) << st.message();
  auto svc = client().Get(kServices, "default", "kubernetes");
  ASSERT_TRUE(svc.ok());
  EXPECT_EQ(GetString(*svc, {"spec", "clusterIP"}), "10.96.0.1");
  auto ep = client().Get(kEndpoints, "default", "kubernetes");
  ASSERT_TRUE(ep.ok());
  auto slice = client().Get(kSlices, "default", "kubernetes");
  ASSERT_TRUE(slice.ok());
  std::string rvs = ResourceVersion(*svc) + ResourceVersion(*ep) + ResourceVersion(*slice);

  st = EnsureBootstrapObjects(client(), {});
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ResourceVersion(*client().Get(kServices, "default", "kubernetes")) +
                ResourceVersion(*client().Get(kEndpoints, "default", "kubernetes")) +
                ResourceVersion(*client().Get(kSlices, "default", "kubernetes")),
            rvs);

  BootstrapOptions moved;
  moved.api_endpoint_ip = "10.1.2.3";
  moved.api_port = 9443;
  st = EnsureBootstrapObjects(client(), moved);
  ASSERT_TRUE(st.ok()) << st.message();
  ep = client().Get(kEndpoints, "default", "kubernetes");
  EXPECT_EQ((*ep)["subsets"][0]["addresses"][0]["ip"], "10.1.2.3");
  svc = client().Get(kServices, "default", "kubernetes");
  EXPECT_EQ((*svc)["spec"]["ports"][0]["targetPort"], 9443);
}

TEST_F(ControllersIntegrationTest, ManagerKeepsServiceAccountsAndDeletesNamespaces) {
  ASSERT_TRUE(EnsureBootstrapObjects(client(), {}).ok());
  ControllerOptions opts;
  opts.node_name = "minik";
  opts.resources = &resources_;
  auto manager = NewControllerManager(client(), clock_, opts);
  Status st = manager->Start();
  ASSERT_TRUE(st.ok()) << st.message();
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    ASSERT_TRUE(Eventually([&] { return Exists(kServiceAccounts, ns, "default"); })) << ns;
  }

  ASSERT_TRUE(client().Create(kNamespaces, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
  ASSERT_TRUE(Eventually([&] { return Exists(kServiceAccounts, "acc", "default"); }));
  ASSERT_TRUE(client().Create(kConfigMaps, "acc", Json{{"metadata", {{"name", "c"}}}}).ok());
  ASSERT_TRUE(client()
                  .Create(kSecrets, "acc",
                          Json{{"metadata", {{"name", "s"}}}, {"stringData", {{"a", "b"}}}})
                  .ok());
  Json held = {{"metadata", {{"name", "held"}, {"finalizers", {"example.com/hold"}}}}};
  ASSERT_TRUE(client().Create(kConfigMaps, "acc", held).ok());
  Json pod = Json::parse(R"({"metadata":{"name":"p"},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  auto created_pod = client().Create(kPods, "acc", pod);
  ASSERT_TRUE(created_pod.ok()) << created_pod.status().message();
  Json dep = Json::parse(R"({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  auto created_dep = client().Create(kDeployments, "acc", dep);
  ASSERT_TRUE(created_dep.ok()) << created_dep.status().message();

  ASSERT_TRUE(client().Delete(kNamespaces, "", "acc").ok());
  // The namespace controller deletes kind by kind, in no promised order.
  EXPECT_TRUE(Eventually([&] { return !Exists(kSecrets, "acc", "s"); }));
  EXPECT_TRUE(Eventually([&] { return !Exists(kConfigMaps, "acc", "c"); }));
  EXPECT_TRUE(Eventually([&] { return !Exists(kDeployments, "acc", "d"); }));
  EXPECT_TRUE(Eventually([&] { return !Exists(kServiceAccounts, "acc", "default"); }));
  EXPECT_FALSE(Exists(kServiceAccounts, "acc", "default"));  // and not recreated
  // The held ConfigMap keeps the namespace, and the conditions say why.
  ASSERT_TRUE(Eventually([&] {
    auto ns = client().Get(kNamespaces, "", "acc");
    if (!ns.ok()) return false;
    const Json* conds = Find(*ns, {"status", "conditions"});
    if (!conds || !conds->is_array()) return false;
    for (const Json& c : *conds) {
      if (GetString(c, {"type"}) == "NamespaceFinalizersRemaining" &&
          GetString(c, {"status"}) == "True")
        return true;
    }
    return false;
  }));
  auto cm = client().Get(kConfigMaps, "acc", "held");
  ASSERT_TRUE(cm.ok());
  (*cm)["metadata"]["finalizers"] = Json::array();
  ASSERT_TRUE(client().Update(kConfigMaps, "acc", *cm).ok());
  // The pod is deleted gracefully; without a kubelet here, finish it as the kubelet would.
  ASSERT_TRUE(Eventually([&] {
    auto p = client().Get(kPods, "acc", "p");
    if (!p.ok()) return true;
    if (!Find(*p, {"metadata", "deletionTimestamp"})) return false;
    DeleteOptions now;
    now.grace_period_seconds = 0;
    (void)client().Delete(kPods, "acc", "p", now);
    return false;
  }));
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return !Exists(kNamespaces, "", "acc"); }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(Exists(kServiceAccounts, "default", "default"));
  manager->Stop();
}

// A consumer that falls behind gets its store watch closed; the informer relists and ends up
// with exactly the stored objects.
TEST(InformerIntegrationTest, SlowConsumerRelistsToTheTruth) {
  RealClock clock;
  ResourceRegistry resources;
  RegisterBuiltinResources(resources);
  StoreOptions store_opts;
  store_opts.watcher_max_backlog = 5;
  auto store = NewMemStore(store_opts);
  auto client = NewRegistry(*store, resources, BuiltinSchemas(), clock);
  ASSERT_TRUE(client->Create(kNamespaces, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
  ASSERT_TRUE(client->Create(kConfigMaps, "acc", Json{{"metadata", {{"name", "first"}}}}).ok());

  Informer inf(*client, clock, kConfigMaps, "acc");
  std::mutex mu;
  std::condition_variable cv;
  bool blocked = true;
  std::atomic<int> adds{0};
  inf.AddEventHandler({[&](const Json&) {
                         ++adds;
                         std::unique_lock<std::mutex> lock(mu);
                         cv.wait(lock, [&] { return !blocked; });
                       },
                       nullptr, nullptr});
  inf.Start();
  ASSERT_TRUE(Eventually([&] { return adds == 1; }));  // stuck in the handler
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(
        client->Create(kConfigMaps, "acc", Json{{"metadata", {{"name", "c" + std::to_string(i)}}}})
            .ok());
  }
  ASSERT_TRUE(client->Delete(kConfigMaps, "acc", "first").ok());
  {
    std::lock_guard<std::mutex> g(mu);
    blocked = false;
  }
  cv.notify_all();
  ASSERT_TRUE(Eventually([&] { return inf.Size() == 30 && !inf.Get("acc/first"); }));
  EXPECT_GE(inf.lists(), 2);
  ASSERT_TRUE(client->Create(kConfigMaps, "acc", Json{{"metadata", {{"name", "late"}}}}).ok());
  ASSERT_TRUE(Eventually([&] { return inf.Get("acc/late") != nullptr; }));
  inf.Stop();
}

TEST(InformerIntegrationTest, FieldSelectorAndPaging) {
  RealClock clock;
  ResourceRegistry resources;
  RegisterBuiltinResources(resources);
  auto store = NewMemStore();
  auto client = NewRegistry(*store, resources, BuiltinSchemas(), clock);
  for (const char* ns : {"a", "b"}) {
    ASSERT_TRUE(client->Create(kNamespaces, "", Json{{"metadata", {{"name", ns}}}}).ok());
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(client->Create(kConfigMaps, ns,
                                 Json{{"metadata", {{"name", "c" + std::to_string(i)}}}})
                      .ok());
    }
  }
  InformerOptions opts;
  opts.page_size = 2;
  Informer paged(*client, clock, kConfigMaps, "", opts);
  opts.field_selector = "metadata.name=c3";
  Informer selected(*client, clock, kConfigMaps, "", opts);
  paged.Start();
  selected.Start();
  ASSERT_TRUE(paged.WaitForSync(std::chrono::seconds(5)));
  ASSERT_TRUE(selected.WaitForSync(std::chrono::seconds(5)));
  EXPECT_EQ(paged.Size(), 10u);
  EXPECT_EQ(selected.ListKeys(), (std::vector<std::string>{"a/c3", "b/c3"}));
  EXPECT_EQ(paged.ByIndex(kNamespaceIndex, "b").size(), 5u);
}

// Events are written by the recorder's own thread, in order; repeats fold into one Event
// whose count grows; Flush waits for the writes.
TEST_F(ControllersIntegrationTest, EventRecorderWritesAsynchronouslyAndFoldsRepeats) {
  ASSERT_TRUE(EnsureBootstrapObjects(client(), {}).ok());
  const ResourceRef events{"", "v1", "events"};
  Json cm = {{"metadata", {{"name", "subject"}}}};
  auto created = client().Create(kConfigMaps, "default", cm);
  ASSERT_TRUE(created.ok());
  {
    EventRecorder recorder(client(), clock_, "test-controller");
    for (int i = 0; i < 3; ++i) recorder.Record(*created, "Normal", "Tick", "same message");
    recorder.Record(*created, "Warning", "Other", "another message");
    recorder.Flush();
    auto list = client().List(events, "default");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ((*list)["items"].size(), 2u);
    for (const Json& e : (*list)["items"]) {
      EXPECT_EQ(e["involvedObject"]["name"], "subject");
      EXPECT_EQ(e["source"]["component"], "test-controller");
      EXPECT_EQ(e["count"], e["reason"] == "Tick" ? 3 : 1);
    }
    recorder.Record(*created, "Normal", "Last", "written by the destructor at the latest");
  }
  auto list = client().List(events, "default");
  EXPECT_EQ((*list)["items"].size(), 3u);
}

// ClaimObjects adopts matching orphans, releases owned objects that stopped matching, and
// leaves other controllers' objects and terminating orphans alone.
TEST_F(ControllersIntegrationTest, ClaimObjectsAdoptsAndReleases) {
  ASSERT_TRUE(EnsureBootstrapObjects(client(), {}).ok());
  const ResourceRef replicasets{"apps", "v1", "replicasets"};
  Json rs = {{"metadata", {{"name", "owner"}}},
             {"spec",
              {{"selector", {{"matchLabels", {{"app", "a"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "a"}}}}},
                 {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}}}}}};
  auto owner = client().Create(replicasets, "default", rs);
  ASSERT_TRUE(owner.ok()) << owner.status().message();
  auto pod = [&](const std::string& name, const std::string& app, Json refs) {
    Json p = {{"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
              {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
    if (!refs.is_null()) p["metadata"]["ownerReferences"] = refs;
    auto r = client().Create(kPods, "default", p);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return std::make_shared<const Json>(*r);
  };
  Json mine = Json::array({NewControllerRef(*owner, "apps/v1", "ReplicaSet")});
  Json other = Json::array({{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "x"},
                             {"uid", "not-the-owner"}, {"controller", true}}});
  std::vector<ObjectPtr> candidates = {pod("orphan", "a", nullptr), pod("owned", "a", mine),
                                       pod("strayed", "b", mine), pod("others", "a", other),
                                       pod("unrelated", "b", nullptr)};
  ClaimSpec spec{"apps/v1", "ReplicaSet", replicasets, kPods};
  auto selector = LabelSelector::FromJson(rs["spec"]["selector"]);
  ASSERT_TRUE(selector.ok());
  auto claimed = ClaimObjects(client(), spec, *owner, *selector, candidates);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  std::set<std::string> names;
  for (const ObjectPtr& p : *claimed) names.insert(Name(*p));
  EXPECT_EQ(names, (std::set<std::string>{"orphan", "owned"}));
  EXPECT_TRUE(IsControlledBy(*client().Get(kPods, "default", "orphan"), *owner));
  EXPECT_EQ(ControllerRefOf(*client().Get(kPods, "default", "strayed")), nullptr);
  EXPECT_FALSE(IsControlledBy(*client().Get(kPods, "default", "others"), *owner));
  EXPECT_EQ(ControllerRefOf(*client().Get(kPods, "default", "unrelated")), nullptr);

  // A deleting owner adopts nothing (checked against the live object, not the cache).
  auto late = pod("late", "a", nullptr);
  ASSERT_TRUE(client().Delete(replicasets, "default", "owner").ok());
  claimed = ClaimObjects(client(), spec, *owner, *selector, {late});
  ASSERT_TRUE(claimed.ok());
  EXPECT_TRUE(claimed->empty());
  EXPECT_EQ(ControllerRefOf(*client().Get(kPods, "default", "late")), nullptr);
}

}  // namespace
}  // namespace minik
