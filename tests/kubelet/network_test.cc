// Unit tests of the pod network's pure parts (no root needed): CIDR parsing, the IP
// allocator, netlink message building and parsing, iptables rule rendering, helpers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "kubelet/network/bridge_network.h"
#include "kubelet/network/cidr.h"
#include "kubelet/network/exec.h"
#include "kubelet/network/ipam.h"
#include "kubelet/network/iptables.h"
#include "kubelet/network/netlink.h"

namespace minik::net {
namespace {

uint32_t Ip(const std::string& s) {
  StatusOr<uint32_t> ip = ParseIpv4(s);
  EXPECT_TRUE(ip.ok()) << s;
  return ip.ok() ? *ip : 0;
}

// --- CIDR -----------------------------------------------------------------------------------

TEST(CidrTest, ParsesAndDerivesAddresses) {
  StatusOr<Ipv4Cidr> c = ParseCidr("10.244.0.0/16");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->base, Ip("10.244.0.0"));
  EXPECT_EQ(c->prefix, 16);
  EXPECT_EQ(c->Size(), 65536u);
  EXPECT_EQ(FormatIpv4(c->Gateway()), "10.244.0.1");
  EXPECT_EQ(FormatIpv4(c->Broadcast()), "10.244.255.255");
  EXPECT_EQ(c->ToString(), "10.244.0.0/16");
  EXPECT_TRUE(c->Contains(Ip("10.244.3.4")));
  EXPECT_FALSE(c->Contains(Ip("10.245.0.1")));
  EXPECT_TRUE(c->IsPodAddress(Ip("10.244.0.2")));
  EXPECT_FALSE(c->IsPodAddress(Ip("10.244.0.0")));
  EXPECT_FALSE(c->IsPodAddress(Ip("10.244.0.1")));
  EXPECT_FALSE(c->IsPodAddress(Ip("10.244.255.255")));
  EXPECT_TRUE(ParseCidr("10.250.7.0/24").ok());
  EXPECT_TRUE(ParseCidr("192.168.0.0/30").ok());
}

TEST(CidrTest, RejectsBadInput) {
  for (const char* bad :
       {"", "10.244.0.0", "10.244.0.0/", "10.244.0/16", "10.244.0.0.0/16", "256.0.0.0/8",
        "010.0.0.0/8", "10.0.0.0/8x", "a.b.c.d/8", " 10.0.0.0/8", "10.0.0.0/-8", "10.0.0.0/33",
        "10.0.0.0/31", "10.0.0.0/7", "10.244.0.1/16", "10..0.0/16", "1.2.3.4/016"}) {
    StatusOr<Ipv4Cidr> c = ParseCidr(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), Code::kBadRequest) << bad;
    }
  }
  StatusOr<Ipv4Cidr> host_bits = ParseCidr("10.244.0.1/16");
  EXPECT_NE(host_bits.status().message().find("host bits"), std::string::npos);
}

TEST(CidrTest, FormatsAndParsesAddresses) {
  EXPECT_EQ(FormatIpv4(0x0af40005), "10.244.0.5");
  EXPECT_EQ(Ip("255.255.255.255"), 0xffffffffu);
  EXPECT_EQ(Ip("0.0.0.0"), 0u);
  EXPECT_FALSE(ParseIpv4("1.2.3").ok());
  EXPECT_FALSE(ParseIpv4("1.2.3.4.").ok());
  EXPECT_FALSE(ParseIpv4("::1").ok());
}

// --- IpAllocator ----------------------------------------------------------------------------

class IpAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ipam_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/ipam.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<IpAllocator> Open(const std::string& cidr) {
    StatusOr<std::unique_ptr<IpAllocator>> a = IpAllocator::Open(path_, *ParseCidr(cidr));
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? std::move(*a) : nullptr;
  }
  std::string Alloc(IpAllocator& a, const std::string& key) {
    StatusOr<uint32_t> ip = a.Allocate(key);
    EXPECT_TRUE(ip.ok()) << ip.status().message();
    return ip.ok() ? FormatIpv4(*ip) : "";
  }
  void WriteState(const std::string& text) { std::ofstream(path_) << text; }

  std::string dir_, path_;
};

