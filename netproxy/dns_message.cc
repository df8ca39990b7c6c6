#include "netproxy/dns_message.h"

#include <arpa/inet.h>

#include <cstring>

namespace minik::netproxy::dns {
namespace {

uint16_t Get16(std::string_view w, size_t p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(w[p]) << 8 | static_cast<uint8_t>(w[p + 1]));
}
uint32_t Get32(std::string_view w, size_t p) {
  return static_cast<uint32_t>(Get16(w, p)) << 16 | Get16(w, p + 2);
}
void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}
void Put32(std::string* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}
void Set16(std::string* out, size_t p, uint16_t v) {
  (*out)[p] = static_cast<char>(v >> 8);
  (*out)[p + 1] = static_cast<char>(v & 0xff);
}

Status Malformed(const char* what) {
  return BadRequest(std::string("malformed DNS message: ") + what);
}

// Appends one wire label in presentation form.
void AppendLabel(std::string_view label, std::string* out) {
  for (char c : label) {
    const auto u = static_cast<uint8_t>(c);
    if (c == '.' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x21 || u > 0x7e) {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\%03u", u);
      out->append(buf, 4);
    } else {
      out->push_back(c);
    }
  }
}

// Reads a (possibly compressed) name at *pos; *pos moves past its bytes in place.
Status ReadName(std::string_view w, size_t* pos, std::string* out) {
  out->clear();
  size_t p = *pos;
  size_t lowest = p;  // every pointer must go below every position visited before: no loops
  bool jumped = false;
  int pointers = 0;
  size_t wire_len = 1;
  while (true) {
    if (p >= w.size()) return Malformed("name runs past the end");
    const auto len = static_cast<uint8_t>(w[p]);
    if ((len & 0xc0) == 0xc0) {
      if (p + 1 >= w.size()) return Malformed("truncated compression pointer");
      const size_t target = static_cast<size_t>(len & 0x3f) << 8 | static_cast<uint8_t>(w[p + 1]);
      if (!jumped) *pos = p + 2;
      jumped = true;
      if (++pointers > kMaxPointers) return Malformed("too many compression pointers");
      if (target >= lowest) return Malformed("compression pointer does not point backwards");
      lowest = target;
      p = target;
      continue;
    }
    if ((len & 0xc0) != 0) return Malformed("unknown label type");
    if (len == 0) {
      if (!jumped) *pos = p + 1;
      return Status::Ok();
    }
    if (p + 1 + len > w.size()) return Malformed("label runs past the end");
    wire_len += len + 1u;
    if (wire_len > kMaxNameWire) return Malformed("name longer than 255 bytes");
    if (!out->empty()) out->push_back('.');
    AppendLabel(w.substr(p + 1, len), out);
    p += 1 + len;
  }
}

// Decodes one presentation label (escapes resolved) into `out`; false on a bad escape.
bool DecodeLabel(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 1 >= text.size()) return false;
    if (text[i + 1] >= '0' && text[i + 1] <= '9') {
      if (i + 3 >= text.size()) return false;
      int v = 0;
      for (size_t k = 1; k <= 3; ++k) {
        const char d = text[i + k];
        if (d < '0' || d > '9') return false;
        v = v * 10 + (d - '0');
      }
      if (v > 255) return false;
      out->push_back(static_cast<char>(v));
      i += 3;
    } else {
      out->push_back(text[i + 1]);
      i += 1;
    }
  }
  return true;
}

std::string_view StripRootDot(std::string_view name) {
  if (name.size() >= 1 && name.back() == '.') {
    // A trailing dot is the root unless it is escaped ("a\." ends in a label dot).
    size_t backslashes = 0;
    for (size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 0) name.remove_suffix(1);
  }
  return name;
}

