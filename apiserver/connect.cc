// pods/exec, pods/attach and pods/portforward: the apiserver's connect handlers
// (pkg/registry/core/pod/rest/subresources.go, pkg/registry/core/pod/strategy.go
// ExecLocation/AttachLocation/PortForwardLocation) and the kubelet's upgrade negotiation
// (pkg/kubelet/cri/streaming), in one step since the kubelet runs in this process: the
// request is checked, the node starts the process (or dials), and the connection is upgraded
// to a Tunnel (apiserver/stream_tunnels.h) speaking WebSocket or SPDY.
#include <algorithm>

#include "api/json.h"
#include "apiserver/remotecommand.h"
#include "apiserver/resource_handler.h"
#include "apiserver/responses.h"
#include "apiserver/stream_tunnels.h"

namespace minik {
namespace {

namespace rc = remotecommand;

bool QueryBool(const HttpRequest& request, const std::string& key) {
  std::string v = request.Query(key);
  return v == "true" || v == "1" || v == "True" || v == "TRUE";
}

std::vector<std::string> QueryAll(const HttpRequest& request, const std::string& key) {
  std::vector<std::string> out;
  auto [begin, end] = request.query.equal_range(key);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

bool HeaderHas(const HttpRequest& request, const std::string& header, std::string_view token) {
  std::string value = request.Header(header);
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return value.find(token) != std::string::npos;
}

enum class Transport { kNone, kWebSocket, kSpdy };

Transport UpgradeOf(const HttpRequest& request) {
  if (HeaderHas(request, "Upgrade", "websocket")) return Transport::kWebSocket;
  if (HeaderHas(request, "Upgrade", "spdy/3.1")) return Transport::kSpdy;
  return Transport::kNone;
}

// The container a request names; empty means the only one (ExecLocation's
// validateContainer... wording from pkg/registry/core/pod/strategy.go).
StatusOr<std::string> ChooseContainer(const Json& pod, const std::string& requested) {
  std::vector<std::string> names;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const Json* cs = Find(pod, {"spec", list});
    if (cs && cs->is_array()) {
      for (const Json& c : *cs) names.push_back(GetString(c, {"name"}));
    }
  }
  std::string name = GetString(pod, {"metadata", "name"});
  if (requested.empty()) {
    const Json* cs = Find(pod, {"spec", "containers"});
    if (cs && cs->is_array() && cs->size() == 1) return GetString((*cs)[0], {"name"});
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : " ") + n;
    return Status(Code::kBadRequest, "a container name must be specified for pod " + name +
                                         ", choose one of: [" + list + "]");
  }
  if (std::find(names.begin(), names.end(), requested) == names.end()) {
    return Status(Code::kBadRequest,
                  "container " + requested + " is not valid for pod " + name);
  }
  return requested;
}

HttpResponse Upgrade(HttpUpgrade::Kind kind, std::string protocol,
                     std::shared_ptr<Tunnel> tunnel) {
  HttpResponse response;
  response.status = 101;
  HttpUpgrade upgrade;
  upgrade.kind = kind;
  upgrade.tunnel = std::move(tunnel);
  if (kind == HttpUpgrade::Kind::kRaw) {
    response.headers = {{"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", protocol}};
  } else {
    upgrade.protocol = std::move(protocol);
  }
  response.upgrade = std::move(upgrade);
  return response;
}

// A failed SPDY negotiation, as httpstream.Handshake answers it: no common version names
// the ones the server accepts.
HttpResponse SpdyRefused(const Status& status, const std::vector<std::string>& supported) {
  HttpResponse response = ErrorResponse(status);
  if (status.code() == Code::kForbidden) {
    for (const std::string& p : supported) {
      response.headers.emplace_back("X-Accepted-Stream-Protocol-Versions", p);
    }
  }
  return response;
}

std::vector<std::string> OfferedVersions(const HttpRequest& request) {
  std::string value = request.Header("X-Stream-Protocol-Version");
  if (value.empty()) return {};
  return {value};
}

}  // namespace

