// SPDY/3.1 frame codec: framing, header blocks and their per-connection zlib streams.
// Layouts follow spdystream's spdy/read.go and write.go field by field; where spdystream
// trusts the peer (it reads SETTINGS entries past the frame length, never checks lengths of
// fixed-size frames or the version), we check, because we frame strictly by length.
#include "apiserver/spdy.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace minik::spdy {
namespace {

uint32_t Be32(std::string_view s, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + pos);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void PutBe32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void PutControlHeader(std::string* out, FrameType type, uint8_t flags, size_t length) {
  PutBe32(out, 0x80000000u | (uint32_t{kVersion} << 16) | static_cast<uint16_t>(type));
  PutBe32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(length));
}

Status Malformed(const std::string& what) { return BadRequest("spdy: " + what); }

bool IsLower(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

// Headers spdystream rejects in SYN_STREAM / SYN_REPLY / HEADERS (invalidReqHeaders and
// invalidRespHeaders): the Go client drops the whole connection on seeing one.
bool IsConnectionSpecific(std::string_view lower_name) {
  return lower_name == "connection" || lower_name == "host" || lower_name == "keep-alive" ||
         lower_name == "proxy-connection" || lower_name == "transfer-encoding";
}

Status CheckStreamId(uint32_t id, const char* what) {
  if (id == 0 || id > kMaxStreamId) {
    return Malformed(std::string(what) + " stream id " + std::to_string(id) + " out of range");
  }
  return Status::Ok();
}

}  // namespace

const char* FrameTypeName(FrameType type) {
  switch (type) {
    case FrameType::kData:
      return "DATA";
    case FrameType::kSynStream:
      return "SYN_STREAM";
    case FrameType::kSynReply:
      return "SYN_REPLY";
    case FrameType::kRstStream:
      return "RST_STREAM";
    case FrameType::kSettings:
      return "SETTINGS";
    case FrameType::kPing:
      return "PING";
    case FrameType::kGoAway:
      return "GOAWAY";
    case FrameType::kHeaders:
      return "HEADERS";
    case FrameType::kWindowUpdate:
      return "WINDOW_UPDATE";
  }
  return "UNKNOWN";
}

const std::string* FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n.size() == name.size() && ToLower(n) == ToLower(name)) return &v;
  }
  return nullptr;
}

Frame Frame::Data(uint32_t stream_id, std::string data, bool fin) {
  Frame f;
  f.type = FrameType::kData;
  f.stream_id = stream_id;
  f.data = std::move(data);
  f.flags = fin ? kFlagFin : 0;
  return f;
}

Frame Frame::SynStream(uint32_t stream_id, spdy::Headers headers, uint8_t flags) {
  Frame f;
  f.type = FrameType::kSynStream;
  f.stream_id = stream_id;
  f.headers = std::move(headers);
  f.flags = flags;
  return f;
}

Frame Frame::SynReply(uint32_t stream_id, spdy::Headers headers, bool fin) {
  Frame f;
  f.type = FrameType::kSynReply;
  f.stream_id = stream_id;
  f.headers = std::move(headers);
  f.flags = fin ? kFlagFin : 0;
  return f;
}

Frame Frame::HeadersFrame(uint32_t stream_id, spdy::Headers headers, bool fin) {
  Frame f;
  f.type = FrameType::kHeaders;
  f.stream_id = stream_id;
  f.headers = std::move(headers);
  f.flags = fin ? kFlagFin : 0;
  return f;
}

Frame Frame::RstStream(uint32_t stream_id, RstStatus status) {
  Frame f;
  f.type = FrameType::kRstStream;
  f.stream_id = stream_id;
  f.status = static_cast<uint32_t>(status);
  return f;
}

Frame Frame::Ping(uint32_t id) {
  Frame f;
  f.type = FrameType::kPing;
  f.ping_id = id;
  return f;
}

Frame Frame::GoAway(uint32_t last_good_stream_id, GoAwayStatus status) {
  Frame f;
  f.type = FrameType::kGoAway;
  f.stream_id = last_good_stream_id;
  f.status = static_cast<uint32_t>(status);
  return f;
}