uint32_t Hash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  Status Name(std::string_view name, bool compress) {
    name = StripRootDot(name);
    if (name.empty()) {
      out_->push_back('\0');
      return Status::Ok();
    }
    labels_.clear();
    size_t start = 0;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == '\\') {
        ++i;  // the escaped character (or the end: DecodeLabel rejects a lone '\')
      } else if (name[i] == '.') {
        labels_.push_back({start, i});
        start = i + 1;
      }
    }
    labels_.push_back({start, name.size()});
    // Check and measure the whole name first, so a failure writes nothing.
    size_t wire_len = 1;
    decoded_.resize(labels_.size());
    for (size_t i = 0; i < labels_.size(); ++i) {
      std::string_view text = name.substr(labels_[i].first, labels_[i].second - labels_[i].first);
      if (!DecodeLabel(text, &decoded_[i]))
        return BadRequest("bad escape in name " + std::string(name));
      if (decoded_[i].empty()) return BadRequest("empty label in name " + std::string(name));
      if (decoded_[i].size() > kMaxLabel) return BadRequest("label longer than 63 bytes");
      wire_len += decoded_[i].size() + 1;
    }
    if (wire_len > kMaxNameWire) return BadRequest("name longer than 255 bytes");
    for (size_t i = 0; i < labels_.size(); ++i) {
      std::string_view suffix = name.substr(labels_[i].first);
      if (compress) {
        const uint32_t h = Hash(suffix);
        for (const Suffix& s : table_) {
          if (s.hash == h && s.text == suffix) {
            Put16(out_, static_cast<uint16_t>(0xc000 | s.offset));
            return Status::Ok();
          }
        }
        if (out_->size() < 0x4000)
          table_.push_back({suffix, h, static_cast<uint16_t>(out_->size())});
      }
      out_->push_back(static_cast<char>(decoded_[i].size()));
      out_->append(decoded_[i]);
    }
    out_->push_back('\0');
    return Status::Ok();
  }

  // Forgets compression targets at or after `size` (the bytes were dropped).
  void Rollback(size_t size) {
    out_->resize(size);
    while (!table_.empty() && table_.back().offset >= size) table_.pop_back();
  }

  Status Record(const dns::Record& rr) {
    MINIK_RETURN_IF_ERROR(Name(rr.name, true));
    Put16(out_, rr.type);
    Put16(out_, rr.klass);
    Put32(out_, rr.ttl);
    const size_t len_at = out_->size();
    Put16(out_, 0);
    switch (rr.type) {
      case kTypeCname:
      case kTypePtr:
      case kTypeNs:
        MINIK_RETURN_IF_ERROR(Name(rr.target, true));
        break;
      case kTypeSoa:
        MINIK_RETURN_IF_ERROR(Name(rr.target, true));
        MINIK_RETURN_IF_ERROR(Name(rr.mbox, true));
        Put32(out_, rr.serial);
        Put32(out_, rr.refresh);
        Put32(out_, rr.retry);
        Put32(out_, rr.expire);
        Put32(out_, rr.minimum);
        break;
      case kTypeSrv:
        Put16(out_, rr.priority);
        Put16(out_, rr.weight);
        Put16(out_, rr.port);
        MINIK_RETURN_IF_ERROR(Name(rr.target, false));
        break;
      case kTypeMx:
        Put16(out_, rr.priority);
        MINIK_RETURN_IF_ERROR(Name(rr.target, true));
        break;
      default:
        if (rr.data.size() > 0xffff) return BadRequest("record data longer than 65535 bytes");
        out_->append(rr.data);
    }
    const size_t len = out_->size() - len_at - 2;
    if (len > 0xffff) return BadRequest("record data longer than 65535 bytes");
    Set16(out_, len_at, static_cast<uint16_t>(len));
    return Status::Ok();
  }

 private:
  struct Suffix {
    std::string_view text;
    uint32_t hash;
    uint16_t offset;
  };
  std::string* out_;
  std::vector<Suffix> table_;
  std::vector<std::pair<size_t, size_t>> labels_;
  std::vector<std::string> decoded_;
};

