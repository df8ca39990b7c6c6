#include "api/clock.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

SystemTime At(int64_t secs) { return SystemTime(seconds(secs)); }

TEST(ClockTest, FormatRfc3339) {
  EXPECT_EQ(FormatRfc3339(At(0)), "1970-01-01T00:00:00Z");
  // 2026-11-30T02:52:05Z
  EXPECT_EQ(FormatRfc3339(At(1796007125)), "2026-11-30T02:52:05Z");
  EXPECT_EQ(FormatRfc3339(At(951782400)), "2000-02-29T00:00:00Z");  // leap day
  EXPECT_EQ(FormatRfc3339(At(-1)), "1969-12-31T23:59:59Z");
  // Fractions are truncated, not rounded.
  EXPECT_EQ(FormatRfc3339(At(0) + std::chrono::milliseconds(999)), "1970-01-01T00:00:00Z");
}

TEST(ClockTest, FormatRfc3339Micro) {
  auto t = At(1796007125) + microseconds(123456) + nanoseconds(999);
  EXPECT_EQ(FormatRfc3339Micro(t), "2026-11-30T02:52:05.123456Z");
  EXPECT_EQ(FormatRfc3339Micro(At(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339Micro(At(-1) + microseconds(500000)), "1969-12-31T23:59:59.500000Z");
}

TEST(ClockTest, ParseRfc3339) {
  SystemTime t;
  ASSERT_TRUE(ParseRfc3339("2026-11-30T02:52:05Z", &t));
  EXPECT_EQ(t, At(1796007125));
  ASSERT_TRUE(ParseRfc3339("2026-11-30T02:52:05.123456Z", &t));
  EXPECT_EQ(t, At(1796007125) + microseconds(123456));
  ASSERT_TRUE(ParseRfc3339("2026-11-30T02:52:05.5Z", &t));
  EXPECT_EQ(t, At(1796007125) + std::chrono::milliseconds(500));
  ASSERT_TRUE(ParseRfc3339("2026-11-30T04:52:05+02:00", &t));
  EXPECT_EQ(t, At(1796007125));
  ASSERT_TRUE(ParseRfc3339("2026-11-29T21:22:05-05:30", &t));
  EXPECT_EQ(t, At(1796007125));
  ASSERT_TRUE(ParseRfc3339("2026-11-30T02:52:05.1234567891Z", &t));  // beyond ns: dropped
  EXPECT_EQ(t, At(1796007125) + nanoseconds(123456789));
  ASSERT_TRUE(ParseRfc3339("1969-12-31T23:59:59Z", &t));
  EXPECT_EQ(t, At(-1));
  // Round trip.
  auto now = At(1700000000) + microseconds(42);
  ASSERT_TRUE(ParseRfc3339(FormatRfc3339Micro(now), &t));
  EXPECT_EQ(t, now);
}

TEST(ClockTest, ParseRfc3339RejectsMalformed) {
  SystemTime t;
  for (const char* bad :
       {"", "2026", "2026-11-30", "2026-11-30 02:52:05Z", "2026-11-30T02:52:05", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-30T24:00:00Z",
        "2026-11-30T02:60:05Z", "2026-11-30T02:52:60Z", "2026-11-30T02:52:05.Z",
        "2026-11-30T02:52:05Zjunk", "2026-11-30T02:52:05+0200", "2026-11-30T02:52:05+24:00",
        "x026-11-30T02:52:05Z", "2026-1-30T02:52:05Z", "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad, &t)) << bad;
  }
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z", &t));
}

TEST(ClockTest, HumanDuration) {
  struct Case {
    std::chrono::seconds d;
    const char* want;
  } cases[] = {
      {seconds(-2), "<invalid>"},
      {seconds(-1), "0s"},
      {seconds(0), "0s"},
      {seconds(5), "5s"},
      {seconds(119), "119s"},
      {seconds(120), "2m"},
      {seconds(192), "3m12s"},
      {minutes(9) + seconds(59), "9m59s"},
      {minutes(10), "10m"},
      {minutes(179), "179m"},
      {hours(3), "3h"},
      {hours(3) + minutes(5), "3h5m"},
      {hours(7) + minutes(59), "7h59m"},
      {hours(8), "8h"},
      {hours(47), "47h"},
      {hours(48), "2d"},
      {hours(51), "2d3h"},
      {hours(24 * 8 - 1), "7d23h"},
      {hours(24 * 8), "8d"},
      {hours(24 * 45), "45d"},
      {hours(24 * 730 - 1), "729d"},
      {hours(24 * 730), "2y"},
      {hours(24 * 731), "2y1d"},
      {hours(24 * 365 * 8), "8y"},
      {hours(24 * 365 * 20), "20y"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(HumanDuration(c.d), c.want) << c.d.count();
  }
}

}  // namespace
}  // namespace minik
