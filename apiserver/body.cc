#include "apiserver/body.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "apiserver/media.h"

namespace minik {
namespace {

constexpr int kMaxDepth = 100;
constexpr size_t kMaxYamlNodes = 1000000;

Status UnsupportedMediaType(const std::string& type, const std::string& accepted) {
  return Status(Code::kUnsupportedMediaType,
                "the body of the request was in an unknown format - accepted media types "
                "include: " + accepted + (type.empty() ? "" : " (got \"" + type + "\")"));
}

size_t Digits(const std::string& s, size_t i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i;
}

// [-+]?[0-9]+
bool IsDecimalInt(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t end = Digits(s, i);
  return end > i && end == s.size();
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsDecimalFloat(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t int_end = Digits(s, i);
  bool int_digits = int_end > i;
  i = int_end;
  if (i < s.size() && s[i] == '.') {
    size_t frac_end = Digits(s, i + 1);
    if (!int_digits && frac_end == i + 1) return false;
    i = frac_end;
  } else if (!int_digits) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_end = Digits(s, i);
    if (exp_end == i) return false;
    i = exp_end;
  }
  return i == s.size();
}

// Resolves a plain (unquoted) YAML scalar like the YAML 1.2 core schema.
Json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (IsDecimalInt(s)) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0') return static_cast<int64_t>(v);
    errno = 0;
    if (s[0] != '-') {
      unsigned long long u = std::strtoull(s.c_str(), &end, 10);
      if (errno == 0 && end && *end == '\0') return static_cast<uint64_t>(u);
    }
    return std::strtod(s.c_str(), nullptr);
  }
  if (IsDecimalFloat(s)) return std::strtod(s.c_str(), nullptr);
  return s;
}

// The first problem of `s` as UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// past U+10FFFF), worded like go-yaml's reader; "" when `s` is valid. JSON text must be
// valid UTF-8, and nlohmann's dump throws on anything else.
std::string Utf8Problem(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, cp = c & 0x07;
    } else {
      return "invalid leading UTF-8 octet";
    }
    if (i + len > s.size()) return "incomplete UTF-8 octet sequence";
    for (size_t k = 1; k < len; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xc0) != 0x80) return "invalid trailing UTF-8 octet";
      cp = cp << 6 | (t & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return "invalid Unicode character";
    }
    i += len;
  }
  return "";
}

// A UTF-16 or UTF-32 byte order mark: yaml-cpp decodes those documents itself.
bool HasWideBom(std::string_view s) {
  auto starts = [&](std::string_view bom) { return s.substr(0, bom.size()) == bom; };
  using namespace std::string_view_literals;
  return starts("\xff\xfe"sv) || starts("\xfe\xff"sv) || starts("\x00\x00\xfe\xff"sv);
}

class YamlConverter {
 public:
  StatusOr<Json> Convert(const YAML::Node& node, int depth) {
    if (++nodes_ > kMaxYamlNodes) return BadRequest("yaml: document has too many nodes");
    if (depth > kMaxDepth) return BadRequest("yaml: exceeded max depth of " +
                                             std::to_string(kMaxDepth));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Json(nullptr);
      case YAML::NodeType::Scalar: {
        // Escapes ("\\ud800") can make what the text is not: bytes that are no UTF-8.
        if (!Utf8Problem(node.Scalar()).empty()) return InvalidEscape();
        const std::string& tag = node.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") return Json(node.Scalar());
        return PlainScalar(node.Scalar());
      }
      case YAML::NodeType::Sequence: {
        Json arr = Json::array();
        for (const auto& item : node) {
          auto v = Convert(item, depth + 1);
          if (!v.ok()) return v.status();
          arr.push_back(std::move(*v));
        }
        return arr;
      }
      case YAML::NodeType::Map: {
        Json obj = Json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) return BadRequest("yaml: map keys must be scalars");
          if (!Utf8Problem(kv.first.Scalar()).empty()) return InvalidEscape();
          auto v = Convert(kv.second, depth + 1);
          if (!v.ok()) return v.status();
          obj[kv.first.Scalar()] = std::move(*v);
        }
        return obj;
      }
    }
    return Json(nullptr);
  }

 private:
  static Status InvalidEscape() {
    return BadRequest(
        "error converting YAML to JSON: yaml: found invalid Unicode character escape code");
  }

  size_t nodes_ = 0;
};

std::string Abbreviate(const std::string& body) {
  constexpr size_t kMax = 200;
  return body.size() <= kMax ? body : body.substr(0, kMax) + "...";
}

}  // namespace

StatusOr<Json> YamlToJson(const std::string& text) {
  if (!HasWideBom(text)) {
    std::string problem = Utf8Problem(text);
    if (!problem.empty()) return BadRequest("error converting YAML to JSON: yaml: " + problem);
  }
  try {
    YAML::Node root = YAML::Load(text);
    YamlConverter converter;
    return converter.Convert(root, 0);
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("error converting YAML to JSON: ") + e.what());
  } catch (const std::exception& e) {
    return BadRequest(std::string("error converting YAML to JSON: ") + e.what());
  }
}

