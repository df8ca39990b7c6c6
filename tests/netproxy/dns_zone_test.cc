// The cluster zone's answers, rule by rule, against what CoreDNS's kubernetes plugin answers
// with kubeadm's Corefile.
#include "netproxy/dns_zone.h"

#include <gtest/gtest.h>

namespace minik::netproxy::dns {
namespace {

Json Ns(const std::string& name) { return {{"metadata", {{"name", name}}}}; }

Json Svc(const std::string& ns, const std::string& name, const Json& spec) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", spec}};
}

Json Slice(const std::string& ns, const std::string& name, const std::string& service,
           const Json& endpoints, const Json& ports, const std::string& type = "IPv4") {
  return {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", name}, {"namespace", ns}, {"labels", {{"kubernetes.io/service-name", service}}}}},
      {"addressType", type},
      {"endpoints", endpoints},
      {"ports", ports}};
}

struct Result {
  Disposition disposition;
  uint16_t rcode = 0;
  bool aa = false;
  std::vector<std::string> answers, authority, additional;
  std::string chase;
};

class ZoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespaces_ = {Ns("default"), Ns("kube-system"), Ns("apps")};
    services_ = {
        Svc("default", "kubernetes",
            {{"clusterIP", "10.96.0.1"},
             {"clusterIPs", {"10.96.0.1"}},
             {"ports", {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}}}}}),
        Svc("default", "web",
            {{"clusterIP", "10.96.0.20"},
             {"ports",
              {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}},
               {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}}}}}),
        Svc("default", "db",
            {{"clusterIP", "None"},
             {"ports", {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}}),
        Svc("default", "empty", {{"clusterIP", "None"}}),
        Svc("default", "ext", {{"type", "ExternalName"}, {"externalName", "example.com"}}),
        Svc("default", "alias",
            {{"type", "ExternalName"}, {"externalName", "web.default.svc.cluster.local"}}),
        Svc("default", "ipext", {{"type", "ExternalName"}, {"externalName", "1.2.3.4"}}),
        Svc("apps", "noports", {{"clusterIP", "10.96.0.30"}}),
    };
    slices_ = {
        Slice("default", "db-abc", "db",
              {{{"addresses", {"10.244.0.5"}},
                {"hostname", "db-0"},
                {"conditions", {{"ready", true}}}},
               {{"addresses", {"10.244.0.6"}},
                {"hostname", "db-1"},
                {"conditions", {{"ready", false}}}},
               {{"addresses", {"10.244.0.7"}}}},
              {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}),
        Slice("default", "web-abc", "web",
              {{{"addresses", {"10.244.0.9"}}, {"conditions", {{"ready", true}}}}},
              {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}),
        Slice("default", "empty-abc", "empty",
              {{{"addresses", {"10.244.0.11"}}, {"conditions", {{"ready", false}}}}},
              Json::array()),
    };
    Rebuild();
  }
  void Rebuild() {
    std::vector<const Json*> ns, svcs, slices;
    for (const Json& j : namespaces_) ns.push_back(&j);
    for (const Json& j : services_) svcs.push_back(&j);
    for (const Json& j : slices_) slices.push_back(&j);
    zone_ = ZoneSnapshot::Build(ZoneOptions{}, ns, svcs, slices, 42);
  }
  Result Ask(const std::string& name, uint16_t type) {
    Message reply;
    Result r;
    r.disposition = zone_->Answer({name, type, kClassIn}, &reply, &r.chase);
    r.rcode = reply.rcode;
    r.aa = reply.aa;
    for (const Record& rr : reply.answers) r.answers.push_back(RecordToString(rr));
    for (const Record& rr : reply.authority) r.authority.push_back(RecordToString(rr));
    for (const Record& rr : reply.additional) r.additional.push_back(RecordToString(rr));
    return r;
  }
  void ExpectNxDomain(const std::string& name, uint16_t type = kTypeA) {
    Result r = Ask(name, type);
    EXPECT_EQ(r.disposition, Disposition::kAnswered) << name;
    EXPECT_EQ(r.rcode, kNxDomain) << name;
    EXPECT_TRUE(r.answers.empty()) << name;
    EXPECT_EQ(r.authority, std::vector<std::string>{kSoa}) << name;
  }
  void ExpectNoData(const std::string& name, uint16_t type = kTypeA) {
    Result r = Ask(name, type);
    EXPECT_EQ(r.disposition, Disposition::kAnswered) << name;
    EXPECT_EQ(r.rcode, kNoError) << name;
    EXPECT_TRUE(r.answers.empty()) << name << ": " << (r.answers.empty() ? "" : r.answers[0]);
    EXPECT_EQ(r.authority, std::vector<std::string>{kSoa}) << name;
  }

  static constexpr const char* kSoa =
      "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 "
      "30";
  std::vector<Json> namespaces_, services_, slices_;
  std::shared_ptr<const ZoneSnapshot> zone_;
};

