// Small pieces of the generic registry: keys, encoding, selectors, names.
#include <cstring>
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

StatusOr<std::pair<std::string, int64_t>> DecodeContinue(const std::string& token) {
  std::string raw;
  Status bad = BadRequest("continue key is not valid: " + token);
  if (!Base64UrlDecode(token, raw)) return bad;
  auto obj = ParseJson(raw);
  if (!obj.ok() || !obj->is_object()) return bad;
  const Json* start = Find(*obj, {"start"});
  const Json* rv = Find(*obj, {"rv"});
  if (!start || !start->is_string() || !rv || !rv->is_number_integer()) return bad;
  std::string key = start->get<std::string>();
  if (!key.empty() && key.back() == '\0') key.pop_back();
  if (key.find("..") != std::string::npos) return bad;
  return std::make_pair(key, rv->get<int64_t>());
}

}  // namespace minik::registry
