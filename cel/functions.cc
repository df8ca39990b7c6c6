// The standard functions and operators: arithmetic, comparison, `in`, size, conversions.
// The string functions are in strings.cc.
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "cel/eval.h"

namespace minik::cel {
namespace {

Status IntOverflow() { return EvalError("integer overflow"); }
Status UintOverflow() { return EvalError("unsigned integer overflow"); }

StatusOr<Value> Arith(Fn fn, const Value& a, const Value& b) {
  if (a.IsInt() && b.IsInt()) {
    int64_t x = a.AsInt(), y = b.AsInt(), r = 0;
    switch (fn) {
      case Fn::kAdd: if (__builtin_add_overflow(x, y, &r)) return IntOverflow(); return Value(r);
      case Fn::kSub: if (__builtin_sub_overflow(x, y, &r)) return IntOverflow(); return Value(r);
      case Fn::kMul: if (__builtin_mul_overflow(x, y, &r)) return IntOverflow(); return Value(r);
      case Fn::kDiv:
        if (y == 0) return EvalError("division by zero");
        if (x == INT64_MIN && y == -1) return IntOverflow();
        return Value(x / y);
      case Fn::kMod:
        if (y == 0) return EvalError("modulus by zero");
        if (x == INT64_MIN && y == -1) return IntOverflow();
        return Value(x % y);
      default: break;
    }
  } else if (a.IsUint() && b.IsUint()) {
    uint64_t x = a.AsUint(), y = b.AsUint(), r = 0;
    switch (fn) {
      case Fn::kAdd: if (__builtin_add_overflow(x, y, &r)) return UintOverflow(); return Value(r);
      case Fn::kSub: if (__builtin_sub_overflow(x, y, &r)) return UintOverflow(); return Value(r);
      case Fn::kMul: if (__builtin_mul_overflow(x, y, &r)) return UintOverflow(); return Value(r);
      case Fn::kDiv:
        if (y == 0) return EvalError("division by zero");
        return Value(x / y);
      case Fn::kMod:
        if (y == 0) return EvalError("modulus by zero");
        return Value(x % y);
      default: break;
    }
  } else if (a.IsDouble() && b.IsDouble()) {
    // IEEE semantics: division by zero yields an infinity, as in CEL.
    double x = a.AsDouble(), y = b.AsDouble();
    switch (fn) {
      case Fn::kAdd: return Value(x + y);
      case Fn::kSub: return Value(x - y);
      case Fn::kMul: return Value(x * y);
      case Fn::kDiv: return Value(x / y);
      default: break;
    }
  }
  return NoOverload(fn, {a, b});
}

StatusOr<Value> Add(const Value& a, const Value& b, EvalContext& ctx) {
  if (a.IsString() && b.IsString()) {
    MINIK_RETURN_IF_ERROR(ChargeSize(ctx, a.AsString().size() + b.AsString().size()));
    return Value(a.AsString() + b.AsString());
  }
  if (a.IsBytes() && b.IsBytes()) {
    MINIK_RETURN_IF_ERROR(ChargeSize(ctx, a.AsBytes().size() + b.AsBytes().size()));
    return Value(Bytes{a.AsBytes() + b.AsBytes()});
  }
  if (a.IsList() && b.IsList()) {
    size_t na = ListSize(a), nb = ListSize(b);
    MINIK_RETURN_IF_ERROR(ChargeSize(ctx, na + nb));
    auto out = std::make_shared<ValueList>();
    out->reserve(na + nb);
    for (size_t i = 0; i < na; ++i) out->push_back(ListAt(a, i));
    for (size_t i = 0; i < nb; ++i) out->push_back(ListAt(b, i));
    return Value(std::shared_ptr<const ValueList>(std::move(out)));
  }
  return Arith(Fn::kAdd, a, b);
}

StatusOr<Value> Relation(Fn fn, const Value& a, const Value& b) {
  Order o = Compare(a, b);
  if (o == Order::kIncomparable) return NoOverload(fn, {a, b});
  switch (fn) {
    case Fn::kLt: return Value(o == Order::kLess);
    case Fn::kLe: return Value(o == Order::kLess || o == Order::kEqual);
    case Fn::kGt: return Value(o == Order::kGreater);
    default: return Value(o == Order::kGreater || o == Order::kEqual);
  }
}

// Go's %g for float64 (shortest digits; exponent form below 1e-4 and from 1e+06), which is how
// cel-go prints a double.
std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::atoi(sci.c_str() + e + 1);
  bool neg = !mant.empty() && mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + eb;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  size_t int_len = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0');
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

StatusOr<Value> Convert(Fn fn, const Value& v) {
  switch (fn) {
    case Fn::kInt:
      if (v.IsInt()) return v;
      if (v.IsUint()) {
        if (v.AsUint() > static_cast<uint64_t>(INT64_MAX)) return IntOverflow();
        return Value(static_cast<int64_t>(v.AsUint()));
      }
      if (v.IsDouble()) {
        double d = v.AsDouble();
        // The open range (-2^63-1, 2^63): every double in it truncates to an int64.
        if (!(d > -9223372036854775809.0 && d < 9223372036854775808.0)) return IntOverflow();
        return Value(static_cast<int64_t>(d));
      }
      if (v.IsString()) {
        const std::string& s = v.AsString();
        int64_t out = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) {
          return EvalError("cannot convert string '" + s + "' to int");
        }
        return Value(out);
      }
      break;
    case Fn::kUint:
      if (v.IsUint()) return v;
      if (v.IsInt()) {
        if (v.AsInt() < 0) return UintOverflow();
        return Value(static_cast<uint64_t>(v.AsInt()));
      }
      if (v.IsDouble()) {
        double d = v.AsDouble();
        if (!(d > -1.0 && d < 18446744073709551616.0)) return UintOverflow();
        return Value(static_cast<uint64_t>(d));
      }
      if (v.IsString()) {
        const std::string& s = v.AsString();
        uint64_t out = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) {
          return EvalError("cannot convert string '" + s + "' to uint");
        }
        return Value(out);
      }
      break;
    case Fn::kDouble:
      if (v.IsDouble()) return v;
      if (v.IsInt()) return Value(static_cast<double>(v.AsInt()));
      if (v.IsUint()) return Value(static_cast<double>(v.AsUint()));
      if (v.IsString()) {
        const std::string& s = v.AsString();
        double out = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) {
          return EvalError("cannot convert string '" + s + "' to double");
        }
        return Value(out);
      }
      break;
    case Fn::kString:
      if (v.IsString()) return v;
      if (v.IsInt()) return Value(std::to_string(v.AsInt()));
      if (v.IsUint()) return Value(std::to_string(v.AsUint()));
      if (v.IsDouble()) return Value(FormatDouble(v.AsDouble()));
      if (v.IsBool()) return Value(std::string(v.AsBool() ? "true" : "false"));
      if (v.IsBytes()) return Value(v.AsBytes());
      if (v.IsType()) return Value(std::get<TypeValue>(v.v).name);
      break;
    case Fn::kBytes:
      if (v.IsBytes()) return v;
      if (v.IsString()) return Value(Bytes{v.AsString()});
      break;
    case Fn::kBool:
      if (v.IsBool()) return v;
      if (v.IsString()) {
        const std::string& s = v.AsString();
        if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "1") return Value(true);
        if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "0") {
          return Value(false);
        }
        return EvalError("type conversion error from 'string' to 'bool'");
      }
      break;
    case Fn::kDyn:
      return v;
    case Fn::kType:
      return Value(TypeValue{TypeName(v)});
    default:
      break;
  }
  return NoOverload(fn, {v});
}

}  // namespace

