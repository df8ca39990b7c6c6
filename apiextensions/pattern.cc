// Pattern: parse to a small AST, compile to Pike-VM instructions, simulate all threads in
// lock step over the code points of the input.
#include "apiextensions/pattern.h"

#include <algorithm>

namespace minik::apiextensions_internal {
namespace {

constexpr uint32_t kMaxRune = 0x10FFFF;
constexpr int kMaxRepeat = 1000;     // Go: "invalid repeat count" beyond this
constexpr size_t kMaxProgram = 100000;  // Go: "expression too large"
constexpr int kMaxNesting = 1000;

struct Ast {
  enum Kind { kEmpty, kClass, kConcat, kAlt, kRepeat, kBegin, kEnd, kWordB, kNotWordB } kind = kEmpty;
  int cls = -1;
  int min = 0, max = -1;  // kRepeat; max -1: unbounded
  std::vector<std::unique_ptr<Ast>> kids;
};

std::vector<uint32_t> Decode(const std::string& s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);  // as Go decodes invalid UTF-8
      ++i;
      continue;
    }
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) { ok = false; break; }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

Ranges Complement(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  uint32_t next = 0;
  for (auto [lo, hi] : r) {
    if (lo > next) out.push_back({next, lo - 1});
    if (hi + 1 > next) next = hi + 1;
  }
  if (next <= kMaxRune) out.push_back({next, kMaxRune});
  return out;
}

const Ranges kDigit = {{'0', '9'}};
const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
const Ranges kSpace = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};

}  // namespace

bool Pattern::Class::Has(uint32_t c) const {
  bool in = false;
  for (auto [lo, hi] : ranges) {
    if (c >= lo && c <= hi) { in = true; break; }
  }
  return in != negated;
}

struct PatternCompiler {
  explicit PatternCompiler(const std::vector<uint32_t>& pattern) : p(pattern) {}
  const std::vector<uint32_t>& p;
  size_t i = 0;
  int depth = 0;
  bool icase = false;   // (?i)
  bool dotall = false;  // (?s)
  std::string error;
  std::vector<Pattern::Class> classes;

  bool Fail(const std::string& what, const std::string& frag) {
    if (error.empty()) error = "error parsing regexp: " + what + ": `" + frag + "`";
    return false;
  }
  bool More() const { return i < p.size(); }
  int AddClass(Ranges r, bool negated) {
    classes.push_back({std::move(r), negated});
    return static_cast<int>(classes.size()) - 1;
  }
  std::unique_ptr<Ast> ClassNode(Ranges r, bool negated) {
    if (icase) {
      // ASCII simple case folding (Go folds all of Unicode).
      Ranges folded = r;
      for (auto [lo, hi] : r) {
        for (uint32_t c = std::max<uint32_t>(lo, 'A'); c <= std::min<uint32_t>(hi, 'Z'); ++c) {
          folded.push_back({c + 32, c + 32});
        }
        for (uint32_t c = std::max<uint32_t>(lo, 'a'); c <= std::min<uint32_t>(hi, 'z'); ++c) {
          folded.push_back({c - 32, c - 32});
        }
      }
      r = std::move(folded);
    }
    auto a = std::make_unique<Ast>();
    a->kind = Ast::kClass;
    a->cls = AddClass(std::move(r), negated);
    return a;
  }

