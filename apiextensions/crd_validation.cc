// ValidateCustomResourceDefinition / DefaultCustomResourceDefinition: the essentials of
// apiextensions' validation.go (v1 semantics, the internal type's field names in paths
// where upstream shows them, e.g. "JSONPath").
#include "apiextensions/crd_validation.h"

#include <algorithm>
#include <set>

#include "api/validation.h"
#include "apiextensions/structural_schema.h"

namespace minik {
namespace {

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// validateEnumStrings.
void EnumString(std::vector<StatusCause>& out, const std::string& field, const std::string& value,
                const std::vector<std::string>& accepted) {
  if (value.empty()) {
    out.push_back(FieldRequired(field));
  } else if (std::find(accepted.begin(), accepted.end(), value) == accepted.end()) {
    out.push_back(FieldNotSupported(field, value, accepted));
  }
}

// validateSimpleJSONPath.
void SimpleJsonPath(std::vector<StatusCause>& out, const std::string& field, const std::string& s) {
  if (s.empty()) out.push_back(FieldInvalid(field, s, "must not be empty"));
  else if (s[0] != '.') out.push_back(FieldInvalid(field, s, "must be a simple json path starting with ."));
}

void ValidateNames(std::vector<StatusCause>& out, const Json& names) {
  const std::string p = "spec.names";
  std::string plural = Str(names, "plural"), singular = Str(names, "singular"),
              kind = Str(names, "kind"), list_kind = Str(names, "listKind");
  if (auto e = IsDns1035Label(plural); !plural.empty() && !e.empty()) {
    out.push_back(FieldInvalid(p + ".plural", plural, Join(e, ",")));
  }
  if (auto e = IsDns1035Label(singular); !singular.empty() && !e.empty()) {
    out.push_back(FieldInvalid(p + ".singular", singular, Join(e, ",")));
  }
  if (auto e = IsDns1035Label(Lower(kind)); !kind.empty() && !e.empty()) {
    out.push_back(FieldInvalid(p + ".kind", kind,
                               "may have mixed case, but should otherwise match: " + Join(e, ",")));
  }
  if (auto e = IsDns1035Label(Lower(list_kind)); !list_kind.empty() && !e.empty()) {
    out.push_back(FieldInvalid(p + ".listKind", list_kind,
                               "may have mixed case, but should otherwise match: " + Join(e, ",")));
  }
  if (const Json* shorts = Find(names, {"shortNames"}); shorts && shorts->is_array()) {
    for (size_t i = 0; i < shorts->size(); ++i) {
      std::string s = (*shorts)[i].is_string() ? (*shorts)[i].get<std::string>() : "";
      if (auto e = IsDns1035Label(s); !e.empty()) {
        out.push_back(FieldInvalid(p + ".shortNames[" + std::to_string(i) + "]", s, Join(e, ",")));
      }
    }
  }
  if (!kind.empty() && kind == list_kind) {
    out.push_back(FieldInvalid(p + ".listKind", list_kind, "kind and listKind may not be the same"));
  }
  if (const Json* cats = Find(names, {"categories"}); cats && cats->is_array()) {
    for (size_t i = 0; i < cats->size(); ++i) {
      std::string s = (*cats)[i].is_string() ? (*cats)[i].get<std::string>() : "";
      if (auto e = IsDns1035Label(s); !e.empty()) {
        out.push_back(FieldInvalid(p + ".categories[" + std::to_string(i) + "]", s, Join(e, ",")));
      }
    }
  }
  if (plural.empty()) out.push_back(FieldRequired(p + ".plural"));
  if (singular.empty()) out.push_back(FieldRequired(p + ".singular"));
  if (kind.empty()) out.push_back(FieldRequired(p + ".kind"));
  if (list_kind.empty()) out.push_back(FieldRequired(p + ".listKind"));
}

void ValidateSubresources(std::vector<StatusCause>& out, const Json& sub, const std::string& p) {
  if (!sub.is_object()) return;
  const Json* scale = Find(sub, {"scale"});
  if (!scale || !scale->is_object()) return;
  std::string spec_path = Str(*scale, "specReplicasPath");
  std::string status_path = Str(*scale, "statusReplicasPath");
  std::string selector_path = Str(*scale, "labelSelectorPath");
  if (spec_path.empty()) {
    out.push_back(FieldRequired(p + ".scale.specReplicasPath"));
  } else {
    size_t before = out.size();
    SimpleJsonPath(out, p + ".scale.specReplicasPath", spec_path);
    if (out.size() == before && spec_path.rfind(".spec.", 0) != 0) {
      out.push_back(FieldInvalid(p + ".scale.specReplicasPath", spec_path, "should be a json path under .spec"));
    }
  }
  if (status_path.empty()) {
    out.push_back(FieldRequired(p + ".scale.statusReplicasPath"));
  } else {
    size_t before = out.size();
    SimpleJsonPath(out, p + ".scale.statusReplicasPath", status_path);
    if (out.size() == before && status_path.rfind(".status.", 0) != 0) {
      out.push_back(FieldInvalid(p + ".scale.statusReplicasPath", status_path,
                                 "should be a json path under .status"));
    }
  }
  if (!selector_path.empty()) {
    size_t before = out.size();
    SimpleJsonPath(out, p + ".scale.labelSelectorPath", selector_path);
    if (out.size() == before && selector_path.rfind(".spec.", 0) != 0 &&
        selector_path.rfind(".status.", 0) != 0) {
      out.push_back(FieldInvalid(p + ".scale.labelSelectorPath", selector_path,
                                 "should be a json path under either .spec or .status"));
    }
  }
}

void ValidateColumn(std::vector<StatusCause>& out, const Json& col, const std::string& p) {
  static const std::vector<std::string> kTypes = {"boolean", "date", "integer", "number", "string"};
  static const std::vector<std::string> kFormats = {"byte",  "date",  "date-time", "double",
                                                    "float", "int32", "int64",     "password"};
  if (!col.is_object()) {
    out.push_back(FieldInvalid(p, col, "must be an object"));
    return;
  }
  if (Str(col, "name").empty()) out.push_back(FieldRequired(p + ".name"));
  std::string type = Str(col, "type");
  if (type.empty()) {
    out.push_back(FieldRequired(p + ".type", "must be one of " + Join(kTypes, ",")));
  } else if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    out.push_back(FieldInvalid(p + ".type", type, "must be one of " + Join(kTypes, ",")));
  }
  std::string format = Str(col, "format");
  if (!format.empty() && std::find(kFormats.begin(), kFormats.end(), format) == kFormats.end()) {
    out.push_back(FieldInvalid(p + ".format", format, "must be one of " + Join(kFormats, ",")));
  }
  std::string path = Str(col, "jsonPath");
  if (path.empty()) out.push_back(FieldRequired(p + ".JSONPath"));
  else SimpleJsonPath(out, p + ".JSONPath", path);
}

}  // namespace

