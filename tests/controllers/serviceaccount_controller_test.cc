#include "controllers/serviceaccount_controller.h"

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
const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};

Json Named(const std::string& name) { return Json{{"metadata", {{"name", name}}}}; }

class ServiceAccountControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    ASSERT_TRUE(client_.Create(kNamespaces, "", Named("a")).ok());
    ASSERT_TRUE(client_.Create(kNamespaces, "", Named("b")).ok());
  }
  bool HasDefault(const std::string& ns) {
    return client_.Get(kServiceAccounts, ns, "default").ok();
  }
  FakeClient client_;
  FakeClock clock_;
  SharedInformerFactory informers_{client_, clock_};
};

TEST_F(ServiceAccountControllerTest, ReconcileCreatesDefault) {
  ServiceAccountController c(client_, clock_, informers_);
  informers_.Start();
  ASSERT_TRUE(informers_.WaitForCacheSync(milliseconds(5000)));
  ASSERT_TRUE(c.Reconcile("a").ok());
  auto sa = client_.Get(kServiceAccounts, "a", "default");
  ASSERT_TRUE(sa.ok());
  EXPECT_EQ(GetString(*sa, {"kind"}), "ServiceAccount");
  EXPECT_FALSE(HasDefault("b"));
  // Unknown namespaces are ignored; an existing SA (AlreadyExists) is fine.
  EXPECT_TRUE(c.Reconcile("missing").ok());
  EXPECT_TRUE(c.Reconcile("a").ok());
  client_.FailNext("create", Internal("boom"));
  EXPECT_FALSE(c.Reconcile("b").ok());
  informers_.Stop();  // before `c` goes: the informer threads call its handlers
}

TEST_F(ServiceAccountControllerTest, KeepsDefaultInEveryActiveNamespace) {
  ServiceAccountController c(client_, clock_, informers_);
  informers_.Start();
  ASSERT_TRUE(informers_.WaitForCacheSync(milliseconds(5000)));
  c.Run();
  ASSERT_TRUE(Eventually([&] { return HasDefault("a") && HasDefault("b"); }));

  ASSERT_TRUE(client_.Create(kNamespaces, "", Named("c")).ok());
  ASSERT_TRUE(Eventually([&] { return HasDefault("c"); }));

  ASSERT_TRUE(client_.Delete(kServiceAccounts, "a", "default").ok());
  ASSERT_TRUE(Eventually([&] { return HasDefault("a"); }));

  // A terminating namespace gets nothing new.
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "b").ok());
  ASSERT_TRUE(client_.Delete(kServiceAccounts, "b", "default").ok());
  ASSERT_TRUE(c.Reconcile("b").ok());
  EXPECT_FALSE(HasDefault("b"));
  c.Stop();
  informers_.Stop();
}

}  // namespace
}  // namespace minik
