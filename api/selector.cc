// Label selectors (grammar and messages of k8s.io/apimachinery/pkg/labels) and field
// selectors (pkg/fields).
//
// Label selector grammar:
//   selector    ::= requirement ("," requirement)*
//   requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
// Tokens are split on whitespace and the special characters = ! ( ) , > <. Error messages
// reproduce upstream's text, including its odd corners ("<nil>: Invalid value: ..."),
// because kubectl shows them verbatim.
#include "api/selector.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "api/validation.h"

namespace minik {
namespace {

enum class Tok {
  kError,
  kEnd,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string lit;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecial(char c) {
  switch (c) {
    case '=': case '!': case '(': case ')': case ',': case '>': case '<':
      return true;
    default:
      return false;
  }
}

bool SymbolToken(const std::string& s, Tok* tok) {
  static const std::pair<const char*, Tok> kTokens[] = {
      {")", Tok::kClosedPar},  {",", Tok::kComma},       {"!", Tok::kDoesNotExist},
      {"==", Tok::kDoubleEquals}, {"=", Tok::kEquals},   {">", Tok::kGreaterThan},
      {"<", Tok::kLessThan},   {"!=", Tok::kNotEquals},  {"(", Tok::kOpenPar},
  };
  for (const auto& [text, t] : kTokens) {
    if (s == text) {
      *tok = t;
      return true;
    }
  }
  return false;
}

std::vector<Item> Lex(const std::string& s) {
  std::vector<Item> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    if (pos >= s.size()) {
      items.push_back({Tok::kEnd, ""});
      return items;
    }
    if (IsSpecial(s[pos])) {
      // Longest run of special characters that still forms a token ("!=" over "!").
      std::string buf;
      Item last{Tok::kError, ""};
      bool have = false;
      while (pos < s.size() && IsSpecial(s[pos])) {
        buf.push_back(s[pos]);
        Tok t;
        if (SymbolToken(buf, &t)) {
          last = {t, buf};
          have = true;
          ++pos;
        } else if (have) {
          break;
        } else {
          ++pos;
        }
      }
      if (!have) {
        items.push_back({Tok::kError, "error expected: keyword found '" + buf + "'"});
      } else {
        items.push_back(last);
      }
      continue;
    }
    size_t start = pos;
    while (pos < s.size() && !IsSpecial(s[pos]) && !IsWhitespace(s[pos])) ++pos;
    std::string word = s.substr(start, pos - start);
    if (word == "in") {
      items.push_back({Tok::kIn, word});
    } else if (word == "notin") {
      items.push_back({Tok::kNotIn, word});
    } else {
      items.push_back({Tok::kIdentifier, word});
    }
  }
}

std::string Joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// Go's %#v of a []string: []string{"a", "b"}, []string{} or (from nil) []string(nil).
std::string GoStringSlice(const std::vector<std::string>& v, bool nil_when_empty) {
  if (v.empty()) return nil_when_empty ? "[]string(nil)" : "[]string{}";
  std::vector<std::string> q;
  for (const auto& s : v) q.push_back(GoQuote(s));
  return "[]string{" + Joined(q, ", ") + "}";
}

// An aggregate of field errors as upstream prints it: one bare, several in brackets.
std::string Aggregate(const std::vector<std::string>& errs) {
  std::vector<std::string> uniq;
  for (const auto& e : errs) {
    if (std::find(uniq.begin(), uniq.end(), e) == uniq.end()) uniq.push_back(e);
  }
  if (uniq.size() == 1) return uniq[0];
  return "[" + Joined(uniq, ", ") + "]";
}

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno == ERANGE || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

// Upstream's NewRequirement checks; "" when valid, else the aggregated message.
// `nil_values` mirrors whether upstream would hold a nil slice (for %#v).
std::string CheckRequirement(const Requirement& r, bool nil_values) {
  std::vector<std::string> errs;
  if (auto msgs = IsQualifiedName(r.key); !msgs.empty()) {
    errs.push_back("key: Invalid value: " + GoQuote(r.key) + ": " + Joined(msgs, "; "));
  }
  const std::string vals = GoStringSlice(r.values, nil_values);
  switch (r.op) {
    case Requirement::Op::kIn:
    case Requirement::Op::kNotIn:
      if (r.values.empty()) {
        errs.push_back("values: Invalid value: " + vals +
                       ": for 'in', 'notin' operators, values set can't be empty");
      }
      break;
    case Requirement::Op::kEquals:
    case Requirement::Op::kNotEquals:
      if (r.values.size() != 1) {
        errs.push_back("values: Invalid value: " + vals +
                       ": exact-match compatibility requires one single value");
      }
      break;
    case Requirement::Op::kExists:
    case Requirement::Op::kDoesNotExist:
      if (!r.values.empty()) {
        errs.push_back("values: Invalid value: " + vals +
                       ": values set must be empty for exists and does not exist");
      }
      break;
    case Requirement::Op::kGt:
    case Requirement::Op::kLt:
      if (r.values.size() != 1) {
        errs.push_back("values: Invalid value: " + vals +
                       ": for 'Gt', 'Lt' operators, exactly one value is required");
      }
      for (size_t i = 0; i < r.values.size(); ++i) {
        int64_t unused;
        if (!ParseInt64(r.values[i], &unused)) {
          errs.push_back("values[" + std::to_string(i) + "]: Invalid value: " +
                         GoQuote(r.values[i]) +
                         ": for 'Gt', 'Lt' operators, the value must be an integer");
        }
      }
      break;
  }
  for (size_t i = 0; i < r.values.size(); ++i) {
    if (auto msgs = IsValidLabelValue(r.values[i]); !msgs.empty()) {
      errs.push_back("values[" + std::to_string(i) + "][" + r.key + "]: Invalid value: " +
                     GoQuote(r.values[i]) + ": " + Joined(msgs, "; "));
    }
  }
  return errs.empty() ? "" : Aggregate(errs);
}

class Parser {
 public:
  explicit Parser(const std::string& text) : items_(Lex(text)) {}