TEST_F(ZoneTest, ClusterIpService) {
  Result r = Ask("web.default.svc.cluster.local", kTypeA);
  EXPECT_EQ(r.disposition, Disposition::kAnswered);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_TRUE(r.aa);
  EXPECT_EQ(r.answers,
            std::vector<std::string>{"web.default.svc.cluster.local. 30 IN A 10.96.0.20"});
  EXPECT_TRUE(r.authority.empty());
  EXPECT_EQ(Ask("kubernetes.default.svc.cluster.local", kTypeA).answers,
            std::vector<std::string>{"kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1"});
  // A service without ports still has its address (CoreDNS's port sentinel).
  EXPECT_EQ(Ask("noports.apps.svc.cluster.local", kTypeA).answers.size(), 1u);
}

TEST_F(ZoneTest, AnswersInTheQuestionsCase) {
  Result r = Ask("WEB.Default.svc.Cluster.LOCAL", kTypeA);
  EXPECT_EQ(r.answers,
            std::vector<std::string>{"WEB.Default.svc.Cluster.LOCAL. 30 IN A 10.96.0.20"});
  r = Ask("nope.default.svc.Cluster.Local", kTypeA);
  EXPECT_EQ(r.rcode, kNxDomain);
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].rfind(
                "Cluster.Local. 30 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local.", 0),
            0u);
}

TEST_F(ZoneTest, AaaaOfAnIpv4NameIsNoData) {
  ExpectNoData("web.default.svc.cluster.local", kTypeAaaa);
  ExpectNoData("db.default.svc.cluster.local", kTypeAaaa);
}

TEST_F(ZoneTest, HeadlessServiceGivesReadyEndpoints) {
  Result r = Ask("db.default.svc.cluster.local", kTypeA);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_EQ(r.answers,
            (std::vector<std::string>{"db.default.svc.cluster.local. 30 IN A 10.244.0.5",
                                      "db.default.svc.cluster.local. 30 IN A 10.244.0.7"}));
  // No ready endpoint: NXDOMAIN, as CoreDNS.
  ExpectNxDomain("empty.default.svc.cluster.local");
}

TEST_F(ZoneTest, EndpointNames) {
  EXPECT_EQ(Ask("db-0.db.default.svc.cluster.local", kTypeA).answers,
            std::vector<std::string>{"db-0.db.default.svc.cluster.local. 30 IN A 10.244.0.5"});
  // Without a hostname the endpoint is named by its dashed IP.
  EXPECT_EQ(
      Ask("10-244-0-7.db.default.svc.cluster.local", kTypeA).answers,
      std::vector<std::string>{"10-244-0-7.db.default.svc.cluster.local. 30 IN A 10.244.0.7"});
  // Endpoint names work for ClusterIP services too.
  EXPECT_EQ(Ask("10-244-0-9.web.default.svc.cluster.local", kTypeA).answers.size(), 1u);
  ExpectNxDomain("db-1.db.default.svc.cluster.local");        // not ready
  ExpectNxDomain("10-244-0-5.db.default.svc.cluster.local");  // has a hostname: named db-0
  ExpectNxDomain("db-9.db.default.svc.cluster.local");
}