Status NoOverload(Fn fn, const std::vector<Value>& args) {
  std::string types;
  for (const Value& a : args) {
    if (!types.empty()) types += ", ";
    types += TypeName(a);
  }
  return EvalError(std::string("found no matching overload for '") + FnName(fn) +
                   "' applied to '(" + types + ")'");
}

StatusOr<Value> CallFunction(Fn fn, const std::vector<Value>& args, EvalContext& ctx) {
  switch (fn) {
    case Fn::kNot:
      if (args[0].IsBool()) return Value(!args[0].AsBool());
      break;
    case Fn::kNeg:
      if (args[0].IsInt()) {
        if (args[0].AsInt() == INT64_MIN) return IntOverflow();
        return Value(-args[0].AsInt());
      }
      if (args[0].IsDouble()) return Value(-args[0].AsDouble());
      break;
    case Fn::kEq:
      return Value(Equal(args[0], args[1]));
    case Fn::kNe:
      return Value(!Equal(args[0], args[1]));
    case Fn::kLt:
    case Fn::kLe:
    case Fn::kGt:
    case Fn::kGe:
      return Relation(fn, args[0], args[1]);
    case Fn::kIn:
      if (args[1].IsList()) {
        const size_t n = ListSize(args[1]);
        MINIK_RETURN_IF_ERROR(ChargeSize(ctx, n));
        for (size_t i = 0; i < n; ++i) {
          if (Equal(args[0], ListAt(args[1], i))) return Value(true);
        }
        return Value(false);
      }
      if (args[1].IsMap()) return Value(MapGet(args[1], args[0]).has_value());
      break;
    case Fn::kAdd:
      return Add(args[0], args[1], ctx);
    case Fn::kSub:
    case Fn::kMul:
    case Fn::kDiv:
    case Fn::kMod:
      return Arith(fn, args[0], args[1]);
    case Fn::kSize:
      if (args.size() != 1) break;
      if (args[0].IsString()) return Value(static_cast<int64_t>(CodePointCount(args[0].AsString())));
      if (args[0].IsBytes()) return Value(static_cast<int64_t>(args[0].AsBytes().size()));
      if (args[0].IsList()) return Value(static_cast<int64_t>(ListSize(args[0])));
      if (args[0].IsMap()) return Value(static_cast<int64_t>(MapSize(args[0])));
      break;
    case Fn::kJoin:
      return Join(args, ctx);
    case Fn::kInt:
    case Fn::kUint:
    case Fn::kDouble:
    case Fn::kString:
    case Fn::kBytes:
    case Fn::kBool:
    case Fn::kDyn:
    case Fn::kType:
      if (args.size() == 1) return Convert(fn, args[0]);
      break;
    default:
      if (!args.empty() && args[0].IsString()) return StringFunction(fn, args, ctx);
      break;
  }
  return NoOverload(fn, args);
}