Frame Frame::WindowUpdate(uint32_t stream_id, uint32_t delta) {
  Frame f;
  f.type = FrameType::kWindowUpdate;
  f.stream_id = stream_id;
  f.delta_window = delta;
  return f;
}

// A z_stream pinned in memory: zlib keeps a back pointer to it and refuses a moved one.
struct Codec::Zlib {
  explicit Zlib(bool inflating) : inflate(inflating) { std::memset(&z, 0, sizeof(z)); }
  ~Zlib() {
    if (!initialized) return;
    if (inflate) {
      inflateEnd(&z);
    } else {
      deflateEnd(&z);
    }
  }
  z_stream z;
  bool inflate;
  bool initialized = false;
};

Codec::Codec(Limits limits) : limits_(limits) {}
Codec::~Codec() = default;

Status Codec::Feed(std::string_view bytes, std::vector<Frame>* out) {
  if (!error_.ok()) return error_;
  size_t consumed = 0;
  Status s;
  if (buffer_.empty()) {
    // The common case (whole frames per read) parses straight from the caller's bytes.
    s = ParseFrames(bytes, &consumed, out);
    if (s.ok()) buffer_.assign(bytes.substr(consumed));
  } else {
    buffer_.append(bytes);
    s = ParseFrames(buffer_, &consumed, out);
    if (s.ok()) buffer_.erase(0, consumed);
  }
  if (!s.ok()) {
    error_ = s;
    buffer_.clear();
    buffer_.shrink_to_fit();
  }
  return s;
}

Status Codec::ParseFrames(std::string_view in, size_t* consumed, std::vector<Frame>* out) {
  size_t pos = 0;
  while (in.size() - pos >= kFrameHeaderSize) {
    uint32_t word0 = Be32(in, pos);
    uint32_t word1 = Be32(in, pos + 4);
    uint8_t flags = static_cast<uint8_t>(word1 >> 24);
    size_t length = word1 & 0xffffff;
    bool control = (word0 & 0x80000000u) != 0;
    // Checked before buffering the payload, so a bogus header cannot make us hold 16 MB.
    if (length > limits_.max_frame_length) {
      return Malformed("frame length " + std::to_string(length) + " exceeds the limit of " +
                       std::to_string(limits_.max_frame_length));
    }
    if (control && ((word0 >> 16) & 0x7fff) != kVersion) {
      return Malformed("unsupported version " + std::to_string((word0 >> 16) & 0x7fff));
    }
    if (in.size() - pos - kFrameHeaderSize < length) break;
    std::string_view payload = in.substr(pos + kFrameHeaderSize, length);
    pos += kFrameHeaderSize + length;
    *consumed = pos;

    Frame frame;
    frame.flags = flags;
    if (!control) {
      frame.type = FrameType::kData;
      frame.stream_id = word0 & kMaxStreamId;
      if (frame.stream_id == 0) return Malformed("DATA frame on stream 0");
      frame.data.assign(payload);
      out->push_back(std::move(frame));
      continue;
    }
    bool skip = false;
    Status s = ParseControl(static_cast<uint16_t>(word0 & 0xffff), flags, payload, &frame, &skip);
    if (!s.ok()) return s;
    if (!skip) out->push_back(std::move(frame));
  }
  return Status::Ok();
}