TEST_F(ZoneTest, ExternalName) {
  Result r = Ask("ext.default.svc.cluster.local", kTypeA);
  EXPECT_EQ(r.disposition, Disposition::kChase);
  EXPECT_EQ(r.chase, "example.com");
  EXPECT_EQ(r.answers,
            std::vector<std::string>{"ext.default.svc.cluster.local. 30 IN CNAME example.com."});
  // A CNAME into the cluster is followed here.
  r = Ask("alias.default.svc.cluster.local", kTypeA);
  EXPECT_EQ(r.disposition, Disposition::kAnswered);
  EXPECT_EQ(r.answers,
            (std::vector<std::string>{
                "alias.default.svc.cluster.local. 30 IN CNAME web.default.svc.cluster.local.",
                "web.default.svc.cluster.local. 30 IN A 10.96.0.20"}));
  // CNAME queries give the CNAME alone.
  r = Ask("ext.default.svc.cluster.local", kTypeCname);
  EXPECT_EQ(r.disposition, Disposition::kAnswered);
  EXPECT_EQ(r.answers,
            std::vector<std::string>{"ext.default.svc.cluster.local. 30 IN CNAME example.com."});
  // An IP as external name is not a CNAME: NXDOMAIN, as CoreDNS.
  ExpectNxDomain("ipext.default.svc.cluster.local");
  // SRV of an ExternalName is NODATA; with a port, NXDOMAIN.
  ExpectNoData("ext.default.svc.cluster.local", kTypeSrv);
  ExpectNxDomain("_http._tcp.ext.default.svc.cluster.local", kTypeSrv);
}

TEST_F(ZoneTest, SrvOfClusterIpService) {
  Result r = Ask("_http._tcp.web.default.svc.cluster.local", kTypeSrv);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_EQ(r.answers, std::vector<std::string>{"_http._tcp.web.default.svc.cluster.local. 30 IN "
                                                "SRV 0 100 80 web.default.svc.cluster.local."});
  EXPECT_EQ(r.additional,
            std::vector<std::string>{"web.default.svc.cluster.local. 30 IN A 10.96.0.20"});
  // Every port without a port name; shares of 100.
  r = Ask("web.default.svc.cluster.local", kTypeSrv);
  EXPECT_EQ(
      r.answers,
      (std::vector<std::string>{
          "web.default.svc.cluster.local. 30 IN SRV 0 50 80 web.default.svc.cluster.local.",
          "web.default.svc.cluster.local. 30 IN SRV 0 50 53 web.default.svc.cluster.local."}));
  EXPECT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(Ask("_dns._udp.web.default.svc.cluster.local", kTypeSrv).answers.size(), 1u);
  ExpectNxDomain("_dns._tcp.web.default.svc.cluster.local", kTypeSrv);
  ExpectNxDomain("_nope._tcp.web.default.svc.cluster.local", kTypeSrv);
  // A-queries of port names follow the same rules.
  EXPECT_EQ(Ask("_http._tcp.web.default.svc.cluster.local", kTypeA).answers.size(), 1u);
}

TEST_F(ZoneTest, SrvOfHeadlessService) {
  Result r = Ask("_pg._tcp.db.default.svc.cluster.local", kTypeSrv);
  EXPECT_EQ(r.answers,
            (std::vector<std::string>{"_pg._tcp.db.default.svc.cluster.local. 30 IN SRV 0 50 5432 "
                                      "db-0.db.default.svc.cluster.local.",
                                      "_pg._tcp.db.default.svc.cluster.local. 30 IN SRV 0 50 5432 "
                                      "10-244-0-7.db.default.svc.cluster.local."}));
  EXPECT_EQ(r.additional, (std::vector<std::string>{
                              "db-0.db.default.svc.cluster.local. 30 IN A 10.244.0.5",
                              "10-244-0-7.db.default.svc.cluster.local. 30 IN A 10.244.0.7"}));
}

