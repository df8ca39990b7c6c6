#include "api/resources/common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "api/resources/column_docs.h"
#include "api/validation.h"

namespace minik::res {

// ---- JSON access -----------------------------------------------------------------------

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* v = Find(obj, path);
  return v ? *v : kNull;
}

Json& Obj(Json& obj, const char* key) {
  Json& v = obj[key];
  if (!v.is_object()) v = Json::object();
  return v;
}

void SetDefault(Json& obj, const char* key, Json value) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) obj[key] = std::move(value);
}

bool IsTrue(const Json& obj, std::initializer_list<const char*> path) {
  const Json& v = At(obj, path);
  return v.is_boolean() && v.get<bool>();
}

const Json& Arr(const Json& obj, std::initializer_list<const char*> path) {
  static const Json kEmpty = Json::array();
  const Json& v = At(obj, path);
  return v.is_array() ? v : kEmpty;
}

std::string Str(const Json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

std::optional<int64_t> Int(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18)
      return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

// ---- table helpers ---------------------------------------------------------------------

const char* const kAgeDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";
const char* const kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

TableColumn Col(std::string name, std::string type, std::string description, int priority,
                std::string format) {
  TableColumn c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.format = std::move(format);
  c.description = std::move(description);
  c.priority = priority;
  return c;
}

TableColumn AgeCol() { return Col("Age", "string", kAgeDescription); }

std::string Since(const Json& timestamp, SystemTime now) {
  SystemTime t;
  if (!timestamp.is_string() || !ParseRfc3339(timestamp.get<std::string>(), &t))
    return "<unknown>";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
}

std::string AgeOf(const Json& obj, SystemTime now) {
  return Since(At(obj, {"metadata", "creationTimestamp"}), now);
}

std::pair<std::string, std::string> ContainerCells(const Json& containers) {
  std::string names, images;
  if (!containers.is_array()) return {names, images};
  for (size_t i = 0; i < containers.size(); ++i) {
    if (i > 0) {
      names += ",";
      images += ",";
    }
    names += Str(At(containers[i], {"name"}));
    images += Str(At(containers[i], {"image"}));
  }
  return {names, images};
}

std::string FormatLabels(const Json& labels) {
  std::string out;
  if (labels.is_object()) {
    // nlohmann's object is a std::map: keys come sorted.
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      if (!out.empty()) out += ",";
      out += it.key() + "=" + Str(it.value());
    }
  }
  return out.empty() ? "<none>" : out;
}

namespace {

struct Req {
  std::string key, op;
  std::vector<std::string> values;
};

// The selector as sorted requirements, like metav1.LabelSelectorAsSelector.
std::vector<Req> Requirements(const Json& selector) {
  std::vector<Req> reqs;
  const Json& ml = At(selector, {"matchLabels"});
  if (ml.is_object()) {
    for (auto it = ml.begin(); it != ml.end(); ++it) reqs.push_back({it.key(), "=", {Str(*it)}});
  }
  for (const Json& e : Arr(selector, {"matchExpressions"})) {
    Req r{Str(At(e, {"key"})), Str(At(e, {"operator"})), {}};
    for (const Json& v : Arr(e, {"values"})) r.values.push_back(Str(v));
    std::sort(r.values.begin(), r.values.end());
    reqs.push_back(std::move(r));
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Req& a, const Req& b) { return a.key < b.key; });
  return reqs;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

}  // namespace

std::string SelectorString(const Json& selector) {
  std::vector<std::string> parts;
  for (const Req& r : Requirements(selector)) {
    if (r.op == "=") {
      parts.push_back(r.key + "=" + (r.values.empty() ? "" : r.values[0]));
    } else if (r.op == "In") {
      parts.push_back(r.key + " in (" + Join(r.values, ",") + ")");
    } else if (r.op == "NotIn") {
      parts.push_back(r.key + " notin (" + Join(r.values, ",") + ")");
    } else if (r.op == "Exists") {
      parts.push_back(r.key);
    } else if (r.op == "DoesNotExist") {
      parts.push_back("!" + r.key);
    }
  }
  return Join(parts, ",");
}