Status Codec::ParseControl(uint16_t type, uint8_t flags, std::string_view payload, Frame* frame,
                           bool* skip) {
  const size_t len = payload.size();
  auto need = [&](size_t n, bool exact) -> Status {
    if (exact ? len != n : len < n) {
      return Malformed(std::string(FrameTypeName(static_cast<FrameType>(type))) +
                       " frame of length " + std::to_string(len));
    }
    return Status::Ok();
  };
  Status s;
  frame->type = static_cast<FrameType>(type);
  switch (static_cast<FrameType>(type)) {
    case FrameType::kSynStream:
      if (!(s = need(10, false)).ok()) return s;
      frame->stream_id = Be32(payload, 0) & kMaxStreamId;
      frame->associated_stream_id = Be32(payload, 4) & kMaxStreamId;
      frame->priority = static_cast<uint8_t>(static_cast<uint8_t>(payload[8]) >> 5);
      frame->slot = static_cast<uint8_t>(payload[9]);
      if (!(s = DecodeHeaderBlock(payload.substr(10), &frame->headers)).ok()) return s;
      return CheckStreamId(frame->stream_id, "SYN_STREAM");
    case FrameType::kSynReply:
    case FrameType::kHeaders:
      if (!(s = need(4, false)).ok()) return s;
      frame->stream_id = Be32(payload, 0) & kMaxStreamId;
      if (!(s = DecodeHeaderBlock(payload.substr(4), &frame->headers)).ok()) return s;
      return CheckStreamId(frame->stream_id, FrameTypeName(frame->type));
    case FrameType::kRstStream:
      if (!(s = need(8, true)).ok()) return s;
      frame->stream_id = Be32(payload, 0) & kMaxStreamId;
      frame->status = Be32(payload, 4);
      if (frame->status == 0) return Malformed("RST_STREAM with status 0");
      return CheckStreamId(frame->stream_id, "RST_STREAM");
    case FrameType::kSettings: {
      if (!(s = need(4, false)).ok()) return s;
      uint32_t count = Be32(payload, 0);
      if (count > (len - 4) / 8 || len != 4 + size_t{count} * 8) {
        return Malformed("SETTINGS with " + std::to_string(count) + " entries in " +
                         std::to_string(len) + " bytes");
      }
      frame->settings.reserve(count);
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t id_word = Be32(payload, 4 + i * 8);
        frame->settings.push_back(Setting{static_cast<uint8_t>(id_word >> 24), id_word & 0xffffff,
                                          Be32(payload, 8 + i * 8)});
      }
      return Status::Ok();
    }
    case FrameType::kPing:
      if (!(s = need(4, true)).ok()) return s;
      frame->ping_id = Be32(payload, 0);
      if (frame->ping_id == 0) return Malformed("PING with id 0");
      if (flags != 0) return Malformed("PING with flags");
      return Status::Ok();
    case FrameType::kGoAway:
      if (!(s = need(8, true)).ok()) return s;
      if (flags != 0) return Malformed("GOAWAY with flags");
      frame->stream_id = Be32(payload, 0) & kMaxStreamId;
      frame->status = Be32(payload, 4);
      return Status::Ok();
    case FrameType::kWindowUpdate:
      if (!(s = need(8, true)).ok()) return s;
      if (flags != 0) return Malformed("WINDOW_UPDATE with flags");
      frame->stream_id = Be32(payload, 0) & kMaxStreamId;
      frame->delta_window = Be32(payload, 4) & 0x7fffffff;
      return Status::Ok();
    case FrameType::kData:
      break;
  }
  // NOOP (SPDY/2), CREDENTIAL and future types: SPDY/3 says ignore them. spdystream would
  // fail the connection, but no Go client sends one.
  *skip = true;
  return Status::Ok();
}

