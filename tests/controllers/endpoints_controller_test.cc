// EndpointsController and the endpoint helpers shared with the EndpointSlice controllers, over
// a FakeClient: the test drives Reconcile(key) itself once the informers caught up.
#include "controllers/endpoints_controller.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

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
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};

Json Pod(const std::string& name, const std::string& ip, bool ready, Json ports = Json::array(),
         Json labels = {{"app", "web"}}) {
  Json pod = {
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}, {"labels", labels}}},
      {"spec",
       {{"nodeName", "minik"},
        {"containers", {{{"name", "c"}, {"image", "busybox"}, {"ports", ports}}}}}},
      {"status",
       {{"phase", "Running"},
        {"conditions",
         {{{"type", "Ready"},
           {"status", ready ? "True" : "False"},
           {"lastTransitionTime", "2025-01-01T00:00:10Z"}}}}}}};
  if (!ip.empty()) pod["status"]["podIP"] = ip;
  return pod;
}

std::vector<ObjectPtr> Ptrs(const std::vector<Json>& objs) {
  std::vector<ObjectPtr> out;
  for (const Json& o : objs) out.push_back(std::make_shared<const Json>(o));
  return out;
}

Json Service(Json spec) {
  return Json{{"metadata",
               {{"name", "web"},
                {"namespace", "default"},
                {"uid", "svc-uid"},
                {"creationTimestamp", "2025-01-01T00:00:00Z"}}},
              {"spec", std::move(spec)}};
}

std::vector<std::string> Ips(const Json& subset, const char* field) {
  std::vector<std::string> out;
  if (const Json* a = Find(subset, {field}); a && a->is_array())
    for (const Json& addr : *a) out.push_back(GetString(addr, {"ip"}));
  return out;
}

TEST(EndpointUtilTest, FindPort) {
  Json pod = Pod("a", "10.0.0.1", true,
                 {{{"name", "http"}, {"containerPort", 8080}},
                  {{"name", "dns"}, {"containerPort", 53}, {"protocol", "UDP"}}});
  pod["spec"]["initContainers"] = {
      {{"name", "side"},
       {"restartPolicy", "Always"},
       {"ports", {{{"name", "proxy"}, {"containerPort", 15001}}}}},
      {{"name", "init"}, {"ports", {{{"name", "x"}, {"containerPort", 1}}}}}};
  EXPECT_EQ(*FindPort(pod, {{"port", 80}, {"targetPort", "http"}}), 8080);
  EXPECT_EQ(*FindPort(pod, {{"port", 80}, {"targetPort", 9000}}), 9000);
  EXPECT_EQ(*FindPort(pod, {{"port", 80}}), 80);  // targetPort defaults to the port
  EXPECT_EQ(*FindPort(pod, {{"port", 53}, {"targetPort", "dns"}, {"protocol", "UDP"}}), 53);
  EXPECT_EQ(FindPort(pod, {{"port", 53}, {"targetPort", "dns"}}).status().code(), Code::kNotFound);
  EXPECT_EQ(*FindPort(pod, {{"port", 1}, {"targetPort", "proxy"}}), 15001);  // sidecar
  EXPECT_FALSE(FindPort(pod, {{"port", 1}, {"targetPort", "x"}}).ok());      // plain init
  EXPECT_FALSE(FindPort(pod, {{"port", 1}, {"targetPort", "nope"}}).ok());
  EXPECT_FALSE(FindPort(pod, {{"port", 1}, {"targetPort", {{"bad", 1}}}}).ok());
  EXPECT_FALSE(FindPort(Json::array(), {{"port", 1}, {"targetPort", "http"}}).ok());
}

