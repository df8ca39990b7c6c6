// Services: defaulting, validation wording, ClusterIP and NodePort allocation (requested,
// dynamic, conflicts, release on delete / type change / abandoned updates, restore) and the
// table cells.
#include <gtest/gtest.h>

#include "api/resource.h"
#include "api/resources/service_alloc.h"

namespace minik {
namespace {

// A fresh registry per test: each has its own allocators.
class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(reg_);
    info_ = reg_.Find({"", "v1", "services"});
    ASSERT_NE(info_, nullptr);
  }
  const Strategy& S() { return *info_->strategy; }

  static Json Svc(const std::string& name, const std::string& extra_spec = "{}") {
    Json svc = Json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"namespace":"default",
      "creationTimestamp":"2026-01-01T00:00:00Z"},
      "spec":{"selector":{"app":"web"},"ports":[{"port":80}]}})");
    svc["metadata"]["name"] = name;
    svc["spec"].merge_patch(Json::parse(extra_spec));
    return svc;
  }

  // Runs the create sequence; returns the Status of BeforeCreate (causes from validation are
  // returned as an Invalid status too).
  Status Create(Json& svc) {
    S().PrepareForCreate(svc);
    S().Default(svc);
    auto causes = S().Validate(svc);
    if (!causes.empty()) return Invalid("Service", Name(svc), causes);
    return S().BeforeCreate(svc);
  }

  Status Update(Json& svc, const Json& old) {
    S().PrepareForUpdate(svc, old);
    S().Default(svc);
    auto causes = S().ValidateUpdate(svc, old);
    if (!causes.empty()) return Invalid("Service", Name(svc), causes);
    Status st = S().BeforeUpdate(svc, old);
    if (st.ok()) S().AfterUpdate(svc, old, /*committed=*/true);
    return st;
  }

  static std::string FirstCause(const Status& st) {
    if (!st.details() || st.details()->causes.empty()) return st.message();
    const auto& c = st.details()->causes[0];
    return c.field + ": " + c.message;
  }

  ResourceRegistry reg_;
  const ResourceInfo* info_ = nullptr;
};

