#include "apiextensions/pattern.h"

#include <gtest/gtest.h>

namespace minik::apiextensions_internal {
namespace {

bool M(const std::string& pattern, const std::string& text) {
  std::string err;
  auto p = Pattern::Compile(pattern, err);
  EXPECT_NE(p, nullptr) << pattern << ": " << err;
  return p && p->Search(text);
}

std::string Err(const std::string& pattern) {
  std::string err;
  EXPECT_EQ(Pattern::Compile(pattern, err), nullptr) << pattern;
  return err;
}

TEST(Pattern, Basics) {
  EXPECT_TRUE(M("^[a-z]+$", "abc"));
  EXPECT_FALSE(M("^[a-z]+$", "abC"));
  EXPECT_FALSE(M("^[a-z]+$", ""));
  EXPECT_TRUE(M("b", "abc"));  // unanchored, like Go's MatchString
  EXPECT_FALSE(M("^b", "abc"));
  EXPECT_TRUE(M("^(foo|bar)-[0-9]{2,3}$", "bar-123"));
  EXPECT_FALSE(M("^(foo|bar)-[0-9]{2,3}$", "bar-1234"));
  EXPECT_TRUE(M("^a.c$", "a\xC3\xA9" "c"));  // . is one code point
  EXPECT_FALSE(M("^a.c$", "a\nc"));
  EXPECT_TRUE(M(R"(^\d+(\.\d+)?$)", "3.14"));
  EXPECT_FALSE(M(R"(^\d+(\.\d+)?$)", "3."));
  EXPECT_TRUE(M(R"(^[^\s]+$)", "no-space"));
  EXPECT_FALSE(M(R"(^[^\s]+$)", "a space"));
  EXPECT_TRUE(M("^[[:alpha:]_][[:alnum:]_]*$", "_x1"));
  EXPECT_TRUE(M("^(?:ab)*$", "ababab"));
  EXPECT_FALSE(M("^(?:ab)*$", "aba"));
  EXPECT_TRUE(M("^(?P<n>x)y?$", "x"));
  EXPECT_TRUE(M("^[]a]+$", "]a"));
  EXPECT_TRUE(M("^a{3}$", "aaa"));
  EXPECT_FALSE(M("^a{3}$", "aa"));
  EXPECT_TRUE(M("^a{2,}$", "aaaaa"));
  EXPECT_TRUE(M("a{,2}", "a{,2}"));  // not a repeat: literal braces, as in Go
  EXPECT_TRUE(M("^(a*)*$", "aaaa"));
  EXPECT_TRUE(M("^$", ""));
  EXPECT_TRUE(M(R"(^\x41\x{42}$)", "AB"));
  EXPECT_TRUE(M(R"(\Aab\z)", "ab"));
}

TEST(Pattern, FlagsAndWordBoundaries) {
  EXPECT_TRUE(M("(?i)^(true|false)$", "TRUE"));
  EXPECT_FALSE(M("^(true|false)$", "TRUE"));
  EXPECT_TRUE(M("^a(?i:b)c$", "aBc"));
  EXPECT_FALSE(M("^a(?i:b)c$", "aBC"));  // the flag ends with its group
  EXPECT_TRUE(M("^(?i)[a-c]+$", "AbC"));
  EXPECT_FALSE(M("^a.b$", "a\nb"));
  EXPECT_TRUE(M("(?s)^a.b$", "a\nb"));
  EXPECT_TRUE(M(R"(\bfoo\b)", "a foo b"));
  EXPECT_FALSE(M(R"(\bfoo\b)", "afoob"));
  EXPECT_TRUE(M(R"(\Boo\B)", "afoob"));
  EXPECT_FALSE(Err("(?m)^a$").empty());
  EXPECT_FALSE(Err(R"(\pL)").empty());
}

TEST(Pattern, Errors) {
  EXPECT_EQ(Err("(a"), "error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(Err("[a"), "error parsing regexp: missing closing ]: `[`");
  EXPECT_EQ(Err("(?=a)"), "error parsing regexp: invalid or unsupported Perl syntax: `(?`");
  EXPECT_EQ(Err("*a"), "error parsing regexp: missing argument to repetition operator: `*`");
  EXPECT_EQ(Err("a{1001}"), "error parsing regexp: invalid repeat count: `{`");
  EXPECT_FALSE(Err(R"(\1)").empty());
  EXPECT_FALSE(Err("[z-a]").empty());
  EXPECT_FALSE(Err("a)").empty());
}

TEST(Pattern, HostileInputIsLinear) {
  // std::regex recursed per character here and crashed past ~50k characters.
  std::string big(2'000'000, 'a');
  EXPECT_TRUE(M("^[a-z]+$", big));
  EXPECT_FALSE(M("^(a|aa)*b$", big.substr(0, 100000)));  // exponential for backtrackers
  std::string deep(5000, '(');
  EXPECT_FALSE(Err(deep + "a" + std::string(5000, ')')).empty());
  EXPECT_FALSE(Err("((a{1000}){1000}){1000}").empty());  // expression too large
}

}  // namespace
}  // namespace minik::apiextensions_internal