  // An escape after '\' (i at the escaped char): fills `r` (a class) or returns false.
  // `anchor` receives kBegin/kEnd for \A and \z.
  bool Escape(Ranges& r, Ast::Kind* anchor) {
    if (!More()) return Fail("trailing backslash at end of expression", "");
    uint32_t c = p[i++];
    switch (c) {
      case 'd': r = kDigit; return true;
      case 'D': r = Complement(kDigit); return true;
      case 'w': r = kWord; return true;
      case 'W': r = Complement(kWord); return true;
      case 's': r = kSpace; return true;
      case 'S': r = Complement(kSpace); return true;
      case 'n': r = {{'\n', '\n'}}; return true;
      case 't': r = {{'\t', '\t'}}; return true;
      case 'r': r = {{'\r', '\r'}}; return true;
      case 'f': r = {{'\f', '\f'}}; return true;
      case 'v': r = {{'\v', '\v'}}; return true;
      case 'a': r = {{7, 7}}; return true;
      case 'A':
      case 'z':
        if (!anchor) return Fail("invalid escape sequence", std::string("\\") + char(c));
        *anchor = c == 'A' ? Ast::kBegin : Ast::kEnd;
        return true;
      case 'x': {
        uint32_t v = 0;
        int n = 0;
        auto hex = [](uint32_t h) -> int {
          if (h >= '0' && h <= '9') return h - '0';
          if (h >= 'a' && h <= 'f') return h - 'a' + 10;
          if (h >= 'A' && h <= 'F') return h - 'A' + 10;
          return -1;
        };
        if (More() && p[i] == '{') {
          ++i;
          while (More() && p[i] != '}' && hex(p[i]) >= 0 && n < 8) v = v * 16 + hex(p[i++]), ++n;
          if (!More() || p[i] != '}' || n == 0 || v > kMaxRune) return Fail("invalid escape sequence", "\\x");
          ++i;
        } else {
          for (; n < 2 && More() && hex(p[i]) >= 0; ++n) v = v * 16 + hex(p[i++]);
          if (n != 2) return Fail("invalid escape sequence", "\\x");
        }
        r = {{v, v}};
        return true;
      }
      default:
        if (c < 0x80 && !std::isalnum(static_cast<int>(c))) {
          r = {{c, c}};
          return true;
        }
        return Fail("invalid escape sequence", std::string("\\") + char(c < 0x80 ? c : '?'));
    }
  }

