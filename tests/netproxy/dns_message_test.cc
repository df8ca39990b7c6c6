// DNS message parsing and encoding: golden bytes, compression, EDNS0, truncation, and hostile
// input (truncation, pointer loops, oversized labels and names, lying counts).
#include "netproxy/dns_message.h"

#include <gtest/gtest.h>

namespace minik::netproxy::dns {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

// example.com A IN, id 0x1234, RD.
const std::string kQuery =
    Bytes({0x12, 0x34, 0x01, 0x00, 0,   1, 0,   0,   0,   0, 0, 0, 7, 'e', 'x',
           'a',  'm',  'p',  'l',  'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1});

std::string Encode(const Message& m, size_t max = 65535) {
  std::string out;
  Status st = EncodeMessage(m, &out, max);
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

TEST(DnsMessage, ParsesGoldenQuery) {
  auto m = ParseMessage(kQuery);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->id, 0x1234);
  EXPECT_TRUE(m->rd);
  EXPECT_FALSE(m->qr);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].name, "example.com");
  EXPECT_EQ(m->questions[0].type, kTypeA);
  EXPECT_EQ(m->questions[0].klass, kClassIn);
  EXPECT_FALSE(m->edns.has_value());
}

TEST(DnsMessage, EncodesGoldenQuery) {
  Message m;
  m.id = 0x1234;
  m.rd = true;
  m.questions.push_back({"example.com", kTypeA, kClassIn});
  EXPECT_EQ(Encode(m), kQuery);
  m.questions[0].name = "example.com.";  // a root dot is accepted
  EXPECT_EQ(Encode(m), kQuery);
}

TEST(DnsMessage, CompressesOwnerAndTargetNames) {
  Message m;
  m.id = 1;
  m.qr = true;
  m.aa = true;
  m.questions.push_back({"www.example.com", kTypeA, kClassIn});
  m.answers.push_back(MakeNameRecord(kTypeCname, "www.example.com", 30, "example.com"));
  m.answers.push_back(MakeA("example.com", 30, {1, 2, 3, 4}));
  std::string w = Encode(m);
  // Question name at 12: 3www7example3com0 (17 bytes) + type/class = offset 33.
  const std::string answer1 = Bytes({0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 2, 0xc0, 16});
  EXPECT_EQ(w.substr(33, answer1.size()), answer1);
  const std::string answer2 = Bytes({0xc0, 16, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 1, 2, 3, 4});
  EXPECT_EQ(w.substr(33 + answer1.size()), answer2);
  auto back = ParseMessage(w);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->answers.size(), 2u);
  EXPECT_EQ(RecordToString(back->answers[0]), "www.example.com. 30 IN CNAME example.com.");
  EXPECT_EQ(RecordToString(back->answers[1]), "example.com. 30 IN A 1.2.3.4");
  EXPECT_TRUE(back->aa);
  EXPECT_TRUE(back->qr);
}

