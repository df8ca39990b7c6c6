#include "cel/value.h"

#include <cmath>

namespace minik::cel {
namespace {

const Json* AsJson(const Value& v) {
  const JsonRef* r = std::get_if<JsonRef>(&v.v);
  return r ? r->json : nullptr;
}

// int/uint/double ordering without losing precision (CEL compares the values, not doubles).
Order CompareInts(int64_t a, int64_t b) {
  return a < b ? Order::kLess : a > b ? Order::kGreater : Order::kEqual;
}
Order CompareIntUint(int64_t a, uint64_t b) {
  if (a < 0) return Order::kLess;
  uint64_t ua = static_cast<uint64_t>(a);
  return ua < b ? Order::kLess : ua > b ? Order::kGreater : Order::kEqual;
}
Order Flip(Order o) {
  if (o == Order::kLess) return Order::kGreater;
  if (o == Order::kGreater) return Order::kLess;
  return o;
}
Order CompareDoubles(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return Order::kUnordered;
  return a < b ? Order::kLess : a > b ? Order::kGreater : Order::kEqual;
}
Order CompareDoubleInt(double a, int64_t b) {
  if (std::isnan(a)) return Order::kUnordered;
  // 2^63 as a double; every double at or above it exceeds any int64.
  if (a >= 9223372036854775808.0) return Order::kGreater;
  if (a < -9223372036854775808.0) return Order::kLess;
  double t = std::trunc(a);
  int64_t ta = static_cast<int64_t>(t);
  if (ta != b) return ta < b ? Order::kLess : Order::kGreater;
  return a > t ? Order::kGreater : a < t ? Order::kLess : Order::kEqual;
}
Order CompareDoubleUint(double a, uint64_t b) {
  if (std::isnan(a)) return Order::kUnordered;
  if (a < 0) return Order::kLess;
  if (a >= 18446744073709551616.0) return Order::kGreater;
  double t = std::trunc(a);
  uint64_t ta = static_cast<uint64_t>(t);
  if (ta != b) return ta < b ? Order::kLess : Order::kGreater;
  return a > t ? Order::kGreater : Order::kEqual;
}

}  // namespace

bool Value::IsList() const {
  if (std::holds_alternative<std::shared_ptr<const ValueList>>(v)) return true;
  const Json* j = AsJson(*this);
  return j && j->is_array();
}

bool Value::IsMap() const {
  if (std::holds_alternative<std::shared_ptr<const ValueMap>>(v)) return true;
  const Json* j = AsJson(*this);
  return j && j->is_object();
}

Value FromJson(const Json& json) {
  switch (json.type()) {
    case Json::value_t::boolean:
      return Value(json.get<bool>());
    case Json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case Json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      // A JSON integer is a CEL int; beyond int64 it can only be a double.
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case Json::value_t::number_float:
      return Value(json.get<double>());
    case Json::value_t::string:
      return Value(json.get_ref<const std::string&>());
    case Json::value_t::array:
    case Json::value_t::object:
      return Value(JsonRef{&json});
    default:
      return Value();
  }
}

namespace {
std::string KeyString(const Value& k) {
  if (k.IsString()) return k.AsString();
  Json j = ToJson(k);
  return j.dump();
}
}  // namespace

Json ToJson(const Value& value) {
  if (const Json* j = AsJson(value)) return *j;
  return std::visit(
      [&](const auto& x) -> Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return Json(nullptr);
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> ||
                             std::is_same_v<T, uint64_t> || std::is_same_v<T, std::string>) {
          return Json(x);
        } else if constexpr (std::is_same_v<T, double>) {
          // JSON has no NaN or infinity; nlohmann would print null anyway.
          return std::isfinite(x) ? Json(x) : Json(nullptr);
        } else if constexpr (std::is_same_v<T, Bytes>) {
          return Json(x.data);
        } else if constexpr (std::is_same_v<T, TypeValue>) {
          return Json(x.name);
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const ValueList>>) {
          Json out = Json::array();
          for (const Value& e : *x) out.push_back(ToJson(e));
          return out;
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const ValueMap>>) {
          Json out = Json::object();
          for (const auto& [k, v] : *x) out[KeyString(k)] = ToJson(v);
          return out;
        } else {
          return Json(nullptr);  // JsonRef: handled above
        }
      },
      value.v);
}

std::string TypeName(const Value& value) {
  if (value.IsNull()) return "null_type";
  if (value.IsBool()) return "bool";
  if (value.IsInt()) return "int";
  if (value.IsUint()) return "uint";
  if (value.IsDouble()) return "double";
  if (value.IsString()) return "string";
  if (value.IsBytes()) return "bytes";
  if (value.IsList()) return "list";
  if (value.IsMap()) return "map";
  if (value.IsType()) return "type";
  return "dyn";
}

