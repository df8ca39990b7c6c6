#include <gtest/gtest.h>

#include "api/patch.h"

namespace minik {
namespace {

Json J(const char* s) { return Json::parse(s); }

Json MustApply(const char* doc, const char* patch) {
  auto r = ApplyJsonPatch(J(doc), J(patch));
  EXPECT_TRUE(r.ok()) << patch << ": " << r.status().message()
                      << (r.ok() || !r.status().details() || r.status().details()->causes.empty()
                              ? ""
                              : " / " + r.status().details()->causes[0].message);
  return r.ok() ? *r : Json();
}

std::string ApplyError(const char* doc, const char* patch, Code want = Code::kInvalid) {
  auto r = ApplyJsonPatch(J(doc), J(patch));
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.status().code(), want) << patch << ": " << r.status().message();
  if (want == Code::kInvalid) {
    EXPECT_EQ(r.status().message(), "the server rejected our request due to an error in our request");
    if (r.status().details() && !r.status().details()->causes.empty()) {
      EXPECT_EQ(r.status().details()->causes[0].field, "patch");
      return r.status().details()->causes[0].message;
    }
  }
  return r.status().message();
}

TEST(JsonPatchTest, Rfc6902Operations) {
  EXPECT_EQ(MustApply(R"({"a":1})", R"([{"op":"add","path":"/b","value":2}])"), J(R"({"a":1,"b":2})"));
  EXPECT_EQ(MustApply(R"({"a":1})", R"([{"op":"add","path":"/a","value":3}])"), J(R"({"a":3})"));
  EXPECT_EQ(MustApply(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/1","value":9}])"),
            J(R"({"l":[1,9,2]})"));
  EXPECT_EQ(MustApply(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/-","value":9}])"),
            J(R"({"l":[1,2,9]})"));
  EXPECT_EQ(MustApply(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/2","value":9}])"),
            J(R"({"l":[1,2,9]})"));
  EXPECT_EQ(MustApply(R"({"l":[1,2,3]})", R"([{"op":"remove","path":"/l/-1"}])"),
            J(R"({"l":[1,2]})"));
  EXPECT_EQ(MustApply(R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])"), J(R"({"b":2})"));
  EXPECT_EQ(MustApply(R"({"a":{"b":1}})", R"([{"op":"replace","path":"/a/b","value":[1]}])"),
            J(R"({"a":{"b":[1]}})"));
  EXPECT_EQ(MustApply(R"({"a":1})", R"([{"op":"replace","path":"","value":[1]}])"), J("[1]"));
  EXPECT_EQ(MustApply(R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])"),
            J(R"({"a":{},"b":{"y":1}})"));
  EXPECT_EQ(MustApply(R"({"l":[1,2,3]})", R"([{"op":"move","from":"/l/0","path":"/l/-"}])"),
            J(R"({"l":[2,3,1]})"));
  EXPECT_EQ(MustApply(R"({"a":{"x":1}})", R"([{"op":"copy","from":"/a","path":"/b"}])"),
            J(R"({"a":{"x":1},"b":{"x":1}})"));
  EXPECT_EQ(MustApply(R"({"a":[1,{"b":"c"}]})",
                      R"([{"op":"test","path":"/a","value":[1,{"b":"c"}]},
                          {"op":"test","path":"/a/1/b","value":"c"},
                          {"op":"test","path":"/missing","value":null}])"),
            J(R"({"a":[1,{"b":"c"}]})"));
  EXPECT_EQ(MustApply(R"({"a":1})", "[]"), J(R"({"a":1})"));
}

TEST(JsonPatchTest, Escaping) {
  EXPECT_EQ(MustApply(R"({"a/b":1,"c~d":2})",
                      R"([{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/c~0d"}])"),
            J(R"({"a/b":3})"));
  // "~01" is "~1" literally, not "/".
  EXPECT_EQ(MustApply(R"({})", R"([{"op":"add","path":"/~01","value":1}])"), J(R"({"~1":1})"));
  EXPECT_EQ(MustApply(R"({"metadata":{"annotations":{}}})",
                      R"([{"op":"add","path":"/metadata/annotations/example.com~1x","value":"y"}])"),
            J(R"({"metadata":{"annotations":{"example.com/x":"y"}}})"));
  EXPECT_EQ(MustApply(R"({"":{"":1}})", R"([{"op":"replace","path":"//","value":2}])"),
            J(R"({"":{"":2}})"));
}

