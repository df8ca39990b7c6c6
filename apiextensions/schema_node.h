// Internal: the parsed form of one JSONSchemaProps node, shared by the parser, pruning,
// defaulting and validation. Not part of the library's public API.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"
#include "apiextensions/pattern.h"

namespace minik::apiextensions_internal {

// Schemas nested deeper than this are rejected at parse time, so every walk over a schema
// (and over data along it) has bounded recursion.
inline constexpr int kMaxSchemaDepth = 64;
// Data walked without a schema (arrays under pruned fields) is bounded by this.
inline constexpr int kMaxDataDepth = 128;

struct Rule {
  std::string rule;
  std::string message;
  std::string reason;      // FieldValueInvalid (default), ...Forbidden, ...Required, ...Duplicate
  std::string field_path;  // relative JSON path (".foo.bar"), appended to the node's path
};

struct Node {
  // Structural part.
  std::string type;  // "" when unset
  bool nullable = false;
  bool int_or_string = false;
  bool preserve_unknown = false;
  bool embedded = false;
  std::map<std::string, std::unique_ptr<Node>> properties;
  std::unique_ptr<Node> items;
  std::unique_ptr<Node> additional;  // additionalProperties as a schema (true: empty schema)
  std::optional<Json> default_value;
  std::string list_type;  // atomic, set, map ("" when unset)
  std::vector<std::string> list_map_keys;
  std::string map_type;
  std::vector<Rule> rules;

  // Value validation.
  std::string format;
  std::optional<Json> enum_values;  // an array
  std::vector<std::string> required;
  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<int64_t> min_length, max_length, min_items, max_items, min_properties,
      max_properties;
  std::string pattern;
  std::shared_ptr<const Pattern> regex;
  std::vector<std::unique_ptr<Node>> all_of, any_of, one_of;
  std::unique_ptr<Node> not_;
};

// Parses and checks a schema; causes are appended (paths under `prefix`). Never null on
// success; returns null when causes were added.
std::unique_ptr<Node> ParseSchema(const Json& schema, const std::string& prefix,
                                  std::vector<StatusCause>& causes);

// The node describing property `key` of an object node (properties, then
// additionalProperties), or null.
const Node* FieldSchema(const Node* node, const std::string& key);

// The OpenAPI value validation of `v` against `node` (schema_validate.cc); `name` is the
// value's path as kube-openapi names it ("" for the value itself).
void ValidateValue(const Node& node, const Json& v, const std::string& name, bool embedded,
                   std::vector<StatusCause>& out);
// Pruning of `v` by `node` (structural_schema.cc); returns the pruned paths.
std::vector<std::string> PruneValue(Json& v, const Node* node, bool resource_root);

}  // namespace minik::apiextensions_internal
