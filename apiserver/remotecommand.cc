// Negotiation, the exit Status JSON, resize decoding and port parsing (remotecommand.h).
// The channel framing and the per-transport session helpers are in remotecommand_channel.cc.
#include "apiserver/remotecommand.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace minik::remotecommand {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Go's fmt %v of a []string: "[a b c]".
std::string GoList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += items[i];
  }
  return out + "]";
}

// Go's %q for the ASCII strings these messages quote.
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

// A JSON string as Go's encoding/json writes it (HTML-safe escapes, invalid UTF-8 as U+FFFD).
void AppendGoJsonString(std::string_view s, std::string* out) {
  *out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      *out += "\\ufffd";
      ++i;
      continue;
    }
    if (n == 1) {
      if (c == '"' || c == '\\') {
        *out += '\\';
        *out += static_cast<char>(c);
      } else if (c == '\n') {
        *out += "\\n";
      } else if (c == '\r') {
        *out += "\\r";
      } else if (c == '\t') {
        *out += "\\t";
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        *out += buf;
      } else {
        *out += static_cast<char>(c);
      }
    } else if (n == 3 && s.substr(i, 3) == "\xe2\x80\xa8") {
      *out += "\\u2028";
    } else if (n == 3 && s.substr(i, 3) == "\xe2\x80\xa9") {
      *out += "\\u2029";
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
  *out += '"';
}

struct ProtocolEntry {
  std::string_view name;
  Version version;
  bool base64;
};
// minik's WebSocket exec protocols: the apiserver's v5 plus the kubelet's set.
constexpr ProtocolEntry kExecWebSocketProtocols[] = {
    {kStreamProtocolV5, 5, false}, {kStreamProtocolV4, 4, false}, {kV4Base64Protocol, 4, true},
    {kStreamProtocolV1, 1, false}, {kBase64Protocol, 1, true},    {"", 1, false},
};
constexpr ProtocolEntry kPortForwardWebSocketProtocols[] = {
    {kStreamProtocolV4, 4, false}, {kV4Base64Protocol, 4, true}, {"", 1, false}};

template <size_t N>
StatusOr<WebSocketProtocol> NegotiateWebSocket(std::string_view header,
                                               const ProtocolEntry (&table)[N],
                                               std::vector<std::string> extra_supported = {}) {
  std::vector<std::string> offered = SplitWebSocketProtocols(header);
  std::vector<std::string> tried = offered.empty() ? std::vector<std::string>{""} : offered;
  for (const std::string& p : tried) {
    for (const ProtocolEntry& e : table) {
      if (e.name == p) return WebSocketProtocol{std::string(e.name), e.version, e.base64};
    }
  }
  std::vector<std::string> supported = std::move(extra_supported);
  for (const ProtocolEntry& e : table) supported.emplace_back(e.name);
  return Status(Code::kForbidden, "requested protocol(s) are not supported: " + GoList(offered) +
                                      "; supports " + GoList(supported));
}

std::string ExitCodeText(int code) { return std::to_string(code); }

// strconv.ParseUint(s, 10, 16) error text, or "" when it parses into *out.
std::string ParseUint16(std::string_view s, uint64_t* out) {
  std::string quoted = "strconv.ParseUint: parsing " + GoQuote(s) + ": ";
  if (s.empty()) return quoted + "invalid syntax";
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return quoted + "invalid syntax";
    n = n * 10 + static_cast<uint64_t>(c - '0');
    // Go reports the overflow at the first digit that causes it, before later bad chars.
    if (n > 0xffff) return quoted + "value out of range";
  }
  *out = n;
  return "";
}

}  // namespace

StatusOr<Options> NormalizeOptions(Options options) {
  if (options.tty && options.stderr) options.stderr = false;
  if (!options.stdin && !options.stdout && !options.stderr) {
    return BadRequest("you must specify at least 1 of stdin, stdout, stderr");
  }
  return options;
}