TEST_F(ZoneTest, Ptr) {
  Result r = Ask("20.0.96.10.in-addr.arpa", kTypePtr);
  EXPECT_EQ(r.disposition, Disposition::kAnswered);
  EXPECT_EQ(r.answers, std::vector<std::string>{
                           "20.0.96.10.in-addr.arpa. 30 IN PTR web.default.svc.cluster.local."});
  r = Ask("5.0.244.10.in-addr.arpa", kTypePtr);
  EXPECT_EQ(r.answers,
            std::vector<std::string>{
                "5.0.244.10.in-addr.arpa. 30 IN PTR db-0.db.default.svc.cluster.local."});
  r = Ask("9.0.244.10.In-Addr.Arpa", kTypePtr);
  EXPECT_EQ(r.answers,
            std::vector<std::string>{
                "9.0.244.10.In-Addr.Arpa. 30 IN PTR 10-244-0-9.web.default.svc.cluster.local."});
  // Unknown addresses and other reverse types fall through to the upstreams.
  EXPECT_EQ(Ask("1.1.168.192.in-addr.arpa", kTypePtr).disposition, Disposition::kForward);
  EXPECT_EQ(Ask("6.0.244.10.in-addr.arpa", kTypePtr).disposition,
            Disposition::kForward);  // not ready
  EXPECT_EQ(Ask("20.0.96.10.in-addr.arpa", kTypeA).disposition, Disposition::kForward);
  EXPECT_EQ(Ask("020.0.96.10.in-addr.arpa", kTypePtr).disposition, Disposition::kForward);
  EXPECT_EQ(Ask("0.96.10.in-addr.arpa", kTypePtr).disposition, Disposition::kForward);
  // PTR of a forward name inside the domain: NODATA / NXDOMAIN.
  ExpectNoData("web.default.svc.cluster.local", kTypePtr);
  ExpectNxDomain("nope.default.svc.cluster.local", kTypePtr);
}

TEST_F(ZoneTest, PodNames) {
  EXPECT_EQ(Ask("10-244-0-99.default.pod.cluster.local", kTypeA).answers,
            std::vector<std::string>{"10-244-0-99.default.pod.cluster.local. 30 IN A 10.244.0.99"});
  ExpectNoData("10-244-0-99.default.pod.cluster.local", kTypeAaaa);
  EXPECT_EQ(Ask("fd00--1.default.pod.cluster.local", kTypeAaaa).answers,
            std::vector<std::string>{"fd00--1.default.pod.cluster.local. 30 IN AAAA fd00::1"});
  ExpectNxDomain("not-an-ip.default.pod.cluster.local");
  ExpectNxDomain("10-244-0-999.default.pod.cluster.local");
  ExpectNxDomain("10-244-0-99.nonexistent.pod.cluster.local");
  ExpectNoData("default.pod.cluster.local");
}

TEST_F(ZoneTest, ApexAndStructuralNames) {
  ExpectNoData("cluster.local");
  ExpectNoData("svc.cluster.local");
  ExpectNoData("pod.cluster.local");
  ExpectNoData("default.svc.cluster.local");
  ExpectNxDomain("nonexistent.svc.cluster.local");
  ExpectNxDomain("foo.cluster.local");
  ExpectNxDomain("web.nonexistent.svc.cluster.local");
  ExpectNxDomain("nope.default.svc.cluster.local");
  Result r = Ask("cluster.local", kTypeSoa);
  EXPECT_EQ(r.answers, std::vector<std::string>{kSoa});
  r = Ask("cluster.local", kTypeNs);
  EXPECT_EQ(r.answers, std::vector<std::string>{"cluster.local. 30 IN NS ns.dns.cluster.local."});
  // SOA below the apex is NODATA whatever the name (CoreDNS).
  ExpectNoData("nope.default.svc.cluster.local", kTypeSoa);
}

TEST_F(ZoneTest, SearchPathExpansionsAreNxDomain) {
  ExpectNxDomain("web.default.svc.cluster.local.default.svc.cluster.local");
  ExpectNxDomain("web.default.svc.cluster.local.svc.cluster.local");
  ExpectNxDomain("web.default.svc.cluster.local.cluster.local");
  ExpectNxDomain("google.com.default.svc.cluster.local");
  ExpectNxDomain("a.b.c.web.default.svc.cluster.local");
}

