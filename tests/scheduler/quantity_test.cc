#include "scheduler/quantity.h"

#include <gtest/gtest.h>

#include <limits>

#include "scheduler/resources.h"

namespace minik::sched {
namespace {

int64_t Milli(const std::string& s) {
  auto q = ParseQuantity(s);
  EXPECT_TRUE(q.ok()) << s << ": " << q.status().message();
  return q.ok() ? q->MilliValue() : -12345;
}

int64_t Value(const std::string& s) {
  auto q = ParseQuantity(s);
  EXPECT_TRUE(q.ok()) << s << ": " << q.status().message();
  return q.ok() ? q->Value() : -12345;
}

TEST(QuantityTest, DecimalSuffixes) {
  EXPECT_EQ(Milli("100m"), 100);
  EXPECT_EQ(Milli("1"), 1000);
  EXPECT_EQ(Milli("0.1"), 100);  // exact, no floating-point ceil to 101
  EXPECT_EQ(Milli("2.5"), 2500);
  EXPECT_EQ(Value("1k"), 1000);
  EXPECT_EQ(Value("1M"), 1000000);
  EXPECT_EQ(Value("3G"), 3000000000);
  EXPECT_EQ(Value("1T"), 1000000000000);
  EXPECT_EQ(Value("1P"), 1000000000000000);
  EXPECT_EQ(Value("2E"), 2000000000000000000);
  EXPECT_EQ(Milli("250u"), 1);  // rounds up
  EXPECT_EQ(Milli("100n"), 1);
  EXPECT_EQ(Value("+5"), 5);
  EXPECT_EQ(Value("5."), 5);
  EXPECT_EQ(Value(".5"), 1);
  EXPECT_EQ(Value("0"), 0);
  EXPECT_EQ(Milli("000"), 0);
  EXPECT_EQ(Value("-1"), -1);
  EXPECT_EQ(Milli("-100m"), -100);
}

TEST(QuantityTest, BinarySuffixes) {
  EXPECT_EQ(Value("1Ki"), 1024);
  EXPECT_EQ(Value("128Mi"), 134217728);
  EXPECT_EQ(Value("1.5Gi"), 1610612736);
  EXPECT_EQ(Value("1Ti"), 1099511627776);
  EXPECT_EQ(Value("1Pi"), 1125899906842624);
  EXPECT_EQ(Value("1Ei"), 1152921504606846976);
  EXPECT_EQ(Milli("1Ki"), 1024000);
  EXPECT_EQ(Value("0.5Ki"), 512);
}

TEST(QuantityTest, Exponents) {
  EXPECT_EQ(Value("2e3"), 2000);
  EXPECT_EQ(Value("1E3"), 1000);
  EXPECT_EQ(Value("1e+3"), 1000);
  EXPECT_EQ(Milli("1e-3"), 1);
  EXPECT_EQ(Milli("15e-4"), 2);  // 1.5m rounds up
  EXPECT_EQ(Value("12e0"), 12);
}

TEST(QuantityTest, SaturatesInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Value("123456789012345678901234567890"), kMax);
  EXPECT_EQ(Value("9Ei"), kMax);
  EXPECT_EQ(Milli("10E"), kMax);
  EXPECT_EQ(Value("1e999"), kMax);
  EXPECT_EQ(Milli("1e-999"), 1);
  EXPECT_EQ(Value("-1e999"), -kMax);
  // Many digits: precision beyond 20 digits still rounds up.
  EXPECT_EQ(Value("1.000000000000000000000000001"), 2);
  EXPECT_EQ(Value("1.000000000000000000000000000"), 1);
}

TEST(QuantityTest, RejectsMalformed) {
  for (const char* bad : {"", "abc", "1.2.3", "1Kb", "1e", "e3", ".", "1 m", "1mi", "m", "--1",
                          "1e+", "1e3.5", "1ki", "0x10", "1Gi ", " 1", "+", "1e1001"}) {
    auto q = ParseQuantity(bad);
    EXPECT_FALSE(q.ok()) << "'" << bad << "'";
    if (!q.ok()) {
      EXPECT_EQ(q.status().code(), Code::kBadRequest);
      EXPECT_NE(q.status().message().find("quantities must match the regular expression"),
                std::string::npos);
    }
  }
  EXPECT_FALSE(ParseQuantity(std::string(300, '1')).ok());
}

TEST(QuantityTest, FromJson) {
  EXPECT_EQ(QuantityFromJson(Json("2"))->MilliValue(), 2000);
  EXPECT_EQ(QuantityFromJson(Json(3))->Value(), 3);
  EXPECT_EQ(QuantityFromJson(Json(0.5))->MilliValue(), 500);
  EXPECT_FALSE(QuantityFromJson(Json(nullptr)).ok());
  EXPECT_FALSE(QuantityFromJson(Json::array()).ok());
  EXPECT_FALSE(QuantityFromJson(Json(true)).ok());
}

TEST(ResourcesTest, PodRequestsSumsContainersAndTakesInitMax) {
  Json pod = Json::parse(R"({"spec":{
    "initContainers":[{"name":"i1","resources":{"requests":{"cpu":"2","memory":"1G"}}},
                      {"name":"i2","resources":{"requests":{"cpu":"2","memory":"3G"}}}],
    "containers":[{"name":"c1","resources":{"requests":{"cpu":"2","memory":"1G"}}},
                  {"name":"c2","resources":{"requests":{"cpu":"1","memory":"1G",
                                                        "example.com/gpu":"1"}}}],
    "overhead":{"cpu":"250m","memory":"10M"}}})");
  Resources r = PodRequests(pod);
  EXPECT_EQ(r.milli_cpu, 3250);
  EXPECT_EQ(r.memory, 3010000000);
  EXPECT_EQ(r.scalar["example.com/gpu"], 1);
}

