#include "cel/cel.h"

#include <string>

#include <gtest/gtest.h>

namespace minik::cel {
namespace {

// Compiles and evaluates; the test fails when compilation fails.
StatusOr<Json> Eval(const std::string& expr, const Json& self = Json::object(),
                    const Json* old_self = nullptr) {
  auto program = Compile(expr);
  EXPECT_TRUE(program.ok()) << expr << ": " << program.status().message();
  if (!program.ok()) return program.status();
  return Evaluate(**program, self, old_self);
}

Json Ok(const std::string& expr, const Json& self = Json::object()) {
  StatusOr<Json> v = Eval(expr, self);
  EXPECT_TRUE(v.ok()) << expr << ": " << v.status().message();
  return v.ok() ? *v : Json("<error>");
}

std::string Err(const std::string& expr, const Json& self = Json::object()) {
  StatusOr<Json> v = Eval(expr, self);
  EXPECT_FALSE(v.ok()) << expr << " = " << (v.ok() ? v->dump() : "");
  if (v.ok()) return "";
  EXPECT_EQ(v.status().code(), Code::kInvalid);
  return v.status().message();
}

std::string CompileErr(const std::string& expr) {
  auto program = Compile(expr);
  EXPECT_FALSE(program.ok()) << expr;
  if (program.ok()) return "";
  EXPECT_EQ(program.status().code(), Code::kInvalid);
  return program.status().message();
}

TEST(CelTest, ValidationRuleFromTheDocs) {
  auto program = Compile("self.size <= 5 || self.color == 'red'");
  ASSERT_TRUE(program.ok()) << program.status().message();
  // No color: the left side decides, the missing key on the right is never an error.
  StatusOr<bool> r = EvaluateRule(**program, Json{{"size", 2}}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
  r = EvaluateRule(**program, Json{{"size", 7}, {"color", "blue"}}, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  r = EvaluateRule(**program, Json{{"size", 7}, {"color", "red"}}, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  r = EvaluateRule(**program, Json{{"size", 7}}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "no such key: color");
}

TEST(CelTest, TransitionRuleWithOldSelf) {
  auto program = Compile("self == oldSelf");
  ASSERT_TRUE(program.ok());
  EXPECT_TRUE(UsesOldSelf(**program));
  Json old_value = "a";
  StatusOr<bool> r = EvaluateRule(**program, Json("a"), &old_value);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
  r = EvaluateRule(**program, Json("b"), &old_value);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  // Without an old value, oldSelf is unbound (Kubernetes does not run the rule then).
  EXPECT_FALSE(EvaluateRule(**program, Json("a"), nullptr).ok());

  auto plain = Compile("self.x > 0 && has(self.y)");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(UsesOldSelf(**plain));
  auto in_macro = Compile("self.items.all(i, i in oldSelf.items)");
  ASSERT_TRUE(in_macro.ok());
  EXPECT_TRUE(UsesOldSelf(**in_macro));
}

TEST(CelTest, Literals) {
  EXPECT_EQ(Ok("123"), 123);
  EXPECT_EQ(Ok("-123"), -123);
  EXPECT_EQ(Ok("0x1F"), 31);
  EXPECT_EQ(Ok("123u"), Json(uint64_t{123}));
  EXPECT_TRUE(Ok("123u").is_number_unsigned());
  EXPECT_EQ(Ok("1.5"), 1.5);
  EXPECT_EQ(Ok("1e3"), 1000.0);
  EXPECT_EQ(Ok(".5"), 0.5);
  EXPECT_EQ(Ok("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(Ok("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(Ok("'abc'"), "abc");
  EXPECT_EQ(Ok("\"abc\""), "abc");
  EXPECT_EQ(Ok(R"('a\'b\n\t\\')"), "a'b\n\t\\");
  EXPECT_EQ(Ok(R"('\x41\101\u00e9\U0001F600')"), "AA\u00e9\U0001F600");
  EXPECT_EQ(Ok(R"(r'a\nb')"), "a\\nb");
  EXPECT_EQ(Ok(R"('''multi 'quoted' line''')"), "multi 'quoted' line");
  EXPECT_EQ(Ok("b'abc'"), "abc");
  EXPECT_EQ(Ok("size(b'\\xff\\x00')"), 2);
  EXPECT_EQ(Ok("true"), true);
  EXPECT_EQ(Ok("false"), false);
  EXPECT_EQ(Ok("null"), nullptr);
  EXPECT_EQ(Ok("[1, 'a', true]"), Json::parse(R"([1, "a", true])"));
  EXPECT_EQ(Ok("[]"), Json::array());
  EXPECT_EQ(Ok("[1, 2,]"), Json::parse("[1, 2]"));
  EXPECT_EQ(Ok("{'a': 1, 'b': [2]}"), Json::parse(R"({"a": 1, "b": [2]})"));
  EXPECT_EQ(Ok("{}"), Json::object());
  EXPECT_EQ(Ok("{1: 'x'}[1]"), "x");
  EXPECT_EQ(Ok("// a comment\n 1 + // another\n 2"), 3);
}

TEST(CelTest, JsonMapping) {
  Json self = Json::parse(R"({"i": 3, "d": 2.5, "s": "x", "b": true, "n": null,
                              "l": [1, 2, 3], "m": {"k": "v"}, "big": 1e300})");
  EXPECT_EQ(Ok("type(self.i) == int", self), true);
  EXPECT_EQ(Ok("type(self.d) == double", self), true);
  EXPECT_EQ(Ok("type(self.s) == string", self), true);
  EXPECT_EQ(Ok("type(self.b) == bool", self), true);
  EXPECT_EQ(Ok("self.n == null", self), true);
  EXPECT_EQ(Ok("type(self.l) == list && type(self.m) == map", self), true);
  EXPECT_EQ(Ok("self.m.k", self), "v");
  EXPECT_EQ(Ok("self.m['k']", self), "v");
  EXPECT_EQ(Ok("self.l[1]", self), 2);
  EXPECT_EQ(Ok("self.l", self), Json::parse("[1, 2, 3]"));
  EXPECT_EQ(Ok("self", self), self);
  EXPECT_EQ(Ok("self", Json(5)), 5);
  EXPECT_EQ(Ok("self.i + 1", self), 4);
}

TEST(CelTest, Precedence) {
  EXPECT_EQ(Ok("1 + 2 * 3"), 7);
  EXPECT_EQ(Ok("(1 + 2) * 3"), 9);
  EXPECT_EQ(Ok("10 - 4 - 3"), 3);
  EXPECT_EQ(Ok("100 / 10 / 5"), 2);
  EXPECT_EQ(Ok("7 % 4 * 2"), 6);
  EXPECT_EQ(Ok("-2 * 3"), -6);
  EXPECT_EQ(Ok("!true || true"), true);
  EXPECT_EQ(Ok("!(true || true)"), false);
  EXPECT_EQ(Ok("!!true"), true);
  EXPECT_EQ(Ok("--5"), 5);
  EXPECT_EQ(Ok("true || false && false"), true);
  EXPECT_EQ(Ok("(true || false) && false"), false);
  EXPECT_EQ(Ok("1 < 2 == true"), true);
  EXPECT_EQ(Ok("1 + 1 == 2 && 3 > 2"), true);
  EXPECT_EQ(Ok("true ? 1 : 2"), 1);
  EXPECT_EQ(Ok("false ? 1 : true ? 2 : 3"), 2);
  EXPECT_EQ(Ok("1 > 2 || 3 > 2 ? 'yes' : 'no'"), "yes");
  EXPECT_EQ(Ok("2 in [1, 2] && !(3 in [1, 2])"), true);
  EXPECT_EQ(Ok("'a' + 'b' in ['ab']"), true);
  EXPECT_EQ(Ok("[1, 2][0] + {'a': 3}.a"), 4);
}

TEST(CelTest, Arithmetic) {
  EXPECT_EQ(Ok("7 / 2"), 3);
  EXPECT_EQ(Ok("-7 / 2"), -3);
  EXPECT_EQ(Ok("-7 % 2"), -1);
  EXPECT_EQ(Ok("7.0 / 2.0"), 3.5);
  EXPECT_EQ(Ok("3u - 1u"), Json(uint64_t{2}));
  EXPECT_EQ(Ok("2.5 * 2.0"), 5.0);
  EXPECT_EQ(Ok("-(1.5)"), -1.5);
  EXPECT_EQ(Ok("'ab' + 'cd'"), "abcd");
  EXPECT_EQ(Ok("[1] + [2, 3]"), Json::parse("[1, 2, 3]"));
  EXPECT_EQ(Ok("self.l + [4]", Json{{"l", {1}}}), Json::parse("[1, 4]"));
  EXPECT_EQ(Ok("size(b'ab' + b'c')"), 3);
  // Doubles follow IEEE: no error on division by zero.
  EXPECT_EQ(Ok("1.0 / 0.0 > 1e308"), true);
}

TEST(CelTest, Comparisons) {
  EXPECT_EQ(Ok("1 == 1.0"), true);
  EXPECT_EQ(Ok("1 == 1u"), true);
  EXPECT_EQ(Ok("1u == 1.0"), true);
  EXPECT_EQ(Ok("1 < 1.5"), true);
  EXPECT_EQ(Ok("2u > 1"), true);
  EXPECT_EQ(Ok("-1 < 0u"), true);
  EXPECT_EQ(Ok("9223372036854775807 < 9223372036854775808u"), true);
  EXPECT_EQ(Ok("1 != 'a'"), true);  // heterogeneous equality: unequal, not an error
  EXPECT_EQ(Ok("null == null"), true);
  EXPECT_EQ(Ok("[1, 2] == [1, 2.0]"), true);
  EXPECT_EQ(Ok("[1, 2] == [2, 1]"), false);
  EXPECT_EQ(Ok("{'a': 1} == {'a': 1}"), true);
  EXPECT_EQ(Ok("{'a': 1} == {'a': 2}"), false);
  EXPECT_EQ(Ok("'abc' < 'abd'"), true);
  EXPECT_EQ(Ok("'b' >= 'a'"), true);
  EXPECT_EQ(Ok("false < true"), true);
  EXPECT_EQ(Ok("b'a' < b'b'"), true);
  EXPECT_EQ(Ok("self == {'a': [1]}", Json::parse(R"({"a": [1]})")), true);
  EXPECT_EQ(Ok("double('NaN') == double('NaN')"), false);
  EXPECT_EQ(Ok("double('NaN') < 1.0"), false);
}

TEST(CelTest, InOperator) {
  EXPECT_EQ(Ok("1 in [1, 2]"), true);
  EXPECT_EQ(Ok("1.0 in [1, 2]"), true);
  EXPECT_EQ(Ok("'c' in ['a', 'b']"), false);
  EXPECT_EQ(Ok("'a' in {'a': 1}"), true);
  EXPECT_EQ(Ok("'k' in self", Json{{"k", 1}}), true);
  EXPECT_EQ(Ok("'z' in self", Json{{"k", 1}}), false);
}

TEST(CelTest, LogicalOperatorsAbsorbErrors) {
  Json self = Json{{"a", 1}};
  EXPECT_EQ(Ok("self.missing == 1 || true", self), true);
  EXPECT_EQ(Ok("true || self.missing == 1", self), true);
  EXPECT_EQ(Ok("self.missing == 1 && false", self), false);
  EXPECT_EQ(Ok("false && self.missing == 1", self), false);
  EXPECT_EQ(Err("self.missing == 1 || false", self), "no such key: missing");
  EXPECT_EQ(Err("true && self.missing == 1", self), "no such key: missing");
  EXPECT_EQ(Ok("false ? self.missing : 2", self), 2);
}

TEST(CelTest, HasMacro) {
  Json self = Json::parse(R"({"a": {"b": 1}, "n": null})");
  EXPECT_EQ(Ok("has(self.a)", self), true);
  EXPECT_EQ(Ok("has(self.x)", self), false);
  EXPECT_EQ(Ok("has(self.a.b)", self), true);
  EXPECT_EQ(Ok("has(self.a.c)", self), false);
  EXPECT_EQ(Ok("has(self.n)", self), true);
  EXPECT_EQ(Ok("!has(self.x) || self.x > 0", self), true);
  EXPECT_EQ(Ok("has({'k': 1}.k)"), true);
  // has() tests the last field only: a missing parent is an error.
  EXPECT_EQ(Err("has(self.x.y)", self), "no such key: x");
  EXPECT_NE(CompileErr("has(self)").find("invalid argument to has() macro"), std::string::npos);
  EXPECT_NE(CompileErr("has(self['a'])").find("invalid argument to has() macro"),
            std::string::npos);
}

TEST(CelTest, EscapedPropertyNames) {
  Json self = Json::parse(R"({"x-y": 1, "a.b": 2, "c/d": 3, "e__f": 4, "namespace": "ns",
                              "if": true, "__dash__": 5})");
  EXPECT_EQ(Ok("self.x__dash__y", self), 1);
  EXPECT_EQ(Ok("self.a__dot__b", self), 2);
  EXPECT_EQ(Ok("self.c__slash__d", self), 3);
  EXPECT_EQ(Ok("self.e__underscores__f", self), 4);
  EXPECT_EQ(Ok("self.__namespace__", self), "ns");
  EXPECT_EQ(Ok("has(self.__if__) && self.__if__", self), true);
  EXPECT_EQ(Ok("self.__dash__", self), 5);  // a key spelled so is found as it is
  EXPECT_EQ(Ok("has(self.no__dash__such)", self), false);
  EXPECT_EQ(Err("self.no__dash__such", self), "no such key: no__dash__such");
}

TEST(CelTest, SyntaxErrors) {
  EXPECT_EQ(CompileErr("self.size <= "),
            "compilation failed: ERROR: <input>:1:14: Syntax error: mismatched input '<EOF>' "
            "expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, "
            "NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | self.size <= \n | .............^");
  EXPECT_EQ(CompileErr("self.a self.b"),
            "compilation failed: ERROR: <input>:1:8: Syntax error: mismatched input 'self' "
            "expecting <EOF>\n | self.a self.b\n | .......^");
  EXPECT_NE(
      CompileErr("self # 1").find("<input>:1:6: Syntax error: token recognition error at: '#'"),
      std::string::npos);
  EXPECT_NE(CompileErr("'unterminated").find("Syntax error"), std::string::npos);
  EXPECT_NE(CompileErr("(1 + 2").find("mismatched input '<EOF>' expecting ')'"),
            std::string::npos);
  EXPECT_NE(CompileErr("[1, 2").find("Syntax error"), std::string::npos);
  EXPECT_NE(CompileErr("{'a' 1}").find("Syntax error"), std::string::npos);
  EXPECT_NE(CompileErr("1 ? 2").find("Syntax error"), std::string::npos);
  EXPECT_NE(CompileErr("self.").find("Syntax error"), std::string::npos);
  EXPECT_NE(CompileErr("9223372036854775808").find("invalid int literal"), std::string::npos);
  EXPECT_NE(CompileErr("18446744073709551616u").find("invalid uint literal"), std::string::npos);
  EXPECT_NE(CompileErr("'\\q'").find("invalid escape sequence"), std::string::npos);
  EXPECT_NE(CompileErr("self.if").find("reserved identifier: if"), std::string::npos);
  EXPECT_NE(CompileErr("a = 1").find("Syntax error"), std::string::npos);
  EXPECT_NE(CompileErr("").find("<input>:1:1: Syntax error: mismatched input '<EOF>'"),
            std::string::npos);
  // The line and column of a later line.
  EXPECT_NE(CompileErr("self.a &&\n  )").find("<input>:2:3:"), std::string::npos);
}

TEST(CelTest, UndeclaredReferences) {
  EXPECT_EQ(CompileErr("foo == 1"),
            "compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in "
            "container '')\n | foo == 1\n | ^");
  EXPECT_NE(CompileErr("self.x.frobnicate()").find("undeclared reference to 'frobnicate'"),
            std::string::npos);
  EXPECT_NE(CompileErr("frobnicate(self)").find("undeclared reference to 'frobnicate'"),
            std::string::npos);
  // A macro variable is in scope only inside its macro.
  EXPECT_NE(CompileErr("self.l.all(x, x > 0) && x > 0").find("undeclared reference to 'x'"),
            std::string::npos);
  EXPECT_NE(CompileErr("self.l.all(x.y, true)").find("argument must be a simple name"),
            std::string::npos);
  EXPECT_NE(CompileErr("self.l.all(x)").find("undeclared reference to 'all'"), std::string::npos);
  EXPECT_NE(CompileErr("self.l.map(x, 1, 2, 3)").find("found no matching overload for 'map'"),
            std::string::npos);
  EXPECT_NE(CompileErr("self.matches('[')").find("invalid regular expression"),
            std::string::npos);
}

TEST(CelTest, RuntimeErrors) {
  Json self = Json{{"s", "x"}, {"i", 1}, {"l", {1, 2}}};
  EXPECT_EQ(Err("self.missing", self), "no such key: missing");
  EXPECT_EQ(Err("self['missing']", self), "no such key: missing");
  EXPECT_EQ(Err("self.s + self.i", self),
            "found no matching overload for '_+_' applied to '(string, int)'");
  EXPECT_EQ(Err("1 + 1.0"), "found no matching overload for '_+_' applied to '(int, double)'");
  EXPECT_EQ(Err("self.s < 1", self),
            "found no matching overload for '_<_' applied to '(string, int)'");
  EXPECT_EQ(Err("!1"), "found no matching overload for '!_' applied to '(int)'");
  EXPECT_EQ(Err("1 ? 2 : 3"), "found no matching overload for '_?_:_' applied to '(int)'");
  EXPECT_EQ(Err("1 || false"), "found no matching overload for '_||_' applied to '(int, bool)'");
  EXPECT_EQ(Err("self.i.x", self), "type 'int' does not support field selection");
  EXPECT_EQ(Err("self.l[2]", self), "index '2' out of range in list size '2'");
  EXPECT_EQ(Err("self.l[-1]", self), "index '-1' out of range in list size '2'");
  EXPECT_EQ(Err("self.l['a']", self),
            "found no matching overload for '_[_]' applied to '(list, string)'");
  EXPECT_EQ(Err("1 / 0"), "division by zero");
  EXPECT_EQ(Err("1 % 0"), "modulus by zero");
  EXPECT_EQ(Err("1u / 0u"), "division by zero");
  EXPECT_EQ(Err("9223372036854775807 + 1"), "integer overflow");
  EXPECT_EQ(Err("-9223372036854775807 - 2"), "integer overflow");
  EXPECT_EQ(Err("4611686018427387904 * 2"), "integer overflow");
  EXPECT_EQ(Err("-9223372036854775808 / -1"), "integer overflow");
  EXPECT_EQ(Err("-(-9223372036854775808)"), "integer overflow");
  EXPECT_EQ(Err("0u - 1u"), "unsigned integer overflow");
  EXPECT_EQ(Err("{'a': 1, 'a': 2}"), "Failed with repeated key: \"a\"");
  EXPECT_EQ(Err("{[1]: 2}"), "unsupported key type: list");
  // A rule must produce a bool.
  auto program = Compile("self.i");
  ASSERT_TRUE(program.ok());
  StatusOr<bool> r = EvaluateRule(**program, self, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cel expression must evaluate to a bool, not int");
}

TEST(CelTest, DeepNestingIsRejected) {
  std::string deep(150, '(');
  deep += "1";
  deep += std::string(150, ')');
  EXPECT_NE(CompileErr(deep).find("max recursion depth exceeded"), std::string::npos);
  std::string lists(150, '[');
  lists += std::string(150, ']');
  EXPECT_NE(CompileErr(lists).find("max recursion depth exceeded"), std::string::npos);
  std::string nots(5000, '!');
  EXPECT_NE(CompileErr(nots + "true").find("max recursion depth exceeded"), std::string::npos);
  std::string sum = "1";
  for (int i = 0; i < 200; ++i) sum += " + 1";
  EXPECT_NE(CompileErr(sum).find("max recursion depth exceeded"), std::string::npos);
  std::string chain = "self";
  for (int i = 0; i < 200; ++i) chain += ".a";
  EXPECT_NE(CompileErr(chain).find("max recursion depth exceeded"), std::string::npos);
  // Long && / || chains are balanced, so rules with many clauses stay within the limit.
  std::string clauses = "true";
  for (int i = 0; i < 500; ++i) clauses += " && true";
  EXPECT_EQ(Ok(clauses), true);
  // Moderate nesting is fine.
  std::string ok(50, '(');
  ok += "1";
  ok += std::string(50, ')');
  EXPECT_EQ(Ok(ok), 1);
}

TEST(CelTest, CostLimit) {
  std::string l = "[";
  for (int i = 0; i < 30; ++i) l += (i ? "," : "") + std::to_string(i);
  l += "]";
  // 30^4 evaluations of the innermost predicate: far beyond the budget.
  const std::string expr = l + ".all(a, " + l + ".all(b, " + l + ".all(c, " + l +
                           ".all(d, a + b + c + d >= 0))))";
  EXPECT_EQ(Err(expr), "operation cancelled: actual cost limit exceeded");
  // || does not absorb an exhausted budget.
  EXPECT_EQ(Err(expr + " || true"), "operation cancelled: actual cost limit exceeded");
  // Doubling a string at every step runs out of budget, not memory.
  std::string doubling = "'abcdefghijklmnopqrstuvwxyz'";
  for (int i = 0; i < 30; ++i) doubling = "[" + doubling + "].map(s, s + s)[0]";
  EXPECT_EQ(Err("size(" + doubling + ") > 0"), "operation cancelled: actual cost limit exceeded");
  // A linear rule over a large input stays within budget.
  Json items = Json::array();
  for (int i = 0; i < 10000; ++i) items.push_back(i);
  EXPECT_EQ(Ok("self.all(x, x >= 0)", items), true);
}

}  // namespace
}  // namespace minik::cel

namespace minik::cel {
namespace {

TEST(CelVariables, AdmissionPolicyStyleVariables) {
  auto p = Compile("object.metadata.name.startsWith('x') && request.operation == 'CREATE'",
                   {"object", "oldObject", "request", "params"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  Json object = {{"metadata", {{"name", "xy"}}}};
  Json request = {{"operation", "CREATE"}};
  auto r = EvaluateWith(**p, {{"object", &object}, {"request", &request}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, true);
  // A declared variable that is not given is an error only where it is read.
  auto params = Compile("params.max > 1", {"object", "params"});
  ASSERT_TRUE(params.ok());
  auto missing = EvaluateWith(**params, {{"object", &object}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such attribute: params"), std::string::npos);
  // self is not declared here; object is not declared for CRD rules.
  EXPECT_FALSE(Compile("self.a", {"object"}).ok());
  EXPECT_FALSE(Compile("object.a").ok());
  // Macro variables may not shadow the declared ones.
  EXPECT_FALSE(Compile("[1].all(object, object > 0)", {"object"}).ok());
}

}  // namespace
}  // namespace minik::cel
