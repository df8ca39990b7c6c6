// The string functions: contains, startsWith, endsWith, matches, and the extensions Kubernetes
// enables (cel-go ext.Strings: lowerAscii, upperAscii, trim, split, join, indexOf, lastIndexOf,
// replace, substring, charAt). Strings are sequences of code points: indices count code
// points, not bytes.
#include <algorithm>
#include <string>
#include <vector>

#include "cel/eval.h"

namespace minik::cel {
namespace {

bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// Position of `needle` in `hay` (code points) at or after `from`; -1 when absent.
int64_t Find(const std::vector<char32_t>& hay, const std::vector<char32_t>& needle, size_t from) {
  if (needle.size() > hay.size()) return -1;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (std::equal(needle.begin(), needle.end(), hay.begin() + static_cast<ptrdiff_t>(i))) {
      return static_cast<int64_t>(i);
    }
  }
  return -1;
}

StatusOr<Value> Matches(const Value& s, const Value& pattern, EvalContext& ctx) {
  std::shared_ptr<const std::regex> re;
  auto it = ctx.regexes ? ctx.regexes->find(pattern.AsString()) : RegexCache::const_iterator();
  if (ctx.regexes && it != ctx.regexes->end()) {
    re = it->second;
  } else {
    MINIK_RETURN_IF_ERROR(ChargeSize(ctx, pattern.AsString().size() * 10));
    StatusOr<std::shared_ptr<const std::regex>> compiled = CompileRegex(pattern.AsString());
    if (!compiled.ok()) return compiled.status();
    re = *compiled;
  }
  MINIK_RETURN_IF_ERROR(
      Charge(ctx, static_cast<int64_t>(s.AsString().size() * pattern.AsString().size() / 10)));
  try {
    return Value(RegexFind(*re, s.AsString()));
  } catch (const std::regex_error& e) {
    return EvalError(std::string("matches: ") + e.what());
  }
}

}  // namespace

