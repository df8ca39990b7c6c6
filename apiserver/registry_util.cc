// Small pieces of the generic registry: keys, encoding, selectors, names.
#include <cstdio>
#include <cstring>
#include <string_view>
#include <random>

#include "apiserver/registry_internal.h"

namespace minik::registry {

namespace {
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}
}  // namespace

std::string RandomSuffix(size_t n) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[pick(Rng())];
  return out;
}

std::string NewUid() {
  uint64_t hi = Rng()(), lo = Rng()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
           static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
           static_cast<unsigned>(lo >> 48),
           static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

StatusOr<Json> Decode(const std::string& bytes, int64_t revision) {
  auto obj = ParseJson(bytes, 1000);
  if (!obj.ok()) return Internal("stored object is not valid JSON: " + obj.status().message());
  if (!obj->is_object()) return Internal("stored object is not a JSON object");
  (*obj)["metadata"]["resourceVersion"] = std::to_string(revision);
  return obj;
}

std::string Encode(const Json& obj) {
  if (!obj.contains("metadata") || !obj["metadata"].contains("resourceVersion")) return obj.dump();
  Json copy = obj;
  copy["metadata"].erase("resourceVersion");
  return copy.dump();
}

std::string StoragePrefix(const ResourceInfo& info, const std::string& ns) {
  std::string prefix = "/registry/" + info.GroupResource() + "/";
  if (info.namespaced && !ns.empty()) prefix += ns + "/";
  return prefix;
}

bool Filter::Matches(const Json& obj) const {
  if (!labels.Empty() && !labels.Matches(Labels(obj))) return false;
  if (fields.Empty()) return true;
  return fields.Matches([&](const std::string& field) -> std::optional<std::string> {
    if (field == "metadata.name") return Name(obj);
    if (field == "metadata.namespace") return Namespace(obj);
    if (info && info->fields) return info->fields(obj, field);
    return std::nullopt;
  });
}

StatusOr<Filter> MakeFilter(const ResourceInfo& info, const ListQuery& query) {
  Filter filter;
  filter.info = &info;
  auto labels = LabelSelector::Parse(query.label_selector);
  if (!labels.ok()) return labels.status();
  filter.labels = std::move(*labels);
  auto fields = FieldSelector::Parse(query.field_selector);
  if (!fields.ok()) return fields.status();
  for (const auto& term : fields->terms()) {
    if (term.field == "metadata.name" || term.field == "metadata.namespace") continue;
    if (!info.fields || !info.fields(Json::object(), term.field).has_value())
      return BadRequest("field label not supported: " + term.field);
  }
  filter.fields = std::move(*fields);
  return filter;
}

}  // namespace minik::registry

namespace minik::registry {

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(const std::string& in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    for (int s = 18; s >= 6; s -= 6) out += kB64[(v >> s) & 63];
  }
  return out;
}

bool Base64UrlDecode(const std::string& in, std::string& out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = strchr(kB64, c);
    if (!p || c == '\0') {
      // Accept the standard alphabet too.
      if (c == '+') p = kB64 + 62;
      else if (c == '/') p = kB64 + 63;
      else return false;
    }
    acc = (acc << 6) | uint32_t(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return true;
}
}  // namespace

std::string EncodeContinue(const std::string& start_after, int64_t revision) {
  Json token = {{"v", "meta.k8s.io/v1"}, {"rv", revision}, {"start", start_after + '\0'}};
  return Base64UrlEncode(token.dump());
}

namespace {
// path.Clean("/" + key) == "/" + key: no empty, "." or ".." segments, no trailing slash.
bool IsCleanPath(const std::string& key) {
  if (key == "/") return true;
  if (key.empty() || key[0] != '/' || key.back() == '/') return false;
  size_t i = 1;
  while (i <= key.size()) {
    size_t j = key.find('/', i);
    if (j == std::string::npos) j = key.size();
    std::string_view seg(key.data() + i, j - i);
    if (seg.empty() || seg == "." || seg == "..") return false;
    i = j + 1;
  }
  return true;
}

Status InvalidToken(const std::string& why) {
  return BadRequest("invalid continue token: continue key is not valid" + why);
}
}  // namespace

