#include "kubelet/node_agent.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "kubelet/node_machine.h"
#include "tests/controllers/fake_client.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using std::chrono::seconds;
using testing::Eventually;
using testing::FakeClient;

const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases"};
const ResourceRef kNamespaces{"", "v1", "namespaces"};

const Json* Condition(const Json& node, const std::string& type) {
  const Json* conds = Find(node, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

class NodeAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    ASSERT_TRUE(
        client_.Create(kNamespaces, "", Json{{"metadata", {{"name", "kube-node-lease"}}}}).ok());
    options_.node_name = "minik";
    options_.node_ip = "192.168.49.2";
    options_.state_dir = ::testing::TempDir();
  }
  Json Node() {
    auto n = client_.Get(kNodes, "", "minik");
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : Json();
  }
  Json Lease() {
    auto l = client_.Get(kLeases, "kube-node-lease", "minik");
    EXPECT_TRUE(l.ok());
    return l.ok() ? *l : Json();
  }
  FakeClient client_;
  FakeClock clock_;
  NodeAgentOptions options_;
};

TEST_F(NodeAgentTest, RegistersAReadyNode) {
  auto agent = NewNodeAgent(client_, clock_, options_);
  ASSERT_TRUE(agent->Start().ok());
  Json node = Node();
  const Json& labels = node["metadata"]["labels"];
  EXPECT_EQ(labels["kubernetes.io/hostname"], "minik");
  EXPECT_EQ(labels["kubernetes.io/os"], "linux");
  EXPECT_EQ(labels["kubernetes.io/arch"], GetString(node, {"status", "nodeInfo", "architecture"}));
  EXPECT_EQ(labels["node-role.kubernetes.io/control-plane"], "");
  EXPECT_EQ(labels["minik.io/profile"], "minik");

  const Json& status = node["status"];
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int64_t reported = std::stoll(status["capacity"]["cpu"].get<std::string>());
  EXPECT_GE(reported, 1);
  EXPECT_LE(reported, cpus);
  EXPECT_EQ(status["capacity"]["pods"], "110");
  std::string mem = status["capacity"]["memory"];
  EXPECT_EQ(mem.substr(mem.size() - 2), "Ki");
  EXPECT_TRUE(status["allocatable"].contains("memory"));
  EXPECT_TRUE(status["capacity"].contains("ephemeral-storage"));
  EXPECT_EQ(status["addresses"],
            Json::parse(R"([{"type":"InternalIP","address":"192.168.49.2"},
                            {"type":"Hostname","address":"minik"}])"));
  EXPECT_EQ(status["daemonEndpoints"]["kubeletEndpoint"]["Port"], 10250);
  const Json& info = status["nodeInfo"];
  EXPECT_EQ(info["kubeletVersion"], "v1.32.0");
  EXPECT_EQ(info["containerRuntimeVersion"], "minik://0.1.0");
  EXPECT_EQ(info["operatingSystem"], "linux");
  EXPECT_FALSE(info["kernelVersion"].get<std::string>().empty());
  EXPECT_FALSE(info["osImage"].get<std::string>().empty());

  const Json* ready = Condition(node, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ((*ready)["status"], "True");
  EXPECT_EQ((*ready)["reason"], "KubeletReady");
  EXPECT_EQ((*ready)["message"], "kubelet is posting ready status");
  EXPECT_EQ((*ready)["lastHeartbeatTime"], FormatRfc3339(clock_.Now()));
  for (auto [type, reason] : {std::pair{"MemoryPressure", "KubeletHasSufficientMemory"},
                              std::pair{"DiskPressure", "KubeletHasNoDiskPressure"},
                              std::pair{"PIDPressure", "KubeletHasSufficientPID"}}) {
    const Json* c = Condition(node, type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_EQ((*c)["status"], "False");
    EXPECT_EQ((*c)["reason"], reason);
  }

  Json lease = Lease();
  EXPECT_EQ(lease["spec"]["holderIdentity"], "minik");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 40);
  EXPECT_EQ(lease["spec"]["renewTime"], FormatRfc3339Micro(clock_.Now()));
  EXPECT_EQ(lease["metadata"]["ownerReferences"][0]["kind"], "Node");
  EXPECT_EQ(lease["metadata"]["ownerReferences"][0]["uid"], Uid(node));
  agent->Stop();
}

TEST_F(NodeAgentTest, RenewsLeaseAndStatusOnTheClock) {
  auto agent = NewNodeAgent(client_, clock_, options_);
  ASSERT_TRUE(agent->Start().ok());
  std::string first_renew = Lease()["spec"]["renewTime"];
  std::string first_transition = (*Condition(Node(), "Ready"))["lastTransitionTime"];
  ASSERT_TRUE(clock_.AwaitSleepers(1));

  clock_.Step(seconds(10));
  std::string want = FormatRfc3339Micro(clock_.Now());
  ASSERT_TRUE(Eventually([&] { return Lease()["spec"]["renewTime"] == want; }));
  EXPECT_NE(want, first_renew);
  // The node status is not rewritten on every lease renewal.
  EXPECT_EQ((*Condition(Node(), "Ready"))["lastHeartbeatTime"],
            FormatRfc3339(clock_.Now() - seconds(10)));

  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(clock_.AwaitSleepers(1));
    clock_.Step(seconds(10));
  }
  std::string heartbeat = FormatRfc3339(clock_.Now());  // 60 s after start
  ASSERT_TRUE(Eventually([&] {
    return (*Condition(Node(), "Ready"))["lastHeartbeatTime"] == heartbeat;
  }));
  EXPECT_EQ((*Condition(Node(), "Ready"))["lastTransitionTime"], first_transition);
  agent->Stop();
}

