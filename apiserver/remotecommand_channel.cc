// channel.k8s.io framing and the per-transport session helpers (remotecommand.h).
#include <algorithm>
#include <utility>

#include "apiserver/remotecommand.h"

namespace minik::remotecommand {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// base64.StdEncoding.Decode: padded, CR and LF ignored, nothing after the padding.
std::optional<std::string> Base64Decode(std::string_view in) {
  std::string clean;
  for (char c : in) {
    if (c != '\r' && c != '\n') clean += c;
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < clean.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = clean[i + k];
      int d;
      if (c >= 'A' && c <= 'Z') {
        d = c - 'A';
      } else if (c >= 'a' && c <= 'z') {
        d = c - 'a' + 26;
      } else if (c >= '0' && c <= '9') {
        d = c - '0' + 52;
      } else if (c == '+') {
        d = 62;
      } else if (c == '/') {
        d = 63;
      } else if (c == '=' && k >= 2 && i + 4 == clean.size()) {
        d = 0;
        ++pad;
      } else {
        return std::nullopt;
      }
      if (pad > 0 && c != '=') return std::nullopt;  // data after padding
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out += static_cast<char>((v >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
  }
  return out;
}

std::vector<ChannelType> ExecChannels(const Options& o) {
  return {o.stdin ? ChannelType::kRead : ChannelType::kIgnore,
          o.stdout ? ChannelType::kWrite : ChannelType::kIgnore,
          o.stderr ? ChannelType::kWrite : ChannelType::kIgnore, ChannelType::kWrite,
          ChannelType::kRead};
}

std::vector<ChannelType> PortForwardChannels(size_t ports) {
  std::vector<ChannelType> channels;
  for (size_t i = 0; i < ports; ++i) {
    channels.push_back(ChannelType::kReadWrite);
    channels.push_back(ChannelType::kWrite);
  }
  return channels;
}

bool Writable(ChannelType t) { return t == ChannelType::kWrite || t == ChannelType::kReadWrite; }

}  // namespace

// ---- ChannelCodec ----

ChannelCodec::ChannelCodec(WebSocketProtocol protocol, std::vector<ChannelType> channels)
    : protocol_(std::move(protocol)), channels_(std::move(channels)) {}

bool ChannelCodec::Readable(uint8_t channel) const {
  return channel < channels_.size() && (channels_[channel] == ChannelType::kRead ||
                                        channels_[channel] == ChannelType::kReadWrite);
}

StatusOr<ChannelMessage> ChannelCodec::Decode(std::string_view message) const {
  ChannelMessage m;
  if (message.empty()) return m;
  uint8_t first = static_cast<uint8_t>(message[0]);
  // wsstream checks the raw first byte for the close signal, before the base64 mapping.
  if (protocol_.version >= 5 && first == kCloseChannel) {
    if (message.size() != 2) {
      return BadRequest("Single channel byte should follow stream close signal. Got " +
                        std::to_string(message.size() - 1) + " bytes");
    }
    uint8_t target = static_cast<uint8_t>(message[1]);
    if (target >= channels_.size()) {
      return BadRequest("Close is targeted for a channel " + std::to_string(target) +
                        " that is not valid, possible protocol error");
    }
    m.kind = ChannelMessage::Kind::kClose;
    m.channel = target;
    return m;
  }
  uint8_t channel = protocol_.base64 ? static_cast<uint8_t>(first - '0') : first;
  if (!Readable(channel)) return m;  // unknown, ignored or write-only: dropped upstream
  std::string_view payload = message.substr(1);
  if (protocol_.base64) {
    std::optional<std::string> decoded = Base64Decode(payload);
    if (!decoded) return m;  // "Unable to write frame": logged and skipped upstream
    m.data = std::move(*decoded);
  } else {
    m.data = std::string(payload);
  }
  m.kind = ChannelMessage::Kind::kData;
  m.channel = channel;
  return m;
}

std::optional<std::string> ChannelCodec::Encode(uint8_t channel, std::string_view data) const {
  if (channel >= channels_.size() || !Writable(channels_[channel])) return std::nullopt;
  if (protocol_.base64)
    return std::string(1, static_cast<char>('0' + channel)) + Base64Encode(data);
  std::string out(1, static_cast<char>(channel));
  out.append(data);
  return out;
}

// ---- ExecWebSocket ----

ExecWebSocket::ExecWebSocket(WebSocketProtocol protocol, Options options)
    : options_(options), codec_(std::move(protocol), ExecChannels(options)) {}

std::string ExecWebSocket::StartMessage() const {
  uint8_t channel = options_.stdout   ? kStdoutChannel
                    : options_.stderr ? kStderrChannel
                                      : kErrorChannel;
  return *codec_.Encode(channel, "");
}

Status ExecWebSocket::Receive(std::string_view message, std::vector<ExecEvent>* events) {
  StatusOr<ChannelMessage> decoded = codec_.Decode(message);
  if (!decoded.ok()) return decoded.status();
  ChannelMessage& m = *decoded;
  if (m.kind == ChannelMessage::Kind::kClose) {
    // Closing the stdin pipe gives the process EOF; after the first close it is a no-op.
    if (m.channel == kStdinChannel && options_.stdin && !stdin_closed_) {
      stdin_closed_ = true;
      events->push_back({ExecEvent::Kind::kStdinClosed, {}, {}, {}});
    }
    return Status::Ok();
  }
  if (m.kind != ChannelMessage::Kind::kData) return Status::Ok();
  if (m.channel == kStdinChannel) {
    // Data after a close would hit a closed pipe upstream ("Unable to write frame").
    if (!stdin_closed_ && !m.data.empty()) {
      events->push_back({ExecEvent::Kind::kStdin, std::move(m.data), {}, {}});
    }
    return Status::Ok();
  }
  if (m.channel == kResizeChannel && !resize_.failed()) {
    std::vector<TerminalSize> sizes;
    Status st = resize_.Feed(m.data, &sizes);
    for (const TerminalSize& size : sizes)
      events->push_back({ExecEvent::Kind::kResize, {}, size, {}});
    if (!st.ok()) events->push_back({ExecEvent::Kind::kResizeError, {}, {}, st.message()});
  }
  return Status::Ok();
}

std::optional<std::string> ExecWebSocket::Stdout(std::string_view data) const {
  return codec_.Encode(kStdoutChannel, data);
}

std::optional<std::string> ExecWebSocket::Stderr(std::string_view data) const {
  return codec_.Encode(kStderrChannel, data);
}

std::optional<std::string> ExecWebSocket::Finish(const ExecResult& result) const {
  std::optional<std::string> payload = ErrorStreamPayload(codec_.protocol().version, result);
  if (!payload) return std::nullopt;
  return codec_.Encode(kErrorChannel, *payload);
}

// ---- Exec over SPDY ----

std::optional<StreamRole> ExecStreamRole(Version version, const spdy::Headers& headers) {
  const std::string* type = spdy::FindHeader(headers, "streamType");
  if (type == nullptr) return std::nullopt;
  if (*type == "error") return StreamRole::kError;
  if (*type == "stdin") return StreamRole::kStdin;
  if (*type == "stdout") return StreamRole::kStdout;
  if (*type == "stderr") return StreamRole::kStderr;
  if (*type == "resize" && version >= 3) return StreamRole::kResize;
  return std::nullopt;
}

int ExpectedStreams(Version version, const Options& options) {
  return 1 + (options.stdin ? 1 : 0) + (options.stdout ? 1 : 0) + (options.stderr ? 1 : 0) +
         (options.tty && version >= 3 ? 1 : 0);
}

ExecSpdyStreams::ExecSpdyStreams(Version version, Options options)
    : version_(version), expected_(ExpectedStreams(version, options)) {}

bool ExecSpdyStreams::Add(uint32_t stream_id, const spdy::Headers& headers) {
  std::optional<StreamRole> role = ExecStreamRole(version_, headers);
  if (!role) return false;
  ids_[static_cast<int>(*role)] = stream_id;
  ++received_;
  return true;
}

std::optional<uint32_t> ExecSpdyStreams::Stream(StreamRole role) const {
  return ids_[static_cast<int>(role)];
}

// ---- Port-forward ----

PortForwardWebSocket::PortForwardWebSocket(WebSocketProtocol protocol, std::vector<uint16_t> ports)
    : ports_(std::move(ports)), codec_(std::move(protocol), PortForwardChannels(ports_.size())) {}

std::vector<std::string> PortForwardWebSocket::StartMessages() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < ports_.size(); ++i) {
    std::string le = {static_cast<char>(ports_[i] & 0xff), static_cast<char>(ports_[i] >> 8)};
    out.push_back(*codec_.Encode(static_cast<uint8_t>(2 * i), le));
    out.push_back(*codec_.Encode(static_cast<uint8_t>(2 * i + 1), le));
  }
  return out;
}

