// Functions and macros of the CEL evaluator: size, the string functions (standard and the
// Kubernetes/cel-go ext.Strings ones), conversions, all/exists/exists_one/map/filter.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cel/cel.h"

namespace minik::cel {
namespace {

StatusOr<Json> Eval(const std::string& expr, const Json& self) {
  auto program = Compile(expr);
  EXPECT_TRUE(program.ok()) << expr << ": " << program.status().message();
  if (!program.ok()) return program.status();
  return Evaluate(**program, self, nullptr);
}

Json Ok(const std::string& expr, const Json& self = Json::object()) {
  StatusOr<Json> v = Eval(expr, self);
  EXPECT_TRUE(v.ok()) << expr << ": " << v.status().message();
  return v.ok() ? *v : Json("<error>");
}

std::string Err(const std::string& expr, const Json& self = Json::object()) {
  StatusOr<Json> v = Eval(expr, self);
  EXPECT_FALSE(v.ok()) << expr << " = " << (v.ok() ? v->dump() : "");
  return v.ok() ? "" : v.status().message();
}

TEST(CelFunctionsTest, Size) {
  Json self = Json::parse(R"({"s": "héllo", "l": [1, 2, 3], "m": {"a": 1, "b": 2}})");
  EXPECT_EQ(Ok("size(self.s)", self), 5);  // code points, not bytes
  EXPECT_EQ(Ok("self.s.size()", self), 5);
  EXPECT_EQ(Ok("size(self.l)", self), 3);
  EXPECT_EQ(Ok("self.l.size()", self), 3);
  EXPECT_EQ(Ok("size(self.m)", self), 2);
  EXPECT_EQ(Ok("self.m.size() == 2", self), true);
  EXPECT_EQ(Ok("size(b'h\\xc3\\xa9')"), 3);  // bytes count bytes
  EXPECT_EQ(Ok("size('')"), 0);
  EXPECT_EQ(Ok("size([])"), 0);
  EXPECT_EQ(Err("size(1)"), "found no matching overload for 'size' applied to '(int)'");
}

TEST(CelFunctionsTest, StandardStringFunctions) {
  EXPECT_EQ(Ok("'hello'.contains('ell')"), true);
  EXPECT_EQ(Ok("'hello'.contains('xyz')"), false);
  EXPECT_EQ(Ok("'hello'.startsWith('he')"), true);
  EXPECT_EQ(Ok("'hello'.endsWith('lo')"), true);
  EXPECT_EQ(Ok("'hello'.endsWith('he')"), false);
  EXPECT_EQ(Ok("'abc-123'.matches('^[a-z]+-[0-9]+$')"), true);
  EXPECT_EQ(Ok("'abc'.matches('b')"), true);  // RE2 semantics: a match anywhere
  EXPECT_EQ(Ok("'ABC'.matches('^[a-z]+$')"), false);
  EXPECT_EQ(Ok("matches('abc', 'a.c')"), true);
  // A pattern computed at run time is compiled then.
  EXPECT_EQ(Ok("self.s.matches(self.p)", Json{{"s", "x1"}, {"p", "^x[0-9]$"}}), true);
  EXPECT_EQ(Err("self.s.matches(self.p)", Json{{"s", "x"}, {"p", "("}}),
            "invalid regular expression: (");
  // Counted repetition is bounded as in RE2 (at most 1000, and no huge expansions).
  EXPECT_EQ(Ok("'aaa'.matches('^a{1,1000}$')"), true);
  EXPECT_EQ(Ok("'10.0.0.1'.matches('^[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}$')"),
            true);
  EXPECT_EQ(Err("self.matches(self)", Json("a{1001}")),
            "invalid regular expression: a{1001}: expression too large");
  EXPECT_EQ(Err("self.matches(self)", Json("((a{1000}){1000}){1000}")),
            "invalid regular expression: ((a{1000}){1000}){1000}: expression too large");
  // Linear-time matching without recursion per character: long inputs and patterns that
  // make a backtracking matcher exponential are fine.
  EXPECT_EQ(Ok("self.matches('^(a|b)*$')", Json(std::string(100000, 'a'))), true);
  EXPECT_EQ(Ok("self.matches('(a*)*b')", Json(std::string(10000, 'a'))), false);
  EXPECT_EQ(Ok("self.matches('a$')", Json(std::string(10000, 'a'))), true);
  EXPECT_EQ(Ok("'ab\\ncd'.matches('^cd')"), false);  // ^ anchors the input, not a line
  EXPECT_EQ(Ok("'x-y'.matches('x|z')"), true);
  EXPECT_EQ(Err("self.matches(self)", Json("(a)\\1")),
            "invalid regular expression: (a)\\1: invalid escape sequence");
  EXPECT_EQ(Err("self.matches(self)", Json("a)(b")), "invalid regular expression: a)(b");
  EXPECT_EQ(Err("'a'.contains(1)"),
            "found no matching overload for 'contains' applied to '(string, int)'");
}

TEST(CelFunctionsTest, KubernetesStringFunctions) {
  EXPECT_EQ(Ok("'TacoCÆt Xii'.lowerAscii()"), "tacocÆt xii");
  EXPECT_EQ(Ok("'TacoCÆt Xii'.upperAscii()"), "TACOCÆT XII");
  EXPECT_EQ(Ok("'  \\ttrim\\n    '.trim()"), "trim");
  EXPECT_EQ(Ok("'\\u00a0x\\u3000'.trim()"), "x");
  EXPECT_EQ(Ok("'hello hello hello'.split(' ')"), Json::parse(R"(["hello","hello","hello"])"));
  EXPECT_EQ(Ok("'hello hello hello'.split(' ', 0)"), Json::array());
  EXPECT_EQ(Ok("'hello hello hello'.split(' ', 1)"), Json::parse(R"(["hello hello hello"])"));
  EXPECT_EQ(Ok("'hello hello hello'.split(' ', 2)"), Json::parse(R"(["hello","hello hello"])"));
  EXPECT_EQ(Ok("'hello hello hello'.split(' ', -1)").size(), 3u);
  EXPECT_EQ(Ok("'abc'.split('')"), Json::parse(R"(["a","b","c"])"));
  EXPECT_EQ(Ok("['hello', 'mellow'].join()"), "hellomellow");
  EXPECT_EQ(Ok("['hello', 'mellow'].join(' ')"), "hello mellow");
  EXPECT_EQ(Ok("[].join('/')"), "");
  EXPECT_EQ(Ok("self.join(',')", Json::parse(R"(["a","b"])")), "a,b");
  EXPECT_EQ(Err("[1].join()"), "found no matching overload for 'join' applied to '(list)'");

  EXPECT_EQ(Ok("'hello mellow'.indexOf('')"), 0);
  EXPECT_EQ(Ok("'hello mellow'.indexOf('ello')"), 1);
  EXPECT_EQ(Ok("'hello mellow'.indexOf('jello')"), -1);
  EXPECT_EQ(Ok("'hello mellow'.indexOf('', 2)"), 2);
  EXPECT_EQ(Ok("'hello mellow'.indexOf('ello', 2)"), 7);
  EXPECT_EQ(Err("'hello mellow'.indexOf('ello', 20)"), "index out of range: 20");
  EXPECT_EQ(Ok("'héllo'.indexOf('l')"), 2);
  EXPECT_EQ(Ok("'hello mellow'.lastIndexOf('')"), 12);
  EXPECT_EQ(Ok("'hello mellow'.lastIndexOf('ello')"), 7);
  EXPECT_EQ(Ok("'hello mellow'.lastIndexOf('jello')"), -1);
  EXPECT_EQ(Ok("'hello mellow'.lastIndexOf('ello', 6)"), 1);
  EXPECT_EQ(Err("'hello mellow'.lastIndexOf('ello', -1)"), "index out of range: -1");

  EXPECT_EQ(Ok("'hello hello'.replace('he', 'we')"), "wello wello");
  EXPECT_EQ(Ok("'hello hello'.replace('he', 'we', -1)"), "wello wello");
  EXPECT_EQ(Ok("'hello hello'.replace('he', 'we', 1)"), "wello hello");
  EXPECT_EQ(Ok("'hello hello'.replace('he', 'we', 0)"), "hello hello");
  EXPECT_EQ(Ok("'ab'.replace('', '-')"), "-a-b-");

  EXPECT_EQ(Ok("'tacocat'.substring(4)"), "cat");
  EXPECT_EQ(Ok("'tacocat'.substring(0, 4)"), "taco");
  EXPECT_EQ(Ok("'héllo'.substring(1, 2)"), "é");
  EXPECT_EQ(Err("'tacocat'.substring(-1)"), "index out of range: -1");
  EXPECT_EQ(Err("'tacocat'.substring(2, 1)"), "invalid substring range. start: 2, end: 1");
  EXPECT_EQ(Err("'tacocat'.substring(0, 8)"), "index out of range: 8");

  EXPECT_EQ(Ok("'hello'.charAt(4)"), "o");
  EXPECT_EQ(Ok("'hello'.charAt(5)"), "");
  EXPECT_EQ(Ok("'héllo'.charAt(1)"), "é");
  EXPECT_EQ(Err("'hello'.charAt(-1)"), "index out of range: -1");
}

TEST(CelFunctionsTest, Conversions) {
  EXPECT_EQ(Ok("int('42')"), 42);
  EXPECT_EQ(Ok("int(-3.9)"), -3);
  EXPECT_EQ(Ok("int(5u)"), 5);
  EXPECT_EQ(Err("int('4x')"), "cannot convert string '4x' to int");
  EXPECT_EQ(Err("int(1e19)"), "integer overflow");
  EXPECT_EQ(Err("int(18446744073709551615u)"), "integer overflow");
  EXPECT_EQ(Ok("uint(42)"), Json(uint64_t{42}));
  EXPECT_EQ(Err("uint(-1)"), "unsigned integer overflow");
  EXPECT_EQ(Ok("uint('7')"), Json(uint64_t{7}));
  EXPECT_EQ(Ok("double(3)"), 3.0);
  EXPECT_EQ(Ok("double('2.5')"), 2.5);
  EXPECT_EQ(Ok("string(42)"), "42");
  EXPECT_EQ(Ok("string(42u)"), "42");
  EXPECT_EQ(Ok("string(1.5)"), "1.5");
  EXPECT_EQ(Ok("string(100000.0)"), "100000");
  EXPECT_EQ(Ok("string(1000000.0)"), "1e+06");
  EXPECT_EQ(Ok("string(0.0001)"), "0.0001");
  EXPECT_EQ(Ok("string(0.00001)"), "1e-05");
  EXPECT_EQ(Ok("string(true)"), "true");
  EXPECT_EQ(Ok("string(b'abc')"), "abc");
  EXPECT_EQ(Ok("string(self.n) + 'x'", Json{{"n", 3}}), "3x");
  EXPECT_EQ(Ok("bytes('abc') == b'abc'"), true);
  EXPECT_EQ(Ok("bool('true')"), true);
  EXPECT_EQ(Ok("dyn(1) + 2"), 3);
  EXPECT_EQ(Ok("type(1) == int && type('a') == string && type(1u) == uint"), true);
  EXPECT_EQ(Ok("type([]) == list && type({}) == map && type(null) == null_type"), true);
  EXPECT_EQ(Ok("type(int) == type"), true);
  EXPECT_EQ(Err("int([])"), "found no matching overload for 'int' applied to '(list)'");
}

TEST(CelFunctionsTest, AllAndExists) {
  Json self = Json::parse(R"({"items": [{"name": "a", "n": 1}, {"name": "b", "n": 2}],
                              "empty": [], "labels": {"app": "x", "tier": "y"}})");
  EXPECT_EQ(Ok("self.items.all(i, i.n > 0)", self), true);
  EXPECT_EQ(Ok("self.items.all(i, i.n > 1)", self), false);
  EXPECT_EQ(Ok("self.items.exists(i, i.name == 'b')", self), true);
  EXPECT_EQ(Ok("self.items.exists(i, i.name == 'c')", self), false);
  EXPECT_EQ(Ok("self.empty.all(i, false)", self), true);
  EXPECT_EQ(Ok("self.empty.exists(i, true)", self), false);
  EXPECT_EQ(Ok("self.items.exists_one(i, i.n == 1)", self), true);
  EXPECT_EQ(Ok("self.items.exists_one(i, i.n > 0)", self), false);
  // Over maps, macros range over the keys.
  EXPECT_EQ(Ok("self.labels.all(k, k.size() > 2)", self), true);
  EXPECT_EQ(Ok("self.labels.exists(k, self.labels[k] == 'y')", self), true);
  // An error for one element is absorbed when another decides the result.
  EXPECT_EQ(Ok("[1, 'a'].exists(x, x > 0)"), true);
  EXPECT_EQ(Ok("['a', 0].all(x, x > 0)"), false);
  EXPECT_EQ(Err("[1, 'a'].all(x, x > 0)"),
            "found no matching overload for '_>_' applied to '(string, int)'");
  EXPECT_EQ(Err("self.items.all(i, i.missing)", self), "no such key: missing");
  // Nested macros and shadowing.
  EXPECT_EQ(Ok("[[1, 2], [3]].all(l, l.all(x, x > 0))"), true);
  EXPECT_EQ(Ok("[1].all(x, [2].all(x, x == 2)) "), true);
  EXPECT_EQ(Err("1.all(x, true)"), "found no matching overload for 'all' applied to '(int)'");
}

TEST(CelFunctionsTest, MapAndFilter) {
  EXPECT_EQ(Ok("[1, 2, 3].map(x, x * 2)"), Json::parse("[2, 4, 6]"));
  EXPECT_EQ(Ok("[1, 2, 3].map(x, x > 1, x * 10)"), Json::parse("[20, 30]"));
  EXPECT_EQ(Ok("[1, 2, 3, 4].filter(x, x % 2 == 0)"), Json::parse("[2, 4]"));
  EXPECT_EQ(Ok("{'a': 1, 'b': 2}.map(k, k + k)"), Json::parse(R"(["aa", "bb"])"));
  EXPECT_EQ(Ok("{'a': 1, 'b': 2}.filter(k, k == 'b')"), Json::parse(R"(["b"])"));
  EXPECT_EQ(Ok("self.filter(c, c.ready).map(c, c.name)",
               Json::parse(R"([{"name": "x", "ready": true}, {"name": "y", "ready": false}])")),
            Json::parse(R"(["x"])"));
  EXPECT_EQ(Ok("self.map(x, x.name).size() == self.size()",
               Json::parse(R"([{"name": "x"}, {"name": "y"}])")),
            true);
  EXPECT_EQ(Err("[1].filter(x, x)"),
            "found no matching overload for '_?_:_' applied to '(int)'");
  EXPECT_EQ(Err("[0].map(x, 1 / x)"), "division by zero");
}

TEST(CelFunctionsTest, TypicalKubernetesRules) {
  Json spec = Json::parse(R"({"replicas": 3, "minReplicas": 1, "maxReplicas": 5,
                              "image": "nginx:1.25", "ports": [{"port": 80}, {"port": 443}],
                              "mode": "Auto"})");
  EXPECT_EQ(Ok("self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas", spec),
            true);
  EXPECT_EQ(Ok("self.image.contains(':') && !self.image.endsWith(':latest')", spec), true);
  EXPECT_EQ(Ok("self.ports.all(p, p.port > 0 && p.port < 65536)", spec), true);
  EXPECT_EQ(Ok("self.ports.map(p, p.port).exists(p, p == 443)", spec), true);
  EXPECT_EQ(Ok("self.mode in ['Auto', 'Manual']", spec), true);
  EXPECT_EQ(Ok("!has(self.suspend) || self.suspend == false", spec), true);
  EXPECT_EQ(Ok("self.image.split(':')[1] == '1.25'", spec), true);
}

TEST(CelFunctionsTest, ProgramIsSharedAcrossThreads) {
  auto program = Compile(
      "self.name.matches('^[a-z]+-[0-9]+$') && self.items.all(i, i.split('=').size() == 2)");
  ASSERT_TRUE(program.ok()) << program.status().message();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const bool good = (i + t) % 2 == 0;
        Json self = {{"name", good ? "web-" + std::to_string(i) : "Web"},
                     {"items", {"a=1", "b=2"}}};
        StatusOr<bool> r = EvaluateRule(**program, self, nullptr);
        if (!r.ok() || *r != good) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(CelFunctionsTest, ResultsAsJson) {
  EXPECT_EQ(Ok("{1: 'a', true: 'b'}"), Json::parse(R"({"1": "a", "true": "b"})"));
  EXPECT_EQ(Ok("[b'x', 2u, double('Infinity')]"), Json::parse(R"(["x", 2, null])"));
  EXPECT_EQ(Ok("self.map(x, x)", Json::parse(R"([{"a": 1}])")), Json::parse(R"([{"a": 1}])"));
  EXPECT_EQ(Ok("int"), "int");
}

}  // namespace
}  // namespace minik::cel