TEST_F(IpAllocatorTest, NextFitSkipsReservedAndDoesNotReuseAtOnce) {
  auto a = Open("10.250.1.0/24");
  EXPECT_EQ(Alloc(*a, "a"), "10.250.1.2");  // .0 network, .1 gateway
  EXPECT_EQ(Alloc(*a, "b"), "10.250.1.3");
  EXPECT_EQ(Alloc(*a, "a"), "10.250.1.2");  // idempotent
  ASSERT_TRUE(a->Release("a").ok());
  EXPECT_FALSE(a->Lookup("a").ok());
  EXPECT_EQ(a->Lookup("a").status().code(), Code::kNotFound);
  EXPECT_EQ(Alloc(*a, "c"), "10.250.1.4");  // not the just-released .2
  EXPECT_TRUE(a->Release("never-had-one").ok());
  EXPECT_EQ(a->Allocations().size(), 2u);
}

TEST_F(IpAllocatorTest, WrapsAroundAndReportsExhaustion) {
  auto a = Open("10.250.2.0/29");  // pods: .2 .. .6
  for (int i = 2; i <= 6; ++i)
    EXPECT_EQ(Alloc(*a, "k" + std::to_string(i)), "10.250.2." + std::to_string(i));
  StatusOr<uint32_t> full = a->Allocate("extra");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), Code::kServiceUnavailable);
  EXPECT_NE(full.status().message().find("10.250.2.0/29"), std::string::npos);
  ASSERT_TRUE(a->Release("k3").ok());
  EXPECT_EQ(Alloc(*a, "extra"), "10.250.2.3");  // wrapped past .7 (broadcast), .0, .1
}

TEST_F(IpAllocatorTest, SlashThirtyHasOnePodAddress) {
  auto a = Open("10.250.3.0/30");
  EXPECT_EQ(Alloc(*a, "only"), "10.250.3.2");
  EXPECT_FALSE(a->Allocate("second").ok());
}

TEST_F(IpAllocatorTest, PersistsAcrossReopenIncludingNextFitPosition) {
  {
    auto a = Open("10.250.4.0/24");
    Alloc(*a, "a");
    Alloc(*a, "b");
    ASSERT_TRUE(a->Release("b").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  auto a = Open("10.250.4.0/24");
  ASSERT_TRUE(a->Lookup("a").ok());
  EXPECT_EQ(FormatIpv4(*a->Lookup("a")), "10.250.4.2");
  EXPECT_FALSE(a->Lookup("b").ok());
  EXPECT_EQ(Alloc(*a, "c"), "10.250.4.4");  // after the last handed out (.3), not .3 again
}

TEST_F(IpAllocatorTest, CorruptStateIsAClearError) {
  const std::map<std::string, std::string> cases = {
      {"not json", "{oops"},
      {"not an object", "[1,2]"},
      {"no cidr", R"({"allocations":{}})"},
      {"twice", R"({"cidr":"10.250.5.0/24","allocations":{"a":"10.250.5.2","b":"10.250.5.2"}})"},
      {"outside", R"({"cidr":"10.250.5.0/24","allocations":{"a":"10.250.6.2"}})"},
      {"gateway", R"({"cidr":"10.250.5.0/24","allocations":{"a":"10.250.5.1"}})"},
      {"not a string", R"({"cidr":"10.250.5.0/24","allocations":{"a":5}})"},
      {"bad last", R"({"cidr":"10.250.5.0/24","last":"x","allocations":{}})"},
  };
  for (const auto& [name, text] : cases) {
    WriteState(text);
    StatusOr<std::unique_ptr<IpAllocator>> a =
        IpAllocator::Open(path_, *ParseCidr("10.250.5.0/24"));
    ASSERT_FALSE(a.ok()) << name;
    EXPECT_NE(a.status().message().find("corrupt"), std::string::npos)
        << name << ": " << a.status().message();
  }
  WriteState(R"({"cidr":"10.250.9.0/24","allocations":{}})");
  StatusOr<std::unique_ptr<IpAllocator>> other =
      IpAllocator::Open(path_, *ParseCidr("10.250.5.0/24"));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("10.250.9.0/24"), std::string::npos);
}

TEST_F(IpAllocatorTest, AcceptsAValidHandWrittenFile) {
  WriteState(R"({"cidr":"10.250.6.0/24","last":"10.250.6.9","allocations":{"x":"10.250.6.9"}})");
  auto a = Open("10.250.6.0/24");
  EXPECT_EQ(Alloc(*a, "x"), "10.250.6.9");
  EXPECT_EQ(Alloc(*a, "y"), "10.250.6.10");
}

TEST_F(IpAllocatorTest, FailedWriteHandsOutNothing) {
  auto a = Open("10.250.7.0/24");
  std::filesystem::remove_all(dir_);  // the temp file cannot be created now
  StatusOr<uint32_t> ip = a->Allocate("a");
  ASSERT_FALSE(ip.ok());
  EXPECT_FALSE(a->Lookup("a").ok());
  std::filesystem::create_directories(dir_);
  EXPECT_EQ(Alloc(*a, "a"), "10.250.7.2");
}

TEST_F(IpAllocatorTest, RejectsEmptyKey) {
  auto a = Open("10.250.8.0/24");
  EXPECT_EQ(a->Allocate("").status().code(), Code::kBadRequest);
}

// --- netlink messages -----------------------------------------------------------------------

// An independent attribute walker: type (without flags) -> payload.
struct Attr {
  uint16_t type;  // with flags
  std::vector<uint8_t> payload;
};
std::vector<Attr> Attrs(const uint8_t* p, size_t len) {
  std::vector<Attr> out;
  while (len >= 4) {
    uint16_t alen, type;
    std::memcpy(&alen, p, 2);
    std::memcpy(&type, p + 2, 2);
    EXPECT_GE(alen, 4);
    EXPECT_LE(alen, len);
    if (alen < 4 || alen > len) break;
    out.push_back({type, std::vector<uint8_t>(p + 4, p + alen)});
    size_t step = (alen + 3u) & ~3u;
    if (step >= len) break;
    p += step;
    len -= step;
  }
  return out;
}
const Attr* Find(const std::vector<Attr>& attrs, uint16_t type) {
  for (const Attr& a : attrs)
    if ((a.type & NLA_TYPE_MASK) == type) return &a;
  return nullptr;
}
std::string Str(const Attr* a) {
  if (a == nullptr || a->payload.empty()) return "<none>";
  EXPECT_EQ(a->payload.back(), 0) << "not NUL-terminated";
  return std::string(a->payload.begin(), a->payload.end() - 1);
}
uint32_t U32(const Attr* a) {
  uint32_t v = 0;
  if (a != nullptr && a->payload.size() == 4) std::memcpy(&v, a->payload.data(), 4);
  return v;
}

// Header checks common to every request; returns the attributes after a family header of
// `header_size` bytes.
template <typename H>
std::vector<Attr> Check(NlMessage& m, uint16_t type, uint16_t flags, H* header) {
  const std::vector<uint8_t>& b = m.Finish(42);
  EXPECT_EQ(b.size() % 4, 0u);
  nlmsghdr h;
  std::memcpy(&h, b.data(), sizeof(h));
  EXPECT_EQ(h.nlmsg_len, b.size());
  EXPECT_EQ(h.nlmsg_type, type);
  EXPECT_EQ(h.nlmsg_flags, flags);
  EXPECT_EQ(h.nlmsg_seq, 42u);
  std::memcpy(header, b.data() + NLMSG_HDRLEN, sizeof(H));
  size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(H));
  return Attrs(b.data() + off, b.size() - off);
}

