// Schemas: every served kind and every nested type described once, in the project's own
// compact text form (api/schemas/<group>_<version>.cc, compiled in). Protobuf decoding,
// strategic merge patch, strict unknown-field checks, defaulting and OpenAPI all read this
// one source.
//
// The text form (full rules in api/schemas/README.md):
//   package io.k8s.api.core.v1
//   type ConfigMap gvk=/v1/ConfigMap
//     | ConfigMap holds configuration data for pods to consume.
//     metadata    1 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta
//     data        2 map<string>
//     binaryData  3 map<bytes>
//     immutable   4 bool
// Field lines: json name, protobuf field number, type, then options such as
//   list<Container> merge=name strategy=merge listmap=name   (strategic-merge list by name)
//   list<string> set                            (x-kubernetes-list-type=set)
//   required  omitzero  enum=["A","B"]  default="ClusterFirst"
// `| text` lines are descriptions of the type or of the field above them.
// A field named "-" has no JSON name of its own: in a type with other fields it is an embedded
// (inline) struct whose fields appear in the parent's JSON (Load copies them into the parent,
// marked `inlined_from`); as the only field of a type it is a protobuf wrapper of a Go slice
// (ExtraValue), and the type's JSON value is that field's value. Code walking `fields` for
// JSON purposes skips fields with an empty name.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/resource.h"
#include "api/status.h"

namespace minik {

enum class ValueType {
  kString,
  kBool,
  kInt32,
  kInt64,
  kDouble,
  kBytes,         // JSON: base64 string; protobuf: bytes
  kObject,        // a named type (Field::ref)
  kQuantity,      // resource.Quantity: JSON string; protobuf message {1: string}
  kIntOrString,   // intstr.IntOrString: JSON int or string; protobuf {1:type,2:intVal,3:strVal}
  kTime,          // metav1.Time: RFC 3339 string; protobuf {1: seconds, 2: nanos}
  kMicroTime,     // metav1.MicroTime: RFC 3339 with micros
  kDuration,      // metav1.Duration: "1m30s" string; protobuf {1: int64 nanoseconds}
  kRawExtension,  // runtime.RawExtension: any JSON; protobuf {1: raw bytes}
  kFieldsV1,      // metav1.FieldsV1: any JSON; protobuf {1: raw bytes}
  kAny,           // free-form JSON (apiextensions JSON, etc.)
};

enum class Container { kNone, kList, kMap };  // map: string keys

enum class ListType { kAtomic, kSet, kMap };  // x-kubernetes-list-type

struct FieldSchema {
  std::string name;  // JSON name
  int proto = 0;     // protobuf field number (0: not in protobuf)
  ValueType type = ValueType::kString;
  std::string ref;   // kObject: the referenced type's full name
  Container container = Container::kNone;
  ListType list_type = ListType::kAtomic;
  std::vector<std::string> list_map_keys;  // x-kubernetes-list-map-keys
  std::string merge_key;                   // strategic merge: x-kubernetes-patch-merge-key
  std::string patch_strategy;              // "merge", "retainKeys", "merge,retainKeys", "replace"
  bool required = false;
  std::optional<Json> default_value;
  std::string description;
  // `omitzero`: Go non-pointer field with omitempty, so a zero value (0, false, "", int 0
  // IntOrString) means absent. kubectl's protobuf bodies carry such zeros; the decoder drops
  // them as Go's JSON encoder would.
  bool omit_zero = false;
  // `enum=["A","B"]`: the values of a Go `+enum` string type, sorted (OpenAPI `enum`).
  std::vector<std::string> enum_values;
  // Non-empty on the JSON-visible copies of an inline struct's fields: the type name of the
  // embedded struct. Such copies have proto 0 (in protobuf they live in the embedded message).
  std::string inlined_from;

  // Embedded struct (name "-" in the text): proto-only; its JSON fields are in the parent.
  bool IsInline() const {
    return name.empty() && type == ValueType::kObject && container == Container::kNone;
  }
};

struct TypeSchema {
  std::string name;  // "io.k8s.api.core.v1.ConfigMap"
  std::string description;
  std::optional<GroupVersionKind> gvk;  // top-level kinds only
  std::vector<FieldSchema> fields;
  // Fields not listed are kept and not reported unknown (custom resources'
  // x-kubernetes-preserve-unknown-fields beside properties).
  bool preserve_unknown_fields = false;

  const FieldSchema* Field(const std::string& json_name) const;
  const FieldSchema* FieldByProto(int number) const;
  // A wrapper type (one field named "-" that is not inline): that field, else nullptr.
  const FieldSchema* Wrapped() const;
};

// Static types are loaded before any reader runs; dynamic types (the schemas of custom
// resources) are replaced per CustomResourceDefinition at any time, thread-safely. Returned
// pointers stay valid for the registry's lifetime (replaced dynamic types are retired, not
// freed). Static types win over dynamic ones of the same name.
class SchemaRegistry {
 public:
  SchemaRegistry() = default;
  // A registry with `other`'s static types (not its dynamic ones).
  SchemaRegistry(const SchemaRegistry& other) : types_(other.types_) {}
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  // Parses schema text (the form above); InvalidArgument-style BadRequest on syntax errors.
  Status Load(const std::string& text);
  // Adds (or replaces) one type; for tests and generated types.
  void Add(TypeSchema type) {
    std::string n = type.name;
    types_[n] = std::move(type);
    LinkInline();
  }
  // Replaces the dynamic types of `owner` (a CRD name) by `types`; empty removes them.
  void SetDynamic(const std::string& owner, std::vector<TypeSchema> types);
  const TypeSchema* Find(const std::string& name) const;
  const TypeSchema* FindByGvk(const GroupVersionKind& gvk) const;
  // The static types only.
  const std::map<std::string, TypeSchema>& types() const { return types_; }
  // Ok when every kObject field refers to a known type; else BadRequest naming the missing ones.
  Status CheckReferences() const;

 private:
  // Re-derives the JSON copies of inline fields in every type (Load calls it).
  void LinkInline();

  std::map<std::string, TypeSchema> types_;
  mutable std::shared_mutex dyn_mu_;
  std::map<std::string, std::shared_ptr<const TypeSchema>> dynamic_;   // guarded by dyn_mu_
  std::map<std::string, std::vector<std::string>> dynamic_owners_;     // guarded by dyn_mu_
  std::vector<std::shared_ptr<const TypeSchema>> retired_;             // guarded by dyn_mu_
};

// The compiled-in schemas of every built-in kind.
const SchemaRegistry& BuiltinSchemas();

// Decodes a Kubernetes protobuf body: the "k8s\0" magic, runtime.Unknown envelope, then the
// object of the envelope's apiVersion/kind. Returns the JSON object with apiVersion and kind.
// BadRequest on a malformed or unknown body; never reads out of bounds.
StatusOr<Json> DecodeProtobuf(const SchemaRegistry& schemas, std::string_view body);

// Strict decoding: the JSON paths of fields the schema does not know, worded like the
// apiserver ("spec.replicaz", "spec.template.spec.containers[0].imagee"). Fields of kAny /
// RawExtension / FieldsV1 values are not inspected.
// The GroupVersionKind is not checked; apiVersion and kind are always known.
std::vector<std::string> UnknownFields(const SchemaRegistry& schemas, const TypeSchema& type,
                                       const Json& obj);

// Applies `default=` values of the schema to absent fields, recursively.
void ApplySchemaDefaults(const SchemaRegistry& schemas, const TypeSchema& type, Json& obj);

}  // namespace minik
