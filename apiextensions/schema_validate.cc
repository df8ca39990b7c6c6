// StructuralSchema::Validate: the kube-openapi schema validator as apiextensions runs it
// (pkg/apiserver/validation: kubeOpenAPIResultToFieldErrors), embedded-resource checks
// (schema/objectmeta), list-type invariants (schema/listtype) and x-kubernetes-validations
// through a RuleEvaluator, in that order, as the custom resource strategy does.
//
// Two path styles coexist, as upstream: the OpenAPI validator names fields "spec.a[0].b" and
// "spec.labels.key" (its error paths become the field as-is), the field.Path walkers name
// map entries "spec.labels[key]". A root-level field.Path is nil and prints "<nil>".
#include <arpa/inet.h>

#include <cmath>
#include <set>

#include "api/base64.h"
#include "api/validation.h"
#include "apiextensions/schema_node.h"
#include "apiextensions/structural_schema.h"

namespace minik {
namespace ai = apiextensions_internal;
namespace {

using Causes = std::vector<StatusCause>;

// The OpenAPI error path as a field: the name without a leading '.'; "<nil>" at the root.
std::string ErrPath(const std::string& name) {
  if (name.empty() || name == ".") return "<nil>";
  return name[0] == '.' ? name.substr(1) : name;
}

std::string Num(double f) { return FieldValueString(Json(f)); }

std::string JsonType(const Json& v) {
  if (v.is_boolean()) return "boolean";
  if (v.is_string()) return "string";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

bool IsIntegral(double d) { return std::isfinite(d) && std::floor(d) == d; }

size_t RuneCount(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool Digits(const std::string& s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool IsDate(const std::string& s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2)) {
    return false;
  }
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// RFC 3339 date-time (strfmt.ParseDateTime accepts a few layouts; this is the common one).
bool IsDateTime(const std::string& s) {
  if (s.size() < 20 || !IsDate(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2)) {
    return false;
  }
  if (std::stoi(s.substr(11, 2)) > 23 || std::stoi(s.substr(14, 2)) > 59 ||
      std::stoi(s.substr(17, 2)) > 60) {
    return false;
  }
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j == i + 1) return false;
    i = j;
  }
  std::string zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && Digits(zone, 1, 2) &&
         zone[3] == ':' && Digits(zone, 4, 2);
}

bool IsUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

// Formats validated as upstream's strfmt registry does for CRDs; unknown formats pass.
bool FormatOk(const std::string& format_name, const std::string& v) {
  // strfmt's registry ignores '-' and '_' in names ("date-time" == "datetime").
  std::string format;
  for (char ch : format_name) {
    if (ch != '-' && ch != '_') format += ch;
  }
  if (format == "byte") return Base64Decode(v).has_value();
  if (format == "date") return IsDate(v);
  if (format == "datetime") return IsDateTime(v);
  if (format == "uuid") return IsUuid(v);
  if (format == "uuid3" || format == "uuid4" || format == "uuid5") {
    return IsUuid(v) && v[14] == format[4];
  }
  if (format == "ipv4") {
    in_addr a;
    return inet_pton(AF_INET, v.c_str(), &a) == 1;
  }
  if (format == "ipv6") {
    in6_addr a;
    return inet_pton(AF_INET6, v.c_str(), &a) == 1;
  }
  if (format == "cidr") return ParseCidr(v).has_value();
  if (format == "hostname") {
    std::string lower = v;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return v.size() <= 255 && IsDns1123Subdomain(lower).empty();
  }
  if (format == "email") {
    auto at = v.find('@');
    return at != std::string::npos && at > 0 && at + 1 < v.size() &&
           v.find('@', at + 1) == std::string::npos && v.find(' ') == std::string::npos;
  }
  return true;
}

bool EnumEqual(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

StatusCause TypeInvalid(const std::string& name, const std::string& types, const std::string& got) {
  StatusCause c = FieldInvalid(ErrPath(name), got,
                               name + " in body must be of type " + types + ": " + GoQuote(got));
  c.reason = "FieldValueTypeInvalid";
  return c;
}

StatusCause Composite(const std::string& msg) { return FieldInvalid("<nil>", "", msg); }

// The kube-openapi SchemaValidator over one node.
void ValidateNode(const ai::Node& s, const Json& v, const std::string& name, bool embedded, Causes& out,
             int depth) {
  if (depth > ai::kMaxDataDepth) return;
  std::string types = s.int_or_string ? "integer,string" : s.type;
  std::string err = ErrPath(name);
  if (v.is_null()) {
    if (!types.empty() && !s.nullable) out.push_back(TypeInvalid(name, types, "null"));
  } else if (!types.empty()) {
    std::string t = JsonType(v);
    bool ok = types.find(t) != std::string::npos ||
              (t == "number" && IsIntegral(v.get<double>()) &&
               types.find("integer") != std::string::npos) ||
              (t == "integer" && types.find("number") != std::string::npos);
    if (!ok) out.push_back(TypeInvalid(name, types, t));
  }

  if (!v.is_null()) {
    // allOf / anyOf / oneOf / not.
    auto run = [&](const ai::Node& sub) {
      Causes r;
      ValidateNode(sub, v, name, false, r, depth + 1);
      return r;
    };
    if (!s.any_of.empty()) {
      std::optional<Causes> best;
      bool ok = false;
      for (const auto& sub : s.any_of) {
        Causes r = run(*sub);
        if (r.empty()) { ok = true; break; }
        if (!best) best = std::move(r);
      }
      if (!ok) {
        out.push_back(Composite(GoQuote(name) + " must validate at least one schema (anyOf)"));
        out.insert(out.end(), best->begin(), best->end());
      }
    }
    if (!s.one_of.empty()) {
      std::optional<Causes> best;
      int valid = 0;
      for (const auto& sub : s.one_of) {
        Causes r = run(*sub);
        if (r.empty()) ++valid;
        else if (!best) best = std::move(r);
      }
      if (valid != 1) {
        out.push_back(Composite(GoQuote(name) + " must validate one and only one schema (oneOf). " +
                                (valid == 0 ? std::string("Found none valid")
                                            : "Found " + std::to_string(valid) + " valid alternatives")));
        if (valid == 0 && best) out.insert(out.end(), best->begin(), best->end());
      }
    }
    if (!s.all_of.empty()) {
      size_t valid = 0;
      for (const auto& sub : s.all_of) {
        Causes r = run(*sub);
        if (r.empty()) ++valid;
        out.insert(out.end(), r.begin(), r.end());
      }
      if (valid != s.all_of.size()) {
        out.push_back(Composite(GoQuote(name) + " must validate all the schemas (allOf)" +
                                (valid == 0 ? ". None validated" : "")));
      }
    }
    if (s.not_ && run(*s.not_).empty()) {
      out.push_back(Composite(GoQuote(name) + " must not validate the schema (not)"));
    }
  }

  if (v.is_string()) {
    const std::string& str = v.get_ref<const std::string&>();
    if (s.max_length && static_cast<int64_t>(RuneCount(str)) > *s.max_length) {
      out.push_back(FieldTooLong(err, *s.max_length));
    } else if (s.min_length && static_cast<int64_t>(RuneCount(str)) < *s.min_length) {
      out.push_back(FieldInvalid(err, v, name + " in body should be at least " +
                                             std::to_string(*s.min_length) + " chars long"));
    } else if (s.regex && !s.regex->Search(str)) {
      out.push_back(FieldInvalid(err, v, name + " in body should match '" + s.pattern + "'"));
    }
    if (!s.format.empty() && !FormatOk(s.format, str)) {
      StatusCause c = FieldInvalid(err, v, name + " in body must be of type " + s.format + ": " +
                                               GoQuote(str));
      c.reason = "FieldValueTypeInvalid";
      out.push_back(std::move(c));
    }
  }

  if (v.is_number()) {
    double d = v.get<double>();
    if (s.multiple_of) {
      double q = d / *s.multiple_of;
      bool ok = v.is_number_integer() && IsIntegral(*s.multiple_of)
                    ? v.get<int64_t>() % static_cast<int64_t>(*s.multiple_of) == 0
                    : IsIntegral(q);
      if (!ok) {
        out.push_back(FieldInvalid(err, v, name + " in body should be a multiple of " +
                                               Num(*s.multiple_of)));
      }
    }
    if (s.maximum && (s.exclusive_maximum ? d >= *s.maximum : d > *s.maximum)) {
      out.push_back(FieldInvalid(err, v, name + " in body should be less than " +
                                             (s.exclusive_maximum ? "" : "or equal to ") +
                                             Num(*s.maximum)));
    }
    if (s.minimum && (s.exclusive_minimum ? d <= *s.minimum : d < *s.minimum)) {
      out.push_back(FieldInvalid(err, v, name + " in body should be greater than " +
                                             (s.exclusive_minimum ? "" : "or equal to ") +
                                             Num(*s.minimum)));
    }
  }

  if (v.is_array()) {
    if (s.items) {
      for (size_t i = 0; i < v.size(); ++i) {
        ValidateNode(*s.items, v[i], name + "[" + std::to_string(i) + "]", s.items->embedded, out,
                depth + 1);
      }
    }
    int64_t n = static_cast<int64_t>(v.size());
    if (s.min_items && n < *s.min_items) {
      out.push_back(FieldInvalid(err, n, name + " in body should have at least " +
                                             std::to_string(*s.min_items) + " items"));
    }
    if (s.max_items && n > *s.max_items) out.push_back(FieldTooMany(err, n, *s.max_items));
  }

  if (s.enum_values) {
    bool found = false;
    for (const Json& e : *s.enum_values) {
      if (EnumEqual(v, e)) { found = true; break; }
    }
    if (!found) {
      std::vector<std::string> values;
      for (const Json& e : *s.enum_values) values.push_back(e.is_string() ? e.get<std::string>() : e.dump());
      out.push_back(FieldNotSupported(err, v, values));
    }
  }

  if (v.is_object()) {
    int64_t n = static_cast<int64_t>(v.size());
    if (s.min_properties && n < *s.min_properties) {
      out.push_back(FieldInvalid(err, n, name + " in body should have at least " +
                                             std::to_string(*s.min_properties) + " properties"));
    }
    if (s.max_properties && n > *s.max_properties) {
      out.push_back(FieldTooMany(err, n, *s.max_properties));
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& k = it.key();
      if (embedded && (k == "apiVersion" || k == "kind" || k == "metadata")) continue;
      auto p = s.properties.find(k);
      if (p != s.properties.end()) {
        ValidateNode(*p->second, *it, name.empty() ? k : name + "." + k, p->second->embedded, out,
                depth + 1);
      } else if (s.additional) {
        ValidateNode(*s.additional, *it, name + "." + k, s.additional->embedded, out, depth + 1);
      }
    }
    for (const auto& r : s.required) {
      if (!v.contains(r)) out.push_back(FieldRequired(ErrPath(name + "." + r)));
    }
  }
}

std::string Child(const std::string& path, const std::string& k) {
  return path.empty() ? k : path + "." + k;
}
std::string AtIndex(const std::string& path, size_t i) {
  return (path.empty() ? "<nil>" : path) + "[" + std::to_string(i) + "]";
}
std::string AtKey(const std::string& path, const std::string& k) {
  return (path.empty() ? "<nil>" : path) + "[" + k + "]";
}
std::string Field(const std::string& path) { return path.empty() ? "<nil>" : path; }

// The map keys of a list-type=map entry as an object, or nullopt when one is missing.
Json MapKeys(const ai::Node& s, const Json& entry) {
  Json keys = Json::object();
  for (const auto& k : s.list_map_keys) {
    auto it = entry.find(k);
    if (it != entry.end()) keys[k] = *it;
  }
  return keys;
}

// Embedded resources (objectmeta) and list-type invariants (listtype), field.Path style.
void Structure(const ai::Node& s, const Json& v, const std::string& path, Causes& out, int depth) {
  if (depth > ai::kMaxDataDepth) return;
  if (v.is_object()) {
    if (s.embedded) {
      for (const char* k : {"apiVersion", "kind"}) {
        auto it = v.find(k);
        if (it == v.end()) out.push_back(FieldRequired(Child(path, k)));
        else if (!it->is_string()) out.push_back(FieldInvalid(Child(path, k), *it, "must be a string"));
        else if (it->get_ref<const std::string&>().empty()) {
          out.push_back(FieldInvalid(Child(path, k), *it, "must not be empty"));
        }
      }
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      auto p = s.properties.find(it.key());
      if (p != s.properties.end()) {
        Structure(*p->second, *it, Child(path, it.key()), out, depth + 1);
      } else if (s.additional) {
        Structure(*s.additional, *it, AtKey(path, it.key()), out, depth + 1);
      }
    }
  } else if (v.is_array() && s.items) {
    if (s.list_type == "set") {
      for (size_t i = 0; i < v.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (v[j] == v[i]) {
            out.push_back(FieldDuplicate(AtIndex(path, i), v[i]));
            break;
          }
        }
      }
    } else if (s.list_type == "map") {
      // listtype.validateListMap: entries must be objects (or null); an entry whose keys
      // (those present; an absent key is "unspecified") repeat an earlier one's is a duplicate.
      bool objects = true;
      for (size_t i = 0; i < v.size() && objects; ++i) {
        if (!v[i].is_null() && !v[i].is_object()) {
          out.push_back(FieldInvalid(AtIndex(path, i), v[i],
                                     "must be an object for an array of list-type map"));
          objects = false;
        }
      }
      std::set<std::string> seen;
      for (size_t i = 0; objects && i < v.size(); ++i) {
        Json keys = v[i].is_object() ? MapKeys(s, v[i]) : Json::object();
        if (!seen.insert(keys.dump()).second) out.push_back(FieldDuplicate(AtIndex(path, i), keys));
      }
    }
    for (size_t i = 0; i < v.size(); ++i) Structure(*s.items, v[i], AtIndex(path, i), out, depth + 1);
  }
}

std::string TrimSpace(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// x-kubernetes-validations, field.Path style; `old` is the correlated old value or null.
void Rules(const ai::Node& s, const Json& v, const Json* old, const std::string& path,
           RuleEvaluator& ev, Causes& out, int depth) {
  if (depth > ai::kMaxDataDepth || v.is_null()) return;
  for (const auto& r : s.rules) {
    bool transition = ev.IsTransitionRule(r.rule);
    if (transition && !old) continue;
    StatusOr<bool> res = ev.Evaluate(r.rule, v, transition ? old : nullptr);
    std::string field = Field(path);
    // ruleErrorString: the trimmed message, else the trimmed rule.
    std::string rule_text = r.message.empty() ? TrimSpace(r.rule) : TrimSpace(r.message);
    if (!res.ok()) {
      const std::string& err = res.status().message();
      out.push_back(FieldInvalid(field, s.type,
                                 res.status().code() == Code::kBadRequest
                                     ? "rule compile error: " + err
                                     : err + " evaluating rule: " + rule_text));
      continue;
    }
    if (*res) continue;
    std::string msg = r.message.empty() ? "failed rule: " + rule_text : rule_text;
    if (!r.field_path.empty()) field = path.empty() ? r.field_path.substr(1) : path + r.field_path;
    if (r.reason == "FieldValueForbidden") out.push_back(FieldForbidden(field, msg));
    else if (r.reason == "FieldValueRequired") out.push_back(FieldRequired(field, msg));
    else if (r.reason == "FieldValueDuplicate") out.push_back(FieldDuplicate(field, s.type));
    else out.push_back(FieldInvalid(field, s.type, msg));
  }
  const Json* o = old;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& k = it.key();
      const Json* ov = nullptr;
      if (o && o->is_object()) {
        auto f = o->find(k);
        if (f != o->end()) ov = &*f;
      }
      auto p = s.properties.find(k);
      if (p != s.properties.end()) {
        Rules(*p->second, *it, ov, Child(path, k), ev, out, depth + 1);
      } else if (s.additional) {
        Rules(*s.additional, *it, s.map_type == "atomic" ? nullptr : ov, AtKey(path, k), ev, out,
              depth + 1);
      }
    }
  } else if (v.is_array() && s.items) {
    for (size_t i = 0; i < v.size(); ++i) {
      const Json* ov = nullptr;
      if (s.list_type == "map" && o && o->is_array() && v[i].is_object()) {
        Json keys = MapKeys(s, v[i]);
        for (const Json& e : *o) {
          if (e.is_object() && MapKeys(s, e) == keys) { ov = &e; break; }
        }
      }
      Rules(*s.items, v[i], ov, AtIndex(path, i), ev, out, depth + 1);
    }
  }
}

bool Blocking(const Causes& causes) {
  for (const auto& c : causes) {
    if (c.reason == "FieldValueNotSupported" || c.reason == "FieldValueRequired" ||
        c.reason == "FieldValueTooLong" || c.reason == "FieldValueTooMany" ||
        c.reason == "FieldValueTypeInvalid") {
      return true;
    }
  }
  return false;
}

}  // namespace