TEST(JsonPatchTest, RolloutUndoShape) {
  Json dep = J(R"({"metadata":{"name":"web","annotations":{"a":"1"}},
      "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"v2"}]}}}})");
  Json patch = J(R"([{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"v1"}]}}},
      {"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"1"}}])");
  auto r = ApplyJsonPatch(dep, patch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["spec"]["containers"][0]["image"], "v1");
  EXPECT_EQ((*r)["metadata"]["annotations"], J(R"({"deployment.kubernetes.io/revision":"1"})"));
  EXPECT_EQ(dep["spec"]["template"]["spec"]["containers"][0]["image"], "v2");  // input untouched
}

TEST(JsonPatchTest, ApplyErrorsAre422) {
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"add","path":"/a/b","value":1}])"),
            "add operation does not apply: doc is missing path: \"/a/b\": missing value");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"remove","path":"/a"}])"),
            "Unable to remove nonexistent key: a: missing value");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"replace","path":"/a","value":1}])"),
            "replace operation does not apply: doc is missing key: /a: missing value");
  EXPECT_EQ(ApplyError(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])"),
            "testing value /a failed: test failed");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"frob","path":"/a"}])"), "Unexpected kind: frob");
  EXPECT_EQ(ApplyError(R"({})", R"([{"path":"/a"}])"), "Unexpected kind: unknown");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"add","value":1}])"), "operation is missing \"path\"");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"add","path":"/a"}])"), "add operation has no value");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"add","path":"a","value":1}])"),
            "invalid JSON pointer: \"a\"");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"move","from":"/x","path":"/a"}])"),
            "move operation does not apply: doc is missing from path: /x: missing value");
  EXPECT_EQ(ApplyError(R"({"a":{}})", R"([{"op":"move","from":"/a","path":"/a/b"}])"),
            "move operation does not apply: cannot move \"/a\" into its own child \"/a/b\"");
  EXPECT_EQ(ApplyError(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/x/y"}])"),
            "move operation does not apply: doc is missing destination path: /x/y: missing value");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"copy","from":"/x","path":"/a"}])"),
            "copy operation does not apply: doc is missing from path: /x: missing value");
  EXPECT_EQ(ApplyError(R"({})", R"([{"op":"remove","path":""}])"),
            "remove operation does not apply to the whole document");
  // Bad and hostile indices.
  for (const char* idx : {"3", "-4", "x", "-", "99999999999999999999999", "1e3", ""}) {
    std::string patch = std::string(R"([{"op":"replace","path":"/l/)") + idx + R"(","value":0}])";
    EXPECT_NE(ApplyError(R"({"l":[1,2,3]})", patch.c_str()), "<ok>") << idx;
  }
  EXPECT_EQ(ApplyError(R"({"l":[1]})", R"([{"op":"add","path":"/l/5","value":0}])"),
            "Unable to access invalid index: 5: invalid index referenced");
  EXPECT_EQ(ApplyError(R"({"s":"str"})", R"([{"op":"add","path":"/s/x","value":0}])"),
            "add operation does not apply: doc is missing path: \"/s/x\": missing value");
  // The input is not modified by a failing patch, even after earlier ops succeeded.
  Json doc = J(R"({"a":1})");
  EXPECT_FALSE(ApplyJsonPatch(doc, J(R"([{"op":"add","path":"/b","value":2},{"op":"remove","path":"/zz"}])")).ok());
  EXPECT_EQ(doc, J(R"({"a":1})"));
}

TEST(JsonPatchTest, DecodeErrorsAreBadRequest) {
  EXPECT_EQ(ApplyError("{}", R"({"op":"add"})", Code::kBadRequest),
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  EXPECT_EQ(ApplyError("{}", R"([1])", Code::kBadRequest),
            "json: cannot unmarshal number into Go value of type jsonpatch.Operation");
  EXPECT_EQ(ApplyError("{}", "null", Code::kBadRequest),
            "json: cannot unmarshal null into Go value of type jsonpatch.Patch");
}

TEST(JsonPatchTest, Limits) {
  Json many = Json::array();
  for (int i = 0; i < 10001; ++i) many.push_back(J(R"({"op":"test","path":"","value":{}})"));
  auto r = ApplyJsonPatch(Json::object(), many);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kRequestEntityTooLarge);
  EXPECT_EQ(r.status().message(), "The allowed maximum operations in a JSON patch is 10000, got 10001");
  many.erase(many.begin());
  EXPECT_TRUE(ApplyJsonPatch(Json::object(), many).ok());

  // Copy bomb: doubling an array is stopped by the accumulated copy limit.
  Json bomb = Json::array();
  bomb.push_back(J(R"({"op":"add","path":"/a","value":["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]})"));
  for (int i = 0; i < 60; ++i) bomb.push_back(J(R"({"op":"copy","from":"/a","path":"/a/-"})"));
  r = ApplyJsonPatch(Json::object(), bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().details()->causes[0].message.find("accumulated size increase of copy"),
            std::string::npos);

  // Depth bomb: copying a value into itself repeatedly doubles the depth.
  Json deep = Json::array();
  deep.push_back(J(R"({"op":"add","path":"/a","value":{"b":{}}})"));
  for (int i = 0; i < 60; ++i) deep.push_back(J(R"({"op":"copy","from":"/a","path":"/a/b/x"})"));
  r = ApplyJsonPatch(Json::object(), deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().details()->causes[0].message.find("deeper than 100"), std::string::npos);
}

}  // namespace
}  // namespace minik
