// UnknownFields (strict field validation, fieldValidation=Strict|Warn) and
// ApplySchemaDefaults: both walk a JSON object along its schema.
//
// Paths are worded like the apiserver's strict decoding errors: fields joined by ".", list
// elements as "[i]" ("spec.template.spec.containers[0].imagee"), map entries by key
// ("spec.extra.scopes"). Free-form values (any, RawExtension, FieldsV1) and map values of
// scalar type are not inspected.
#include "api/schema.h"

namespace minik {
namespace {

// JSON nesting is already bounded by ParseJson; this guards objects built in code.
constexpr int kMaxDepth = 200;

class UnknownFieldWalker {
 public:
  UnknownFieldWalker(const SchemaRegistry& schemas, std::vector<std::string>* out)
      : schemas_(schemas), out_(out) {}

  void Object(const TypeSchema& type, const Json& obj, const std::string& path, bool root,
              int depth) {
    if (!obj.is_object() || depth > kMaxDepth) return;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& key = it.key();
      std::string child = path.empty() ? key : path + "." + key;
      const FieldSchema* f = type.Field(key);
      if (f == nullptr) {
        if (root && (key == "apiVersion" || key == "kind")) continue;
        if (type.preserve_unknown_fields) continue;
        out_->push_back(std::move(child));
        continue;
      }
      Value(*f, it.value(), child, depth + 1);
    }
  }

 private:
  // The value of field `f` (all of it: a list, a map or a single value) at `path`.
  void Value(const FieldSchema& f, const Json& v, const std::string& path, int depth) {
    if (f.type != ValueType::kObject) return;  // scalars and free-form JSON
    const TypeSchema* type = schemas_.Find(f.ref);
    if (type == nullptr) return;
    if (f.container == Container::kList) {
      if (!v.is_array()) return;
      for (size_t i = 0; i < v.size(); ++i) {
        Element(*type, v[i], path + "[" + std::to_string(i) + "]", depth);
      }
    } else if (f.container == Container::kMap) {
      if (!v.is_object()) return;
      for (auto it = v.begin(); it != v.end(); ++it) {
        Element(*type, it.value(), path + "." + it.key(), depth);
      }
    } else {
      Element(*type, v, path, depth);
    }
  }

  // One value of a named type: an object, or the wrapped value of a wrapper type.
  void Element(const TypeSchema& type, const Json& v, const std::string& path, int depth) {
    if (depth > kMaxDepth) return;
    if (const FieldSchema* w = type.Wrapped()) {
      Value(*w, v, path, depth + 1);
      return;
    }
    Object(type, v, path, /*root=*/false, depth + 1);
  }

  const SchemaRegistry& schemas_;
  std::vector<std::string>* out_;
};

void Defaults(const SchemaRegistry& schemas, const TypeSchema& type, Json& obj, int depth);

void DefaultElement(const SchemaRegistry& schemas, const TypeSchema& type, Json& v, int depth) {
  if (const FieldSchema* w = type.Wrapped()) {
    if (w->type != ValueType::kObject) return;
    const TypeSchema* inner = schemas.Find(w->ref);
    if (inner == nullptr) return;
    if (w->container == Container::kList && v.is_array()) {
      for (Json& e : v) DefaultElement(schemas, *inner, e, depth + 1);
    }
    return;
  }
  Defaults(schemas, type, v, depth + 1);
}

void Defaults(const SchemaRegistry& schemas, const TypeSchema& type, Json& obj, int depth) {
  if (!obj.is_object() || depth > kMaxDepth) return;
  for (const FieldSchema& f : type.fields) {
    if (f.name.empty()) continue;  // inline: its fields are copied into this type
    auto it = obj.find(f.name);
    if (it == obj.end() || it->is_null()) {
      if (f.default_value) obj[f.name] = *f.default_value;
      continue;
    }
    if (f.type != ValueType::kObject) continue;
    const TypeSchema* sub = schemas.Find(f.ref);
    if (sub == nullptr) continue;
    Json& v = *it;
    if (f.container == Container::kList) {
      if (v.is_array()) {
        for (Json& e : v) DefaultElement(schemas, *sub, e, depth + 1);
      }
    } else if (f.container == Container::kMap) {
      if (v.is_object()) {
        for (Json& e : v) DefaultElement(schemas, *sub, e, depth + 1);
      }
    } else {
      DefaultElement(schemas, *sub, v, depth + 1);
    }
  }
}

}  // namespace

std::vector<std::string> UnknownFields(const SchemaRegistry& schemas, const TypeSchema& type,
                                       const Json& obj) {
  std::vector<std::string> out;
  UnknownFieldWalker(schemas, &out).Object(type, obj, "", /*root=*/true, 0);
  return out;
}

void ApplySchemaDefaults(const SchemaRegistry& schemas, const TypeSchema& type, Json& obj) {
  Defaults(schemas, type, obj, 0);
}

}  // namespace minik