std::vector<std::string> SplitWebSocketProtocols(std::string_view header) {
  std::vector<std::string> out;
  header = Trim(header);
  if (header.empty()) return out;
  while (true) {
    size_t comma = header.find(',');
    out.emplace_back(Trim(header.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

StatusOr<WebSocketProtocol> NegotiateExecWebSocket(std::string_view sec_websocket_protocol) {
  return NegotiateWebSocket(sec_websocket_protocol, kExecWebSocketProtocols);
}

StatusOr<PortForwardWebSocketProtocol> NegotiatePortForwardWebSocket(
    std::string_view sec_websocket_protocol) {
  for (const std::string& p : SplitWebSocketProtocols(sec_websocket_protocol)) {
    if (p == kSpdyTunnelPortForward) return PortForwardWebSocketProtocol{true, {}};
  }
  auto channel = NegotiateWebSocket(sec_websocket_protocol, kPortForwardWebSocketProtocols,
                                    {std::string(kSpdyTunnelPortForward)});
  if (!channel.ok()) return channel.status();
  return PortForwardWebSocketProtocol{false, std::move(*channel)};
}

std::vector<std::string> SupportedSpdyExecProtocols() {
  return {std::string(kStreamProtocolV5), std::string(kStreamProtocolV4),
          std::string(kStreamProtocolV3), std::string(kStreamProtocolV2),
          std::string(kStreamProtocolV1)};
}

std::vector<std::string> SupportedSpdyPortForwardProtocols() {
  return {std::string(kPortForwardProtocolV1)};
}

StatusOr<std::string> NegotiateSpdy(const std::vector<std::string>& offered,
                                    const std::vector<std::string>& supported) {
  // httpstream's commaSeparatedHeaderValues: split each line, trim spaces, drop empties.
  std::vector<std::string> client;
  for (const std::string& line : offered) {
    std::string_view rest = line;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) client.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (client.empty()) {
    return BadRequest("unable to upgrade: X-Stream-Protocol-Version is required");
  }
  for (const std::string& c : client) {
    if (std::find(supported.begin(), supported.end(), c) != supported.end()) return c;
  }
  return Status(Code::kForbidden,
                "unable to upgrade: unable to negotiate protocol: client supports " +
                    GoList(client) + ", server accepts " + GoList(supported));
}

Version VersionOf(std::string_view protocol) {
  if (protocol == kStreamProtocolV5) return 5;
  if (protocol == kStreamProtocolV4 || protocol == kV4Base64Protocol) return 4;
  if (protocol == kStreamProtocolV3) return 3;
  if (protocol == kStreamProtocolV2) return 2;
  return 1;
}

ExecResult ExitedWith(const std::vector<std::string>& command, int exit_code) {
  ExecResult r;
  r.kind = ExecResult::Kind::kExitCode;
  r.exit_code = exit_code;
  // containerd's CodeExitError text, wrapped by the kubelet's ServeExec.
  r.failure = Status(Code::kInternal,
                     "command terminated with non-zero exit code: "
                     "error executing command " +
                         GoList(command) + ", exit code " + ExitCodeText(exit_code));
  return r;
}

ExecResult ExecFailed(std::string_view error) {
  ExecResult r;
  r.kind = ExecResult::Kind::kFailure;
  r.failure = Internal("error executing command in container: " + std::string(error));
  return r;
}

ExecResult AttachFailed(std::string_view error) {
  ExecResult r;
  r.kind = ExecResult::Kind::kFailure;
  r.failure = Internal("error attaching to container: " + std::string(error));
  return r;
}

std::string StatusJson(const ExecResult& result) {
  std::string out = R"({"metadata":{},"status":)";
  switch (result.kind) {
    case ExecResult::Kind::kSuccess:
      return out + R"("Success"})";
    case ExecResult::Kind::kExitCode:
      out += R"("Failure","message":)";
      AppendGoJsonString(result.failure.message(), &out);
      out += R"(,"reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":")";
      return out + ExitCodeText(result.exit_code) + "\"}]}}";
    case ExecResult::Kind::kFailure:
      break;
  }
  // apierrors.NewInternalError(err): message "Internal error occurred: <err>", one cause
  // carrying err, code 500. Other Status codes render the same way with their reason.
  const Status& st = result.failure;
  bool internal = st.code() == Code::kInternal;
  std::string message = internal ? "Internal error occurred: " + st.message() : st.message();
  out += R"("Failure","message":)";
  AppendGoJsonString(message, &out);
  out += R"(,"reason":)";
  AppendGoJsonString(st.Reason(), &out);
  std::vector<StatusCause> causes;
  StatusDetails details;
  if (st.details()) details = *st.details();
  causes = details.causes;
  if (internal && causes.empty()) causes.push_back({"", st.message(), ""});
  // metav1.StatusDetails field order: name, group, kind, uid, causes, retryAfterSeconds.
  std::string detail_fields;
  auto add_detail = [&](const char* key, const std::string& v) {
    if (v.empty()) return;
    detail_fields += detail_fields.empty() ? "\"" : ",\"";
    detail_fields += key;
    detail_fields += "\":";
    AppendGoJsonString(v, &detail_fields);
  };
  add_detail("name", details.name);
  add_detail("group", details.group);
  add_detail("kind", details.kind);
  if (!detail_fields.empty() || !causes.empty() || details.retry_after_seconds > 0) {
    out += R"(,"details":{)" + detail_fields;
  }
  if (!causes.empty()) {
    out += detail_fields.empty() ? R"("causes":[)" : R"(,"causes":[)";
    for (size_t i = 0; i < causes.size(); ++i) {
      if (i > 0) out += ',';
      std::string fields;
      auto add = [&](const char* key, const std::string& v) {
        if (v.empty()) return;
        if (!fields.empty()) fields += ',';
        fields += '"';
        fields += key;
        fields += "\":";
        AppendGoJsonString(v, &fields);
      };
      add("reason", causes[i].reason);
      add("message", causes[i].message);
      add("field", causes[i].field);
      out += "{" + fields + "}";
    }
    out += "]";
  }
  if (details.retry_after_seconds > 0) {
    out += (detail_fields.empty() && causes.empty()) ? "" : ",";
    out += "\"retryAfterSeconds\":" + std::to_string(details.retry_after_seconds);
  }
  if (!detail_fields.empty() || !causes.empty() || details.retry_after_seconds > 0) out += "}";
  return out + ",\"code\":" + std::to_string(st.HttpCode()) + "}";
}

std::optional<std::string> ErrorStreamPayload(Version version, const ExecResult& result) {
  if (version >= 4) return StatusJson(result);
  // v1WriteStatusFunc: status.Error() is the Status message; success writes nothing.
  if (result.kind == ExecResult::Kind::kSuccess) return std::nullopt;
  if (result.kind == ExecResult::Kind::kFailure && result.failure.code() == Code::kInternal) {
    return "Internal error occurred: " + result.failure.message();
  }
  return result.failure.message();
}

// ---- ResizeDecoder ----

namespace {

// The end of the JSON value starting at s[0] (after whitespace was skipped), or npos while
// the value may still be incomplete. Structural validity is checked by the parser later.
size_t ValueEnd(std::string_view s) {
  char first = s[0];
  if (first == '{' || first == '[') {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return std::string_view::npos;
  }
  if (first == '"') {
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '"') {
        return i + 1;
      }
    }
    return std::string_view::npos;
  }
  // A literal or number ends at a delimiter; at the end of the buffer more may follow.
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '{' || c == '[' || c == '"' ||
        c == ',' || c == ':' || c == '}' || c == ']') {
      return i == 0 ? 1 : i;
    }
  }
  return std::string_view::npos;
}

