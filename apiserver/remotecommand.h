// Remote-command protocols for exec/attach and port-forward, sans I/O: subprotocol
// negotiation, the channel.k8s.io WebSocket framing, the SPDY stream roles, the exit Status.
//
// Follows k8s.io/apimachinery pkg/util/remotecommand/constants.go, httpstream/httpstream.go
// (Handshake), httpstream/wsstream/conn.go (channel framing, v5 close), the kubelet's
// cri/streaming/remotecommand/{httpstream,websocket,exec}.go and portforward/{httpstream,
// websocket}.go, and the apiserver's util/proxy/websocket.go (v5 only over WebSocket).
// minik serves both the apiserver's and the kubelet's WebSocket flavours on one endpoint,
// so the WebSocket exec protocols are the union of both sets.
//
// Nothing here does I/O, keeps time or starts threads: callers feed whole WebSocket
// messages (or SPDY stream headers) and send what the encoders return. One object per
// connection, not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"
#include "apiserver/spdy.h"

namespace minik::remotecommand {

// Subprotocol names.
inline constexpr std::string_view kStreamProtocolV1 = "channel.k8s.io";
inline constexpr std::string_view kStreamProtocolV2 = "v2.channel.k8s.io";
inline constexpr std::string_view kStreamProtocolV3 = "v3.channel.k8s.io";
inline constexpr std::string_view kStreamProtocolV4 = "v4.channel.k8s.io";
inline constexpr std::string_view kStreamProtocolV5 = "v5.channel.k8s.io";
inline constexpr std::string_view kBase64Protocol = "base64.channel.k8s.io";
inline constexpr std::string_view kV4Base64Protocol = "v4.base64.channel.k8s.io";
inline constexpr std::string_view kPortForwardProtocolV1 = "portforward.k8s.io";
inline constexpr std::string_view kSpdyTunnelPortForward = "SPDY/3.1+portforward.k8s.io";

// Channel numbers of the exec/attach WebSocket protocol (= SPDY stream roles).
inline constexpr uint8_t kStdinChannel = 0;
inline constexpr uint8_t kStdoutChannel = 1;
inline constexpr uint8_t kStderrChannel = 2;
inline constexpr uint8_t kErrorChannel = 3;
inline constexpr uint8_t kResizeChannel = 4;
inline constexpr uint8_t kCloseChannel = 255;  // v5: [255, channel] half-closes `channel`

// Version 1..5 of the exec/attach protocol. v1: error text only; v2 fixes v1's stream bugs;
// v3 adds the resize stream; v4 writes a metav1.Status JSON on the error stream (exit
// codes); v5 adds the close signal. Over SPDY the kubelet's v1 handler also closes stdin as
// soon as all streams arrived and resets the error stream then (the bugs v2 fixed); callers
// serving v1 reproduce that if they must.
using Version = int;

// What the request asked for (?stdin=&stdout=&stderr=&tty=).
struct Options {
  bool stdin = false;
  bool stdout = false;
  bool stderr = false;
  bool tty = false;
};
// The kubelet's NewOptions: tty drops stderr; BadRequest "you must specify at least 1 of
// stdin, stdout, stderr" when nothing is asked for.
StatusOr<Options> NormalizeOptions(Options options);

// ---- Negotiation ----

// The WebSocket subprotocol chosen. `name` is "" when the client offered none (then the
// response carries no Sec-WebSocket-Protocol header).
struct WebSocketProtocol {
  std::string name;
  Version version = 1;
  bool base64 = false;  // base64.channel.k8s.io variants: text messages, '0'+channel
};
// Splits a Sec-WebSocket-Protocol value as golang.org/x/net/websocket does: trimmed,
// split on ',', each trimmed (empty items stay); an empty header gives {}.
std::vector<std::string> SplitWebSocketProtocols(std::string_view header);
// Exec/attach over WebSocket: the first offered protocol (client order) among v5, v4, v4
// base64, channel.k8s.io, base64.channel.k8s.io and "" (nothing offered). Forbidden
// "requested protocol(s) are not supported: [a b]; supports [...]" otherwise (x/net answers
// the handshake with a bare 403).
StatusOr<WebSocketProtocol> NegotiateExecWebSocket(std::string_view sec_websocket_protocol);

// Port-forward over WebSocket: the SPDY tunnel (kubectl 1.30+) when any offered protocol is
// kSpdyTunnelPortForward, else the kubelet channel protocol ("", v4.channel.k8s.io, v4
// base64), which needs ?ports=. Forbidden as above when none fits.
struct PortForwardWebSocketProtocol {
  bool spdy_tunnel = false;
  WebSocketProtocol channel;  // when !spdy_tunnel
};
StatusOr<PortForwardWebSocketProtocol> NegotiatePortForwardWebSocket(
    std::string_view sec_websocket_protocol);

// SPDY upgrade (httpstream.Handshake): `offered` are the X-Stream-Protocol-Version header
// lines, each possibly a comma list; the first offered one the server supports wins.
// BadRequest "unable to upgrade: X-Stream-Protocol-Version is required" when none is sent,
// Forbidden "unable to upgrade: unable to negotiate protocol: client supports [..], server
// accepts [..]" when none fits; then answer with one X-Accepted-Stream-Protocol-Versions
// header per SupportedSpdyExecProtocols() entry.
std::vector<std::string> SupportedSpdyExecProtocols();         // v5, v4, v3, v2, v1
std::vector<std::string> SupportedSpdyPortForwardProtocols();  // portforward.k8s.io
StatusOr<std::string> NegotiateSpdy(const std::vector<std::string>& offered,
                                    const std::vector<std::string>& supported);
// The Version of a negotiated exec protocol name (v1 for "" and unknown names).
Version VersionOf(std::string_view protocol);

// ---- The exit Status on the error channel/stream ----

struct ExecResult {
  enum class Kind { kSuccess, kExitCode, kFailure };
  Kind kind = Kind::kSuccess;
  int exit_code = 0;  // kExitCode
  Status failure;     // kFailure
};
// A command that exited non-zero, worded as containerd's CRI streaming server and the
// kubelet's ServeExec word it: message "command terminated with non-zero exit code: error
// executing command [sh -c exit 3], exit code 3", reason NonZeroExitCode, cause ExitCode "3".
ExecResult ExitedWith(const std::vector<std::string>& command, int exit_code);
// ServeExec / ServeAttach failures: InternalError "Internal error occurred: error executing
// command in container: <err>" (attach: "error attaching to container: <err>").
ExecResult ExecFailed(std::string_view error);
ExecResult AttachFailed(std::string_view error);
// The metav1.Status JSON exactly as json.Marshal writes it (no kind/apiVersion):
// {"metadata":{},"status":"Success"} and so on.
std::string StatusJson(const ExecResult& result);
// What goes on the error channel/stream: the JSON for v4/v5; the bare message for v1..v3,
// nothing (nullopt) on success there.
std::optional<std::string> ErrorStreamPayload(Version version, const ExecResult& result);

// ---- Resize ----

struct TerminalSize {
  uint16_t width = 0;
  uint16_t height = 0;
  bool operator==(const TerminalSize&) const = default;
};
// The resize stream is a stream of JSON objects ({"Width":80,"Height":24}) that may be split
// across messages, decoded like Go's json.Decoder into struct{Width,Height uint16}: keys
// match case-insensitively, unknown keys and null are ignored, a non-integer or out-of-range
// value is an error. Upstream stops reading resizes at the first error; so does this (every
// later Feed returns the same error). The kubelet ignores sizes with a zero dimension.
class ResizeDecoder {
 public:
  static constexpr size_t kMaxPending = 64 * 1024;  // an unfinished value larger than this fails
  Status Feed(std::string_view bytes, std::vector<TerminalSize>* out);
  bool failed() const { return !error_.ok(); }

