#include "cel/parser.h"

#include <algorithm>
#include <string>
#include <vector>

#include "cel/lexer.h"

namespace minik::cel {
namespace {

using ExprPtr = std::unique_ptr<Expr>;

constexpr std::string_view kPrimaryExpected =
    "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
    "STRING, BYTES, IDENTIFIER}";

struct FnEntry {
  std::string_view name;
  Fn fn;
  bool global;    // callable as f(x)
  bool receiver;  // callable as x.f()
};

constexpr FnEntry kFunctions[] = {
    {"size", Fn::kSize, true, true},
    {"contains", Fn::kContains, false, true},
    {"startsWith", Fn::kStartsWith, false, true},
    {"endsWith", Fn::kEndsWith, false, true},
    {"matches", Fn::kMatches, true, true},
    {"lowerAscii", Fn::kLowerAscii, false, true},
    {"upperAscii", Fn::kUpperAscii, false, true},
    {"trim", Fn::kTrim, false, true},
    {"split", Fn::kSplit, false, true},
    {"join", Fn::kJoin, false, true},
    {"indexOf", Fn::kIndexOf, false, true},
    {"lastIndexOf", Fn::kLastIndexOf, false, true},
    {"replace", Fn::kReplace, false, true},
    {"substring", Fn::kSubstring, false, true},
    {"charAt", Fn::kCharAt, false, true},
    {"int", Fn::kInt, true, false},
    {"uint", Fn::kUint, true, false},
    {"double", Fn::kDouble, true, false},
    {"string", Fn::kString, true, false},
    {"bytes", Fn::kBytes, true, false},
    {"bool", Fn::kBool, true, false},
    {"dyn", Fn::kDyn, true, false},
    {"type", Fn::kType, true, false},
};

bool IsTypeName(std::string_view n) {
  return n == "int" || n == "uint" || n == "double" || n == "string" || n == "bool" ||
         n == "bytes" || n == "list" || n == "map" || n == "null_type" || n == "type";
}

class Parser {
 public:
  Parser(std::string_view src, std::vector<Token> toks, std::vector<std::string> globals)
      : src_(src), toks_(std::move(toks)), globals_(std::move(globals)) {}

  StatusOr<ParseResult> Run() {
    ExprPtr e = ParseExpr();
    if (e && Peek().kind != Tok::kEof) {
      Fail(Peek().pos, "Syntax error: mismatched input '" + Peek().text + "' expecting <EOF>");
    }
    if (!error_.ok()) return error_;
    ParseResult r;
    r.root = std::move(e);
    r.uses_old_self = uses_old_self_;
    return r;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(i_ + ahead, toks_.size() - 1)];
  }
  const Token& Take() {
    const Token& t = toks_[i_];
    if (i_ + 1 < toks_.size()) ++i_;
    return t;
  }
  bool Accept(Tok k) {
    if (Peek().kind != k) return false;
    Take();
    return true;
  }
  // Records the first error; parsing stops at it.
  ExprPtr Fail(size_t pos, const std::string& msg) {
    if (error_.ok()) error_ = CompileError(src_, pos, msg);
    return nullptr;
  }
  ExprPtr Expect(std::string_view what) {
    return Fail(Peek().pos, "Syntax error: mismatched input '" + Peek().text + "' expecting " +
                                std::string(what));
  }

  ExprPtr Node(ExprKind kind, size_t pos, std::vector<ExprPtr> args = {}) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    int h = 0;
    for (const ExprPtr& a : args) h = std::max(h, a->height);
    e->height = h + 1;
    e->args = std::move(args);
    if (e->height > kMaxDepth) return Fail(pos, "max recursion depth exceeded");
    return e;
  }
  ExprPtr Call(Fn fn, size_t pos, std::vector<ExprPtr> args) {
    ExprPtr e = Node(ExprKind::kCall, pos, std::move(args));
    if (e) e->fn = fn;
    return e;
  }

