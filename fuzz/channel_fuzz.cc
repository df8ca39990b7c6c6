// Fuzzes the channel.k8s.io WebSocket framing: exec/attach sessions (ExecWebSocket::Receive)
// for every protocol version, raw and base64, with every stdin/stdout/stderr/tty choice, and
// ChannelCodec::Decode over arbitrary channel tables. The input picks the protocol (from a
// negotiated header or directly), the options, then a list of length-prefixed messages.
// Checks: events match the options (stdin data only with stdin, never empty, never after a
// v5 close; one stdin close at most); only v5 close signals end the connection; what
// Encode writes on a readable channel decodes back to the same channel and bytes.
#include <string>
#include <vector>

#include "apiserver/remotecommand.h"
#include "fuzz/fuzz_input.h"

namespace minik::remotecommand {
namespace {

WebSocketProtocol PickProtocol(fuzz::FuzzInput& in) {
  static const char* const kOffers[] = {"v5.channel.k8s.io",        "v4.channel.k8s.io",
                                        "v4.base64.channel.k8s.io", "channel.k8s.io",
                                        "base64.channel.k8s.io",    ""};
  if (in.Bool()) {
    // Through negotiation, with a header from the table or from the input.
    std::string header = in.Bool() ? std::string(in.Chunk()) : kOffers[in.Below(6)];
    StatusOr<WebSocketProtocol> p = NegotiateExecWebSocket(header);
    if (p.ok()) {
      FUZZ_CHECK(p->version >= 1 && p->version <= 5);
      return *p;
    }
    FUZZ_CHECK(p.status().code() == Code::kForbidden);
  }
  WebSocketProtocol p;
  p.version = 1 + static_cast<int>(in.Below(5));
  p.base64 = in.Bool();
  return p;
}

void CheckRoundTrip(const ChannelCodec& codec, uint8_t channel, std::string_view data) {
  std::optional<std::string> wire = codec.Encode(channel, data);
  if (!wire) return;
  StatusOr<ChannelMessage> m = codec.Decode(*wire);
  FUZZ_CHECK(m.ok());
  if (m->kind == ChannelMessage::Kind::kNone) return;  // a write-only channel
  FUZZ_CHECK(m->kind == ChannelMessage::Kind::kData);
  FUZZ_CHECK(m->channel == channel && m->data == data);
}

void RunExec(fuzz::FuzzInput& in) {
  WebSocketProtocol protocol = PickProtocol(in);
  uint8_t bits = in.Byte();
  Options options{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
  if (bits & 16) {
    StatusOr<Options> normalized = NormalizeOptions(options);
    if (!normalized.ok()) return;
    options = *normalized;
  }
  ExecWebSocket exec(protocol, options);
  FUZZ_CHECK(!exec.StartMessage().empty());
  FUZZ_CHECK(exec.codec().Decode(exec.StartMessage()).ok());
  bool stdin_closed = false;
  while (!in.empty()) {
    std::string_view message = in.Chunk();
    std::vector<ExecEvent> events;
    Status s = exec.Receive(message, &events);
    if (!s.ok()) {
      // Only a malformed v5 close signal ends the connection.
      FUZZ_CHECK(protocol.version >= 5 && !message.empty() &&
                 static_cast<uint8_t>(message[0]) == kCloseChannel);
      FUZZ_CHECK(events.empty());
      break;
    }
    for (const ExecEvent& e : events) {
      switch (e.kind) {
        case ExecEvent::Kind::kStdin:
          FUZZ_CHECK(options.stdin && !stdin_closed && !e.data.empty());
          FUZZ_CHECK(e.data.size() <= message.size());
          break;
        case ExecEvent::Kind::kStdinClosed:
          FUZZ_CHECK(options.stdin && !stdin_closed && protocol.version >= 5);
          stdin_closed = true;
          break;
        case ExecEvent::Kind::kResize:
        case ExecEvent::Kind::kResizeError:
          break;
      }
    }
    // Output encoders never fail on a channel that is writable for these options.
    std::string_view out = message.substr(0, 8);
    FUZZ_CHECK(exec.Stdout(out).has_value() == options.stdout);
    FUZZ_CHECK(exec.Stderr(out).has_value() == options.stderr);
    CheckRoundTrip(exec.codec(), static_cast<uint8_t>(in.Below(6)), message);
  }
  ExecResult result =
      in.Bool() ? ExitedWith({"sh", "-c", "exit"}, 1 + static_cast<int>(in.Byte())) : ExecResult{};
  std::optional<std::string> finish = exec.Finish(result);
  if (finish) FUZZ_CHECK(exec.codec().Decode(*finish).ok());
}

void RunCodec(fuzz::FuzzInput& in) {
  WebSocketProtocol protocol = PickProtocol(in);
  std::vector<ChannelType> channels(in.Below(12));
  for (ChannelType& t : channels) t = static_cast<ChannelType>(in.Below(4));
  ChannelCodec codec(protocol, channels);
  while (!in.empty()) {
    std::string_view message = in.Chunk();
    StatusOr<ChannelMessage> m = codec.Decode(message);
    if (!m.ok()) {
      FUZZ_CHECK(protocol.version >= 5 && static_cast<uint8_t>(message[0]) == kCloseChannel);
      continue;
    }
    if (m->kind != ChannelMessage::Kind::kNone) FUZZ_CHECK(m->channel < channels.size());
    if (m->kind == ChannelMessage::Kind::kData) {
      FUZZ_CHECK(channels[m->channel] == ChannelType::kRead ||
                 channels[m->channel] == ChannelType::kReadWrite);
      FUZZ_CHECK(m->data.size() < message.size());
    }
    CheckRoundTrip(codec, static_cast<uint8_t>(in.Below(16)), message);
  }
}

}  // namespace
}  // namespace minik::remotecommand

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  if (in.Bool()) {
    minik::remotecommand::RunExec(in);
  } else {
    minik::remotecommand::RunCodec(in);
  }
  return 0;
}
