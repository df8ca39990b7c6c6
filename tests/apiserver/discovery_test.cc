#include "apiserver/discovery.h"

#include <gtest/gtest.h>

#include "apiserver/openapi.h"
#include "router_test_util.h"

namespace minik {
namespace {

class DiscoveryTest : public ::testing::Test {
 protected:
  DiscoveryTest() {
    testing::AddTestResources(resources_);
    discovery_ = std::make_unique<Discovery>(resources_, "127.0.0.1:8443");
  }
  Json Parse(const DiscoveryDocument& d) { return Json::parse(d.body); }

  ResourceRegistry resources_;
  std::unique_ptr<Discovery> discovery_;
};

const Json* FindBy(const Json& arr, const std::string& key, const std::string& value) {
  for (const auto& e : arr) {
    if (e.value(key, "") == value) return &e;
  }
  return nullptr;
}

TEST_F(DiscoveryTest, AggregatedApis) {
  const DiscoveryDocument& d = discovery_->Root("/apis", "v2");
  EXPECT_EQ(d.content_type, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  Json j = Parse(d);
  EXPECT_EQ(j["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(j["apiVersion"], "apidiscovery.k8s.io/v2");
  ASSERT_EQ(j["items"].size(), 1u);
  const Json& apps = j["items"][0];
  EXPECT_EQ(apps["metadata"]["name"], "apps");
  const Json& v1 = apps["versions"][0];
  EXPECT_EQ(v1["version"], "v1");
  EXPECT_EQ(v1["freshness"], "Current");
  const Json* deploy = FindBy(v1["resources"], "resource", "deployments");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ((*deploy)["responseKind"],
            (Json{{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}));
  EXPECT_EQ((*deploy)["scope"], "Namespaced");
  EXPECT_EQ((*deploy)["singularResource"], "deployment");
  EXPECT_EQ((*deploy)["shortNames"], Json::array({"deploy"}));
  EXPECT_EQ((*deploy)["categories"], Json::array({"all"}));
  const Json* scale = FindBy((*deploy)["subresources"], "subresource", "scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ((*scale)["responseKind"],
            (Json{{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}));
  EXPECT_EQ((*scale)["verbs"], Json::array({"get", "patch", "update"}));

  Json beta = Parse(discovery_->Root("/apis", "v2beta1"));
  EXPECT_EQ(beta["apiVersion"], "apidiscovery.k8s.io/v2beta1");
  EXPECT_EQ(discovery_->Root("/apis", "v2beta1").content_type,
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
}

TEST_F(DiscoveryTest, AggregatedCore) {
  Json j = Parse(discovery_->Root("/api", "v2"));
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["metadata"]["name"], "");
  const Json& resources = j["items"][0]["versions"][0]["resources"];
  const Json* ns = FindBy(resources, "resource", "namespaces");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ((*ns)["scope"], "Cluster");
  const Json* cm = FindBy(resources, "resource", "configmaps");
  ASSERT_NE(cm, nullptr);
  EXPECT_FALSE(cm->contains("subresources"));
  EXPECT_FALSE(cm->contains("categories"));
}

TEST_F(DiscoveryTest, Legacy) {
  const DiscoveryDocument& api = discovery_->Root("/api", "");
  EXPECT_EQ(api.content_type, "application/json");
  Json j = Parse(api);
  EXPECT_EQ(j["kind"], "APIVersions");
  EXPECT_EQ(j["versions"], Json::array({"v1"}));
  EXPECT_EQ(j["serverAddressByClientCIDRs"][0]["serverAddress"], "127.0.0.1:8443");
  EXPECT_EQ(j["serverAddressByClientCIDRs"][0]["clientCIDR"], "0.0.0.0/0");

  Json apis = Parse(discovery_->Root("/apis", ""));
  EXPECT_EQ(apis["kind"], "APIGroupList");
  EXPECT_EQ(apis["apiVersion"], "v1");
  ASSERT_EQ(apis["groups"].size(), 1u);
  EXPECT_EQ(apis["groups"][0]["name"], "apps");
  EXPECT_EQ(apis["groups"][0]["preferredVersion"]["groupVersion"], "apps/v1");
  EXPECT_EQ(apis["groups"][0]["versions"][0]["version"], "v1");

  auto group = discovery_->Group("apps");
  ASSERT_TRUE(group.has_value());
  EXPECT_EQ(Parse(*group)["kind"], "APIGroup");
  EXPECT_FALSE(discovery_->Group("nope").has_value());
}

TEST_F(DiscoveryTest, ResourceLists) {
  auto apps = discovery_->ResourceList("apps", "v1");
  ASSERT_TRUE(apps.has_value());
  Json j = Parse(*apps);
  EXPECT_EQ(j["kind"], "APIResourceList");
  EXPECT_EQ(j["apiVersion"], "v1");
  EXPECT_EQ(j["groupVersion"], "apps/v1");
  const Json* deploy = FindBy(j["resources"], "name", "deployments");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ((*deploy)["singularName"], "deployment");
  EXPECT_EQ((*deploy)["namespaced"], true);
  EXPECT_EQ((*deploy)["kind"], "Deployment");
  const Json* scale = FindBy(j["resources"], "name", "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ((*scale)["group"], "autoscaling");
  EXPECT_EQ((*scale)["version"], "v1");
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["singularName"], "");
  const Json* status = FindBy(j["resources"], "name", "deployments/status");
  ASSERT_NE(status, nullptr);
  EXPECT_FALSE(status->contains("group"));
  EXPECT_EQ((*status)["kind"], "Deployment");

  auto core = discovery_->ResourceList("", "v1");
  ASSERT_TRUE(core.has_value());
  EXPECT_EQ(Parse(*core)["groupVersion"], "v1");
  EXPECT_NE(FindBy(Parse(*core)["resources"], "name", "namespaces/finalize"), nullptr);
  EXPECT_FALSE(discovery_->ResourceList("apps", "v2").has_value());
}

TEST_F(DiscoveryTest, Version) {
  Json v = Json::parse(discovery_->Version().body);
  EXPECT_EQ(v["major"], "1");
  EXPECT_EQ(v["minor"], "32");
  EXPECT_EQ(v["gitVersion"], "v1.32.0-minik");
  EXPECT_EQ(v["platform"], "linux/amd64");
}

TEST_F(DiscoveryTest, OpenApiV3) {
  SchemaRegistry schemas;
  OpenApiV3 openapi(resources_, schemas);
  Json index = Json::parse(openapi.Index());
  ASSERT_TRUE(index["paths"].contains("api/v1"));
  ASSERT_TRUE(index["paths"].contains("apis/apps/v1"));
  std::string url = index["paths"]["apis/apps/v1"]["serverRelativeURL"];
  const OpenApiDocument* doc = openapi.Find("apis/apps/v1");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(url, "/openapi/v3/apis/apps/v1?hash=" + doc->hash);
  EXPECT_EQ(doc->hash.size(), 128u);
  Json d = Json::parse(doc->body);
  EXPECT_EQ(d["openapi"], "3.0.0");
  const Json& op =
      d["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
  EXPECT_EQ(op["x-kubernetes-group-version-kind"],
            (Json{{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}));
  bool has_field_validation = false;
  for (const auto& p : op["parameters"]) {
    if (p["name"] == "fieldValidation" && p["in"] == "query") has_field_validation = true;
  }
  EXPECT_TRUE(has_field_validation);
  // Without schemas no strategic-merge metadata is advertised.
  EXPECT_FALSE(op["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(op["requestBody"]["content"].contains("application/merge-patch+json"));

  Json core = Json::parse(openapi.Find("api/v1")->body);
  EXPECT_TRUE(core["paths"].contains("/api/v1/namespaces/{name}"));  // cluster-scoped
  EXPECT_TRUE(core["paths"].contains("/api/v1/namespaces/{namespace}/configmaps/{name}"));
  EXPECT_EQ(openapi.Find("apis/nope/v1"), nullptr);
}

}  // namespace
}  // namespace minik
