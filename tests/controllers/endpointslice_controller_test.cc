// EndpointSliceController over a FakeClient: the test drives Reconcile(key) itself once the
// informers caught up.
#include "controllers/endpointslice_controller.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api/fake_clock.h"
#include "tests/controllers/fake_client.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using namespace endpointutil;  // NOLINT
using testing::Eventually;
using testing::FakeClient;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};

Json Pod(const std::string& name, const std::string& ip, bool ready,
         const std::string& node = "minik") {
  return Json{{"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
              {"spec",
               {{"nodeName", node},
                {"containers",
                 {{{"name", "c"},
                   {"image", "busybox"},
                   {"ports", {{{"name", "http"}, {"containerPort", 8080}}}}}}}}},
              {"status",
               {{"phase", "Running"},
                {"podIP", ip},
                {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

Json WebService(Json extra = Json::object()) {
  Json spec = {{"selector", {{"app", "web"}}},
               {"clusterIP", "10.96.0.20"},
               {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}}};
  spec.update(extra);
  return Json{{"metadata", {{"name", "web"}, {"labels", {{"team", "a"}}}}}, {"spec", spec}};
}

// Stops the informers before the controller declared just above it goes away: their handlers
// enqueue into the controller's queue.
struct StopFirst {
  SharedInformerFactory& informers;
  ~StopFirst() { informers.Stop(); }
};

class EndpointSliceControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    ASSERT_TRUE(client_.Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
    Json node = {
        {"metadata", {{"name", "minik"}, {"labels", {{"topology.kubernetes.io/zone", "z1"}}}}}};
    ASSERT_TRUE(client_.Create(kNodes, "", node).ok());
  }
  void TearDown() override { informers_.Stop(); }
  void Start() {
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForCacheSync(std::chrono::seconds(5)));
  }
  // Waits until every informer of `refs` holds exactly the stored objects.
  void Settle(std::initializer_list<ResourceRef> refs) {
    for (const ResourceRef& ref : refs) {
      ASSERT_TRUE(Eventually([&] {
        auto list = client_.List(ref, "");
        if (!list.ok()) return false;
        std::map<std::string, std::string> want, got;
        for (const Json& o : (*list)["items"]) want[ObjectKey(o)] = ResourceVersion(o);
        for (const ObjectPtr& o : informers_.For(ref).List())
          got[ObjectKey(*o)] = ResourceVersion(*o);
        return want == got;
      }));
    }
  }
  void Create(const ResourceRef& ref, Json obj) {
    auto r = client_.Create(ref, ref.resource == "nodes" ? "" : "default", std::move(obj));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  std::vector<Json> Slices() {
    auto r = client_.List(kSlices, "default");
    std::vector<Json> out;
    if (r.ok())
      for (const Json& s : (*r)["items"]) out.push_back(s);
    return out;
  }
  std::map<std::string, std::string> Versions() {
    std::map<std::string, std::string> out;
    for (const Json& s : Slices()) out[Name(s)] = ResourceVersion(s);
    return out;
  }
  std::map<std::string, Json> EndpointsByPod() {
    std::map<std::string, Json> out;
    for (const Json& s : Slices())
      for (const Json& e : SliceArray(s, "endpoints")) {
        EXPECT_FALSE(out.count(GetString(e, {"targetRef", "name"}))) << "duplicate endpoint";
        out[GetString(e, {"targetRef", "name"})] = e;
      }
    return out;
  }
  StatusOr<ReconcileResult> SyncWeb(EndpointSliceController& c) {
    Settle({kServices, kPods, kSlices, kNodes});
    return c.Reconcile("default/web");
  }

  FakeClient client_;
  FakeClock clock_;
  SharedInformerFactory informers_{client_, clock_};
};

TEST_F(EndpointSliceControllerTest, PlaceholderThenPackingWithoutChurn) {
  EndpointSliceController c(client_, clock_, informers_, 1, /*max_endpoints_per_slice=*/3);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, WebService());
  ASSERT_TRUE(SyncWeb(c).ok());
  // No pods: one empty placeholder slice, owned by the service.
  std::vector<Json> slices = Slices();
  ASSERT_EQ(slices.size(), 1u);
  const Json& p = slices[0];
  EXPECT_TRUE(SliceArray(p, "endpoints").empty());
  EXPECT_TRUE(SliceArray(p, "ports").empty());
  EXPECT_EQ(GetString(p, {"metadata", "generateName"}), "web-");
  EXPECT_EQ(p["metadata"]["labels"],
            Json({{"team", "a"},
                  {kServiceNameLabel, "web"},
                  {kSliceManagedByLabel, "endpointslice-controller.k8s.io"}}));
  auto svc = client_.Get(kServices, "default", "web");
  EXPECT_EQ(p["metadata"]["ownerReferences"], Json::array({{{"apiVersion", "v1"},
                                                            {"kind", "Service"},
                                                            {"name", "web"},
                                                            {"uid", Uid(*svc)},
                                                            {"controller", true},
                                                            {"blockOwnerDeletion", true}}}));
  auto before = Versions();
  ASSERT_TRUE(SyncWeb(c).ok());
  EXPECT_EQ(Versions(), before);  // the placeholder is kept, not rewritten

  // Seven pods with max 3 per slice: 3 + 3 + 1, the placeholder reused.
  for (int i = 0; i < 7; ++i)
    Create(kPods, Pod("p" + std::to_string(i), "10.0.0." + std::to_string(i + 1), true));
  ASSERT_TRUE(SyncWeb(c).ok());
  std::multiset<size_t> sizes;
  for (const Json& s : Slices()) sizes.insert(SliceArray(s, "endpoints").size());
  EXPECT_EQ(sizes, (std::multiset<size_t>{1, 3, 3}));
  EXPECT_TRUE(Versions().count(Name(p)));
  auto eps = EndpointsByPod();
  ASSERT_EQ(eps.size(), 7u);
  EXPECT_EQ(eps["p0"]["conditions"],
            Json({{"ready", true}, {"serving", true}, {"terminating", false}}));
  EXPECT_EQ(GetString(eps["p0"], {"zone"}), "z1");
  EXPECT_EQ(GetString(eps["p0"], {"nodeName"}), "minik");
  for (const Json& s : Slices())
    EXPECT_EQ(s["ports"], Json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}));

  // Nothing changed: nothing written.
  before = Versions();
  ASSERT_TRUE(SyncWeb(c).ok());
  EXPECT_EQ(Versions(), before);

  // One pod not ready, one terminating: only their slices change.
  Json pod = *client_.Get(kPods, "default", "p0");
  pod["status"]["conditions"][0]["status"] = "False";
  ASSERT_TRUE(client_.Update(kPods, "default", pod, {}, "status").ok());
  ASSERT_TRUE(SyncWeb(c).ok());
  int changed = 0;
  for (const auto& [name, rv] : Versions()) changed += before[name] != rv;
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(EndpointsByPod()["p0"]["conditions"],
            Json({{"ready", false}, {"serving", false}, {"terminating", false}}));

  // Pods going away empty their slices; emptied ones are deleted.
  for (int i = 0; i < 7; ++i)
    if (i != 3) {
      ASSERT_TRUE(client_.Delete(kPods, "default", "p" + std::to_string(i)).ok());
    }
  ASSERT_TRUE(SyncWeb(c).ok());
  ASSERT_EQ(Slices().size(), 1u);
  EXPECT_EQ(EndpointsByPod().size(), 1u);
}

TEST_F(EndpointSliceControllerTest, StaleCacheRequeuesInsteadOfDuplicating) {
  EndpointSliceController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, WebService());
  Create(kPods, Pod("a", "10.0.0.1", true));
  Settle({kServices, kPods, kSlices});
  informers_.For(kSlices).Stop();  // the slice cache stops here
  auto r = c.Reconcile("default/web");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->requeue);
  ASSERT_EQ(Slices().size(), 1u);
  r = c.Reconcile("default/web");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->requeue);
  EXPECT_EQ(Slices().size(), 1u);
}

