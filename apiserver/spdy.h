// SPDY/3.1 framing for kubectl exec/attach/port-forward, sans I/O.
//
// Wire behaviour follows github.com/moby/spdystream (spdy/read.go, write.go, connection.go),
// which both kubectl and client-go use, and draft-mbelshe-httpbis-spdy-00 (SPDY/3):
//   - control frame: 1|version(15)=3|type(16), flags(8)|length(24), payload
//   - data frame:    0|stream id(31), flags(8)|length(24), payload
//   - header blocks (SYN_STREAM, SYN_REPLY, HEADERS): 32-bit count, then 32-bit length-prefixed
//     lower-case names and values; several values of one name are joined with NUL. Each block
//     is compressed with ONE zlib stream per direction that lives as long as the connection,
//     primed with the SPDY/3 dictionary and ended with Z_SYNC_FLUSH. So frames must be decoded
//     in the order received and sent in the order encoded.
//   - spdystream has no flow control: it ignores WINDOW_UPDATE and SETTINGS and never sends
//     them. A server that waited for window updates after 64 KB would stall kubectl, so we
//     decode both but the session ignores them.
//
// Nothing here does I/O or starts threads: callers feed received bytes and write out what the
// encoder returns. Not thread-safe; one Codec/ServerSession per connection, on one strand.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/status.h"

namespace minik::spdy {

inline constexpr uint16_t kVersion = 3;
inline constexpr uint32_t kMaxStreamId = 0x7fffffff;
inline constexpr size_t kMaxFrameLength = (1u << 24) - 1;  // the 24-bit length field
inline constexpr size_t kFrameHeaderSize = 8;

enum class FrameType : uint16_t {
  kData = 0,  // not a control type; marks DATA frames
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};
const char* FrameTypeName(FrameType type);

// Flags. FIN is valid on DATA, SYN_STREAM, SYN_REPLY, HEADERS; UNIDIRECTIONAL on SYN_STREAM.
inline constexpr uint8_t kFlagFin = 0x01;
inline constexpr uint8_t kFlagUnidirectional = 0x02;
inline constexpr uint8_t kFlagClearSettings = 0x01;  // SETTINGS

enum class RstStatus : uint32_t {
  kProtocolError = 1,
  kInvalidStream = 2,
  kRefusedStream = 3,
  kUnsupportedVersion = 4,
  kCancel = 5,  // what spdystream's Stream.Reset() sends, and k8s to reject a stream
  kInternalError = 6,
  kFlowControlError = 7,
  kStreamInUse = 8,
  kStreamAlreadyClosed = 9,
  kInvalidCredentials = 10,
  kFrameTooLarge = 11,
};

enum class GoAwayStatus : uint32_t { kOk = 0, kProtocolError = 1, kInternalError = 2 };

// One header field. Names are lower-case on the wire. Decoding splits NUL-joined values into
// one pair each (in order); encoding joins pairs that share a name, at the first one's place.
using Headers = std::vector<std::pair<std::string, std::string>>;
// The first value of `name` (compared case-insensitively), or nullptr.
const std::string* FindHeader(const Headers& headers, std::string_view name);

struct Setting {
  uint8_t flags = 0;  // 1 = persist value, 2 = persisted
  uint32_t id = 0;    // 24 bits; 7 = SETTINGS_INITIAL_WINDOW_SIZE
  uint32_t value = 0;
};

// One frame, decoded. Only the fields of its type are meaningful.
struct Frame {
  FrameType type = FrameType::kData;
  uint8_t flags = 0;
  // DATA, SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE (0 = the session);
  // GOAWAY: the last stream id the sender accepted.
  uint32_t stream_id = 0;
  uint32_t associated_stream_id = 0;  // SYN_STREAM
  uint8_t priority = 0;               // SYN_STREAM, 0 (highest) .. 7
  uint8_t slot = 0;                   // SYN_STREAM (credential slot, unused)
  Headers headers;                    // SYN_STREAM, SYN_REPLY, HEADERS
  std::string data;                   // DATA payload
  uint32_t status = 0;                // RST_STREAM (RstStatus), GOAWAY (GoAwayStatus)
  uint32_t ping_id = 0;               // PING: clients use odd ids, servers even
  uint32_t delta_window = 0;          // WINDOW_UPDATE (31 bits)
  std::vector<Setting> settings;      // SETTINGS