TEST_F(ServicesTest, DefaultsAndAllocation) {
  Json svc = Svc("web");
  ASSERT_TRUE(Create(svc).ok());
  const Json& spec = svc["spec"];
  EXPECT_EQ(spec["type"], "ClusterIP");
  EXPECT_EQ(spec["sessionAffinity"], "None");
  EXPECT_EQ(spec["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(spec["ports"][0]["targetPort"], 80);
  EXPECT_EQ(spec["internalTrafficPolicy"], "Cluster");
  EXPECT_EQ(spec["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(spec["ipFamilies"], Json::array({"IPv4"}));
  EXPECT_FALSE(spec.contains("externalTrafficPolicy"));
  std::string ip = spec["clusterIP"];
  auto v = res::ParseIpv4(ip);
  ASSERT_TRUE(v.has_value()) << ip;
  EXPECT_GE(*v, *res::ParseIpv4("10.96.1.0"));  // dynamic IPs skip the static band
  EXPECT_LE(*v, *res::ParseIpv4("10.111.255.254"));
  EXPECT_EQ(spec["clusterIPs"], Json::array({ip}));
  EXPECT_EQ(svc["status"], Json::parse(R"({"loadBalancer":{}})"));
}

TEST_F(ServicesTest, RequestedIpAndConflict) {
  Json a = Svc("kubernetes", R"({"clusterIP":"10.96.0.1"})");
  ASSERT_TRUE(Create(a).ok());
  EXPECT_EQ(a["spec"]["clusterIPs"], Json::array({"10.96.0.1"}));
  Json b = Svc("b", R"({"clusterIP":"10.96.0.1"})");
  Status st = Create(b);
  EXPECT_EQ(st.code(), Code::kInvalid);
  EXPECT_EQ(FirstCause(st),
            "spec.clusterIPs: Invalid value: []string{\"10.96.0.1\"}: failed to allocate IP "
            "10.96.0.1: provided IP is already allocated");
  Json c = Svc("c", R"({"clusterIP":"10.0.0.5"})");
  EXPECT_EQ(FirstCause(Create(c)),
            "spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP "
            "10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid "
            "IPs is 10.96.0.0/12");
  // Deleting frees the IP.
  S().AfterDelete(a);
  Json d = Svc("d", R"({"clusterIP":"10.96.0.1"})");
  EXPECT_TRUE(Create(d).ok());
}

TEST_F(ServicesTest, HeadlessAndExternalName) {
  Json headless = Svc("h", R"({"clusterIP":"None"})");
  ASSERT_TRUE(Create(headless).ok());
  EXPECT_EQ(headless["spec"]["clusterIPs"], Json::array({"None"}));
  EXPECT_EQ(headless["spec"]["ipFamilyPolicy"], "SingleStack");
  Json selectorless = Svc("h2", R"({"clusterIP":"None","selector":null,"ports":null})");
  ASSERT_TRUE(Create(selectorless).ok());
  EXPECT_EQ(selectorless["spec"]["ipFamilyPolicy"], "RequireDualStack");

  Json ext = Svc("e", R"({"type":"ExternalName","externalName":"example.com","ports":null})");
  ASSERT_TRUE(Create(ext).ok()) << FirstCause(Create(ext));
  EXPECT_FALSE(ext["spec"].contains("clusterIP"));
  EXPECT_FALSE(ext["spec"].contains("ipFamilies"));
  Json no_name = Svc("e2", R"({"type":"ExternalName","ports":null})");
  EXPECT_EQ(FirstCause(Create(no_name)), "spec.externalName: Required value");
}

TEST_F(ServicesTest, ValidationMessages) {
  Json noports = Svc("x", R"({"ports":null})");
  EXPECT_EQ(FirstCause(Create(noports)), "spec.ports: Required value");
  Json badport = Svc("x", R"({"ports":[{"port":0}]})");
  EXPECT_EQ(FirstCause(Create(badport)),
            "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
  Json badtype = Svc("x", R"({"type":"Foo"})");
  EXPECT_EQ(FirstCause(Create(badtype)),
            "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", "
            "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
  Json unnamed = Svc("x", R"({"ports":[{"port":80},{"port":443}]})");
  EXPECT_EQ(FirstCause(Create(unnamed)), "spec.ports[0].name: Required value");
  Json np_on_cluster_ip = Svc("x", R"({"ports":[{"port":80,"nodePort":30080}]})");
  EXPECT_EQ(FirstCause(Create(np_on_cluster_ip)),
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  Json badip = Svc("x", R"({"clusterIP":"abc"})");
  EXPECT_EQ(FirstCause(Create(badip)),
            "spec.clusterIPs[0]: Invalid value: \"abc\": must be a valid IP address, (e.g. "
            "10.9.8.7 or 2001:db8::ffff)");
}

TEST_F(ServicesTest, NodePorts) {
  Json a = Svc("a", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})");
  ASSERT_TRUE(Create(a).ok()) << FirstCause(Create(a));
  EXPECT_EQ(a["spec"]["ports"][0]["nodePort"], 30080);
  EXPECT_EQ(a["spec"]["externalTrafficPolicy"], "Cluster");
  Json b = Svc("b", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})");
  Status st = Create(b);
  EXPECT_EQ(FirstCause(st),
            "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated");
  // The failed create released its ClusterIP: the IP set is unchanged.
  Json c = Svc("c", R"({"type":"NodePort","ports":[{"port":80,"nodePort":80}]})");
  EXPECT_EQ(FirstCause(Create(c)),
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
            "The range of valid ports is 30000-32767");
  Json d = Svc("d", R"({"type":"LoadBalancer","ports":[{"name":"a","port":80},{"name":"b","port":443}]})");
  ASSERT_TRUE(Create(d).ok());
  int p0 = d["spec"]["ports"][0]["nodePort"], p1 = d["spec"]["ports"][1]["nodePort"];
  EXPECT_GE(p0, 30000);
  EXPECT_LE(p0, 32767);
  EXPECT_NE(p0, p1);
  EXPECT_NE(p0, 30080);
  EXPECT_EQ(d["spec"]["allocateLoadBalancerNodePorts"], true);
  // Same port number over TCP and UDP shares one NodePort.
  Json dns = Svc("dns", R"({"type":"NodePort","ports":[{"name":"udp","port":53,"protocol":"UDP"},
                                                        {"name":"tcp","port":53,"protocol":"TCP"}]})");
  ASSERT_TRUE(Create(dns).ok());
  EXPECT_EQ(dns["spec"]["ports"][0]["nodePort"], dns["spec"]["ports"][1]["nodePort"]);
  // Deleting releases the ports.
  S().AfterDelete(a);
  Json e = Svc("e", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})");
  EXPECT_TRUE(Create(e).ok());
}

TEST_F(ServicesTest, UpdateKeepsAllocationsAndTypeChangesRelease) {
  Json old = Svc("a", R"({"type":"NodePort","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(old).ok());
  std::string ip = old["spec"]["clusterIP"];
  int node_port = old["spec"]["ports"][0]["nodePort"];

  // A replace without the allocated fields keeps them (patchAllocatedValues).
  Json next = Svc("a", R"({"type":"NodePort","ports":[{"port":80}]})");
  ASSERT_TRUE(Update(next, old).ok()) << FirstCause(Update(next, old));
  EXPECT_EQ(next["spec"]["clusterIP"], ip);
  EXPECT_EQ(next["spec"]["ports"][0]["nodePort"], node_port);

  // Changing the IP is refused.
  Json moved = next;
  moved["spec"]["clusterIP"] = "10.96.0.99";
  moved["spec"]["clusterIPs"] = Json::array({"10.96.0.99"});
  EXPECT_EQ(FirstCause(Update(moved, next)),
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.99\"}: may not change once set");

  // NodePort -> ClusterIP drops the node port (as left by the client) and releases it.
  Json cip = next;
  cip["spec"]["type"] = "ClusterIP";
  ASSERT_TRUE(Update(cip, next).ok()) << FirstCause(Update(cip, next));
  EXPECT_FALSE(cip["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE(cip["spec"].contains("externalTrafficPolicy"));
  Json other = Svc("b", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" +
                            std::to_string(node_port) + "}]}");
  EXPECT_TRUE(Create(other).ok());

  // ClusterIP -> ExternalName releases the IP.
  Json ext = cip;
  ext["spec"]["type"] = "ExternalName";
  ext["spec"]["externalName"] = "example.com";
  ASSERT_TRUE(Update(ext, cip).ok()) << FirstCause(Update(ext, cip));
  EXPECT_FALSE(ext["spec"].contains("clusterIP"));
  Json reuse = Svc("c", "{\"clusterIP\":\"" + ip + "\"}");
  EXPECT_TRUE(Create(reuse).ok());
}

TEST_F(ServicesTest, AbandonedUpdateReleasesNewAllocations) {
  Json old = Svc("a");
  ASSERT_TRUE(Create(old).ok());
  Json next = old;
  next["spec"]["type"] = "NodePort";
  next["spec"]["ports"][0]["nodePort"] = 31000;
  S().PrepareForUpdate(next, old);
  S().Default(next);
  ASSERT_TRUE(S().ValidateUpdate(next, old).empty());
  ASSERT_TRUE(S().BeforeUpdate(next, old).ok());
  S().AfterUpdate(next, old, /*committed=*/false);  // e.g. dry-run or a conflict
  Json other = Svc("b", R"({"type":"NodePort","ports":[{"port":80,"nodePort":31000}]})");
  EXPECT_TRUE(Create(other).ok());
  // The old service still holds its IP.
  Json clash = Svc("c", "{\"clusterIP\":\"" + old["spec"]["clusterIP"].get<std::string>() + "\"}");
  EXPECT_EQ(Create(clash).code(), Code::kInvalid);
}

TEST_F(ServicesTest, RestoreMarksStoredAllocations) {
  Json stored = Svc("a", R"({"type":"NodePort","clusterIP":"10.96.5.5","clusterIPs":["10.96.5.5"],
                              "ports":[{"port":80,"nodePort":30500}]})");
  S().Restore(stored);
  Json ip = Svc("b", R"({"clusterIP":"10.96.5.5"})");
  EXPECT_EQ(Create(ip).code(), Code::kInvalid);
  Json port = Svc("c", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30500}]})");
  EXPECT_EQ(Create(port).code(), Code::kInvalid);
}