Status ReadRecord(std::string_view w, size_t* pos, Record* rr) {
  MINIK_RETURN_IF_ERROR(ReadName(w, pos, &rr->name));
  if (*pos + 10 > w.size()) return Malformed("record header runs past the end");
  rr->type = Get16(w, *pos);
  rr->klass = Get16(w, *pos + 2);
  rr->ttl = Get32(w, *pos + 4);
  const size_t rdlen = Get16(w, *pos + 8);
  *pos += 10;
  if (*pos + rdlen > w.size()) return Malformed("record data runs past the end");
  const size_t end = *pos + rdlen;
  size_t p = *pos;
  // The names inside RDATA may point anywhere before them, but must end inside the RDATA.
  std::string_view bounded = w.substr(0, end);
  switch (rr->type) {
    case kTypeA:
      if (rdlen != 4) return Malformed("A record data is not 4 bytes");
      rr->data.assign(w.substr(p, 4));
      p = end;
      break;
    case kTypeAaaa:
      if (rdlen != 16) return Malformed("AAAA record data is not 16 bytes");
      rr->data.assign(w.substr(p, 16));
      p = end;
      break;
    case kTypeCname:
    case kTypePtr:
    case kTypeNs:
      MINIK_RETURN_IF_ERROR(ReadName(bounded, &p, &rr->target));
      break;
    case kTypeSoa:
      MINIK_RETURN_IF_ERROR(ReadName(bounded, &p, &rr->target));
      MINIK_RETURN_IF_ERROR(ReadName(bounded, &p, &rr->mbox));
      if (p + 20 > end) return Malformed("SOA record data too short");
      rr->serial = Get32(w, p);
      rr->refresh = Get32(w, p + 4);
      rr->retry = Get32(w, p + 8);
      rr->expire = Get32(w, p + 12);
      rr->minimum = Get32(w, p + 16);
      p += 20;
      break;
    case kTypeSrv:
      if (rdlen < 7) return Malformed("SRV record data too short");
      rr->priority = Get16(w, p);
      rr->weight = Get16(w, p + 2);
      rr->port = Get16(w, p + 4);
      p += 6;
      MINIK_RETURN_IF_ERROR(ReadName(bounded, &p, &rr->target));
      break;
    case kTypeMx:
      if (rdlen < 3) return Malformed("MX record data too short");
      rr->priority = Get16(w, p);
      p += 2;
      MINIK_RETURN_IF_ERROR(ReadName(bounded, &p, &rr->target));
      break;
    default:
      rr->data.assign(w.substr(p, rdlen));
      p = end;
  }
  if (p != end) return Malformed("record data length does not match its contents");
  *pos = end;
  return Status::Ok();
}

}  // namespace

std::optional<Header> ReadHeader(std::string_view w) {
  if (w.size() < kHeaderSize) return std::nullopt;
  Header h;
  h.id = Get16(w, 0);
  h.flags = Get16(w, 2);
  h.qdcount = Get16(w, 4);
  h.ancount = Get16(w, 6);
  h.nscount = Get16(w, 8);
  h.arcount = Get16(w, 10);
  return h;
}

StatusOr<Message> ParseMessage(std::string_view w) {
  std::optional<Header> h = ReadHeader(w);
  if (!h) return Malformed("shorter than its header");
  Message m;
  m.id = h->id;
  m.qr = h->flags & 0x8000;
  m.opcode = h->opcode();
  m.aa = h->flags & 0x0400;
  m.tc = h->flags & 0x0200;
  m.rd = h->flags & 0x0100;
  m.ra = h->flags & 0x0080;
  m.ad = h->flags & 0x0020;
  m.cd = h->flags & 0x0010;
  m.rcode = h->flags & 0xf;
  // Each question takes at least 5 bytes and each record 11: counts beyond what the packet
  // can hold are malformed before anything is allocated for them.
  const size_t body = w.size() - kHeaderSize;
  if (size_t{h->qdcount} * 5 + (size_t{h->ancount} + h->nscount + h->arcount) * 11 > body)
    return Malformed("section counts larger than the message");
  size_t pos = kHeaderSize;
  m.questions.resize(h->qdcount);
  for (Question& q : m.questions) {
    MINIK_RETURN_IF_ERROR(ReadName(w, &pos, &q.name));
    if (pos + 4 > w.size()) return Malformed("question runs past the end");
    q.type = Get16(w, pos);
    q.klass = Get16(w, pos + 2);
    pos += 4;
  }
  struct Section {
    uint16_t count;
    std::vector<Record>* records;
  } sections[] = {
      {h->ancount, &m.answers}, {h->nscount, &m.authority}, {h->arcount, &m.additional}};
  for (const Section& s : sections) {
    s.records->reserve(s.count);
    for (uint16_t i = 0; i < s.count; ++i) {
      Record rr;
      MINIK_RETURN_IF_ERROR(ReadRecord(w, &pos, &rr));
      if (rr.type != kTypeOpt) {
        s.records->push_back(std::move(rr));
        continue;
      }
      if (s.records != &m.additional) return Malformed("OPT record outside the additional section");
      if (m.edns) return Malformed("more than one OPT record");
      if (!rr.name.empty()) return Malformed("OPT record not owned by the root");
      Edns e;
      e.udp_size = rr.klass;
      e.version = static_cast<uint8_t>(rr.ttl >> 16);
      e.dnssec_ok = rr.ttl & 0x8000;
      e.options = std::move(rr.data);
      m.rcode = static_cast<uint16_t>(m.rcode | (rr.ttl >> 24) << 4);
      m.edns = std::move(e);
    }
  }
  return m;
}

