// The proxier and the load-balancer status over a real registry (in-memory store), with
// iptables and conntrack replaced by recorders.
#include "netproxy/proxier.h"

#include <gtest/gtest.h>

#include <mutex>

#include "api/clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "netproxy/service_lb.h"
#include "store/store.h"

namespace minik::netproxy {
namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};

struct Recorded {
  std::mutex mu;
  std::vector<std::string> scripts;
  std::vector<std::vector<std::string>> conntrack;
  std::string saved = "*nat\n:PREROUTING ACCEPT [0:0]\n:MK-SVC-STALE - [0:0]\nCOMMIT\n";
  bool fail = false;
};

class FakeIptables : public net::IptablesRunner {
 public:
  explicit FakeIptables(Recorded& r) : r_(r) {}
  StatusOr<net::SavedTables> Save() override {
    std::lock_guard<std::mutex> lock(r_.mu);
    return net::ParseIptablesSave(r_.saved);
  }
  Status Restore(const std::string& script) override {
    std::lock_guard<std::mutex> lock(r_.mu);
    if (r_.fail) return Internal("iptables-restore: refused");
    if (!script.empty()) r_.scripts.push_back(script);
    return Status::Ok();
  }

 private:
  Recorded& r_;
};

class FakeConntrack : public ConntrackRunner {
 public:
  explicit FakeConntrack(Recorded& r) : r_(r) {}
  Status Delete(const std::vector<std::string>& args) override {
    std::lock_guard<std::mutex> lock(r_.mu);
    r_.conntrack.push_back(args);
    return Status::Ok();
  }

 private:
  Recorded& r_;
};

template <typename F>
bool Eventually(F f) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return f();
}

class ProxierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(client_->Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
    ProxierOptions o;
    o.node_name = "minik";
    o.layout = {"MK", "10.244.0.0/16", "10.96.0.0/12", {}};
    proxier_ = std::make_unique<ServiceProxier>(*informers_, o,
                                                std::make_unique<FakeIptables>(rec_),
                                                std::make_unique<FakeConntrack>(rec_));
  }
  void TearDown() override {
    proxier_->Stop();
    informers_->Stop();
  }

  void CreateService(const std::string& name, const std::string& proto, const std::string& type) {
    Json svc = {{"metadata", {{"name", name}}},
                {"spec", {{"type", type}, {"ports", {{{"port", 53}, {"protocol", proto}}}}}}};
    auto r = client_->Create(kServices, "default", svc);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  Json Slice(const std::string& svc, const std::string& proto, std::vector<std::string> ips) {
    Json eps = Json::array();
    for (const auto& ip : ips) eps.push_back({{"addresses", {ip}}, {"conditions", {{"ready", true}}}});
    return {{"metadata", {{"name", svc + "-abc"}, {"labels", {{"kubernetes.io/service-name", svc}}}}},
            {"addressType", "IPv4"},
            {"ports", {{{"name", ""}, {"port", 5353}, {"protocol", proto}}}},
            {"endpoints", eps}};
  }
  std::string AllScripts() {
    std::lock_guard<std::mutex> lock(rec_.mu);
    std::string all;
    for (const auto& s : rec_.scripts) all += s;
    return all;
  }
  std::string LastScript() {
    std::lock_guard<std::mutex> lock(rec_.mu);
    return rec_.scripts.empty() ? "" : rec_.scripts.back();
  }

  RealClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  Recorded rec_;
  std::unique_ptr<ServiceProxier> proxier_;
};