bool EqualFoldAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// json.Unmarshal of one value into TerminalSize.
Status DecodeSize(std::string_view text, TerminalSize* size) {
  nlohmann::ordered_json v;
  try {
    v = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("invalid resize message: ") + e.what());
  }
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) {
    return BadRequest("json: cannot unmarshal " + std::string(v.type_name()) +
                      " into Go value of type remotecommand.TerminalSize");
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    uint16_t* field = EqualFoldAscii(it.key(), "Width")    ? &size->width
                      : EqualFoldAscii(it.key(), "Height") ? &size->height
                                                           : nullptr;
    if (field == nullptr || it.value().is_null()) continue;
    const auto& value = it.value();
    if (!value.is_number_unsigned() || value.get<uint64_t>() > 0xffff) {
      // Worded as Go's UnmarshalTypeError ("number 70000", "array"); never dump() a container:
      // it recurses once per nesting level and a client can nest 60 KB deep.
      std::string what = value.is_number() ? "number " + value.dump() : value.type_name();
      return BadRequest("json: cannot unmarshal " + what + " into Go struct field TerminalSize." +
                        it.key() + " of type uint16");
    }
    *field = static_cast<uint16_t>(value.get<uint64_t>());
  }
  return Status::Ok();
}

}  // namespace

Status ResizeDecoder::Feed(std::string_view bytes, std::vector<TerminalSize>* out) {
  if (!error_.ok()) return error_;
  pending_.append(bytes);
  size_t pos = 0;
  while (true) {
    while (pos < pending_.size() && std::isspace(static_cast<unsigned char>(pending_[pos]))) {
      ++pos;
    }
    if (pos == pending_.size()) break;
    size_t end = ValueEnd(std::string_view(pending_).substr(pos));
    if (end == std::string_view::npos) break;
    TerminalSize size;
    Status st = DecodeSize(std::string_view(pending_).substr(pos, end), &size);
    if (!st.ok()) {
      error_ = st;
      pending_.clear();
      return error_;
    }
    out->push_back(size);
    pos += end;
  }
  pending_.erase(0, pos);
  if (pending_.size() > kMaxPending) {
    error_ = BadRequest("resize message too large");
    pending_.clear();
  }
  return error_;
}