std::string FormatLabelSelector(const Json& selector) {
  std::string s = SelectorString(selector);
  return s.empty() ? "<none>" : s;
}

std::string IntOrStringText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (auto i = Int(v)) return std::to_string(*i);
  return "";
}

bool SelectorMatches(const Json& selector, const Json& labels) {
  auto value = [&](const std::string& k) -> const Json* {
    if (!labels.is_object()) return nullptr;
    auto it = labels.find(k);
    return it == labels.end() ? nullptr : &*it;
  };
  for (const Req& r : Requirements(selector)) {
    const Json* v = value(r.key);
    std::string s = v ? Str(*v) : "";
    bool in = v && std::find(r.values.begin(), r.values.end(), s) != r.values.end();
    if (r.op == "=" || r.op == "In") {
      if (!in) return false;
    } else if (r.op == "NotIn") {
      if (in) return false;
    } else if (r.op == "Exists") {
      if (!v) return false;
    } else if (r.op == "DoesNotExist") {
      if (v) return false;
    } else {
      return false;  // an invalid operator selects nothing
    }
  }
  return true;
}

bool SelectorEmpty(const Json& selector) {
  const Json& ml = At(selector, {"matchLabels"});
  return (!ml.is_object() || ml.empty()) && Arr(selector, {"matchExpressions"}).empty();
}

// ---- Go renderings ---------------------------------------------------------------------

std::string GoStringMap(const Json& m) {
  if (!m.is_object()) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    out += GoQuote(it.key()) + ":" + GoQuote(Str(*it));
  }
  return out + "}";
}

std::string GoStringSlice(const std::vector<std::string>& v) {
  std::vector<std::string> quoted;
  for (const auto& s : v) quoted.push_back(GoQuote(s));
  return "[]string{" + Join(quoted, ", ") + "}";
}

std::string GoLabelSelector(const Json& sel) {
  std::string out = "v1.LabelSelector{MatchLabels:" + GoStringMap(At(sel, {"matchLabels"})) +
                    ", MatchExpressions:";
  const Json& exprs = At(sel, {"matchExpressions"});
  if (!exprs.is_array()) return out + "[]v1.LabelSelectorRequirement(nil)}";
  std::vector<std::string> items;
  for (const Json& e : exprs) {
    std::vector<std::string> values;
    for (const Json& v : Arr(e, {"values"})) values.push_back(Str(v));
    const Json& vs = At(e, {"values"});
    items.push_back("v1.LabelSelectorRequirement{Key:" + GoQuote(Str(At(e, {"key"}))) +
                    ", Operator:" + GoQuote(Str(At(e, {"operator"}))) + ", Values:" +
                    (vs.is_array() ? GoStringSlice(values) : "[]string(nil)") + "}");
  }
  return out + "[]v1.LabelSelectorRequirement{" + Join(items, ", ") + "}}";
}

std::string GoIntOrString(const Json& v) {
  if (v.is_string())
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + GoQuote(v.get<std::string>()) + "}";
  return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(Int(v).value_or(0)) +
         ", StrVal:\"\"}";
}

std::string GoScalar(const Json& v) {
  if (v.is_string()) return GoQuote(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (auto i = Int(v)) return std::to_string(*i);
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", v.get<double>());
    return buf;
  }
  if (v.is_null()) return "null";
  return v.dump();
}

// ---- causes ----------------------------------------------------------------------------

StatusCause InvalidCause(const std::string& field, const std::string& rendered_value,
                         const std::string& detail) {
  std::string msg = "Invalid value: " + rendered_value;
  if (!detail.empty()) msg += ": " + detail;
  return {"FieldValueInvalid", msg, field};
}

StatusCause InvalidValue(const std::string& field, const Json& scalar, const std::string& detail) {
  return InvalidCause(field, GoScalar(scalar), detail);
}

StatusCause RequiredCause(const std::string& field, const std::string& detail) {
  return {"FieldValueRequired", detail.empty() ? "Required value" : "Required value: " + detail,
          field};
}

StatusCause ForbiddenCause(const std::string& field, const std::string& detail) {
  return {"FieldValueForbidden", detail.empty() ? "Forbidden" : "Forbidden: " + detail, field};
}