 private:
  std::string pending_;
  Status error_;
};

// ---- channel.k8s.io WebSocket framing ----

enum class ChannelType { kIgnore, kRead, kWrite, kReadWrite };

// One decoded client message.
struct ChannelMessage {
  enum class Kind {
    kNone,   // nothing to deliver: empty message, unknown or write-only channel, bad base64
    kData,   // `data` for readable `channel`
    kClose,  // v5: the client half-closed `channel`
  };
  Kind kind = Kind::kNone;
  uint8_t channel = 0;
  std::string data;
};

// wsstream.Conn's framing: byte 0 (base64: the digit '0'+n) names the channel. Frame type
// (text or binary) is not checked on receipt, as x/net's Message.Receive does not; what we
// send is binary for the raw protocols and text for base64 ones.
class ChannelCodec {
 public:
  ChannelCodec(WebSocketProtocol protocol, std::vector<ChannelType> channels);

  // BadRequest only for what ends the connection upstream (v5 close signal not 2 bytes long
  // or naming a channel that does not exist); other bad input gives kNone.
  StatusOr<ChannelMessage> Decode(std::string_view message) const;
  // The message carrying `data` on `channel`; nullopt for a channel that is not writable
  // (upstream's Write drops it silently).
  std::optional<std::string> Encode(uint8_t channel, std::string_view data) const;
  bool text_frames() const { return protocol_.base64; }
  const WebSocketProtocol& protocol() const { return protocol_; }

 private:
  bool Readable(uint8_t channel) const;
  WebSocketProtocol protocol_;
  std::vector<ChannelType> channels_;
};

// ---- Exec/attach over WebSocket ----

struct ExecEvent {
  enum class Kind {
    kStdin,        // `data` for the process's stdin
    kStdinClosed,  // v5 close of channel 0: EOF on stdin
    kResize,       // `size`
    kResizeError,  // the resize stream went bad (`error`); later resize data is ignored
  };
  Kind kind = Kind::kStdin;
  std::string data;
  TerminalSize size;
  std::string error;
};

class ExecWebSocket {
 public:
  ExecWebSocket(WebSocketProtocol protocol, Options options);
  // The first message: an empty one on the lowest writable channel (stdout, stderr, else
  // error), which tells the client the session is up.
  std::string StartMessage() const;
  // Decodes one client message. A non-OK Status means close the connection.
  Status Receive(std::string_view message, std::vector<ExecEvent>* events);
  std::optional<std::string> Stdout(std::string_view data) const;
  std::optional<std::string> Stderr(std::string_view data) const;
  // The error-channel message ending the session (nullopt: send nothing, then close 1000).
  std::optional<std::string> Finish(const ExecResult& result) const;
  const ChannelCodec& codec() const { return codec_; }

