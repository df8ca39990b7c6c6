// Downward API values (fieldRef and resourceFieldRef) and the downwardAPI volume payload.
#include "kubelet/downward_api.h"

#include <gtest/gtest.h>

#include "kubelet/volumes.h"

namespace minik {
namespace {

constexpr int64_t kNodeCpuMilli = 4000;
constexpr int64_t kNodeMemory = 8LL << 30;

Json TestPod() {
  return Json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1",
                 "labels": {"app": "web", "tier": "front \"end\""},
                 "annotations": {"note": "a\nb", "b": "2"}},
    "spec": {"nodeName": "minik", "serviceAccountName": "builder",
             "containers": [
               {"name": "main", "resources": {"limits": {"cpu": "1500m", "memory": "128Mi"},
                                              "requests": {"cpu": "250m", "memory": "64Mi"}}},
               {"name": "bare"}],
             "initContainers": [{"name": "init", "resources": {"limits": {"cpu": "2"}}}]},
    "status": {"podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}, {"ip": "fd00::5"}],
               "hostIP": "10.0.0.2", "hostIPs": [{"ip": "10.0.0.2"}]}
  })");
}

std::string Field(const std::string& path) {
  auto v = DownwardFieldValue(TestPod(), path);
  EXPECT_TRUE(v.ok()) << path << ": " << v.status().message();
  return v.ok() ? *v : "<error>";
}

std::string Resource(const std::string& container, const std::string& resource,
                     const std::string& divisor = "") {
  auto v = DownwardResourceValue(TestPod(), container, resource, divisor, kNodeCpuMilli,
                                 kNodeMemory);
  EXPECT_TRUE(v.ok()) << resource << ": " << v.status().message();
  return v.ok() ? *v : "<error>";
}

TEST(DownwardApiTest, FieldValues) {
  EXPECT_EQ(Field("metadata.name"), "web");
  EXPECT_EQ(Field("metadata.namespace"), "shop");
  EXPECT_EQ(Field("metadata.uid"), "u-1");
  EXPECT_EQ(Field("metadata.labels"), "app=\"web\"\ntier=\"front \\\"end\\\"\"");
  EXPECT_EQ(Field("metadata.annotations"), "b=\"2\"\nnote=\"a\\nb\"");
  EXPECT_EQ(Field("metadata.labels['app']"), "web");
  EXPECT_EQ(Field("metadata.annotations['note']"), "a\nb");
  EXPECT_EQ(Field("metadata.labels['missing']"), "");
  EXPECT_EQ(Field("spec.nodeName"), "minik");
  EXPECT_EQ(Field("spec.serviceAccountName"), "builder");
  EXPECT_EQ(Field("status.podIP"), "10.244.0.5");
  EXPECT_EQ(Field("status.podIPs"), "10.244.0.5,fd00::5");
  EXPECT_EQ(Field("status.hostIP"), "10.0.0.2");
  EXPECT_EQ(Field("status.hostIPs"), "10.0.0.2");
}

TEST(DownwardApiTest, EmptyMapsAndMissingFields) {
  Json pod = {{"metadata", {{"name", "p"}}}};
  EXPECT_EQ(*DownwardFieldValue(pod, "metadata.labels"), "");
  EXPECT_EQ(*DownwardFieldValue(pod, "status.podIPs"), "");
  pod["status"]["podIP"] = "10.1.1.1";
  EXPECT_EQ(*DownwardFieldValue(pod, "status.podIPs"), "10.1.1.1");
}

TEST(DownwardApiTest, BadFieldPaths) {
  auto v = DownwardFieldValue(TestPod(), "spec.containers");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kInvalid);
  EXPECT_EQ(v.status().message(), "unsupported fieldPath: spec.containers");
  v = DownwardFieldValue(TestPod(), "metadata.name['x']");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "fieldPath \"metadata.name['x']\" does not support subscript");
  EXPECT_FALSE(DownwardFieldValue(TestPod(), "metadata.labels['']").ok());
  EXPECT_FALSE(DownwardFieldValue(TestPod(), "").ok());
}

