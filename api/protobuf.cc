// DecodeProtobuf: Kubernetes protobuf request bodies (kubectl >= 1.32 sends them for typed
// clients) to the JSON objects the rest of minik works on.
//
// Wire format: "k8s\0", then runtime.Unknown {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw,
// 3: contentEncoding, 4: contentType}; `raw` is the kind's message as in the kind's
// generated.proto (proto2: every field optional, so a present zero is present). The schema
// says which field number is which JSON field and how to render it. Go's JSON encoding is the
// reference for the output: omitempty zeros of non-pointer fields (`omitzero`) are dropped,
// zero Times are omitted, bytes are base64, IntOrString is an int or a string.
//
// Every read is bounds-checked against the enclosing message; nesting is bounded by
// kMaxDepth, so hostile input gets BadRequest, never a crash or an over-read.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "api/schema.h"

namespace minik {
namespace {

constexpr int kMaxDepth = 100;
constexpr std::string_view kMagic("k8s\0", 4);

Status Malformed(const std::string& what) {
  return BadRequest("unable to decode protobuf body: " + what);
}

// Reads protobuf wire data from one message's bytes.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  bool Done() const { return p_ == end_; }

  Status Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return Malformed("truncated varint");
      uint8_t b = static_cast<uint8_t>(*p_++);
      // The 10th byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && b > 1) return Malformed("varint overflows 64 bits");
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return Status::Ok();
      }
    }
    return Malformed("varint longer than 10 bytes");
  }

  Status Tag(int* field, int* wire) {
    uint64_t key = 0;
    MINIK_RETURN_IF_ERROR(Varint(&key));
    uint64_t number = key >> 3;
    if (number == 0 || number > 536870911) return Malformed("bad field number");
    *field = static_cast<int>(number);
    *wire = static_cast<int>(key & 7);
    return Status::Ok();
  }

  Status Bytes(std::string_view* out) {
    uint64_t len = 0;
    MINIK_RETURN_IF_ERROR(Varint(&len));
    if (len > static_cast<uint64_t>(end_ - p_)) return Malformed("length past the end");
    *out = std::string_view(p_, static_cast<size_t>(len));
    p_ += len;
    return Status::Ok();
  }

  Status Fixed(int size, uint64_t* v) {
    if (end_ - p_ < size) return Malformed("truncated fixed-size value");
    uint64_t result = 0;
    for (int i = 0; i < size; ++i) {
      result |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    }
    p_ += size;
    *v = result;
    return Status::Ok();
  }

  Status Skip(int wire) {
    uint64_t ignored = 0;
    std::string_view bytes;
    switch (wire) {
      case 0: return Varint(&ignored);
      case 1: return Fixed(8, &ignored);
      case 2: return Bytes(&bytes);
      case 5: return Fixed(4, &ignored);
      default: return Malformed("unsupported wire type " + std::to_string(wire));
    }
  }

 private:
  const char* p_;
  const char* end_;
};

// Go's encoding/json replaces each invalid UTF-8 byte with U+FFFD; so do we, which also
// keeps nlohmann::json::dump from throwing later.
std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    size_t len = 0;
    uint32_t min = 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= s.size();
    uint32_t cp = ok ? (c & (0x7f >> len)) : 0;
    for (size_t k = 1; ok && k < len; ++k) {
      uint8_t cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xef\xbf\xbd");
      ++i;
    }
  }
  return out;
}

