// `matches` patterns. cel-go uses RE2; minik uses std::regex (ECMAScript), which agrees on the
// syntax rules commonly use (classes, anchors, groups, alternation, counted repetition).
// RE2-only syntax ((?i), \pL, [[:alpha:]]) is rejected or differs; backreferences, which RE2
// lacks, are rejected.
//
// RE2 matches in linear time without recursion. std::regex's default executor backtracks
// (exponential on (a*)*b) and recurses once per input character (a 10 kB string overflows a
// few MB of stack), so with libstdc++ the pattern runs on its breadth-first executor
// (regex_constants::__polynomial, a GNU extension): linear in the input, recursion bounded by
// the pattern. That executor only anchors whole matches, so a search for P runs as a match of
// [\s\S]*?(?:P)[\s\S]* after P alone has been checked to be well-formed.
//
// libstdc++ compiles x{n,m} by copying x m times, so nested counted repetition could build a
// huge automaton: as RE2 does, counts above 1000 and patterns whose expanded size is too large
// are rejected before std::regex sees them.
#include <algorithm>
#include <cctype>
#include <regex>
#include <string>
#include <vector>

#include "cel/eval.h"

namespace minik::cel {
namespace {

constexpr uint64_t kMaxRepeat = 1000;
constexpr uint64_t kMaxExpandedSize = 100000;
constexpr uint64_t kTooLarge = 0;
constexpr uint64_t kBackreference = UINT64_MAX;

// The size of the pattern with every counted repetition expanded; kTooLarge when a count or
// the size is too large, kBackreference for \1 to \9. Alternatives are summed (an over-estimate, which is the safe side).
uint64_t ExpandedSize(const std::string& p) {
  std::vector<uint64_t> groups{0};  // the size so far of each open group
  uint64_t last = 0;                // the size of the atom a quantifier applies to
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 < p.size() && p[i + 1] >= '1' && p[i + 1] <= '9') return kBackreference;
      ++i;
      last = 1;
    } else if (c == '[') {
      // A class is one atom: skip to its closing bracket (a leading ] or ^] is literal).
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j;
      last = 1;
    } else if (c == '(') {
      groups.push_back(0);
      continue;
    } else if (c == ')') {
      if (groups.size() == 1) {
        last = 1;  // unbalanced: std::regex reports it
      } else {
        last = groups.back() + 1;
        groups.pop_back();
      }
    } else if (c == '{') {
      size_t j = i + 1;
      uint64_t lo = 0, hi = 0;
      bool digits = false, comma = false;
      while (j < p.size() && (std::isdigit(static_cast<unsigned char>(p[j])) || p[j] == ',')) {
        if (p[j] == ',') {
          comma = true;
        } else {
          uint64_t& n = comma ? hi : lo;
          n = std::min<uint64_t>(n * 10 + static_cast<uint64_t>(p[j] - '0'), kMaxRepeat + 1);
          digits = true;
        }
        ++j;
      }
      if (digits && j < p.size() && p[j] == '}') {
        uint64_t count = std::max(lo, hi) + (comma && hi == 0 ? 1 : 0);
        if (count > kMaxRepeat) return 0;
        // The atom is already counted once in its group.
        groups.back() += last * (count > 0 ? count - 1 : 0);
        if (groups.back() > kMaxExpandedSize) return 0;
        i = j;
        last = 0;
        continue;
      }
      last = 1;
    } else if (c == '*' || c == '+' || c == '?' || c == '|') {
      continue;
    } else {
      last = 1;
    }
    groups.back() += last;
    if (groups.back() > kMaxExpandedSize) return 0;
  }
  return groups.front() + 1;
}

}  // namespace

StatusOr<std::shared_ptr<const std::regex>> CompileRegex(const std::string& pattern) {
  const uint64_t size = ExpandedSize(pattern);
  if (size == kTooLarge) {
    return EvalError("invalid regular expression: " + pattern + ": expression too large");
  }
  if (size == kBackreference) {
    return EvalError("invalid regular expression: " + pattern + ": invalid escape sequence");
  }
  try {
    std::regex plain(pattern, std::regex::ECMAScript);
#if defined(__GLIBCXX__)
    (void)plain;
    return std::make_shared<const std::regex>(
        "[\\s\\S]*?(?:" + pattern + ")[\\s\\S]*",
        std::regex::ECMAScript | std::regex_constants::__polynomial);
#else
    return std::make_shared<const std::regex>(std::move(plain));
#endif
  } catch (const std::regex_error& e) {
    return EvalError("invalid regular expression: " + pattern);
  }
}

bool RegexFind(const std::regex& re, const std::string& s) {
#if defined(__GLIBCXX__)
  return std::regex_match(s, re);
#else
  return std::regex_search(s, re);
#endif
}

}  // namespace minik::cel