TEST_F(ServicesTest, Table) {
  SystemTime now{};
  ParseRfc3339("2026-01-01T00:00:30Z", &now);
  Json svc = Svc("web", R"({"type":"NodePort","clusterIP":"10.96.0.20",
                            "ports":[{"port":80,"nodePort":30080}]})");
  ASSERT_TRUE(Create(svc).ok());
  EXPECT_EQ(info_->cells(svc, now),
            (std::vector<Json>{"NodePort", "10.96.0.20", "<none>", "80:30080/TCP", "30s", "app=web"}));
  Json lb = Svc("lb", R"({"type":"LoadBalancer"})");
  ASSERT_TRUE(Create(lb).ok());
  EXPECT_EQ(info_->cells(lb, now)[2], "<pending>");
  lb["status"] = Json::parse(R"({"loadBalancer":{"ingress":[{"ip":"192.168.1.240"}]}})");
  EXPECT_EQ(info_->cells(lb, now)[2], "192.168.1.240");
  Json ext = Svc("e", R"({"type":"ExternalName","externalName":"example.com","ports":null,"selector":null})");
  ASSERT_TRUE(Create(ext).ok());
  EXPECT_EQ(info_->cells(ext, now),
            (std::vector<Json>{"ExternalName", "<none>", "example.com", "<none>", "30s", "<none>"}));
}

TEST(ServiceAllocators, RangesAndExhaustion) {
  res::ClusterIpAllocator ips("10.96.0.0/28", 1);  // 14 usable addresses, 14 < 16: no low band
  std::set<std::string> seen;
  for (int i = 0; i < 14; ++i) {
    auto a = ips.AllocateNext();
    ASSERT_TRUE(a.error.empty()) << i;
    EXPECT_TRUE(seen.insert(a.value).second);
  }
  EXPECT_EQ(ips.AllocateNext().error, "range is full");
  EXPECT_FALSE(seen.count("10.96.0.0"));
  EXPECT_FALSE(seen.count("10.96.0.15"));
  EXPECT_NE(ips.AllocateSpecific("10.96.0.15").error, "");
  res::PortAllocator ports(30000, 30002, 1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ports.AllocateNext().error.empty());
  EXPECT_EQ(ports.AllocateNext().error, "range is full");
  ports.Release(30001);
  EXPECT_EQ(ports.AllocateNext().value, "30001");
  EXPECT_FALSE(res::ParseIpv4("010.1.1.1").has_value());
  EXPECT_FALSE(res::ParseIpv4("1.2.3").has_value());
  EXPECT_FALSE(res::ParseIpv4("1.2.3.256").has_value());
  EXPECT_EQ(res::FormatIpv4(*res::ParseIpv4("10.96.0.10")), "10.96.0.10");
}

}  // namespace
}  // namespace minik