TEST_F(ZoneTest, OtherTypes) {
  ExpectNoData("web.default.svc.cluster.local", kTypeMx);
  ExpectNxDomain("nope.default.svc.cluster.local", kTypeMx);
  ExpectNoData("web.default.svc.cluster.local", kTypeAny);
  Result r = Ask("dns-version.cluster.local", kTypeTxt);
  EXPECT_EQ(r.answers,
            std::vector<std::string>{"dns-version.cluster.local. 28800 IN TXT \"1.1.0\""});
  r = Ask("cluster.local", kTypeAxfr);
  EXPECT_EQ(r.rcode, kRefused);
  EXPECT_FALSE(r.aa);
}

TEST_F(ZoneTest, NamesOutsideTheDomainAreForwarded) {
  EXPECT_EQ(Ask("example.com", kTypeA).disposition, Disposition::kForward);
  EXPECT_EQ(Ask("local", kTypeA).disposition, Disposition::kForward);
  EXPECT_EQ(Ask("xcluster.local", kTypeA).disposition, Disposition::kForward);
  EXPECT_EQ(Ask("", kTypeNs).disposition, Disposition::kForward);
}

TEST_F(ZoneTest, IgnoresMalformedObjects) {
  services_.push_back(
      Json::parse(R"({"metadata":{"name":"x","namespace":"default"},"spec":"bad"})"));
  services_.push_back(Json::parse(R"({"metadata":{"name":"y","namespace":"default"},
      "spec":{"clusterIPs":[1,2],"ports":"nope"}})"));
  services_.push_back(Json::array());
  slices_.push_back(Json::parse(R"({"metadata":{"name":"s","namespace":"default",
      "labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4",
      "endpoints":[{"addresses":["bogus", 7]},{"addresses":"x"},"junk"],"ports":[{"port":"x"}]})"));
  slices_.push_back(
      Slice("default", "fqdn", "db", {{{"addresses", {"example.com"}}}}, Json::array(), "FQDN"));
  Rebuild();
  EXPECT_EQ(Ask("db.default.svc.cluster.local", kTypeA).answers.size(), 2u);
  ExpectNoData("x.default.svc.cluster.local");  // a service without addresses: no records
}

TEST_F(ZoneTest, Ipv6Services) {
  services_.push_back(Svc("default", "dual",
                          {{"clusterIP", "10.96.0.40"},
                           {"clusterIPs", {"10.96.0.40", "fd00::40"}},
                           {"ports", {{{"name", "http"}, {"port", 80}}}}}));
  Rebuild();
  EXPECT_EQ(Ask("dual.default.svc.cluster.local", kTypeAaaa).answers,
            std::vector<std::string>{"dual.default.svc.cluster.local. 30 IN AAAA fd00::40"});
  Result r =
      Ask("0.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", kTypePtr);
  EXPECT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(Ask("_http._tcp.dual.default.svc.cluster.local", kTypeSrv).additional.size(), 2u);
}

TEST_F(ZoneTest, CustomDomainAndTtl) {
  std::vector<const Json*> ns, svcs, slices;
  for (const Json& j : namespaces_) ns.push_back(&j);
  for (const Json& j : services_) svcs.push_back(&j);
  ZoneOptions opts;
  opts.domain = "Example.Internal.";
  opts.ttl = 5;
  auto zone = ZoneSnapshot::Build(opts, ns, svcs, slices, 1);
  Message reply;
  std::string chase;
  EXPECT_EQ(zone->Answer({"web.default.svc.example.internal", kTypeA, kClassIn}, &reply, &chase),
            Disposition::kAnswered);
  ASSERT_EQ(reply.answers.size(), 1u);
  EXPECT_EQ(reply.answers[0].ttl, 5u);
  Message other;
  EXPECT_EQ(zone->Answer({"web.default.svc.cluster.local", kTypeA, kClassIn}, &other, &chase),
            Disposition::kForward);
}

}  // namespace
}  // namespace minik::netproxy::dns