TEST(ResourcesTest, SidecarsAddToContainersAndLaterInitContainers) {
  Json pod = Json::parse(R"({"spec":{
    "initContainers":[{"name":"side","restartPolicy":"Always",
                       "resources":{"requests":{"cpu":"500m"}}},
                      {"name":"init","resources":{"requests":{"cpu":"2"}}}],
    "containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]}})");
  // max(1 + 0.5, 2 + 0.5) = 2.5
  EXPECT_EQ(PodRequests(pod).milli_cpu, 2500);
}

TEST(ResourcesTest, NonZeroDefaultsAndBadQuantities) {
  Json pod = Json::parse(R"({"spec":{"containers":[{"name":"a"},
      {"name":"b","resources":{"requests":{"cpu":"bogus","memory":"1Mi"}}}]}})");
  Resources r = PodRequests(pod);
  EXPECT_EQ(r.milli_cpu, 0);  // unparsable counts as zero
  EXPECT_EQ(r.memory, 1048576);
  Resources nz = PodNonZeroRequests(pod);
  EXPECT_EQ(nz.milli_cpu, 100);  // only "a" lacks cpu; "b" has a (bad) cpu entry
  EXPECT_EQ(nz.memory, kDefaultMemoryRequest + 1048576);
  EXPECT_TRUE(PodRequests(Json::object()).IsZero());
}

TEST(ResourcesTest, NodeAllocatableFallsBackToCapacity) {
  Json node = Json::parse(R"({"status":{"capacity":{"cpu":"4","memory":"8Gi","pods":"110"}}})");
  Resources r = NodeAllocatable(node);
  EXPECT_EQ(r.milli_cpu, 4000);
  EXPECT_EQ(r.memory, 8589934592);
  EXPECT_EQ(r.pods, 110);
  node["status"]["allocatable"] = {{"cpu", "3500m"}, {"pods", 10}};
  r = NodeAllocatable(node);
  EXPECT_EQ(r.milli_cpu, 3500);
  EXPECT_EQ(r.pods, 10);
  EXPECT_EQ(r.memory, 0);
}

}  // namespace
}  // namespace minik::sched
