// The socket-free query handling: header rules (FORMERR, NOTIMP, BADVERS), reply limits,
// EDNS echo, shuffling, and finishing forwarded and chased queries.
#include "netproxy/dns_responder.h"

#include <gtest/gtest.h>

#include <set>

namespace minik::netproxy::dns {
namespace {

class ResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objs_ = {Json::parse(R"({"metadata":{"name":"default"}})"),
             Json::parse(R"({"metadata":{"name":"web","namespace":"default"},
                 "spec":{"clusterIP":"10.96.0.20","ports":[{"port":80}]}})"),
             Json::parse(R"({"metadata":{"name":"db","namespace":"default"},
                 "spec":{"clusterIP":"None"}})"),
             Json::parse(R"({"metadata":{"name":"ext","namespace":"default"},
                 "spec":{"type":"ExternalName","externalName":"example.com"}})")};
    Json slice = Json::parse(R"({"metadata":{"name":"db-x","namespace":"default",
        "labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4","endpoints":[]})");
    for (int i = 0; i < 50; ++i)
      slice["endpoints"].push_back({{"addresses", {"10.244.0." + std::to_string(i)}}});
    objs_.push_back(slice);
    zone_ = ZoneSnapshot::Build(ZoneOptions{}, {&objs_[0]}, {&objs_[1], &objs_[2], &objs_[3]},
                                {&objs_[4]}, 1);
  }
  static std::string Wire(const Message& m) {
    std::string out;
    EXPECT_TRUE(EncodeMessage(m, &out).ok());
    return out;
  }
  static Message QueryFor(const std::string& name, uint16_t type) {
    Message q;
    q.id = 99;
    q.rd = true;
    q.cd = true;
    q.questions.push_back({name, type, kClassIn});
    return q;
  }
  Message Handle(const Message& q, bool tcp = false, Query::Action want = Query::Action::kReply) {
    Query out;
    HandleQuery(zone_.get(), Wire(q), tcp, &out);
    EXPECT_EQ(out.action, want);
    if (out.action != Query::Action::kReply) return {};
    auto m = ParseMessage(out.wire);
    EXPECT_TRUE(m.ok()) << m.status().message();
    return m.ok() ? *m : Message{};
  }
  std::vector<Json> objs_;
  std::shared_ptr<const ZoneSnapshot> zone_;
};

TEST_F(ResponderTest, EchoesTheQuery) {
  Message r = Handle(QueryFor("Web.default.svc.cluster.local", kTypeA));
  EXPECT_EQ(r.id, 99);
  EXPECT_TRUE(r.qr);
  EXPECT_TRUE(r.rd);
  EXPECT_TRUE(r.cd);
  EXPECT_TRUE(r.aa);
  EXPECT_FALSE(r.ra);
  ASSERT_EQ(r.questions.size(), 1u);
  EXPECT_EQ(r.questions[0].name, "Web.default.svc.cluster.local");
  EXPECT_FALSE(r.edns.has_value());
  Message q = QueryFor("web.default.svc.cluster.local", kTypeA);
  q.edns = Edns{1232, 0, true, ""};
  r = Handle(q);
  ASSERT_TRUE(r.edns.has_value());
  EXPECT_EQ(r.edns->udp_size, kOurUdpSize);
  EXPECT_TRUE(r.edns->dnssec_ok);
}

TEST_F(ResponderTest, HeaderRules) {
  Message q = QueryFor("web.default.svc.cluster.local", kTypeA);
  q.opcode = 2;  // STATUS
  EXPECT_EQ(Handle(q).rcode, kNotImp);
  q = QueryFor("web.default.svc.cluster.local", kTypeA);
  q.questions.push_back(q.questions[0]);
  Message r = Handle(q);
  EXPECT_EQ(r.rcode, kFormErr);
  EXPECT_TRUE(r.questions.empty());
  q.questions.clear();
  EXPECT_EQ(Handle(q).rcode, kFormErr);
  q = QueryFor("web.default.svc.cluster.local", kTypeA);
  q.edns = Edns{512, 1, false, ""};
  r = Handle(q);
  EXPECT_EQ(r.rcode, kBadVers);
  EXPECT_TRUE(r.edns.has_value());
  // Garbage after a header: FORMERR keeping ID, opcode and RD.
  Query out;
  std::string bad = Wire(QueryFor("web.default.svc.cluster.local", kTypeA)).substr(0, 15);
  HandleQuery(zone_.get(), bad, false, &out);
  ASSERT_EQ(out.action, Query::Action::kReply);
  auto m = ParseMessage(out.wire);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->id, 99);
  EXPECT_EQ(m->rcode, kFormErr);
  EXPECT_TRUE(m->rd);
  EXPECT_TRUE(m->qr);
  // Replies and runts are dropped.
  Message reply = QueryFor("web.default.svc.cluster.local", kTypeA);
  reply.qr = true;
  Handle(reply, false, Query::Action::kDrop);
  HandleQuery(zone_.get(), "short", false, &out);
  EXPECT_EQ(out.action, Query::Action::kDrop);
}