TEST(NetlinkMessageTest, NewBridge) {
  const uint8_t mac[6] = {0x0a, 0x58, 10, 244, 0, 1};
  NlMessage m = BuildNewBridge("mkt1", mac);
  ifinfomsg ifi;
  auto attrs = Check(m, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi);
  EXPECT_EQ(ifi.ifi_flags & IFF_UP, unsigned{IFF_UP});
  EXPECT_EQ(ifi.ifi_change, unsigned{IFF_UP});
  EXPECT_EQ(Str(Find(attrs, IFLA_IFNAME)), "mkt1");
  ASSERT_NE(Find(attrs, IFLA_ADDRESS), nullptr);
  EXPECT_EQ(std::vector<uint8_t>(mac, mac + 6), Find(attrs, IFLA_ADDRESS)->payload);
  const Attr* info = Find(attrs, IFLA_LINKINFO);
  ASSERT_NE(info, nullptr);
  auto inner = Attrs(info->payload.data(), info->payload.size());
  EXPECT_EQ(Str(Find(inner, IFLA_INFO_KIND)), "bridge");
}

TEST(NetlinkMessageTest, NewVethPutsThePeerInTheNamespace) {
  NlMessage m = BuildNewVeth("vethabcdef01", 7, "eth0", 33);
  ifinfomsg ifi;
  auto attrs = Check(m, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi);
  EXPECT_EQ(ifi.ifi_flags & IFF_UP, unsigned{IFF_UP});
  EXPECT_EQ(Str(Find(attrs, IFLA_IFNAME)), "vethabcdef01");
  EXPECT_EQ(U32(Find(attrs, IFLA_MASTER)), 7u);
  const Attr* info = Find(attrs, IFLA_LINKINFO);
  ASSERT_NE(info, nullptr);
  auto linkinfo = Attrs(info->payload.data(), info->payload.size());
  EXPECT_EQ(Str(Find(linkinfo, IFLA_INFO_KIND)), "veth");
  const Attr* data = Find(linkinfo, IFLA_INFO_DATA);
  ASSERT_NE(data, nullptr);
  auto veth = Attrs(data->payload.data(), data->payload.size());
  const Attr* peer = Find(veth, VETH_INFO_PEER);
  ASSERT_NE(peer, nullptr);
  ASSERT_GE(peer->payload.size(), sizeof(ifinfomsg));
  ifinfomsg peer_ifi;
  std::memcpy(&peer_ifi, peer->payload.data(), sizeof(peer_ifi));
  EXPECT_EQ(peer_ifi.ifi_flags & IFF_UP, 0u);  // ENOTCONN otherwise
  auto peer_attrs =
      Attrs(peer->payload.data() + sizeof(ifinfomsg), peer->payload.size() - sizeof(ifinfomsg));
  EXPECT_EQ(Str(Find(peer_attrs, IFLA_IFNAME)), "eth0");
  EXPECT_EQ(U32(Find(peer_attrs, IFLA_NET_NS_FD)), 33u);
}

