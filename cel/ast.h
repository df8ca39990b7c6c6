// Internal: the parsed expression tree, shared by the parser and the evaluator.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cel/value.h"

namespace minik::cel {

enum class ExprKind {
  kLiteral,   // literal
  kIdent,     // name: self, oldSelf, a comprehension variable or a type name
  kSelect,    // args[0].name; test_only for has()
  kIndex,     // args[0][args[1]]
  kCall,      // function `fn` over args (receiver-style calls put the target in args[0])
  kList,      // [args...]
  kMap,       // {args[0]: args[1], ...}
  kMacro,     // args[0].macro(name, args[1] [, args[2]])
};

// Operators and functions, resolved when parsing so evaluation dispatches on an enum.
enum class Fn {
  kAnd, kOr, kNot, kNeg, kCond,
  kEq, kNe, kLt, kLe, kGt, kGe, kIn,
  kAdd, kSub, kMul, kDiv, kMod,
  kSize, kContains, kStartsWith, kEndsWith, kMatches,
  kLowerAscii, kUpperAscii, kTrim, kSplit, kJoin, kIndexOf, kLastIndexOf, kReplace,
  kSubstring, kCharAt,
  kInt, kUint, kDouble, kString, kBytes, kBool, kDyn, kType,
};

enum class MacroKind { kAll, kExists, kExistsOne, kMap, kMapFilter, kFilter };

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  size_t pos = 0;  // byte offset in the source, for messages
  Value literal;
  std::string name;        // identifier, field, or macro variable
  Fn fn = Fn::kAnd;
  bool receiver = false;   // kCall: written as args[0].f(...)
  bool test_only = false;  // kSelect inside has()
  MacroKind macro = MacroKind::kAll;
  std::vector<std::unique_ptr<Expr>> args;
  int height = 1;  // longest path to a leaf, bounded by the parser so evaluation cannot recurse
                   // without limit
};

// The operator's name as CEL spells it in messages ("_+_", "size").
const char* FnName(Fn fn);

}  // namespace minik::cel
