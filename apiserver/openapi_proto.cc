// Swagger 2.0 JSON -> gnostic openapi.v2.Document protobuf (field numbers from
// github.com/google/gnostic-models openapiv2/OpenAPIv2.proto). Only the shapes the generated
// document uses are encoded; anything else is a BadRequest, so a new shape in the generator
// fails the tests instead of silently vanishing from the protobuf.
#include <cstdint>
#include <cstring>

#include "apiserver/openapi.h"

namespace minik {
namespace {

class Writer {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void Tag(int field, int wire) { Varint((static_cast<uint64_t>(field) << 3) | wire); }
  void Bytes(int field, std::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    out_.append(s);
  }
  void Bool(int field, bool b) {
    if (!b) return;  // proto3: defaults are not written
    Tag(field, 0);
    Varint(1);
  }
  void Int64(int field, int64_t v) {
    if (v == 0) return;
    Tag(field, 0);
    Varint(static_cast<uint64_t>(v));
  }
  void Double(int field, double d) {
    if (d == 0) return;
    Tag(field, 1);
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

Status Unsupported(const std::string& where, const std::string& key) {
  return BadRequest("openapi v2 protobuf: unsupported " + where + " key \"" + key + "\"");
}

Status NeedType(const std::string& where, const std::string& key, const char* type) {
  return BadRequest("openapi v2 protobuf: " + where + "." + key + " must be " + type);
}

bool IsExtension(const std::string& key) { return key.rfind("x-", 0) == 0; }

// Any{yaml}: the value as JSON, which is valid YAML for the Go YAML decoders kubectl uses.
std::string AnyMessage(const Json& value) {
  Writer w;
  w.Bytes(2, value.dump());
  return std::move(w.out());
}

void NamedAny(Writer& w, int field, const std::string& name, const Json& value) {
  Writer n;
  n.Bytes(1, name);
  n.Bytes(2, AnyMessage(value));
  w.Bytes(field, n.out());
}

Status String(Writer& w, int field, const std::string& where, const std::string& key,
              const Json& v) {
  if (!v.is_string()) return NeedType(where, key, "a string");
  w.Bytes(field, v.get<std::string>());
  return Status::Ok();
}

Status Strings(Writer& w, int field, const std::string& where, const std::string& key,
               const Json& v) {
  if (!v.is_array()) return NeedType(where, key, "an array");
  for (const Json& s : v) MINIK_RETURN_IF_ERROR(String(w, field, where, key, s));
  return Status::Ok();
}

Status BoolField(Writer& w, int field, const std::string& where, const std::string& key,
                 const Json& v) {
  if (!v.is_boolean()) return NeedType(where, key, "a boolean");
  w.Bool(field, v.get<bool>());
  return Status::Ok();
}

Status Schema(const Json& s, std::string& out, int depth);

Status SchemaField(Writer& w, int field, const Json& s, int depth) {
  std::string bytes;
  MINIK_RETURN_IF_ERROR(Schema(s, bytes, depth + 1));
  w.Bytes(field, bytes);
  return Status::Ok();
}

Status Schema(const Json& s, std::string& out, int depth) {
  const std::string where = "schema";
  if (!s.is_object()) return NeedType(where, "", "an object");
  if (depth > 64) return BadRequest("openapi v2 protobuf: schema nested too deeply");
  Writer w;
  for (const auto& [key, v] : s.items()) {
    if (key == "$ref") {
      MINIK_RETURN_IF_ERROR(String(w, 1, where, key, v));
    } else if (key == "format") {
      MINIK_RETURN_IF_ERROR(String(w, 2, where, key, v));
    } else if (key == "title") {
      MINIK_RETURN_IF_ERROR(String(w, 3, where, key, v));
    } else if (key == "description") {
      MINIK_RETURN_IF_ERROR(String(w, 4, where, key, v));
    } else if (key == "default") {
      w.Bytes(5, AnyMessage(v));
    } else if (key == "maximum" || key == "minimum" || key == "multipleOf") {
      if (!v.is_number()) return NeedType(where, key, "a number");
      w.Double(key == "multipleOf" ? 6 : key == "maximum" ? 7 : 9, v.get<double>());
    } else if (key == "exclusiveMaximum" || key == "exclusiveMinimum" || key == "uniqueItems" ||
               key == "readOnly") {
      int f = key == "exclusiveMaximum"   ? 8
              : key == "exclusiveMinimum" ? 10
              : key == "uniqueItems"      ? 16
                                          : 27;
      MINIK_RETURN_IF_ERROR(BoolField(w, f, where, key, v));
    } else if (key == "maxLength" || key == "minLength" || key == "maxItems" || key == "minItems" ||
               key == "maxProperties" || key == "minProperties") {
      if (!v.is_number_integer()) return NeedType(where, key, "an integer");
      int f = key == "maxLength"       ? 11
              : key == "minLength"     ? 12
              : key == "maxItems"      ? 14
              : key == "minItems"      ? 15
              : key == "maxProperties" ? 17
                                       : 18;
      w.Int64(f, v.get<int64_t>());
    } else if (key == "pattern") {
      MINIK_RETURN_IF_ERROR(String(w, 13, where, key, v));
    } else if (key == "required") {
      MINIK_RETURN_IF_ERROR(Strings(w, 19, where, key, v));
    } else if (key == "enum") {
      if (!v.is_array()) return NeedType(where, key, "an array");
      for (const Json& e : v) w.Bytes(20, AnyMessage(e));
    } else if (key == "additionalProperties") {
      Writer item;  // AdditionalPropertiesItem {1: Schema | 2: bool}
      if (v.is_boolean()) {
        item.Tag(2, 0);
        item.Varint(v.get<bool>() ? 1 : 0);
      } else {
        MINIK_RETURN_IF_ERROR(SchemaField(item, 1, v, depth));
      }
      w.Bytes(21, item.out());
    } else if (key == "type") {
      Writer item;  // TypeItem {repeated string value = 1}
      if (v.is_string()) {
        item.Bytes(1, v.get<std::string>());
      } else {
        MINIK_RETURN_IF_ERROR(Strings(item, 1, where, key, v));
      }
      w.Bytes(22, item.out());
    } else if (key == "items") {
      Writer item;  // ItemsItem {repeated Schema schema = 1}
      if (v.is_array()) {
        for (const Json& e : v) MINIK_RETURN_IF_ERROR(SchemaField(item, 1, e, depth));
      } else {
        MINIK_RETURN_IF_ERROR(SchemaField(item, 1, v, depth));
      }
      w.Bytes(23, item.out());
    } else if (key == "allOf") {
      if (!v.is_array()) return NeedType(where, key, "an array");
      for (const Json& e : v) MINIK_RETURN_IF_ERROR(SchemaField(w, 24, e, depth));
    } else if (key == "properties") {
      if (!v.is_object()) return NeedType(where, key, "an object");
      Writer props;  // Properties {repeated NamedSchema additional_properties = 1}
      for (const auto& [name, sub] : v.items()) {
        Writer named;
        named.Bytes(1, name);
        MINIK_RETURN_IF_ERROR(SchemaField(named, 2, sub, depth));
        props.Bytes(1, named.out());
      }
      w.Bytes(25, props.out());
    } else if (key == "discriminator") {
      MINIK_RETURN_IF_ERROR(String(w, 26, where, key, v));
    } else if (key == "example") {
      w.Bytes(30, AnyMessage(v));
    } else if (IsExtension(key)) {
      NamedAny(w, 31, key, v);
    } else {
      return Unsupported(where, key);
    }
  }
  out = std::move(w.out());
  return Status::Ok();
}

// ParametersItem {1: Parameter {1: BodyParameter | 2: NonBodyParameter} | 2: JsonReference}.
Status ParameterItem(const Json& p, std::string& out) {
  const std::string where = "parameter";
  if (!p.is_object()) return NeedType(where, "", "an object");
  Writer item;
  if (p.contains("$ref")) {
    Writer ref;  // JsonReference {1: _ref, 2: description}
    for (const auto& [key, v] : p.items()) {
      if (key == "$ref") {
        MINIK_RETURN_IF_ERROR(String(ref, 1, where, key, v));
      } else if (key == "description") {
        MINIK_RETURN_IF_ERROR(String(ref, 2, where, key, v));
      } else {
        return Unsupported(where, key);
      }
    }
    item.Bytes(2, ref.out());
    out = std::move(item.out());
    return Status::Ok();
  }
  std::string in = p.value("in", "");
  Writer param;
  if (in == "body") {
    Writer body;  // BodyParameter
    for (const auto& [key, v] : p.items()) {
      if (key == "description") {
        MINIK_RETURN_IF_ERROR(String(body, 1, where, key, v));
      } else if (key == "name") {
        MINIK_RETURN_IF_ERROR(String(body, 2, where, key, v));
      } else if (key == "in") {
        MINIK_RETURN_IF_ERROR(String(body, 3, where, key, v));
      } else if (key == "required") {
        MINIK_RETURN_IF_ERROR(BoolField(body, 4, where, key, v));
      } else if (key == "schema") {
        MINIK_RETURN_IF_ERROR(SchemaField(body, 5, v, 0));
      } else if (IsExtension(key)) {
        NamedAny(body, 6, key, v);
      } else {
        return Unsupported(where, key);
      }
    }
    param.Bytes(1, body.out());
  } else if (in == "query" || in == "path" || in == "header") {
    // Query-, Path- and HeaderParameterSubSchema share the first fields; the rest shift by
    // one where the query form has allow_empty_value (5).
    const bool query = in == "query";
    const int shift = query ? 1 : 0;
    Writer sub;
    for (const auto& [key, v] : p.items()) {
      if (key == "required") {
        MINIK_RETURN_IF_ERROR(BoolField(sub, 1, where, key, v));
      } else if (key == "in") {
        MINIK_RETURN_IF_ERROR(String(sub, 2, where, key, v));
      } else if (key == "description") {
        MINIK_RETURN_IF_ERROR(String(sub, 3, where, key, v));
      } else if (key == "name") {
        MINIK_RETURN_IF_ERROR(String(sub, 4, where, key, v));
      } else if (key == "allowEmptyValue" && query) {
        MINIK_RETURN_IF_ERROR(BoolField(sub, 5, where, key, v));
      } else if (key == "type") {
        MINIK_RETURN_IF_ERROR(String(sub, 5 + shift, where, key, v));
      } else if (key == "format") {
        MINIK_RETURN_IF_ERROR(String(sub, 6 + shift, where, key, v));
      } else if (key == "collectionFormat") {
        MINIK_RETURN_IF_ERROR(String(sub, 8 + shift, where, key, v));
      } else if (key == "default") {
        sub.Bytes(9 + shift, AnyMessage(v));
      } else if (key == "uniqueItems") {
        MINIK_RETURN_IF_ERROR(BoolField(sub, 19 + shift, where, key, v));
      } else if (key == "enum") {
        if (!v.is_array()) return NeedType(where, key, "an array");
        for (const Json& e : v) sub.Bytes(20 + shift, AnyMessage(e));
      } else if (IsExtension(key)) {
        NamedAny(sub, 22 + shift, key, v);
      } else {
        return Unsupported(where, key);
      }
    }
    Writer non_body;  // NonBodyParameter {1: header, 2: formData, 3: query, 4: path}
    non_body.Bytes(in == "header" ? 1 : query ? 3 : 4, sub.out());
    param.Bytes(2, non_body.out());
  } else {
    return BadRequest("openapi v2 protobuf: unsupported parameter location \"" + in + "\"");
  }
  item.Bytes(1, param.out());
  out = std::move(item.out());
  return Status::Ok();
}

Status Parameters(Writer& w, int field, const Json& v) {
  if (!v.is_array()) return NeedType("operation", "parameters", "an array");
  for (const Json& p : v) {
    std::string bytes;
    MINIK_RETURN_IF_ERROR(ParameterItem(p, bytes));
    w.Bytes(field, bytes);
  }
  return Status::Ok();
}

Status Responses(const Json& v, std::string& out) {
  const std::string where = "responses";
  if (!v.is_object()) return NeedType(where, "", "an object");
  Writer w;
  for (const auto& [code, r] : v.items()) {
    if (IsExtension(code)) {
      NamedAny(w, 2, code, r);
      continue;
    }
    if (!r.is_object()) return NeedType(where, code, "an object");
    Writer response;  // Response {1: description, 2: SchemaItem{1: Schema}, 5: ext}
    for (const auto& [key, f] : r.items()) {
      if (key == "description") {
        MINIK_RETURN_IF_ERROR(String(response, 1, where, key, f));
      } else if (key == "schema") {
        Writer item;
        MINIK_RETURN_IF_ERROR(SchemaField(item, 1, f, 0));
        response.Bytes(2, item.out());
      } else if (IsExtension(key)) {
        NamedAny(response, 5, key, f);
      } else {
        return Unsupported(where, key);
      }
    }
    Writer value;  // ResponseValue {1: Response}
    value.Bytes(1, response.out());
    Writer named;  // NamedResponseValue {1: name, 2: value}
    named.Bytes(1, code);
    named.Bytes(2, value.out());
    w.Bytes(1, named.out());
  }
  out = std::move(w.out());
  return Status::Ok();
}

Status Operation(const Json& op, std::string& out) {
  const std::string where = "operation";
  if (!op.is_object()) return NeedType(where, "", "an object");
  Writer w;
  for (const auto& [key, v] : op.items()) {
    if (key == "tags") {
      MINIK_RETURN_IF_ERROR(Strings(w, 1, where, key, v));
    } else if (key == "summary") {
      MINIK_RETURN_IF_ERROR(String(w, 2, where, key, v));
    } else if (key == "description") {
      MINIK_RETURN_IF_ERROR(String(w, 3, where, key, v));
    } else if (key == "operationId") {
      MINIK_RETURN_IF_ERROR(String(w, 5, where, key, v));
    } else if (key == "produces") {
      MINIK_RETURN_IF_ERROR(Strings(w, 6, where, key, v));
    } else if (key == "consumes") {
      MINIK_RETURN_IF_ERROR(Strings(w, 7, where, key, v));
    } else if (key == "parameters") {
      MINIK_RETURN_IF_ERROR(Parameters(w, 8, v));
    } else if (key == "responses") {
      std::string bytes;
      MINIK_RETURN_IF_ERROR(Responses(v, bytes));
      w.Bytes(9, bytes);
    } else if (key == "schemes") {
      MINIK_RETURN_IF_ERROR(Strings(w, 10, where, key, v));
    } else if (key == "deprecated") {
      MINIK_RETURN_IF_ERROR(BoolField(w, 11, where, key, v));
    } else if (IsExtension(key)) {
      NamedAny(w, 13, key, v);
    } else {
      return Unsupported(where, key);
    }
  }
  out = std::move(w.out());
  return Status::Ok();
}

Status PathItem(const Json& item, std::string& out) {
  static const std::map<std::string, int> kMethods = {{"get", 2},    {"put", 3},     {"post", 4},
                                                      {"delete", 5}, {"options", 6}, {"head", 7},
                                                      {"patch", 8}};
  const std::string where = "path item";
  if (!item.is_object()) return NeedType(where, "", "an object");
  Writer w;
  for (const auto& [key, v] : item.items()) {
    if (auto m = kMethods.find(key); m != kMethods.end()) {
      std::string bytes;
      MINIK_RETURN_IF_ERROR(Operation(v, bytes));
      w.Bytes(m->second, bytes);
    } else if (key == "$ref") {
      MINIK_RETURN_IF_ERROR(String(w, 1, where, key, v));
    } else if (key == "parameters") {
      MINIK_RETURN_IF_ERROR(Parameters(w, 9, v));
    } else if (IsExtension(key)) {
      NamedAny(w, 10, key, v);
    } else {
      return Unsupported(where, key);
    }
  }
  out = std::move(w.out());
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> EncodeOpenApiV2Protobuf(const Json& swagger) {
  const std::string where = "document";
  if (!swagger.is_object()) return NeedType(where, "", "an object");
  Writer w;
  for (const auto& [key, v] : swagger.items()) {
    if (key == "swagger") {
      MINIK_RETURN_IF_ERROR(String(w, 1, where, key, v));
    } else if (key == "info") {
      if (!v.is_object()) return NeedType(where, key, "an object");
      Writer info;
      for (const auto& [k, f] : v.items()) {
        if (k == "title") {
          MINIK_RETURN_IF_ERROR(String(info, 1, "info", k, f));
        } else if (k == "version") {
          MINIK_RETURN_IF_ERROR(String(info, 2, "info", k, f));
        } else if (k == "description") {
          MINIK_RETURN_IF_ERROR(String(info, 3, "info", k, f));
        } else if (IsExtension(k)) {
          NamedAny(info, 7, k, f);
        } else {
          return Unsupported("info", k);
        }
      }
      w.Bytes(2, info.out());
    } else if (key == "host") {
      MINIK_RETURN_IF_ERROR(String(w, 3, where, key, v));
    } else if (key == "basePath") {
      MINIK_RETURN_IF_ERROR(String(w, 4, where, key, v));
    } else if (key == "schemes") {
      MINIK_RETURN_IF_ERROR(Strings(w, 5, where, key, v));
    } else if (key == "consumes") {
      MINIK_RETURN_IF_ERROR(Strings(w, 6, where, key, v));
    } else if (key == "produces") {
      MINIK_RETURN_IF_ERROR(Strings(w, 7, where, key, v));
    } else if (key == "paths") {
      if (!v.is_object()) return NeedType(where, key, "an object");
      Writer paths;  // Paths {1: ext, 2: NamedPathItem}
      for (const auto& [path, item] : v.items()) {
        if (IsExtension(path)) {
          NamedAny(paths, 1, path, item);
          continue;
        }
        std::string bytes;
        MINIK_RETURN_IF_ERROR(PathItem(item, bytes));
        Writer named;
        named.Bytes(1, path);
        named.Bytes(2, bytes);
        paths.Bytes(2, named.out());
      }
      w.Bytes(8, paths.out());
    } else if (key == "definitions") {
      if (!v.is_object()) return NeedType(where, key, "an object");
      Writer defs;  // Definitions {repeated NamedSchema additional_properties = 1}
      for (const auto& [name, schema] : v.items()) {
        Writer named;
        named.Bytes(1, name);
        MINIK_RETURN_IF_ERROR(SchemaField(named, 2, schema, 0));
        defs.Bytes(1, named.out());
      }
      w.Bytes(9, defs.out());
    } else if (IsExtension(key)) {
      NamedAny(w, 16, key, v);
    } else {
      return Unsupported(where, key);
    }
  }
  return std::move(w.out());
}

}  // namespace minik
