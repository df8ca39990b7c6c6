#include <gtest/gtest.h>

#include "apiserver/router.h"

namespace minik {
namespace {

TEST(StatusToJson, NotFoundWithDetails) {
  Json j = StatusToJson(NotFound("deployments.apps", "web"));
  EXPECT_EQ(j["kind"], "Status");
  EXPECT_EQ(j["apiVersion"], "v1");
  EXPECT_EQ(j["metadata"], Json::object());
  EXPECT_EQ(j["status"], "Failure");
  EXPECT_EQ(j["message"], "deployments.apps \"web\" not found");
  EXPECT_EQ(j["reason"], "NotFound");
  EXPECT_EQ(j["code"], 404);
  EXPECT_EQ(j["details"], Json({{"name", "web"}, {"group", "apps"}, {"kind", "deployments"}}));
}

TEST(StatusToJson, InvalidWithCauses) {
  Status s = Invalid(
      "Pod", "p",
      {{"FieldValueRequired", "Required value", "spec.containers"}, {"", "only a message", ""}});
  Json j = StatusToJson(s);
  EXPECT_EQ(j["reason"], "Invalid");
  EXPECT_EQ(j["code"], 422);
  ASSERT_TRUE(j["details"]["causes"].is_array());
  ASSERT_EQ(j["details"]["causes"].size(), 2u);
  EXPECT_EQ(j["details"]["causes"][0], Json({{"reason", "FieldValueRequired"},
                                             {"message", "Required value"},
                                             {"field", "spec.containers"}}));
  // Empty cause fields are omitted, as Go's omitempty does.
  EXPECT_EQ(j["details"]["causes"][1], Json({{"message", "only a message"}}));
}

TEST(StatusToJson, NoDetailsOmitsDetails) {
  Json j = StatusToJson(
      Status(Code::kRequestEntityTooLarge, "Request entity too large: limit is 3145728"));
  EXPECT_FALSE(j.contains("details"));
  EXPECT_EQ(j["reason"], "RequestEntityTooLarge");
  EXPECT_EQ(j["code"], 413);
  EXPECT_EQ(j["message"], "Request entity too large: limit is 3145728");
}

TEST(StatusToJson, EmptyDetailsAreOmitted) {
  Status s(Code::kConflict, "conflict", StatusDetails{});
  EXPECT_FALSE(StatusToJson(s).contains("details"));
}

TEST(StatusToJson, RetryAfter) {
  StatusDetails d;
  d.retry_after_seconds = 3;
  Json j = StatusToJson(Status(Code::kTooManyRequests, "slow down", d));
  EXPECT_EQ(j["details"]["retryAfterSeconds"], 3);
  EXPECT_EQ(j["code"], 429);
}

TEST(StatusToJson, OkIsSuccess) {
  Json j = StatusToJson(Status::Ok());
  EXPECT_EQ(j["status"], "Success");
  EXPECT_EQ(j["code"], 200);
  EXPECT_FALSE(j.contains("reason"));
  EXPECT_FALSE(j.contains("message"));
  StatusDetails d;
  d.name = "x";
  d.kind = "pods";
  Json deleted = StatusToJson(Status(Code::kOk, "", d));
  EXPECT_EQ(deleted["status"], "Success");
  EXPECT_EQ(deleted["details"]["name"], "x");
}

TEST(StatusToJson, EveryCodeHasReasonAndHttpCode) {
  for (int c = static_cast<int>(Code::kBadRequest); c <= static_cast<int>(Code::kTimeout); ++c) {
    Json j = StatusToJson(Status(static_cast<Code>(c), "m"));
    EXPECT_EQ(j["status"], "Failure");
    EXPECT_FALSE(j["reason"].get<std::string>().empty());
    EXPECT_GE(j["code"].get<int>(), 400);
  }
}

}  // namespace
}  // namespace minik