TEST(DnsMessage, CompressionKeepsCase) {
  Message m;
  m.questions.push_back({"WEB.default.svc", kTypeA, kClassIn});
  m.answers.push_back(MakeA("web.default.svc", 5, {1, 1, 1, 1}));
  auto back = ParseMessage(Encode(m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->questions[0].name, "WEB.default.svc");
  EXPECT_EQ(back->answers[0].name, "web.default.svc");
}

TEST(DnsMessage, RoundTripsEveryRecordType) {
  Message m;
  m.id = 77;
  m.qr = true;
  m.rcode = kNxDomain;
  m.questions.push_back({"_http._tcp.web.ns.svc.cluster.local", kTypeSrv, kClassIn});
  m.answers.push_back(
      MakeSrv("_http._tcp.web.ns.svc.cluster.local", 30, 0, 100, 80, "web.ns.svc.cluster.local"));
  std::array<uint8_t, 16> v6{};
  v6[15] = 1;
  m.answers.push_back(MakeAaaa("web.ns.svc.cluster.local", 30, v6));
  m.answers.push_back(
      MakeNameRecord(kTypePtr, "1.0.96.10.in-addr.arpa", 30, "web.ns.svc.cluster.local"));
  m.answers.push_back(MakeTxt("dns-version.cluster.local", 28800, "1.1.0"));
  Record soa = MakeNameRecord(kTypeSoa, "cluster.local", 30, "ns.dns.cluster.local");
  soa.mbox = "hostmaster.cluster.local";
  soa.serial = 12345;
  soa.refresh = 7200;
  soa.retry = 1800;
  soa.expire = 86400;
  soa.minimum = 30;
  m.authority.push_back(soa);
  Record unknown;
  unknown.name = "x";
  unknown.type = 99;
  unknown.data = "raw";
  m.additional.push_back(unknown);
  std::string w = Encode(m);
  auto back = ParseMessage(w);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->rcode, kNxDomain);
  std::vector<std::string> got;
  for (auto* s : {&back->answers, &back->authority, &back->additional})
    for (const Record& rr : *s) got.push_back(RecordToString(rr));
  EXPECT_EQ(got,
            (std::vector<std::string>{
                "_http._tcp.web.ns.svc.cluster.local. 30 IN SRV 0 100 80 web.ns.svc.cluster.local.",
                "web.ns.svc.cluster.local. 30 IN AAAA ::1",
                "1.0.96.10.in-addr.arpa. 30 IN PTR web.ns.svc.cluster.local.",
                "dns-version.cluster.local. 28800 IN TXT \"1.1.0\"",
                "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 12345 "
                "7200 1800 86400 30",
                "x. 0 IN TYPE99 \\# 3"}));
  EXPECT_EQ(Encode(*back), w);  // stable
}

TEST(DnsMessage, SrvTargetIsNotCompressed) {
  Message m;
  m.questions.push_back({"_p._tcp.a.b", kTypeSrv, kClassIn});
  m.answers.push_back(MakeSrv("_p._tcp.a.b", 1, 0, 1, 2, "a.b"));
  std::string w = Encode(m);
  // The target "a.b" is written out: 1a1b0 at the end.
  EXPECT_EQ(w.substr(w.size() - 5), Bytes({1, 'a', 1, 'b', 0}));
}

TEST(DnsMessage, EdnsAndExtendedRcode) {
  Message m;
  m.qr = true;
  m.rcode = kBadVers;
  m.edns = Edns{4096, 0, true, ""};
  std::string w = Encode(m);
  // Header rcode holds the low 4 bits (0), the OPT TTL the rest (1).
  EXPECT_EQ(w[3] & 0xf, 0);
  const std::string opt = Bytes({0, 0, 41, 0x10, 0, 1, 0, 0x80, 0, 0, 0});
  EXPECT_EQ(w.substr(12), opt);
  auto back = ParseMessage(w);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->edns);
  EXPECT_EQ(back->edns->udp_size, 4096);
  EXPECT_TRUE(back->edns->dnssec_ok);
  EXPECT_EQ(back->rcode, kBadVers);
  EXPECT_TRUE(back->additional.empty());
}

TEST(DnsMessage, TruncatesAtRecordBoundaries) {
  Message m;
  m.qr = true;
  m.questions.push_back({"many.example", kTypeA, kClassIn});
  for (int i = 0; i < 100; ++i)
    m.answers.push_back(MakeA("many.example", 30, {10, 0, 0, static_cast<uint8_t>(i)}));
  m.edns = Edns{};
  std::string w = Encode(m, 512);
  EXPECT_LE(w.size(), 512u);
  auto back = ParseMessage(w);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->tc);
  EXPECT_TRUE(back->edns.has_value());  // the OPT record survives
  EXPECT_GT(back->answers.size(), 10u);
  EXPECT_LT(back->answers.size(), 100u);
  // Without the limit, everything and no TC.
  auto full = ParseMessage(Encode(m));
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->tc);
  EXPECT_EQ(full->answers.size(), 100u);
}