TEST(NetlinkMessageTest, HairpinIsANestedBridgePortAttribute) {
  NlMessage m = BuildSetHairpin(9, true);
  ifinfomsg ifi;
  auto attrs = Check(m, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi);
  EXPECT_EQ(ifi.ifi_family, AF_BRIDGE);
  EXPECT_EQ(ifi.ifi_index, 9);
  const Attr* protinfo = Find(attrs, IFLA_PROTINFO);
  ASSERT_NE(protinfo, nullptr);
  EXPECT_TRUE(protinfo->type & NLA_F_NESTED);  // else the kernel reads a port state byte
  auto port = Attrs(protinfo->payload.data(), protinfo->payload.size());
  const Attr* mode = Find(port, IFLA_BRPORT_MODE);
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->payload, std::vector<uint8_t>{1});
  NlMessage off = BuildSetHairpin(9, false);
  auto off_attrs = Check(off, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi);
  const Attr* off_protinfo = Find(off_attrs, IFLA_PROTINFO);
  ASSERT_NE(off_protinfo, nullptr);
  EXPECT_EQ(
      Find(Attrs(off_protinfo->payload.data(), off_protinfo->payload.size()), IFLA_BRPORT_MODE)
          ->payload,
      std::vector<uint8_t>{0});
}

TEST(NetlinkMessageTest, AddressAndRouteAreInNetworkOrder) {
  NlMessage addr = BuildNewAddr(4, Ip("10.244.0.5"), 16, Ip("10.244.255.255"));
  ifaddrmsg ifa;
  auto a = Check(addr, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, &ifa);
  EXPECT_EQ(ifa.ifa_family, AF_INET);
  EXPECT_EQ(ifa.ifa_prefixlen, 16);
  EXPECT_EQ(ifa.ifa_index, 4u);
  EXPECT_EQ(U32(Find(a, IFA_LOCAL)), inet_addr("10.244.0.5"));
  EXPECT_EQ(U32(Find(a, IFA_ADDRESS)), inet_addr("10.244.0.5"));
  EXPECT_EQ(U32(Find(a, IFA_BROADCAST)), inet_addr("10.244.255.255"));

  NlMessage route = BuildDefaultRoute(4, Ip("10.244.0.1"));
  rtmsg rt;
  auto r =
      Check(route, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, &rt);
  EXPECT_EQ(rt.rtm_family, AF_INET);
  EXPECT_EQ(rt.rtm_dst_len, 0);
  EXPECT_EQ(rt.rtm_table, RT_TABLE_MAIN);
  EXPECT_EQ(rt.rtm_type, RTN_UNICAST);
  EXPECT_EQ(U32(Find(r, RTA_GATEWAY)), inet_addr("10.244.0.1"));
  EXPECT_EQ(U32(Find(r, RTA_OIF)), 4u);
}

TEST(NetlinkMessageTest, LinkRequestsByName) {
  ifinfomsg ifi;
  NlMessage del = BuildDelLink("vethx");
  EXPECT_EQ(Str(Find(Check(del, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi), IFLA_IFNAME)),
            "vethx");
  NlMessage get = BuildGetLink("mkt1");
  EXPECT_EQ(Str(Find(Check(get, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi), IFLA_IFNAME)),
            "mkt1");
  NlMessage dump = BuildDumpLinks();
  Check(dump, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi);
  NlMessage up = BuildSetLinkUp(1);
  Check(up, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi);
  EXPECT_EQ(ifi.ifi_index, 1);
  EXPECT_EQ(ifi.ifi_flags, unsigned{IFF_UP});
  EXPECT_EQ(ifi.ifi_change, unsigned{IFF_UP});
}