TEST_F(EndpointSliceControllerTest, PodsOnUnknownNodesAndConditions) {
  EndpointSliceController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, WebService());
  Create(kPods, Pod("a", "10.0.0.1", true));
  Create(kPods, Pod("ghost", "10.0.0.2", true, "nowhere"));
  Create(kPods, Pod("unscheduled-ip", "10.0.0.3", false, ""));
  Json term = Pod("t", "10.0.0.4", true);
  term["metadata"]["finalizers"] = {"x"};
  Create(kPods, term);
  ASSERT_TRUE(client_.Delete(kPods, "default", "t").ok());  // finalizer: terminating
  Json done = Pod("done", "10.0.0.5", false);
  done["status"]["phase"] = "Succeeded";
  Create(kPods, done);
  Create(kPods, Pod("no-ip", "", true));
  auto r = SyncWeb(c);
  EXPECT_EQ(r.status().code(), Code::kNotFound);  // retried until the node shows up
  auto eps = EndpointsByPod();
  EXPECT_EQ(eps.size(), 3u);
  EXPECT_FALSE(eps.count("ghost"));
  EXPECT_FALSE(eps["unscheduled-ip"].contains("nodeName"));
  EXPECT_EQ(eps["t"]["conditions"],
            Json({{"ready", false}, {"serving", true}, {"terminating", true}}));
  // The node appears: the pod is in.
  Create(kNodes, Json{{"metadata", {{"name", "nowhere"}}}});
  ASSERT_TRUE(SyncWeb(c).ok());
  EXPECT_EQ(EndpointsByPod().size(), 4u);
  EXPECT_FALSE(EndpointsByPod()["ghost"].contains("zone"));
}