Status Codec::DecodeHeaderBlock(std::string_view compressed, Headers* headers) {
  if (!inflate_) {
    auto zs = std::make_unique<Zlib>(true);
    if (inflateInit(&zs->z) != Z_OK) return Internal("spdy: inflateInit failed");
    zs->initialized = true;
    inflate_ = std::move(zs);
  }
  z_stream& z = inflate_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string block;
  size_t produced = 0;
  // Inflate everything this frame carries. Z_SYNC_FLUSH on the sender's side means all of
  // it is decodable now; output past the limit is a decompression bomb.
  while (true) {
    size_t room = std::min<size_t>(limits_.max_header_block + 1 - produced, 16384);
    block.resize(produced + room);
    z.next_out = reinterpret_cast<Bytef*>(block.data() + produced);
    z.avail_out = static_cast<uInt>(room);
    int rc = inflate(&z, Z_SYNC_FLUSH);
    produced += room - z.avail_out;
    if (produced > limits_.max_header_block) {
      return Malformed("header block exceeds " + std::to_string(limits_.max_header_block) +
                       " bytes decompressed");
    }
    if (rc == Z_NEED_DICT) {
      std::string_view dict = HeaderDictionary();
      if (inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dict.data()),
                               static_cast<uInt>(dict.size())) != Z_OK) {
        return Malformed("header block compressed with an unknown dictionary");
      }
      continue;
    }
    if (rc == Z_STREAM_END) return Malformed("header compression stream ended");
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // nothing more to do
    if (rc != Z_OK) {
      return Malformed(std::string("corrupt header block: ") + (z.msg ? z.msg : "zlib error"));
    }
    if (z.avail_in == 0 && z.avail_out > 0) break;
  }
  block.resize(produced);

  std::string_view b = block;
  if (b.size() < 4) return Malformed("header block shorter than its count");
  uint32_t count = Be32(b, 0);
  // Every pair takes at least 8 bytes, so a count the block cannot hold is refused before
  // anything is allocated.
  if (count > limits_.max_header_count || count > (b.size() - 4) / 8) {
    return Malformed("header block claims " + std::to_string(count) + " headers");
  }
  size_t pos = 4;
  auto read_string = [&](std::string_view* s) -> bool {
    if (b.size() - pos < 4) return false;
    uint32_t n = Be32(b, pos);
    pos += 4;
    if (n > b.size() - pos) return false;
    *s = b.substr(pos, n);
    pos += n;
    return true;
  };
  headers->clear();
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name, value;
    if (!read_string(&name) || !read_string(&value)) {
      return Malformed("truncated header block");
    }
    if (name.empty()) return Malformed("empty header name");
    if (!IsLower(name)) return Malformed("header name not lower-case: " + std::string(name));
    // Several values of one name are NUL-joined (spdystream: strings.Split on "\x00").
    size_t start = 0;
    while (true) {
      size_t nul = value.find('\0', start);
      headers->emplace_back(std::string(name), std::string(value.substr(start, nul - start)));
      if (nul == std::string_view::npos) break;
      start = nul + 1;
    }
  }
  if (pos != b.size()) return Malformed("trailing bytes after the header block");
  return Status::Ok();
}

Status Codec::EncodeHeaderBlock(const Headers& headers, std::string* out) {
  // Group values by lower-cased name first: spdystream writes one entry per name.
  std::vector<std::pair<std::string, std::string>> grouped;
  for (const auto& [name, value] : headers) {
    std::string lower = ToLower(name);
    if (lower.empty()) return Malformed("empty header name");
    if (IsConnectionSpecific(lower)) {
      return Malformed("header \"" + lower + "\" is not allowed in SPDY");
    }
    bool merged = false;
    for (auto& g : grouped) {
      if (g.first == lower) {
        g.second.push_back('\0');
        g.second += value;
        merged = true;
        break;
      }
    }
    if (!merged) grouped.emplace_back(std::move(lower), value);
  }
  std::string raw;
  PutBe32(&raw, static_cast<uint32_t>(grouped.size()));
  for (const auto& [name, value] : grouped) {
    PutBe32(&raw, static_cast<uint32_t>(name.size()));
    raw += name;
    PutBe32(&raw, static_cast<uint32_t>(value.size()));
    raw += value;
  }
  // The peer's limit is ours: a block we would refuse is not sent.
  if (raw.size() > limits_.max_header_block || grouped.size() > limits_.max_header_count) {
    return Malformed("header block too large to send");
  }

  if (!deflate_) {
    auto zs = std::make_unique<Zlib>(false);
    if (deflateInit(&zs->z, Z_BEST_COMPRESSION) != Z_OK) {
      return Internal("spdy: deflateInit failed");
    }
    zs->initialized = true;
    std::string_view dict = HeaderDictionary();
    if (deflateSetDictionary(&zs->z, reinterpret_cast<const Bytef*>(dict.data()),
                             static_cast<uInt>(dict.size())) != Z_OK) {
      return Internal("spdy: deflateSetDictionary failed");
    }
    deflate_ = std::move(zs);
  }
  z_stream& z = deflate_->z;
  z.next_in = reinterpret_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  do {
    size_t room = deflateBound(&z, z.avail_in) + 64;
    size_t used = out->size();
    out->resize(used + room);
    z.next_out = reinterpret_cast<Bytef*>(out->data() + used);
    z.avail_out = static_cast<uInt>(room);
    int rc = deflate(&z, Z_SYNC_FLUSH);
    out->resize(used + room - z.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      // Cannot happen with valid arguments; the stream is now unusable for this connection.
      return Internal("spdy: deflate failed");
    }
  } while (z.avail_out == 0);
  return Status::Ok();
}