  // Returns "" on success.
  std::string Parse(std::vector<Requirement>* out) {
    while (true) {
      Item it = Peek(true);
      switch (it.tok) {
        case Tok::kIdentifier:
        case Tok::kDoesNotExist: {
          Requirement r;
          std::string err = ParseRequirement(&r);
          if (!err.empty()) return "unable to parse requirement: " + err;
          out->push_back(std::move(r));
          Item next = Next(true);
          if (next.tok == Tok::kEnd) return "";
          if (next.tok == Tok::kComma) {
            Item after = Peek(true);
            if (after.tok != Tok::kIdentifier && after.tok != Tok::kDoesNotExist) {
              return "found '" + after.lit + "', expected: identifier after ','";
            }
            break;
          }
          return "found '" + next.lit + "', expected: ',' or 'end of string'";
        }
        case Tok::kEnd:
          return "";
        default:
          return "found '" + it.lit + "', expected: !, identifier, or 'end of string'";
      }
    }
  }

 private:
  // In value position the keywords "in"/"notin" are plain identifiers.
  Item Peek(bool values) const {
    Item it = items_[pos_];
    if (values && (it.tok == Tok::kIn || it.tok == Tok::kNotIn)) it.tok = Tok::kIdentifier;
    return it;
  }
  Item Next(bool values) {
    Item it = Peek(values);
    // The end token repeats forever, as if the input were padded.
    if (pos_ + 1 < items_.size()) ++pos_;
    return it;
  }

