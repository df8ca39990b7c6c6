// Internal: the runtime values of the evaluator. Lists and maps that come from the input JSON
// are referenced, not copied (the JSON outlives the evaluation); lists and maps built by the
// expression own their elements.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik::cel {

struct Value;
using ValueList = std::vector<Value>;
using ValueMap = std::vector<std::pair<Value, Value>>;  // literal maps are small: linear lookup

struct Bytes {
  std::string data;
};
// A type value (`int`, `string`, the result of type(x)).
struct TypeValue {
  std::string name;
};
// A JSON array or object owned by the caller of Evaluate.
struct JsonRef {
  const Json* json;
};

struct Value {
  std::variant<std::nullptr_t, bool, int64_t, uint64_t, double, std::string, Bytes,
               std::shared_ptr<const ValueList>, std::shared_ptr<const ValueMap>, JsonRef,
               TypeValue>
      v;

  Value() : v(nullptr) {}
  template <typename T>
    requires(!std::is_same_v<std::decay_t<T>, Value>)
  Value(T x) : v(std::move(x)) {}
  Value(const char* s) : v(std::string(s)) {}
  Value(int x) : v(int64_t{x}) {}

  bool IsNull() const { return std::holds_alternative<std::nullptr_t>(v); }
  bool IsBool() const { return std::holds_alternative<bool>(v); }
  bool IsInt() const { return std::holds_alternative<int64_t>(v); }
  bool IsUint() const { return std::holds_alternative<uint64_t>(v); }
  bool IsDouble() const { return std::holds_alternative<double>(v); }
  bool IsNumber() const { return IsInt() || IsUint() || IsDouble(); }
  bool IsString() const { return std::holds_alternative<std::string>(v); }
  bool IsBytes() const { return std::holds_alternative<Bytes>(v); }
  bool IsType() const { return std::holds_alternative<TypeValue>(v); }
  bool IsList() const;
  bool IsMap() const;

  bool AsBool() const { return std::get<bool>(v); }
  int64_t AsInt() const { return std::get<int64_t>(v); }
  uint64_t AsUint() const { return std::get<uint64_t>(v); }
  double AsDouble() const { return std::get<double>(v); }
  const std::string& AsString() const { return std::get<std::string>(v); }
  const std::string& AsBytes() const { return std::get<Bytes>(v).data; }
};

// A scalar from JSON is converted; an array or object is referenced.
Value FromJson(const Json& json);
// Maps with non-string keys get their keys printed (`1`, `true`); bytes become strings.
Json ToJson(const Value& value);

// The CEL type name: "int", "string", "list", "map", "null_type", ...
std::string TypeName(const Value& value);

size_t ListSize(const Value& list);
Value ListAt(const Value& list, size_t i);
size_t MapSize(const Value& map);
// The value at `key`, or nullopt when absent. Numeric keys compare across int/uint/double.
std::optional<Value> MapGet(const Value& map, const Value& key);
std::vector<Value> MapKeys(const Value& map);

// CEL heterogeneous equality: numbers compare by value across int/uint/double; values of
// different types are unequal (never an error); lists and maps compare element-wise.
bool Equal(const Value& a, const Value& b);
// Ordering of two numbers (across int/uint/double), strings, bytes or bools. kUnordered when
// a NaN is involved (every comparison is false); kIncomparable for other type pairs.
enum class Order { kLess, kEqual, kGreater, kUnordered, kIncomparable };
Order Compare(const Value& a, const Value& b);

// Code points of a UTF-8 string (invalid bytes count as one each).
std::vector<char32_t> DecodeUtf8(std::string_view s);
std::string EncodeUtf8(const std::vector<char32_t>& cps, size_t begin, size_t end);
void AppendUtf8(std::string& out, char32_t cp);
size_t CodePointCount(std::string_view s);

// The error every runtime failure is reported with.
inline Status EvalError(std::string message) { return Status(Code::kInvalid, std::move(message)); }

}  // namespace minik::cel