TEST_F(NodeAgentTest, UpdatesAnExistingNode) {
  Json old = {{"metadata", {{"name", "minik"}, {"labels", {{"keep", "me"}}}}},
              {"spec", Json::object()}};
  ASSERT_TRUE(client_.Create(kNodes, "", old).ok());
  options_.labels["minik.io/simulated"] = "true";
  options_.control_plane = false;
  options_.pod_cidr = "10.244.0.0/24";
  options_.taints = Json::parse(R"([{"key":"minik.io/simulated","value":"true","effect":"NoSchedule"}])");
  options_.runtime_version = "v9";
  auto agent = NewNodeAgent(client_, clock_, options_);
  ASSERT_TRUE(agent->Start().ok());
  Json node = Node();
  EXPECT_EQ(node["metadata"]["labels"]["keep"], "me");
  EXPECT_EQ(node["metadata"]["labels"]["minik.io/simulated"], "true");
  EXPECT_FALSE(node["metadata"]["labels"].contains("node-role.kubernetes.io/control-plane"));
  EXPECT_EQ(node["spec"]["podCIDR"], "10.244.0.0/24");
  EXPECT_EQ(node["spec"]["taints"][0]["effect"], "NoSchedule");
  EXPECT_EQ(node["status"]["nodeInfo"]["containerRuntimeVersion"], "minik://v9");
  EXPECT_EQ((*Condition(node, "Ready"))["status"], "True");
  agent->Stop();
  agent->Stop();  // idempotent
}

TEST_F(NodeAgentTest, RecreatesADeletedNodeOnTheNextStatusUpdate) {
  options_.status_report_seconds = 10;
  auto agent = NewNodeAgent(client_, clock_, options_);
  ASSERT_TRUE(agent->Start().ok());
  ASSERT_TRUE(client_.Delete(kNodes, "", "minik").ok());
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  clock_.Step(seconds(10));
  ASSERT_TRUE(Eventually([&] { return client_.Get(kNodes, "", "minik").ok(); }));
  agent->Stop();
}

TEST_F(NodeAgentTest, LeaseFailureIsRetriedSoon) {
  auto agent = NewNodeAgent(client_, clock_, options_);
  ASSERT_TRUE(agent->Start().ok());
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  client_.FailNext("get", Internal("store down"));
  clock_.Step(seconds(10));
  ASSERT_TRUE(Eventually([&] { return client_.calls("get") >= 4 && clock_.Sleepers() == 1; }));
  std::string before = Lease()["spec"]["renewTime"];
  clock_.Step(seconds(1));  // the retry comes after 1 s, not a whole period
  std::string want = FormatRfc3339Micro(clock_.Now());
  ASSERT_TRUE(Eventually([&] { return Lease()["spec"]["renewTime"] == want; }));
  EXPECT_NE(before, want);
  agent->Stop();
}

TEST_F(NodeAgentTest, StartFailsWhenTheApiFails) {
  client_.FailNext("create", Status(Code::kForbidden, "nodes is forbidden"));
  auto agent = NewNodeAgent(client_, clock_, options_);
  EXPECT_EQ(agent->Start().code(), Code::kForbidden);
  agent->Stop();
}

TEST(NodeMachineTest, ParsesMeminfo) {
  EXPECT_EQ(ParseMemTotalKib("MemTotal:       16303092 kB\nMemFree: 1 kB\n"), 16303092);
  EXPECT_EQ(ParseMemTotalKib("MemFree: 1 kB\n"), -1);
  EXPECT_EQ(ParseMemTotalKib("MemTotal: lots kB\n"), -1);
  EXPECT_EQ(ParseMemTotalKib("MemTotal: 5 MB\n"), -1);
  EXPECT_EQ(ParseMemTotalKib(""), -1);
}

TEST(NodeMachineTest, ParsesOsRelease) {
  EXPECT_EQ(ParseOsReleasePrettyName("NAME=x\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(ParseOsReleasePrettyName("PRETTY_NAME=Alpine\n"), "Alpine");
  EXPECT_EQ(ParseOsReleasePrettyName("PRETTY_NAME='Q'\n"), "Q");
  EXPECT_EQ(ParseOsReleasePrettyName("PRETTY_NAME=\"\n"), "\"");
  EXPECT_EQ(ParseOsReleasePrettyName("NAME=x\n"), "");
}

TEST(NodeMachineTest, GoArch) {
  EXPECT_EQ(GoArch("x86_64"), "amd64");
  EXPECT_EQ(GoArch("aarch64"), "arm64");
  EXPECT_EQ(GoArch("armv7l"), "arm");
  EXPECT_EQ(GoArch(""), "amd64");
}

TEST(NodeMachineTest, ReadsThisMachine) {
  MachineInfo m = ReadMachineInfo("/nonexistent/dir");
  EXPECT_GE(m.cpus, 1);
  EXPECT_GT(m.memory_kib, 0);
  EXPECT_EQ(m.ephemeral_storage_bytes, 0);  // statfs failed: omitted, not invented
  EXPECT_FALSE(m.kernel_version.empty());
  EXPECT_GT(ReadMachineInfo("/").ephemeral_storage_bytes, 0);
}

}  // namespace
}  // namespace minik