size_t ListSize(const Value& list) {
  if (const Json* j = AsJson(list)) return j->size();
  return std::get<std::shared_ptr<const ValueList>>(list.v)->size();
}

Value ListAt(const Value& list, size_t i) {
  if (const Json* j = AsJson(list)) return FromJson((*j)[i]);
  return (*std::get<std::shared_ptr<const ValueList>>(list.v))[i];
}

size_t MapSize(const Value& map) {
  if (const Json* j = AsJson(map)) return j->size();
  return std::get<std::shared_ptr<const ValueMap>>(map.v)->size();
}

std::optional<Value> MapGet(const Value& map, const Value& key) {
  if (const Json* j = AsJson(map)) {
    if (!key.IsString()) return std::nullopt;
    auto it = j->find(key.AsString());
    if (it == j->end()) return std::nullopt;
    return FromJson(*it);
  }
  for (const auto& [k, v] : *std::get<std::shared_ptr<const ValueMap>>(map.v)) {
    if (Equal(k, key)) return v;
  }
  return std::nullopt;
}

std::vector<Value> MapKeys(const Value& map) {
  std::vector<Value> keys;
  if (const Json* j = AsJson(map)) {
    for (auto it = j->begin(); it != j->end(); ++it) keys.emplace_back(it.key());
    return keys;
  }
  for (const auto& [k, v] : *std::get<std::shared_ptr<const ValueMap>>(map.v)) keys.push_back(k);
  return keys;
}

Order Compare(const Value& a, const Value& b) {
  if (a.IsInt()) {
    if (b.IsInt()) return CompareInts(a.AsInt(), b.AsInt());
    if (b.IsUint()) return CompareIntUint(a.AsInt(), b.AsUint());
    if (b.IsDouble()) return Flip(CompareDoubleInt(b.AsDouble(), a.AsInt()));
  } else if (a.IsUint()) {
    if (b.IsUint()) {
      return a.AsUint() < b.AsUint()   ? Order::kLess
             : a.AsUint() > b.AsUint() ? Order::kGreater
                                       : Order::kEqual;
    }
    if (b.IsInt()) return Flip(CompareIntUint(b.AsInt(), a.AsUint()));
    if (b.IsDouble()) return Flip(CompareDoubleUint(b.AsDouble(), a.AsUint()));
  } else if (a.IsDouble()) {
    if (b.IsDouble()) return CompareDoubles(a.AsDouble(), b.AsDouble());
    if (b.IsInt()) return CompareDoubleInt(a.AsDouble(), b.AsInt());
    if (b.IsUint()) return CompareDoubleUint(a.AsDouble(), b.AsUint());
  } else if (a.IsString() && b.IsString()) {
    // Byte order of UTF-8 is code point order.
    int c = a.AsString().compare(b.AsString());
    return c < 0 ? Order::kLess : c > 0 ? Order::kGreater : Order::kEqual;
  } else if (a.IsBytes() && b.IsBytes()) {
    int c = a.AsBytes().compare(b.AsBytes());
    return c < 0 ? Order::kLess : c > 0 ? Order::kGreater : Order::kEqual;
  } else if (a.IsBool() && b.IsBool()) {
    return CompareInts(a.AsBool(), b.AsBool());
  }
  return Order::kIncomparable;
}

bool Equal(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) return Compare(a, b) == Order::kEqual;
  if (a.IsList() && b.IsList()) {
    size_t n = ListSize(a);
    if (n != ListSize(b)) return false;
    for (size_t i = 0; i < n; ++i) {
      if (!Equal(ListAt(a, i), ListAt(b, i))) return false;
    }
    return true;
  }
  if (a.IsMap() && b.IsMap()) {
    if (MapSize(a) != MapSize(b)) return false;
    for (const Value& k : MapKeys(a)) {
      std::optional<Value> other = MapGet(b, k);
      if (!other || !Equal(*MapGet(a, k), *other)) return false;
    }
    return true;
  }
  if (a.v.index() != b.v.index()) return false;
  if (a.IsNull()) return true;
  if (a.IsBool()) return a.AsBool() == b.AsBool();
  if (a.IsString()) return a.AsString() == b.AsString();
  if (a.IsBytes()) return a.AsBytes() == b.AsBytes();
  if (a.IsType()) return std::get<TypeValue>(a.v).name == std::get<TypeValue>(b.v).name;
  return false;
}

std::vector<char32_t> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out.push_back(c);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string EncodeUtf8(const std::vector<char32_t>& cps, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end && i < cps.size(); ++i) AppendUtf8(out, cps[i]);
  return out;
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace minik::cel