StatusOr<PortForwardWebSocket::Incoming> PortForwardWebSocket::Receive(
    std::string_view message) const {
  StatusOr<ChannelMessage> decoded = codec_.Decode(message);
  if (!decoded.ok()) return decoded.status();
  Incoming in;
  if (decoded->kind == ChannelMessage::Kind::kData) {
    in.port_index = decoded->channel / 2;
    in.data = std::move(decoded->data);
  }
  return in;
}

std::optional<std::string> PortForwardWebSocket::Data(size_t port_index,
                                                      std::string_view data) const {
  if (port_index >= ports_.size()) return std::nullopt;
  return codec_.Encode(static_cast<uint8_t>(2 * port_index), data);
}

std::optional<std::string> PortForwardWebSocket::Error(size_t port_index,
                                                       std::string_view text) const {
  if (port_index >= ports_.size()) return std::nullopt;
  return codec_.Encode(static_cast<uint8_t>(2 * port_index + 1), text);
}

StatusOr<std::optional<PortForwardPairs::Pair>> PortForwardPairs::Add(
    const PortForwardStream& stream) {
  auto it = std::find_if(pairs_.begin(), pairs_.end(),
                         [&](const Pair& p) { return p.request_id == stream.request_id; });
  if (it == pairs_.end()) {
    pairs_.push_back(Pair{stream.request_id, 0, std::nullopt, std::nullopt});
    it = pairs_.end() - 1;
  }
  std::optional<uint32_t>& slot = stream.is_error ? it->error_stream : it->data_stream;
  if (slot) {
    return BadRequest("error processing stream for request " + stream.request_id + ": " +
                      (stream.is_error ? "error" : "data") + " stream already assigned");
  }
  slot = stream.stream_id;
  if (!stream.is_error) it->port = stream.port;
  if (it->data_stream && it->error_stream) {
    Pair done = *it;
    pairs_.erase(it);
    return std::optional<Pair>(std::move(done));
  }
  return std::optional<Pair>();
}

const PortForwardPairs::Pair* PortForwardPairs::pending(const std::string& request_id) const {
  for (const Pair& p : pairs_) {
    if (p.request_id == request_id) return &p;
  }
  return nullptr;
}

void PortForwardPairs::Remove(const std::string& request_id) {
  std::erase_if(pairs_, [&](const Pair& p) { return p.request_id == request_id; });
}

}  // namespace minik::remotecommand