TEST_F(ResponderTest, NoZoneIsServfail) {
  Query out;
  HandleQuery(nullptr, Wire(QueryFor("web.default.svc.cluster.local", kTypeA)), false, &out);
  ASSERT_EQ(out.action, Query::Action::kReply);
  EXPECT_EQ(ParseMessage(out.wire)->rcode, kServFail);
}

TEST_F(ResponderTest, LimitsFollowTransportAndEdns) {
  Query out;
  Message q = QueryFor("db.default.svc.cluster.local", kTypeA);
  HandleQuery(zone_.get(), Wire(q), false, &out);
  EXPECT_EQ(out.limit, 512u);
  EXPECT_LE(out.wire.size(), 512u);
  EXPECT_TRUE(ParseMessage(out.wire)->tc);
  HandleQuery(zone_.get(), Wire(q), true, &out);
  EXPECT_EQ(out.limit, 65535u);
  EXPECT_EQ(ParseMessage(out.wire)->answers.size(), 50u);
  q.edns = Edns{65000, 0, false, ""};
  HandleQuery(zone_.get(), Wire(q), false, &out);
  EXPECT_EQ(out.limit, 4096u);
  q.edns = Edns{0, 0, false, ""};
  HandleQuery(zone_.get(), Wire(q), false, &out);
  EXPECT_EQ(out.limit, 512u);
}

TEST_F(ResponderTest, ShufflesAddresses) {
  Message q = QueryFor("db.default.svc.cluster.local", kTypeA);
  std::set<std::string> firsts;
  for (int i = 0; i < 20; ++i) {
    Message r = Handle(q, true);
    ASSERT_EQ(r.answers.size(), 50u);
    firsts.insert(r.answers[0].data);
  }
  EXPECT_GT(firsts.size(), 1u);
}

TEST_F(ResponderTest, ForwardAndChase) {
  Query out;
  std::string q = Wire(QueryFor("example.com", kTypeA));
  HandleQuery(zone_.get(), q, false, &out);
  EXPECT_EQ(out.action, Query::Action::kForward);
  // No upstream answer: SERVFAIL echoing the question.
  auto fail = ParseMessage(FinishForward(q, std::nullopt, 512));
  ASSERT_TRUE(fail.ok());
  EXPECT_EQ(fail->rcode, kServFail);
  EXPECT_EQ(fail->id, 99);
  EXPECT_EQ(fail->questions.size(), 1u);
  // An upstream answer too large for the client is cut, with TC.
  Message big = QueryFor("example.com", kTypeA);
  big.qr = true;
  for (int i = 0; i < 100; ++i)
    big.answers.push_back(MakeA("example.com", 1, {1, 1, 1, static_cast<uint8_t>(i)}));
  std::string relayed = FinishForward(q, Wire(big), 512);
  EXPECT_LE(relayed.size(), 512u);
  EXPECT_TRUE(ParseMessage(relayed)->tc);
  EXPECT_EQ(FinishForward(q, Wire(big), 65535), Wire(big));

  HandleQuery(zone_.get(), Wire(QueryFor("ext.default.svc.cluster.local", kTypeA)), false, &out);
  ASSERT_EQ(out.action, Query::Action::kChase);
  EXPECT_EQ(out.chase, "example.com");
  EXPECT_EQ(out.qtype, kTypeA);
  Message up = QueryFor("example.com", kTypeA);
  up.qr = true;
  up.answers.push_back(MakeA("example.com", 300, {93, 184, 216, 34}));
  auto chased = ParseMessage(FinishChase(out.reply, Wire(up), out.limit));
  ASSERT_TRUE(chased.ok());
  ASSERT_EQ(chased->answers.size(), 2u);
  EXPECT_EQ(RecordToString(chased->answers[0]),
            "ext.default.svc.cluster.local. 30 IN CNAME example.com.");
  EXPECT_EQ(RecordToString(chased->answers[1]), "example.com. 300 IN A 93.184.216.34");
  EXPECT_EQ(chased->id, 99);
  // Upstream NXDOMAIN or nothing: the CNAME alone.
  up.answers.clear();
  up.rcode = kNxDomain;
  EXPECT_EQ(ParseMessage(FinishChase(out.reply, Wire(up), out.limit))->answers.size(), 1u);
  EXPECT_EQ(ParseMessage(FinishChase(out.reply, std::nullopt, out.limit))->answers.size(), 1u);
  EXPECT_EQ(ParseMessage(FinishChase(out.reply, std::string("junk"), out.limit))->answers.size(),
            1u);
}

TEST_F(ResponderTest, MakeQuery) {
  auto m = ParseMessage(MakeQuery("example.com", kTypeAaaa));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->rd);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].type, kTypeAaaa);
  EXPECT_TRUE(MakeQuery(std::string(300, 'a'), kTypeA).empty());
}

}  // namespace
}  // namespace minik::netproxy::dns
