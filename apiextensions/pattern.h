// Internal: the `pattern` keyword's regular expressions with Go regexp (RE2) syntax and a
// Pike-VM matcher: time linear in the input and no recursion over it, so a long string in a
// custom resource can neither exhaust the stack (std::regex recurses per character) nor
// backtrack exponentially. Supported: literals and escapes, `.`, classes with ranges,
// negation, \d \w \s (and negations), [:alpha:]-style classes, ^ $ \A \z \b \B, groups ( )
// (?: ) (?P<n> ) (?<n> ), flags i and s ((?i) and (?i: ); case folding is ASCII only), |,
// * + ? {n} {n,} {n,m} (lazy forms too). Anything else (lookaround, backreferences, \p{..},
// the m and U flags) is refused at compile time, as Go refuses the first two.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace minik::apiextensions_internal {

class Pattern {
 public:
  // Null with `error` set ("missing closing ): `(a`") when the pattern is not supported.
  static std::shared_ptr<const Pattern> Compile(const std::string& pattern, std::string& error);
  // Go's regexp.MatchString: does the pattern match anywhere in `text` (UTF-8)?
  bool Search(const std::string& text) const;

  struct Inst {
    enum Op { kChar, kSplit, kJmp, kMatch, kBegin, kEnd, kWordB, kNotWordB } op;
    int x = 0, y = 0;  // jump targets
    int cls = -1;      // kChar: index into classes_
  };
  struct Class {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    bool negated = false;
    bool Has(uint32_t c) const;
  };

 private:
  std::vector<Inst> prog_;
  std::vector<Class> classes_;
  friend struct PatternCompiler;
};

}  // namespace minik::apiextensions_internal