TEST_F(ProxierTest, FirstSyncIsFullThenOnlyChangedChains) {
  ASSERT_TRUE(proxier_->Start().ok());
  std::string first = LastScript();
  EXPECT_NE(first.find("-X MK-SVC-STALE"), std::string::npos);
  EXPECT_NE(first.find("-I PREROUTING 1"), std::string::npos);

  CreateService("dns", "UDP", "ClusterIP");
  ASSERT_TRUE(Eventually([&] { return AllScripts().find("default/dns: has no endpoints") != std::string::npos; }));
  ASSERT_TRUE(client_->Create(kSlices, "default", Slice("dns", "UDP", {"10.244.0.5", "10.244.0.6"})).ok());
  ASSERT_TRUE(Eventually([&] {
    return AllScripts().find("DNAT --to-destination 10.244.0.6:5353") != std::string::npos;
  }));
  {
    // The service got endpoints: entries made while it had none are dropped.
    std::lock_guard<std::mutex> lock(rec_.mu);
    ASSERT_FALSE(rec_.conntrack.empty());
    EXPECT_EQ(rec_.conntrack.back()[3], "--orig-dst");
  }
  size_t before = rec_.scripts.size();
  auto slice = client_->Get(kSlices, "default", "dns-abc");
  ASSERT_TRUE(slice.ok());
  (*slice)["endpoints"].erase(1);
  ASSERT_TRUE(client_->Update(kSlices, "default", *slice).ok());
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(rec_.mu);
    for (const auto& args : rec_.conntrack)
      if (args.size() == 7 && args[6] == "10.244.0.6") return true;
    return false;
  }));
  std::string diff = LastScript();
  EXPECT_GT(rec_.scripts.size(), before);
  EXPECT_EQ(diff.find(":MK-SERVICES"), std::string::npos) << diff;  // untouched
  EXPECT_NE(diff.find("-X MK-SEP-"), std::string::npos) << diff;

  ASSERT_TRUE(client_->Delete(kServices, "default", "dns").ok());
  ASSERT_TRUE(Eventually([&] { return LastScript().find("-X MK-SVC-") != std::string::npos; }));
}

TEST_F(ProxierTest, FailedSyncIsRetriedInFull) {
  ASSERT_TRUE(proxier_->Start().ok());
  {
    std::lock_guard<std::mutex> lock(rec_.mu);
    rec_.fail = true;
  }
  CreateService("web", "TCP", "NodePort");
  ASSERT_TRUE(Eventually([&] { return !proxier_->last_error().ok(); }));
  {
    std::lock_guard<std::mutex> lock(rec_.mu);
    rec_.fail = false;
  }
  ASSERT_TRUE(Eventually([&] { return proxier_->last_error().ok(); }));
  EXPECT_NE(LastScript().find("-I PREROUTING 1"), std::string::npos);  // a full sync
  EXPECT_NE(LastScript().find("default/web: has no endpoints"), std::string::npos);
}

TEST_F(ProxierTest, StartFailsWhenIptablesRefuses) {
  rec_.fail = true;
  Status st = proxier_->Start();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("refused"), std::string::npos);
}

TEST_F(ProxierTest, LoadBalancerGetsTheNodeAddress) {
  LoadBalancerStatus lb(*client_, clock_, *informers_, "10.244.0.1");
  lb.Start();
  CreateService("web", "TCP", "LoadBalancer");
  ASSERT_TRUE(Eventually([&] {
    auto s = client_->Get(kServices, "default", "web");
    return s.ok() && GetString(*s, {"status", "loadBalancer", "ingress"}).empty() &&
           Find(*s, {"status", "loadBalancer", "ingress"}) != nullptr &&
           (*s)["status"]["loadBalancer"]["ingress"][0]["ip"] == "10.244.0.1";
  }));
  auto s = client_->Get(kServices, "default", "web");
  ASSERT_TRUE(s.ok());
  (*s)["spec"]["type"] = "ClusterIP";
  (*s)["spec"]["ports"][0].erase("nodePort");
  ASSERT_TRUE(client_->Update(kServices, "default", *s).ok());
  EXPECT_TRUE(Eventually([&] {
    auto s2 = client_->Get(kServices, "default", "web");
    return s2.ok() && Find(*s2, {"status", "loadBalancer", "ingress"}) == nullptr;
  }));
  lb.Stop();
}

}  // namespace
}  // namespace minik::netproxy
