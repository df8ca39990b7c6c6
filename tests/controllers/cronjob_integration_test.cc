// Cron schedules (parser, Next, time zones) and the CronJob controller over the real registry,
// driven by hand on a FakeClock (2025-01-01T00:00:00Z at the start).
#include <gtest/gtest.h>

#include <filesystem>

#include "controllers/controller_ref.h"
#include "controllers/cron_schedule.h"
#include "controllers/cronjob_controller.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using namespace std::chrono_literals;
using testing::kCronJobsRef;
using testing::kJobsRef;

SystemTime T(const std::string& rfc3339) {
  SystemTime t{};
  EXPECT_TRUE(ParseRfc3339(rfc3339, &t)) << rfc3339;
  return t;
}
std::string S(SystemTime t) { return t == SystemTime{} ? "zero" : FormatRfc3339(t); }

std::string ParseError(const std::string& spec) {
  auto s = cron::Schedule::Parse(spec);
  return s.ok() ? "ok" : s.status().message();
}
std::string Next(const std::string& spec, const std::string& from) {
  auto s = cron::Schedule::Parse(spec);
  EXPECT_TRUE(s.ok()) << spec << ": " << s.status().message();
  return s.ok() ? S(s->Next(T(from))) : "";
}
bool HaveZone(const std::string& name) {
  return std::filesystem::exists("/usr/share/zoneinfo/" + name);
}

