// Fuzzes port-forward input: SPDY stream headers (ParsePortForwardStream, then pairing in
// PortForwardPairs), the ?ports= query (ParsePortsQuery) and the WebSocket channel protocol
// (PortForwardWebSocket::Receive). The first byte picks the part.
// Checks: parsed ports are > 0; a pair completes with one data and one error stream of its
// request ID, and pending pairs stay bounded by the streams added; WebSocket data names an
// existing port, and what Data() writes for a port is received as that port's bytes.
#include <string>
#include <vector>

#include "apiserver/remotecommand.h"
#include "fuzz/fuzz_input.h"

namespace minik::remotecommand {
namespace {

void RunSpdy(fuzz::FuzzInput& in) {
  static const char* const kNames[] = {"port",      "streamtype", "requestid", "streamType",
                                       "requestID", "Port",       "other"};
  PortForwardPairs pairs;
  size_t added = 0;
  while (!in.empty()) {
    const uint32_t stream_id = in.Bool() ? in.U32() : static_cast<uint32_t>(in.Below(32));
    spdy::Headers headers(in.Below(5));
    for (auto& [name, value] : headers) {
      name = kNames[in.Below(7)];
      value = std::string(in.Bytes(in.Below(12)));
    }
    StatusOr<PortForwardStream> stream = ParsePortForwardStream(stream_id, headers);
    if (!stream.ok()) {
      FUZZ_CHECK(stream.status().code() == Code::kBadRequest);
      continue;
    }
    FUZZ_CHECK(stream->port > 0 && stream->stream_id == stream_id);
    FUZZ_CHECK(!stream->request_id.empty());
    ++added;
    auto pair = pairs.Add(*stream);
    if (!pair.ok()) {
      FUZZ_CHECK(pairs.pending(stream->request_id) != nullptr);
    } else if (*pair) {
      const PortForwardPairs::Pair& p = **pair;
      FUZZ_CHECK(p.request_id == stream->request_id && p.data_stream && p.error_stream);
      FUZZ_CHECK(p.port > 0);
      FUZZ_CHECK(pairs.pending(p.request_id) == nullptr);
    } else {
      FUZZ_CHECK(pairs.pending(stream->request_id) != nullptr);
    }
    FUZZ_CHECK(pairs.size() <= added);
    if (in.Byte() == 0x42) pairs.Remove(stream->request_id);  // the creation timeout fired
  }
}

void RunPortsQuery(fuzz::FuzzInput& in) {
  std::vector<std::string> values(in.Below(4));
  for (std::string& v : values) v = std::string(in.Chunk());
  StatusOr<std::vector<uint16_t>> ports = ParsePortsQuery(values);
  if (!ports.ok()) {
    FUZZ_CHECK(ports.status().code() == Code::kBadRequest);
    return;
  }
  FUZZ_CHECK(!ports->empty());
  for (uint16_t p : *ports) FUZZ_CHECK(p > 0);
}

void RunWebSocket(fuzz::FuzzInput& in) {
  WebSocketProtocol protocol;
  StatusOr<PortForwardWebSocketProtocol> negotiated =
      NegotiatePortForwardWebSocket(in.Bool() ? std::string(in.Chunk()) : std::string());
  if (negotiated.ok() && !negotiated->spdy_tunnel) {
    protocol = negotiated->channel;
  } else {
    protocol.version = 1 + static_cast<int>(in.Below(5));
    protocol.base64 = in.Bool();
    // No base64 v5 exists: its channel digits could collide with the raw close byte.
    if (protocol.base64 && protocol.version > 4) protocol.version = 4;
  }
  // At most 127 ports: channel numbers are one byte (2 per port) and 255 is v5's close.
  std::vector<uint16_t> ports(1 + in.Below(127));
  for (uint16_t& p : ports) p = static_cast<uint16_t>(1 + in.Below(65535));
  PortForwardWebSocket ws(protocol, ports);
  FUZZ_CHECK(ws.StartMessages().size() == 2 * ports.size());
  while (!in.empty()) {
    std::string_view message = in.Chunk();
    StatusOr<PortForwardWebSocket::Incoming> incoming = ws.Receive(message);
    if (incoming.ok() && incoming->port_index) FUZZ_CHECK(*incoming->port_index < ports.size());
    const size_t port = in.Below(ports.size() + 1);
    std::optional<std::string> out = ws.Data(port, message);
    FUZZ_CHECK(out.has_value() == (port < ports.size()));
    if (out) {
      StatusOr<PortForwardWebSocket::Incoming> back = ws.Receive(*out);
      FUZZ_CHECK(back.ok() && back->port_index == port && back->data == message);
    }
    FUZZ_CHECK(ws.Error(port, "x").has_value() == (port < ports.size()));
  }
}

}  // namespace
}  // namespace minik::remotecommand

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  switch (in.Below(3)) {
    case 0:
      minik::remotecommand::RunSpdy(in);
      break;
    case 1:
      minik::remotecommand::RunPortsQuery(in);
      break;
    default:
      minik::remotecommand::RunWebSocket(in);
      break;
  }
  return 0;
}
