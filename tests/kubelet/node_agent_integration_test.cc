// The node agent over the real registry: the Node and Lease it writes pass validation and
// strict field checks, and status goes through the status subresource.
#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "kubelet/node_agent.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;

TEST(NodeAgentIntegrationTest, RegistersAndRenewsOverTheRegistry) {
  ResourceRegistry resources;
  RegisterBuiltinResources(resources);
  auto store = NewMemStore();
  FakeClock clock;
  auto client = NewRegistry(*store, resources, BuiltinSchemas(), clock);
  ASSERT_TRUE(client->Create({"", "v1", "namespaces"}, "",
                             Json{{"metadata", {{"name", "kube-node-lease"}}}})
                  .ok());
  NodeAgentOptions opts;
  opts.node_name = "minik";
  opts.node_ip = "10.0.0.2";
  opts.state_dir = ::testing::TempDir();
  opts.pod_cidr = "10.244.0.0/24";
  auto agent = NewNodeAgent(*client, clock, opts);
  Status st = agent->Start();
  ASSERT_TRUE(st.ok()) << st.message();

  auto node = client->Get({"", "v1", "nodes"}, "", "minik");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(GetString(*node, {"status", "nodeInfo", "kubeletVersion"}), "v1.32.0");
  EXPECT_EQ(GetString(*node, {"spec", "podCIDR"}), "10.244.0.0/24");
  EXPECT_FALSE(GetString(*node, {"status", "capacity", "cpu"}).empty());

  const ResourceRef leases{"coordination.k8s.io", "v1", "leases"};
  auto lease = client->Get(leases, "kube-node-lease", "minik");
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Step(std::chrono::seconds(10));
  std::string want = FormatRfc3339Micro(clock.Now());
  ASSERT_TRUE(Eventually([&] {
    auto l = client->Get(leases, "kube-node-lease", "minik");
    return l.ok() && GetString(*l, {"spec", "renewTime"}) == want;
  }));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(clock.AwaitSleepers(1));
    clock.Step(std::chrono::seconds(10));
  }
  std::string heartbeat = FormatRfc3339(clock.Now());
  ASSERT_TRUE(Eventually([&] {
    auto n = client->Get({"", "v1", "nodes"}, "", "minik");
    if (!n.ok()) return false;
    for (const Json& c : (*n)["status"]["conditions"]) {
      if (c["type"] == "Ready") return c["lastHeartbeatTime"] == heartbeat;
    }
    return false;
  }));
  agent->Stop();

  // A restart finds the node and lease and updates them.
  auto again = NewNodeAgent(*client, clock, opts);
  st = again->Start();
  ASSERT_TRUE(st.ok()) << st.message();
  again->Stop();
}

}  // namespace
}  // namespace minik
