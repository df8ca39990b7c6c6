// Internal: the recursive-descent parser (cel-spec langdef grammar) with macro expansion and
// name resolution: identifiers must be self, oldSelf, a macro variable in scope or a type name;
// functions must be known. Nesting deeper than kMaxDepth is an error.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"
#include "cel/ast.h"

namespace minik::cel {

inline constexpr int kMaxDepth = 100;

struct ParseResult {
  std::unique_ptr<Expr> root;
  bool uses_old_self = false;
};

// `globals`: the top-level variables the expression may name (CRD rules: self and oldSelf).
StatusOr<ParseResult> Parse(std::string_view source, const std::vector<std::string>& globals);

}  // namespace minik::cel
