#include "netproxy/service_rules.h"

#include <gtest/gtest.h>

#include "api/json.h"
#include "netproxy/service_model.h"

namespace minik::netproxy {
namespace {

const RulesLayout kLayout{"MK", "10.244.0.0/16", "10.96.0.0/12", {}};

ServicePort Web(std::vector<Endpoint> eps) {
  ServicePort sp;
  sp.ns = "default";
  sp.name = "web";
  sp.cluster_ip = "10.96.0.20";
  sp.port = 80;
  sp.endpoints = std::move(eps);
  return sp;
}

std::string Find(const std::vector<std::string>& rules, const std::string& needle) {
  for (const auto& r : rules)
    if (r.find(needle) != std::string::npos) return r;
  return "";
}

std::string ChainWith(const ChainSet& set, const std::string& prefix) {
  for (const auto& [chain, _] : set.at("nat"))
    if (chain.rfind(prefix, 0) == 0) return chain;
  return "";
}

TEST(ServiceRules, ClusterIpBalancesOverReadyEndpoints) {
  ChainSet set = RenderServiceChains(
      kLayout, {Web({{"10.244.0.5", 8080}, {"10.244.0.6", 8080}, {"10.244.0.7", 8080, false}})});
  const auto& nat = set.at("nat");
  std::string svc = ChainWith(set, "MK-SVC-");
  ASSERT_FALSE(svc.empty());
  EXPECT_LE(svc.size(), 28u);
  EXPECT_EQ(nat.at("MK-SERVICES").front(),
            "-A MK-SERVICES -m comment --comment \"default/web: cluster IP\" -d 10.96.0.20/32 "
            "-p tcp -m tcp --dport 80 -j " + svc);
  EXPECT_EQ(nat.at("MK-SERVICES").back(),
            "-A MK-SERVICES -m comment --comment \"minik service nodeports\" -m addrtype "
            "--dst-type LOCAL -j MK-NODEPORTS");
  const auto& rules = nat.at(svc);
  ASSERT_EQ(rules.size(), 3u);  // masquerade + two endpoints (the unready one left out)
  EXPECT_EQ(rules[0], "-A " + svc + " ! -s 10.244.0.0/16 -d 10.96.0.20/32 -p tcp -m tcp --dport "
                      "80 -m comment --comment \"default/web: cluster IP\" -j MK-MARK-MASQ");
  EXPECT_NE(rules[1].find("--probability 0.5000000000 -j MK-SEP-"), std::string::npos);
  EXPECT_EQ(rules[2].find("--probability"), std::string::npos);
  std::string sep = rules[2].substr(rules[2].rfind(' ') + 1);
  EXPECT_EQ(nat.at(sep)[0],
            "-A " + sep + " -m comment --comment \"default/web:\" -s 10.244.0.6/32 -j MK-MARK-MASQ");
  EXPECT_EQ(nat.at(sep)[1], "-A " + sep + " -m comment --comment \"default/web:\" -p tcp -m tcp "
                            "-j DNAT --to-destination 10.244.0.6:8080");
  EXPECT_EQ(set.at("filter").at("MK-SERVICES").size(), 1u);  // only the service-CIDR guard
}

TEST(ServiceRules, NoEndpointsRejects) {
  ServicePort sp = Web({{"10.244.0.5", 8080, false}});
  sp.node_port = 30080;
  sp.external_ips = {"10.244.0.1"};
  ChainSet set = RenderServiceChains(kLayout, {sp});
  EXPECT_TRUE(ChainWith(set, "MK-SVC-").empty());
  const auto& reject = set.at("filter").at("MK-SERVICES");
  ASSERT_EQ(reject.size(), 4u);
  EXPECT_EQ(reject[0], "-A MK-SERVICES -m comment --comment \"default/web: has no endpoints\" -d "
                       "10.96.0.20/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with "
                       "icmp-port-unreachable");
  EXPECT_NE(Find(reject, "-d 10.244.0.1/32 -p tcp -m tcp --dport 80 -j REJECT"), "");
  EXPECT_NE(Find(reject, "-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT"), "");
  EXPECT_NE(Find(reject, "-d 10.96.0.0/12 -j REJECT"), "");
}

TEST(ServiceRules, TerminatingServingEndpointsAreTheFallback) {
  std::vector<Endpoint> eps = {{"10.244.0.5", 80, false, true, true},
                               {"10.244.0.6", 80, false, false, true}};
  auto usable = UsableEndpoints(eps, false);
  ASSERT_EQ(usable.size(), 1u);
  EXPECT_EQ(usable[0].ip, "10.244.0.5");
  eps.push_back({"10.244.0.7", 80});
  usable = UsableEndpoints(eps, false);
  ASSERT_EQ(usable.size(), 1u);
  EXPECT_EQ(usable[0].ip, "10.244.0.7");
}

TEST(ServiceRules, NodePortAndLoadBalancerGoThroughExtChain) {
  ServicePort sp = Web({{"10.244.0.5", 8080}});
  sp.node_port = 30080;
  sp.external_ips = {"10.244.0.1"};
  ChainSet set = RenderServiceChains(kLayout, {sp});
  std::string ext = ChainWith(set, "MK-EXT-");
  std::string svc = ChainWith(set, "MK-SVC-");
  ASSERT_FALSE(ext.empty());
  EXPECT_EQ(set.at("nat").at(ext),
            (std::vector<std::string>{"-A " + ext + " -j MK-MARK-MASQ", "-A " + ext + " -j " + svc}));
  EXPECT_EQ(set.at("nat").at("MK-NODEPORTS"),
            std::vector<std::string>{"-A MK-NODEPORTS -m comment --comment \"default/web:\" -p tcp "
                                     "-m tcp --dport 30080 -j " + ext});
  EXPECT_NE(Find(set.at("nat").at("MK-SERVICES"),
                 "external IP\" -d 10.244.0.1/32 -p tcp -m tcp --dport 80 -j " + ext), "");
}

TEST(ServiceRules, NodePortsOnlyOnTheirAddresses) {
  RulesLayout l = kLayout;
  l.nodeport_cidrs = {"127.0.0.0/8", "10.244.0.1/32"};
  ServicePort sp = Web({});
  sp.node_port = 30080;
  ChainSet set = RenderServiceChains(l, {sp});
  const auto& services = set.at("nat").at("MK-SERVICES");
  ASSERT_EQ(services.size(), 2u);
  EXPECT_EQ(services[0], "-A MK-SERVICES -m comment --comment \"minik service nodeports\" -d "
                         "127.0.0.0/8 -j MK-NODEPORTS");
  EXPECT_NE(services[1].find("-d 10.244.0.1/32 -j MK-NODEPORTS"), std::string::npos);
  const auto& reject = set.at("filter").at("MK-SERVICES");
  EXPECT_NE(Find(reject, "-d 127.0.0.0/8 -p tcp -m tcp --dport 30080 -j REJECT"), "");
  EXPECT_NE(Find(reject, "-d 10.244.0.1/32 -p tcp -m tcp --dport 30080 -j REJECT"), "");
  EXPECT_EQ(Find(reject, "addrtype"), "");
}

TEST(ServiceRules, ExternalLocalKeepsSourceForOutsiders) {
  ServicePort sp = Web({{"10.244.0.5", 8080, true, true, false, true},
                        {"10.255.0.9", 8080, true, true, false, false}});
  sp.node_port = 30080;
  sp.external_local = true;
  ChainSet set = RenderServiceChains(kLayout, {sp});
  std::string ext = ChainWith(set, "MK-EXT-");
  std::string svl = ChainWith(set, "MK-SVL-");
  ASSERT_FALSE(svl.empty());
  EXPECT_EQ(set.at("nat").at(ext).back(), "-A " + ext + " -j " + svl);
  EXPECT_EQ(Find(set.at("nat").at(svl), "10.255.0.9"), "");  // remote endpoint left out
}

TEST(ServiceRules, ClientIpAffinityUsesRecent) {
  ServicePort sp = Web({{"10.244.0.5", 8080}, {"10.244.0.6", 8080}});
  sp.affinity_seconds = 10800;
  ChainSet set = RenderServiceChains(kLayout, {sp});
  std::string svc = ChainWith(set, "MK-SVC-");
  const auto& rules = set.at("nat").at(svc);
  EXPECT_NE(rules[1].find("-m recent --rcheck --seconds 10800 --reap --name MK-SEP-"),
            std::string::npos);
  std::string sep = rules[1].substr(rules[1].rfind(' ') + 1);
  EXPECT_NE(set.at("nat").at(sep)[1].find("-m recent --set --name " + sep), std::string::npos);
}

TEST(ServiceRules, UdpUsesUdpMatch) {
  ServicePort sp = Web({{"10.244.0.1", 53}});
  sp.protocol = "udp";
  sp.port = 53;
  ChainSet set = RenderServiceChains(kLayout, {sp});
  EXPECT_NE(Find(set.at("nat").at("MK-SERVICES"), "-p udp -m udp --dport 53"), "");
}

TEST(ServiceRules, DiffRewritesOnlyChangedChains) {
  ChainSet a = RenderServiceChains(kLayout, {Web({{"10.244.0.5", 8080}, {"10.244.0.6", 8080}})});
  EXPECT_EQ(RenderChainDiff(a, a), "");
  ChainSet b = RenderServiceChains(kLayout, {Web({{"10.244.0.5", 8080}})});
  std::string diff = RenderChainDiff(a, b);
  std::string svc = ChainWith(a, "MK-SVC-");
  EXPECT_NE(diff.find(":" + svc + " - [0:0]"), std::string::npos);
  EXPECT_EQ(diff.find(":MK-SERVICES"), std::string::npos);  // unchanged
  EXPECT_NE(diff.find("-X MK-SEP-"), std::string::npos);    // the gone endpoint's chain
  EXPECT_EQ(diff.find("*filter"), std::string::npos);
  // Deletions come after every rule that could still reference the chain.
  EXPECT_GT(diff.find("-X MK-SEP-"), diff.find("-A " + svc));
}

TEST(ServiceRules, FullSyncReplacesJumpsAndDeletesStaleChains) {
  net::SavedTables saved = net::ParseIptablesSave(
      "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:MK-SERVICES - [0:0]\n"
      ":MK-SVC-OLD - [0:0]\n:MK-POSTROUTING - [0:0]\n"
      "-A PREROUTING -m comment --comment \"minik service portals\" -j MK-SERVICES\n"
      "-A OUTPUT -j MK-SERVICES\n-A MK-SERVICES -j MK-SVC-OLD\nCOMMIT\n"
      "*filter\n:FORWARD ACCEPT [0:0]\n:MK-FORWARD - [0:0]\n-A FORWARD -j MK-FORWARD\nCOMMIT\n");
  ChainSet desired = RenderServiceChains(kLayout, {});
  std::string script = RenderFullSync(kLayout, saved, desired);
  EXPECT_NE(script.find("-D PREROUTING -m comment --comment \"minik service portals\" -j MK-SERVICES"),
            std::string::npos);
  EXPECT_NE(script.find("-D OUTPUT -j MK-SERVICES"), std::string::npos);
  EXPECT_NE(script.find("-X MK-SVC-OLD"), std::string::npos);
  EXPECT_EQ(script.find("MK-POSTROUTING"), std::string::npos);  // the pod network's
  EXPECT_EQ(script.find("-D FORWARD -j MK-FORWARD"), std::string::npos);
  EXPECT_NE(script.find("-I FORWARD 1 -m conntrack --ctstate NEW"), std::string::npos);
  EXPECT_NE(script.find("-I PREROUTING 1 -m comment"), std::string::npos);

  net::SavedTables after = net::ParseIptablesSave(
      "*nat\n:PREROUTING ACCEPT [0:0]\n:MK-SERVICES - [0:0]\n:MK-HOSTPORTS - [0:0]\n"
      "-A PREROUTING -m comment --comment \"minik service portals\" -j MK-SERVICES\n"
      "-A PREROUTING -m addrtype --dst-type LOCAL -j MK-HOSTPORTS\nCOMMIT\n");
  std::string cleanup = RenderServiceCleanup(kLayout, after);
  EXPECT_NE(cleanup.find("-X MK-SERVICES"), std::string::npos);
  EXPECT_EQ(cleanup.find("HOSTPORTS"), std::string::npos);
  EXPECT_EQ(RenderServiceCleanup(kLayout, net::ParseIptablesSave("*nat\nCOMMIT\n")), "");
}

TEST(ServiceModel, ReadsServiceAndSlices) {
  Json svc = Json::parse(R"({"metadata":{"namespace":"default","name":"web"},
    "spec":{"type":"LoadBalancer","clusterIP":"10.96.0.20","externalTrafficPolicy":"Local",
      "sessionAffinity":"ClientIP",
      "ports":[{"name":"http","port":80,"protocol":"TCP","nodePort":30080},
               {"name":"dns","port":53,"protocol":"UDP"}]},
    "status":{"loadBalancer":{"ingress":[{"ip":"10.244.0.1"}]}}})");
  Json slice = Json::parse(R"({"metadata":{"namespace":"default","name":"web-x"},
    "addressType":"IPv4","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
    "endpoints":[{"addresses":["10.244.0.5"],"conditions":{"ready":true},"nodeName":"minik"},
                 {"addresses":["10.244.0.6"],"conditions":{"ready":false,"serving":true,"terminating":true},"nodeName":"other"},
                 {"addresses":["10.244.0.5"]}]})");
  auto ports = ServicePortsOf(svc, {&slice}, "minik");
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].Key(), "default/web:http");
  EXPECT_EQ(ports[0].node_port, 30080);
  EXPECT_EQ(ports[0].external_ips, std::vector<std::string>{"10.244.0.1"});
  EXPECT_EQ(ports[0].affinity_seconds, 10800);
  EXPECT_TRUE(ports[0].external_local);
  ASSERT_EQ(ports[0].endpoints.size(), 2u);  // the duplicate address counted once
  EXPECT_EQ(ports[0].endpoints[0].port, 8080);
  EXPECT_TRUE(ports[0].endpoints[0].local);
  EXPECT_FALSE(ports[0].endpoints[1].ready);
  EXPECT_TRUE(ports[0].endpoints[1].terminating);
  EXPECT_FALSE(ports[0].endpoints[1].local);
  EXPECT_EQ(ports[1].protocol, "udp");
  EXPECT_TRUE(ports[1].endpoints.empty());  // no slice port named dns

  Json headless = Json::parse(R"({"metadata":{"namespace":"default","name":"h"},
    "spec":{"clusterIP":"None","ports":[{"port":80}]}})");
  EXPECT_TRUE(ServicePortsOf(headless, {}, "minik").empty());
  Json bad = Json::parse(R"({"metadata":{"name":"b"},"spec":{"clusterIP":"10.96.0.3",
    "ports":[{"port":"x"},{"port":70000},{"port":80,"protocol":"ICMP"}, 5]}})");
  EXPECT_TRUE(ServicePortsOf(bad, {}, "minik").empty());
  EXPECT_EQ(WantedLoadBalancerIps(svc, "10.244.0.1"), std::vector<std::string>{"10.244.0.1"});
  svc["spec"]["loadBalancerClass"] = "other";
  EXPECT_TRUE(WantedLoadBalancerIps(svc, "10.244.0.1").empty());
}

}  // namespace
}  // namespace minik::netproxy
