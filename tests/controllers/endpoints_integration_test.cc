// The Endpoints, EndpointSlice and EndpointSlice-mirroring controllers running (worker threads,
// real clock) over the real registry (built-in kinds, validation, in-memory store). The test
// plays the kubelet by writing pod status.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "api/clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/controllers.h"
#include "controllers/endpoints_controller.h"
#include "controllers/endpointslice_controller.h"
#include "controllers/endpointslice_mirroring_controller.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};

class EndpointsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(EnsureBootstrapObjects(*client_, {}).ok());
    Json node = {
        {"metadata", {{"name", "minik"}, {"labels", {{"topology.kubernetes.io/zone", "zone-a"}}}}}};
    ASSERT_TRUE(client_->Create(kNodes, "", node).ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
    endpoints_ = std::make_unique<EndpointsController>(*client_, clock_, *informers_);
    slices_ = std::make_unique<EndpointSliceController>(*client_, clock_, *informers_);
    mirror_ = std::make_unique<EndpointSliceMirroringController>(*client_, clock_, *informers_);
    informers_->Start();
    ASSERT_TRUE(informers_->WaitForCacheSync(std::chrono::seconds(30)));
    endpoints_->Run();
    slices_->Run();
    mirror_->Run();
  }
  void TearDown() override {
    endpoints_->Stop();
    slices_->Stop();
    mirror_->Stop();
    informers_->Stop();
  }

  void CreateService(const std::string& name, Json spec, Json labels = Json::object()) {
    Json svc = {{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", std::move(spec)}};
    auto r = client_->Create(kServices, "default", svc);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // A pod on node minik whose container serves `port` as "http".
  void CreatePod(const std::string& name, int port = 8080, Json labels = {{"app", "web"}},
                 Json extra_spec = Json::object()) {
    Json spec = {{"nodeName", "minik"},
                 {"containers",
                  {{{"name", "c"},
                    {"image", "busybox"},
                    {"ports", {{{"name", "http"}, {"containerPort", port}}}}}}}};
    spec.update(extra_spec);
    Json pod = {{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", spec}};
    auto r = client_->Create(kPods, "default", pod);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // The kubelet's part: Running with an IP, Ready or not.
  void SetPodStatus(const std::string& name, const std::string& ip, bool ready) {
    auto pod = client_->Get(kPods, "default", name);
    ASSERT_TRUE(pod.ok());
    (*pod)["status"] = {{"phase", "Running"},
                        {"podIP", ip},
                        {"podIPs", {{{"ip", ip}}}},
                        {"conditions",
                         {{{"type", "Ready"},
                           {"status", ready ? "True" : "False"},
                           {"lastTransitionTime", FormatRfc3339(clock_.Now())}}}}};
    auto r = client_->Update(kPods, "default", *pod, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  std::optional<Json> GetEndpoints(const std::string& name) {
    auto r = client_->Get(kEndpoints, "default", name);
    if (!r.ok()) return std::nullopt;
    return *r;
  }
  std::vector<Json> Slices(const std::string& service, const std::string& ns = "default") {
    ListQuery q;
    q.label_selector = std::string(endpointutil::kServiceNameLabel) + "=" + service;
    auto r = client_->List(kSlices, ns, q);
    std::vector<Json> out;
    if (r.ok())
      for (const Json& s : (*r)["items"]) out.push_back(s);
    return out;
  }
  // All endpoints of the service's slices, by pod name.
  std::map<std::string, Json> SliceEndpoints(const std::string& service) {
    std::map<std::string, Json> out;
    for (const Json& s : Slices(service))
      for (const Json& e : endpointutil::SliceArray(s, "endpoints"))
        out[GetString(e, {"targetRef", "name"})] = e;
    return out;
  }
  static std::vector<std::string> Ips(const Json& subset, const char* field) {
    std::vector<std::string> out;
    if (const Json* a = Find(subset, {field}); a && a->is_array())
      for (const Json& addr : *a) out.push_back(GetString(addr, {"ip"}));
    return out;
  }

  RealClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<EndpointsController> endpoints_;
  std::unique_ptr<EndpointSliceController> slices_;
  std::unique_ptr<EndpointSliceMirroringController> mirror_;
};

const Json kWebSpec = {{"selector", {{"app", "web"}}},
                       {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}}};

TEST_F(EndpointsIntegrationTest, NamedTargetPortResolvesPerPod) {
  CreateService("web", kWebSpec, {{"team", "a"}});
  CreatePod("a", 8080);
  CreatePod("b", 9090);
  SetPodStatus("a", "10.244.0.5", true);
  SetPodStatus("b", "10.244.0.6", true);
  ASSERT_TRUE(Eventually([&] {
    auto ep = GetEndpoints("web");
    return ep && endpointutil::SliceArray(*ep, "subsets").size() == 2;
  })) << GetEndpoints("web").value_or(Json()).dump();
  Json ep = *GetEndpoints("web");
  EXPECT_EQ(GetString(ep, {"metadata", "labels", "team"}), "a");
  EXPECT_EQ(GetString(ep, {"metadata", "labels", EndpointsController::kManagedByLabel}),
            "endpoint-controller");
  EXPECT_FALSE(
      GetString(ep, {"metadata", "annotations", endpointutil::kTriggerTimeAnnotation}).empty());
  std::map<int64_t, std::vector<std::string>> by_port;
  for (const Json& ss : ep["subsets"]) {
    ASSERT_EQ(ss["ports"].size(), 1u);
    EXPECT_EQ(GetString(ss["ports"][0], {"name"}), "http");
    EXPECT_EQ(GetString(ss["ports"][0], {"protocol"}), "TCP");
    by_port[GetInt(ss["ports"][0], {"port"})] = Ips(ss, "addresses");
    EXPECT_EQ(GetString(ss["addresses"][0], {"targetRef", "kind"}), "Pod");
    EXPECT_EQ(GetString(ss["addresses"][0], {"nodeName"}), "minik");
  }
  EXPECT_EQ(by_port[8080], std::vector<std::string>{"10.244.0.5"});
  EXPECT_EQ(by_port[9090], std::vector<std::string>{"10.244.0.6"});

  // Slices: one per port list, owned by the service, with the zone of the node.
  ASSERT_TRUE(Eventually([&] { return SliceEndpoints("web").size() == 2; }));
  std::vector<Json> slices = Slices("web");
  ASSERT_EQ(slices.size(), 2u);
  auto svc = client_->Get(kServices, "default", "web");
  for (const Json& s : slices) {
    EXPECT_EQ(GetString(s, {"metadata", "generateName"}), "web-");
    EXPECT_EQ(GetString(s, {"metadata", "labels", endpointutil::kSliceManagedByLabel}),
              "endpointslice-controller.k8s.io");
    EXPECT_EQ(GetString(s, {"metadata", "labels", "team"}), "a");
    EXPECT_EQ(GetString(s, {"addressType"}), "IPv4");
    EXPECT_EQ(GetString(s["metadata"]["ownerReferences"][0], {"uid"}), Uid(*svc));
    EXPECT_EQ(s["metadata"]["ownerReferences"][0]["controller"], true);
    ASSERT_EQ(s["endpoints"].size(), 1u);
    const Json& e = s["endpoints"][0];
    int64_t port = GetInt(s["ports"][0], {"port"});
    EXPECT_EQ(GetString(e, {"targetRef", "name"}), port == 8080 ? "a" : "b");
    EXPECT_EQ(GetString(e, {"zone"}), "zone-a");
    EXPECT_EQ(e["conditions"], Json({{"ready", true}, {"serving", true}, {"terminating", false}}));
  }
}

TEST_F(EndpointsIntegrationTest, ReadinessFlipReachesEndpointsAndSlicesFast) {
  CreateService("web", kWebSpec);
  CreatePod("a");
  SetPodStatus("a", "10.244.0.5", true);
  ASSERT_TRUE(Eventually([&] {
    auto e = SliceEndpoints("web");
    return e.count("a") && e["a"]["conditions"]["ready"] == true;
  }));
  ASSERT_TRUE(Eventually([&] {
    auto ep = GetEndpoints("web");
    return ep && ep->contains("subsets") && Ips((*ep)["subsets"][0], "addresses").size() == 1;
  }));
  // Flip readiness back and forth; each flip must reach the slice and the Endpoints.
  std::vector<double> slice_ms, endpoints_ms;
  for (int i = 0; i < 10; ++i) {
    const bool ready = i % 2 == 1;
    auto start = std::chrono::steady_clock::now();
    SetPodStatus("a", "10.244.0.5", ready);
    ASSERT_TRUE(Eventually(
        [&] {
          auto e = SliceEndpoints("web");
          return e.count("a") && e["a"]["conditions"]["ready"] == ready;
        },
        std::chrono::milliseconds(1000)));
    slice_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    ASSERT_TRUE(Eventually(
        [&] {
          auto ep = GetEndpoints("web");
          return ep &&
                 Ips((*ep)["subsets"][0], ready ? "addresses" : "notReadyAddresses").size() == 1;
        },
        std::chrono::milliseconds(1000)));
    endpoints_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(slice_ms.begin(), slice_ms.end());
  std::sort(endpoints_ms.begin(), endpoints_ms.end());
  std::printf(
      "readiness -> slice: median %.2f ms, max %.2f ms; -> endpoints: median %.2f ms, "
      "max %.2f ms\n",
      slice_ms[5], slice_ms.back(), endpoints_ms[5], endpoints_ms.back());
  EXPECT_LT(slice_ms[5], 100.0);
  // The last flip made it ready again.
  auto e = SliceEndpoints("web");
  EXPECT_EQ(e["a"]["conditions"],
            Json({{"ready", true}, {"serving", true}, {"terminating", false}}));
}

TEST_F(EndpointsIntegrationTest, PublishNotReadyAddresses) {
  Json spec = kWebSpec;
  spec["publishNotReadyAddresses"] = true;
  CreateService("web", spec);
  CreatePod("a");
  SetPodStatus("a", "10.244.0.5", false);
  ASSERT_TRUE(Eventually([&] {
    auto ep = GetEndpoints("web");
    return ep && ep->contains("subsets") && !(*ep)["subsets"].empty() &&
           Ips((*ep)["subsets"][0], "addresses").size() == 1;
  }));
  EXPECT_TRUE(Ips((*GetEndpoints("web"))["subsets"][0], "notReadyAddresses").empty());
  ASSERT_TRUE(Eventually([&] { return SliceEndpoints("web").count("a") == 1; }));
  EXPECT_EQ(SliceEndpoints("web")["a"]["conditions"],
            Json({{"ready", true}, {"serving", false}, {"terminating", false}}));
}

TEST_F(EndpointsIntegrationTest, HeadlessServiceWithHostnames) {
  Json spec = kWebSpec;
  spec["clusterIP"] = "None";
  CreateService("db", spec);
  CreatePod("db-0", 8080, {{"app", "web"}}, {{"hostname", "db-0"}, {"subdomain", "db"}});
  CreatePod("other", 8080, {{"app", "web"}}, {{"hostname", "other"}, {"subdomain", "elsewhere"}});
  SetPodStatus("db-0", "10.244.0.7", true);
  SetPodStatus("other", "10.244.0.8", true);
  ASSERT_TRUE(Eventually([&] {
    auto ep = GetEndpoints("db");
    return ep && ep->contains("subsets") && !(*ep)["subsets"].empty() &&
           Ips((*ep)["subsets"][0], "addresses").size() == 2;
  }));
  Json ep = *GetEndpoints("db");
  EXPECT_TRUE(ep["metadata"]["labels"].contains(endpointutil::kHeadlessLabel));
  const Json& addrs = ep["subsets"][0]["addresses"];
  EXPECT_EQ(GetString(addrs[0], {"ip"}), "10.244.0.7");  // sorted by IP
  EXPECT_EQ(GetString(addrs[0], {"hostname"}), "db-0");
  EXPECT_FALSE(addrs[1].contains("hostname"));
  ASSERT_TRUE(Eventually([&] { return SliceEndpoints("db").size() == 2; }));
  auto eps = SliceEndpoints("db");
  EXPECT_EQ(GetString(eps["db-0"], {"hostname"}), "db-0");
  EXPECT_FALSE(eps["other"].contains("hostname"));
  EXPECT_TRUE(Slices("db")[0]["metadata"]["labels"].contains(endpointutil::kHeadlessLabel));
}

TEST_F(EndpointsIntegrationTest, TerminatingPods) {
  CreateService("web", kWebSpec);
  CreatePod("a");
  CreatePod("b");
  SetPodStatus("a", "10.244.0.5", true);
  SetPodStatus("b", "10.244.0.6", true);
  ASSERT_TRUE(Eventually([&] { return SliceEndpoints("web").size() == 2; }));
  DeleteOptions opts;
  opts.grace_period_seconds = 30;
  auto del = client_->Delete(kPods, "default", "a", opts);
  ASSERT_TRUE(del.ok()) << del.status().message();
  ASSERT_TRUE(Find(*del, {"metadata", "deletionTimestamp"})) << "graceful deletion expected";
  // Kept in the slice as terminating (serving, not ready); gone from the Endpoints.
  ASSERT_TRUE(Eventually([&] {
    auto e = SliceEndpoints("web");
    return e.count("a") && e["a"]["conditions"]["terminating"] == true;
  }));
  EXPECT_EQ(SliceEndpoints("web")["a"]["conditions"],
            Json({{"ready", false}, {"serving", true}, {"terminating", true}}));
  ASSERT_TRUE(Eventually([&] {
    auto ep = GetEndpoints("web");
    return ep && Ips((*ep)["subsets"][0], "addresses") == std::vector<std::string>{"10.244.0.6"};
  }));
}

TEST_F(EndpointsIntegrationTest, SelectorRemovalAndServiceDeletion) {
  CreateService("web", kWebSpec);
  CreateService("api", kWebSpec);
  CreatePod("a");
  SetPodStatus("a", "10.244.0.5", true);
  ASSERT_TRUE(Eventually([&] {
    return GetEndpoints("web") && GetEndpoints("api") && SliceEndpoints("web").size() == 1 &&
           SliceEndpoints("api").size() == 1;
  }));
  // Selector removed: the controllers' Endpoints and slices go.
  auto svc = client_->Get(kServices, "default", "web");
  (*svc)["spec"].erase("selector");
  ASSERT_TRUE(client_->Update(kServices, "default", *svc).ok());
  ASSERT_TRUE(Eventually([&] { return !GetEndpoints("web") && Slices("web").empty(); }));
  // Service deleted: likewise.
  ASSERT_TRUE(client_->Delete(kServices, "default", "api").ok());
  ASSERT_TRUE(Eventually([&] { return !GetEndpoints("api") && Slices("api").empty(); }));
  // Bootstrap's `kubernetes` Endpoints and slice (no selector, skip-mirror) are untouched.
  EXPECT_TRUE(GetEndpoints("kubernetes"));
  std::vector<Json> k = Slices("kubernetes");
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(Name(k[0]), "kubernetes");
}

TEST_F(EndpointsIntegrationTest, ManualEndpointsAreMirrored) {
  CreateService("ext", {{"ports", {{{"name", "pg"}, {"port", 5432}}}}});
  Json ep = {{"metadata", {{"name", "ext"}, {"labels", {{"team", "b"}}}}},
             {"subsets",
              {{{"addresses", {{{"ip", "192.168.1.10"}}, {{"ip", "192.168.1.11"}}}},
                {"notReadyAddresses", {{{"ip", "192.168.1.12"}}}},
                {"ports", {{{"name", "pg"}, {"port", 5432}}}}}}}};
  ASSERT_TRUE(client_->Create(kEndpoints, "default", ep).ok());
  ASSERT_TRUE(Eventually([&] { return Slices("ext").size() == 1; }));
  Json s = Slices("ext")[0];
  EXPECT_EQ(GetString(s, {"metadata", "labels", endpointutil::kSliceManagedByLabel}),
            "endpointslicemirroring-controller.k8s.io");
  EXPECT_EQ(GetString(s, {"metadata", "labels", "team"}), "b");
  EXPECT_EQ(GetString(s["metadata"]["ownerReferences"][0], {"kind"}), "Endpoints");
  ASSERT_EQ(s["endpoints"].size(), 3u);
  std::map<std::string, bool> ready;
  for (const Json& e : s["endpoints"]) ready[e["addresses"][0]] = e["conditions"]["ready"];
  EXPECT_EQ(ready, (std::map<std::string, bool>{
                       {"192.168.1.10", true}, {"192.168.1.11", true}, {"192.168.1.12", false}}));
  EXPECT_EQ(GetInt(s["ports"][0], {"port"}), 5432);
  // The endpoints controller leaves a user's Endpoints alone.
  EXPECT_EQ(GetEndpoints("ext")->at("subsets").size(), 1u);

  // An update is mirrored into the same slice.
  auto cur = client_->Get(kEndpoints, "default", "ext");
  (*cur)["subsets"][0].erase("notReadyAddresses");
  ASSERT_TRUE(client_->Update(kEndpoints, "default", *cur).ok());
  ASSERT_TRUE(Eventually([&] {
    auto sl = Slices("ext");
    return sl.size() == 1 && sl[0]["endpoints"].size() == 2;
  }));
  EXPECT_EQ(Name(Slices("ext")[0]), Name(s));

  // skip-mirror: the mirrored slice goes.
  cur = client_->Get(kEndpoints, "default", "ext");
  (*cur)["metadata"]["labels"][EndpointSliceMirroringController::kSkipMirrorLabel] = "true";
  ASSERT_TRUE(client_->Update(kEndpoints, "default", *cur).ok());
  ASSERT_TRUE(Eventually([&] { return Slices("ext").empty(); }));
  // Back, then the Endpoints deleted: gone again.
  cur = client_->Get(kEndpoints, "default", "ext");
  (*cur)["metadata"]["labels"].erase(EndpointSliceMirroringController::kSkipMirrorLabel);
  ASSERT_TRUE(client_->Update(kEndpoints, "default", *cur).ok());
  ASSERT_TRUE(Eventually([&] { return Slices("ext").size() == 1; }));
  ASSERT_TRUE(client_->Delete(kEndpoints, "default", "ext").ok());
  ASSERT_TRUE(Eventually([&] { return Slices("ext").empty(); }));
  // Bootstrap's skip-mirror Endpoints were never mirrored: its one slice is bootstrap's own.
  ASSERT_EQ(Slices("kubernetes").size(), 1u);
  EXPECT_EQ(Name(Slices("kubernetes")[0]), "kubernetes");
}

TEST_F(EndpointsIntegrationTest, ManyPodsPackIntoStableSlices) {
  CreateService("web", kWebSpec);
  for (int i = 0; i < 250; ++i) {
    std::string name = "p" + std::to_string(i);
    CreatePod(name);
    SetPodStatus(name, "10.244." + std::to_string(1 + i / 200) + "." + std::to_string(1 + i % 200),
                 true);
  }
  auto sizes = [&] {
    std::multiset<size_t> out;
    for (const Json& s : Slices("web")) out.insert(endpointutil::SliceArray(s, "endpoints").size());
    return out;
  };
  ASSERT_TRUE(Eventually([&] { return SliceEndpoints("web").size() == 250; },
                         std::chrono::milliseconds(20000)));
  // Pods arrive one by one, so upstream's packing fills a slice before opening the next; a
  // batch that does not fit the last slice opens a new one, hence "3 slices of at most 100".
  ASSERT_TRUE(Eventually([&] {
    auto n = sizes();
    return n.size() == 3 && *n.rbegin() <= 100;
  })) << Slices("web").size()
      << " slices";
  std::string dist;
  for (size_t n : sizes()) dist += std::to_string(n) + " ";
  std::printf("250 pods -> slices of %s\n", dist.c_str());
  ASSERT_TRUE(Eventually([&] {
    auto ep = GetEndpoints("web");
    return ep && ep->contains("subsets") && Ips((*ep)["subsets"][0], "addresses").size() == 250;
  }));
  // One pod's readiness changes: only its slice is written.
  std::map<std::string, std::string> rv_before;
  for (const Json& s : Slices("web")) rv_before[Name(s)] = ResourceVersion(s);
  SetPodStatus("p7", "10.244.1.8", false);
  ASSERT_TRUE(
      Eventually([&] { return SliceEndpoints("web")["p7"]["conditions"]["ready"] == false; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // any stray write would show
  int changed = 0;
  for (const Json& s : Slices("web")) {
    ASSERT_TRUE(rv_before.count(Name(s))) << "slice replaced: " << Name(s);
    if (rv_before[Name(s)] != ResourceVersion(s)) ++changed;
  }
  EXPECT_EQ(changed, 1);
  // Scale down to 20 pods: the slices shrink and empty ones go, with no duplicate endpoints.
  DeleteOptions now;
  now.grace_period_seconds = 0;
  for (int i = 20; i < 250; ++i)
    ASSERT_TRUE(client_->Delete(kPods, "default", "p" + std::to_string(i), now).ok());
  ASSERT_TRUE(Eventually(
      [&] {
        size_t total = 0;
        for (size_t n : sizes()) total += n;
        return total == 20 && SliceEndpoints("web").size() == 20;
      },
      std::chrono::milliseconds(20000)));
}

}  // namespace
}  // namespace minik