TEST(CronScheduleTest, ParseErrorsAsRobfigCron) {
  EXPECT_EQ(ParseError(""), "empty spec string");
  EXPECT_EQ(ParseError("* * * *"), "expected exactly 5 fields, found 4: [* * * *]");
  EXPECT_EQ(ParseError("* * * * * *"), "expected exactly 5 fields, found 6: [* * * * * *]");
  EXPECT_EQ(ParseError("60 * * * *"), "end of range (60) above maximum (59): 60");
  EXPECT_EQ(ParseError("* * * * 7"), "end of range (7) above maximum (6): 7");
  EXPECT_EQ(ParseError("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  EXPECT_EQ(ParseError("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
  EXPECT_EQ(ParseError("*/0 * * * *"), "step of range should be a positive number: */0");
  EXPECT_EQ(ParseError("a * * * *"),
            "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax");
  EXPECT_EQ(ParseError("1-2-3 * * * *"), "too many hyphens: 1-2-3");
  EXPECT_EQ(ParseError("1/2/3 * * * *"), "too many slashes: 1/2/3");
  EXPECT_EQ(ParseError("@often"), "unrecognized descriptor: @often");
  EXPECT_EQ(ParseError("@every x"),
            "failed to parse duration @every x: time: invalid duration \"x\"");
  EXPECT_EQ(ParseError("TZ=Nowhere/Land * * * * *"),
            "provided bad location Nowhere/Land: unknown time zone Nowhere/Land");
  EXPECT_EQ(ParseError("0 0 * JAN-mar Mon-FRI"), "ok");
  EXPECT_EQ(ParseError("? ? ? ? ?"), "ok");
  for (const char* d : {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                        "@hourly", "@every 1h30m"})
    EXPECT_EQ(ParseError(d), "ok") << d;
}

TEST(CronScheduleTest, NextActivation) {
  EXPECT_EQ(Next("* * * * *", "2025-01-01T00:00:00Z"), "2025-01-01T00:01:00Z");
  EXPECT_EQ(Next("* * * * *", "2025-01-01T00:00:59Z"), "2025-01-01T00:01:00Z");
  EXPECT_EQ(Next("*/15 * * * *", "2025-01-01T10:07:30Z"), "2025-01-01T10:15:00Z");
  EXPECT_EQ(Next("5/20 * * * *", "2025-01-01T10:30:00Z"), "2025-01-01T10:45:00Z");
  EXPECT_EQ(Next("0 9-17/4 * * *", "2025-01-01T14:00:00Z"), "2025-01-01T17:00:00Z");
  EXPECT_EQ(Next("0 0 * * mon", "2025-01-01T00:00:00Z"), "2025-01-06T00:00:00Z");  // a Wednesday
  EXPECT_EQ(Next("0 0 1,15 * *", "2025-01-02T00:00:00Z"), "2025-01-15T00:00:00Z");
  EXPECT_EQ(Next("30 6 * feb *", "2025-03-01T00:00:00Z"), "2026-02-01T06:30:00Z");
  // Day-of-month and day-of-week both restricted: either matches (the 13th or a Friday).
  EXPECT_EQ(Next("0 0 13 * 5", "2025-01-04T00:00:00Z"), "2025-01-10T00:00:00Z");
  EXPECT_EQ(Next("0 0 13 * 5", "2025-01-10T00:00:00Z"), "2025-01-13T00:00:00Z");
  // One restricted, the other "*": both must match.
  EXPECT_EQ(Next("0 0 13 * *", "2025-01-10T00:00:00Z"), "2025-01-13T00:00:00Z");
  EXPECT_EQ(Next("0 0 29 2 *", "2025-01-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(Next("0 0 30 2 *", "2025-01-01T00:00:00Z"), "zero");
  EXPECT_EQ(Next("@hourly", "2025-01-01T00:59:59Z"), "2025-01-01T01:00:00Z");
  EXPECT_EQ(Next("@weekly", "2025-01-01T00:00:00Z"), "2025-01-05T00:00:00Z");
  EXPECT_EQ(Next("@monthly", "2025-01-31T12:00:00Z"), "2025-02-01T00:00:00Z");
  EXPECT_EQ(Next("@yearly", "2025-01-01T00:00:00Z"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(Next("@every 90s", "2025-01-01T00:00:00Z"), "2025-01-01T00:01:30Z");
}

TEST(CronScheduleTest, TimeZones) {
  if (!HaveZone("Asia/Tokyo") || !HaveZone("America/New_York")) GTEST_SKIP() << "no tzdata";
  EXPECT_EQ(Next("TZ=Asia/Tokyo 0 9 * * *", "2025-01-01T00:00:00Z"), "2025-01-02T00:00:00Z");
  EXPECT_EQ(Next("CRON_TZ=Asia/Tokyo 0 9 * * *", "2024-12-31T23:59:00Z"), "2025-01-01T00:00:00Z");
  // Spring forward (2025-03-09 02:00 EST -> 03:00 EDT): 02:30 does not exist that day.
  EXPECT_EQ(Next("TZ=America/New_York 30 2 * * *", "2025-03-08T12:00:00Z"), "2025-03-10T06:30:00Z");
  EXPECT_EQ(Next("TZ=America/New_York 0 12 * * *", "2025-03-09T00:00:00Z"), "2025-03-09T16:00:00Z");
  // Fall back (2025-11-02): 01:30 happens twice; the first one (EDT) is taken.
  EXPECT_EQ(Next("TZ=America/New_York 30 1 * * *", "2025-11-02T00:00:00Z"), "2025-11-02T05:30:00Z");
  // Far beyond the last transition of the file: the footer rule decides (EDT in July).
  EXPECT_EQ(Next("TZ=America/New_York 0 12 1 7 *", "2060-01-01T00:00:00Z"), "2060-07-01T16:00:00Z");
  EXPECT_EQ(Next("TZ=America/New_York 0 12 1 1 *", "2060-01-01T00:00:00Z"), "2060-01-01T17:00:00Z");

  auto tokyo = cron::Location::Load("Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(cron::FormatRfc3339In(T("2025-01-02T00:00:00Z"), **tokyo), "2025-01-02T09:00:00+09:00");
  auto ny = cron::Location::Load("America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(cron::FormatRfc3339In(T("2025-01-02T00:00:00Z"), **ny), "2025-01-01T19:00:00-05:00");
  EXPECT_EQ(cron::FormatRfc3339In(T("2025-01-02T00:00:00Z"), *cron::Location::Utc()),
            "2025-01-02T00:00:00Z");
}

TEST(CronScheduleTest, BadLocations) {
  EXPECT_EQ(cron::Location::Load("Nowhere/Land").status().message(),
            "unknown time zone Nowhere/Land");
  EXPECT_EQ(cron::Location::Load("../../etc/passwd").status().message(),
            "time: invalid location name");
  EXPECT_EQ(cron::Location::Load("/etc/passwd").status().message(), "time: invalid location name");
  EXPECT_TRUE(cron::Location::Load("").ok());
  EXPECT_TRUE(cron::Location::Load("UTC").ok());
  EXPECT_FALSE(cron::Location::FromTzif("x", "not a tzif file").ok());
  EXPECT_FALSE(cron::Location::FromTzif("x", std::string("TZif2") + std::string(10, '\0')).ok());
}

class CronJobTest : public testing::WorkloadEnv {
 protected:
  void SetUp() override {
    WorkloadEnv::SetUp();
    controller_ = std::make_unique<CronJobController>(client(), clock_, *informers_);
    Start();
  }
  void TearDown() override {
    informers_->Stop();
    controller_.reset();
  }
  void Settle() { WorkloadEnv::Settle({kCronJobsRef, kJobsRef}); }
  ReconcileResult Sync(const std::string& name) {
    Settle();
    auto r = controller_->Reconcile("default/" + name);
    EXPECT_TRUE(r.ok()) << r.status().message();
    Settle();
    return r.ok() ? *r : ReconcileResult{};
  }
  Json CronJob(const std::string& name, const std::string& schedule, const Json& extra = {}) {
    Json cj = Json::parse(R"({"apiVersion":"batch/v1","kind":"CronJob","spec":{"jobTemplate":{
        "metadata":{"labels":{"app":"cron"},"annotations":{"note":"x"}},
        "spec":{"template":{"spec":{"restartPolicy":"Never",
        "containers":[{"name":"main","image":"busybox"}]}}}}}})");
    cj["metadata"]["name"] = name;
    cj["spec"]["schedule"] = schedule;
    if (extra.is_object())
      for (auto it = extra.begin(); it != extra.end(); ++it) cj["spec"][it.key()] = it.value();
    return cj;
  }
  std::vector<std::string> JobNames() {
    std::vector<std::string> out;
    for (const Json& j : ListObjects(kJobsRef)) out.push_back(Name(j));
    return out;
  }
  static std::string JobNameAt(const std::string& cj, const std::string& when) {
    return cj + "-" +
           std::to_string(
               std::chrono::floor<std::chrono::seconds>(T(when)).time_since_epoch().count() / 60);
  }
  void FinishJob(const std::string& name, const std::string& type) {
    Json job = Get(kJobsRef, name);
    std::string now = FormatRfc3339(clock_.Now());
    job["status"]["startTime"] = now;
    if (type == "Complete") {
      job["status"]["completionTime"] = now;
      job["status"]["succeeded"] = 1;
      job["status"]["conditions"] = Json::array(
          {{{"type", "SuccessCriteriaMet"}, {"status", "True"}, {"lastTransitionTime", now}},
           {{"type", "Complete"}, {"status", "True"}, {"lastTransitionTime", now}}});
    } else {
      job["status"]["failed"] = 1;
      job["status"]["conditions"] =
          Json::array({{{"type", "FailureTarget"}, {"status", "True"}, {"lastTransitionTime", now}},
                       {{"type", "Failed"}, {"status", "True"}, {"lastTransitionTime", now}}});
    }
    auto r = client().Update(kJobsRef, "default", job, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  std::unique_ptr<CronJobController> controller_;
};

TEST_F(CronJobTest, EveryMinuteForbidTracksActiveAndHistory) {
  Json cj = Create(kCronJobsRef, CronJob("c", "* * * * *", {{"concurrencyPolicy", "Forbid"}}));
  ReconcileResult r = Sync("c");
  EXPECT_TRUE(JobNames().empty());
  EXPECT_EQ(r.requeue_after, 60100ms);  // 00:01:00 + 100 ms

  clock_.Step(60100ms);
  r = Sync("c");
  const std::string first = JobNameAt("c", "2025-01-01T00:01:00Z");
  ASSERT_EQ(JobNames(), std::vector<std::string>{first});
  Json job = Get(kJobsRef, first);
  EXPECT_TRUE(IsControlledBy(job, cj));
  EXPECT_EQ(Labels(job).value("app", ""), "cron");
  EXPECT_EQ(job["metadata"]["annotations"]["note"], "x");
  EXPECT_EQ(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
            "2025-01-01T00:01:00Z");
  Json got = Get(kCronJobsRef, "c");
  EXPECT_EQ(GetString(got, {"status", "lastScheduleTime"}), "2025-01-01T00:01:00Z");
  ASSERT_EQ(got["status"]["active"].size(), 1u);
  EXPECT_EQ(got["status"]["active"][0]["name"], first);
  EXPECT_EQ(got["status"]["active"][0]["uid"], Uid(job));
  EXPECT_TRUE(HasEvent("c", "SuccessfulCreate: Created job " + first));
  EXPECT_EQ(r.requeue_after, 60000ms);

  // Forbid: the next run waits while the first is active.
  clock_.Step(60s);
  Sync("c");
  EXPECT_EQ(JobNames().size(), 1u);
  EXPECT_TRUE(HasEvent("c",
                       "JobAlreadyActive: Not starting job because prior execution is "
                       "running and concurrency policy is Forbid"));

  FinishJob(first, "Complete");
  Sync("c");
  EXPECT_TRUE(
      HasEvent("c", "SawCompletedJob: Saw completed job: " + first + ", condition: Complete"));
  // The 00:02 run was held back by Forbid; the same sync starts it late (no deadline is set).
  const std::string second = JobNameAt("c", "2025-01-01T00:02:00Z");
  EXPECT_EQ(JobNames(), (std::vector<std::string>{first, second}));
  got = Get(kCronJobsRef, "c");
  ASSERT_EQ(got["status"]["active"].size(), 1u);
  EXPECT_EQ(got["status"]["active"][0]["name"], second);
  Sync("c");
  got = Get(kCronJobsRef, "c");
  EXPECT_EQ(GetString(got, {"status", "lastSuccessfulTime"}), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(GetString(got, {"status", "lastScheduleTime"}), "2025-01-01T00:02:00Z");
}

TEST_F(CronJobTest, ReplaceDeletesTheActiveJob) {
  Create(kCronJobsRef, CronJob("r", "*/5 * * * *", {{"concurrencyPolicy", "Replace"}}));
  clock_.Step(5min);
  Sync("r");
  const std::string first = JobNameAt("r", "2025-01-01T00:05:00Z");
  ASSERT_EQ(JobNames(), std::vector<std::string>{first});
  clock_.Step(5min);
  Sync("r");
  const std::string second = JobNameAt("r", "2025-01-01T00:10:00Z");
  EXPECT_EQ(JobNames(), std::vector<std::string>{second});
  EXPECT_TRUE(HasEvent("r", "SuccessfulDelete: Deleted job " + first));
  Json got = Get(kCronJobsRef, "r");
  ASSERT_EQ(got["status"]["active"].size(), 1u);
  EXPECT_EQ(got["status"]["active"][0]["name"], second);
}

TEST_F(CronJobTest, AllowRunsConcurrentlyAndDeadlineSkipsOldTimes) {
  Create(kCronJobsRef, CronJob("a", "* * * * *", {{"startingDeadlineSeconds", 10}}));
  clock_.Step(60s);
  Sync("a");
  clock_.Step(60s);
  Sync("a");
  EXPECT_EQ(JobNames().size(), 2u);  // Allow: both run
  // The controller was away for five minutes: times older than the deadline are not run.
  clock_.Step(5min + 30s);
  ReconcileResult r = Sync("a");
  EXPECT_EQ(JobNames().size(), 2u);
  EXPECT_EQ(r.requeue_after, 30100ms);
  clock_.Step(30100ms);
  Sync("a");
  EXPECT_EQ(JobNames().size(), 3u);
}

TEST_F(CronJobTest, SuspendAndHistoryLimits) {
  Create(kCronJobsRef, CronJob("h", "* * * * *",
                               {{"successfulJobsHistoryLimit", 1}, {"failedJobsHistoryLimit", 0}}));
  std::vector<std::string> made;
  for (int i = 0; i < 3; ++i) {
    clock_.Step(60s);
    Sync("h");
    std::string name = JobNameAt("h", FormatRfc3339(clock_.Now()));
    ASSERT_TRUE(client().Get(kJobsRef, "default", name).ok()) << name;
    made.push_back(name);
    FinishJob(name, i == 1 ? "Failed" : "Complete");
  }
  Sync("h");
  // Of two complete jobs one is kept (the newest); the failed one goes at once.
  EXPECT_EQ(JobNames(), std::vector<std::string>{made[2]});
  EXPECT_TRUE(HasEvent("h", "SuccessfulDelete: Deleted job " + made[0]));
  EXPECT_TRUE(HasEvent("h", "SuccessfulDelete: Deleted job " + made[1]));

  Json cj = Get(kCronJobsRef, "h");
  cj["spec"]["suspend"] = true;
  ASSERT_TRUE(client().Update(kCronJobsRef, "default", cj).ok());
  clock_.Step(10min);
  ReconcileResult r = Sync("h");
  EXPECT_EQ(JobNames().size(), 1u);
  EXPECT_EQ(r.requeue_after.count(), 0);
}

TEST_F(CronJobTest, TimeZoneAndBadInput) {
  if (!HaveZone("Asia/Tokyo")) GTEST_SKIP() << "no tzdata";
  Create(kCronJobsRef, CronJob("tz", "0 9 * * *", {{"timeZone", "Asia/Tokyo"}}));
  ReconcileResult r = Sync("tz");
  EXPECT_EQ(r.requeue_after, 24h + 100ms);  // 09:00 JST is 00:00Z: the next is tomorrow
  clock_.Step(24h);
  Sync("tz");
  const std::string name = JobNameAt("tz", "2025-01-02T00:00:00Z");
  ASSERT_EQ(JobNames(), std::vector<std::string>{name});
  EXPECT_EQ(Get(kJobsRef,
                name)["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
            "2025-01-02T09:00:00+09:00");

  // The API refuses unknown time zones, bad schedules and TZ prefixes (upstream
  // validateTimeZone); the controller never sees them.
  auto mars = client().Create(kCronJobsRef, "default",
                              CronJob("mars", "* * * * *", {{"timeZone", "Mars/Olympus_Mons"}}));
  EXPECT_EQ(mars.status().code(), Code::kInvalid);
  EXPECT_NE(mars.status().message().find("spec.timeZone"), std::string::npos)
      << mars.status().message();
  EXPECT_EQ(client().Create(kCronJobsRef, "default", CronJob("bad", "61 * * * *")).status().code(),
            Code::kInvalid);
  EXPECT_EQ(
      client().Create(kCronJobsRef, "default", CronJob("tzp", "TZ=UTC * * * * *")).status().code(),
      Code::kInvalid);
  EXPECT_EQ(client()
                .Create(kCronJobsRef, "default",
                        CronJob("pol", "* * * * *", {{"concurrencyPolicy", "Sometimes"}}))
                .status()
                .code(),
            Code::kInvalid);
  auto missing = controller_->Reconcile("default/nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->requeue_after.count(), 0);
}

TEST_F(CronJobTest, MissingActiveJobAndTooManyMissed) {
  Create(kCronJobsRef, CronJob("m", "* * * * *"));
  clock_.Step(60s);
  Sync("m");
  ASSERT_EQ(JobNames().size(), 1u);
  DeleteOptions background;
  background.propagation_policy = "Background";
  ASSERT_TRUE(client().Delete(kJobsRef, "default", JobNames()[0], background).ok());
  // 200 minutes later: the job is gone and most start times were missed.
  clock_.Step(200min);
  Sync("m");
  EXPECT_TRUE(HasEvent(
      "m", "MissingJob: Active job went missing: " + JobNameAt("m", "2025-01-01T00:01:00Z")));
  EXPECT_TRUE(HasEvent("m",
                       "TooManyMissedTimes: too many missed start times. Set or decrease "
                       ".spec.startingDeadlineSeconds or check clock skew"));
  EXPECT_EQ(JobNames(), std::vector<std::string>{JobNameAt("m", "2025-01-01T03:21:00Z")});
}

}  // namespace
}  // namespace minik
