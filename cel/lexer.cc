#include "cel/lexer.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace minik::cel {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Words the grammar reserves: usable neither as identifiers nor as fields.
bool IsReserved(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "as",     "break",   "const",   "continue", "else", "for",  "function", "if",
      "import", "let",     "loop",    "package",  "namespace", "return", "var", "void",
      "while"};
  for (std::string_view r : kWords) {
    if (w == r) return true;
  }
  return false;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  StatusOr<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      if (i_ >= src_.size()) break;
      Token t;
      t.pos = i_;
      Status st = Next(t);
      if (!st.ok()) return st;
      t.text = std::string(src_.substr(t.pos, i_ - t.pos));
      out.push_back(std::move(t));
    }
    Token eof;
    eof.pos = src_.size();
    eof.text = "<EOF>";
    out.push_back(std::move(eof));
    return out;
  }

 private:
  void SkipSpace() {
    while (i_ < src_.size()) {
      char c = src_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++i_;
      } else if (c == '/' && i_ + 1 < src_.size() && src_[i_ + 1] == '/') {
        while (i_ < src_.size() && src_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  Status Error(size_t pos, const std::string& msg) {
    return CompileError(src_, pos, "Syntax error: " + msg);
  }

  Status Next(Token& t) {
    char c = src_[i_];
    char n = i_ + 1 < src_.size() ? src_[i_ + 1] : '\0';
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(n)))) {
      return Number(t);
    }
    if (c == '"' || c == '\'') return String(t, false, false);
    if (IsIdentStart(c)) {
      // String prefixes: r, b, rb, br (either case) directly followed by a quote.
      size_t j = i_;
      bool raw = false, bytes = false;
      while (j < src_.size() && j - i_ < 2) {
        char p = static_cast<char>(std::tolower(static_cast<unsigned char>(src_[j])));
        if (p == 'r' && !raw) {
          raw = true;
        } else if (p == 'b' && !bytes) {
          bytes = true;
        } else {
          break;
        }
        ++j;
        if (j < src_.size() && (src_[j] == '"' || src_[j] == '\'')) {
          i_ = j;
          return String(t, raw, bytes);
        }
      }
      size_t start = i_;
      while (i_ < src_.size() && IsIdentChar(src_[i_])) ++i_;
      std::string_view w = src_.substr(start, i_ - start);
      if (w == "true") {
        t.kind = Tok::kTrue;
      } else if (w == "false") {
        t.kind = Tok::kFalse;
      } else if (w == "null") {
        t.kind = Tok::kNull;
      } else if (w == "in") {
        t.kind = Tok::kIn;
      } else if (IsReserved(w)) {
        return Error(start, "reserved identifier: " + std::string(w));
      } else {
        t.kind = Tok::kIdent;
      }
      return Status::Ok();
    }
    auto two = [&](char second, Tok both, Tok one) {
      if (n == second) {
        i_ += 2;
        t.kind = both;
      } else {
        ++i_;
        t.kind = one;
      }
    };
    switch (c) {
      case '=':
        if (n != '=') break;
        i_ += 2;
        t.kind = Tok::kEq;
        return Status::Ok();
      case '!': two('=', Tok::kNe, Tok::kNot); return Status::Ok();
      case '<': two('=', Tok::kLe, Tok::kLt); return Status::Ok();
      case '>': two('=', Tok::kGe, Tok::kGt); return Status::Ok();
      case '&':
        if (n != '&') break;
        i_ += 2;
        t.kind = Tok::kAnd;
        return Status::Ok();
      case '|':
        if (n != '|') break;
        i_ += 2;
        t.kind = Tok::kOr;
        return Status::Ok();
      case '-': ++i_; t.kind = Tok::kMinus; return Status::Ok();
      case '+': ++i_; t.kind = Tok::kPlus; return Status::Ok();
      case '*': ++i_; t.kind = Tok::kStar; return Status::Ok();
      case '/': ++i_; t.kind = Tok::kSlash; return Status::Ok();
      case '%': ++i_; t.kind = Tok::kPercent; return Status::Ok();
      case '?': ++i_; t.kind = Tok::kQuestion; return Status::Ok();
      case ':': ++i_; t.kind = Tok::kColon; return Status::Ok();
      case '.': ++i_; t.kind = Tok::kDot; return Status::Ok();
      case ',': ++i_; t.kind = Tok::kComma; return Status::Ok();
      case '(': ++i_; t.kind = Tok::kLParen; return Status::Ok();
      case ')': ++i_; t.kind = Tok::kRParen; return Status::Ok();
      case '[': ++i_; t.kind = Tok::kLBracket; return Status::Ok();
      case ']': ++i_; t.kind = Tok::kRBracket; return Status::Ok();
      case '{': ++i_; t.kind = Tok::kLBrace; return Status::Ok();
      case '}': ++i_; t.kind = Tok::kRBrace; return Status::Ok();
      default:
        break;
    }
    // ANTLR's wording for a character no token starts with.
    std::string bad(1, c);
    return Error(i_, "token recognition error at: '" + bad + "'");
  }

  Status Number(Token& t) {
    size_t start = i_;
    if (src_[i_] == '0' && i_ + 1 < src_.size() && (src_[i_ + 1] == 'x' || src_[i_ + 1] == 'X')) {
      i_ += 2;
      size_t digits = i_;
      while (i_ < src_.size() && HexValue(src_[i_]) >= 0) ++i_;
      if (i_ == digits) return Error(start, "invalid int literal");
      return IntLiteral(t, std::string(src_.substr(digits, i_ - digits)), 16);
    }
    while (i_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i_]))) ++i_;
    bool is_double = false;
    if (i_ + 1 < src_.size() && src_[i_] == '.' &&
        std::isdigit(static_cast<unsigned char>(src_[i_ + 1]))) {
      is_double = true;
      ++i_;
      while (i_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i_]))) ++i_;
    }
    if (i_ < src_.size() && (src_[i_] == 'e' || src_[i_] == 'E')) {
      size_t j = i_ + 1;
      if (j < src_.size() && (src_[j] == '+' || src_[j] == '-')) ++j;
      if (j < src_.size() && std::isdigit(static_cast<unsigned char>(src_[j]))) {
        is_double = true;
        i_ = j;
        while (i_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i_]))) ++i_;
      }
    }
    std::string text(src_.substr(start, i_ - start));
    if (is_double) {
      t.kind = Tok::kDouble;
      t.value = Value(std::strtod(text.c_str(), nullptr));
      return Status::Ok();
    }
    return IntLiteral(t, text, 10);
  }

  Status IntLiteral(Token& t, const std::string& digits, int base) {
    bool is_uint = i_ < src_.size() && (src_[i_] == 'u' || src_[i_] == 'U');
    if (is_uint) ++i_;
    errno = 0;
    unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
    bool overflow = errno == ERANGE;
    if (is_uint) {
      if (overflow) return Error(t.pos, "invalid uint literal");
      t.kind = Tok::kUint;
      t.value = Value(static_cast<uint64_t>(v));
      return Status::Ok();
    }
    t.kind = Tok::kInt;
    if (overflow || v > 9223372036854775808ULL) return Error(t.pos, "invalid int literal");
    // 2^63 is representable only negated; the parser checks that.
    t.int_overflow = v == 9223372036854775808ULL;
    t.value = Value(t.int_overflow ? INT64_MIN : static_cast<int64_t>(v));
    return Status::Ok();
  }

  Status String(Token& t, bool raw, bool bytes) {
    char q = src_[i_];
    bool triple = i_ + 2 < src_.size() && src_[i_ + 1] == q && src_[i_ + 2] == q;
    i_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (i_ >= src_.size()) return Error(t.pos, "token recognition error at: '" +
                                                     std::string(src_.substr(t.pos)) + "'");
      char c = src_[i_];
      if (triple) {
        if (c == q && i_ + 2 < src_.size() + 0 && src_[i_ + 1] == q && src_[i_ + 2] == q) {
          i_ += 3;
          break;
        }
      } else if (c == q) {
        ++i_;
        break;
      } else if (c == '\n' || c == '\r') {
        return Error(t.pos, "token recognition error at: '" +
                                std::string(src_.substr(t.pos, i_ - t.pos)) + "'");
      }
      if (c == '\\' && !raw) {
        Status st = Escape(out, bytes);
        if (!st.ok()) return st;
        continue;
      }
      out += c;
      ++i_;
    }
    if (bytes) {
      t.kind = Tok::kBytes;
      t.value = Value(Bytes{std::move(out)});
    } else {
      t.kind = Tok::kString;
      t.value = Value(std::move(out));
    }
    return Status::Ok();
  }

  // At a backslash: appends the escaped character. In bytes literals \x and octal escapes are
  // bytes; in strings they are code points.
  Status Escape(std::string& out, bool bytes) {
    size_t at = i_;
    if (i_ + 1 >= src_.size()) return Error(at, "invalid escape sequence");
    char e = src_[i_ + 1];
    i_ += 2;
    switch (e) {
      case 'a': out += '\a'; return Status::Ok();
      case 'b': out += '\b'; return Status::Ok();
      case 'f': out += '\f'; return Status::Ok();
      case 'n': out += '\n'; return Status::Ok();
      case 'r': out += '\r'; return Status::Ok();
      case 't': out += '\t'; return Status::Ok();
      case 'v': out += '\v'; return Status::Ok();
      case '\\': case '\'': case '"': case '`': case '?': out += e; return Status::Ok();
      default: break;
    }
    int digits = 0, base = 16;
    if (e == 'x' || e == 'X') {
      digits = 2;
    } else if (e == 'u' && !bytes) {
      digits = 4;
    } else if (e == 'U' && !bytes) {
      digits = 8;
    } else if (e >= '0' && e <= '3') {
      digits = 2;
      base = 8;
    } else {
      return Error(at, "invalid escape sequence");
    }
    uint32_t v = base == 8 ? static_cast<uint32_t>(e - '0') : 0;
    for (int k = 0; k < digits; ++k) {
      if (i_ >= src_.size()) return Error(at, "invalid escape sequence");
      int d = HexValue(src_[i_]);
      if (d < 0 || d >= base) return Error(at, "invalid escape sequence");
      v = v * base + static_cast<uint32_t>(d);
      ++i_;
    }
    if (bytes) {
      out += static_cast<char>(v);
    } else {
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return Error(at, "invalid escape sequence");
      AppendUtf8(out, v);
    }
    return Status::Ok();
  }

  std::string_view src_;
  size_t i_ = 0;
};

}  // namespace

StatusOr<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

Status CompileError(std::string_view source, size_t pos, const std::string& message) {
  if (pos > source.size()) pos = source.size();
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < pos; ++i) {
    if (source[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t line_end = source.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = source.size();
  size_t column = CodePointCount(source.substr(line_start, pos - line_start));
  std::string text = "compilation failed: ERROR: <input>:" + std::to_string(line) + ":" +
                     std::to_string(column + 1) + ": " + message + "\n | " +
                     std::string(source.substr(line_start, line_end - line_start)) + "\n | " +
                     std::string(column, '.') + "^";
  return Status(Code::kInvalid, std::move(text));
}

}  // namespace minik::cel
