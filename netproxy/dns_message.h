// DNS messages (RFC 1035, EDNS0 of RFC 6891): parsing and encoding for the cluster DNS server.
//
// Names are held in presentation form without the trailing dot ("web.default.svc.cluster.local",
// the root is ""), in the case they arrived in. Label bytes that are not printable, '.' and '\'
// are escaped as dig shows them ("\046", "\\."), so a label can never be mistaken for two.
//
// Contract:
//  - ParseMessage never crashes, loops or reads past the input, whatever the bytes: names are
//    followed through at most kMaxPointers compression pointers, each pointing strictly
//    backwards, labels are at most 63 bytes, names at most 255 wire bytes, and section counts
//    are checked against the bytes that are there. Malformed input is a BadRequest Status.
//  - EncodeMessage compresses owner names and the names inside CNAME/PTR/NS/SOA data (not SRV
//    targets, RFC 2782). With a size limit it keeps whole records that fit (the OPT record is
//    always kept) and sets TC when any record was left out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"

namespace minik::netproxy::dns {

enum Type : uint16_t {
  kTypeA = 1,
  kTypeNs = 2,
  kTypeCname = 5,
  kTypeSoa = 6,
  kTypePtr = 12,
  kTypeMx = 15,
  kTypeTxt = 16,
  kTypeAaaa = 28,
  kTypeSrv = 33,
  kTypeOpt = 41,
  kTypeIxfr = 251,
  kTypeAxfr = 252,
  kTypeAny = 255,
};

enum Rcode : uint16_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNxDomain = 3,
  kNotImp = 4,
  kRefused = 5,
  kBadVers = 16,  // extended (EDNS): only with an OPT record
};

inline constexpr uint16_t kClassIn = 1;
inline constexpr uint16_t kClassAny = 255;
inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxNameWire = 255;
inline constexpr size_t kMaxLabel = 63;
inline constexpr int kMaxPointers = 64;
inline constexpr size_t kMaxUdpClassic = 512;

struct Question {
  std::string name;
  uint16_t type = 0;
  uint16_t klass = kClassIn;
};

// One resource record. Which fields carry the RDATA depends on the type; other types keep
// their RDATA raw in `data` (so they can be parsed and re-encoded unchanged).
struct Record {
  std::string name;
  uint16_t type = 0;
  uint16_t klass = kClassIn;
  uint32_t ttl = 0;
  std::string data;    // A: 4 bytes, AAAA: 16 bytes, TXT and unknown types: raw RDATA
  std::string target;  // CNAME, PTR, NS, SRV target; SOA mname
  std::string mbox;    // SOA rname
  uint16_t priority = 0, weight = 0, port = 0;  // SRV (MX: priority is the preference)
  uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;  // SOA
};

// The OPT pseudo-record of EDNS0.
struct Edns {
  uint16_t udp_size = kMaxUdpClassic;
  uint8_t version = 0;
  bool dnssec_ok = false;
  std::string options;  // raw option TLVs
};

struct Message {
  uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  uint8_t opcode = 0;
  uint16_t rcode = 0;  // 12 bits: the low 4 in the header, the rest in the OPT record
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;  // `additional` without the OPT record
  std::optional<Edns> edns;
};

// The fixed header, readable from any input of at least 12 bytes.
struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  bool qr() const { return flags & 0x8000; }
  uint8_t opcode() const { return (flags >> 11) & 0xf; }
  bool rd() const { return flags & 0x0100; }
  bool cd() const { return flags & 0x0010; }
};
std::optional<Header> ReadHeader(std::string_view wire);

StatusOr<Message> ParseMessage(std::string_view wire);

// Encodes `msg` into `out` (replacing its contents). `max_size` below 12 + the question and
// OPT record still yields them, with TC set. Fails only on names that cannot be encoded
// (an empty label, a label over 63 bytes, a name over 255 bytes, a bad escape).
Status EncodeMessage(const Message& msg, std::string* out, size_t max_size = 65535);

// Name helpers.
std::string LowerAscii(std::string_view s);
bool NameEquals(std::string_view a, std::string_view b);  // ASCII case-insensitive
// True when `name` is `zone` or below it (case-insensitive). The zone "" holds every name.
bool IsSubdomain(std::string_view name, std::string_view zone);
// Splits a presentation name into its labels, escapes kept (so "a\.b.c" is two labels).
std::vector<std::string_view> SplitLabels(std::string_view name);
// Checks a presentation name: labels 1..63 bytes, at most 255 wire bytes, valid escapes.
Status ValidateName(std::string_view name);

// Record builders.
Record MakeA(std::string name, uint32_t ttl, const std::array<uint8_t, 4>& ip);
Record MakeAaaa(std::string name, uint32_t ttl, const std::array<uint8_t, 16>& ip);
Record MakeNameRecord(uint16_t type, std::string name, uint32_t ttl, std::string target);
Record MakeSrv(std::string name, uint32_t ttl, uint16_t priority, uint16_t weight, uint16_t port,
               std::string target);
Record MakeTxt(std::string name, uint32_t ttl, std::string_view text);

// "web.default.svc.cluster.local. 30 IN A 10.96.0.1" (dig's style), for tests and logs.
std::string RecordToString(const Record& rr);
std::string TypeName(uint16_t type);

}  // namespace minik::netproxy::dns