Status EncodeMessage(const Message& m, std::string* out, size_t max_size) {
  out->clear();
  Writer w(out);
  Put16(out, m.id);
  uint16_t flags = static_cast<uint16_t>((m.opcode & 0xf) << 11 | (m.rcode & 0xf));
  if (m.qr) flags |= 0x8000;
  if (m.aa) flags |= 0x0400;
  if (m.rd) flags |= 0x0100;
  if (m.ra) flags |= 0x0080;
  if (m.ad) flags |= 0x0020;
  if (m.cd) flags |= 0x0010;
  Put16(out, flags);
  if (m.questions.size() > 0xffff) return BadRequest("too many questions");
  Put16(out, static_cast<uint16_t>(m.questions.size()));
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, 0);
  for (const Question& q : m.questions) {
    MINIK_RETURN_IF_ERROR(w.Name(q.name, true));
    Put16(out, q.type);
    Put16(out, q.klass);
  }
  const size_t opt_size = m.edns ? 11 + m.edns->options.size() : 0;
  bool truncated = m.tc;
  bool full = false;
  uint16_t counts[3] = {0, 0, 0};
  const std::vector<Record>* sections[] = {&m.answers, &m.authority, &m.additional};
  for (int s = 0; s < 3 && !full; ++s) {
    for (const Record& rr : *sections[s]) {
      const size_t mark = out->size();
      Status st = w.Record(rr);
      if (!st.ok()) {
        w.Rollback(mark);
        return st;
      }
      if (out->size() + opt_size > max_size || counts[s] == 0xffff) {
        w.Rollback(mark);
        // Missing additional data does not make an answer incomplete (RFC 2181 9).
        if (s < 2) truncated = true;
        full = true;
        break;
      }
      ++counts[s];
    }
  }
  uint16_t arcount = counts[2];
  if (m.edns) {
    const Edns& e = *m.edns;
    out->push_back('\0');
    Put16(out, kTypeOpt);
    Put16(out, e.udp_size);
    Put32(out, static_cast<uint32_t>((m.rcode >> 4) & 0xff) << 24 |
                   static_cast<uint32_t>(e.version) << 16 | (e.dnssec_ok ? 0x8000u : 0u));
    if (e.options.size() > 0xffff) return BadRequest("EDNS options longer than 65535 bytes");
    Put16(out, static_cast<uint16_t>(e.options.size()));
    out->append(e.options);
    ++arcount;
  }
  if (truncated) Set16(out, 2, flags | 0x0200);
  Set16(out, 6, counts[0]);
  Set16(out, 8, counts[1]);
  Set16(out, 10, arcount);
  return Status::Ok();
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