  std::string ParseRequirement(Requirement* r) {
    bool not_exist = false;
    Item it = Next(true);
    if (it.tok == Tok::kDoesNotExist) {
      not_exist = true;
      it = Next(true);
    }
    if (it.tok != Tok::kIdentifier) return "found '" + it.lit + "', expected: identifier";
    if (auto msgs = IsQualifiedName(it.lit); !msgs.empty()) {
      // Upstream validates with a nil field path here, hence "<nil>".
      return "<nil>: Invalid value: " + GoQuote(it.lit) + ": " + Joined(msgs, "; ");
    }
    r->key = it.lit;
    Tok after = Peek(true).tok;
    if (after == Tok::kEnd || after == Tok::kComma || not_exist) {
      // "!key" followed by anything else is reported by the caller as a stray token.
      r->op = not_exist ? Requirement::Op::kDoesNotExist : Requirement::Op::kExists;
      return CheckRequirement(*r, false);
    }
    Item op = Next(false);
    switch (op.tok) {
      case Tok::kIn: r->op = Requirement::Op::kIn; break;
      case Tok::kNotIn: r->op = Requirement::Op::kNotIn; break;
      case Tok::kEquals:
      case Tok::kDoubleEquals: r->op = Requirement::Op::kEquals; break;
      case Tok::kNotEquals: r->op = Requirement::Op::kNotEquals; break;
      case Tok::kGreaterThan: r->op = Requirement::Op::kGt; break;
      case Tok::kLessThan: r->op = Requirement::Op::kLt; break;
      default:
        return "found '" + op.lit + "', expected: in, notin, =, ==, !=, gt, lt";
    }
    std::set<std::string> values;
    std::string err = (r->op == Requirement::Op::kIn || r->op == Requirement::Op::kNotIn)
                          ? ParseValues(&values)
                          : ParseExactValue(&values);
    if (!err.empty()) return err;
    r->values.assign(values.begin(), values.end());  // sorted and unique, like sets.String
    return CheckRequirement(*r, false);
  }

  std::string ParseValues(std::set<std::string>* values) {
    Item it = Next(true);
    if (it.tok != Tok::kOpenPar) return "found '" + it.lit + "' expected: '('";
    Item la = Peek(true);
    switch (la.tok) {
      case Tok::kIdentifier:
      case Tok::kComma: {
        std::string err = ParseIdentifiersList(values);
        if (!err.empty()) return err;
        if (Next(true).tok != Tok::kClosedPar) {
          // Upstream reports the token that opened the list here.
          return "found '" + la.lit + "', expected: ')'";
        }
        return "";
      }
      case Tok::kClosedPar:
        Next(true);
        values->insert("");
        return "";
      default:
        return "found '" + la.lit + "', expected: ',', ')' or identifier";
    }
  }

  std::string ParseIdentifiersList(std::set<std::string>* values) {
    while (true) {
      Item it = Next(true);
      switch (it.tok) {
        case Tok::kIdentifier: {
          values->insert(it.lit);
          Item la = Peek(true);
          if (la.tok == Tok::kComma) continue;
          if (la.tok == Tok::kClosedPar) return "";
          return "found '" + la.lit + "', expected: ',' or ')'";
        }
        case Tok::kComma: {
          if (values->empty()) values->insert("");  // "(,"
          Tok la = Peek(true).tok;
          if (la == Tok::kClosedPar) {
            values->insert("");  // ",)"
            return "";
          }
          if (la == Tok::kComma) {
            Next(true);
            values->insert("");  // ",,"
          }
          break;
        }
        default:
          return "found '" + it.lit + "', expected: ',', or identifier";
      }
    }
  }

