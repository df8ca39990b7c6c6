#include <gtest/gtest.h>

#include "api/patch.h"

namespace minik {
namespace {

Json J(const char* s) { return Json::parse(s); }

// The examples of RFC 7386, appendix A.
TEST(MergePatchTest, Rfc7386Examples) {
  struct Case {
    const char* doc;
    const char* patch;
    const char* want;
  } cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ApplyMergePatch(J(c.doc), J(c.patch)), J(c.want)) << c.doc << " + " << c.patch;
  }
}

TEST(MergePatchTest, KubectlShapes) {
  Json dep = J(R"({"metadata":{"name":"web","labels":{"app":"web","tier":"fe"}},"spec":{"replicas":1,
      "template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}})");
  // kubectl scale / label / annotate.
  Json out = ApplyMergePatch(dep, J(R"({"spec":{"replicas":3}})"));
  EXPECT_EQ(out["spec"]["replicas"], 3);
  out = ApplyMergePatch(out, J(R"({"metadata":{"labels":{"tier":null,"env":"prod"}}})"));
  EXPECT_EQ(out["metadata"]["labels"], J(R"({"app":"web","env":"prod"})"));
  // Lists are replaced wholesale.
  out = ApplyMergePatch(out, J(R"({"spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}})"));
  EXPECT_EQ(out["spec"]["template"]["spec"]["containers"], J(R"([{"name":"c"}])"));
  EXPECT_EQ(dep["spec"]["replicas"], 1);  // input untouched
}

}  // namespace
}  // namespace minik
