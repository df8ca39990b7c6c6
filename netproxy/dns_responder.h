// The socket-free half of the DNS server: what to send back for one query (a UDP datagram or
// a TCP frame), and how to finish a query that needed the upstreams.
//
// Rules (as CoreDNS's server with kubeadm's Corefile):
//  - Replies (QR set) and inputs shorter than a header are dropped. Other malformed
//    messages are FORMERR (the header's ID, opcode and RD echoed, no question); an opcode
//    other than QUERY is NOTIMP; not exactly one question is FORMERR; an EDNS version other
//    than 0 is BADVERS.
//  - The reply echoes ID, opcode, RD, CD and the question; an OPT record (our 4096-byte
//    size, the query's DO bit) when the query had one. UDP replies are cut to 512 bytes, or
//    the query's EDNS size between 512 and 4096, with TC set.
//  - Address records of a cluster answer are shuffled (after the CNAMEs), as CoreDNS's
//    `loadbalance` plugin does.
//  - No zone yet (informers not synced): SERVFAIL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "netproxy/dns_message.h"
#include "netproxy/dns_zone.h"

namespace minik::netproxy::dns {

inline constexpr uint16_t kOurUdpSize = 4096;

struct Query {
  enum class Action {
    kDrop,
    kReply,    // send `wire`
    kForward,  // send the query to the upstreams; relay their reply with FinishForward
    kChase,    // resolve `chase` (type `qtype`) upstream, then FinishChase
  };
  Action action = Action::kDrop;
  std::string wire;
  Message reply;  // kChase: the reply so far
  std::string chase;
  uint16_t qtype = 0;
  size_t limit = kMaxUdpClassic;  // the largest reply this client takes
};

// Decides what to do with `wire` (received over TCP when `tcp`). `zone` may be null.
void HandleQuery(const ZoneSnapshot* zone, std::string_view wire, bool tcp, Query* out);

// The reply to send for a forwarded query: the upstream's (cut to the client's limit, TC
// set, when it is larger), or SERVFAIL when there is none.
std::string FinishForward(std::string_view query, const std::optional<std::string>& upstream,
                          size_t limit);

// The reply to send for a chase: the CNAME chain plus the upstream's answers (the CNAME chain
// alone when the upstream failed or its reply does not parse).
std::string FinishChase(Message reply, const std::optional<std::string>& upstream, size_t limit);

// A query for `name`/`type` with RD set and a zero ID (the forwarder picks one).
std::string MakeQuery(const std::string& name, uint16_t type);

}  // namespace minik::netproxy::dns