TEST(DnsMessage, MissingAdditionalDataIsNoTruncation) {
  Message m;
  m.questions.push_back({"a", kTypeSrv, kClassIn});
  m.answers.push_back(MakeSrv("a", 1, 0, 1, 1, "t"));
  for (int i = 0; i < 100; ++i)
    m.additional.push_back(MakeA("t" + std::to_string(i), 1, {1, 1, 1, 1}));
  auto back = ParseMessage(Encode(m, 512));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->tc);
  EXPECT_EQ(back->answers.size(), 1u);
  EXPECT_LT(back->additional.size(), 100u);
}

TEST(DnsMessage, EscapedLabelsRoundTrip) {
  std::string wire = kQuery;
  wire[13 + 2] = '.';     // "ex.mple"
  wire[13 + 3] = '\x01';  // unprintable
  auto m = ParseMessage(wire);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->questions[0].name, "ex\\.\\001ple.com");
  EXPECT_EQ(SplitLabels(m->questions[0].name).size(), 2u);
  EXPECT_EQ(Encode(*m), wire);
}

TEST(DnsMessage, NameHelpers) {
  EXPECT_TRUE(NameEquals("Web.Default", "web.default."));
  EXPECT_FALSE(NameEquals("web", "webs"));
  EXPECT_TRUE(IsSubdomain("a.b.Cluster.Local", "cluster.local"));
  EXPECT_TRUE(IsSubdomain("cluster.local", "cluster.local"));
  EXPECT_FALSE(IsSubdomain("xcluster.local", "cluster.local"));
  EXPECT_FALSE(IsSubdomain("a\\.cluster.local", "cluster.local"));
  EXPECT_TRUE(IsSubdomain("anything", ""));
  EXPECT_EQ(SplitLabels("a.b\\.c.d"), (std::vector<std::string_view>{"a", "b\\.c", "d"}));
  EXPECT_TRUE(SplitLabels("").empty());
  EXPECT_TRUE(ValidateName("a.b").ok());
  EXPECT_FALSE(ValidateName("a..b").ok());
  EXPECT_FALSE(ValidateName(std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateName(std::string(63, 'a')).ok());
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  EXPECT_FALSE(ValidateName(long_name).ok());
  EXPECT_FALSE(ValidateName("bad\\").ok());
  EXPECT_FALSE(ValidateName("bad\\999").ok());
  EXPECT_TRUE(ValidateName("ok\\255").ok());
}

TEST(DnsMessage, EncodeRejectsBadNames) {
  Message m;
  m.questions.push_back({std::string(64, 'a'), kTypeA, kClassIn});
  std::string out;
  EXPECT_FALSE(EncodeMessage(m, &out).ok());
}

// --- hostile input ---

void ExpectMalformed(const std::string& wire, const std::string& why) {
  auto m = ParseMessage(wire);
  EXPECT_FALSE(m.ok()) << why;
  if (!m.ok()) {
    EXPECT_EQ(m.status().code(), Code::kBadRequest) << why;
  }
}

TEST(DnsMessage, RejectsTruncatedInput) {
  ExpectMalformed("", "empty");
  ExpectMalformed(kQuery.substr(0, 11), "short header");
  for (size_t n = 12; n < kQuery.size(); ++n)
    ExpectMalformed(kQuery.substr(0, n), "cut at " + std::to_string(n));
  EXPECT_TRUE(ParseMessage(kQuery).ok());
}

TEST(DnsMessage, RejectsPointerLoops) {
  // Question name is a pointer to itself.
  ExpectMalformed(Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1}),
                  "self pointer");
  // A forward pointer.
  ExpectMalformed(Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 1, 'a', 0, 0, 1, 0, 1}),
                  "forward pointer");
  // Two labels pointing at each other: a at 12 -> pointer at 14 -> 12.
  ExpectMalformed(Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12, 0, 1, 0, 1}),
                  "loop");
  // A record whose owner points into its own bytes (a later pointer into the middle).
  std::string w = kQuery;
  w[7] = 1;  // ancount 1
  w += Bytes({0xc0, static_cast<int>(kQuery.size()), 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4});
  ExpectMalformed(w, "pointer to itself in the answer");
}