HttpResponse ResourceHandler::Connect(const HttpRequest& request, const Target& t) {
  NodeConnector* node = node_ ? node_->load() : nullptr;
  if (!node) {
    return ErrorResponse(Status(Code::kServiceUnavailable, "the node's kubelet is not running"));
  }
  auto pod = client_.Get(t.ref, t.ns, t.name);
  if (!pod.ok()) return ErrorResponse(pod.status());
  Transport transport = UpgradeOf(request);
  if (transport == Transport::kNone) {
    return ErrorResponse(BadRequest("Upgrade request required"));
  }

  if (t.subresource == "portforward") {
    std::string name = t.name;
    std::string ns = t.ns;
    const std::atomic<NodeConnector*>* slot = node_;
    // The node is looked up at each dial: it may go away (server stop) while a tunnel runs.
    PortDialer dial = [slot, ns, name](uint16_t port) -> StatusOr<int> {
      NodeConnector* n = slot->load();
      if (!n) return Status(Code::kServiceUnavailable, "the node's kubelet is not running");
      return n->PortForward(ns, name, port);
    };
    std::string uid = GetString(*pod, {"metadata", "uid"});
    if (transport == Transport::kWebSocket) {
      auto negotiated = rc::NegotiatePortForwardWebSocket(request.Header("Sec-WebSocket-Protocol"));
      if (!negotiated.ok()) return ErrorResponse(negotiated.status());
      if (negotiated->spdy_tunnel) {
        return Upgrade(HttpUpgrade::Kind::kWebSocket, std::string(rc::kSpdyTunnelPortForward),
                       NewPortForwardSpdyTunnel(std::move(dial), name, uid));
      }
      auto ports = rc::ParsePortsQuery(QueryAll(request, "ports"));
      if (!ports.ok()) return ErrorResponse(ports.status());
      std::string protocol = negotiated->channel.name;
      return Upgrade(HttpUpgrade::Kind::kWebSocket, protocol,
                     NewPortForwardWebSocketTunnel(negotiated->channel, std::move(*ports),
                                                   std::move(dial), name, uid));
    }
    auto supported = rc::SupportedSpdyPortForwardProtocols();
    auto protocol = rc::NegotiateSpdy(OfferedVersions(request), supported);
    if (!protocol.ok()) return SpdyRefused(protocol.status(), supported);
    return Upgrade(HttpUpgrade::Kind::kRaw, *protocol,
                   NewPortForwardSpdyTunnel(std::move(dial), name, uid));
  }

  // exec and attach
  bool attach = t.subresource == "attach";
  NodeExecRequest exec;
  auto container = ChooseContainer(*pod, request.Query("container"));
  if (!container.ok()) return ErrorResponse(container.status());
  exec.container = *container;
  if (!attach) {
    exec.command = QueryAll(request, "command");
    if (exec.command.empty()) {
      return ErrorResponse(BadRequest("you must specify at least one command for the container"));
    }
  }
  rc::Options options;
  options.stdin = QueryBool(request, "stdin");
  options.stdout = QueryBool(request, "stdout");
  options.stderr = QueryBool(request, "stderr");
  options.tty = QueryBool(request, "tty");
  auto normalized = rc::NormalizeOptions(options);
  if (!normalized.ok()) return ErrorResponse(normalized.status());
  options = *normalized;
  exec.stdin = options.stdin;
  exec.stdout = options.stdout;
  exec.stderr = options.stderr;
  exec.tty = options.tty;

  // Negotiate before starting anything, so a refused upgrade runs no command.
  std::optional<rc::WebSocketProtocol> ws;
  std::string spdy_protocol;
  if (transport == Transport::kWebSocket) {
    auto negotiated = rc::NegotiateExecWebSocket(request.Header("Sec-WebSocket-Protocol"));
    if (!negotiated.ok()) return ErrorResponse(negotiated.status());
    ws = *negotiated;
  } else {
    auto supported = rc::SupportedSpdyExecProtocols();
    auto negotiated = rc::NegotiateSpdy(OfferedVersions(request), supported);
    if (!negotiated.ok()) return SpdyRefused(negotiated.status(), supported);
    spdy_protocol = *negotiated;
  }

  auto stream = attach ? node->Attach(t.ns, t.name, exec) : node->Exec(t.ns, t.name, exec);
  if (!stream.ok()) return ErrorResponse(stream.status());
  if (ws) {
    std::string protocol = ws->name;
    return Upgrade(HttpUpgrade::Kind::kWebSocket, protocol,
                   NewExecWebSocketTunnel(*ws, options, std::move(*stream),
                                          std::move(exec.command), attach));
  }
  return Upgrade(HttpUpgrade::Kind::kRaw, spdy_protocol,
                 NewExecSpdyTunnel(rc::VersionOf(spdy_protocol), options, std::move(*stream),
                                   std::move(exec.command), attach));
}

}  // namespace minik