  bool fin() const { return (flags & kFlagFin) != 0; }

  static Frame Data(uint32_t stream_id, std::string data, bool fin = false);
  static Frame SynStream(uint32_t stream_id, Headers headers, uint8_t flags = 0);
  static Frame SynReply(uint32_t stream_id, Headers headers, bool fin = false);
  static Frame HeadersFrame(uint32_t stream_id, Headers headers, bool fin = false);
  static Frame RstStream(uint32_t stream_id, RstStatus status);
  static Frame Ping(uint32_t id);
  static Frame GoAway(uint32_t last_good_stream_id, GoAwayStatus status);
  static Frame WindowUpdate(uint32_t stream_id, uint32_t delta);
};

struct Limits {
  size_t max_frame_length = kMaxFrameLength;  // payload bytes of one frame (DATA or control)
  size_t max_header_block = 1 << 20;          // decompressed bytes of one header block
  size_t max_header_count = 1024;             // name/value pairs in one block
};

// The SPDY/3 zlib dictionary (1423 bytes; Adler-32 0xe3c6a7c2), copied from spdystream.
std::string_view HeaderDictionary();

// Frame (de)serialization for one connection: owns the inflate stream for what the peer
// sends and the deflate stream for what we send. Same class for client and server roles.
class Codec {
 public:
  explicit Codec(Limits limits = {});
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  // Parses every complete frame in the bytes received so far (which may end mid-frame; the
  // rest is buffered, at most one frame) and appends them to `out`. Unknown control frame
  // types are skipped, as SPDY/3 requires. Any malformed frame, oversize length, version
  // other than 3, or corrupt/oversize header block is BadRequest: the zlib state is then
  // unusable, so the connection must end (GOAWAY PROTOCOL_ERROR). Frames decoded before the
  // error are still appended; every later call returns the same error.
  Status Feed(std::string_view bytes, std::vector<Frame>* out);

  // Serializes `frame` onto `out` (appends). Header blocks go through this connection's
  // deflate stream, so encoded frames must be sent in encoding order. BadRequest for frames
  // spdystream would reject (stream id 0 or > 2^31-1, data over 16 MB, RST status 0, PING
  // id 0, empty or connection-specific header names such as "connection"); nothing is
  // appended then and the compression state is unchanged.
  Status Encode(const Frame& frame, std::string* out);
  // The same for a DATA frame, without copying the payload into a Frame first.
  Status EncodeData(uint32_t stream_id, std::string_view data, uint8_t flags, std::string* out);

  // Bytes buffered from an incomplete frame.
  size_t buffered() const { return buffer_.size(); }

 private:
  struct Zlib;
  // Parses the frames at the front of `in`; `*consumed` is how far it got.
  Status ParseFrames(std::string_view in, size_t* consumed, std::vector<Frame>* out);
  // Decodes a control frame's payload; `*skip` for types SPDY/3 says to ignore.
  Status ParseControl(uint16_t type, uint8_t flags, std::string_view payload, Frame* frame,
                      bool* skip);
  Status DecodeHeaderBlock(std::string_view compressed, Headers* headers);
  Status EncodeHeaderBlock(const Headers& headers, std::string* out);