TEST(DnsMessage, AcceptsLongPointerChainsWithinBounds) {
  // q name "a", then answers whose names point back to it: valid compression.
  std::string w = kQuery;
  w[7] = 3;
  for (int i = 0; i < 3; ++i) w += Bytes({0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4});
  auto m = ParseMessage(w);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->answers.size(), 3u);
  EXPECT_EQ(m->answers[2].name, "example.com");
}

TEST(DnsMessage, RejectsBadLabels) {
  // Label type 01 (0x40) and 10 (0x80) are not defined.
  ExpectMalformed(Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 'a', 0, 0, 1, 0, 1}), "0x40");
  ExpectMalformed(Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 'a', 0, 0, 1, 0, 1}), "0x80");
  // A name of 5 x 63-byte labels is over 255 bytes.
  std::string w = Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 5; ++i) w += static_cast<char>(63) + std::string(63, 'x');
  w += Bytes({0, 0, 1, 0, 1});
  ExpectMalformed(w, "long name");
  // 255 bytes exactly (3 x 63 + 1 x 61 + lengths + root) is fine.
  std::string ok = Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 3; ++i) ok += static_cast<char>(63) + std::string(63, 'x');
  ok += static_cast<char>(61) + std::string(61, 'y');
  ok += Bytes({0, 0, 1, 0, 1});
  EXPECT_TRUE(ParseMessage(ok).ok());
}

TEST(DnsMessage, RejectsCountsLargerThanThePacket) {
  std::string w = kQuery;
  w[4] = static_cast<char>(0xff);  // qdcount 65281
  ExpectMalformed(w, "qdcount");
  w = kQuery;
  w[10] = static_cast<char>(0xff);
  w[11] = static_cast<char>(0xff);
  ExpectMalformed(w, "arcount");
  w = kQuery;
  w[7] = 1;  // one answer that is not there
  ExpectMalformed(w, "ancount");
}

TEST(DnsMessage, RejectsBadRecordData) {
  auto with_answer = [](std::initializer_list<int> rr) {
    std::string w = kQuery;
    w[7] = 1;
    return w + Bytes(rr);
  };
  ExpectMalformed(with_answer({0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3}), "A of 3 bytes");
  ExpectMalformed(with_answer({0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1, 2, 3, 4}),
                  "rdlen past end");
  // CNAME whose name runs past its RDATA.
  ExpectMalformed(with_answer({0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 2, 1, 'a', 0}),
                  "cname overrun");
  // CNAME with trailing bytes in the RDATA.
  ExpectMalformed(with_answer({0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 3, 0, 9, 9}), "cname underrun");
  ExpectMalformed(with_answer({0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0}), "short soa");
  ExpectMalformed(with_answer({0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0}), "short srv");
}

TEST(DnsMessage, RejectsBadOpt) {
  std::string w = kQuery;
  w[11] = 2;
  const std::string opt = Bytes({0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});
  ExpectMalformed(w + opt + opt, "two OPT records");
  w[11] = 1;
  ExpectMalformed(w + Bytes({1, 'a', 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0}), "OPT not at the root");
  EXPECT_TRUE(ParseMessage(w + opt).ok());
  w[11] = 0;
  w[7] = 1;
  ExpectMalformed(w + opt, "OPT as an answer");
}

TEST(DnsMessage, ReadHeader) {
  EXPECT_FALSE(ReadHeader("short").has_value());
  auto h = ReadHeader(kQuery);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->id, 0x1234);
  EXPECT_TRUE(h->rd());
  EXPECT_FALSE(h->qr());
  EXPECT_EQ(h->qdcount, 1);
}

}  // namespace
}  // namespace minik::netproxy::dns
