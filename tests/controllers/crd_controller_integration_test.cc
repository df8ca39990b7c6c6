// CrdController over the real registry: a CRD gets its names accepted and is Established,
// its custom resources are served (defaults, validation, pruning, status), a conflicting CRD
// is not served, and deleting a CRD deletes its objects (finalizers honoured) before it goes.
#include <gtest/gtest.h>

#include "api/informer.h"
#include "api/resources/common.h"
#include "api/schema.h"
#include "apiextensions/crd_serving.h"
#include "apiserver/registry.h"
#include "controllers/crd_controller.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;

const ResourceRef kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};
const ResourceRef kWidgets{"example.com", "v1", "widgets"};
const ResourceRef kNamespaces{"", "v1", "namespaces"};

Json WidgetCrd(const std::string& plural = "widgets", const std::string& kind = "Widget") {
  Json crd = Json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "spec": {"group": "example.com", "scope": "Namespaced",
      "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
          "spec": {"type": "object", "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3}}},
          "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}}]}})");
  crd["metadata"]["name"] = plural + ".example.com";
  crd["spec"]["names"] = {{"plural", plural}, {"kind", kind}};
  return crd;
}

std::string Condition(const Json& crd, const std::string& type) {
  for (const Json& c : res::At(crd, {"status", "conditions"})) {
    if (GetString(c, {"type"}) == type) return GetString(c, {"status"});
  }
  return "";
}

class CrdControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    resources_.Add(CustomResourceDefinitions());
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, schemas_, clock_);
    ASSERT_TRUE(client_->Create(kNamespaces, "", Json{{"apiVersion", "v1"}, {"kind", "Namespace"},
                                                      {"metadata", {{"name", "ns"}}}})
                    .ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
    controller_ = std::make_unique<CrdController>(*client_, clock_, *informers_, resources_, schemas_);
    informers_->Start();
    controller_->Run();
  }
  void TearDown() override {
    informers_->Stop();
    controller_->Stop();
  }
  Json Crd(const std::string& name) {
    auto crd = client_->Get(kCrds, "", name);
    return crd.ok() ? *crd : Json();
  }
  StatusOr<Json> CreateWidget(const std::string& name, Json spec) {
    return client_->Create(kWidgets, "ns",
                           Json{{"apiVersion", "example.com/v1"}, {"kind", "Widget"},
                                {"metadata", {{"name", name}}}, {"spec", std::move(spec)}});
  }

  RealClock clock_;
  ResourceRegistry resources_;
  SchemaRegistry schemas_{BuiltinSchemas()};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<CrdController> controller_;
};

TEST_F(CrdControllerTest, EstablishesAndServes) {
  auto created = client_->Create(kCrds, "", WidgetCrd());
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(res::At(*created, {"metadata", "finalizers"}), Json::array({kCrdCleanupFinalizer}));
  ASSERT_TRUE(Eventually([&] { return Condition(Crd("widgets.example.com"), "Established") == "True"; }));
  Json crd = Crd("widgets.example.com");
  EXPECT_EQ(Condition(crd, "NamesAccepted"), "True");
  EXPECT_EQ(res::At(crd, {"status", "storedVersions"}), Json::array({"v1"}));
  EXPECT_EQ(GetString(crd, {"status", "acceptedNames", "kind"}), "Widget");
  ASSERT_NE(resources_.Find(kWidgets), nullptr);

  auto w = CreateWidget("w1", Json{{"bogus", 1}});
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(res::At(*w, {"spec", "size"}), 3);            // defaulted
  EXPECT_FALSE(res::At(*w, {"spec"}).contains("bogus"));  // pruned
  EXPECT_EQ(res::At(*w, {"metadata", "generation"}), 1);
  auto big = CreateWidget("w2", Json{{"size", 11}});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), Code::kInvalid);
  EXPECT_NE(big.status().message().find("spec.size"), std::string::npos) << big.status().message();
}

TEST_F(CrdControllerTest, ConflictingNamesAreNotServed) {
  ASSERT_TRUE(client_->Create(kCrds, "", WidgetCrd()).ok());
  ASSERT_TRUE(Eventually([&] { return Condition(Crd("widgets.example.com"), "Established") == "True"; }));
  ASSERT_TRUE(client_->Create(kCrds, "", WidgetCrd("gizmos", "Widget")).ok());
  ASSERT_TRUE(Eventually([&] { return Condition(Crd("gizmos.example.com"), "NamesAccepted") == "False"; }));
  EXPECT_NE(Condition(Crd("gizmos.example.com"), "Established"), "True");
  EXPECT_EQ(resources_.Find({"example.com", "v1", "gizmos"}), nullptr);
}

TEST_F(CrdControllerTest, DeletionDeletesInstancesFirst) {
  ASSERT_TRUE(client_->Create(kCrds, "", WidgetCrd()).ok());
  ASSERT_TRUE(Eventually([&] { return resources_.Find(kWidgets) != nullptr; }));
  ASSERT_TRUE(CreateWidget("plain", Json::object()).ok());
  Json held{{"apiVersion", "example.com/v1"}, {"kind", "Widget"},
            {"metadata", {{"name", "held"}, {"finalizers", {"example.com/hold"}}}}};
  ASSERT_TRUE(client_->Create(kWidgets, "ns", held).ok());

  ASSERT_TRUE(client_->Delete(kCrds, "", "widgets.example.com").ok());
  ASSERT_TRUE(Eventually([&] { return !client_->Get(kWidgets, "ns", "plain").ok(); }));
  ASSERT_TRUE(Eventually([&] { return Condition(Crd("widgets.example.com"), "Terminating") == "True"; }));
  auto refused = CreateWidget("late", Json::object());
  ASSERT_FALSE(refused.ok()) << refused->dump() << " " << Crd("widgets.example.com").dump();
  EXPECT_EQ(refused.status().code(), Code::kMethodNotAllowed);
  ASSERT_TRUE(client_->Get(kWidgets, "ns", "held").ok());  // its finalizer holds it (and the CRD)
  ASSERT_TRUE(client_->Get(kCrds, "", "widgets.example.com").ok());

  auto patched = client_->Patch(kWidgets, "ns", "held", PatchType::kMerge,
                                R"({"metadata":{"finalizers":null}})");
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  ASSERT_TRUE(Eventually([&] { return !client_->Get(kCrds, "", "widgets.example.com").ok(); }));
  ASSERT_TRUE(Eventually([&] { return resources_.Find(kWidgets) == nullptr; }));
}

}  // namespace
}  // namespace minik