TEST_F(EndpointSliceControllerTest, PublishNotReadyAndHeadless) {
  EndpointSliceController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, WebService({{"publishNotReadyAddresses", true}, {"clusterIP", "None"}}));
  Create(kPods, Pod("a", "10.0.0.1", false, "unknown-node"));
  ASSERT_TRUE(SyncWeb(c).ok());  // published anyway, as upstream
  auto eps = EndpointsByPod();
  EXPECT_EQ(eps["a"]["conditions"],
            Json({{"ready", true}, {"serving", false}, {"terminating", false}}));
  EXPECT_TRUE(Slices()[0]["metadata"]["labels"].contains(kHeadlessLabel));
}

TEST_F(EndpointSliceControllerTest, TouchesOnlyItsOwnSlices) {
  EndpointSliceController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, WebService());
  Create(kPods, Pod("a", "10.0.0.1", true));
  // A user's slice for the service and an old service's managed slice.
  Create(kSlices, Json{{"metadata", {{"name", "mine"}, {"labels", {{kServiceNameLabel, "web"}}}}},
                       {"addressType", "IPv4"},
                       {"endpoints", {{{"addresses", {"1.1.1.1"}}}}}});
  Create(kSlices,
         Json{{"metadata",
               {{"name", "old"},
                {"labels",
                 {{kServiceNameLabel, "web"},
                  {kSliceManagedByLabel, "endpointslice-controller.k8s.io"}}},
                {"ownerReferences",
                 {{{"apiVersion", "v1"}, {"kind", "Service"}, {"name", "web"}, {"uid", "gone"}}}}}},
              {"addressType", "IPv4"},
              {"endpoints", {{{"addresses", {"2.2.2.2"}}}}}});
  ASSERT_TRUE(SyncWeb(c).ok());
  // "old" belongs to a previous service of the same name: deleted, not reused (as upstream,
  // which updates only slices owned by the service).
  std::set<std::string> names;
  for (const Json& s : Slices()) names.insert(Name(s));
  EXPECT_EQ(names.size(), 2u);
  EXPECT_TRUE(names.count("mine"));
  EXPECT_FALSE(names.count("old"));
  EXPECT_EQ(EndpointsByPod().count("a"), 1u);

  // Selector removed: the managed slices go, the user's stays.
  Json svc = *client_.Get(kServices, "default", "web");
  svc["spec"].erase("selector");
  ASSERT_TRUE(client_.Update(kServices, "default", svc).ok());
  ASSERT_TRUE(SyncWeb(c).ok());
  ASSERT_EQ(Slices().size(), 1u);
  EXPECT_EQ(Name(Slices()[0]), "mine");
  // Unknown keys are harmless.
  EXPECT_TRUE(c.Reconcile("default/none").ok());
  EXPECT_TRUE(c.Reconcile("junk").ok());
}

TEST_F(EndpointSliceControllerTest, WriteErrorsAreReturned) {
  EndpointSliceController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, WebService());
  Settle({kServices, kSlices});
  client_.FailNext("create", Internal("boom"));
  auto r = c.Reconcile("default/web");
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_NE(r.status().message().find("failed to create EndpointSlice for Service default/web"),
            std::string::npos);
  EXPECT_TRUE(Slices().empty());
  ASSERT_TRUE(SyncWeb(c).ok());
  EXPECT_EQ(Slices().size(), 1u);
}

TEST(EndpointSliceUtilTest, Keys) {
  EXPECT_EQ(
      PortsKey(Json::array({{{"port", 1}}, {{"name", "b"}, {"port", 2}, {"protocol", "UDP"}}})),
      PortsKey(Json::array({{{"name", "b"}, {"port", 2}, {"protocol", "UDP"}},
                            {{"name", ""}, {"port", 1}, {"protocol", "TCP"}}})));
  EXPECT_NE(PortsKey(Json::array({{{"port", 1}}})), PortsKey(Json::array({{{"port", 2}}})));
  EXPECT_EQ(PortsKey("junk"), PortsKey(Json::array()));
  Json ep = {{"addresses", {"10.0.0.2", "10.0.0.1"}},
             {"targetRef", {{"namespace", "d"}, {"name", "a"}, {"resourceVersion", "5"}}}};
  Json same = {{"addresses", {"10.0.0.1", "10.0.0.2"}},
               {"targetRef", {{"namespace", "d"}, {"name", "a"}}}};
  EXPECT_EQ(EndpointKey(ep), EndpointKey(same));
  EXPECT_EQ(EndpointFields(ep)["targetRef"], Json({{"namespace", "d"}, {"name", "a"}}));
  EXPECT_EQ(EndpointKey(Json(3)), EndpointKey(Json::object()));
}

}  // namespace
}  // namespace minik