  Limits limits_;
  std::string buffer_;  // the start of an incomplete frame
  Status error_;
  std::unique_ptr<Zlib> inflate_;  // lazily created; z_streams must not move
  std::unique_ptr<Zlib> deflate_;
};

// Events a ServerSession reports, in wire order.
struct Event {
  enum class Kind {
    kStreamOpened,  // SYN_STREAM accepted: `headers`; answer with Reply() or Reset()
    kHeaders,       // a HEADERS frame on an open stream: `headers`
    kData,          // `data` (never empty) arrived on `stream_id`
    kRemoteFin,     // the client half-closed `stream_id`: it sends nothing more
    kStreamReset,   // the client reset `stream_id` (`status`); the stream is gone
    kGoAway,        // the client sent GOAWAY: `stream_id` last good, `status`; no new streams
    kPingReply,     // the client answered our Ping(): `ping_id`
  };
  Kind kind = Kind::kData;
  uint32_t stream_id = 0;
  Headers headers;
  std::string data;
  uint32_t status = 0;
  uint32_t ping_id = 0;
};

// The server side of one SPDY connection, as k8s.io/apimachinery's spdy connection plus
// spdystream behave: clients open streams (odd, increasing ids); the server replies, sends
// data, half-closes and resets; PINGs from the client are echoed. Outgoing bytes (replies,
// echoes, data) accumulate in one buffer in send order; drain it with TakeOutput() after
// each call and write it to the transport.
//
// A stream is forgotten once both sides have sent FIN, or either side reset it. DATA or
// HEADERS for a forgotten or unknown stream is dropped (the two sides race), as spdystream
// does. There is no flow control (see above): the caller bounds memory by not feeding more
// bytes while its consumers are slow.
class ServerSession {
 public:
  struct Options {
    Limits limits;
    size_t max_streams = 1000;  // open at once; beyond it a SYN_STREAM gets REFUSED_STREAM
  };
  ServerSession();
  explicit ServerSession(Options options);

  // Decodes the client's bytes and appends what they mean to `events`; PING echoes and RSTs
  // for invalid SYN_STREAMs are queued for output. A protocol error queues GOAWAY
  // PROTOCOL_ERROR and returns BadRequest: flush the output and close the connection.
  Status Feed(std::string_view bytes, std::vector<Event>* events);

  // Accepts an opened stream: SYN_REPLY with `headers` (k8s sends none). With `fin` the
  // server half-closes it at once. NotFound if the stream is not open, BadRequest if it was
  // already replied to.
  Status Reply(uint32_t stream_id, const Headers& headers = {}, bool fin = false);
  // Sends data on a replied stream (several frames past 16 MB); `fin` half-closes it (an
  // empty `data` with fin is a bare FIN, like spdystream's Stream.Close()). NotFound if the
  // stream is gone, BadRequest if not replied yet or already half-closed by us.
  Status SendData(uint32_t stream_id, std::string_view data, bool fin = false);
  // Resets an open stream (refuse one not replied to, or abort); the stream is forgotten.
  Status Reset(uint32_t stream_id, RstStatus status = RstStatus::kCancel);
  // Sends GOAWAY naming the last stream accepted; later SYN_STREAMs are ignored.
  Status GoAway(GoAwayStatus status = GoAwayStatus::kOk);
  // Ends the connection as k8s' connection.Close() does: resets every open stream (CANCEL),
  // then GOAWAY OK. Flush the output, then close the transport.
  Status Close();
  // Sends a PING with the next even id and returns it; kPingReply reports the answer.
  StatusOr<uint32_t> Ping();

  // The bytes to send, in order; empties the buffer.
  std::string TakeOutput();
  bool HasOutput() const { return !output_.empty(); }
  // Bytes waiting in the output buffer: callers stop feeding input or producing data while
  // the peer does not read (there is no flow control to do it for them).
  size_t output_bytes() const { return output_.size(); }

  bool IsOpen(uint32_t stream_id) const { return streams_.count(stream_id) > 0; }
  size_t open_streams() const { return streams_.size(); }
  bool goaway_received() const { return goaway_received_; }
  bool goaway_sent() const { return goaway_sent_; }

 private:
  struct StreamState {
    bool replied = false;
    bool local_fin = false;   // we sent FIN (or the client opened it UNIDIRECTIONAL)
    bool remote_fin = false;  // the client sent FIN
  };
  Status Send(const Frame& frame);
  void OnFrame(Frame& frame, std::vector<Event>* events);
  void OnSynStream(Frame& frame, std::vector<Event>* events);
  void RemoteFin(uint32_t stream_id, std::vector<Event>* events);
  void ForgetIfClosed(uint32_t stream_id);

  Options options_;
  Codec codec_;
  std::string output_;
  std::map<uint32_t, StreamState> streams_;
  uint32_t last_client_stream_ = 0;  // highest SYN_STREAM id accepted
  uint32_t next_ping_id_ = 2;
  bool goaway_received_ = false;
  bool goaway_sent_ = false;
  Status error_;
};

}  // namespace minik::spdy