TEST(NetlinkMessageTest, ParseLinkReadsNameMasterPeerAndKind) {
  NlMessage m(RTM_NEWLINK, 0);
  ifinfomsg ifi{};
  ifi.ifi_index = 12;
  ifi.ifi_flags = IFF_UP;
  m.PutHeader(ifi);
  m.PutString(IFLA_IFNAME, "veth01234567");
  m.PutU32(IFLA_MASTER, 3);
  m.PutU32(IFLA_LINK, 2);
  size_t info = m.BeginNested(IFLA_LINKINFO);
  m.PutString(IFLA_INFO_KIND, "veth");
  m.EndNested(info);
  const std::vector<uint8_t>& b = m.Finish(1);
  StatusOr<LinkInfo> link = ParseLink(reinterpret_cast<const nlmsghdr*>(b.data()));
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->index, 12);
  EXPECT_EQ(link->name, "veth01234567");
  EXPECT_EQ(link->master, 3);
  EXPECT_EQ(link->link, 2);
  EXPECT_EQ(link->kind, "veth");
  EXPECT_TRUE(link->flags & IFF_UP);
}

TEST(NetlinkMessageTest, ParseLinkRejectsShortOrForeignMessages) {
  NlMessage m(RTM_NEWLINK, 0);
  const std::vector<uint8_t>& b = m.Finish(1);  // no ifinfomsg
  EXPECT_FALSE(ParseLink(reinterpret_cast<const nlmsghdr*>(b.data())).ok());
  NlMessage addr = BuildNewAddr(1, 1, 8, 2);
  EXPECT_FALSE(ParseLink(reinterpret_cast<const nlmsghdr*>(addr.Finish(1).data())).ok());
  // A truncated attribute is ignored, not read past the end.
  NlMessage t(RTM_NEWLINK, 0);
  t.PutHeader(ifinfomsg{});
  t.PutString(IFLA_IFNAME, "abc");
  std::vector<uint8_t> bytes = t.Finish(1);
  uint16_t bogus = 200;
  std::memcpy(bytes.data() + NLMSG_HDRLEN + sizeof(ifinfomsg), &bogus, 2);
  StatusOr<LinkInfo> link = ParseLink(reinterpret_cast<const nlmsghdr*>(bytes.data()));
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->name, "");
}

// --- iptables -------------------------------------------------------------------------------

IptablesLayout Layout() { return {"MKT", "mkt0", *ParseCidr("10.250.0.0/24")}; }

bool Has(const std::string& script, const std::string& line) {
  return script.find(line + "\n") != std::string::npos;
}

TEST(IptablesTest, SplitsQuotedWords) {
  EXPECT_EQ(
      SplitRuleWords(R"(-A X -m comment --comment "a b\"c" -j Y)"),
      (std::vector<std::string>{"-A", "X", "-m", "comment", "--comment", "a b\"c", "-j", "Y"}));
  EXPECT_EQ(SplitRuleWords("  -A   X  "), (std::vector<std::string>{"-A", "X"}));
  EXPECT_EQ(SplitRuleWords(R"(--comment "")"), (std::vector<std::string>{"--comment", ""}));
}

const char* kSaved = R"(# Generated by iptables-save v1.8.9 (nf_tables)
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:MKT-POSTROUTING - [0:0]
:MKT-HOSTPORTS - [0:0]
:MKT-2-HOSTPORTS - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS
-A PREROUTING -m addrtype --dst-type LOCAL -j MKT-2-HOSTPORTS
-A OUTPUT -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS
-A POSTROUTING -j MKT-POSTROUTING
-A POSTROUTING -j MKT-POSTROUTING
-A MKT-HOSTPORTS -s 10.250.0.2/32 -p tcp -m tcp --dport 8080 -m comment --comment pod-a -j MARK --set-xmark 0x4000/0x4000
-A MKT-HOSTPORTS -p tcp -m tcp --dport 8080 -m comment --comment pod-a -j DNAT --to-destination 10.250.0.2:80
-A MKT-HOSTPORTS -p udp -m udp --dport 53 -m comment --comment "ns:b/1" -j DNAT --to-destination 10.250.0.3:53
-A MKT-2-HOSTPORTS -p tcp -m tcp --dport 9 -m comment --comment pod-a -j DNAT --to-destination 10.251.0.2:9
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:MKT-FORWARD - [0:0]
-A FORWARD -j MKT-FORWARD
-A MKT-FORWARD -i mkt0 -j ACCEPT
COMMIT
)";

