// Parses an openAPIV3Schema into Nodes and checks that it is structural, worded like
// apiextensions' ValidateStructural and ValidateCustomResourceDefinitionOpenAPISchema.
#include <cmath>
#include <set>

#include "api/validation.h"
#include "apiextensions/schema_node.h"

namespace minik::apiextensions_internal {
namespace {

enum class Level { kRoot, kItem, kField };

struct Parser {
  std::vector<StatusCause>& causes;

  void Forbid(const std::string& f, const std::string& d) { causes.push_back(FieldForbidden(f, d)); }

  std::optional<double> Number(const Json& s, const char* key, const std::string& path) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) {
      causes.push_back(FieldInvalid(path + "." + key, *it, "must be a number"));
      return std::nullopt;
    }
    return it->get<double>();
  }
  std::optional<int64_t> Count(const Json& s, const char* key, const std::string& path) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      causes.push_back(FieldInvalid(path + "." + key, *it, "must be a non-negative integer"));
      return std::nullopt;
    }
    return it->get<int64_t>();
  }
  bool Bool(const Json& s, const char* key, const std::string& path) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      causes.push_back(FieldInvalid(path + "." + key, *it, "must be a boolean"));
      return false;
    }
    return it->get<bool>();
  }
  std::string String(const Json& s, const char* key, const std::string& path) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return "";
    if (!it->is_string()) {
      causes.push_back(FieldInvalid(path + "." + key, *it, "must be a string"));
      return "";
    }
    return it->get<std::string>();
  }

  // `nested`: inside allOf/anyOf/oneOf/not, where only value validations may appear.
  // `int_or_string_any_of`: the {anyOf: [{type: integer}, {type: string}]} pattern, whose
  // types are allowed.
  std::unique_ptr<Node> Parse(const Json& s, const std::string& path, Level level, bool nested,
                              int depth, bool allow_type_in_nested = false);
  void CheckDefault(const Node& node, const std::string& path);
};

bool IsIntOrStringPattern(const Json& any_of) {
  return any_of.is_array() && any_of.size() == 2 && any_of[0] == Json{{"type", "integer"}} &&
         any_of[1] == Json{{"type", "string"}};
}