bool NameEquals(std::string_view a, std::string_view b) {
  a = StripRootDot(a);
  b = StripRootDot(b);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool IsSubdomain(std::string_view name, std::string_view zone) {
  name = StripRootDot(name);
  zone = StripRootDot(zone);
  if (zone.empty()) return true;
  if (name.size() < zone.size()) return false;
  if (!NameEquals(name.substr(name.size() - zone.size()), zone)) return false;
  if (name.size() == zone.size()) return true;
  // The zone must start at a label boundary: an unescaped dot right before it.
  const size_t dot = name.size() - zone.size() - 1;
  if (name[dot] != '.') return false;
  size_t backslashes = 0;
  for (size_t i = dot; i > 0 && name[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

std::vector<std::string_view> SplitLabels(std::string_view name) {
  name = StripRootDot(name);
  std::vector<std::string_view> out;
  if (name.empty()) return out;
  size_t start = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '.') {
      out.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(name.substr(std::min(start, name.size())));
  return out;
}

Status ValidateName(std::string_view name) {
  std::string scratch;
  Writer w(&scratch);
  return w.Name(name, false);
}

Record MakeA(std::string name, uint32_t ttl, const std::array<uint8_t, 4>& ip) {
  Record rr;
  rr.name = std::move(name);
  rr.type = kTypeA;
  rr.ttl = ttl;
  rr.data.assign(reinterpret_cast<const char*>(ip.data()), ip.size());
  return rr;
}

Record MakeAaaa(std::string name, uint32_t ttl, const std::array<uint8_t, 16>& ip) {
  Record rr;
  rr.name = std::move(name);
  rr.type = kTypeAaaa;
  rr.ttl = ttl;
  rr.data.assign(reinterpret_cast<const char*>(ip.data()), ip.size());
  return rr;
}

Record MakeNameRecord(uint16_t type, std::string name, uint32_t ttl, std::string target) {
  Record rr;
  rr.name = std::move(name);
  rr.type = type;
  rr.ttl = ttl;
  rr.target = std::move(target);
  return rr;
}

Record MakeSrv(std::string name, uint32_t ttl, uint16_t priority, uint16_t weight, uint16_t port,
               std::string target) {
  Record rr = MakeNameRecord(kTypeSrv, std::move(name), ttl, std::move(target));
  rr.priority = priority;
  rr.weight = weight;
  rr.port = port;
  return rr;
}

Record MakeTxt(std::string name, uint32_t ttl, std::string_view text) {
  Record rr;
  rr.name = std::move(name);
  rr.type = kTypeTxt;
  rr.ttl = ttl;
  // One character-string per 255 bytes.
  for (size_t i = 0; i < text.size() || i == 0; i += 255) {
    std::string_view part = text.substr(i, 255);
    rr.data.push_back(static_cast<char>(part.size()));
    rr.data.append(part);
    if (text.empty()) break;
  }
  return rr;
}

std::string TypeName(uint16_t type) {
  switch (type) {
    case kTypeA:
      return "A";
    case kTypeNs:
      return "NS";
    case kTypeCname:
      return "CNAME";
    case kTypeSoa:
      return "SOA";
    case kTypePtr:
      return "PTR";
    case kTypeMx:
      return "MX";
    case kTypeTxt:
      return "TXT";
    case kTypeAaaa:
      return "AAAA";
    case kTypeSrv:
      return "SRV";
    case kTypeOpt:
      return "OPT";
    case kTypeIxfr:
      return "IXFR";
    case kTypeAxfr:
      return "AXFR";
    case kTypeAny:
      return "ANY";
  }
  return "TYPE" + std::to_string(type);
}

std::string RecordToString(const Record& rr) {
  std::string s = rr.name + ". " + std::to_string(rr.ttl) + " " +
                  (rr.klass == kClassIn ? std::string("IN") : "CLASS" + std::to_string(rr.klass)) +
                  " " + TypeName(rr.type) + " ";
  char buf[INET6_ADDRSTRLEN];
  switch (rr.type) {
    case kTypeA:
    case kTypeAaaa:
      if (rr.data.size() == 4 || rr.data.size() == 16) {
        inet_ntop(rr.data.size() == 4 ? AF_INET : AF_INET6, rr.data.data(), buf, sizeof(buf));
        s += buf;
      }
      break;
    case kTypeCname:
    case kTypePtr:
    case kTypeNs:
      s += rr.target + ".";
      break;
    case kTypeSoa:
      s += rr.target + ". " + rr.mbox + ". " + std::to_string(rr.serial) + " " +
           std::to_string(rr.refresh) + " " + std::to_string(rr.retry) + " " +
           std::to_string(rr.expire) + " " + std::to_string(rr.minimum);
      break;
    case kTypeSrv:
      s += std::to_string(rr.priority) + " " + std::to_string(rr.weight) + " " +
           std::to_string(rr.port) + " " + rr.target + ".";
      break;
    case kTypeMx:
      s += std::to_string(rr.priority) + " " + rr.target + ".";
      break;
    case kTypeTxt: {
      size_t p = 0;
      bool first = true;
      while (p < rr.data.size()) {
        const size_t n = static_cast<uint8_t>(rr.data[p]);
        if (!first) s += " ";
        first = false;
        s += "\"" + rr.data.substr(p + 1, n) + "\"";
        p += 1 + n;
      }
      break;
    }
    default:
      s += "\\# " + std::to_string(rr.data.size());
  }
  return s;
}

}  // namespace minik::netproxy::dns