  // Parser recursion is bounded as well as the tree: "((((x))))" nests calls, not nodes.
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p(p) { ++p.depth_; }
    ~DepthGuard() { --p.depth_; }
    Parser& p;
  };

  // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
  ExprPtr ParseExpr() {
    DepthGuard guard(*this);
    if (depth_ > kMaxDepth) return Fail(Peek().pos, "max recursion depth exceeded");
    ExprPtr cond = ParseLogical(Tok::kOr);
    if (!cond || Peek().kind != Tok::kQuestion) return cond;
    size_t pos = Take().pos;
    ExprPtr yes = ParseLogical(Tok::kOr);
    if (!yes) return nullptr;
    if (!Accept(Tok::kColon)) return Expect("':'");
    ExprPtr no = ParseExpr();
    if (!no) return nullptr;
    std::vector<ExprPtr> args;
    args.push_back(std::move(cond));
    args.push_back(std::move(yes));
    args.push_back(std::move(no));
    return Call(Fn::kCond, pos, std::move(args));
  }

  // ConditionalOr / ConditionalAnd: the operands are collected and joined as a balanced tree
  // (as cel-go does), so long chains of && or || stay shallow.
  ExprPtr ParseLogical(Tok op) {
    std::vector<ExprPtr> operands;
    std::vector<size_t> positions;
    ExprPtr first = op == Tok::kOr ? ParseLogical(Tok::kAnd) : ParseRelation();
    if (!first) return nullptr;
    operands.push_back(std::move(first));
    while (Peek().kind == op) {
      positions.push_back(Take().pos);
      ExprPtr next = op == Tok::kOr ? ParseLogical(Tok::kAnd) : ParseRelation();
      if (!next) return nullptr;
      operands.push_back(std::move(next));
    }
    return Balance(op == Tok::kOr ? Fn::kOr : Fn::kAnd, operands, positions, 0,
                   operands.size());
  }
  ExprPtr Balance(Fn fn, std::vector<ExprPtr>& ops, const std::vector<size_t>& pos, size_t lo,
                  size_t hi) {
    if (hi - lo == 1) return std::move(ops[lo]);
    size_t mid = (lo + hi) / 2;
    ExprPtr left = Balance(fn, ops, pos, lo, mid);
    if (!left) return nullptr;
    ExprPtr right = Balance(fn, ops, pos, mid, hi);
    if (!right) return nullptr;
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    return Call(fn, pos[mid - 1], std::move(args));
  }

  ExprPtr Binary(Fn fn, size_t pos, ExprPtr a, ExprPtr b) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    return Call(fn, pos, std::move(args));
  }

  // Relation = [Relation Relop] Addition
  ExprPtr ParseRelation() {
    ExprPtr e = ParseAddition();
    while (e) {
      Fn fn;
      switch (Peek().kind) {
        case Tok::kEq: fn = Fn::kEq; break;
        case Tok::kNe: fn = Fn::kNe; break;
        case Tok::kLt: fn = Fn::kLt; break;
        case Tok::kLe: fn = Fn::kLe; break;
        case Tok::kGt: fn = Fn::kGt; break;
        case Tok::kGe: fn = Fn::kGe; break;
        case Tok::kIn: fn = Fn::kIn; break;
        default: return e;
      }
      size_t pos = Take().pos;
      ExprPtr rhs = ParseAddition();
      if (!rhs) return nullptr;
      e = Binary(fn, pos, std::move(e), std::move(rhs));
    }
    return e;
  }

  ExprPtr ParseAddition() {
    ExprPtr e = ParseMultiplication();
    while (e && (Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus)) {
      Fn fn = Peek().kind == Tok::kPlus ? Fn::kAdd : Fn::kSub;
      size_t pos = Take().pos;
      ExprPtr rhs = ParseMultiplication();
      if (!rhs) return nullptr;
      e = Binary(fn, pos, std::move(e), std::move(rhs));
    }
    return e;
  }

  ExprPtr ParseMultiplication() {
    ExprPtr e = ParseUnary();
    while (e && (Peek().kind == Tok::kStar || Peek().kind == Tok::kSlash ||
                 Peek().kind == Tok::kPercent)) {
      Fn fn = Peek().kind == Tok::kStar ? Fn::kMul : Peek().kind == Tok::kSlash ? Fn::kDiv
                                                                                : Fn::kMod;
      size_t pos = Take().pos;
      ExprPtr rhs = ParseUnary();
      if (!rhs) return nullptr;
      e = Binary(fn, pos, std::move(e), std::move(rhs));
    }
    return e;
  }

  // Unary = Member | "!" {"!"} Member | "-" {"-"} Member
  ExprPtr ParseUnary() {
    Tok k = Peek().kind;
    if (k != Tok::kNot && k != Tok::kMinus) return ParseMember(false);
    std::vector<size_t> ops;
    while (Peek().kind == k) ops.push_back(Take().pos);
    if (ops.size() > static_cast<size_t>(kMaxDepth)) {
      return Fail(ops.front(), "max recursion depth exceeded");
    }
    // The innermost "-" of an int literal folds into it, so that -9223372036854775808 is legal.
    bool negate_literal = k == Tok::kMinus && Peek().kind == Tok::kInt;
    ExprPtr e = ParseMember(negate_literal);
    if (!e) return nullptr;
    if (negate_literal && e->kind == ExprKind::kLiteral && e->literal.IsInt()) {
      e->literal = Value(e->literal.AsInt() == INT64_MIN ? INT64_MIN : -e->literal.AsInt());
      ops.pop_back();
    }
    while (!ops.empty()) {
      std::vector<ExprPtr> args;
      args.push_back(std::move(e));
      e = Call(k == Tok::kNot ? Fn::kNot : Fn::kNeg, ops.back(), std::move(args));
      if (!e) return nullptr;
      ops.pop_back();
    }
    return e;
  }

  // Member = Primary | Member "." IDENT ["(" args ")"] | Member "[" Expr "]"
  ExprPtr ParseMember(bool negated_literal) {
    ExprPtr e = ParsePrimary(negated_literal);
    while (e) {
      if (Peek().kind == Tok::kDot) {
        Take();
        if (Peek().kind != Tok::kIdent) return Expect("IDENTIFIER");
        const Token& name = Take();
        if (Peek().kind == Tok::kLParen) {
          Take();
          e = ReceiverCall(std::move(e), name);
        } else {
          std::vector<ExprPtr> args;
          args.push_back(std::move(e));
          e = Node(ExprKind::kSelect, name.pos, std::move(args));
          if (e) e->name = name.text;
        }
      } else if (Peek().kind == Tok::kLBracket) {
        size_t pos = Take().pos;
        ExprPtr index = ParseExpr();
        if (!index) return nullptr;
        if (!Accept(Tok::kRBracket)) return Expect("']'");
        std::vector<ExprPtr> args;
        args.push_back(std::move(e));
        args.push_back(std::move(index));
        e = Node(ExprKind::kIndex, pos, std::move(args));
      } else {
        break;
      }
    }
    return e;
  }

  // After "(": the arguments up to ")".
  bool ParseArgs(std::vector<ExprPtr>& args) {
    if (Accept(Tok::kRParen)) return true;
    while (true) {
      ExprPtr a = ParseExpr();
      if (!a) return false;
      args.push_back(std::move(a));
      if (Accept(Tok::kRParen)) return true;
      if (!Accept(Tok::kComma)) {
        Expect("{')', ','}");
        return false;
      }
    }
  }

  ExprPtr Undeclared(size_t pos, const std::string& name) {
    return Fail(pos, "undeclared reference to '" + name + "' (in container '')");
  }

  ExprPtr ReceiverCall(ExprPtr target, const Token& name) {
    const std::string& n = name.text;
    MacroKind macro;
    bool is_macro = true;
    if (n == "all") macro = MacroKind::kAll;
    else if (n == "exists") macro = MacroKind::kExists;
    else if (n == "exists_one") macro = MacroKind::kExistsOne;
    else if (n == "map") macro = MacroKind::kMap;
    else if (n == "filter") macro = MacroKind::kFilter;
    else is_macro = false;
    if (is_macro) return Macro(std::move(target), name, macro);
    std::vector<ExprPtr> args;
    args.push_back(std::move(target));
    if (!ParseArgs(args)) return nullptr;
    for (const FnEntry& f : kFunctions) {
      if (f.name == n && f.receiver) {
        ExprPtr e = Call(f.fn, name.pos, std::move(args));
        if (e) e->receiver = true;
        return e;
      }
    }
    return Undeclared(name.pos, n);
  }

  // e.all(x, p), e.exists(x, p), e.exists_one(x, p), e.map(x, t), e.map(x, p, t), e.filter(x, p)
  ExprPtr Macro(ExprPtr target, const Token& name, MacroKind macro) {
    if (Peek().kind == Tok::kIdent && Peek(1).kind == Tok::kRParen) {
      // One argument matches no macro; cel-go then looks for a function of that name.
      return Undeclared(name.pos, name.text);
    }
    if (Peek().kind != Tok::kIdent || Peek(1).kind != Tok::kComma) {
      return Fail(Peek().pos, "argument must be a simple name");
    }
    const Token& var = Take();
    if (IsGlobal(var.text)) {
      return Fail(var.pos, "iteration variable overwrites accumulator variable");
    }
    if (!Accept(Tok::kComma)) return Expect("','");
    scope_.push_back(var.text);
    std::vector<ExprPtr> args;
    args.push_back(std::move(target));
    bool ok = ParseArgs(args);
    scope_.pop_back();
    if (!ok) return nullptr;
    // args holds the target too: e.all(x, p) has two, e.map(x, p, t) three.
    if (macro == MacroKind::kMap && args.size() == 3) macro = MacroKind::kMapFilter;
    size_t want = macro == MacroKind::kMapFilter ? 3 : 2;
    if (args.size() != want) {
      return Fail(name.pos, "found no matching overload for '" + name.text + "' macro");
    }
    ExprPtr e = Node(ExprKind::kMacro, name.pos, std::move(args));
    if (e) {
      e->macro = macro;
      e->name = var.text;
    }
    return e;
  }

  ExprPtr ParsePrimary(bool negated_literal) {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kInt:
        if (t.int_overflow && !negated_literal) {
          return Fail(t.pos, "Syntax error: invalid int literal");
        }
        [[fallthrough]];
      case Tok::kUint:
      case Tok::kDouble:
      case Tok::kString:
      case Tok::kBytes: {
        Take();
        ExprPtr e = Node(ExprKind::kLiteral, t.pos);
        e->literal = t.value;
        return e;
      }
      case Tok::kTrue:
      case Tok::kFalse:
      case Tok::kNull: {
        Take();
        ExprPtr e = Node(ExprKind::kLiteral, t.pos);
        if (t.kind != Tok::kNull) e->literal = Value(t.kind == Tok::kTrue);
        return e;
      }
      case Tok::kLParen: {
        Take();
        ExprPtr e = ParseExpr();
        if (!e) return nullptr;
        if (!Accept(Tok::kRParen)) return Expect("')'");
        return e;
      }
      case Tok::kLBracket: return ParseList();
      case Tok::kLBrace: return ParseMap();
      case Tok::kDot:
        // A leading dot names the root scope: ".self" is self.
        Take();
        if (Peek().kind != Tok::kIdent) return Expect("IDENTIFIER");
        return ParseIdent(true);
      case Tok::kIdent: return ParseIdent(false);
      default:
        return Fail(t.pos, "Syntax error: mismatched input '" + t.text + "' expecting " +
                               std::string(kPrimaryExpected));
    }
  }

  ExprPtr ParseIdent(bool root) {
    const Token& t = Take();
    if (Peek().kind == Tok::kLParen) {
      Take();
      if (t.text == "has" && !root) return Has(t);
      std::vector<ExprPtr> args;
      if (!ParseArgs(args)) return nullptr;
      for (const FnEntry& f : kFunctions) {
        if (f.name == t.text && f.global) return Call(f.fn, t.pos, std::move(args));
      }
      return Undeclared(t.pos, t.text);
    }
    bool declared = IsGlobal(t.text) || IsTypeName(t.text) ||
                    (!root && std::find(scope_.begin(), scope_.end(), t.text) != scope_.end());
    if (!declared) return Undeclared(t.pos, t.text);
    if (t.text == "oldSelf") uses_old_self_ = true;
    ExprPtr e = Node(ExprKind::kIdent, t.pos);
    e->name = t.text;
    return e;
  }

  // has(e.f): a presence test of field f; anything but a field selection is an error.
  ExprPtr Has(const Token& t) {
    std::vector<ExprPtr> args;
    if (!ParseArgs(args)) return nullptr;
    if (args.size() != 1 || args[0]->kind != ExprKind::kSelect) {
      return Fail(t.pos, "invalid argument to has() macro");
    }
    args[0]->test_only = true;
    return std::move(args[0]);
  }

  ExprPtr ParseList() {
    size_t pos = Take().pos;
    std::vector<ExprPtr> items;
    while (!Accept(Tok::kRBracket)) {
      ExprPtr item = ParseExpr();
      if (!item) return nullptr;
      items.push_back(std::move(item));
      if (Accept(Tok::kRBracket)) break;
      if (!Accept(Tok::kComma)) return Expect("{']', ','}");
    }
    return Node(ExprKind::kList, pos, std::move(items));
  }

  ExprPtr ParseMap() {
    size_t pos = Take().pos;
    std::vector<ExprPtr> items;
    while (!Accept(Tok::kRBrace)) {
      ExprPtr key = ParseExpr();
      if (!key) return nullptr;
      if (!Accept(Tok::kColon)) return Expect("':'");
      ExprPtr value = ParseExpr();
      if (!value) return nullptr;
      items.push_back(std::move(key));
      items.push_back(std::move(value));
      if (Accept(Tok::kRBrace)) break;
      if (!Accept(Tok::kComma)) return Expect("{'}', ','}");
    }
    return Node(ExprKind::kMap, pos, std::move(items));
  }

  std::string_view src_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
  std::vector<std::string> scope_;  // macro variables in scope, innermost last
  const std::vector<std::string> globals_;  // the declared top-level variables
  bool IsGlobal(const std::string& name) const {
    return std::find(globals_.begin(), globals_.end(), name) != globals_.end();
  }
  bool uses_old_self_ = false;
  Status error_;
};

}  // namespace

StatusOr<ParseResult> Parse(std::string_view source, const std::vector<std::string>& globals) {
  StatusOr<std::vector<Token>> toks = Lex(source);
  if (!toks.ok()) return toks.status();
  return Parser(source, std::move(toks).value(), globals).Run();
}

}  // namespace minik::cel
