#include "api/json.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

TEST(JsonTest, ParsesValidDocuments) {
  auto j = ParseJson(R"({"a":[1,2,{"b":"c"}],"d":null,"e":1.5,"f":true})");
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ((*j)["a"][2]["b"], "c");
  EXPECT_TRUE((*j)["d"].is_null());
  auto s = ParseJson(R"("just a string")");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "just a string");
}

TEST(JsonTest, RejectsMalformed) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,2", "{\"a\":1}x", "nul", "{'a':1}",
                          "\"\xff\xfe\"", "{\"a\" 1}", "[1,]"}) {
    auto r = ParseJson(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kBadRequest);
    EXPECT_FALSE(r.status().message().empty());
    EXPECT_EQ(r.status().message().find("[json.exception"), std::string::npos)
        << r.status().message();
  }
}

TEST(JsonTest, NumberEdges) {
  EXPECT_FALSE(ParseJson("1e400").ok());
  EXPECT_FALSE(ParseJson("[-1e400]").ok());
  auto big = ParseJson("123456789012345678901234567890");
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->is_number_float());
  auto neg = ParseJson("-9223372036854775808");
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(neg->get<int64_t>(), INT64_MIN);
}

TEST(JsonTest, DepthBound) {
  std::string ok_doc = std::string(100, '[') + std::string(100, ']');
  EXPECT_TRUE(ParseJson(ok_doc).ok());
  std::string deep = std::string(101, '[') + std::string(101, ']');
  auto r = ParseJson(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  EXPECT_NE(r.status().message().find("depth"), std::string::npos);
  // Hostile depth far beyond the stack: rejected early, no crash.
  std::string hostile;
  for (int i = 0; i < 1000000; ++i) hostile += "{\"a\":";
  EXPECT_FALSE(ParseJson(hostile).ok());
  std::string arrays(1000000, '[');
  EXPECT_FALSE(ParseJson(arrays).ok());
  // Custom limit.
  EXPECT_FALSE(ParseJson(R"({"a":{"b":{}}})", 2).ok());
  EXPECT_TRUE(ParseJson(R"({"a":{"b":{}}})", 3).ok());
}

TEST(JsonTest, Accessors) {
  Json o = Json::parse(R"({"metadata":{"name":"web","namespace":"default","uid":"u1",
      "resourceVersion":"7","labels":{"app":"web"},"generation":3},
      "spec":{"replicas":"3","big":18446744073709551615,"neg":-4,"f":2.5}})");
  EXPECT_EQ(Name(o), "web");
  EXPECT_EQ(Namespace(o), "default");
  EXPECT_EQ(Uid(o), "u1");
  EXPECT_EQ(ResourceVersion(o), "7");
  EXPECT_EQ(GetInt(o, {"metadata", "generation"}), 3);
  EXPECT_EQ(GetInt(o, {"spec", "replicas"}, -1), -1);  // wrong type
  EXPECT_EQ(GetInt(o, {"spec", "big"}, -1), -1);       // out of range
  EXPECT_EQ(GetInt(o, {"spec", "neg"}), -4);
  EXPECT_EQ(GetInt(o, {"spec", "f"}, 9), 9);
  EXPECT_EQ(GetInt(o, {"spec", "missing"}, 9), 9);
  EXPECT_EQ(GetString(o, {"metadata", "name", "deeper"}), "");
  EXPECT_EQ(GetString(o, {"metadata", "generation"}), "");
  EXPECT_EQ(Find(o, {"nope"}), nullptr);
  ASSERT_NE(Find(o, {"spec"}), nullptr);
  EXPECT_EQ(Labels(o)["app"], "web");
  EXPECT_EQ(ObjectKey(o), "default/web");

  Json cluster = Json::parse(R"({"metadata":{"name":"n1","labels":"oops"}})");
  EXPECT_EQ(ObjectKey(cluster), "n1");
  EXPECT_TRUE(Labels(cluster).is_object());
  EXPECT_TRUE(Labels(cluster).empty());

  Json not_obj = Json::array({1, 2});
  EXPECT_EQ(Name(not_obj), "");
  EXPECT_TRUE(Labels(not_obj).empty());
  EXPECT_EQ(ObjectKey(Json()), "");
}

}  // namespace
}  // namespace minik