StatusCause DuplicateCause(const std::string& field, const std::string& rendered_value) {
  return {"FieldValueDuplicate", "Duplicate value: " + rendered_value, field};
}

StatusCause NotFoundCause(const std::string& field, const std::string& rendered_value) {
  return {"FieldValueNotFound", "Not found: " + rendered_value, field};
}

StatusCause NotSupportedCause(const std::string& field, const Json& value,
                              const std::vector<std::string>& supported) {
  std::vector<std::string> quoted;
  for (const auto& s : supported) quoted.push_back(GoQuote(s));
  std::string msg = "Unsupported value: " + GoScalar(value);
  if (!quoted.empty()) msg += ": supported values: " + Join(quoted, ", ");
  return {"FieldValueNotSupported", msg, field};
}

StatusCause TooLongCause(const std::string& field, int64_t max_bytes) {
  return {"FieldValueTooLong",
          "Too long: may not be more than " + std::to_string(max_bytes) + " bytes", field};
}

void CheckNonNegative(Causes& out, const Json& obj, std::initializer_list<const char*> path,
                      const std::string& field) {
  const Json& v = At(obj, path);
  auto i = Int(v);
  if (i && *i < 0) out.push_back(InvalidValue(field, v, "must be greater than or equal to 0"));
}

void CheckLabels(Causes& out, const Json& labels, const std::string& field) {
  for (auto& c : ValidateLabels(labels, field)) out.push_back(std::move(c));
}

void CheckLabelSelector(Causes& out, const Json& selector, const std::string& field) {
  for (auto& c : ValidateLabelSelector(selector, field)) out.push_back(std::move(c));
}

bool SelectorParses(const Json& selector) {
  return selector.is_object() && ValidateLabelSelector(selector, "").empty();
}

std::vector<std::string> PortNameErrors(const std::string& name) {
  std::vector<std::string> errs;
  if (name.size() > 15) errs.push_back("must be no more than 15 characters");
  bool charset = !name.empty(), letter = false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (name.find("--") != std::string::npos) errs.push_back("must not contain consecutive hyphens");
  if (!name.empty() && (name.front() == '-' || name.back() == '-'))
    errs.push_back("must not begin or end with a hyphen");
  return errs;
}

bool IsIntOrString(const Json& v) { return v.is_string() || Int(v).has_value(); }

std::string SpecDiff(const Json& old_value, const Json& new_value) {
  if (old_value == new_value) return "";
  if (!old_value.is_object() || !new_value.is_object())
    return "\n  " + old_value.dump() + " -> " + new_value.dump();
  std::set<std::string> keys;
  for (auto it = old_value.begin(); it != old_value.end(); ++it) keys.insert(it.key());
  for (auto it = new_value.begin(); it != new_value.end(); ++it) keys.insert(it.key());
  std::string out;
  for (const auto& k : keys) {
    const Json& a = At(old_value, {k.c_str()});
    const Json& b = At(new_value, {k.c_str()});
    if (a != b) out += "\n  " + k + ": " + a.dump() + " -> " + b.dump();
  }
  return out;
}

// ---- SpecStrategy ----------------------------------------------------------------------

void SpecStrategy::PrepareForCreate(Json& obj) const {
  if (!obj.is_object()) return;
  if (spec_.empty_status) obj["status"] = *spec_.empty_status;
  if (spec_.generation != Generation::kNone) Obj(obj, "metadata")["generation"] = 1;
  if (spec_.prepare_create) spec_.prepare_create(obj);
}