std::unique_ptr<Node> Parser::Parse(const Json& s, const std::string& path, Level level,
                                    bool nested, int depth, bool allow_type_in_nested) {
  auto node = std::make_unique<Node>();
  const size_t entry_causes = causes.size();
  if (depth > kMaxSchemaDepth) {
    causes.push_back(FieldForbidden(path, "must not be nested more than " +
                                              std::to_string(kMaxSchemaDepth) + " levels deep"));
    return node;
  }
  if (!s.is_object()) {
    causes.push_back(FieldInvalid(path, s, "must be a schema object"));
    return node;
  }
  static const std::map<std::string, std::string> kUnsupported = {
      {"$ref", "$ref is not supported"},
      {"$schema", "$schema is not supported"},
      {"id", "id is not supported"},
      {"definitions", "definitions is not supported"},
      {"patternProperties", "patternProperties is not supported"},
      {"dependencies", "dependencies is not supported"},
      {"additionalItems", "additionalItems is not supported"},
  };
  for (const auto& [key, msg] : kUnsupported) {
    if (s.contains(key)) Forbid(path + "." + key, msg);
  }

  node->type = String(s, "type", path);
  if (!node->type.empty()) {
    static const std::vector<std::string> kTypes = {"array",  "boolean", "integer",
                                                    "number", "object",  "string"};
    if (node->type == "null") {
      Forbid(path + ".type", "type cannot be set to null, use nullable as an alternative");
    } else if (std::find(kTypes.begin(), kTypes.end(), node->type) == kTypes.end()) {
      causes.push_back(FieldNotSupported(path + ".type", node->type, kTypes));
    }
  }
  node->nullable = Bool(s, "nullable", path);
  node->int_or_string = Bool(s, "x-kubernetes-int-or-string", path);
  node->preserve_unknown = Bool(s, "x-kubernetes-preserve-unknown-fields", path);
  node->embedded = Bool(s, "x-kubernetes-embedded-resource", path);
  if (s.value("x-kubernetes-preserve-unknown-fields", Json(true)) == Json(false)) {
    causes.push_back(FieldInvalid(path + ".x-kubernetes-preserve-unknown-fields", false,
                                  "must be true or undefined"));
  }
  node->format = String(s, "format", path);
  node->pattern = String(s, "pattern", path);
  node->minimum = Number(s, "minimum", path);
  node->maximum = Number(s, "maximum", path);
  node->multiple_of = Number(s, "multipleOf", path);
  node->exclusive_minimum = Bool(s, "exclusiveMinimum", path);
  node->exclusive_maximum = Bool(s, "exclusiveMaximum", path);
  node->min_length = Count(s, "minLength", path);
  node->max_length = Count(s, "maxLength", path);
  node->min_items = Count(s, "minItems", path);
  node->max_items = Count(s, "maxItems", path);
  node->min_properties = Count(s, "minProperties", path);
  node->max_properties = Count(s, "maxProperties", path);
  node->list_type = String(s, "x-kubernetes-list-type", path);
  node->map_type = String(s, "x-kubernetes-map-type", path);
  String(s, "title", path);
  String(s, "description", path);
  if (node->multiple_of && *node->multiple_of <= 0) {
    causes.push_back(FieldInvalid(path + ".multipleOf", *node->multiple_of,
                                  "must be greater than zero"));
    node->multiple_of.reset();
  }
  if (Bool(s, "uniqueItems", path)) {
    Forbid(path + ".uniqueItems",
           "uniqueItems cannot be set to true since the runtime complexity becomes quadratic");
  }
  if (!node->pattern.empty()) {
    std::string error;
    node->regex = Pattern::Compile(node->pattern, error);
    if (!node->regex) {
      causes.push_back(FieldInvalid(path + ".pattern", node->pattern,
                                    "must be a valid regular expression, but isn't: " + error));
    }
  }
  if (auto it = s.find("enum"); it != s.end() && !it->is_null()) {
    if (!it->is_array()) {
      causes.push_back(FieldInvalid(path + ".enum", *it, "must be a list"));
    } else {
      node->enum_values = *it;
    }
  }
  if (auto it = s.find("required"); it != s.end() && !it->is_null()) {
    if (!it->is_array()) {
      causes.push_back(FieldInvalid(path + ".required", *it, "must be a list of strings"));
    } else {
      for (const Json& r : *it) {
        if (r.is_string()) node->required.push_back(r.get<std::string>());
        else causes.push_back(FieldInvalid(path + ".required", r, "must be a string"));
      }
    }
  }
  if (auto it = s.find("default"); it != s.end()) {
    if (nested) Forbid(path + ".default", "must be undefined to be structural");
    else if (level == Level::kRoot) Forbid(path + ".default", "must not be set at the root");
    else node->default_value = *it;
  }

  // Children.
  if (auto it = s.find("properties"); it != s.end() && !it->is_null()) {
    if (!it->is_object()) {
      causes.push_back(FieldInvalid(path + ".properties", *it, "must be an object"));
    } else {
      for (const auto& [k, v] : it->items()) {
        node->properties[k] =
            Parse(v, path + ".properties[" + k + "]", Level::kField, nested, depth + 1);
      }
    }
  }
  if (auto it = s.find("items"); it != s.end() && !it->is_null()) {
    if (it->is_array()) {
      Forbid(path + ".items", "items must be a schema object and not an array");
    } else {
      node->items = Parse(*it, path + ".items", Level::kItem, nested, depth + 1);
    }
  }
  if (auto it = s.find("additionalProperties"); it != s.end() && !it->is_null()) {
    if (nested) Forbid(path + ".additionalProperties", "must be undefined to be structural");
    if (it->is_boolean()) {
      if (!it->get<bool>()) {
        Forbid(path + ".additionalProperties", "additionalProperties cannot be set to false");
      } else {
        // `true` has no structural schema: upstream prunes the values' fields like fields
        // without a schema, and an empty node does the same.
        node->additional = std::make_unique<Node>();
      }
    } else {
      node->additional =
          Parse(*it, path + ".additionalProperties", Level::kField, nested, depth + 1);
    }
    if (!node->properties.empty()) {
      Forbid(path + ".additionalProperties",
             "additionalProperties and properties are mutual exclusive");
    }
    if (level == Level::kRoot) Forbid(path + ".additionalProperties", "must not be used at the root");
    if (node->embedded) {
      Forbid(path + ".additionalProperties",
             "must not be used if x-kubernetes-embedded-resource is set");
    }
  }
  bool any_of_pattern = node->int_or_string && IsIntOrStringPattern(s.value("anyOf", Json()));
  auto parse_list = [&](const char* key, std::vector<std::unique_ptr<Node>>& out) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return;
    if (!it->is_array()) {
      causes.push_back(FieldInvalid(path + "." + key, *it, "must be a list"));
      return;
    }
    bool allow_type = std::string(key) == "anyOf" && any_of_pattern;
    for (size_t i = 0; i < it->size(); ++i) {
      out.push_back(Parse((*it)[i], path + "." + key + "[" + std::to_string(i) + "]",
                          level, true, depth + 1, allow_type));
    }
  };
  parse_list("allOf", node->all_of);
  parse_list("anyOf", node->any_of);
  parse_list("oneOf", node->one_of);
  if (auto it = s.find("not"); it != s.end() && !it->is_null()) {
    node->not_ = Parse(*it, path + ".not", level, true, depth + 1);
  }

  // x-kubernetes-list-type / map-keys / map-type.
  if (auto it = s.find("x-kubernetes-list-map-keys"); it != s.end() && !it->is_null()) {
    if (!it->is_array()) {
      causes.push_back(FieldInvalid(path + ".x-kubernetes-list-map-keys", *it, "must be a list"));
    } else {
      for (const Json& k : *it) {
        if (k.is_string()) node->list_map_keys.push_back(k.get<std::string>());
      }
    }
  }
  if (auto it = s.find("x-kubernetes-validations"); it != s.end() && !it->is_null()) {
    if (nested) {
      Forbid(path + ".x-kubernetes-validations", "must be empty to be structural");
    } else if (!it->is_array()) {
      causes.push_back(FieldInvalid(path + ".x-kubernetes-validations", *it, "must be a list"));
    } else {
      for (size_t i = 0; i < it->size(); ++i) {
        const Json& r = (*it)[i];
        std::string rp = path + ".x-kubernetes-validations[" + std::to_string(i) + "]";
        Rule rule;
        if (!r.is_object()) {
          causes.push_back(FieldInvalid(rp, r, "must be an object"));
          continue;
        }
        rule.rule = String(r, "rule", rp);
        rule.message = String(r, "message", rp);
        // messageExpression needs CEL to evaluate; upstream falls back to the message (or
        // "failed rule: <rule>") when it cannot be evaluated, and so does this.
        String(r, "messageExpression", rp);
        rule.reason = String(r, "reason", rp);
        rule.field_path = String(r, "fieldPath", rp);
        if (rule.rule.empty()) causes.push_back(FieldRequired(rp + ".rule", ""));
        static const std::vector<std::string> kReasons = {
            "FieldValueRequired", "FieldValueDuplicate", "FieldValueInvalid",
            "FieldValueForbidden"};
        if (!rule.reason.empty() &&
            std::find(kReasons.begin(), kReasons.end(), rule.reason) == kReasons.end()) {
          causes.push_back(FieldNotSupported(rp + ".reason", rule.reason, kReasons));
        }
        if (!rule.field_path.empty() && rule.field_path[0] != '.') {
          causes.push_back(FieldInvalid(rp + ".fieldPath", rule.field_path,
                                        "must be a valid path: must start with '.'"));
        }
        node->rules.push_back(std::move(rule));
      }
    }
  }

  // Nested value validations may not carry structure.
  if (nested) {
    if (!node->type.empty() && !allow_type_in_nested) Forbid(path + ".type", "must be empty to be structural");
    if (s.contains("title")) Forbid(path + ".title", "must be empty to be structural");
    if (s.contains("description")) Forbid(path + ".description", "must be empty to be structural");
    if (node->nullable) Forbid(path + ".nullable", "must be false to be structural");
    if (node->preserve_unknown) {
      Forbid(path + ".x-kubernetes-preserve-unknown-fields", "must be false to be structural");
    }
    if (node->embedded) Forbid(path + ".x-kubernetes-embedded-resource", "must be false to be structural");
    if (node->int_or_string) Forbid(path + ".x-kubernetes-int-or-string", "must be false to be structural");
    if (!node->list_map_keys.empty()) {
      Forbid(path + ".x-kubernetes-list-map-keys", "must be empty to be structural");
    }
    if (!node->list_type.empty()) Forbid(path + ".x-kubernetes-list-type", "must be undefined to be structural");
    if (!node->map_type.empty()) Forbid(path + ".x-kubernetes-map-type", "must be undefined to be structural");
    return node;
  }

  // Structural invariants.
  size_t before_invariants = causes.size();
  if (node->type == "array" && !node->items) {
    causes.push_back(FieldRequired(path + ".items", "must be specified"));
  }
  if (node->int_or_string && node->preserve_unknown) {
    causes.push_back(FieldInvalid(path + ".x-kubernetes-preserve-unknown-fields", true,
                                  "must be false if x-kubernetes-int-or-string is true"));
  }
  if (node->int_or_string && node->embedded) {
    causes.push_back(FieldInvalid(path + ".x-kubernetes-embedded-resource", true,
                                  "must be false if x-kubernetes-int-or-string is true"));
  }
  if (node->embedded && node->type != "object") {
    if (node->type.empty()) {
      causes.push_back(FieldRequired(path + ".type", "must be object if x-kubernetes-embedded-resource is true"));
    } else {
      causes.push_back(FieldInvalid(path + ".type", node->type,
                                    "must be object if x-kubernetes-embedded-resource is true"));
    }
  } else if (node->type.empty() && !node->int_or_string && !node->preserve_unknown) {
    const char* where = level == Level::kRoot   ? "must not be empty at the root"
                        : level == Level::kItem ? "must not be empty for specified array items"
                                                : "must not be empty for specified object fields";
    causes.push_back(FieldRequired(path + ".type", where));
  }
  if (level == Level::kRoot && !node->type.empty() && node->type != "object") {
    causes.push_back(FieldInvalid(path + ".type", node->type, "must be object at the root"));
  }
  if (node->embedded && !node->preserve_unknown && node->properties.empty()) {
    causes.push_back(FieldRequired(path + ".properties",
                                   "must not be empty if x-kubernetes-embedded-resource is true "
                                   "without x-kubernetes-preserve-unknown-fields"));
  }
  bool check_meta = level == Level::kRoot || node->embedded;
  for (const char* k : {"kind", "apiVersion"}) {
    auto it = node->properties.find(k);
    if (check_meta && it != node->properties.end() && it->second->type != "string") {
      causes.push_back(FieldInvalid(path + ".properties[" + k + "].type", it->second->type,
                                    "must be string"));
    }
  }
  if (auto it = node->properties.find("metadata"); it != node->properties.end()) {
    const Json& meta = s["properties"]["metadata"];
    std::string mp = path + ".properties[metadata]";
    if (check_meta && it->second->type != "object") {
      causes.push_back(FieldInvalid(mp + ".type", it->second->type, "must be object"));
    }
    if (level == Level::kRoot && meta.is_object()) {
      // Only {type: object} with name/generateName string schemas is allowed there.
      bool ok = true;
      for (const auto& [k, v] : meta.items()) {
        if (k == "type") continue;
        if (k != "properties" || !v.is_object()) { ok = false; break; }
        for (const auto& [pk, pv] : v.items()) {
          (void)pv;
          if (pk != "name" && pk != "generateName") ok = false;
        }
      }
      if (!ok) {
        Forbid(mp, "must not specify anything other than name and generateName, but metadata "
                   "is implicitly specified");
      }
    }
  }
  if (!node->list_type.empty()) {
    static const std::vector<std::string> kListTypes = {"atomic", "set", "map"};
    if (std::find(kListTypes.begin(), kListTypes.end(), node->list_type) == kListTypes.end()) {
      causes.push_back(FieldNotSupported(path + ".x-kubernetes-list-type", node->list_type, kListTypes));
    } else if (node->type.empty()) {
      causes.push_back(FieldRequired(path + ".type", "must be array if x-kubernetes-list-type is specified"));
    } else if (node->type != "array") {
      causes.push_back(FieldInvalid(path + ".type", node->type,
                                    "must be array if x-kubernetes-list-type is specified"));
    }
    if (node->list_type == "map") {
      if (node->list_map_keys.empty()) {
        causes.push_back(FieldRequired(path + ".x-kubernetes-list-map-keys",
                                       "must not be empty if x-kubernetes-list-type is map"));
      }
      if (node->items && node->items->type != "object") {
        causes.push_back(FieldInvalid(path + ".items.type", node->items->type,
                                      "must be object if parent array's x-kubernetes-list-type is map"));
      } else if (node->items) {
        for (const auto& k : node->list_map_keys) {
          auto p = node->items->properties.find(k);
          if (p == node->items->properties.end()) {
            causes.push_back(FieldRequired(path + ".items.properties[" + k + "]",
                                           "entries mentioned in x-kubernetes-list-map-keys must "
                                           "be specified in items"));
          } else if (p->second->type == "object" || p->second->type == "array") {
            causes.push_back(FieldInvalid(path + ".items.properties[" + k + "].type",
                                          p->second->type, "must be a scalar type if parent "
                                          "array's x-kubernetes-list-type is map"));
          }
        }
      }
    }
    if (node->list_type == "set" && node->items &&
        (node->items->type == "object" || node->items->type == "array") &&
        node->items->map_type != "atomic" && node->items->list_type != "atomic") {
      causes.push_back(FieldInvalid(path + ".items.x-kubernetes-map-type", node->items->map_type,
                                    "must be atomic as item of a list with x-kubernetes-list-type=set"));
    }
  }
  if (!node->list_map_keys.empty() && node->list_type != "map") {
    const char* msg = "must be map if x-kubernetes-list-map-keys is non-empty";
    if (node->list_type.empty()) causes.push_back(FieldRequired(path + ".x-kubernetes-list-type", msg));
    else causes.push_back(FieldInvalid(path + ".x-kubernetes-list-type", node->list_type, msg));
  }
  if (!node->map_type.empty()) {
    static const std::vector<std::string> kMapTypes = {"granular", "atomic"};
    if (std::find(kMapTypes.begin(), kMapTypes.end(), node->map_type) == kMapTypes.end()) {
      causes.push_back(FieldNotSupported(path + ".x-kubernetes-map-type", node->map_type, kMapTypes));
    } else if (node->type.empty()) {
      causes.push_back(FieldRequired(path + ".type", "must be object if x-kubernetes-map-type is specified"));
    } else if (node->type != "object") {
      causes.push_back(FieldInvalid(path + ".type", node->type,
                                    "must be object if x-kubernetes-map-type is specified"));
    }
  }
  // A default must validate against its own schema and survive pruning (checked only when
  // the node is otherwise sound, as upstream checks defaults of structural schemas only).
  if (node->default_value && causes.size() == before_invariants && causes.size() == entry_causes) {
    CheckDefault(*node, path);
  }
  return node;
}