StatusOr<Json> DecodeObjectBody(const SchemaRegistry& schemas, const std::string& content_type,
                                const std::string& body,
                                std::vector<std::string>* duplicate_fields) {
  std::string type = ParseMediaType(content_type).type;
  StatusOr<Json> decoded = Status(Code::kInternal, "unset");
  if (type.empty() || type == "application/json") {
    decoded = ParseJson(body, kMaxDepth, duplicate_fields);
  } else if (type == "application/yaml") {
    decoded = YamlToJson(body);
  } else if (type == "application/vnd.kubernetes.protobuf") {
    decoded = DecodeProtobuf(schemas, body);
  } else {
    return UnsupportedMediaType(type,
                                "application/json, application/yaml, "
                                "application/vnd.kubernetes.protobuf");
  }
  if (!decoded.ok()) return decoded.status();
  if (!decoded->is_object()) {
    return BadRequest("Object 'Kind' is missing in '" + Abbreviate(body) + "'");
  }
  return decoded;
}

StatusOr<PatchType> PatchTypeFor(const std::string& content_type) {
  std::string type = ParseMediaType(content_type).type;
  if (type == "application/json-patch+json") return PatchType::kJson;
  if (type == "application/merge-patch+json") return PatchType::kMerge;
  if (type == "application/strategic-merge-patch+json") return PatchType::kStrategicMerge;
  if (type == "application/apply-patch+yaml") return PatchType::kApply;
  return UnsupportedMediaType(type,
                              "application/json-patch+json, application/merge-patch+json, "
                              "application/strategic-merge-patch+json, "
                              "application/apply-patch+yaml");
}

Status CheckBodyAgainstUrl(Json& obj, const GroupVersionKind& expected, const std::string& ns,
                           bool check_version) {
  std::string api_version = GetString(obj, {"apiVersion"});
  std::string kind = GetString(obj, {"kind"});
  if (obj.contains("apiVersion") && !obj["apiVersion"].is_string()) {
    return BadRequest("apiVersion must be a string");
  }
  if (obj.contains("kind") && !obj["kind"].is_string()) return BadRequest("kind must be a string");
  if (!kind.empty() && kind != expected.kind) {
    return BadRequest(expected.kind + " in version \"" + expected.version +
                      "\" cannot be handled as a " + expected.kind + ": the kind in the data (" +
                      kind + ") does not match the expected kind (" + expected.kind + ")");
  }
  if (check_version && !api_version.empty() && api_version != expected.ApiVersion()) {
    return BadRequest("the API version in the data (" + api_version +
                      ") does not match the expected API version (" + expected.ApiVersion() +
                      ")");
  }
  // Like the decoder's defaulting from the URL's kind: absent type fields are filled in.
  if (api_version.empty()) obj["apiVersion"] = expected.ApiVersion();
  if (kind.empty()) obj["kind"] = expected.kind;

  if (obj.contains("metadata") && !obj["metadata"].is_object() && !obj["metadata"].is_null()) {
    return BadRequest(expected.kind + " in version \"" + expected.version +
                      "\" cannot be handled as a " + expected.kind +
                      ": metadata must be an object");
  }
  // rest.EnsureObjectNamespaceMatchesRequestNamespace.
  std::string obj_ns = Namespace(obj);
  if (obj_ns == ns) return Status::Ok();
  if (obj_ns.empty()) {
    obj["metadata"]["namespace"] = ns;
    return Status::Ok();
  }
  if (ns.empty()) {
    obj["metadata"].erase("namespace");
    return Status::Ok();
  }
  return BadRequest(
      "the namespace of the provided object does not match the namespace sent on the request");
}

std::vector<std::string> FindUnknownFields(const SchemaRegistry& schemas,
                                           const GroupVersionKind& gvk, const Json& obj) {
  const TypeSchema* type = schemas.FindByGvk(gvk);
  if (type == nullptr) return {};
  return UnknownFields(schemas, *type, obj);
}

Json StripPatchDirectives(const Json& patch) {
  if (patch.is_array()) {
    Json out = Json::array();
    for (const auto& item : patch) out.push_back(StripPatchDirectives(item));
    return out;
  }
  if (!patch.is_object()) return patch;
  Json out = Json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!it.key().empty() && it.key()[0] == '$') continue;
    out[it.key()] = StripPatchDirectives(it.value());
  }
  return out;
}

Status StrictDecodingError(const GroupVersionKind& gvk, const std::vector<std::string>& unknown,
                           const std::vector<std::string>& duplicates) {
  std::string msg = gvk.kind + " in version \"" + gvk.version + "\" cannot be handled as a " +
                    gvk.kind + ": strict decoding error: ";
  bool first = true;
  for (const std::string& d : duplicates) {
    msg += (first ? "" : ", ") + std::string("duplicate field \"") + d + "\"";
    first = false;
  }
  for (const std::string& u : unknown) {
    msg += (first ? "" : ", ") + std::string("unknown field \"") + u + "\"";
    first = false;
  }
  return BadRequest(msg);
}

}  // namespace minik
