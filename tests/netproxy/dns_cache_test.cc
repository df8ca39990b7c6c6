// The upstream answer cache: what is kept and for how long, TTL ageing, ID and spelling of
// hits, and the capacity bound.
#include "netproxy/dns_cache.h"

#include <gtest/gtest.h>

#include "netproxy/dns_message.h"

namespace minik::netproxy::dns {
namespace {

using namespace std::chrono_literals;

std::string Wire(const Message& m) {
  std::string out;
  EXPECT_TRUE(EncodeMessage(m, &out).ok());
  return out;
}

Message Q(const std::string& name, uint16_t id = 1, uint16_t type = kTypeA) {
  Message q;
  q.id = id;
  q.rd = true;
  q.questions.push_back({name, type, kClassIn});
  return q;
}

Message Reply(const Message& q, uint16_t rcode, std::vector<Record> answers, uint32_t soa_ttl = 0,
              uint32_t soa_min = 0) {
  Message r = q;
  r.qr = true;
  r.ra = true;
  r.rcode = rcode;
  r.answers = std::move(answers);
  if (soa_ttl) {
    Record soa = MakeNameRecord(kTypeSoa, "com", soa_ttl, "a.gtld-servers.net");
    soa.mbox = "nstld.verisign-grs.com";
    soa.minimum = soa_min;
    r.authority.push_back(soa);
  }
  return r;
}

TEST(AnswerCache, KeepsAnswersForTheirTtlCappedAt30s) {
  AnswerCache cache;
  const auto t0 = std::chrono::steady_clock::now();
  Message q = Q("example.com");
  cache.Insert(Wire(q),
               Wire(Reply(q, kNoError,
                          {MakeA("example.com", 300, {1, 2, 3, 4}),
                           MakeA("example.com", 60, {1, 2, 3, 5})})),
               t0);
  EXPECT_EQ(cache.size(), 1u);
  // Another client, another ID and spelling, 10 s later.
  auto hit = cache.Lookup(Wire(Q("EXAMPLE.com", 77)), t0 + 10s);
  ASSERT_TRUE(hit.has_value());
  auto m = ParseMessage(*hit);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->id, 77);
  EXPECT_EQ(m->questions[0].name, "EXAMPLE.com");
  ASSERT_EQ(m->answers.size(), 2u);
  EXPECT_EQ(m->answers[0].ttl, 290u);
  EXPECT_EQ(m->answers[1].ttl, 50u);
  // Kept 30 s at most.
  EXPECT_TRUE(cache.Lookup(Wire(q), t0 + 29s).has_value());
  EXPECT_FALSE(cache.Lookup(Wire(q), t0 + 30s).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AnswerCache, ShortTtlsAndOtherKeys) {
  AnswerCache cache;
  const auto t0 = std::chrono::steady_clock::now();
  Message q = Q("short.example");
  cache.Insert(Wire(q), Wire(Reply(q, kNoError, {MakeA("short.example", 5, {1, 1, 1, 1})})), t0);
  EXPECT_TRUE(cache.Lookup(Wire(q), t0 + 4s).has_value());
  EXPECT_FALSE(cache.Lookup(Wire(q), t0 + 5s).has_value());
  cache.Insert(Wire(q), Wire(Reply(q, kNoError, {MakeA("short.example", 5, {1, 1, 1, 1})})), t0);
  // Another type, or an EDNS query, is another entry.
  EXPECT_FALSE(cache.Lookup(Wire(Q("short.example", 1, kTypeAaaa)), t0).has_value());
  Message edns = q;
  edns.edns = Edns{};
  EXPECT_FALSE(cache.Lookup(Wire(edns), t0).has_value());
}

TEST(AnswerCache, DropsTheFirstAskersEdnsOptions) {
  AnswerCache cache;
  const auto t0 = std::chrono::steady_clock::now();
  Message q = Q("example.com");
  q.edns = Edns{1232, 0, false, "\x00\x0a\x00\x08cookie!!"};
  Message r = Reply(q, kNoError, {MakeA("example.com", 60, {1, 2, 3, 4})});
  cache.Insert(Wire(q), Wire(r), t0);
  auto hit = cache.Lookup(Wire(q), t0);
  ASSERT_TRUE(hit.has_value());
  auto m = ParseMessage(*hit);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->edns.has_value());
  EXPECT_EQ(m->edns->options, "");
}

TEST(AnswerCache, Denials) {
  AnswerCache cache;
  const auto t0 = std::chrono::steady_clock::now();
  Message q = Q("nope.example");
  // NXDOMAIN: the smaller of the SOA's TTL and minimum.
  cache.Insert(Wire(q), Wire(Reply(q, kNxDomain, {}, 900, 20)), t0);
  auto hit = cache.Lookup(Wire(q), t0 + 19s);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(ParseMessage(*hit)->rcode, kNxDomain);
  EXPECT_FALSE(cache.Lookup(Wire(q), t0 + 20s).has_value());
  // NODATA likewise; without a SOA not kept.
  Message q2 = Q("nodata.example", 1, kTypeAaaa);
  cache.Insert(Wire(q2), Wire(Reply(q2, kNoError, {}, 10, 60)), t0);
  EXPECT_TRUE(cache.Lookup(Wire(q2), t0 + 9s).has_value());
  Message q3 = Q("bare.example");
  cache.Insert(Wire(q3), Wire(Reply(q3, kNxDomain, {})), t0);
  EXPECT_FALSE(cache.Lookup(Wire(q3), t0).has_value());
}

TEST(AnswerCache, RefusesFailuresTruncationAndMismatches) {
  AnswerCache cache;
  const auto t0 = std::chrono::steady_clock::now();
  Message q = Q("x.example");
  cache.Insert(Wire(q), Wire(Reply(q, kServFail, {}, 60, 60)), t0);
  cache.Insert(Wire(q), Wire(Reply(q, kRefused, {}, 60, 60)), t0);
  Message tc = Reply(q, kNoError, {MakeA("x.example", 60, {1, 1, 1, 1})});
  tc.tc = true;
  cache.Insert(Wire(q), Wire(tc), t0);
  cache.Insert(Wire(q), Wire(Reply(q, kNoError, {MakeA("x.example", 0, {1, 1, 1, 1})})), t0);
  // A reply to another question.
  Message other = Q("y.example");
  cache.Insert(Wire(q), Wire(Reply(other, kNoError, {MakeA("y.example", 60, {1, 1, 1, 1})})), t0);
  cache.Insert(Wire(q), "garbage", t0);
  cache.Insert("garbage", Wire(Reply(q, kNoError, {MakeA("x.example", 60, {1, 1, 1, 1})})), t0);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Lookup("garbage", t0).has_value());
}

TEST(AnswerCache, BoundedByCapacity) {
  AnswerCache cache(10);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    Message q = Q("n" + std::to_string(i) + ".example");
    cache.Insert(Wire(q), Wire(Reply(q, kNoError, {MakeA(q.questions[0].name, 60, {1, 1, 1, 1})})),
                 t0);
    EXPECT_LE(cache.size(), 10u);
  }
  Message last = Q("n99.example");
  EXPECT_TRUE(cache.Lookup(Wire(last), t0).has_value());
  AnswerCache off(0);
  off.Insert(Wire(last), Wire(Reply(last, kNoError, {MakeA("n99.example", 60, {1, 1, 1, 1})})), t0);
  EXPECT_EQ(off.size(), 0u);
}

}  // namespace
}  // namespace minik::netproxy::dns