TEST(DownwardApiTest, ResourceValues) {
  EXPECT_EQ(Resource("main", "limits.cpu"), "2");  // 1.5 cores rounded up
  EXPECT_EQ(Resource("main", "limits.cpu", "1m"), "1500");
  EXPECT_EQ(Resource("main", "limits.cpu", "100m"), "15");
  EXPECT_EQ(Resource("main", "requests.cpu", "1m"), "250");
  EXPECT_EQ(Resource("main", "requests.cpu"), "1");
  EXPECT_EQ(Resource("main", "limits.memory"), "134217728");
  EXPECT_EQ(Resource("main", "limits.memory", "1Mi"), "128");
  EXPECT_EQ(Resource("main", "limits.memory", "1M"), "135");
  EXPECT_EQ(Resource("main", "requests.memory", "1Mi"), "64");
  EXPECT_EQ(Resource("init", "limits.cpu", "1m"), "2000");
  EXPECT_EQ(Resource("main", "limits.cpu", "0"), "2");  // zero divisor: the default 1
}

TEST(DownwardApiTest, NoLimitMeansNodeAllocatable) {
  EXPECT_EQ(Resource("bare", "limits.cpu"), "4");
  EXPECT_EQ(Resource("bare", "limits.cpu", "1m"), "4000");
  EXPECT_EQ(Resource("bare", "limits.memory"), std::to_string(kNodeMemory));
  EXPECT_EQ(Resource("bare", "requests.cpu"), "0");
  EXPECT_EQ(Resource("bare", "requests.memory"), "0");
  auto v = DownwardResourceValue(TestPod(), "bare", "limits.ephemeral-storage", "", 1, 1);
  EXPECT_EQ(v.status().code(), Code::kNotImplemented);
}

TEST(DownwardApiTest, BadResourceRefs) {
  auto v = DownwardResourceValue(TestPod(), "nope", "limits.cpu", "", 1, 1);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "container nope not found");
  v = DownwardResourceValue(TestPod(), "main", "limits.gpu", "", 1, 1);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "unsupported container resource : limits.gpu");
  v = DownwardResourceValue(TestPod(), "main", "cpu", "", 1, 1);
  EXPECT_FALSE(v.ok());
  v = DownwardResourceValue(TestPod(), "main", "limits.cpu", "lots", 1, 1);
  EXPECT_FALSE(v.ok());
  Json pod = TestPod();
  pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "bogus";
  EXPECT_FALSE(DownwardResourceValue(pod, "main", "limits.cpu", "", 1, 1).ok());
}

TEST(DownwardApiTest, VolumePayload) {
  Json items = Json::parse(R"([
    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
    {"path": "meta/name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 384},
    {"path": "cpu", "resourceFieldRef": {"containerName": "main", "resource": "limits.cpu",
                                         "divisor": "1m"}}
  ])");
  auto p = MakeDownwardApiPayload(TestPod(), items, 0644, kNodeCpuMilli, kNodeMemory);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ(p->at("labels").data, "app=\"web\"\ntier=\"front \\\"end\\\"\"");
  EXPECT_EQ(p->at("labels").mode, 0644u);
  EXPECT_EQ(p->at("meta/name").data, "web");
  EXPECT_EQ(p->at("meta/name").mode, 0600u);
  EXPECT_EQ(p->at("cpu").data, "1500");
}

TEST(DownwardApiTest, VolumePayloadErrorsAreAggregated) {
  Json items = Json::parse(R"([
    {"path": "a", "fieldRef": {"fieldPath": "spec.bogus"}},
    {"path": "b", "fieldRef": {"fieldPath": "metadata.name"}},
    {"path": "c", "resourceFieldRef": {"containerName": "ghost", "resource": "limits.cpu"}}
  ])");
  auto p = MakeDownwardApiPayload(TestPod(), items, 0644, 1, 1);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "[unsupported fieldPath: spec.bogus, container ghost not found]");
  p = MakeDownwardApiPayload(TestPod(), Json::parse(R"([{"path": "x"}])"), 0644, 1, 1);
  EXPECT_FALSE(p.ok());
}

TEST(DownwardApiTest, FormatMap) {
  EXPECT_EQ(FormatDownwardMap(Json::object()), "");
  EXPECT_EQ(FormatDownwardMap(Json{{"b", "1"}, {"a", "x y"}}), "a=\"x y\"\nb=\"1\"");
  EXPECT_EQ(FormatDownwardMap(Json::array()), "");
}

}  // namespace
}  // namespace minik
