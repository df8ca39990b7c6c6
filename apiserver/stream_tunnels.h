// The Tunnels behind pods/exec, pods/attach and pods/portforward: they speak the remote-
// command protocols (apiserver/remotecommand.h, apiserver/spdy.h) to the client over an
// upgraded connection (http.h TunnelIo) and move bytes to and from the node (NodeStream,
// a port-forward dialer).
//
// Threads: each tunnel runs one pump thread (started in Start) that polls the node's
// descriptors and a wake-up descriptor; the strand only decodes what the client sent and
// hands it over. The pump reads no more output while 1 MiB waits for the client (a client
// that does not read holds up only its own stream); input beyond 1 MiB waiting for the node,
// or 4 MiB of output (control frames) for the client, pauses reading from the client.
// OnClosed stops the pump (it is woken at once; NodeStream::Wait and a dial are the only
// calls it blocks in); the pump then destroys the NodeStream and closes the sockets. The
// tunnel's destructor waits up to 200 ms for the pump, then lets it finish alone: the pump
// holds everything it uses, and no Tunnel method runs after OnClosed.
//
// Ending: exec/attach send all output, then the exit Status (error channel or stream), then
// close (WebSocket close 1000; SPDY: streams reset, GOAWAY), as the kubelet does.
// Port-forward: see stream_tunnels_portforward.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/node_connector.h"
#include "api/status.h"
#include "apiserver/http.h"
#include "apiserver/remotecommand.h"

namespace minik {

// Exec or attach over WebSocket (channel.k8s.io v1..v5, base64 variants). `stream` already
// runs; `command` words the exit Status ("error executing command [sh -c exit 3]").
std::shared_ptr<Tunnel> NewExecWebSocketTunnel(remotecommand::WebSocketProtocol protocol,
                                               remotecommand::Options options,
                                               std::unique_ptr<NodeStream> stream,
                                               std::vector<std::string> command, bool attach);

// Exec or attach over SPDY/3.1 (a raw upgrade): waits for the client's streams (error,
// stdin, stdout, stderr, resize as `options` ask), then pumps like the WebSocket tunnel.
std::shared_ptr<Tunnel> NewExecSpdyTunnel(remotecommand::Version version,
                                          remotecommand::Options options,
                                          std::unique_ptr<NodeStream> stream,
                                          std::vector<std::string> command, bool attach);

// Connects to a port of the pod (NodeConnector::PortForward bound to one pod).
using PortDialer = std::function<StatusOr<int>(uint16_t port)>;

// Port-forward over SPDY: raw (Upgrade: SPDY/3.1) or tunnelled in WebSocket binary messages
// (SPDY/3.1+portforward.k8s.io); the same bytes either way. One connection per data/error
// stream pair; a failed dial is written to that pair's error stream only.
std::shared_ptr<Tunnel> NewPortForwardSpdyTunnel(PortDialer dial, std::string pod, std::string uid);

// Port-forward over the kubelet's WebSocket channel protocol (?ports=, data and error
// channel per port): one connection per port for the life of the WebSocket.
std::shared_ptr<Tunnel> NewPortForwardWebSocketTunnel(remotecommand::WebSocketProtocol protocol,
                                                      std::vector<uint16_t> ports, PortDialer dial,
                                                      std::string pod, std::string uid);

}  // namespace minik
