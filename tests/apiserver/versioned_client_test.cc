// Kinds served in one version and stored as another: autoscaling/v1 HorizontalPodAutoscaler
// (stored as autoscaling/v2) and events.k8s.io/v1 Event (stored as core/v1 Event), through
// the versioned client over the real registry and the built-in kinds.
#include "apiserver/versioned_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "api/fake_clock.h"
#include "api/resources/conversion.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "store/store.h"

namespace minik {
namespace {

const ResourceRef kHpaV1{"autoscaling", "v1", "horizontalpodautoscalers"};
const ResourceRef kHpaV2{"autoscaling", "v2", "horizontalpodautoscalers"};
const ResourceRef kEventsV1{"events.k8s.io", "v1", "events"};
const ResourceRef kEvents{"", "v1", "events"};
const ResourceRef kNamespaces{"", "v1", "namespaces"};

class VersionedClientTest : public ::testing::Test {
 protected:
  VersionedClientTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewVersionedClient(NewRegistry(*store_, resources_, BuiltinSchemas(), clock_),
                                 resources_, BuiltinSchemas());
    EXPECT_TRUE(client_->Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
  }

  static Json HpaV1(const std::string& name, int cpu) {
    return Json{{"apiVersion", "autoscaling/v1"},
                {"kind", "HorizontalPodAutoscaler"},
                {"metadata", {{"name", name}}},
                {"spec",
                 {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
                  {"minReplicas", 1},
                  {"maxReplicas", 3},
                  {"targetCPUUtilizationPercentage", cpu}}}};
  }