  std::unique_ptr<Ast> BracketClass() {
    // i is after '['.
    size_t start = i - 1;
    bool negated = false;
    if (More() && p[i] == '^') negated = true, ++i;
    Ranges r;
    bool first = true;
    while (true) {
      if (!More()) {
        Fail("missing closing ]", "[");
        return nullptr;
      }
      uint32_t c = p[i];
      if (c == ']' && !first) {
        ++i;
        break;
      }
      first = false;
      if (c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
        static const std::vector<std::pair<std::string, Ranges>> kPosix = {
            {"alpha", {{'A', 'Z'}, {'a', 'z'}}}, {"digit", kDigit},
            {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}}, {"upper", {{'A', 'Z'}}},
            {"lower", {{'a', 'z'}}}, {"space", {{'\t', '\r'}, {' ', ' '}}},
            {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}}, {"word", kWord},
            {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}}};
        bool matched = false;
        for (const auto& [name, ranges] : kPosix) {
          std::string want = "[:" + name + ":]";
          if (i + want.size() <= p.size() &&
              std::equal(want.begin(), want.end(), p.begin() + i,
                         [](char a, uint32_t b) { return static_cast<uint32_t>(a) == b; })) {
            r.insert(r.end(), ranges.begin(), ranges.end());
            i += want.size();
            matched = true;
            break;
          }
        }
        if (matched) continue;
      }
      Ranges item;
      ++i;
      if (c == '\\') {
        if (!Escape(item, nullptr)) return nullptr;
      } else {
        item = {{c, c}};
      }
      if (item.size() == 1 && item[0].first == item[0].second && i + 1 < p.size() &&
          p[i] == '-' && p[i + 1] != ']') {
        ++i;
        uint32_t hi = p[i++];
        if (hi == '\\') {
          Ranges h;
          if (!Escape(h, nullptr)) return nullptr;
          if (h.size() != 1 || h[0].first != h[0].second) {
            Fail("invalid character class range", "-");
            return nullptr;
          }
          hi = h[0].first;
        }
        if (hi < item[0].first) {
          Fail("invalid character class range", std::string(1, char(item[0].first & 0x7F)) + "-");
          return nullptr;
        }
        item[0].second = hi;
      }
      r.insert(r.end(), item.begin(), item.end());
    }
    (void)start;
    return ClassNode(std::move(r), negated);
  }

  std::unique_ptr<Ast> Atom() {
    uint32_t c = p[i++];
    if (c == '(') {
      if (++depth > kMaxNesting) {
        Fail("expression nests too deeply", "(");
        return nullptr;
      }
      const bool saved_icase = icase, saved_dotall = dotall;
      if (More() && p[i] == '?') {
        // (?: ), (?P<name> ), (?<name> ), flags (?is-is) and (?is-is: ); lookaround and the
        // m and U flags are refused.
        size_t j = i + 1;
        bool negate = false, any_flag = false, new_icase = icase, new_dotall = dotall;
        while (j < p.size() && (p[j] == 'i' || p[j] == 's' || (p[j] == '-' && !negate))) {
          if (p[j] == '-') negate = true;
          else if (p[j] == 'i') new_icase = !negate, any_flag = true;
          else new_dotall = !negate, any_flag = true;
          ++j;
        }
        if (any_flag && j < p.size() && p[j] == ')') {
          // (?i): applies to the rest of the enclosing group.
          icase = new_icase;
          dotall = new_dotall;
          i = j + 1;
          --depth;
          return std::make_unique<Ast>();
        }
        if (any_flag && j < p.size() && p[j] == ':') {
          icase = new_icase;
          dotall = new_dotall;
          i = j + 1;
        } else if (i + 1 < p.size() && p[i + 1] == ':') {
          i += 2;
        } else if ((i + 2 < p.size() && p[i + 1] == 'P' && p[i + 2] == '<') ||
                   (i + 1 < p.size() && p[i + 1] == '<' && i + 2 < p.size() && p[i + 2] != '=' &&
                    p[i + 2] != '!')) {
          while (More() && p[i] != '>') ++i;
          if (!More()) {
            Fail("invalid named capture", "(?P<");
            return nullptr;
          }
          ++i;
        } else {
          Fail("invalid or unsupported Perl syntax", "(?");
          return nullptr;
        }
      }
      auto inner = Alternation();
      if (!inner) return nullptr;
      if (!More() || p[i] != ')') {
        Fail("missing closing )", "(");
        return nullptr;
      }
      ++i;
      --depth;
      icase = saved_icase;
      dotall = saved_dotall;
      return inner;
    }
    if (c == '[') return BracketClass();
    if (c == '.') return dotall ? ClassNode({}, true) : ClassNode({{'\n', '\n'}}, true);
    if (c == '^' || c == '$') {
      auto a = std::make_unique<Ast>();
      a->kind = c == '^' ? Ast::kBegin : Ast::kEnd;
      return a;
    }
    if (c == '\\') {
      if (More() && (p[i] == 'b' || p[i] == 'B')) {
        auto a = std::make_unique<Ast>();
        a->kind = p[i++] == 'b' ? Ast::kWordB : Ast::kNotWordB;
        return a;
      }
      if (More() && (p[i] == 'p' || p[i] == 'P' || p[i] == 'Q' ||
                     p[i] == 'C')) {
        Fail("unsupported escape sequence", std::string("\\") + char(p[i]));
        return nullptr;
      }
      Ranges r;
      Ast::Kind anchor = Ast::kEmpty;
      if (!Escape(r, &anchor)) return nullptr;
      if (anchor != Ast::kEmpty) {
        auto a = std::make_unique<Ast>();
        a->kind = anchor;
        return a;
      }
      return ClassNode(std::move(r), false);
    }
    if (c == '*' || c == '+' || c == '?') {
      Fail("missing argument to repetition operator", std::string(1, char(c)));
      return nullptr;
    }
    return ClassNode({{c, c}}, false);
  }

  // Parses {n}, {n,}, {n,m} at i (after '{'); false (and i unchanged) when it is a literal.
  bool Braces(int& min, int& max) {
    size_t j = i;
    auto num = [&](int& out) {
      size_t k = j;
      long v = 0;
      while (j < p.size() && p[j] >= '0' && p[j] <= '9' && v <= 100000) v = v * 10 + (p[j++] - '0');
      out = static_cast<int>(v);
      return j > k;
    };
    if (!num(min)) return false;
    max = min;
    if (j < p.size() && p[j] == ',') {
      ++j;
      max = -1;
      if (j < p.size() && p[j] != '}' && !num(max)) return false;
    }
    if (j >= p.size() || p[j] != '}') return false;
    i = j + 1;
    return true;
  }

  std::unique_ptr<Ast> Concat() {
    auto cat = std::make_unique<Ast>();
    cat->kind = Ast::kConcat;
    while (More() && p[i] != '|' && p[i] != ')') {
      auto atom = Atom();
      if (!atom) return nullptr;
      while (More()) {
        int min, max;
        uint32_t q = p[i];
        if (q == '*') min = 0, max = -1, ++i;
        else if (q == '+') min = 1, max = -1, ++i;
        else if (q == '?') min = 0, max = 1, ++i;
        else if (q == '{') {
          ++i;
          if (!Braces(min, max)) { --i; break; }
          if (min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && max < min)) {
            Fail("invalid repeat count", "{");
            return nullptr;
          }
        } else {
          break;
        }
        if (More() && p[i] == '?') ++i;  // lazy: same language
        if (atom->kind == Ast::kRepeat) {
          Fail("invalid nested repetition operator", std::string(1, char(q)));
          return nullptr;
        }
        auto rep = std::make_unique<Ast>();
        rep->kind = Ast::kRepeat;
        rep->min = min;
        rep->max = max;
        rep->kids.push_back(std::move(atom));
        atom = std::move(rep);
      }
      cat->kids.push_back(std::move(atom));
    }
    return cat;
  }

  std::unique_ptr<Ast> Alternation() {
    auto alt = std::make_unique<Ast>();
    alt->kind = Ast::kAlt;
    while (true) {
      auto c = Concat();
      if (!c) return nullptr;
      alt->kids.push_back(std::move(c));
      if (More() && p[i] == '|') {
        ++i;
        continue;
      }
      break;
    }
    return alt;
  }

  std::vector<Pattern::Inst> prog;
  bool Emit(const Ast& a) {
    if (prog.size() > kMaxProgram) return Fail("expression too large", "");
    using I = Pattern::Inst;
    switch (a.kind) {
      case Ast::kEmpty: return true;
      case Ast::kClass: prog.push_back({I::kChar, 0, 0, a.cls}); return true;
      case Ast::kBegin: prog.push_back({I::kBegin}); return true;
      case Ast::kEnd: prog.push_back({I::kEnd}); return true;
      case Ast::kWordB: prog.push_back({I::kWordB}); return true;
      case Ast::kNotWordB: prog.push_back({I::kNotWordB}); return true;
      case Ast::kConcat:
        for (const auto& k : a.kids) {
          if (!Emit(*k)) return false;
        }
        return true;
      case Ast::kAlt: {
        std::vector<size_t> jumps;
        for (size_t k = 0; k < a.kids.size(); ++k) {
          size_t split = 0;
          if (k + 1 < a.kids.size()) {
            split = prog.size();
            prog.push_back({I::kSplit});
            prog[split].x = static_cast<int>(prog.size());
          }
          if (!Emit(*a.kids[k])) return false;
          if (k + 1 < a.kids.size()) {
            jumps.push_back(prog.size());
            prog.push_back({I::kJmp});
            prog[split].y = static_cast<int>(prog.size());
          }
        }
        for (size_t j : jumps) prog[j].x = static_cast<int>(prog.size());
        return true;
      }
      case Ast::kRepeat: {
        const Ast& body = *a.kids[0];
        for (int k = 0; k < a.min; ++k) {
          if (!Emit(body)) return false;
        }
        if (a.max < 0) {
          size_t split = prog.size();
          prog.push_back({I::kSplit});
          prog[split].x = static_cast<int>(prog.size());
          if (!Emit(body)) return false;
          prog.push_back({I::kJmp, static_cast<int>(split)});
          prog[split].y = static_cast<int>(prog.size());
          return true;
        }
        std::vector<size_t> splits;
        for (int k = a.min; k < a.max; ++k) {
          splits.push_back(prog.size());
          prog.push_back({I::kSplit});
          prog.back().x = static_cast<int>(prog.size());
          if (!Emit(body)) return false;
        }
        for (size_t s : splits) prog[s].y = static_cast<int>(prog.size());
        return true;
      }
    }
    return true;
  }
};