Status Codec::EncodeData(uint32_t stream_id, std::string_view data, uint8_t flags,
                         std::string* out) {
  Status s = CheckStreamId(stream_id, "DATA");
  if (!s.ok()) return s;
  if (data.size() > kMaxFrameLength) return Malformed("DATA payload over 16 MB");
  PutBe32(out, stream_id);
  PutBe32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(data.size()));
  out->append(data);
  return Status::Ok();
}

Status Codec::Encode(const Frame& frame, std::string* out) {
  Status s;
  std::string block;
  switch (frame.type) {
    case FrameType::kData:
      return EncodeData(frame.stream_id, frame.data, frame.flags, out);
    case FrameType::kSynStream:
      if (!(s = CheckStreamId(frame.stream_id, "SYN_STREAM")).ok()) return s;
      if (frame.associated_stream_id > kMaxStreamId || frame.priority > 7) {
        return Malformed("SYN_STREAM associated id or priority out of range");
      }
      if (!(s = EncodeHeaderBlock(frame.headers, &block)).ok()) return s;
      PutControlHeader(out, frame.type, frame.flags, 10 + block.size());
      PutBe32(out, frame.stream_id);
      PutBe32(out, frame.associated_stream_id);
      out->push_back(static_cast<char>(frame.priority << 5));
      out->push_back(static_cast<char>(frame.slot));
      out->append(block);
      return Status::Ok();
    case FrameType::kSynReply:
    case FrameType::kHeaders:
      if (!(s = CheckStreamId(frame.stream_id, FrameTypeName(frame.type))).ok()) return s;
      if (!(s = EncodeHeaderBlock(frame.headers, &block)).ok()) return s;
      PutControlHeader(out, frame.type, frame.flags, 4 + block.size());
      PutBe32(out, frame.stream_id);
      out->append(block);
      return Status::Ok();
    case FrameType::kRstStream:
      if (!(s = CheckStreamId(frame.stream_id, "RST_STREAM")).ok()) return s;
      if (frame.status == 0) return Malformed("RST_STREAM with status 0");
      PutControlHeader(out, frame.type, 0, 8);
      PutBe32(out, frame.stream_id);
      PutBe32(out, frame.status);
      return Status::Ok();
    case FrameType::kSettings:
      if (frame.settings.size() > (kMaxFrameLength - 4) / 8) return Malformed("too many settings");
      PutControlHeader(out, frame.type, frame.flags, 4 + 8 * frame.settings.size());
      PutBe32(out, static_cast<uint32_t>(frame.settings.size()));
      for (const Setting& st : frame.settings) {
        PutBe32(out, (uint32_t{st.flags} << 24) | (st.id & 0xffffff));
        PutBe32(out, st.value);
      }
      return Status::Ok();
    case FrameType::kPing:
      if (frame.ping_id == 0) return Malformed("PING with id 0");
      PutControlHeader(out, frame.type, 0, 4);
      PutBe32(out, frame.ping_id);
      return Status::Ok();
    case FrameType::kGoAway:
      if (frame.stream_id > kMaxStreamId) return Malformed("GOAWAY stream id out of range");
      PutControlHeader(out, frame.type, 0, 8);
      PutBe32(out, frame.stream_id);
      PutBe32(out, frame.status);
      return Status::Ok();
    case FrameType::kWindowUpdate:
      if (frame.stream_id > kMaxStreamId || frame.delta_window == 0 ||
          frame.delta_window > 0x7fffffff) {
        return Malformed("WINDOW_UPDATE stream id or delta out of range");
      }
      PutControlHeader(out, frame.type, 0, 8);
      PutBe32(out, frame.stream_id);
      PutBe32(out, frame.delta_window);
      return Status::Ok();
  }
  return Malformed("unknown frame type " + std::to_string(static_cast<int>(frame.type)));
}

}  // namespace minik::spdy