TEST(IptablesTest, ParsesSaveOutput) {
  SavedTables t = ParseIptablesSave(kSaved);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(t["nat"].chains.count("MKT-HOSTPORTS"));
  EXPECT_TRUE(t["nat"].chains.count("PREROUTING"));
  EXPECT_EQ(t["nat"].rules.size(), 9u);
  EXPECT_EQ(t["filter"].rules.size(), 2u);
  EXPECT_EQ(HostPortKeys(Layout(), t), (std::set<std::string>{"pod-a", "ns:b/1"}));
}

TEST(IptablesTest, InitOnAnEmptyHostCreatesEverything) {
  std::string s = RenderInit(Layout(), {});
  EXPECT_TRUE(Has(s, "*nat"));
  EXPECT_TRUE(Has(s, ":MKT-POSTROUTING - [0:0]"));
  EXPECT_TRUE(Has(s, ":MKT-HOSTPORTS - [0:0]"));
  EXPECT_TRUE(Has(s, "-A MKT-POSTROUTING -s 10.250.0.0/24 ! -d 10.250.0.0/24 -j MASQUERADE"));
  EXPECT_TRUE(Has(s, "-A MKT-POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE"));
  EXPECT_TRUE(Has(s, "-A MKT-POSTROUTING -s 127.0.0.0/8 -o mkt0 -j MASQUERADE"));
  EXPECT_TRUE(Has(s, "-A POSTROUTING -j MKT-POSTROUTING"));
  EXPECT_TRUE(Has(s, "-A PREROUTING -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS"));
  EXPECT_TRUE(Has(s, "-A OUTPUT -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS"));
  EXPECT_TRUE(Has(s, "*filter"));
  EXPECT_TRUE(Has(s, ":MKT-FORWARD - [0:0]"));
  EXPECT_TRUE(Has(s, "-A MKT-FORWARD -i mkt0 -j ACCEPT"));
  EXPECT_TRUE(Has(s, "-A MKT-FORWARD -o mkt0 -j ACCEPT"));
  EXPECT_TRUE(Has(s, "-I FORWARD -j MKT-FORWARD"));
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 16);  // 10 nat lines, 6 filter lines
}

TEST(IptablesTest, InitIsIdempotentAndRemovesDuplicateJumps) {
  std::string s = RenderInit(Layout(), ParseIptablesSave(kSaved));
  EXPECT_FALSE(Has(s, ":MKT-HOSTPORTS - [0:0]")) << "would flush the pods' hostPort rules";
  EXPECT_FALSE(Has(s, "-A PREROUTING -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS"));
  EXPECT_FALSE(Has(s, "-A POSTROUTING -j MKT-POSTROUTING"));
  EXPECT_TRUE(Has(s, "-D POSTROUTING -j MKT-POSTROUTING"));  // the second copy
  EXPECT_FALSE(Has(s, "-I FORWARD -j MKT-FORWARD"));
  EXPECT_TRUE(Has(s, ":MKT-POSTROUTING - [0:0]"));  // rewritten whole
  EXPECT_TRUE(Has(s, "-A MKT-FORWARD -o mkt0 -j ACCEPT"));
}