std::shared_ptr<const Pattern> Pattern::Compile(const std::string& pattern, std::string& error) {
  std::vector<uint32_t> cps = Decode(pattern);
  PatternCompiler c(cps);
  auto ast = c.Alternation();
  if (ast && c.More()) {
    c.Fail("unexpected )", pattern);
    ast.reset();
  }
  if (!ast || !c.Emit(*ast)) {
    error = c.error.empty() ? "error parsing regexp: invalid pattern" : c.error;
    return nullptr;
  }
  c.prog.push_back({Inst::kMatch});
  auto out = std::shared_ptr<Pattern>(new Pattern());
  out->prog_ = std::move(c.prog);
  out->classes_ = std::move(c.classes);
  return out;
}

bool Pattern::Search(const std::string& text) const {
  std::vector<uint32_t> in = Decode(text);
  const size_t n = prog_.size();
  std::vector<int> cur, next, stack;
  std::vector<size_t> mark(n, SIZE_MAX);  // generation stamp per pc
  size_t gen = 0;
  // Adds pc and its epsilon closure at position pos to `list`; true when Match is reached.
  auto add = [&](std::vector<int>& list, int pc0, size_t pos) {
    stack.assign(1, pc0);
    while (!stack.empty()) {
      int pc = stack.back();
      stack.pop_back();
      if (mark[pc] == gen) continue;
      mark[pc] = gen;
      const Inst& ins = prog_[pc];
      switch (ins.op) {
        case Inst::kJmp: stack.push_back(ins.x); break;
        case Inst::kSplit: stack.push_back(ins.y); stack.push_back(ins.x); break;
        case Inst::kBegin: if (pos == 0) stack.push_back(pc + 1); break;
        case Inst::kEnd: if (pos == in.size()) stack.push_back(pc + 1); break;
        case Inst::kWordB:
        case Inst::kNotWordB: {
          auto word = [&](size_t k) {
            if (k >= in.size()) return false;
            uint32_t ch = in[k];
            return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= 'a' && ch <= 'z') || ch == '_';
          };
          bool boundary = (pos > 0 && word(pos - 1)) != word(pos);
          if (boundary == (ins.op == Inst::kWordB)) stack.push_back(pc + 1);
          break;
        }
        case Inst::kMatch: return true;
        case Inst::kChar: list.push_back(pc); break;
      }
    }
    return false;
  };
  for (size_t pos = 0;; ++pos) {
    ++gen;
    // Threads carried over from the previous step come first; then a new start (unanchored).
    next.clear();
    for (int pc : cur) {
      if (add(next, pc, pos)) return true;
    }
    if (add(next, 0, pos)) return true;
    if (pos == in.size()) return false;
    cur.clear();
    for (int pc : next) {
      if (classes_[prog_[pc].cls].Has(in[pos])) cur.push_back(pc + 1);
    }
  }
}

}  // namespace minik::apiextensions_internal
