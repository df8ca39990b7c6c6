// The node agent over the real registry: the Node and Lease it writes pass validation and
// strict field checks, and status goes through the status subresource.
#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "kubelet/node_agent.h"
#include "kubelet/sim_nodes.h"
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

// Simulated nodes: registered with their taint and capacity; a pod bound to one goes Running
// and Ready with an IP from the node's CIDR; a deleted one is removed at once; pods on the
// real node and unbound pods are left alone; a restart with fewer nodes removes the rest.
TEST(SimulatedNodesTest, RunPodsWithoutContainersAndHonourDeletion) {
  ResourceRegistry resources;
  RegisterBuiltinResources(resources);
  auto store = NewMemStore();
  FakeClock clock;
  auto client = NewRegistry(*store, resources, BuiltinSchemas(), clock);
  const ResourceRef pods{"", "v1", "pods"}, nodes{"", "v1", "nodes"};
  for (const char* ns : {"kube-node-lease", "default"}) {
    ASSERT_TRUE(client->Create({"", "v1", "namespaces"}, "", Json{{"metadata", {{"name", ns}}}}).ok());
  }
  SimulatedNodesOptions opts;
  opts.count = 2;
  opts.real_node = "minik";
  auto sim = NewSimulatedNodes(*client, clock, opts);
  Status st = sim->Start();
  ASSERT_TRUE(st.ok()) << st.message();

  auto node = client->Get(nodes, "", "sim-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ((*node)["spec"]["taints"][0]["key"], "minik.io/simulated");
  EXPECT_EQ((*node)["metadata"]["labels"]["minik.io/simulated"], "true");
  EXPECT_EQ((*node)["metadata"]["labels"]["minik.io/profile"], "minik");
  EXPECT_EQ(GetString(*node, {"status", "capacity", "cpu"}), "32");
  EXPECT_EQ(GetString(*node, {"spec", "podCIDR"}), "10.128.1.0/24");

  auto make_pod = [&](const std::string& name, const std::string& node_name) {
    Json pod = {{"metadata", {{"name", name}}},
                {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
    if (!node_name.empty()) pod["spec"]["nodeName"] = node_name;
    auto r = client->Create(pods, "default", pod);
    ASSERT_TRUE(r.ok()) << r.status().message();
  };
  make_pod("a", "sim-1");
  make_pod("b", "sim-1");
  make_pod("real", "minik");
  make_pod("unbound", "");
  auto running = [&](const std::string& name) {
    auto p = client->Get(pods, "default", name);
    return p.ok() && GetString(*p, {"status", "phase"}) == "Running";
  };
  ASSERT_TRUE(Eventually([&] { return running("a") && running("b"); }));
  auto a = client->Get(pods, "default", "a");
  auto b = client->Get(pods, "default", "b");
  EXPECT_EQ(GetString(*a, {"status", "hostIP"}), "10.255.0.2");
  EXPECT_EQ(GetString(*a, {"status", "podIP"}).rfind("10.128.1.", 0), 0u);
  EXPECT_NE(GetString(*a, {"status", "podIP"}), GetString(*b, {"status", "podIP"}));
  bool ready = false;
  for (const Json& c : (*a)["status"]["conditions"]) {
    if (c["type"] == "Ready") ready = c["status"] == "True";
  }
  EXPECT_TRUE(ready);
  EXPECT_EQ((*a)["status"]["containerStatuses"][0]["ready"], true);
  EXPECT_FALSE(running("real"));
  EXPECT_FALSE(running("unbound"));

  // Bound pods are deleted gracefully: the simulated kubelet finishes the deletion.
  auto del = client->Delete(pods, "default", "a");
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(Eventually([&] { return !client->Get(pods, "default", "a").ok(); }));
  EXPECT_TRUE(client->Get(pods, "default", "real").ok());
  sim->Stop();

  SimulatedNodesOptions fewer = opts;
  fewer.count = 1;
  ASSERT_TRUE(RemoveStaleSimulatedNodes(*client, fewer).ok());
  EXPECT_TRUE(client->Get(nodes, "", "sim-0").ok());
  EXPECT_FALSE(client->Get(nodes, "", "sim-1").ok());
  EXPECT_FALSE(client->Get(pods, "default", "b").ok());
  EXPECT_TRUE(client->Get(pods, "default", "real").ok());
}

}  // namespace
}  // namespace minik
