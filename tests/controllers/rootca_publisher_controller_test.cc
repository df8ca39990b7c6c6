#include "controllers/rootca_publisher_controller.h"

#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "tests/controllers/fake_client.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using std::chrono::milliseconds;
using testing::Eventually;
using testing::FakeClient;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

Json Named(const std::string& name) { return Json{{"metadata", {{"name", name}}}}; }

class RootCaPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    ASSERT_TRUE(client_.Create(kNamespaces, "", Named("a")).ok());
    ASSERT_TRUE(client_.Create(kNamespaces, "", Named("b")).ok());
  }
  std::string PublishedCa(const std::string& ns) {
    auto cm = client_.Get(kConfigMaps, ns, "kube-root-ca.crt");
    return cm.ok() ? GetString(*cm, {"data", "ca.crt"}) : "";
  }
  FakeClient client_;
  FakeClock clock_;
  SharedInformerFactory informers_{client_, clock_};
};

TEST_F(RootCaPublisherTest, ReconcileCreatesAndRepairsTheConfigMap) {
  RootCaPublisher c(client_, clock_, informers_, kCa);
  informers_.Start();
  ASSERT_TRUE(informers_.WaitForCacheSync(milliseconds(5000)));
  ASSERT_TRUE(c.Reconcile("a").ok());
  auto cm = client_.Get(kConfigMaps, "a", "kube-root-ca.crt");
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(GetString(*cm, {"data", "ca.crt"}), kCa);
  EXPECT_NE(GetString(*cm, {"metadata", "annotations", "kubernetes.io/description"}), "");
  EXPECT_EQ(PublishedCa("b"), "");
  EXPECT_TRUE(c.Reconcile("missing").ok());
  client_.FailNext("create", Internal("boom"));
  EXPECT_FALSE(c.Reconcile("b").ok());
  informers_.Stop();
}

TEST_F(RootCaPublisherTest, KeepsTheCaInEveryActiveNamespace) {
  RootCaPublisher c(client_, clock_, informers_, kCa);
  informers_.Start();
  ASSERT_TRUE(informers_.WaitForCacheSync(milliseconds(5000)));
  c.Run();
  ASSERT_TRUE(Eventually([&] { return PublishedCa("a") == kCa && PublishedCa("b") == kCa; }));

  ASSERT_TRUE(client_.Create(kNamespaces, "", Named("c")).ok());
  ASSERT_TRUE(Eventually([&] { return PublishedCa("c") == kCa; }));

  ASSERT_TRUE(client_.Delete(kConfigMaps, "a", "kube-root-ca.crt").ok());
  ASSERT_TRUE(Eventually([&] { return PublishedCa("a") == kCa; }));

  auto cm = client_.Get(kConfigMaps, "b", "kube-root-ca.crt");
  ASSERT_TRUE(cm.ok());
  (*cm)["data"]["ca.crt"] = "tampered";
  (*cm)["data"]["extra"] = "x";
  ASSERT_TRUE(client_.Update(kConfigMaps, "b", *cm).ok());
  ASSERT_TRUE(Eventually([&] {
    auto now = client_.Get(kConfigMaps, "b", "kube-root-ca.crt");
    return now.ok() && (*now)["data"] == Json{{"ca.crt", kCa}};
  }));
  c.Stop();
  informers_.Stop();
}

}  // namespace
}  // namespace minik