void Parser::CheckDefault(const Node& node, const std::string& path) {
  const Json& d = *node.default_value;
  std::string dp = path + ".default";
  std::vector<StatusCause> errs;
  ValidateValue(node, d, "", node.embedded, errs);
  for (auto& c : errs) {
    // kube-openapi names the default itself "" (the field is then the default's path) and
    // its fields relative to it.
    if (c.field == "<nil>") c.field = dp;
    else c.field = dp + "." + c.field;
    causes.push_back(std::move(c));
  }
  if (!errs.empty()) return;
  Json pruned = d;
  if (!PruneValue(pruned, &node, node.embedded).empty()) {
    causes.push_back(FieldInvalid(dp, d, "must not have unknown fields"));
  }
}

}  // namespace

std::unique_ptr<Node> ParseSchema(const Json& schema, const std::string& prefix,
                                  std::vector<StatusCause>& causes) {
  size_t before = causes.size();
  Parser p{causes};
  auto node = p.Parse(schema, prefix, Level::kRoot, false, 0);
  if (causes.size() != before) return nullptr;
  return node;
}

const Node* FieldSchema(const Node* node, const std::string& key) {
  if (!node) return nullptr;
  auto it = node->properties.find(key);
  if (it != node->properties.end()) return it->second.get();
  return node->additional.get();
}

}  // namespace minik::apiextensions_internal