const char* FnName(Fn fn) {
  switch (fn) {
    case Fn::kAnd: return "_&&_";
    case Fn::kOr: return "_||_";
    case Fn::kNot: return "!_";
    case Fn::kNeg: return "-_";
    case Fn::kCond: return "_?_:_";
    case Fn::kEq: return "_==_";
    case Fn::kNe: return "_!=_";
    case Fn::kLt: return "_<_";
    case Fn::kLe: return "_<=_";
    case Fn::kGt: return "_>_";
    case Fn::kGe: return "_>=_";
    case Fn::kIn: return "@in";
    case Fn::kAdd: return "_+_";
    case Fn::kSub: return "_-_";
    case Fn::kMul: return "_*_";
    case Fn::kDiv: return "_/_";
    case Fn::kMod: return "_%_";
    case Fn::kSize: return "size";
    case Fn::kContains: return "contains";
    case Fn::kStartsWith: return "startsWith";
    case Fn::kEndsWith: return "endsWith";
    case Fn::kMatches: return "matches";
    case Fn::kLowerAscii: return "lowerAscii";
    case Fn::kUpperAscii: return "upperAscii";
    case Fn::kTrim: return "trim";
    case Fn::kSplit: return "split";
    case Fn::kJoin: return "join";
    case Fn::kIndexOf: return "indexOf";
    case Fn::kLastIndexOf: return "lastIndexOf";
    case Fn::kReplace: return "replace";
    case Fn::kSubstring: return "substring";
    case Fn::kCharAt: return "charAt";
    case Fn::kInt: return "int";
    case Fn::kUint: return "uint";
    case Fn::kDouble: return "double";
    case Fn::kString: return "string";
    case Fn::kBytes: return "bytes";
    case Fn::kBool: return "bool";
    case Fn::kDyn: return "dyn";
    case Fn::kType: return "type";
  }
  return "?";
}

}  // namespace minik::cel