TEST(IptablesTest, HostPortsReplaceTheKeysRulesOnly) {
  SavedTables saved = ParseIptablesSave(kSaved);
  StatusOr<std::string> s =
      RenderHostPorts(Layout(), saved, "pod-a", Ip("10.250.0.7"),
                      {{"TCP", 8081, 80, ""}, {"udp", 5353, 53, "127.0.0.1"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(Has(*s,
                  "-D MKT-HOSTPORTS -s 10.250.0.2/32 -p tcp -m tcp --dport 8080 -m comment "
                  "--comment pod-a -j MARK --set-xmark 0x4000/0x4000"));
  EXPECT_TRUE(Has(*s,
                  "-D MKT-HOSTPORTS -p tcp -m tcp --dport 8080 -m comment --comment pod-a "
                  "-j DNAT --to-destination 10.250.0.2:80"));
  EXPECT_EQ(s->find("10.250.0.3"), std::string::npos);  // another pod
  EXPECT_EQ(s->find("MKT-2-"), std::string::npos);      // another profile
  EXPECT_TRUE(Has(*s,
                  "-A MKT-HOSTPORTS -p tcp -m tcp --dport 8081 -s 10.250.0.7/32 -m comment "
                  "--comment \"pod-a\" -j MARK --set-xmark 0x4000/0x4000"));
  EXPECT_TRUE(Has(*s,
                  "-A MKT-HOSTPORTS -p tcp -m tcp --dport 8081 -m comment --comment "
                  "\"pod-a\" -j DNAT --to-destination 10.250.0.7:80"));
  EXPECT_TRUE(Has(*s,
                  "-A MKT-HOSTPORTS -d 127.0.0.1/32 -p udp -m udp --dport 5353 -m comment "
                  "--comment \"pod-a\" -j DNAT --to-destination 10.250.0.7:53"));

  StatusOr<std::string> quoted = RenderHostPorts(Layout(), saved, "ns:b/1", 1, {});
  ASSERT_TRUE(quoted.ok());
  EXPECT_NE(quoted->find("-D MKT-HOSTPORTS -p udp"), std::string::npos);
  StatusOr<std::string> none = RenderHostPorts(Layout(), saved, "pod-z", 1, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
}

TEST(IptablesTest, RulesByKeyAndReplace) {
  SavedTables saved = ParseIptablesSave(kSaved);
  auto by_key = HostPortRulesByKey(Layout(), saved);
  ASSERT_EQ(by_key.size(), 2u);
  EXPECT_EQ(by_key["pod-a"].size(), 2u);
  EXPECT_EQ(by_key["ns:b/1"].size(), 1u);
  EXPECT_EQ(RenderReplace({}, {}), "");
  StatusOr<std::vector<std::string>> rules =
      HostPortRules(Layout(), "pod-a", Ip("10.250.0.9"), {{"TCP", 81, 80, ""}});
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  std::string s = RenderReplace(by_key["pod-a"], *rules);
  EXPECT_EQ(s.rfind("*nat\n-D MKT-HOSTPORTS", 0), 0u) << s;
  EXPECT_TRUE(Has(s, (*rules)[0]));
  EXPECT_TRUE(Has(s, (*rules)[1]));
  EXPECT_TRUE(Has(s, "COMMIT"));
  EXPECT_EQ(HostPortRules(Layout(), "pod-a", 1, {}).value().size(), 0u);
}

TEST(IptablesTest, HostPortsValidation) {
  SavedTables saved = ParseIptablesSave(kSaved);
  auto err = [&](std::vector<HostPort> ports) {
    return RenderHostPorts(Layout(), saved, "k", 1, ports).status().code();
  };
  EXPECT_EQ(err({{"ICMP", 80, 80, ""}}), Code::kBadRequest);
  EXPECT_EQ(err({{"TCP", 0, 80, ""}}), Code::kBadRequest);
  EXPECT_EQ(err({{"TCP", 80, 70000, ""}}), Code::kBadRequest);
  EXPECT_EQ(err({{"TCP", 80, 80, "::1"}}), Code::kBadRequest);
  EXPECT_EQ(err({{"TCP", 80, 80, "0.0.0.0"}}), Code::kOk);
  EXPECT_EQ(err({{"", 80, 80, ""}}), Code::kOk);  // TCP
  EXPECT_EQ(err({{"sctp", 80, 80, ""}}), Code::kOk);
  EXPECT_EQ(RenderHostPorts(Layout(), saved, "bad key", 1, {}).status().code(), Code::kBadRequest);
  // Without the chain (Init not run) rules cannot be added.
  EXPECT_FALSE(RenderHostPorts(Layout(), {}, "k", 1, {{"TCP", 80, 80, ""}}).ok());
  EXPECT_TRUE(ValidateHostPorts({{"TCP", 80, 80, ""}}).ok());
  EXPECT_FALSE(ValidateHostPorts({{"TCP", -1, 80, ""}}).ok());
}

TEST(IptablesTest, CleanupRemovesOurJumpsAndChainsOnly) {
  std::string s = RenderCleanup(Layout(), ParseIptablesSave(kSaved));
  EXPECT_TRUE(Has(s, "-D PREROUTING -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS"));
  EXPECT_TRUE(Has(s, "-D OUTPUT -m addrtype --dst-type LOCAL -j MKT-HOSTPORTS"));
  EXPECT_EQ(std::count(s.begin(), s.end(), 'D') >= 2, true);
  size_t first = s.find("-D POSTROUTING -j MKT-POSTROUTING\n");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(s.find("-D POSTROUTING -j MKT-POSTROUTING\n", first + 1), std::string::npos);
  EXPECT_TRUE(Has(s, ":MKT-HOSTPORTS - [0:0]"));
  EXPECT_TRUE(Has(s, "-X MKT-HOSTPORTS"));
  EXPECT_TRUE(Has(s, "-X MKT-POSTROUTING"));
  EXPECT_TRUE(Has(s, "-D FORWARD -j MKT-FORWARD"));
  EXPECT_TRUE(Has(s, "-X MKT-FORWARD"));
  EXPECT_EQ(s.find("MKT-2"), std::string::npos);
  EXPECT_EQ(RenderCleanup(Layout(), {}), "");
}

TEST(IptablesTest, ValidatesPrefixAndKey) {
  EXPECT_TRUE(ValidateChainPrefix("MINIK").ok());
  EXPECT_TRUE(ValidateChainPrefix("MINIK-2").ok());
  EXPECT_FALSE(ValidateChainPrefix("").ok());
  EXPECT_FALSE(ValidateChainPrefix("A B").ok());
  EXPECT_FALSE(ValidateChainPrefix("ABCDEFGHIJKLMNOPQ").ok());
  EXPECT_TRUE(ValidateKey("0123abcdef").ok());
  EXPECT_TRUE(ValidateKey("default_web-0:uid/1").ok());
  EXPECT_FALSE(ValidateKey("").ok());
  EXPECT_FALSE(ValidateKey("a\"b").ok());
  EXPECT_FALSE(ValidateKey("a b").ok());
  EXPECT_FALSE(ValidateKey(std::string(201, 'a')).ok());
}

// --- helpers --------------------------------------------------------------------------------

TEST(BridgeNetworkTest, VethNamesAreStableShortAndHex) {
  std::string a = HostVethName("sandbox-a");
  EXPECT_EQ(a.size(), 12u);
  EXPECT_LT(a.size(), size_t{IFNAMSIZ});
  EXPECT_EQ(a.rfind("veth", 0), 0u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  EXPECT_EQ(a, HostVethName("sandbox-a"));
  EXPECT_NE(a, HostVethName("sandbox-b"));
  // sha256("abc") = ba7816bf...
  EXPECT_EQ(HostVethName("abc"), "vethba7816bf");
}

TEST(BridgeNetworkTest, BridgeMacIsLocallyAdministeredFromTheGateway) {
  std::array<uint8_t, 6> mac = BridgeMac(Ip("10.244.0.1"));
  EXPECT_EQ(mac, (std::array<uint8_t, 6>{0x0a, 0x58, 10, 244, 0, 1}));
  EXPECT_TRUE(mac[0] & 0x02);   // locally administered
  EXPECT_FALSE(mac[0] & 0x01);  // unicast
}

TEST(BridgeNetworkTest, RejectsBadOptions) {
  NetworkOptions o;
  o.state_dir = ::testing::TempDir();
  EXPECT_TRUE(NewPodNetwork(o).ok());
  NetworkOptions bad = o;
  bad.cidr = "10.244.0.1/16";
  EXPECT_EQ(NewPodNetwork(bad).status().code(), Code::kBadRequest);
  bad = o;
  bad.state_dir = "";
  EXPECT_EQ(NewPodNetwork(bad).status().code(), Code::kBadRequest);
  bad = o;
  bad.bridge = "a-very-long-bridge-name";
  EXPECT_EQ(NewPodNetwork(bad).status().code(), Code::kBadRequest);
  bad = o;
  bad.chain_prefix = "NO SPACES";
  EXPECT_EQ(NewPodNetwork(bad).status().code(), Code::kBadRequest);
}

TEST(ExecTest, RunsWithInputAndCapturesOutput) {
  StatusOr<CommandResult> r = RunCommand({"sh", "-c", "cat; echo oops >&2; exit 3"}, "hello\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "hello\n");
  EXPECT_EQ(r->err, "oops\n");
  std::string big(2 << 20, 'x');  // larger than any pipe buffer, both ways at once
  StatusOr<CommandResult> c = RunCommand({"cat"}, big);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->out.size(), big.size());
  // A child that exits without reading its input must not kill us with SIGPIPE.
  StatusOr<CommandResult> q = RunCommand({"true"}, big);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->exit_code, 0);
  EXPECT_FALSE(RunCommand({"/nonexistent/minik-no-such-binary"}).ok());
  EXPECT_FALSE(RunCommand({}).ok());
}

}  // namespace
}  // namespace minik::net