void ai::ValidateValue(const ai::Node& node, const Json& v, const std::string& name,
                       bool embedded, std::vector<StatusCause>& out) {
  ValidateNode(node, v, name, embedded, out, 0);
}

std::vector<StatusCause> StructuralSchema::Validate(const Json& obj, const Json* old,
                                                    RuleEvaluator* rules) const {
  Causes out;
  ValidateNode(*root_, obj, "", true, out, 0);
  bool lists = true;
  if (old) {
    Causes old_lists;
    Structure(*root_, *old, "", old_lists, 0);
    // Upstream checks list invariants on update only when the old object satisfied them.
    lists = std::none_of(old_lists.begin(), old_lists.end(), [](const StatusCause& c) {
      return c.reason == "FieldValueDuplicate";
    });
  }
  Causes structure;
  Structure(*root_, obj, "", structure, 0);
  for (auto& c : structure) {
    if (lists || c.reason != "FieldValueDuplicate") out.push_back(std::move(c));
  }
  if (rules && has_rules_) {
    if (Blocking(out)) {
      out.push_back(FieldInvalid("<nil>", "null",
                                 "some validation rules were not checked because the object was "
                                 "invalid; correct the existing errors to complete validation"));
    } else {
      Rules(*root_, obj, old, "", *rules, out, 0);
    }
  }
  return out;
}

}  // namespace minik