StatusOr<Value> StringFunction(Fn fn, const std::vector<Value>& args, EvalContext& ctx) {
  const std::string& s = args[0].AsString();
  MINIK_RETURN_IF_ERROR(ChargeSize(ctx, s.size()));
  auto is_string = [&](size_t i) { return i < args.size() && args[i].IsString(); };
  auto is_int = [&](size_t i) { return i < args.size() && args[i].IsInt(); };
  switch (fn) {
    case Fn::kContains:
      if (args.size() == 2 && is_string(1)) {
        return Value(s.find(args[1].AsString()) != std::string::npos);
      }
      break;
    case Fn::kStartsWith:
      if (args.size() == 2 && is_string(1)) return Value(s.starts_with(args[1].AsString()));
      break;
    case Fn::kEndsWith:
      if (args.size() == 2 && is_string(1)) return Value(s.ends_with(args[1].AsString()));
      break;
    case Fn::kMatches:
      if (args.size() == 2 && is_string(1)) return Matches(args[0], args[1], ctx);
      break;
    case Fn::kLowerAscii:
    case Fn::kUpperAscii:
      if (args.size() == 1) {
        std::string out = s;
        for (char& c : out) {
          if (fn == Fn::kLowerAscii && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (fn == Fn::kUpperAscii && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        return Value(std::move(out));
      }
      break;
    case Fn::kTrim:
      if (args.size() == 1) {
        std::vector<char32_t> cps = DecodeUtf8(s);
        size_t b = 0, e = cps.size();
        while (b < e && IsUnicodeSpace(cps[b])) ++b;
        while (e > b && IsUnicodeSpace(cps[e - 1])) --e;
        return Value(EncodeUtf8(cps, b, e));
      }
      break;
    case Fn::kSplit:
      if ((args.size() == 2 && is_string(1)) || (args.size() == 3 && is_string(1) && is_int(2))) {
        const std::string& sep = args[1].AsString();
        int64_t limit = args.size() == 3 ? args[2].AsInt() : -1;
        auto out = std::make_shared<ValueList>();
        if (limit == 0) return Value(std::shared_ptr<const ValueList>(std::move(out)));
        if (sep.empty()) {
          // Go's strings.SplitN with an empty separator: one element per code point.
          std::vector<char32_t> cps = DecodeUtf8(s);
          for (size_t i = 0; i < cps.size(); ++i) {
            if (limit > 0 && static_cast<int64_t>(out->size()) == limit - 1) {
              out->push_back(Value(EncodeUtf8(cps, i, cps.size())));
              break;
            }
            out->push_back(Value(EncodeUtf8(cps, i, i + 1)));
          }
        } else {
          size_t start = 0;
          while (true) {
            size_t at = s.find(sep, start);
            if (at == std::string::npos ||
                (limit > 0 && static_cast<int64_t>(out->size()) == limit - 1)) {
              out->push_back(Value(s.substr(start)));
              break;
            }
            out->push_back(Value(s.substr(start, at - start)));
            start = at + sep.size();
          }
        }
        MINIK_RETURN_IF_ERROR(ChargeSize(ctx, out->size()));
        return Value(std::shared_ptr<const ValueList>(std::move(out)));
      }
      break;
    case Fn::kIndexOf:
    case Fn::kLastIndexOf:
      if ((args.size() == 2 && is_string(1)) || (args.size() == 3 && is_string(1) && is_int(2))) {
        std::vector<char32_t> hay = DecodeUtf8(s);
        std::vector<char32_t> needle = DecodeUtf8(args[1].AsString());
        const int64_t n = static_cast<int64_t>(hay.size());
        if (fn == Fn::kIndexOf) {
          int64_t from = args.size() == 3 ? args[2].AsInt() : 0;
          if (from < 0 || from > n) return EvalError("index out of range: " + std::to_string(from));
          return Value(Find(hay, needle, static_cast<size_t>(from)));
        }
        int64_t from = args.size() == 3 ? args[2].AsInt() : n;
        if (from < 0 || from > n) return EvalError("index out of range: " + std::to_string(from));
        const int64_t m = static_cast<int64_t>(needle.size());
        for (int64_t i = std::min(from, n - m); i >= 0; --i) {
          if (std::equal(needle.begin(), needle.end(), hay.begin() + i)) return Value(i);
        }
        return Value(int64_t{-1});
      }
      break;
    case Fn::kReplace:
      if ((args.size() == 3 && is_string(1) && is_string(2)) ||
          (args.size() == 4 && is_string(1) && is_string(2) && is_int(3))) {
        const std::string& from = args[1].AsString();
        const std::string& to = args[2].AsString();
        int64_t limit = args.size() == 4 ? args[3].AsInt() : -1;
        std::string out;
        size_t start = 0;
        int64_t done = 0;
        while (limit < 0 || done < limit) {
          size_t at = s.find(from, start);
          if (at == std::string::npos) break;
          out.append(s, start, at - start);
          out += to;
          ++done;
          MINIK_RETURN_IF_ERROR(ChargeSize(ctx, to.size()));
          if (from.empty()) {
            // An empty pattern matches before every code point and at the end.
            if (at >= s.size()) {
              start = s.size() + 1;
              break;
            }
            size_t len = 1;
            while (at + len < s.size() && (static_cast<unsigned char>(s[at + len]) & 0xC0) == 0x80) {
              ++len;
            }
            out.append(s, at, len);
            start = at + len;
          } else {
            start = at + from.size();
          }
        }
        if (start <= s.size()) out.append(s, start, std::string::npos);
        return Value(std::move(out));
      }
      break;
    case Fn::kSubstring:
      if ((args.size() == 2 && is_int(1)) || (args.size() == 3 && is_int(1) && is_int(2))) {
        std::vector<char32_t> cps = DecodeUtf8(s);
        const int64_t n = static_cast<int64_t>(cps.size());
        int64_t b = args[1].AsInt();
        int64_t e = args.size() == 3 ? args[2].AsInt() : n;
        if (b < 0 || b > n) return EvalError("index out of range: " + std::to_string(b));
        if (e < 0 || e > n) return EvalError("index out of range: " + std::to_string(e));
        if (b > e) {
          return EvalError("invalid substring range. start: " + std::to_string(b) +
                           ", end: " + std::to_string(e));
        }
        return Value(EncodeUtf8(cps, static_cast<size_t>(b), static_cast<size_t>(e)));
      }
      break;
    case Fn::kCharAt:
      if (args.size() == 2 && is_int(1)) {
        std::vector<char32_t> cps = DecodeUtf8(s);
        int64_t i = args[1].AsInt();
        if (i < 0 || i > static_cast<int64_t>(cps.size())) {
          return EvalError("index out of range: " + std::to_string(i));
        }
        return Value(EncodeUtf8(cps, static_cast<size_t>(i), static_cast<size_t>(i) + 1));
      }
      break;
    default:
      break;
  }
  return NoOverload(fn, args);
}

StatusOr<Value> Join(const std::vector<Value>& args, EvalContext& ctx) {
  if (!args[0].IsList() || args.size() > 2 || (args.size() == 2 && !args[1].IsString())) {
    return NoOverload(Fn::kJoin, args);
  }
  const std::string sep = args.size() == 2 ? args[1].AsString() : "";
  std::string out;
  const size_t n = ListSize(args[0]);
  for (size_t i = 0; i < n; ++i) {
    Value item = ListAt(args[0], i);
    if (!item.IsString()) return NoOverload(Fn::kJoin, args);
    if (i > 0) out += sep;
    out += item.AsString();
  }
  MINIK_RETURN_IF_ERROR(ChargeSize(ctx, out.size()));
  return Value(std::move(out));
}

}  // namespace minik::cel
