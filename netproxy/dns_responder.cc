#include "netproxy/dns_responder.h"

#include <algorithm>
#include <random>

namespace minik::netproxy::dns {
namespace {

// A reply carrying only a header (FORMERR for what could not be parsed).
std::string HeaderOnly(const Header& h, uint16_t rcode) {
  std::string out(kHeaderSize, '\0');
  out[0] = static_cast<char>(h.id >> 8);
  out[1] = static_cast<char>(h.id & 0xff);
  const uint16_t flags = static_cast<uint16_t>(0x8000 | (h.flags & 0x7900) | (rcode & 0xf));
  out[2] = static_cast<char>(flags >> 8);
  out[3] = static_cast<char>(flags & 0xff);
  return out;
}

Message ReplyTo(const Message& q) {
  Message r;
  r.id = q.id;
  r.qr = true;
  r.opcode = q.opcode;
  r.rd = q.rd;
  r.cd = q.cd;
  r.questions = q.questions;
  if (q.edns) {
    Edns e;
    e.udp_size = kOurUdpSize;
    e.dnssec_ok = q.edns->dnssec_ok;
    r.edns = e;
  }
  return r;
}

size_t LimitOf(const Message& q, bool tcp) {
  if (tcp) return 65535;
  if (!q.edns) return kMaxUdpClassic;
  return std::clamp<size_t>(q.edns->udp_size, kMaxUdpClassic, kOurUdpSize);
}

void Reply(const Message& m, size_t limit, Query* out) {
  out->action = Query::Action::kReply;
  if (!EncodeMessage(m, &out->wire, limit).ok()) {
    // Names from the cluster that do not fit the DNS (a too long cluster domain): SERVFAIL.
    Message fail = m;
    fail.answers.clear();
    fail.authority.clear();
    fail.additional.clear();
    fail.rcode = kServFail;
    fail.aa = false;
    if (!EncodeMessage(fail, &out->wire, limit).ok()) out->action = Query::Action::kDrop;
  }
}

// kubeadm's Corefile has `loadbalance`: the address records of an answer come in random
// order (after the CNAMEs), so clients that take the first one spread over the endpoints.
void ShuffleAddresses(std::vector<Record>* answers) {
  if (answers->size() < 2) return;
  auto first = std::stable_partition(answers->begin(), answers->end(), [](const Record& rr) {
    return rr.type != kTypeA && rr.type != kTypeAaaa;
  });
  const size_t n = static_cast<size_t>(answers->end() - first);
  if (n < 2) return;
  thread_local std::minstd_rand rng(std::random_device{}());
  std::shuffle(first, answers->end(), rng);
}

}  // namespace

void HandleQuery(const ZoneSnapshot* zone, std::string_view wire, bool tcp, Query* out) {
  out->action = Query::Action::kDrop;
  out->chase.clear();
  std::optional<Header> h = ReadHeader(wire);
  if (!h || h->qr()) return;
  StatusOr<Message> parsed = ParseMessage(wire);
  if (!parsed.ok()) {
    out->action = Query::Action::kReply;
    out->wire = HeaderOnly(*h, kFormErr);
    return;
  }
  const Message& q = *parsed;
  out->limit = LimitOf(q, tcp);
  Message& r = out->reply;
  r = ReplyTo(q);
  if (q.opcode != 0) {
    r.rcode = kNotImp;
    return Reply(r, out->limit, out);
  }
  if (q.questions.size() != 1) {
    r.questions.clear();
    r.rcode = kFormErr;
    return Reply(r, out->limit, out);
  }
  if (q.edns && q.edns->version != 0) {
    r.rcode = kBadVers;
    return Reply(r, out->limit, out);
  }
  if (!zone) {
    r.rcode = kServFail;
    return Reply(r, out->limit, out);
  }
  out->qtype = q.questions[0].type;
  switch (zone->Answer(q.questions[0], &r, &out->chase)) {
    case Disposition::kAnswered:
      ShuffleAddresses(&r.answers);
      return Reply(r, out->limit, out);
    case Disposition::kForward:
      out->action = Query::Action::kForward;
      return;
    case Disposition::kChase:
      out->action = Query::Action::kChase;
      return;
  }
}

std::string FinishForward(std::string_view query, const std::optional<std::string>& upstream,
                          size_t limit) {
  std::string out;
  if (upstream) {
    if (upstream->size() <= limit) return *upstream;
    StatusOr<Message> m = ParseMessage(*upstream);
    if (m.ok() && EncodeMessage(*m, &out, limit).ok()) return out;
  }
  StatusOr<Message> q = ParseMessage(query);
  if (!q.ok()) return out;  // cannot happen: HandleQuery parsed it
  Message r = ReplyTo(*q);
  r.rcode = kServFail;
  if (!EncodeMessage(r, &out, limit).ok()) out.clear();
  return out;
}

std::string FinishChase(Message reply, const std::optional<std::string>& upstream, size_t limit) {
  if (upstream) {
    StatusOr<Message> m = ParseMessage(*upstream);
    if (m.ok() && m->rcode == kNoError)
      for (Record& rr : m->answers) reply.answers.push_back(std::move(rr));
  }
  std::string out;
  if (!EncodeMessage(reply, &out, limit).ok()) out.clear();
  return out;
}

std::string MakeQuery(const std::string& name, uint16_t type) {
  Message q;
  q.rd = true;
  q.questions.push_back({name, type, kClassIn});
  std::string out;
  if (!EncodeMessage(q, &out).ok()) out.clear();
  return out;
}

}  // namespace minik::netproxy::dns
