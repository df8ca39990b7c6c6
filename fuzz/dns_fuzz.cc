// Fuzzes the DNS server's input path: ParseMessage on hostile bytes, EncodeMessage of what was
// parsed (with and without a size limit), HandleQuery answering from a small cluster zone, and
// the same bytes taken as an upstream's reply (relayed, cached, served from the cache).
// Input: [flags byte][limit u16] then the message.
// Checks: nothing crashes, loops or reads out of bounds; a parsed message encodes, and the
// encoding parses back to a message that encodes to the same bytes (canonical form); a limited
// encoding stays within the limit whenever the header, question and OPT fit, and parses; every
// reply the server would send parses, is a reply (QR) with the query's ID, fits the client's
// limit over UDP, and answers only the question asked.
#include <algorithm>
#include <chrono>
#include <string>

#include "fuzz/fuzz_input.h"
#include "netproxy/dns_cache.h"
#include "netproxy/dns_message.h"
#include "netproxy/dns_responder.h"
#include "netproxy/dns_zone.h"

namespace minik::netproxy::dns {
namespace {

const ZoneSnapshot& TestZone() {
  static const std::shared_ptr<const ZoneSnapshot> zone = [] {
    static const std::vector<Json> objs = {
        Json::parse(R"({"metadata":{"name":"default"}})"),
        Json::parse(R"({"metadata":{"name":"web","namespace":"default"},
            "spec":{"clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}})"),
        Json::parse(R"({"metadata":{"name":"db","namespace":"default"},
            "spec":{"clusterIP":"None","ports":[{"name":"pg","port":5432}]}})"),
        Json::parse(R"({"metadata":{"name":"ext","namespace":"default"},
            "spec":{"type":"ExternalName","externalName":"example.com"}})"),
        Json::parse(R"({"metadata":{"name":"alias","namespace":"default"},
            "spec":{"type":"ExternalName","externalName":"web.default.svc.cluster.local"}})"),
        Json::parse(R"({"metadata":{"name":"loop","namespace":"default"},
            "spec":{"type":"ExternalName","externalName":"loop.default.svc.cluster.local"}})"),
        Json::parse(R"({"metadata":{"name":"db-x","namespace":"default",
            "labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4",
            "endpoints":[{"addresses":["10.244.0.5"],"hostname":"db-0"},{"addresses":["10.244.0.6"]},
                         {"addresses":["fd00::7"]}],
            "ports":[{"name":"pg","port":5432,"protocol":"TCP"}]})"),
    };
    std::vector<const Json*> ns = {&objs[0]};
    std::vector<const Json*> svcs = {&objs[1], &objs[2], &objs[3], &objs[4], &objs[5]};
    std::vector<const Json*> slices = {&objs[6]};
    return ZoneSnapshot::Build(ZoneOptions{}, ns, svcs, slices, 1);
  }();
  return *zone;
}

void CheckCodec(std::string_view wire, size_t limit) {
  StatusOr<Message> m = ParseMessage(wire);
  if (!m.ok()) {
    FUZZ_CHECK(m.status().code() == Code::kBadRequest);
    return;
  }
  std::string once;
  FUZZ_CHECK(EncodeMessage(*m, &once).ok());
  StatusOr<Message> again = ParseMessage(once);
  FUZZ_CHECK(again.ok());
  std::string twice;
  FUZZ_CHECK(EncodeMessage(*again, &twice).ok());
  FUZZ_CHECK(once == twice);

  // The fixed part: header, questions and OPT, always written.
  Message fixed = *m;
  fixed.answers.clear();
  fixed.authority.clear();
  fixed.additional.clear();
  std::string base;
  FUZZ_CHECK(EncodeMessage(fixed, &base).ok());
  std::string limited;
  FUZZ_CHECK(EncodeMessage(*m, &limited, limit).ok());
  if (base.size() <= limit) FUZZ_CHECK(limited.size() <= limit);
  StatusOr<Message> cut = ParseMessage(limited);
  FUZZ_CHECK(cut.ok());
  FUZZ_CHECK(cut->answers.size() <= m->answers.size());
  if (limited.size() < once.size() && cut->answers.size() < m->answers.size()) FUZZ_CHECK(cut->tc);
}

void CheckServer(std::string_view wire, bool tcp) {
  Query q;
  HandleQuery(&TestZone(), wire, tcp, &q);
  std::optional<Header> h = ReadHeader(wire);
  if (!h || h->qr()) {
    FUZZ_CHECK(q.action == Query::Action::kDrop);
    return;
  }
  if (q.action == Query::Action::kForward) {
    FUZZ_CHECK(ParseMessage(wire).ok());
    // A failed upstream gives SERVFAIL, a too large upstream reply is cut to the limit.
    std::string fail = FinishForward(wire, std::nullopt, q.limit);
    StatusOr<Message> m = ParseMessage(fail);
    FUZZ_CHECK(m.ok());
    FUZZ_CHECK(m->rcode == kServFail && m->id == h->id);
    return;
  }
  std::string reply = q.wire;
  if (q.action == Query::Action::kChase) {
    FUZZ_CHECK(!q.chase.empty());
    reply = FinishChase(q.reply, std::nullopt, q.limit);
  }
  FUZZ_CHECK(q.action != Query::Action::kDrop);
  StatusOr<Message> m = ParseMessage(reply);
  FUZZ_CHECK(m.ok());
  FUZZ_CHECK(m->qr);
  FUZZ_CHECK(m->id == h->id);
  if (!tcp) FUZZ_CHECK(reply.size() <= kOurUdpSize);
  StatusOr<Message> query = ParseMessage(wire);
  if (query.ok() && query->questions.size() == 1 && m->questions.size() == 1) {
    FUZZ_CHECK(m->questions[0].name == query->questions[0].name);
    for (const Record& rr : m->answers) FUZZ_CHECK(rr.klass == kClassIn);
  }
}

void CheckUpstreamReply(std::string_view wire, size_t limit) {
  StatusOr<Message> m = ParseMessage(wire);
  if (!m.ok() || m->questions.size() != 1) return;
  const std::string query = MakeQuery(m->questions[0].name, m->questions[0].type);
  if (query.empty()) return;
  limit = std::max(limit, kMaxUdpClassic);
  const std::string relayed = FinishForward(query, std::string(wire), limit);
  FUZZ_CHECK(ParseMessage(relayed).ok());
  AnswerCache cache(4);
  const auto t0 = std::chrono::steady_clock::time_point{};
  cache.Insert(query, wire, t0);
  std::optional<std::string> hit = cache.Lookup(query, t0 + std::chrono::seconds(1));
  if (hit) {
    StatusOr<Message> cached = ParseMessage(*hit);
    FUZZ_CHECK(cached.ok());
    FUZZ_CHECK(cached->id == 0);  // MakeQuery's
    FUZZ_CHECK(!cached->tc);
    FUZZ_CHECK(cached->rcode == kNoError || cached->rcode == kNxDomain);
  }
}

void Run(fuzz::FuzzInput& in) {
  const uint8_t flags = in.Byte();
  const size_t limit = in.U16();
  const std::string_view wire = in.Rest();
  CheckCodec(wire, limit);
  CheckServer(wire, flags & 1);
  CheckUpstreamReply(wire, limit);
}

}  // namespace
}  // namespace minik::netproxy::dns

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::netproxy::dns::Run(in);
  return 0;
}
