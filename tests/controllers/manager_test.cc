#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "controllers/controllers.h"
#include "tests/controllers/fake_client.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;
using testing::FakeClient;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};

TEST(ControllerManagerTest, RunsTheControllers) {
  FakeClient client;
  client.AddDefaultKinds();
  FakeClock clock;
  ResourceRegistry resources;
  testing::AddDefaultKinds(resources);
  ASSERT_TRUE(EnsureBootstrapObjects(client, {}).ok());
  ControllerOptions opts;
  opts.node_name = "minik";
  opts.resources = &resources;
  auto manager = NewControllerManager(client, clock, opts);
  ASSERT_TRUE(manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return client.Get(kServiceAccounts, "kube-system", "default").ok(); }));

  ASSERT_TRUE(client.Create(kNamespaces, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
  ASSERT_TRUE(Eventually([&] { return client.Get(kServiceAccounts, "acc", "default").ok(); }));
  ASSERT_TRUE(client.Create(kConfigMaps, "acc", Json{{"metadata", {{"name", "c"}}}}).ok());
  ASSERT_TRUE(client.Delete(kNamespaces, "", "acc").ok());
  ASSERT_TRUE(Eventually([&] { return !client.Get(kNamespaces, "", "acc").ok(); }));
  EXPECT_FALSE(client.Get(kConfigMaps, "acc", "c").ok());
  manager->Stop();
  EXPECT_EQ(client.open_watches(), 0u);
}

TEST(ControllerManagerTest, StartFailsWhenCachesCannotSync) {
  FakeClient client;  // serves no kinds: every list is NotFound
  FakeClock clock;
  ResourceRegistry resources;
  ControllerOptions opts;
  opts.resources = &resources;
  opts.sync_timeout_seconds = 0;
  auto manager = NewControllerManager(client, clock, opts);
  EXPECT_EQ(manager->Start().code(), Code::kServiceUnavailable);
  manager->Stop();
}

}  // namespace
}  // namespace minik