TEST(EndpointUtilTest, PodAndServicePredicates) {
  Json pod = Pod("a", "10.0.0.1", true);
  EXPECT_TRUE(ShouldPodBeInEndpoints(pod, false));
  Json terminating = pod;
  terminating["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z";
  EXPECT_FALSE(ShouldPodBeInEndpoints(terminating, false));
  EXPECT_TRUE(ShouldPodBeInEndpoints(terminating, true));
  Json done = pod;
  done["status"]["phase"] = "Succeeded";
  EXPECT_FALSE(ShouldPodBeInEndpoints(done, true));
  EXPECT_FALSE(ShouldPodBeInEndpoints(Pod("b", "", true), true));
  EXPECT_FALSE(ShouldPodBeInEndpoints(Json("garbage"), true));

  Json v6 = Pod("c", "fd00::1", true);
  EXPECT_TRUE(PodIPv4s(v6).empty());
  v6["status"]["podIPs"] = {{{"ip", "fd00::1"}}, {{"ip", "10.0.0.3"}}};
  EXPECT_EQ(PodIPv4s(v6), std::vector<std::string>{"10.0.0.3"});

  EXPECT_TRUE(IsPodReady(pod));
  EXPECT_FALSE(IsPodReady(Pod("d", "10.0.0.4", false)));
  EXPECT_FALSE(HasSelector(Service({{"selector", Json::object()}})));
  EXPECT_FALSE(HasSelector(Service({{"selector", "app=web"}})));
  EXPECT_TRUE(HasSelector(Service({{"selector", {{"app", "web"}}}})));
  EXPECT_TRUE(SelectorMatches(Service({{"selector", {{"app", "web"}}}}), Labels(pod)));
  EXPECT_FALSE(SelectorMatches(Service({{"selector", {{"app", "db"}}}}), Labels(pod)));
  EXPECT_FALSE(IsServiceIPSet(Service({{"clusterIP", "None"}})));
  EXPECT_FALSE(IsServiceIPSet(Service(Json::object())));
  EXPECT_TRUE(IsServiceIPSet(Service({{"clusterIP", "10.96.0.5"}})));

  Json named = pod;
  named["spec"]["hostname"] = "a";
  named["spec"]["subdomain"] = "web";
  EXPECT_TRUE(ShouldSetHostname(named, Service(Json::object())));
  named["spec"]["subdomain"] = "other";
  EXPECT_FALSE(ShouldSetHostname(named, Service(Json::object())));
}

TEST(EndpointUtilTest, TriggerTimeTracker) {
  TriggerTimeTracker t;
  Json svc = Service({{"selector", {{"app", "web"}}}});
  SystemTime created{}, ready{};
  ParseRfc3339("2025-01-01T00:00:00Z", &created);
  ParseRfc3339("2025-01-01T00:00:10Z", &ready);
  // First sight: the service's creation.
  EXPECT_EQ(t.Compute(svc, Ptrs({Pod("a", "10.0.0.1", true)})), created);
  EXPECT_EQ(t.Compute(svc, Ptrs({Pod("a", "10.0.0.1", true)})), std::nullopt);
  // A new pod's Ready transition.
  EXPECT_EQ(t.Compute(svc, Ptrs({Pod("a", "10.0.0.1", true), Pod("b", "10.0.0.2", true)})), ready);
  EXPECT_EQ(t.Compute(svc, Ptrs({Pod("a", "10.0.0.1", true), Pod("b", "10.0.0.2", true)})),
            std::nullopt);
  t.DeleteService("default/web");
  EXPECT_EQ(t.Compute(svc, {}), created);
}

TEST(EndpointsDesiredTest, RepacksByPortSet) {
  Json svc = Service(
      {{"selector", {{"app", "web"}}},
       {"ports",
        {{{"name", "http"}, {"port", 80}, {"targetPort", "http"}},
         {{"name", "metrics"}, {"port", 9090}, {"targetPort", 9090}, {"appProtocol", "http"}}}}});
  Json both = {{{"name", "http"}, {"containerPort", 8080}}};
  auto subsets = EndpointsController::DesiredSubsets(
      svc, Ptrs({Pod("a", "10.0.0.9", true, both), Pod("b", "10.0.0.10", false, both),
                 Pod("c", "10.0.0.11", true, Json::array()),  // no "http": metrics only
                 Pod("gone", "", true, both)}));
  ASSERT_EQ(subsets.size(), 2u) << subsets.dump();
  // http: a ready, b not; metrics: a and c ready, b not.
  const Json* http = nullptr;
  const Json* metrics = nullptr;
  for (const Json& s : subsets) {
    ASSERT_EQ(s["ports"].size(), 1u);
    (GetString(s["ports"][0], {"name"}) == "http" ? http : metrics) = &s;
  }
  ASSERT_TRUE(http && metrics);
  EXPECT_EQ(Ips(*http, "addresses"), std::vector<std::string>{"10.0.0.9"});
  EXPECT_EQ(Ips(*http, "notReadyAddresses"), std::vector<std::string>{"10.0.0.10"});
  EXPECT_EQ((*http)["ports"][0], Json({{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}));
  // Sorted as strings, as upstream (bytes.Compare of the IP text).
  EXPECT_EQ(Ips(*metrics, "addresses"), (std::vector<std::string>{"10.0.0.11", "10.0.0.9"}));
  EXPECT_EQ(GetString((*metrics)["ports"][0], {"appProtocol"}), "http");
  const Json& addr = (*http)["addresses"][0];
  EXPECT_EQ(addr["targetRef"],
            Json({{"kind", "Pod"}, {"namespace", "default"}, {"name", "a"}, {"uid", "uid-a"}}));
  EXPECT_EQ(GetString(addr, {"nodeName"}), "minik");
  EXPECT_FALSE(addr.contains("hostname"));

  // Two ports served by the same addresses share one subset.
  Json two = Service({{"selector", {{"app", "web"}}},
                      {"ports", {{{"name", "a"}, {"port", 1}}, {{"name", "b"}, {"port", 2}}}}});
  subsets = EndpointsController::DesiredSubsets(two, Ptrs({Pod("a", "10.0.0.1", true)}));
  ASSERT_EQ(subsets.size(), 1u);
  EXPECT_EQ(subsets[0]["ports"].size(), 2u);
}

TEST(EndpointsDesiredTest, HeadlessWithoutPortsAndBadInput) {
  Json headless = Service({{"selector", {{"app", "web"}}}, {"clusterIP", "None"}});
  auto subsets = EndpointsController::DesiredSubsets(headless, Ptrs({Pod("a", "10.0.0.1", true)}));
  ASSERT_EQ(subsets.size(), 1u);
  EXPECT_FALSE(subsets[0].contains("ports"));
  EXPECT_EQ(Ips(subsets[0], "addresses"), std::vector<std::string>{"10.0.0.1"});
  // A service with an IP and no ports gets nothing.
  Json plain = Service({{"selector", {{"app", "web"}}}, {"clusterIP", "10.96.0.9"}});
  EXPECT_TRUE(
      EndpointsController::DesiredSubsets(plain, Ptrs({Pod("a", "10.0.0.1", true)})).empty());
  // Malformed objects are skipped, not fatal.
  Json bad = Service(
      {{"selector", {{"app", "web"}}}, {"ports", "nope"}, {"publishNotReadyAddresses", "x"}});
  EXPECT_TRUE(
      EndpointsController::DesiredSubsets(bad, Ptrs({Json::object(), Json(1), Pod("a", "x", true)}))
          .empty());
  // publishNotReadyAddresses: every address is ready, terminating ones included.
  Json publish = Service({{"selector", {{"app", "web"}}},
                          {"publishNotReadyAddresses", true},
                          {"ports", {{{"port", 80}}}}});
  Json term = Pod("t", "10.0.0.2", false);
  term["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z";
  subsets = EndpointsController::DesiredSubsets(publish, Ptrs({Pod("a", "10.0.0.1", false), term}));
  ASSERT_EQ(subsets.size(), 1u);
  EXPECT_EQ(Ips(subsets[0], "addresses"), (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_FALSE(subsets[0]["ports"][0].contains("name"));
}

Json Addresses(int n, int start) {
  Json out = Json::array();
  for (int i = 0; i < n; ++i)
    out.push_back({{"ip", "10.1." + std::to_string((start + i) / 250) + "." +
                              std::to_string((start + i) % 250)}});
  return out;
}

TEST(EndpointsDesiredTest, TruncatesOverCapacity) {
  Json ep = {{"subsets",
              {{{"addresses", Addresses(600, 0)}},
               {{"addresses", Addresses(600, 600)}, {"notReadyAddresses", Addresses(5, 2000)}}}}};
  EXPECT_TRUE(EndpointsController::TruncateEndpoints(ep));
  EXPECT_EQ(ep["subsets"][0]["addresses"].size(), 500u);
  EXPECT_EQ(ep["subsets"][1]["addresses"].size(), 500u);
  EXPECT_FALSE(ep["subsets"][1].contains("notReadyAddresses"));

  ep = {{"subsets",
         {{{"addresses", Addresses(900, 0)}, {"notReadyAddresses", Addresses(300, 900)}}}}};
  EXPECT_TRUE(EndpointsController::TruncateEndpoints(ep));
  EXPECT_EQ(ep["subsets"][0]["addresses"].size(), 900u);
  EXPECT_EQ(ep["subsets"][0]["notReadyAddresses"].size(), 100u);

  ep = {{"subsets", {{{"addresses", Addresses(10, 0)}}}}};
  EXPECT_FALSE(EndpointsController::TruncateEndpoints(ep));
  Json none = Json::object();
  EXPECT_FALSE(EndpointsController::TruncateEndpoints(none));
}

// Stops the informers before the controller declared just above it goes away: their handlers
// enqueue into the controller's queue.
struct StopFirst {
  SharedInformerFactory& informers;
  ~StopFirst() { informers.Stop(); }
};

class EndpointsControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    ASSERT_TRUE(client_.Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
  }
  void TearDown() override { informers_.Stop(); }
  void Start() {
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForCacheSync(std::chrono::seconds(5)));
  }
  // Waits until the informer of `ref` shows the stored object (or its absence).
  void Settle(const ResourceRef& ref, const std::string& name) {
    ASSERT_TRUE(Eventually([&] {
      auto stored = client_.Get(ref, "default", name);
      ObjectPtr cached = informers_.For(ref).Get("default/" + name);
      if (!stored.ok()) return cached == nullptr;
      return cached && ResourceVersion(*cached) == ResourceVersion(*stored);
    }));
  }
  Json Create(const ResourceRef& ref, Json obj) {
    auto r = client_.Create(ref, "default", std::move(obj));
    EXPECT_TRUE(r.ok()) << r.status().message();
    Settle(ref, r.ok() ? Name(*r) : "");
    return r.ok() ? *r : Json();
  }

  FakeClient client_;
  FakeClock clock_;
  SharedInformerFactory informers_{client_, clock_};
};

TEST_F(EndpointsControllerTest, WritesOnlyWhatChanged) {
  EndpointsController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Json svc = Service({{"selector", {{"app", "web"}}},
                      {"clusterIP", "None"},
                      {"ports", {{{"name", "http"}, {"port", 80}}}}});
  svc["metadata"]["labels"] = {{"team", "a"}};
  Create(kServices, svc);
  Create(kPods, Pod("a", "10.0.0.1", true));
  Create(kPods, Pod("other", "10.0.0.2", true, Json::array(), {{"app", "db"}}));
  auto r = c.Reconcile("default/web");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto ep = client_.Get(kEndpoints, "default", "web");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ((*ep)["metadata"]["labels"],
            Json({{"team", "a"},
                  {EndpointsController::kManagedByLabel, EndpointsController::kControllerName},
                  {kHeadlessLabel, ""}}));
  EXPECT_EQ(GetString(*ep, {"metadata", "annotations", kTriggerTimeAnnotation}),
            "2025-01-01T00:00:00Z");
  ASSERT_EQ((*ep)["subsets"].size(), 1u);
  EXPECT_EQ(Ips((*ep)["subsets"][0], "addresses"), std::vector<std::string>{"10.0.0.1"});
  // Nothing changed: nothing written.
  Settle(kEndpoints, "web");
  ASSERT_TRUE(c.Reconcile("default/web").ok());
  EXPECT_EQ(ResourceVersion(*client_.Get(kEndpoints, "default", "web")), ResourceVersion(*ep));
  // The cache has not seen a write yet: a conflict requeues quietly.
  Json pod = *client_.Get(kPods, "default", "a");
  pod["status"]["conditions"][0]["status"] = "False";
  ASSERT_TRUE(client_.Update(kPods, "default", pod, {}, "status").ok());
  Settle(kPods, "a");
  Json edited = *ep;
  edited["metadata"]["annotations"]["x"] = "y";
  ASSERT_TRUE(client_.Update(kEndpoints, "default", edited).ok());  // cache may still be older
  auto again = c.Reconcile("default/web");
  ASSERT_TRUE(again.ok());
  Settle(kEndpoints, "web");
  ASSERT_TRUE(c.Reconcile("default/web").ok());
  ep = client_.Get(kEndpoints, "default", "web");
  EXPECT_EQ(Ips((*ep)["subsets"][0], "notReadyAddresses"), std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(GetString(*ep, {"metadata", "annotations", "x"}), "y");  // others' annotations kept
  // Write errors are returned (and retried by the queue).
  pod = *client_.Get(kPods, "default", "a");
  pod["status"]["conditions"][0]["status"] = "True";
  ASSERT_TRUE(client_.Update(kPods, "default", pod, {}, "status").ok());
  Settle(kPods, "a");
  Settle(kEndpoints, "web");
  client_.FailNext("update", Internal("boom"));
  EXPECT_FALSE(c.Reconcile("default/web").ok());
}

TEST_F(EndpointsControllerTest, DeletesOnlyWhatItManages) {
  EndpointsController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  // A selectorless service with a user's Endpoints: left alone.
  Create(kServices, Json{{"metadata", {{"name", "manual"}}}, {"spec", Json::object()}});
  Create(kEndpoints, Json{{"metadata", {{"name", "manual"}}},
                          {"subsets", {{{"addresses", {{{"ip", "1.2.3.4"}}}}}}}});
  ASSERT_TRUE(c.Reconcile("default/manual").ok());
  EXPECT_TRUE(client_.Get(kEndpoints, "default", "manual").ok());
  // ExternalName: nothing.
  Create(kServices, Json{{"metadata", {{"name", "ext"}}},
                         {"spec", {{"type", "ExternalName"}, {"selector", {{"app", "web"}}}}}});
  ASSERT_TRUE(c.Reconcile("default/ext").ok());
  EXPECT_FALSE(client_.Get(kEndpoints, "default", "ext").ok());
  // The controller's own Endpoints go when the selector does.
  Create(kServices, Service({{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}}}}}));
  ASSERT_TRUE(c.Reconcile("default/web").ok());
  Settle(kEndpoints, "web");
  Json svc = *client_.Get(kServices, "default", "web");
  svc["spec"].erase("selector");
  ASSERT_TRUE(client_.Update(kServices, "default", svc).ok());
  Settle(kServices, "web");
  ASSERT_TRUE(c.Reconcile("default/web").ok());
  EXPECT_FALSE(client_.Get(kEndpoints, "default", "web").ok());
  // A deleted service's Endpoints go, whoever wrote them (as upstream).
  ASSERT_TRUE(client_.Delete(kServices, "default", "manual").ok());
  Settle(kServices, "manual");
  ASSERT_TRUE(c.Reconcile("default/manual").ok());
  EXPECT_FALSE(client_.Get(kEndpoints, "default", "manual").ok());
  // Unknown keys and malformed services are harmless.
  EXPECT_TRUE(c.Reconcile("default/nothing").ok());
  EXPECT_TRUE(c.Reconcile("garbage").ok());
}

TEST_F(EndpointsControllerTest, PodEventsEnqueueMatchingServices) {
  EndpointsController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Create(kServices, Service({{"selector", {{"app", "web"}}}}));
  Json other = Service({{"selector", {{"app", "db"}}}});
  other["metadata"]["name"] = "db";
  Create(kServices, other);
  // Reconcile both, and let the informer deliver the Endpoints they wrote (which requeue them).
  auto drain = [&] {
    std::set<std::string> keys;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    while (c.queue().Len() > 0) {
      std::string key;
      c.queue().Get(&key);
      keys.insert(key);
      c.queue().Done(key);
    }
    return keys;
  };
  while (c.queue().Len() > 0) c.ProcessNextItem();
  Settle(kEndpoints, "web");
  Settle(kEndpoints, "db");
  drain();
  // A new pod queues only the service whose selector matches it.
  Json pod = Create(kPods, Pod("a", "10.0.0.1", true));
  ASSERT_TRUE(Eventually([&] { return c.queue().Len() > 0; }));
  EXPECT_EQ(drain(), std::set<std::string>{"default/web"});

  auto& services = informers_.For(kServices);
  // Nothing an endpoint shows changed: no service.
  Json same = pod;
  same["metadata"]["resourceVersion"] = "999";
  same["metadata"]["annotations"] = {{"a", "b"}};
  EXPECT_TRUE(ServicesToUpdateOnPodChange(services, pod, same).empty());
  EXPECT_TRUE(ServicesToUpdateOnPodChange(services, pod, pod).empty());
  // Readiness: the matching service.
  Json unready = same;
  unready["status"]["conditions"][0]["status"] = "False";
  EXPECT_EQ(ServicesToUpdateOnPodChange(services, pod, unready),
            std::set<std::string>{"default/web"});
  // Labels moved it from web to db: both.
  Json moved = same;
  moved["metadata"]["labels"] = {{"app", "db"}};
  EXPECT_EQ(ServicesToUpdateOnPodChange(services, pod, moved),
            (std::set<std::string>{"default/db", "default/web"}));
  EXPECT_EQ(ServicesForLabels(services, "default", {{"app", "db"}}),
            std::set<std::string>{"default/db"});
  EXPECT_TRUE(ServicesForLabels(services, "elsewhere", {{"app", "db"}}).empty());
}

}  // namespace
}  // namespace minik