void SpecStrategy::PrepareForUpdate(Json& obj, const Json& old) const {
  if (!obj.is_object() || !old.is_object()) return;
  if (spec_.empty_status) {
    if (old.contains("status")) {
      obj["status"] = old["status"];
    } else {
      obj.erase("status");
    }
  }
  if (spec_.generation != Generation::kNone) {
    // Compare defaulted specs, so a client that omits defaulted fields does not bump it.
    Json probe = obj;
    Default(probe);
    bool changed = At(probe, {"spec"}) != At(old, {"spec"});
    if (spec_.generation == Generation::kContent) {
      Json a = probe, b = old;
      for (Json* j : {&a, &b}) {
        j->erase("metadata");
        j->erase("status");
      }
      changed = a != b;
    }
    if (spec_.generation == Generation::kSpecOrAnnotations)
      changed = changed ||
                At(probe, {"metadata", "annotations"}) != At(old, {"metadata", "annotations"});
    int64_t gen = Int(At(old, {"metadata", "generation"})).value_or(1);
    Obj(obj, "metadata")["generation"] = changed ? gen + 1 : gen;
  }
  if (spec_.prepare_update) spec_.prepare_update(obj, old);
}

void KeepAllButStatusAndMetadata(Json& obj, const Json& old, bool keep_labels) {
  if (!obj.is_object() || !old.is_object()) return;
  auto kept = [](const std::string& key) {
    return key == "metadata" || key == "status" || key == "apiVersion" || key == "kind";
  };
  std::vector<std::string> drop;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!kept(it.key()) && !old.contains(it.key())) drop.push_back(it.key());
  for (const auto& key : drop) obj.erase(key);
  for (auto it = old.begin(); it != old.end(); ++it)
    if (!kept(it.key())) obj[it.key()] = *it;
  if (keep_labels) {
    Json& meta = Obj(obj, "metadata");
    const Json& labels = At(old, {"metadata", "labels"});
    if (labels.is_null()) {
      meta.erase("labels");
    } else {
      meta["labels"] = labels;
    }
  }
}

void SpecStrategy::PrepareForStatusUpdate(Json& obj, const Json& old) const {
  if (spec_.prepare_status_update) {
    spec_.prepare_status_update(obj, old);
  } else {
    KeepAllButStatusAndMetadata(obj, old, spec_.status_keeps_labels);
  }
}

void SpecStrategy::Default(Json& obj) const {
  if (obj.is_object() && spec_.defaults) spec_.defaults(obj);
}

std::vector<StatusCause> SpecStrategy::Validate(const Json& obj) const {
  Causes out;
  if (spec_.validate) spec_.validate(out, obj);
  if (spec_.validate_create) spec_.validate_create(out, obj);
  return out;
}

std::vector<StatusCause> SpecStrategy::ValidateUpdate(const Json& obj, const Json& old) const {
  Causes out;
  if (spec_.validate) spec_.validate(out, obj);
  if (spec_.validate_update) spec_.validate_update(out, obj, old);
  return out;
}

std::vector<StatusCause> SpecStrategy::ValidateStatusUpdate(const Json& obj, const Json& old) const {
  Causes out;
  if (spec_.validate_status) spec_.validate_status(out, obj, old);
  return out;
}

std::shared_ptr<const Strategy> MakeStrategy(StrategySpec spec) {
  return std::make_shared<SpecStrategy>(std::move(spec));
}

// ---- entry helpers ---------------------------------------------------------------------

const std::vector<std::string> kStandardVerbs = {"create", "delete", "deletecollection", "get",
                                                 "list",   "patch",  "update",           "watch"};

SubresourceInfo StatusSubresource(const std::string& group, const std::string& version,
                                  const std::string& kind) {
  return {"status", {group, version, kind}, {"get", "patch", "update"}};
}

SubresourceInfo ScaleSubresource() {
  return {"scale", {"autoscaling", "v1", "Scale"}, {"get", "patch", "update"}};
}

std::string SchemaName(const std::string& pkg, const std::string& version,
                       const std::string& kind) {
  return "io.k8s.api." + pkg + "." + version + "." + kind;
}

// The apiserver's default table (rest.DefaultTableConvertor): Name and "Created At".
void DefaultTable(ResourceInfo& r) {
  r.full_row = true;
  r.columns = {Col("Name", "string", kNameDescription, 0, "name"),
               Col("Created At", "date", kAgeDescription)};
  r.cells = [](const Json& obj, SystemTime) -> std::vector<Json> {
    const Json& ts = At(obj, {"metadata", "creationTimestamp"});
    return {Name(obj), ts.is_string() ? ts : Json(nullptr)};
  };
}

}  // namespace minik::res