// ---- Port parsing ----

StatusOr<std::vector<uint16_t>> ParsePortsQuery(const std::vector<std::string>& values) {
  if (values.empty()) return BadRequest("query parameter \"ports\" is required");
  std::vector<uint16_t> ports;
  for (const std::string& value : values) {
    if (value.empty()) return BadRequest("query parameter \"ports\" cannot be empty");
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      uint64_t port = 0;
      std::string err = ParseUint16(rest.substr(0, comma), &port);
      if (!err.empty()) {
        return BadRequest("unable to parse " + GoQuote(value) + " as a port: " + err);
      }
      if (port < 1) return BadRequest("port " + GoQuote(value) + " must be > 0");
      ports.push_back(static_cast<uint16_t>(port));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return ports;
}

StatusOr<PortForwardStream> ParsePortForwardStream(uint32_t stream_id,
                                                   const spdy::Headers& headers) {
  const std::string* port_text = spdy::FindHeader(headers, "port");
  if (port_text == nullptr || port_text->empty()) {
    return BadRequest("\"port\" header is required");
  }
  uint64_t port = 0;
  std::string err = ParseUint16(*port_text, &port);
  if (!err.empty()) {
    return BadRequest("unable to parse " + GoQuote(*port_text) + " as a port: " + err);
  }
  if (port < 1) return BadRequest("port " + GoQuote(*port_text) + " must be > 0");
  const std::string* type = spdy::FindHeader(headers, "streamType");
  if (type == nullptr || type->empty()) return BadRequest("\"streamType\" header is required");
  if (*type != "error" && *type != "data") {
    return BadRequest("invalid stream type " + GoQuote(*type));
  }
  PortForwardStream s;
  s.stream_id = stream_id;
  s.is_error = *type == "error";
  s.port = static_cast<uint16_t>(port);
  const std::string* request_id = spdy::FindHeader(headers, "requestID");
  if (request_id != nullptr && !request_id->empty()) {
    s.request_id = *request_id;
  } else {
    // Old clients send no requestID: their error and data streams are consecutive odd ids.
    s.request_id = std::to_string(static_cast<int64_t>(stream_id) - (s.is_error ? 0 : 2));
  }
  return s;
}

std::string PortForwardErrorText(uint16_t port, std::string_view pod, std::string_view uid,
                                 std::string_view error) {
  return "error forwarding port " + std::to_string(port) + " to pod " + std::string(pod) +
         ", uid " + std::string(uid) + ": " + std::string(error);
}

}  // namespace minik::remotecommand