  static Json EventV1(const std::string& name, const std::string& regarding) {
    return Json{{"apiVersion", "events.k8s.io/v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"eventTime", "2026-11-30T12:00:00.000000Z"},
                {"reportingController", "example.com/ctl"},
                {"reportingInstance", "ctl-1"},
                {"action", "Sync"},
                {"reason", "Synced"},
                {"type", "Normal"},
                {"note", "synced " + regarding},
                {"regarding", {{"kind", "Pod"}, {"name", regarding}, {"namespace", "default"}}}};
  }

  ResourceRegistry resources_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(VersionedClientTest, HpaV1IsStoredAsV2AndReadBackInBothVersions) {
  auto created = client_->Create(kHpaV1, "default", HpaV1("web", 50));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(GetString(*created, {"apiVersion"}), "autoscaling/v1");
  EXPECT_EQ(GetInt(*created, {"spec", "targetCPUUtilizationPercentage"}), 50);
  EXPECT_FALSE(created->contains("metrics"));

  auto v2 = client_->Get(kHpaV2, "default", "web");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(GetString(*v2, {"apiVersion"}), "autoscaling/v2");
  ASSERT_TRUE((*v2)["spec"]["metrics"].is_array());
  EXPECT_EQ((*v2)["spec"]["metrics"][0]["resource"]["name"], "cpu");
  EXPECT_EQ((*v2)["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 50);
  EXPECT_FALSE((*v2)["spec"].contains("targetCPUUtilizationPercentage"));

  auto list = client_->List(kHpaV1, "default");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(GetString(*list, {"kind"}), "HorizontalPodAutoscalerList");
  EXPECT_EQ(GetString(*list, {"apiVersion"}), "autoscaling/v1");
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0]["spec"]["targetCPUUtilizationPercentage"], 50);
}

TEST_F(VersionedClientTest, HpaV2MetricsV1CannotExpressSurviveAV1RoundTrip) {
  Json v2 = res::HpaV1FromV2(Json::object());  // an empty object converts without a crash
  EXPECT_EQ(GetString(v2, {"apiVersion"}), "autoscaling/v1");
  Json hpa = res::HpaV2FromV1(HpaV1("web", 60));
  hpa["spec"]["metrics"].push_back(
      Json{{"type", "Resource"},
           {"resource", {{"name", "memory"}, {"target", {{"type", "AverageValue"}, {"averageValue", "100Mi"}}}}}});
  ASSERT_TRUE(client_->Create(kHpaV2, "default", hpa).ok());
  auto as_v1 = client_->Get(kHpaV1, "default", "web");
  ASSERT_TRUE(as_v1.ok());
  EXPECT_EQ((*as_v1)["spec"]["targetCPUUtilizationPercentage"], 60);
  EXPECT_TRUE((*as_v1)["metadata"]["annotations"].contains("autoscaling.alpha.kubernetes.io/metrics"));
  // A v1 client writes the object back changing only maxReplicas.
  (*as_v1)["spec"]["maxReplicas"] = 7;
  ASSERT_TRUE(client_->Update(kHpaV1, "default", *as_v1).ok());
  auto back = client_->Get(kHpaV2, "default", "web");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)["spec"]["maxReplicas"], 7);
  ASSERT_EQ((*back)["spec"]["metrics"].size(), 2u);
  EXPECT_EQ((*back)["spec"]["metrics"][1]["resource"]["name"], "memory");
  EXPECT_FALSE((*back)["metadata"].contains("annotations"));
}

TEST_F(VersionedClientTest, PatchesApplyToTheServedVersion) {
  ASSERT_TRUE(client_->Create(kHpaV1, "default", HpaV1("web", 50)).ok());
  auto merged = client_->Patch(kHpaV1, "default", "web", PatchType::kMerge,
                               R"({"spec":{"targetCPUUtilizationPercentage":75}})");
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ((*merged)["spec"]["targetCPUUtilizationPercentage"], 75);
  auto v2 = client_->Get(kHpaV2, "default", "web");
  EXPECT_EQ((*v2)["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 75);
  auto json = client_->Patch(kHpaV1, "default", "web", PatchType::kJson,
                             R"([{"op":"replace","path":"/spec/maxReplicas","value":9}])");
  ASSERT_TRUE(json.ok()) << json.status().message();
  EXPECT_EQ((*json)["spec"]["maxReplicas"], 9);
  // A stale resourceVersion in the patch is a conflict, not a retry.
  auto stale = client_->Patch(kHpaV1, "default", "web", PatchType::kMerge,
                              R"({"metadata":{"resourceVersion":"1"},"spec":{"maxReplicas":4}})");
  EXPECT_EQ(stale.status().code(), Code::kConflict);
  auto bad = client_->Patch(kHpaV1, "default", "web", PatchType::kMerge, "[1]");
  EXPECT_EQ(bad.status().code(), Code::kBadRequest);
  auto missing = client_->Patch(kHpaV1, "default", "nope", PatchType::kMerge, "{}");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST_F(VersionedClientTest, EventsK8sIoEventsAreCoreEvents) {
  auto created = client_->Create(kEventsV1, "default", EventV1("e1", "web-1"));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(GetString(*created, {"regarding", "name"}), "web-1");
  auto core = client_->Get(kEvents, "default", "e1");
  ASSERT_TRUE(core.ok());
  EXPECT_EQ(GetString(*core, {"involvedObject", "name"}), "web-1");
  EXPECT_EQ(GetString(*core, {"message"}), "synced web-1");
  EXPECT_EQ(GetString(*core, {"reportingComponent"}), "example.com/ctl");
  ASSERT_TRUE(client_->Create(kEventsV1, "default", EventV1("e2", "web-2")).ok());

  ListQuery q;
  q.field_selector = "regarding.name=web-2";
  auto v1 = client_->List(kEventsV1, "default", q);
  ASSERT_TRUE(v1.ok()) << v1.status().message();
  ASSERT_EQ((*v1)["items"].size(), 1u);
  EXPECT_EQ(Name((*v1)["items"][0]), "e2");
  q.field_selector = "involvedObject.name=web-2";
  auto core_list = client_->List(kEvents, "default", q);
  ASSERT_TRUE(core_list.ok());
  EXPECT_EQ((*core_list)["items"].size(), 1u);
  // The core spelling is not an events.k8s.io/v1 field label.
  auto bad = client_->List(kEventsV1, "default", q);
  EXPECT_EQ(bad.status().code(), Code::kBadRequest);
  EXPECT_EQ(bad.status().message(), "field label not supported: involvedObject.name");
}

TEST_F(VersionedClientTest, EventsV1ChecksItsOwnRequiredFields) {
  Json ev = EventV1("e1", "web-1");
  ev.erase("reportingController");
  ev.erase("eventTime");
  auto r = client_->Create(kEventsV1, "default", ev);
  ASSERT_EQ(r.status().code(), Code::kInvalid);
  EXPECT_NE(r.status().message().find("reportingController: Required value"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("eventTime: Required value"), std::string::npos);
}

TEST_F(VersionedClientTest, WatchesDeliverTheServedVersion) {
  ListQuery q;
  q.resource_version = "1";
  auto w = client_->Watch(kHpaV1, "default", q, [] {});
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE(client_->Create(kHpaV2, "default", res::HpaV2FromV1(HpaV1("web", 40))).ok());
  std::vector<ObjectEvent> events;
  for (int i = 0; i < 200 && events.empty(); ++i) {
    (*w)->Poll(events);
    if (events.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "ADDED");
  EXPECT_EQ(GetString(events[0].object, {"apiVersion"}), "autoscaling/v1");
  EXPECT_EQ(events[0].object["spec"]["targetCPUUtilizationPercentage"], 40);
  (*w)->Stop();
}

}  // namespace
}  // namespace minik