  std::string ParseExactValue(std::set<std::string>* values) {
    Tok la = Peek(true).tok;
    if (la == Tok::kEnd || la == Tok::kComma) {
      values->insert("");
      return "";
    }
    Item it = Next(true);
    if (it.tok == Tok::kIdentifier) {
      values->insert(it.lit);
      return "";
    }
    return "found '" + it.lit + "', expected: identifier";
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

void SortByKey(std::vector<Requirement>& reqs) {
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

bool RequirementMatches(const Requirement& r, const Json& labels) {
  const std::string* value = nullptr;
  if (labels.is_object()) {
    auto it = labels.find(r.key);
    if (it != labels.end() && it->is_string()) value = &it->get_ref<const std::string&>();
  }
  auto has = [&](const std::string& v) {
    return std::find(r.values.begin(), r.values.end(), v) != r.values.end();
  };
  switch (r.op) {
    case Requirement::Op::kIn:
    case Requirement::Op::kEquals:
      return value != nullptr && has(*value);
    case Requirement::Op::kNotIn:
    case Requirement::Op::kNotEquals:
      return value == nullptr || !has(*value);
    case Requirement::Op::kExists:
      return value != nullptr;
    case Requirement::Op::kDoesNotExist:
      return value == nullptr;
    case Requirement::Op::kGt:
    case Requirement::Op::kLt: {
      int64_t have, want;
      if (value == nullptr || r.values.size() != 1 || !ParseInt64(*value, &have) ||
          !ParseInt64(r.values[0], &want)) {
        return false;
      }
      return r.op == Requirement::Op::kGt ? have > want : have < want;
    }
  }
  return false;
}

std::string RequirementString(const Requirement& r) {
  std::string out;
  if (r.op == Requirement::Op::kDoesNotExist) out += "!";
  out += r.key;
  switch (r.op) {
    case Requirement::Op::kExists:
    case Requirement::Op::kDoesNotExist:
      return out;
    case Requirement::Op::kEquals: out += "="; break;
    case Requirement::Op::kNotEquals: out += "!="; break;
    case Requirement::Op::kIn: out += " in "; break;
    case Requirement::Op::kNotIn: out += " notin "; break;
    case Requirement::Op::kGt: out += ">"; break;
    case Requirement::Op::kLt: out += "<"; break;
  }
  std::vector<std::string> values = r.values;
  std::sort(values.begin(), values.end());
  bool set_op = r.op == Requirement::Op::kIn || r.op == Requirement::Op::kNotIn;
  if (set_op) out += "(";
  out += Joined(values, ",");
  if (set_op) out += ")";
  return out;
}

// Reads a list of strings; false if it is not one.
bool StringList(const Json& v, std::vector<std::string>* out) {
  if (v.is_null()) return true;
  if (!v.is_array()) return false;
  for (const Json& s : v) {
    if (!s.is_string()) return false;
    out->push_back(s.get<std::string>());
  }
  return true;
}

}  // namespace

StatusOr<LabelSelector> LabelSelector::Parse(const std::string& text) {
  LabelSelector sel;
  Parser parser(text);
  std::string err = parser.Parse(&sel.reqs_);
  if (!err.empty()) return BadRequest(err);
  SortByKey(sel.reqs_);
  return sel;
}

StatusOr<LabelSelector> LabelSelector::FromJson(const Json& selector) {
  LabelSelector sel;
  if (selector.is_null()) return sel;
  if (!selector.is_object()) return BadRequest("label selector must be an object");
  const Json match_labels = selector.value("matchLabels", Json());
  if (!match_labels.is_null()) {
    if (!match_labels.is_object()) return BadRequest("matchLabels must be a map of strings");
    for (const auto& [k, v] : match_labels.items()) {
      if (!v.is_string()) return BadRequest("matchLabels[" + k + "] must be a string");
      Requirement r{k, Requirement::Op::kEquals, {v.get<std::string>()}};
      if (std::string err = CheckRequirement(r, false); !err.empty()) return BadRequest(err);
      sel.reqs_.push_back(std::move(r));
    }
  }
  const Json exprs = selector.value("matchExpressions", Json());
  if (!exprs.is_null()) {
    if (!exprs.is_array()) return BadRequest("matchExpressions must be a list");
    for (const Json& e : exprs) {
      if (!e.is_object()) return BadRequest("matchExpressions entries must be objects");
      const Json op = e.value("operator", Json(""));
      if (!op.is_string()) return BadRequest("matchExpressions operator must be a string");
      Requirement r;
      const std::string& ops = op.get_ref<const std::string&>();
      if (ops == "In") {
        r.op = Requirement::Op::kIn;
      } else if (ops == "NotIn") {
        r.op = Requirement::Op::kNotIn;
      } else if (ops == "Exists") {
        r.op = Requirement::Op::kExists;
      } else if (ops == "DoesNotExist") {
        r.op = Requirement::Op::kDoesNotExist;
      } else {
        return BadRequest(GoQuote(ops) + " is not a valid label selector operator");
      }
      const Json key = e.value("key", Json(""));
      if (!key.is_string()) return BadRequest("matchExpressions key must be a string");
      r.key = key.get<std::string>();
      if (!StringList(e.value("values", Json()), &r.values)) {
        return BadRequest("matchExpressions values must be a list of strings");
      }
      if (std::string err = CheckRequirement(r, true); !err.empty()) return BadRequest(err);
      sel.reqs_.push_back(std::move(r));
    }
  }
  SortByKey(sel.reqs_);
  return sel;
}

bool LabelSelector::Matches(const Json& labels) const {
  for (const auto& r : reqs_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

std::string LabelSelector::String() const {
  std::vector<std::string> parts;
  for (const auto& r : reqs_) parts.push_back(RequirementString(r));
  return Joined(parts, ",");
}

// ---- Field selectors ----

namespace {

// Splits on unescaped commas; escapes are kept for UnescapeValue.
std::vector<std::string> SplitTerms(const std::string& s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

// The first operator occurrence splits the term; "!=" and "==" win over "=" at a position.
bool SplitTerm(const std::string& term, std::string* lhs, std::string* op, std::string* rhs) {
  for (size_t i = 0; i < term.size(); ++i) {
    for (const char* candidate : {"!=", "==", "="}) {
      if (term.compare(i, std::char_traits<char>::length(candidate), candidate) == 0) {
        *lhs = term.substr(0, i);
        *op = candidate;
        *rhs = term.substr(i + op->size());
        return true;
      }
    }
  }
  return false;
}

// Length of the UTF-8 sequence starting with byte c (1 for invalid bytes, as Go's range loop
// yields U+FFFD for one byte).
size_t Utf8Len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

Status UnescapeValue(const std::string& s, std::string* out) {
  out->clear();
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_slash) {
      if (c == '\\' || c == ',' || c == '=') {
        out->push_back(c);
      } else {
        size_t len = std::min(Utf8Len(static_cast<unsigned char>(c)), s.size() - i);
        return BadRequest("invalid field selector: invalid escape sequence: \\" + s.substr(i, len));
      }
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the rune with %v: its code point.
      return BadRequest("invalid field selector: unescaped character in value: " +
                        std::to_string(static_cast<int>(c)));
    } else {
      out->push_back(c);
    }
  }
  if (in_slash) return BadRequest("invalid field selector: invalid escape sequence: \\");
  return Status::Ok();
}

}  // namespace

StatusOr<FieldSelector> FieldSelector::Parse(const std::string& text) {
  FieldSelector sel;
  std::vector<std::string> parts = SplitTerms(text);
  std::sort(parts.begin(), parts.end());
  for (const auto& part : parts) {
    if (part.empty()) continue;
    std::string lhs, op, rhs;
    if (!SplitTerm(part, &lhs, &op, &rhs)) {
      return BadRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
    }
    std::string value;
    MINIK_RETURN_IF_ERROR(UnescapeValue(rhs, &value));
    sel.terms_.push_back(Term{lhs, op != "!=", value});
  }
  return sel;
}

bool FieldSelector::Matches(
    const std::function<std::optional<std::string>(const std::string&)>& get) const {
  for (const auto& t : terms_) {
    std::optional<std::string> v = get(t.field);
    if (!v) return false;
    if ((*v == t.value) != t.equals) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::RequiredValue(const std::string& field) const {
  for (const auto& t : terms_) {
    if (t.field == field && t.equals) return t.value;
  }
  return std::nullopt;
}

}  // namespace minik
