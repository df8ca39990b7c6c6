// EndpointSliceMirroringController over a FakeClient: the test drives Reconcile(key) itself
// once the informers caught up.
#include "controllers/endpointslice_mirroring_controller.h"

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
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};
constexpr const char* kMirror = "endpointslicemirroring-controller.k8s.io";

Json Addrs(std::initializer_list<const char*> ips) {
  Json out = Json::array();
  for (const char* ip : ips) out.push_back({{"ip", ip}});
  return out;
}

// Stops the informers before the controller declared just above it goes away: their handlers
// enqueue into the controller's queue.
struct StopFirst {
  SharedInformerFactory& informers;
  ~StopFirst() { informers.Stop(); }
};

class MirroringTest : public ::testing::Test {
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
  void Settle() {
    for (const ResourceRef& ref : {kServices, kEndpoints, kSlices}) {
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
  void Put(const ResourceRef& ref, Json obj) {
    auto cur = client_.Get(ref, "default", Name(obj));
    auto r = cur.ok() ? (obj["metadata"]["resourceVersion"] = ResourceVersion(*cur),
                         client_.Update(ref, "default", obj))
                      : client_.Create(ref, "default", obj);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  StatusOr<ReconcileResult> Sync(EndpointSliceMirroringController& c,
                                 const std::string& key = "default/ext") {
    Settle();
    return c.Reconcile(key);
  }
  std::vector<Json> Slices(const std::string& service = "ext") {
    std::vector<Json> out;
    auto r = client_.List(kSlices, "default");
    if (r.ok())
      for (const Json& s : (*r)["items"])
        if (GetString(s, {"metadata", "labels", kServiceNameLabel}) == service) out.push_back(s);
    return out;
  }

  FakeClient client_;
  FakeClock clock_;
  SharedInformerFactory informers_{client_, clock_};
};

const Json kService = {{"metadata", {{"name", "ext"}}}, {"spec", {{"ports", {{{"port", 80}}}}}}};

TEST_F(MirroringTest, MirrorsByAddressTypeAndPorts) {
  EndpointSliceMirroringController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Put(kServices, kService);
  Json ep = {
      {"metadata",
       {{"name", "ext"},
        {"labels", {{"team", "b"}}},
        {"annotations",
         {{"note", "x"},
          {"kubectl.kubernetes.io/last-applied-configuration", "{}"},
          {kTriggerTimeAnnotation, "2025-01-01T00:00:00Z"}}}}},
      {"subsets",
       {{{"addresses", Addrs({"10.0.0.1", "fd00::0001", "not-an-ip"})},
         {"notReadyAddresses",
          {{{"ip", "010.000.000.002"},
            {"nodeName", "n1"},
            {"hostname", "h"},
            {"targetRef", {{"kind", "Pod"}, {"name", "p"}, {"namespace", "default"}}}}}},
         {"ports", {{{"name", "http"}, {"port", 80}}}}},
        {{"addresses", Addrs({"10.0.0.3"})}, {"ports", {{{"port", 81}, {"protocol", "UDP"}}}}}}}};
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  std::vector<Json> slices = Slices();
  ASSERT_EQ(slices.size(), 3u);  // IPv4/http, IPv6/http, IPv4/81
  std::map<std::string, Json> by;
  for (const Json& s : slices)
    by[GetString(s, {"addressType"}) + ":" + std::to_string(GetInt(s["ports"][0], {"port"}))] = s;
  ASSERT_TRUE(by.count("IPv4:80") && by.count("IPv6:80") && by.count("IPv4:81"));
  const Json& v4 = by["IPv4:80"];
  EXPECT_EQ(v4["metadata"]["labels"],
            Json({{"team", "b"}, {kServiceNameLabel, "ext"}, {kSliceManagedByLabel, kMirror}}));
  EXPECT_EQ(v4["metadata"]["annotations"], Json({{"note", "x"}}));
  EXPECT_EQ(GetString(v4["metadata"]["ownerReferences"][0], {"kind"}), "Endpoints");
  EXPECT_EQ(GetString(v4["metadata"]["ownerReferences"][0], {"uid"}),
            Uid(*client_.Get(kEndpoints, "default", "ext")));
  EXPECT_EQ(v4["ports"], Json::array({{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}}}));
  ASSERT_EQ(v4["endpoints"].size(), 2u);
  std::map<std::string, Json> eps;
  for (const Json& e : v4["endpoints"]) eps[e["addresses"][0]] = e;
  EXPECT_EQ(eps["10.0.0.1"]["conditions"], Json({{"ready", true}}));
  const Json& sloppy = eps["10.0.0.2"];  // leading zeros parsed and re-formatted
  EXPECT_EQ(sloppy["conditions"], Json({{"ready", false}}));
  EXPECT_EQ(GetString(sloppy, {"nodeName"}), "n1");
  EXPECT_EQ(GetString(sloppy, {"hostname"}), "h");
  EXPECT_EQ(GetString(sloppy, {"targetRef", "name"}), "p");
  EXPECT_EQ(by["IPv6:80"]["endpoints"][0]["addresses"][0], "fd00::1");
  EXPECT_EQ(GetString(by["IPv4:81"]["ports"][0], {"protocol"}), "UDP");

  // Nothing changed: nothing written.
  std::map<std::string, std::string> rv;
  for (const Json& s : Slices()) rv[Name(s)] = ResourceVersion(s);
  ASSERT_TRUE(Sync(c).ok());
  for (const Json& s : Slices()) EXPECT_EQ(rv[Name(s)], ResourceVersion(s));

  // The second subset goes: its slice is deleted; the IPv6 address goes: likewise.
  ep["subsets"].erase(1);
  ep["subsets"][0]["addresses"] = Addrs({"10.0.0.1"});
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  slices = Slices();
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(Name(slices[0]), Name(v4));  // updated in place
  EXPECT_EQ(slices[0]["endpoints"].size(), 2u);
}

TEST_F(MirroringTest, WhatIsNotMirrored) {
  EndpointSliceMirroringController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Put(kServices, kService);
  Json ep = {{"metadata", {{"name", "ext"}}},
             {"subsets", {{{"addresses", Addrs({"10.0.0.1"})}, {"ports", {{{"port", 80}}}}}}}};
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  ASSERT_EQ(Slices().size(), 1u);
  // skip-mirror
  ep["metadata"]["labels"] = {{EndpointSliceMirroringController::kSkipMirrorLabel, "true"}};
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  EXPECT_TRUE(Slices().empty());
  // leader election annotation
  ep["metadata"]["labels"] = Json::object();
  ep["metadata"]["annotations"] = {{"control-plane.alpha.kubernetes.io/leader", "{}"}};
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  EXPECT_TRUE(Slices().empty());
  ep["metadata"].erase("annotations");
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  ASSERT_EQ(Slices().size(), 1u);
  // The service gains a selector: the endpoints controller's business now.
  Json svc = kService;
  svc["spec"]["selector"] = {{"app", "x"}};
  Put(kServices, svc);
  ASSERT_TRUE(Sync(c).ok());
  EXPECT_TRUE(Slices().empty());
  // No service at all.
  ASSERT_TRUE(client_.Delete(kServices, "default", "ext").ok());
  ASSERT_TRUE(Sync(c).ok());
  EXPECT_TRUE(Slices().empty());
  // Endpoints without a service of that name, garbage keys.
  EXPECT_TRUE(c.Reconcile("default/none").ok());
  EXPECT_TRUE(c.Reconcile("junk").ok());
  EXPECT_FALSE(EndpointSliceMirroringController::ShouldMirror(
      Json{{"metadata", {{"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}}}));
  EXPECT_TRUE(EndpointSliceMirroringController::ShouldMirror(
      Json{{"metadata", {{"labels", {{"endpointslice.kubernetes.io/skip-mirror", "false"}}}}}}));
}

TEST_F(MirroringTest, CapsAddressesPerSubsetAndSurvivesGarbage) {
  EndpointSliceMirroringController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Put(kServices, kService);
  Json many = Json::array();
  for (int i = 0; i < 1100; ++i)
    many.push_back({{"ip", "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250)}});
  Json ep = {{"metadata", {{"name", "ext"}}},
             {"subsets",
              {{{"addresses", many}, {"ports", {{{"port", 80}}}}},
               {{"addresses", "junk"}, {"ports", 7}},
               Json(5)}}};
  Put(kEndpoints, ep);
  ASSERT_TRUE(Sync(c).ok());
  std::vector<Json> slices = Slices();
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(slices[0]["endpoints"].size(), 1000u);
}

TEST_F(MirroringTest, WriteErrorsAreReturned) {
  EndpointSliceMirroringController c(client_, clock_, informers_);
  StopFirst stop_first{informers_};  // informer handlers must not outlive c
  Start();
  Put(kServices, kService);
  Json ep = {{"metadata", {{"name", "ext"}}}};
  ep["subsets"] = Json::array({{{"addresses", Addrs({"10.0.0.1"})}}});
  Put(kEndpoints, ep);
  Settle();
  client_.FailNext("create", Internal("boom"));
  EXPECT_EQ(c.Reconcile("default/ext").status().code(), Code::kInternal);
  ASSERT_TRUE(Sync(c).ok());
  ASSERT_EQ(Slices().size(), 1u);
  ASSERT_TRUE(client_.Delete(kEndpoints, "default", "ext").ok());
  Settle();
  client_.FailNext("delete", Internal("boom"));
  EXPECT_EQ(c.Reconcile("default/ext").status().code(), Code::kInternal);
  ASSERT_TRUE(Sync(c).ok());
  EXPECT_TRUE(Slices().empty());
}

}  // namespace
}  // namespace minik
