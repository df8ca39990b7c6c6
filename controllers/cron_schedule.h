// Cron schedules as the CronJob controller reads them: robfig/cron v3's ParseStandard and
// SpecSchedule.Next, and the IANA time zones (TZif files of the system tzdata, with the
// POSIX TZ rule of the footer for later years) that Go's time.LoadLocation reads. GCC 12's
// libstdc++ has no std::chrono::tzdb, hence the small reader here.
//
// Schedule syntax (ParseStandard): five fields "minute hour day-of-month month day-of-week"
// with lists (1,5), ranges (1-5), steps (*/15, 1-30/5, 5/10 = 5-max/10), names (jan..dec,
// sun..sat, any case), "*" and "?"; descriptors @yearly @annually @monthly @weekly @daily
// @midnight @hourly and "@every <duration>"; an optional "TZ=<zone> " or "CRON_TZ=<zone> "
// prefix. Errors are worded as robfig/cron's.
//
// Day matching follows cron (and robfig): when day-of-month or day-of-week is "*"/"?", both
// must match; otherwise either may.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/status.h"

namespace minik::cron {

// A time zone: UTC, or the transitions of a TZif file plus its footer rule.
class Location {
 public:
  static std::shared_ptr<const Location> Utc();
  // time.LoadLocation: "" and "UTC" are UTC; other names are read from `zoneinfo_dir`.
  // Errors: "time: invalid location name", "unknown time zone <name>".
  static StatusOr<std::shared_ptr<const Location>> Load(
      const std::string& name, const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  // Parses TZif data (versions 1-3) — exposed for tests.
  static StatusOr<std::shared_ptr<const Location>> FromTzif(const std::string& name,
                                                            const std::string& data);

  struct Zone {
    int offset = 0;     // seconds east of UTC
    int64_t start = 0;  // the zone applies to unix seconds in [start, end)
    int64_t end = 0;
  };
  // Go's Location.lookup: the zone in effect at unix second `sec`.
  Zone Lookup(int64_t sec) const;
  const std::string& name() const { return name_; }

 private:
  struct Type {
    int offset;
    bool dst;
  };
  struct Rule;  // a POSIX TZ rule (footer)
  Zone FromRule(int64_t sec, int64_t last_tx) const;

  std::string name_;
  std::vector<int64_t> tx_times_;
  std::vector<uint8_t> tx_types_;
  std::vector<Type> types_;
  std::shared_ptr<const Rule> rule_;  // null: no footer
};

// Civil time in a location, as Go's time.Time fields.
struct Civil {
  int year, month, day, hour, minute, second;
  int weekday;  // 0 = Sunday
};
Civil CivilIn(int64_t unix_sec, const Location& loc);
// time.Date: normalizes out-of-range fields (month 13, day 32, ...), resolves the offset as
// Go does around transitions; returns unix seconds.
int64_t DateIn(int year, int month, int day, int hour, int minute, int second, const Location& loc);
// RFC 3339 in the location: "2025-01-01T09:00:00+09:00", "...Z" for a zero offset.
std::string FormatRfc3339In(SystemTime t, const Location& loc);

class Schedule {
 public:
  // cron.ParseStandard. Zones named by a TZ= prefix are read from `zoneinfo_dir`.
  static StatusOr<Schedule> Parse(const std::string& spec,
                                  const std::string& zoneinfo_dir = "/usr/share/zoneinfo");

  // The first activation strictly after `t` (in the schedule's location, else `fallback`);
  // SystemTime{} when there is none within five years (e.g. "0 0 30 2 *").
  SystemTime Next(SystemTime t) const;
  // The location used when the spec had no TZ= prefix (default UTC).
  void set_default_location(std::shared_ptr<const Location> loc) { default_loc_ = std::move(loc); }
  bool has_location() const { return loc_ != nullptr; }

 private:
  uint64_t second_ = 1, minute_ = 0, hour_ = 0, dom_ = 0, month_ = 0, dow_ = 0;
  int64_t every_ns_ = 0;  // @every: a constant delay
  std::shared_ptr<const Location> loc_;
  std::shared_ptr<const Location> default_loc_;
};

}  // namespace minik::cron
