// Name and ObjectMeta validation, worded like k8s.io/apimachinery/pkg/util/validation,
// pkg/util/validation/field and pkg/api/validation. The regular expressions upstream uses
// are checked by hand here (they are simple character classes); the messages quote the
// upstream regexes verbatim because users see them.
#include "api/validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace minik {
namespace {

constexpr const char* kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr size_t kQualifiedNameMaxLength = 63;
constexpr const char* kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr const char* kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr size_t kLabelValueMaxLength = 63;
constexpr const char* kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr const char* kDns1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr size_t kDns1123LabelMaxLength = 63;
constexpr const char* kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr size_t kDns1123SubdomainMaxLength = 253;
constexpr const char* kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr const char* kDns1035LabelErrMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr size_t kDns1035LabelMaxLength = 63;
constexpr int64_t kTotalAnnotationSizeLimit = 256 * 1024;

std::string MaxLenError(size_t n) { return "must be no more than " + std::to_string(n) + " characters"; }

std::string RegexError(const std::string& msg, const std::string& fmt,
                       std::initializer_list<const char*> examples) {
  if (examples.size() == 0) return msg + " (regex used for validation is '" + fmt + "')";
  std::string out = msg + " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(e) + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

bool MatchesDns1123Subdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!MatchesDns1123Label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// [a-z]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1035Label(std::string_view s) {
  return MatchesDns1123Label(s) && s.front() >= 'a' && s.front() <= 'z';
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A trailing '-' is allowed in generateName: upstream replaces it before checking (and, as
// upstream does, drops the character before it too, which cannot change the verdict).
std::string MaskTrailingDash(const std::string& name) {
  if (name.size() > 1 && name.back() == '-') return name.substr(0, name.size() - 2) + "a";
  return name;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
size_t DecodeUtf8(const std::string& s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3F);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

// Close to Go's unicode.IsPrint for what appears in names and labels.
bool IsPrintable(uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
  if (cp == 0xAD || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) return false;
  if (cp >= 0x200B && cp <= 0x200F) return false;
  if (cp >= 0xE000 && cp <= 0xF8FF) return false;
  return true;
}

// Go's %v of a float64: the shortest digits that round-trip, in %e form when the exponent
// is < -4 or >= 6, as strconv.FormatFloat(f, 'g', -1, 64) decides ("1e+06", "123456").
std::string GoFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  int prec = 1;
  for (; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
    if (std::strtod(buf, nullptr) == f) break;
  }
  // buf is "-d.ddde+XX": split digits and exponent.
  std::string s = buf;
  bool neg = s[0] == '-';
  if (neg) s = s.substr(1);
  size_t e = s.find('e');
  int exp = std::atoi(s.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits.push_back(s[i]);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    std::snprintf(buf, sizeof(buf), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + buf;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  size_t int_len = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0');
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

StatusCause MakeCause(const char* reason, const std::string& field, std::string message) {
  return StatusCause{reason, std::move(message), field};
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// A member of metadata, or null.
const Json& MetaField(const Json& obj, const char* key) {
  static const Json kNull;
  const Json* v = Find(obj, {"metadata", key});
  return v ? *v : kNull;
}

std::string MetaString(const Json& obj, const char* key) {
  const Json& v = MetaField(obj, key);
  return v.is_string() ? v.get<std::string>() : "";
}

// Type errors in metadata: upstream's decoder rejects them before validation; here they
// surface as causes so that nothing of the wrong type reaches storage.
std::vector<StatusCause> CheckStringField(const Json& obj, const char* key) {
  const Json& v = MetaField(obj, key);
  if (v.is_null() || v.is_string()) return {};
  return {FieldInvalid(std::string("metadata.") + key, v, "must be a string")};
}

std::vector<StatusCause> ValidateOwnerReferences(const Json& refs, const std::string& field) {
  std::vector<StatusCause> out;
  if (refs.is_null()) return out;
  if (!refs.is_array()) return {FieldInvalid(field, refs, "must be a list")};
  std::string first_controller;
  for (const Json& ref : refs) {
    if (!ref.is_object()) {
      out.push_back(FieldInvalid(field, ref, "must be an object"));
      continue;
    }
    std::string api_version = GetString(ref, {"apiVersion"});
    std::string kind = GetString(ref, {"kind"});
    std::string group, version = api_version;
    if (auto slash = api_version.find('/'); slash != std::string::npos) {
      group = api_version.substr(0, slash);
      version = api_version.substr(slash + 1);
    }
    if (version.empty()) {
      out.push_back(FieldInvalid(field + ".apiVersion", api_version, "version must not be empty"));
    }
    if (kind.empty()) out.push_back(FieldInvalid(field + ".kind", kind, "kind must not be empty"));
    std::string name = GetString(ref, {"name"});
    if (name.empty()) out.push_back(FieldInvalid(field + ".name", name, "name must not be empty"));
    std::string uid = GetString(ref, {"uid"});
    if (uid.empty()) out.push_back(FieldInvalid(field + ".uid", uid, "uid must not be empty"));
    if (group.empty() && version == "v1" && kind == "Event") {
      out.push_back(FieldInvalid(field, ref, "/v1, Kind=Event is disallowed from being an owner"));
    }
    const Json* controller = Find(ref, {"controller"});
    if (controller && controller->is_boolean() && controller->get<bool>()) {
      std::string current = kind + "/" + name;
      if (!first_controller.empty()) {
        out.push_back(FieldInvalid(
            field, refs,
            "Only one reference can have Controller set to true. Found \"true\" in references for " +
                first_controller + " and " + current));
      } else {
        first_controller = current;
      }
    }
  }
  return out;
}

std::vector<StatusCause> ValidateFinalizers(const Json& finalizers, const std::string& field) {
  std::vector<StatusCause> out;
  if (finalizers.is_null()) return out;
  if (!finalizers.is_array()) return {FieldInvalid(field, finalizers, "must be a list")};
  bool orphan = false, foreground = false;
  for (const Json& f : finalizers) {
    if (!f.is_string()) {
      out.push_back(FieldInvalid(field, f, "must be a string"));
      continue;
    }
    const std::string& s = f.get_ref<const std::string&>();
    for (const auto& msg : IsQualifiedName(s)) out.push_back(FieldInvalid(field, s, msg));
    orphan |= s == "orphan";
    foreground |= s == "foregroundDeletion";
  }
  if (orphan && foreground) {
    out.push_back(FieldInvalid(field, finalizers,
                               "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return out;
}

std::vector<StatusCause> ValidateManagedFields(const Json& entries, const std::string& field) {
  std::vector<StatusCause> out;
  if (entries.is_null()) return out;
  if (!entries.is_array()) return {FieldInvalid(field, entries, "must be a list")};
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string path = field + "[" + std::to_string(i) + "]";
    const Json& e = entries[i];
    if (!e.is_object()) {
      out.push_back(FieldInvalid(path, e, "must be an object"));
      continue;
    }
    std::string op = GetString(e, {"operation"});
    if (op != "Apply" && op != "Update") {
      out.push_back(FieldInvalid(path + ".operation", op, "must be `Apply` or `Update`"));
    }
    std::string fields_type = GetString(e, {"fieldsType"});
    if (!fields_type.empty() && fields_type != "FieldsV1") {
      out.push_back(FieldInvalid(path + ".fieldsType", fields_type, "must be `FieldsV1`"));
    }
    for (auto& c : ValidateFieldManager(GetString(e, {"manager"}), path + ".manager")) {
      out.push_back(std::move(c));
    }
    if (GetString(e, {"subresource"}).size() > 256) {
      out.push_back(FieldTooLong(path + ".subresource", 256));
    }
  }
  return out;
}

void Append(std::vector<StatusCause>& out, std::vector<StatusCause> more) {
  for (auto& c : more) out.push_back(std::move(c));
}

void CheckImmutable(std::vector<StatusCause>& out, const Json& obj, const Json& old,
                    const char* key) {
  const Json& now = MetaField(obj, key);
  const Json& before = MetaField(old, key);
  // Absent and null are the same thing (omitempty upstream); so are "" and absent strings.
  auto empty = [](const Json& v) { return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()); };
  if (empty(now) && empty(before)) return;
  if (now != before) {
    out.push_back(FieldInvalid(std::string("metadata.") + key, now.is_null() ? Json("") : now,
                               "field is immutable"));
  }
}

}  // namespace

std::vector<std::string> IsDns1123Label(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123LabelMaxLength) errs.push_back(MaxLenError(kDns1123LabelMaxLength));
  if (!MatchesDns1123Label(value)) {
    if (MatchesDns1123Subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDns1123LabelErrMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsDns1123Subdomain(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (!MatchesDns1123Subdomain(value)) {
    errs.push_back(RegexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsDns1035Label(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1035LabelMaxLength) errs.push_back(MaxLenError(kDns1035LabelMaxLength));
  if (!MatchesDns1035Label(value)) {
    errs.push_back(RegexError(kDns1035LabelErrMsg, kDns1035LabelFmt, {"my-name", "abc-123"}));
  }
  return errs;
}

std::vector<std::string> IsQualifiedName(const std::string& value) {
  std::vector<std::string> errs;
  std::string name;
  size_t slash = value.find('/');
  if (slash == std::string::npos) {
    name = value;
  } else if (value.find('/', slash + 1) == std::string::npos) {
    std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& m : IsDns1123Subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  } else {
    errs.push_back("a qualified name " +
                   RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                              {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + MaxLenError(kQualifiedNameMaxLength));
  }
  if (!MatchesQualifiedNamePart(name)) {
    errs.push_back("name part " + RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> IsValidLabelValue(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(MaxLenError(kLabelValueMaxLength));
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> IsValidPathSegmentName(const std::string& value) {
  if (value == ".") return {"may not be '.'"};
  if (value == "..") return {"may not be '..'"};
  std::vector<std::string> errs;
  if (value.find('/') != std::string::npos) errs.push_back("may not contain '/'");
  if (value.find('%') != std::string::npos) errs.push_back("may not contain '%'");
  return errs;
}

std::vector<std::string> ValidateName(const std::string& name, NameRule rule, bool prefix) {
  switch (rule) {
    case NameRule::kDns1123Subdomain:
      return IsDns1123Subdomain(prefix ? MaskTrailingDash(name) : name);
    case NameRule::kDns1123Label:
      return IsDns1123Label(prefix ? MaskTrailingDash(name) : name);
    case NameRule::kDns1035Label:
      return IsDns1035Label(prefix ? MaskTrailingDash(name) : name);
    case NameRule::kPathSegment:
      if (prefix) {
        // A prefix may be "." or ".." since a suffix follows.
        std::vector<std::string> errs;
        if (name.find('/') != std::string::npos) errs.push_back("may not contain '/'");
        if (name.find('%') != std::string::npos) errs.push_back("may not contain '%'");
        return errs;
      }
      return IsValidPathSegmentName(name);
  }
  return {};
}

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  size_t i = 0;
  char buf[16];
  while (i < s.size()) {
    uint32_t cp;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[i]));
      out += buf;
      ++i;
      continue;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (IsPrintable(cp)) {
          out.append(s, i, len);
        } else if (cp < 0x20 || cp == 0x7F) {
          std::snprintf(buf, sizeof(buf), "\\x%02x", cp);
          out += buf;
        } else if (cp < 0x10000) {
          std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
          out += buf;
        } else {
          std::snprintf(buf, sizeof(buf), "\\U%08x", cp);
          out += buf;
        }
    }
    i += len;
  }
  return out + "\"";
}

std::string FieldValueString(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) return GoQuote(value.get_ref<const std::string&>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_float()) return GoFloat(value.get<double>());
  if (value.is_number()) return value.dump();
  if (value.is_array() && !value.empty() &&
      std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); })) {
    std::string out = "[]string{";
    bool first = true;
    for (const Json& v : value) {
      out += (first ? "" : ", ") + GoQuote(v.get_ref<const std::string&>());
      first = false;
    }
    return out + "}";
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

StatusCause FieldInvalid(const std::string& field, const Json& value, const std::string& detail) {
  std::string msg = "Invalid value: " + FieldValueString(value);
  if (!detail.empty()) msg += ": " + detail;
  return MakeCause("FieldValueInvalid", field, std::move(msg));
}

StatusCause FieldRequired(const std::string& field, const std::string& detail) {
  return MakeCause("FieldValueRequired", field,
                   detail.empty() ? "Required value" : "Required value: " + detail);
}

StatusCause FieldForbidden(const std::string& field, const std::string& detail) {
  return MakeCause("FieldValueForbidden", field,
                   detail.empty() ? "Forbidden" : "Forbidden: " + detail);
}

StatusCause FieldNotSupported(const std::string& field, const Json& value,
                              const std::vector<std::string>& supported) {
  std::string msg = "Unsupported value: " + FieldValueString(value);
  if (!supported.empty()) {
    std::vector<std::string> quoted;
    for (const auto& s : supported) quoted.push_back(GoQuote(s));
    msg += ": supported values: " + Join(quoted, ", ");
  }
  return MakeCause("FieldValueNotSupported", field, std::move(msg));
}

StatusCause FieldDuplicate(const std::string& field, const Json& value) {
  return MakeCause("FieldValueDuplicate", field, "Duplicate value: " + FieldValueString(value));
}

StatusCause FieldTooLong(const std::string& field, int64_t max_bytes) {
  return MakeCause("FieldValueTooLong", field,
                   max_bytes >= 0 ? "Too long: may not be more than " + std::to_string(max_bytes) +
                                        " bytes"
                                  : "Too long: value is too long");
}

StatusCause FieldTooMany(const std::string& field, int64_t actual, int64_t max_items) {
  std::string msg = "Too many";
  if (actual >= 0) msg += ": " + std::to_string(actual);
  msg += max_items >= 0 ? ": must have at most " + std::to_string(max_items) + " items"
                        : ": has too many items";
  return MakeCause("FieldValueTooMany", field, std::move(msg));
}

StatusCause FieldNotFound(const std::string& field, const Json& value) {
  return MakeCause("FieldValueNotFound", field, "Not found: " + FieldValueString(value));
}

std::vector<StatusCause> ValidateFieldManager(const std::string& manager, const std::string& field) {
  std::vector<StatusCause> out;
  if (manager.size() > 128) out.push_back(FieldTooLong(field, 128));
  for (size_t i = 0; i < manager.size();) {
    uint32_t cp;
    size_t len = DecodeUtf8(manager, i, &cp);
    if (len == 0) {
      cp = 0xFFFD;  // Go decodes an invalid byte as U+FFFD, which is printable
      len = 1;
    }
    if (!IsPrintable(cp)) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "U+%04X", cp);
      out.push_back(FieldInvalid(field, manager, std::string("invalid character ") + buf +
                                                     " (at position " + std::to_string(i) + ")"));
    }
    i += len;
  }
  return out;
}

std::vector<StatusCause> ValidateLabels(const Json& labels, const std::string& field) {
  std::vector<StatusCause> out;
  if (labels.is_null()) return out;
  if (!labels.is_object()) return {FieldInvalid(field, labels, "must be a map of strings")};
  for (const auto& [k, v] : labels.items()) {
    for (const auto& msg : IsQualifiedName(k)) out.push_back(FieldInvalid(field, k, msg));
    if (!v.is_string()) {
      out.push_back(FieldInvalid(field, v, "must be a string"));
      continue;
    }
    for (const auto& msg : IsValidLabelValue(v.get_ref<const std::string&>())) {
      out.push_back(FieldInvalid(field, v, msg));
    }
  }
  return out;
}

std::vector<StatusCause> ValidateAnnotations(const Json& annotations, const std::string& field) {
  std::vector<StatusCause> out;
  if (annotations.is_null()) return out;
  if (!annotations.is_object()) {
    return {FieldInvalid(field, annotations, "must be a map of strings")};
  }
  int64_t total = 0;
  for (const auto& [k, v] : annotations.items()) {
    // Upstream: a qualified name, except that case does not matter.
    for (const auto& msg : IsQualifiedName(Lower(k))) out.push_back(FieldInvalid(field, k, msg));
    if (!v.is_string()) {
      out.push_back(FieldInvalid(field, v, "must be a string"));
      continue;
    }
    total += static_cast<int64_t>(k.size() + v.get_ref<const std::string&>().size());
  }
  if (total > kTotalAnnotationSizeLimit) out.push_back(FieldTooLong(field, kTotalAnnotationSizeLimit));
  return out;
}

std::vector<StatusCause> ValidateLabelSelector(const Json& selector, const std::string& field) {
  std::vector<StatusCause> out;
  if (selector.is_null()) return out;
  if (!selector.is_object()) return {FieldInvalid(field, selector, "must be an object")};
  Append(out, ValidateLabels(selector.value("matchLabels", Json()), field + ".matchLabels"));
  const Json exprs = selector.value("matchExpressions", Json());
  if (exprs.is_null()) return out;
  if (!exprs.is_array()) {
    out.push_back(FieldInvalid(field + ".matchExpressions", exprs, "must be a list"));
    return out;
  }
  for (size_t i = 0; i < exprs.size(); ++i) {
    std::string path = field + ".matchExpressions[" + std::to_string(i) + "]";
    const Json& e = exprs[i];
    if (!e.is_object()) {
      out.push_back(FieldInvalid(path, e, "must be an object"));
      continue;
    }
    std::string op = GetString(e, {"operator"});
    const Json values = e.value("values", Json::array());
    size_t nvalues = values.is_array() ? values.size() : 0;
    if (op == "In" || op == "NotIn") {
      if (nvalues == 0) {
        out.push_back(FieldRequired(path + ".values",
                                    "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (nvalues > 0) {
        out.push_back(FieldForbidden(
            path + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      out.push_back(FieldInvalid(path + ".operator", e.value("operator", Json("")),
                                 "not a valid selector operator"));
    }
    std::string key = GetString(e, {"key"});
    for (const auto& msg : IsQualifiedName(key)) out.push_back(FieldInvalid(path + ".key", key, msg));
    if (!values.is_array()) {
      out.push_back(FieldInvalid(path + ".values", values, "must be a list"));
      continue;
    }
    for (size_t j = 0; j < values.size(); ++j) {
      std::string vpath = path + ".values[" + std::to_string(j) + "]";
      if (!values[j].is_string()) {
        out.push_back(FieldInvalid(vpath, values[j], "must be a string"));
        continue;
      }
      for (const auto& msg : IsValidLabelValue(values[j].get<std::string>())) {
        out.push_back(FieldInvalid(vpath, values[j], msg));
      }
    }
  }
  return out;
}

std::vector<StatusCause> ValidateObjectMeta(const Json& obj, bool namespaced, NameRule rule) {
  std::vector<StatusCause> out;
  const Json* meta = Find(obj, {"metadata"});
  if (meta != nullptr && !meta->is_null() && !meta->is_object()) {
    out.push_back(FieldInvalid("metadata", *meta, "must be an object"));
    return out;
  }
  for (const char* key : {"name", "generateName", "namespace"}) Append(out, CheckStringField(obj, key));

  std::string generate_name = MetaString(obj, "generateName");
  if (!generate_name.empty()) {
    for (const auto& msg : ValidateName(generate_name, rule, true)) {
      out.push_back(FieldInvalid("metadata.generateName", generate_name, msg));
    }
  }
  std::string name = MetaString(obj, "name");
  if (name.empty()) {
    // Names are generated before validation; a generateName alone is enough here.
    if (generate_name.empty()) {
      out.push_back(FieldRequired("metadata.name", "name or generateName is required"));
    }
  } else {
    for (const auto& msg : ValidateName(name, rule, false)) {
      out.push_back(FieldInvalid("metadata.name", name, msg));
    }
  }
  std::string ns = MetaString(obj, "namespace");
  if (namespaced) {
    if (ns.empty()) {
      out.push_back(FieldRequired("metadata.namespace"));
    } else {
      for (const auto& msg : IsDns1123Label(ns)) out.push_back(FieldInvalid("metadata.namespace", ns, msg));
    }
  } else if (!ns.empty()) {
    out.push_back(FieldForbidden("metadata.namespace", "not allowed on this type"));
  }
  const Json& generation = MetaField(obj, "generation");
  if (generation.is_number_integer() && !generation.is_number_unsigned() &&
      generation.get<int64_t>() < 0) {
    out.push_back(FieldInvalid("metadata.generation", generation, "must be greater than or equal to 0"));
  }
  Append(out, ValidateLabels(MetaField(obj, "labels"), "metadata.labels"));
  Append(out, ValidateAnnotations(MetaField(obj, "annotations"), "metadata.annotations"));
  Append(out, ValidateOwnerReferences(MetaField(obj, "ownerReferences"), "metadata.ownerReferences"));
  Append(out, ValidateFinalizers(MetaField(obj, "finalizers"), "metadata.finalizers"));
  Append(out, ValidateManagedFields(MetaField(obj, "managedFields"), "metadata.managedFields"));
  return out;
}

std::vector<StatusCause> ValidateObjectMetaUpdate(const Json& obj, const Json& old) {
  std::vector<StatusCause> out;
  const Json* meta = Find(obj, {"metadata"});
  if (meta != nullptr && !meta->is_null() && !meta->is_object()) {
    out.push_back(FieldInvalid("metadata", *meta, "must be an object"));
    return out;
  }
  // Finalizers cannot be added once the object is being deleted.
  if (!MetaField(old, "deletionTimestamp").is_null()) {
    std::set<std::string> before, added;
    const Json& old_f = MetaField(old, "finalizers");
    if (old_f.is_array()) {
      for (const Json& f : old_f) {
        if (f.is_string()) before.insert(f.get<std::string>());
      }
    }
    const Json& new_f = MetaField(obj, "finalizers");
    if (new_f.is_array()) {
      for (const Json& f : new_f) {
        if (f.is_string() && !before.count(f.get<std::string>())) added.insert(f.get<std::string>());
      }
    }
    if (!added.empty()) {
      std::vector<std::string> quoted;
      for (const auto& a : added) quoted.push_back(GoQuote(a));
      out.push_back(FieldForbidden(
          "metadata.finalizers",
          "no new finalizers can be added if the object is being deleted, found new finalizers "
          "[]string{" + Join(quoted, ", ") + "}"));
    }
  }
  int64_t gen_new = GetInt(obj, {"metadata", "generation"});
  int64_t gen_old = GetInt(old, {"metadata", "generation"});
  if (gen_new < gen_old) {
    out.push_back(FieldInvalid("metadata.generation", gen_new, "must not be decremented"));
  }
  for (const char* key : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                          "deletionGracePeriodSeconds"}) {
    CheckImmutable(out, obj, old, key);
  }
  Append(out, ValidateLabels(MetaField(obj, "labels"), "metadata.labels"));
  Append(out, ValidateAnnotations(MetaField(obj, "annotations"), "metadata.annotations"));
  Append(out, ValidateOwnerReferences(MetaField(obj, "ownerReferences"), "metadata.ownerReferences"));
  Append(out, ValidateManagedFields(MetaField(obj, "managedFields"), "metadata.managedFields"));
  return out;
}

// ---- wildcard hosts, domain-prefixed paths, IPs and CIDRs ------------------------------

namespace {

constexpr const char* kWildcardDns1123SubdomainErrMsg =
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character";
// RFC 3986 path characters (httpPathFmt).
constexpr const char* kHttpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

bool IsHttpPathChar(char c) {
  if (IsAlnum(c)) return true;
  return std::string_view("/-._~%!$&'()*+,;=:").find(c) != std::string_view::npos;
}

// Go's net.ParseIP with the "sloppy" IPv4 of k8s.io/utils/net: decimal octets, leading
// zeros allowed (read as decimal).
std::optional<std::vector<uint8_t>> ParseIpv4Sloppy(const std::string& s) {
  std::vector<uint8_t> out;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
    size_t start = i;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
      value = value * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start || value > 255) return std::nullopt;
    out.push_back(static_cast<uint8_t>(value));
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

}  // namespace

std::vector<std::string> IsWildcardDns1123Subdomain(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (value.rfind("*.", 0) != 0 || !MatchesDns1123Subdomain(value.substr(2))) {
    errs.push_back(RegexError(kWildcardDns1123SubdomainErrMsg,
                              std::string("\\*\\.") + kDns1123SubdomainFmt, {"*.example.com"}));
  }
  return errs;
}

std::vector<StatusCause> IsDomainPrefixedPath(const std::string& field, const std::string& value) {
  std::vector<StatusCause> out;
  if (value.empty()) {
    out.push_back(FieldRequired(field));
    return out;
  }
  size_t slash = value.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == value.size()) {
    out.push_back(
        FieldInvalid(field, value, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
    return out;
  }
  std::string host = value.substr(0, slash);
  for (const auto& m : IsDns1123Subdomain(host)) out.push_back(FieldInvalid(field, host, m));
  std::string path = value.substr(slash + 1);
  if (!std::all_of(path.begin(), path.end(), IsHttpPathChar)) {
    out.push_back(FieldInvalid(field, path, RegexError("Invalid path", kHttpPathFmt, {})));
  }
  return out;
}

std::string InclusiveRangeError(int64_t lo, int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

std::optional<IpAddress> ParseIp(const std::string& value) {
  if (value.find(':') == std::string::npos) {
    auto v4 = ParseIpv4Sloppy(value);
    if (!v4) return std::nullopt;
    return IpAddress{true, *v4};
  }
  unsigned char buf[16];
  if (inet_pton(AF_INET6, value.c_str(), buf) != 1) return std::nullopt;
  IpAddress ip{false, std::vector<uint8_t>(buf, buf + 16)};
  // Go's To4(): an IPv4-mapped IPv6 address is an IPv4 address.
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, buf))
    ip = IpAddress{true, std::vector<uint8_t>(buf + 12, buf + 16)};
  return ip;
}

std::optional<IpNet> ParseCidr(const std::string& value) {
  size_t slash = value.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto ip = ParseIp(value.substr(0, slash));
  std::string bits = value.substr(slash + 1);
  if (!ip || bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int prefix = std::stoi(bits);
  // An IPv4-mapped address written in IPv6 form keeps IPv6 prefix lengths (::ffff:1.2.3.0/120).
  bool v6_form = value.substr(0, slash).find(':') != std::string::npos;
  if (v6_form && ip->v4) {
    if (prefix < 96 || prefix > 128) return std::nullopt;
    prefix -= 96;
  }
  int max = ip->v4 ? 32 : 128;
  if (prefix > max) return std::nullopt;
  IpNet net{*ip, prefix};
  for (size_t i = 0; i < net.ip.bytes.size(); ++i) {
    int keep = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    net.ip.bytes[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  return net;
}

bool CidrContains(const IpNet& net, const IpAddress& ip) {
  if (net.ip.v4 != ip.v4) return false;
  for (size_t i = 0; i < ip.bytes.size(); ++i) {
    int keep = std::clamp(net.prefix - static_cast<int>(i) * 8, 0, 8);
    uint8_t mask = static_cast<uint8_t>(0xff00 >> keep);
    if ((ip.bytes[i] & mask) != net.ip.bytes[i]) return false;
  }
  return true;
}

std::vector<StatusCause> IsValidIp(const std::string& field, const std::string& value) {
  if (ParseIp(value)) return {};
  return {
      FieldInvalid(field, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")};
}

std::vector<StatusCause> IsValidCidr(const std::string& field, const std::string& value) {
  if (ParseCidr(value)) return {};
  return {FieldInvalid(field, value,
                       "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")};
}

// ---- metav1.Condition -------------------------------------------------------------------

namespace {

bool IsConditionReason(const std::string& r) {
  auto inner = [](char c) { return IsAlnum(c) || c == '_' || c == ',' || c == ':'; };
  if (r.empty() || !IsAlnum(r.front()) || (r.front() >= '0' && r.front() <= '9')) return false;
  if (!(IsAlnum(r.back()) || r.back() == '_')) return false;
  return std::all_of(r.begin(), r.end(), inner);
}

}  // namespace

std::vector<StatusCause> ValidateConditions(const Json& conditions, const std::string& field) {
  std::vector<StatusCause> out;
  if (!conditions.is_array()) return out;
  std::set<std::string> types;
  for (size_t i = 0; i < conditions.size(); ++i) {
    const Json& c = conditions[i];
    std::string path = field + "[" + std::to_string(i) + "]";
    auto str = [&](const char* key) {
      const Json* v = c.is_object() && c.contains(key) ? &c[key] : nullptr;
      return v && v->is_string() ? v->get<std::string>() : std::string();
    };
    std::string type = str("type");
    if (!types.insert(type).second) out.push_back(FieldDuplicate(path + ".type", type));
    for (const auto& m : IsQualifiedName(type))
      out.push_back(FieldInvalid(path + ".type", type, m));
    std::string status = str("status");
    if (status != "False" && status != "True" && status != "Unknown")
      out.push_back(FieldNotSupported(path + ".status", status, {"False", "True", "Unknown"}));
    const Json* gen =
        c.is_object() && c.contains("observedGeneration") ? &c["observedGeneration"] : nullptr;
    if (gen && gen->is_number() && gen->get<double>() < 0)
      out.push_back(FieldInvalid(path + ".observedGeneration", *gen,
                                 "must be greater than or equal to zero"));
    if (str("lastTransitionTime").empty())
      out.push_back(FieldRequired(path + ".lastTransitionTime", "must be set"));
    std::string reason = str("reason");
    if (reason.empty()) {
      out.push_back(FieldRequired(path + ".reason", "must be set"));
    } else {
      if (!IsConditionReason(reason))
        out.push_back(FieldInvalid(
            path + ".reason", reason,
            RegexError(
                "a condition reason must start with alphabetic character, optionally followed "
                "by a string of alphanumeric characters or '_,:', and must end with an "
                "alphanumeric character or '_'",
                "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?",
                {"my_name", "MY_NAME", "MyName", "ReasonA,ReasonB", "ReasonA:ReasonB"})));
      if (reason.size() > 1024) out.push_back(FieldTooLong(path + ".reason", 1024));
    }
    if (str("message").size() > 32 * 1024)
      out.push_back(FieldTooLong(path + ".message", 32 * 1024));
  }
  return out;
}

}  // namespace minik