std::string Base64(std::string_view in) {
  static const char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out.push_back(kChars[(n >> 18) & 63]);
    out.push_back(kChars[(n >> 12) & 63]);
    out.push_back(kChars[(n >> 6) & 63]);
    out.push_back(kChars[n & 63]);
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kChars[(n >> 18) & 63]);
    out.push_back(kChars[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kChars[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// RFC 3339 in UTC ("2024-05-01T10:00:00Z"), with `micros` >= 0 adding ".000123".
StatusOr<std::string> FormatTime(int64_t seconds, int micros) {
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, the range Go's JSON encoder accepts.
  if (seconds < -62135596800LL || seconds > 253402300799LL) {
    return Malformed("time out of range");
  }
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) rem += 86400, --days;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(y),
                        static_cast<int>(m), static_cast<int>(d), static_cast<int>(rem / 3600),
                        static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (micros >= 0) {
    std::snprintf(buf, sizeof buf, ".%06d", micros);
    out += buf;
  }
  out += 'Z';
  return out;
}

// Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s".
std::string FormatDuration(int64_t d) {
  char buf[32];
  int w = sizeof buf;
  uint64_t u = static_cast<uint64_t>(d);
  bool neg = d < 0;
  if (neg) u = 0 - u;
  auto frac = [&](uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      int digit = static_cast<int>(v % 10);
      print = print || digit != 0;
      if (print) buf[--w] = static_cast<char>('0' + digit);
      v /= 10;
    }
    if (print) buf[--w] = '.';
    return v;
  };
  auto integer = [&](uint64_t v) {
    if (v == 0) {
      buf[--w] = '0';
      return;
    }
    for (; v > 0; v /= 10) buf[--w] = static_cast<char>('0' + v % 10);
  };
  if (u < 1000000000ULL) {
    if (u == 0) return "0s";
    int prec = 0;
    buf[--w] = 's';
    if (u < 1000ULL) {
      buf[--w] = 'n';
    } else if (u < 1000000ULL) {
      prec = 3;
      buf[--w] = '\xb5';  // U+00B5 micro sign, as Go writes it
      buf[--w] = '\xc2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    u = frac(u, prec);
    integer(u);
  } else {
    buf[--w] = 's';
    u = frac(u, 9);
    integer(u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      integer(u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        integer(u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof buf - w);
}

bool IsZero(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return v.get_ref<const std::string&>().empty();
    case Json::value_t::boolean: return !v.get<bool>();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return v.get<int64_t>() == 0;
    case Json::value_t::number_float: return v.get<double>() == 0;
    default: return false;
  }
}

class Decoder {
 public:
  explicit Decoder(const SchemaRegistry& schemas) : schemas_(schemas) {}

  // Decodes `data` as a message of `type` into the object `out`.
  Status Message(const TypeSchema& type, std::string_view data, int depth, Json* out) {
    if (depth > kMaxDepth) return Malformed("nesting too deep");
    if (!out->is_object()) *out = Json::object();
    Reader r(data);
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      const FieldSchema* f = type.FieldByProto(number);
      if (f == nullptr) {  // unknown to us: skip, as generated Go code does
        MINIK_RETURN_IF_ERROR(r.Skip(wire));
        continue;
      }
      MINIK_RETURN_IF_ERROR(FieldOccurrence(type, *f, wire, r, depth, out));
    }
    return Status::Ok();
  }

 private:
  std::string Where(const TypeSchema& type, const FieldSchema& f) const {
    return type.name + "." + (f.name.empty() ? "(inline)" : f.name);
  }

  Status FieldOccurrence(const TypeSchema& type, const FieldSchema& f, int wire, Reader& r,
                         int depth, Json* out) {
    if (f.IsInline()) {
      std::string_view bytes;
      if (wire != 2) return WrongWire(type, f, wire);
      MINIK_RETURN_IF_ERROR(r.Bytes(&bytes));
      const TypeSchema* sub = schemas_.Find(f.ref);
      if (sub == nullptr) return Internal("schema: unknown type " + f.ref);
      return Message(*sub, bytes, depth + 1, out);  // embedded fields land in the parent
    }
    if (f.container == Container::kMap) {
      if (wire != 2) return WrongWire(type, f, wire);
      return MapEntry(type, f, r, depth, out);
    }
    if (f.container == Container::kList) {
      Json& list = f.name.empty() ? *out : (*out)[f.name];
      if (!list.is_array()) list = Json::array();
      if (wire == 2 && Packable(f.type)) {  // packed repeated scalars
        std::string_view bytes;
        MINIK_RETURN_IF_ERROR(r.Bytes(&bytes));
        Reader packed(bytes);
        int elem_wire = f.type == ValueType::kDouble ? 1 : 0;
        while (!packed.Done()) {
          Json v;
          bool present = true;
          MINIK_RETURN_IF_ERROR(Value(type, f, elem_wire, packed, depth, &v, &present));
          list.push_back(std::move(v));
        }
        return Status::Ok();
      }
      Json v;
      bool present = true;
      MINIK_RETURN_IF_ERROR(Value(type, f, wire, r, depth, &v, &present));
      // An element that decodes to "absent" (a zero Time) still holds its place, as in Go.
      list.push_back(present ? std::move(v) : Json());
      return Status::Ok();
    }
    Json v;
    bool present = true;
    MINIK_RETURN_IF_ERROR(Value(type, f, wire, r, depth, &v, &present));
    if (f.name.empty()) {  // wrapper of a scalar: the value is the message's JSON
      *out = std::move(v);
      return Status::Ok();
    }
    // Proto semantics: the last occurrence of a scalar wins; messages merge.
    if (!present || (f.omit_zero && IsZero(v)) ||
        (f.omit_zero && f.type == ValueType::kIntOrString && v == Json(0))) {
      out->erase(f.name);
      return Status::Ok();
    }
    Json& slot = (*out)[f.name];
    if (slot.is_object() && v.is_object()) {
      slot.update(v);
    } else {
      slot = std::move(v);
    }
    return Status::Ok();
  }

  Status MapEntry(const TypeSchema& type, const FieldSchema& f, Reader& r, int depth,
                  Json* out) {
    std::string_view entry;
    MINIK_RETURN_IF_ERROR(r.Bytes(&entry));
    Reader er(entry);
    std::string key;
    Json value;
    bool has_value = false, present = true;
    while (!er.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(er.Tag(&number, &wire));
      if (number == 1) {
        std::string_view k;
        if (wire != 2) return WrongWire(type, f, wire);
        MINIK_RETURN_IF_ERROR(er.Bytes(&k));
        key = SanitizeUtf8(k);
      } else if (number == 2) {
        value = Json();
        MINIK_RETURN_IF_ERROR(Value(type, f, wire, er, depth, &value, &present));
        has_value = true;
      } else {
        MINIK_RETURN_IF_ERROR(er.Skip(wire));
      }
    }
    if (!has_value) {  // proto: a missing map value is the type's zero value
      MINIK_RETURN_IF_ERROR(ZeroValue(f, depth, &value));
    } else if (!present) {
      value = Json();
    }
    Json& map = (*out)[f.name];
    if (!map.is_object()) map = Json::object();
    map[key] = std::move(value);
    return Status::Ok();
  }

  Status ZeroValue(const FieldSchema& f, int depth, Json* out) {
    switch (f.type) {
      case ValueType::kString:
      case ValueType::kBytes: *out = ""; return Status::Ok();
      case ValueType::kBool: *out = false; return Status::Ok();
      case ValueType::kInt32:
      case ValueType::kInt64:
      case ValueType::kIntOrString: *out = 0; return Status::Ok();
      case ValueType::kDouble: *out = 0.0; return Status::Ok();
      case ValueType::kQuantity: *out = "0"; return Status::Ok();
      case ValueType::kObject: {
        const TypeSchema* sub = schemas_.Find(f.ref);
        if (sub == nullptr) return Internal("schema: unknown type " + f.ref);
        *out = Json::object();
        return Object(*sub, std::string_view(), depth + 1, out);
      }
      default: *out = Json(); return Status::Ok();
    }
  }

  static bool Packable(ValueType t) {
    return t == ValueType::kBool || t == ValueType::kInt32 || t == ValueType::kInt64 ||
           t == ValueType::kDouble;
  }

  Status WrongWire(const TypeSchema& type, const FieldSchema& f, int wire) const {
    return Malformed("field " + Where(type, f) + ": unexpected wire type " +
                     std::to_string(wire));
  }

  // A nested message of a named type; wrapper types become their wrapped value.
  Status Object(const TypeSchema& sub, std::string_view bytes, int depth, Json* out) {
    if (const FieldSchema* w = sub.Wrapped()) {
      *out = w->container == Container::kList ? Json::array()
             : w->container == Container::kMap ? Json::object()
                                               : Json();
      Json holder = Json::object();
      MINIK_RETURN_IF_ERROR(Message(sub, bytes, depth, &holder));
      if (!holder.is_object()) *out = std::move(holder);  // scalar wrapper
      else if (holder.contains("")) *out = std::move(holder[""]);
      return Status::Ok();
    }
    *out = Json::object();
    return Message(sub, bytes, depth, out);
  }

  // One value of field `f` (an element, for lists and maps) read with wire type `wire`.
  // *present is false for values that Go renders as absent (zero Time, empty raw JSON).
  Status Value(const TypeSchema& type, const FieldSchema& f, int wire, Reader& r, int depth,
               Json* out, bool* present) {
    *present = true;
    uint64_t v = 0;
    std::string_view bytes;
    int want = 2;
    switch (f.type) {
      case ValueType::kBool:
      case ValueType::kInt32:
      case ValueType::kInt64: want = 0; break;
      case ValueType::kDouble: want = 1; break;
      default: break;
    }
    if (wire != want) return WrongWire(type, f, wire);
    switch (f.type) {
      case ValueType::kBool:
        MINIK_RETURN_IF_ERROR(r.Varint(&v));
        *out = v != 0;
        return Status::Ok();
      case ValueType::kInt32:
        MINIK_RETURN_IF_ERROR(r.Varint(&v));
        *out = static_cast<int32_t>(static_cast<uint32_t>(v));
        return Status::Ok();
      case ValueType::kInt64:
        MINIK_RETURN_IF_ERROR(r.Varint(&v));
        *out = static_cast<int64_t>(v);
        return Status::Ok();
      case ValueType::kDouble: {
        MINIK_RETURN_IF_ERROR(r.Fixed(8, &v));
        double d;
        std::memcpy(&d, &v, sizeof d);
        if (!std::isfinite(d)) return Malformed("field " + Where(type, f) + ": not a number");
        *out = d;
        return Status::Ok();
      }
      default: break;
    }
    MINIK_RETURN_IF_ERROR(r.Bytes(&bytes));
    switch (f.type) {
      case ValueType::kString: *out = SanitizeUtf8(bytes); return Status::Ok();
      case ValueType::kBytes: *out = Base64(bytes); return Status::Ok();
      case ValueType::kObject: {
        const TypeSchema* sub = schemas_.Find(f.ref);
        if (sub == nullptr) return Internal("schema: unknown type " + f.ref);
        return Object(*sub, bytes, depth + 1, out);
      }
      case ValueType::kQuantity: return Quantity(bytes, out);
      case ValueType::kIntOrString: return IntOrString(bytes, out);
      case ValueType::kTime:
      case ValueType::kMicroTime: return Time(bytes, f.type == ValueType::kMicroTime, out, present);
      case ValueType::kDuration: return Duration(bytes, out);
      case ValueType::kRawExtension:
      case ValueType::kFieldsV1: return Raw(bytes, depth, out, present);
      case ValueType::kAny: {
        StatusOr<Json> j = ParseJson(bytes, std::max(1, kMaxDepth - depth));
        if (!j.ok()) return Malformed("field " + Where(type, f) + ": " + j.status().message());
        *out = std::move(j.value());
        return Status::Ok();
      }
      default: return Internal("protobuf: unhandled value type");
    }
  }

  // resource.Quantity {1: string}: the canonical string; the zero Quantity is "0".
  static Status Quantity(std::string_view data, Json* out) {
    Reader r(data);
    std::string s;
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      if (number == 1 && wire == 2) {
        std::string_view b;
        MINIK_RETURN_IF_ERROR(r.Bytes(&b));
        s = SanitizeUtf8(b);
      } else {
        MINIK_RETURN_IF_ERROR(r.Skip(wire));
      }
    }
    *out = s.empty() ? "0" : s;
    return Status::Ok();
  }

  // intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}.
  static Status IntOrString(std::string_view data, Json* out) {
    Reader r(data);
    uint64_t kind = 0, int_val = 0;
    std::string str_val;
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      if ((number == 1 || number == 2) && wire == 0) {
        MINIK_RETURN_IF_ERROR(r.Varint(number == 1 ? &kind : &int_val));
      } else if (number == 3 && wire == 2) {
        std::string_view b;
        MINIK_RETURN_IF_ERROR(r.Bytes(&b));
        str_val = SanitizeUtf8(b);
      } else if (number <= 3) {
        return Malformed("IntOrString: unexpected wire type");
      } else {
        MINIK_RETURN_IF_ERROR(r.Skip(wire));
      }
    }
    if (kind == 1) {
      *out = str_val;
    } else {
      *out = static_cast<int32_t>(static_cast<uint32_t>(int_val));
    }
    return Status::Ok();
  }

  // meta.v1.Time / MicroTime: Timestamp {1: seconds, 2: nanos}. An empty message is the zero
  // time, which Go renders as null: absent. Time keeps whole seconds (as k8s does).
  static Status Time(std::string_view data, bool micro, Json* out, bool* present) {
    if (data.empty()) {
      *present = false;
      return Status::Ok();
    }
    Reader r(data);
    uint64_t seconds = 0, nanos = 0;
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      if ((number == 1 || number == 2) && wire == 0) {
        MINIK_RETURN_IF_ERROR(r.Varint(number == 1 ? &seconds : &nanos));
      } else if (number <= 2) {
        return Malformed("Time: unexpected wire type");
      } else {
        MINIK_RETURN_IF_ERROR(r.Skip(wire));
      }
    }
    int32_t n = static_cast<int32_t>(static_cast<uint32_t>(nanos));
    if (n < 0 || n > 999999999) return Malformed("Time: nanos out of range");
    StatusOr<std::string> s = FormatTime(static_cast<int64_t>(seconds), micro ? n / 1000 : -1);
    if (!s.ok()) return s.status();
    *out = std::move(s.value());
    return Status::Ok();
  }

  // meta.v1.Duration {1: int64 nanoseconds} -> "1m30s".
  static Status Duration(std::string_view data, Json* out) {
    Reader r(data);
    uint64_t ns = 0;
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      if (number == 1 && wire == 0) {
        MINIK_RETURN_IF_ERROR(r.Varint(&ns));
      } else if (number == 1) {
        return Malformed("Duration: unexpected wire type");
      } else {
        MINIK_RETURN_IF_ERROR(r.Skip(wire));
      }
    }
    *out = FormatDuration(static_cast<int64_t>(ns));
    return Status::Ok();
  }

  // runtime.RawExtension / FieldsV1 {1: raw bytes}: raw is JSON, or (RawExtension from a
  // protobuf client) a nested k8s protobuf object.
  Status Raw(std::string_view data, int depth, Json* out, bool* present) {
    Reader r(data);
    std::string_view raw;
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      if (number == 1 && wire == 2) {
        MINIK_RETURN_IF_ERROR(r.Bytes(&raw));
      } else if (number == 1) {
        return Malformed("raw: unexpected wire type");
      } else {
        MINIK_RETURN_IF_ERROR(r.Skip(wire));
      }
    }
    if (raw.empty()) {
      *present = false;
      return Status::Ok();
    }
    if (raw.substr(0, kMagic.size()) == kMagic) {
      StatusOr<Json> nested = Envelope(raw, depth + 1);
      if (!nested.ok()) return nested.status();
      *out = std::move(nested.value());
      return Status::Ok();
    }
    StatusOr<Json> j = ParseJson(raw, std::max(1, kMaxDepth - depth));
    if (!j.ok()) return Malformed("embedded JSON: " + j.status().message());
    *out = std::move(j.value());
    return Status::Ok();
  }

 public:
  // The "k8s\0" + runtime.Unknown envelope and the object inside it.
  StatusOr<Json> Envelope(std::string_view body, int depth) {
    if (depth > kMaxDepth) return Malformed("nesting too deep");
    if (body.substr(0, kMagic.size()) != kMagic) {
      return Malformed("missing the k8s protobuf prefix");
    }
    Reader r(body.substr(kMagic.size()));
    std::string api_version, kind, encoding;
    std::string_view raw;
    while (!r.Done()) {
      int number = 0, wire = 0;
      MINIK_RETURN_IF_ERROR(r.Tag(&number, &wire));
      if (number >= 1 && number <= 4 && wire != 2) return Malformed("envelope: bad wire type");
      std::string_view bytes;
      switch (number) {
        case 1: {
          MINIK_RETURN_IF_ERROR(r.Bytes(&bytes));
          Reader tr(bytes);
          while (!tr.Done()) {
            int n = 0, w = 0;
            MINIK_RETURN_IF_ERROR(tr.Tag(&n, &w));
            if ((n == 1 || n == 2) && w == 2) {
              std::string_view s;
              MINIK_RETURN_IF_ERROR(tr.Bytes(&s));
              (n == 1 ? api_version : kind) = SanitizeUtf8(s);
            } else if (n <= 2) {
              return Malformed("envelope: bad wire type");
            } else {
              MINIK_RETURN_IF_ERROR(tr.Skip(w));
            }
          }
          break;
        }
        case 2: MINIK_RETURN_IF_ERROR(r.Bytes(&raw)); break;
        case 3:
          MINIK_RETURN_IF_ERROR(r.Bytes(&bytes));
          encoding = SanitizeUtf8(bytes);
          break;
        default: MINIK_RETURN_IF_ERROR(r.Skip(wire)); break;
      }
    }
    if (!encoding.empty()) return Malformed("unsupported contentEncoding \"" + encoding + "\"");
    if (kind.empty()) return BadRequest("Object 'Kind' is missing in protobuf body");
    GroupVersionKind gvk;
    gvk.kind = kind;
    size_t slash = api_version.find('/');
    if (slash == std::string::npos) {
      gvk.version = api_version;
    } else {
      gvk.group = api_version.substr(0, slash);
      gvk.version = api_version.substr(slash + 1);
    }
    const TypeSchema* type = gvk.version.empty() ? nullptr : schemas_.FindByGvk(gvk);
    if (type == nullptr) {
      // Option types (DeleteOptions, ...) are registered in every group version.
      const TypeSchema* meta = schemas_.Find("io.k8s.apimachinery.pkg.apis.meta.v1." + kind);
      if (meta != nullptr && meta->gvk && !gvk.version.empty()) type = meta;
    }
    if (type == nullptr) {
      return BadRequest("no kind \"" + kind + "\" is registered for version \"" + api_version +
                        "\"");
    }
    Json obj = Json::object();
    MINIK_RETURN_IF_ERROR(Message(*type, raw, depth + 1, &obj));
    obj["apiVersion"] = api_version;
    obj["kind"] = kind;
    return obj;
  }

 private:
  const SchemaRegistry& schemas_;
};

}  // namespace

StatusOr<Json> DecodeProtobuf(const SchemaRegistry& schemas, std::string_view body) {
  return Decoder(schemas).Envelope(body, 0);
}

}  // namespace minik