std::vector<StatusCause> ValidateCustomResourceDefinition(const Json& crd) {
  std::vector<StatusCause> out;
  if (!crd.is_object()) return {FieldInvalid("<nil>", crd, "must be an object")};
  static const Json kEmpty = Json::object();
  const Json* spec_ptr = Find(crd, {"spec"});
  const Json& spec = spec_ptr && spec_ptr->is_object() ? *spec_ptr : kEmpty;
  const Json* names_ptr = Find(spec, {"names"});
  const Json& names = names_ptr && names_ptr->is_object() ? *names_ptr : kEmpty;
  std::string group = Str(spec, "group");

  // metadata.name: a DNS subdomain equal to <plural>.<group>.
  std::string name = Name(crd);
  if (!name.empty()) {
    std::vector<std::string> errs = IsDns1123Subdomain(name);
    if (name != Str(names, "plural") + "." + group) {
      errs.push_back("must be spec.names.plural+\".\"+spec.group");
    }
    for (const auto& e : errs) out.push_back(FieldInvalid("metadata.name", name, e));
  } else if (GetString(crd, {"metadata", "generateName"}).empty()) {
    out.push_back(FieldRequired("metadata.name", "name or generateName is required"));
  }

  if (group.empty()) {
    out.push_back(FieldRequired("spec.group"));
  } else if (auto e = IsDns1123Subdomain(group); !e.empty()) {
    out.push_back(FieldInvalid("spec.group", group, Join(e, ",")));
  } else if (group.find('.') == std::string::npos) {
    out.push_back(FieldInvalid("spec.group", group, "should be a domain with at least one dot"));
  }
  EnumString(out, "spec.scope", Str(spec, "scope"), {"Cluster", "Namespaced"});

  const Json* versions = Find(spec, {"versions"});
  if (!versions || !versions->is_array() || versions->empty()) {
    out.push_back(FieldRequired("spec.versions", "must have at least one version"));
  }
  int storage = 0;
  bool unique = true;
  std::set<std::string> seen;
  if (versions && versions->is_array()) {
    for (size_t i = 0; i < versions->size(); ++i) {
      const Json& v = (*versions)[i];
      std::string p = "spec.versions[" + std::to_string(i) + "]";
      if (!v.is_object()) {
        out.push_back(FieldInvalid(p, v, "must be an object"));
        continue;
      }
      std::string vname = Str(v, "name");
      if (!seen.insert(vname).second) unique = false;
      if (auto e = IsDns1035Label(vname); !e.empty()) {
        out.push_back(FieldInvalid(p + ".name", vname, Join(e, ",")));
      }
      for (const char* flag : {"served", "storage"}) {
        auto it = v.find(flag);
        if (it != v.end() && !it->is_boolean()) {
          out.push_back(FieldInvalid(p + "." + flag, *it, "must be a boolean"));
        }
      }
      if (v.value("storage", Json(false)) == Json(true)) ++storage;
      const Json* schema = Find(v, {"schema", "openAPIV3Schema"});
      if (!schema || schema->is_null()) {
        out.push_back(FieldRequired(p + ".schema.openAPIV3Schema"));
      } else {
        std::string sp = p + ".schema.openAPIV3Schema";
        for (auto& c : StructuralSchema::Check(*schema, sp)) out.push_back(std::move(c));
        if (schema->is_object() && schema->value("nullable", Json(false)) == Json(true)) {
          out.push_back(FieldForbidden(sp + ".nullable", "nullable cannot be true at the root"));
        }
      }
      if (const Json* sub = Find(v, {"subresources"})) ValidateSubresources(out, *sub, p + ".subresources");
      if (const Json* cols = Find(v, {"additionalPrinterColumns"}); cols && cols->is_array()) {
        for (size_t j = 0; j < cols->size(); ++j) {
          ValidateColumn(out, (*cols)[j], p + ".additionalPrinterColumns[" + std::to_string(j) + "]");
        }
      }
    }
  }
  if (!unique) out.push_back(FieldInvalid("spec.versions", *versions, "must contain unique version names"));
  if (storage != 1) {
    out.push_back(FieldInvalid("spec.versions", versions ? *versions : Json::array(),
                               "must have exactly one version marked as storage version"));
  }

  ValidateNames(out, names);

  if (const Json* conv = Find(spec, {"conversion"}); conv && conv->is_object()) {
    std::string strategy = Str(*conv, "strategy");
    EnumString(out, "spec.conversion.strategy", strategy, {"None", "Webhook"});
    if (strategy == "Webhook") {
      out.push_back(FieldForbidden("spec.conversion.strategy",
                                   "conversion webhooks are not supported by this server; use None"));
    } else {
      if (conv->contains("webhook") || conv->contains("webhookClientConfig")) {
        out.push_back(FieldForbidden("spec.conversion.webhookClientConfig",
                                     "should not be set when strategy is not set to Webhook"));
      }
    }
  }
  if (spec.value("preserveUnknownFields", Json(false)) == Json(true)) {
    out.push_back(FieldInvalid("spec.preserveUnknownFields", true,
                               "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in "
                               "spec.versions[*].schema instead"));
  }
  return out;
}

void DefaultCustomResourceDefinition(Json& crd) {
  if (!crd.is_object()) return;
  Json& spec = crd["spec"];
  if (!spec.is_object()) return;
  if (spec.contains("names") && spec["names"].is_object()) {
    Json& names = spec["names"];
    std::string kind = Str(names, "kind");
    if (Str(names, "singular").empty() && !kind.empty()) names["singular"] = Lower(kind);
    if (Str(names, "listKind").empty() && !kind.empty()) names["listKind"] = kind + "List";
  }
  if (!spec.contains("conversion") || !spec["conversion"].is_object()) {
    spec["conversion"] = {{"strategy", "None"}};
  } else if (Str(spec["conversion"], "strategy").empty()) {
    spec["conversion"]["strategy"] = "None";
  }
  if (spec.contains("versions") && spec["versions"].is_array()) {
    for (Json& v : spec["versions"]) {
      if (!v.is_object()) continue;
      if (!v.contains("served")) v["served"] = false;
      if (!v.contains("storage")) v["storage"] = false;
    }
  }
}

}  // namespace minik
