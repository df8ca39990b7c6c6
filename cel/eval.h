// Internal: the tree-walking evaluator and the functions it calls.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "cel/ast.h"
#include "cel/value.h"

namespace minik::cel {

// As Kubernetes' per-call limit for CRD validation rules (celconfig.PerCallLimit).
inline constexpr int64_t kCostLimit = 1000000;

// Regular expressions of `matches` whose pattern is a literal, compiled once by Compile.
using RegexCache = std::map<std::string, std::shared_ptr<const std::regex>, std::less<>>;

// One evaluation's mutable state; a Program is evaluated with a fresh context each time.
struct EvalContext {
  Value self;
  Value old_self;
  bool has_old_self = false;
  // Other top-level variables (admission policies: object, request, params, ...).
  std::vector<std::pair<std::string, Value>> globals;
  std::vector<std::string> unbound;  // declared but not given: reading one is an error
  const RegexCache* regexes = nullptr;
  std::vector<std::pair<const std::string*, Value>> vars;  // macro variables, innermost last
  int64_t cost = 0;
  int64_t cost_limit = kCostLimit;
};

StatusOr<Value> Eval(const Expr& expr, EvalContext& ctx);

// Adds `units` to the cost; past the limit, the error every caller returns.
Status Charge(EvalContext& ctx, int64_t units);

// A strict function or operator over evaluated arguments (receiver first for x.f(y)).
StatusOr<Value> CallFunction(Fn fn, const std::vector<Value>& args, EvalContext& ctx);

// Building strings and lists costs a tenth of their size, as Kubernetes' cost model charges,
// so that expressions that double a value at every step run out of budget, not memory.
inline Status ChargeSize(EvalContext& ctx, size_t size) {
  return Charge(ctx, static_cast<int64_t>(size / 10));
}

// The string functions (strings.cc): args[0] is the receiver string. join takes a list.
StatusOr<Value> StringFunction(Fn fn, const std::vector<Value>& args, EvalContext& ctx);
StatusOr<Value> Join(const std::vector<Value>& args, EvalContext& ctx);

// "found no matching overload for '_+_' applied to '(int, string)'"
Status NoOverload(Fn fn, const std::vector<Value>& args);

// A `matches` pattern, compiled (cel/regex.cc: std::regex standing in for RE2), and the
// search for it in `s`.
StatusOr<std::shared_ptr<const std::regex>> CompileRegex(const std::string& pattern);
bool RegexFind(const std::regex& re, const std::string& s);

}  // namespace minik::cel
