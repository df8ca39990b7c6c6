#include "cmd/probe.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

TEST(NodeJsonReady, ReadyTrue) {
  EXPECT_TRUE(NodeJsonReady(R"({"status":{"conditions":[
      {"type":"MemoryPressure","status":"False"},
      {"type":"Ready","status":"True","reason":"KubeletReady"}]}})")
                  .ok());
}

TEST(NodeJsonReady, NotReady) {
  Status st = NodeJsonReady(
      R"({"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"}]}})");
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_NE(st.message().find("KubeletNotReady"), std::string::npos);
  EXPECT_EQ(
      NodeJsonReady(R"({"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})").code(),
      Code::kServiceUnavailable);
}

TEST(NodeJsonReady, OddShapes) {
  EXPECT_EQ(NodeJsonReady("not json").code(), Code::kBadRequest);
  EXPECT_EQ(NodeJsonReady("[]").code(), Code::kBadRequest);
  for (const char* body :
       {"{}", R"({"status":5})", R"({"status":{}})", R"({"status":{"conditions":{}}})",
        R"({"status":{"conditions":[1,"x",null]}})",
        R"({"status":{"conditions":[{"type":5,"status":true}]}})",
        R"({"status":{"conditions":[{"type":"Ready","status":"False","reason":7}]}})"}) {
    EXPECT_EQ(NodeJsonReady(body).code(), Code::kServiceUnavailable) << body;
  }
}

}  // namespace
}  // namespace minik
