// Internal: splits a CEL expression into tokens (cel-spec langdef "Syntax", lexical rules).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"
#include "cel/value.h"

namespace minik::cel {

enum class Tok {
  kEof, kIdent, kInt, kUint, kDouble, kString, kBytes, kTrue, kFalse, kNull, kIn,
  kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr, kNot, kMinus, kPlus, kStar, kSlash, kPercent,
  kQuestion, kColon, kDot, kComma, kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace,
};

struct Token {
  Tok kind = Tok::kEof;
  size_t pos = 0;       // byte offset of the first character
  std::string text;     // the source text of the token ("<EOF>" at the end)
  Value value;          // literals: the decoded value (ints before any negation: see parser)
  bool int_overflow = false;  // kInt: digits beyond int64 (legal only as -9223372036854775808)
};

// Tokenizes `source`; an unknown character or a malformed literal is a syntax error.
StatusOr<std::vector<Token>> Lex(std::string_view source);

// "compilation failed: ERROR: <input>:L:C: <message>\n | <line>\n | ...^", as cel-go prints
// an issue and Kubernetes prefixes it.
Status CompileError(std::string_view source, size_t pos, const std::string& message);

}  // namespace minik::cel