StatusOr<std::pair<std::string, int64_t>> DecodeContinue(const std::string& token) {
  std::string raw;
  if (!Base64UrlDecode(token, raw)) return InvalidToken(": illegal base64 data");
  auto obj = ParseJson(raw);
  if (!obj.ok() || !obj->is_object()) return InvalidToken(": invalid character in JSON");
  const Json* v = Find(*obj, {"v"});
  const Json* start = Find(*obj, {"start"});
  const Json* rv = Find(*obj, {"rv"});
  if ((v && !v->is_string()) || (start && !start->is_string()) ||
      (rv && !rv->is_number_integer())) {
    return InvalidToken(": json: cannot unmarshal the continue token");
  }
  std::string version = v ? v->get<std::string>() : "";
  if (version != "meta.k8s.io/v1") {
    return InvalidToken(": server does not recognize this encoded version " + version);
  }
  int64_t revision = rv ? rv->get<int64_t>() : 0;
  if (revision == 0) {
    return InvalidToken(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
  std::string key = start ? start->get<std::string>() : "";
  if (key.empty()) return InvalidToken(": encoded start key empty (version meta.k8s.io/v1)");
  std::string rooted = key[0] == '/' ? key : "/" + key;
  if (!IsCleanPath(rooted)) return InvalidToken(": " + key);
  key = rooted.substr(1);
  if (!key.empty() && key.back() == '\0') key.pop_back();
  return std::make_pair(key, revision);
}

Status ValidateListQuery(const ListQuery& query) {
  const std::string& match = query.resource_version_match;
  if (match.empty()) return Status::Ok();
  std::vector<StatusCause> causes;
  auto forbid = [&](const std::string& why) {
    causes.push_back({"FieldValueForbidden", "Forbidden: " + why, "resourceVersionMatch"});
  };
  if (query.resource_version.empty())
    forbid("resourceVersionMatch is forbidden unless resourceVersion is provided");
  if (!query.continue_token.empty())
    forbid("resourceVersionMatch is forbidden when continue is provided");
  if (match != "Exact" && match != "NotOlderThan") {
    causes.push_back({"FieldValueNotSupported",
                      "Unsupported value: \"" + match +
                          "\": supported values: \"Exact\", \"NotOlderThan\", \"\"",
                      "resourceVersionMatch"});
  }
  if (match == "Exact" && query.resource_version == "0")
    forbid("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
  if (causes.empty()) return Status::Ok();
  return Invalid("ListOptions.meta.k8s.io", "", std::move(causes));
}

StatusOr<ListRead> PlanListRead(const ListQuery& query) {
  ListRead read;
  if (!query.continue_token.empty()) {
    auto token = DecodeContinue(query.continue_token);
    if (!token.ok()) return token.status();
    if (!query.resource_version.empty() && query.resource_version != "0")
      return BadRequest("specifying resource version is not allowed when using continue");
    read.start_after = token->first;
    read.revision = token->second > 0 ? token->second : 0;
    read.continuing = true;
    return read;
  }
  if (query.resource_version.empty() || query.resource_version == "0") return read;
  const std::string& rv = query.resource_version;
  bool digits = rv.size() <= 19 && rv.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    return BadRequest("invalid resource version: resourceVersion: Invalid value: \"" + rv +
                      "\": strconv.ParseUint: parsing \"" + rv + "\": invalid syntax");
  }
  int64_t parsed = std::stoll(rv);
  const std::string& match = query.resource_version_match;
  if (match == "Exact" || (match.empty() && query.limit > 0 && parsed > 0)) {
    read.revision = parsed;
  } else {
    read.not_older_than = parsed;  // NotOlderThan, and the legacy list without a limit
  }
  return read;
}

namespace {
constexpr char kExpired[] = "The resourceVersion for the provided list is too old.";
constexpr char kInconsistentContinue[] =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list.";
}  // namespace

Status TooLargeResourceVersion(int64_t wanted, int64_t current, int retry_after_seconds) {
  StatusDetails d;
  d.causes.push_back({"ResourceVersionTooLarge", "Too large resource version", ""});
  d.retry_after_seconds = retry_after_seconds;
  return Status(Code::kTimeout,
                "Timeout: Too large resource version: " + std::to_string(wanted) +
                    ", current: " + std::to_string(current),
                std::move(d));
}

Status ListReadError(const Status& error, const ListRead& read, bool not_older_than_read) {
  if (error.code() == Code::kGone) {
    if (!read.continuing) return Expired(kExpired);
    Status s = Expired(kInconsistentContinue);
    s.set_list_continue(EncodeContinue(read.start_after, -1));
    return s;
  }
  if (error.code() == Code::kTimeout) {
    // The store's "too large resource version: R, current: C".
    int64_t wanted = 0, current = 0;
    if (sscanf(error.message().c_str(), "too large resource version: %ld, current: %ld", &wanted,
               &current) == 2) {
      return TooLargeResourceVersion(wanted, current, not_older_than_read ? 1 : 0);
    }
  }
  return error;
}

}  // namespace minik::registry