 private:
  Options options_;
  ChannelCodec codec_;
  ResizeDecoder resize_;
  bool stdin_closed_ = false;
};

// ---- Exec/attach over SPDY ----

enum class StreamRole { kError, kStdin, kStdout, kStderr, kResize };
// The role from the `streamType` header; nullopt for unknown types and for resize before v3
// (upstream logs "unexpected stream type" and leaves such streams unused).
std::optional<StreamRole> ExecStreamRole(Version version, const spdy::Headers& headers);
// How many streams the server waits for: error + one per stdin/stdout/stderr, + resize
// with tty from v3 on.
int ExpectedStreams(Version version, const Options& options);

// Collects the streams of one SPDY exec session. As upstream, a second stream of one role
// replaces the first and still counts.
class ExecSpdyStreams {
 public:
  ExecSpdyStreams(Version version, Options options);
  // Records a replied stream; false when its role is unknown (reply, then ignore it).
  bool Add(uint32_t stream_id, const spdy::Headers& headers);
  bool complete() const { return received_ >= expected_; }
  std::optional<uint32_t> Stream(StreamRole role) const;

 private:
  Version version_;
  int expected_;
  int received_ = 0;
  std::optional<uint32_t> ids_[5];
};

// ---- Port-forward ----

// ?ports= values (NewV4Options): each may be a comma list. Errors as upstream: `query
// parameter "ports" is required`, `... cannot be empty`, `unable to parse "80,x" as a port:
// strconv.ParseUint: parsing "x": invalid syntax`, `port "0" must be > 0`.
StatusOr<std::vector<uint16_t>> ParsePortsQuery(const std::vector<std::string>& values);

// WebSocket port-forward: per port i a data channel 2i (read/write) and an error channel
// 2i+1 (write only); each channel's first message is the port, 2 bytes little-endian.
class PortForwardWebSocket {
 public:
  PortForwardWebSocket(WebSocketProtocol protocol, std::vector<uint16_t> ports);
  // The 2*ports messages to send right after the upgrade.
  std::vector<std::string> StartMessages() const;
  // Data for port index `*port_index`; kNone-like messages give an empty `data` and
  // nullopt index. BadRequest ends the connection.
  struct Incoming {
    std::optional<size_t> port_index;
    std::string data;
  };
  StatusOr<Incoming> Receive(std::string_view message) const;
  std::optional<std::string> Data(size_t port_index, std::string_view data) const;
  // `text` (PortForwardErrorText) on the port's error channel.
  std::optional<std::string> Error(size_t port_index, std::string_view text) const;
  const ChannelCodec& codec() const { return codec_; }

 private:
  std::vector<uint16_t> ports_;
  ChannelCodec codec_;
};
// The kubelet's error text for a failed forward (WebSocket and SPDY):
// "error forwarding port 80 to pod web, uid 123: <err>".
std::string PortForwardErrorText(uint16_t port, std::string_view pod, std::string_view uid,
                                 std::string_view error);

// SPDY port-forward: one stream's headers checked as httpStreamReceived does (reject with
// RST CANCEL on error: `"port" header is required`, `unable to parse "x" as a port: ...`,
// `port "0" must be > 0`, `"streamType" header is required`, `invalid stream type "x"`).
struct PortForwardStream {
  uint32_t stream_id = 0;
  bool is_error = false;  // streamType error, else data
  uint16_t port = 0;
  std::string request_id;  // the requestID header, or derived from the id for old clients
};
StatusOr<PortForwardStream> ParsePortForwardStream(uint32_t stream_id,
                                                   const spdy::Headers& headers);

// Pairs data and error streams by request ID. A pair is forgotten once complete (a later
// stream with that ID starts a new pair), or by Remove() when the caller's 30 s stream
// creation timeout fires.
class PortForwardPairs {
 public:
  struct Pair {
    std::string request_id;
    uint16_t port = 0;  // the data stream's
    std::optional<uint32_t> data_stream;
    std::optional<uint32_t> error_stream;
  };
  // The completed pair, or nullopt while waiting for its other half. A second stream of one
  // type is an error "error processing stream for request 1: data stream already assigned",
  // which upstream writes to the pair's error stream (if any; see pending()).
  StatusOr<std::optional<Pair>> Add(const PortForwardStream& stream);
  const Pair* pending(const std::string& request_id) const;
  void Remove(const std::string& request_id);
  size_t size() const { return pairs_.size(); }

 private:
  std::vector<Pair> pairs_;
};

}  // namespace minik::remotecommand
