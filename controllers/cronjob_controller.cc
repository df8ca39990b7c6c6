#include "controllers/cronjob_controller.h"

#include <algorithm>
#include <optional>
#include <set>

#include "api/log.h"
#include "controllers/controller_ref.h"

namespace minik {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

const ResourceRef kCronJobs{"batch", "v1", "cronjobs"};
const ResourceRef kJobs{"batch", "v1", "jobs"};
constexpr const char* kJobIndex = "cronjob-jobs";  // "ns/<cronjob name>" of the controllerRef
constexpr const char* kScheduledAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";
constexpr milliseconds kNextScheduleDelta{100};

bool Suspended(const Json& cj) {
  const Json* s = Find(cj, {"spec", "suspend"});
  return s && s->is_boolean() && s->get<bool>();
}

// FinishedCondition: the type of the first true Complete / Failed condition, or "".
std::string FinishedType(const Json& job) {
  const Json* conds = Find(job, {"status", "conditions"});
  if (!conds || !conds->is_array()) return "";
  for (const Json& c : *conds) {
    std::string type = GetString(c, {"type"});
    if ((type == "Complete" || type == "Failed") && GetString(c, {"status"}) == "True") return type;
  }
  return "";
}

bool InActiveList(const Json& cj, const std::string& uid) {
  const Json* active = Find(cj, {"status", "active"});
  if (!active || !active->is_array()) return false;
  for (const Json& r : *active)
    if (GetString(r, {"uid"}) == uid) return true;
  return false;
}
bool InActiveListByName(const Json& cj, const std::string& name) {
  const Json* active = Find(cj, {"status", "active"});
  if (!active || !active->is_array()) return false;
  for (const Json& r : *active)
    if (GetString(r, {"name"}) == name && GetString(r, {"namespace"}) == Namespace(cj)) return true;
  return false;
}
void DeleteFromActiveList(Json& cj, const std::string& uid) {
  Json* active =
      cj.contains("status") && cj["status"].contains("active") ? &cj["status"]["active"] : nullptr;
  if (!active || !active->is_array()) return;
  Json keep = Json::array();
  for (const Json& r : *active)
    if (GetString(r, {"uid"}) != uid) keep.push_back(r);
  *active = std::move(keep);
}

SystemTime ParseTime(const Json& obj, std::initializer_list<const char*> path, bool* ok = nullptr) {
  SystemTime t{};
  bool parsed = ParseRfc3339(GetString(obj, path), &t);
  if (ok) *ok = parsed;
  return t;
}

// RFC 1123 with a numeric zone, in UTC: "Mon, 02 Jan 2006 15:04:05 +0000".
std::string FormatRfc1123Z(SystemTime t) {
  cron::Civil c = cron::CivilIn(std::chrono::floor<seconds>(t).time_since_epoch().count(),
                                *cron::Location::Utc());
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[c.weekday], c.day,
                kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  return buf;
}

enum class Missed { kNone, kFew, kMany };
struct Recent {
  SystemTime earliest;
  std::optional<SystemTime> most_recent;
  Missed missed = Missed::kNone;
  Status err;
};

bool IsZero(SystemTime t) { return t == SystemTime{}; }

// mostRecentScheduleTime: the latest schedule time in (earliest, now], where earliest is the
// last schedule time (else the creation time), raised to now - startingDeadlineSeconds.
Recent MostRecentScheduleTime(const Json& cj, SystemTime now, const cron::Schedule& sched,
                              bool include_deadline) {
  Recent r;
  r.earliest = ParseTime(cj, {"metadata", "creationTimestamp"});
  bool has_last = false;
  SystemTime last = ParseTime(cj, {"status", "lastScheduleTime"}, &has_last);
  if (has_last) r.earliest = last;
  const Json* deadline = Find(cj, {"spec", "startingDeadlineSeconds"});
  if (include_deadline && deadline && deadline->is_number_integer()) {
    SystemTime limit = now - seconds(deadline->get<int64_t>());
    if (limit > r.earliest) r.earliest = limit;
  }
  SystemTime t1 = sched.Next(r.earliest);
  if (IsZero(t1) || now < t1) return r;
  SystemTime t2 = sched.Next(t1);
  if (IsZero(t2) || now < t2) {
    r.most_recent = t1;
    return r;
  }
  int64_t between = std::chrono::round<seconds>(t2 - t1).count();
  if (between < 1) {
    r.err = BadRequest("time difference between two schedules is less than 1 second");
    return r;
  }
  int64_t elapsed = duration_cast<seconds>(now - t1).count();
  int64_t missed = elapsed / between + 1;
  SystemTime potential = t1 + seconds((missed - 1 - 1) * between);
  SystemTime most{};
  for (SystemTime t = sched.Next(potential); !IsZero(t) && t <= now; t = sched.Next(t)) most = t;
  if (missed > 100) {
    r.missed = Missed::kMany;
  } else if (missed > 0) {
    r.missed = Missed::kFew;
  }
  if (!IsZero(most)) r.most_recent = most;
  return r;
}

// nextScheduleTimeDuration: how long until the next schedule time (plus a small delta);
// nullopt when the schedule has no next time.
std::optional<milliseconds> NextScheduleIn(const Json& cj, SystemTime now,
                                           const cron::Schedule& sched) {
  Recent r = MostRecentScheduleTime(cj, now, sched, false);
  SystemTime from;
  if (!r.err.ok()) {
    from = now;
  } else if (r.most_recent) {
    from = *r.most_recent;
  } else {
    from = r.missed == Missed::kNone ? r.earliest : now;
  }
  SystemTime next = sched.Next(from);
  if (IsZero(next)) return std::nullopt;
  auto d = duration_cast<milliseconds>(next + kNextScheduleDelta - now);
  return std::max(d, milliseconds(1));
}

}  // namespace

CronJobController::CronJobController(Client& client, Clock& clock, SharedInformerFactory& informers,
                                     int workers)
    : QueueController("cronjob-controller", clock, workers),
      client_(client),
      cronjobs_(informers.For(kCronJobs)),
      jobs_(informers.For(kJobs)),
      recorder_(client, clock, "cronjob-controller") {
  (void)jobs_.AddIndex(kJobIndex, [](const Json& job) -> std::vector<std::string> {
    const Json* ref = ControllerRefOf(job);
    if (!ref || GetString(*ref, {"kind"}) != "CronJob") return {};
    return {Namespace(job) + "/" + GetString(*ref, {"name"})};
  });
  cronjobs_.AddEventHandler(EnqueueHandlers());
  auto owner = [this](const Json& job) {
    const Json* ref = ControllerRefOf(job);
    if (ref && GetString(*ref, {"kind"}) == "CronJob")
      queue().Add(Namespace(job) + "/" + GetString(*ref, {"name"}));
  };
  jobs_.AddEventHandler({owner,
                         [owner](const Json& old_job, const Json& job) {
                           owner(job);
                           if (ControllerRefOf(old_job) && ControllerRefOf(job) &&
                               *ControllerRefOf(old_job) != *ControllerRefOf(job))
                             owner(old_job);
                         },
                         owner});
}

StatusOr<std::shared_ptr<const cron::Location>> CronJobController::Zone(const std::string& name) {
  std::lock_guard<std::mutex> g(zones_mu_);
  if (auto it = zones_.find(name); it != zones_.end()) return it->second;
  auto loc = cron::Location::Load(name, zoneinfo_dir_);
  if (loc.ok()) zones_[name] = *loc;
  return loc;
}

StatusOr<ReconcileResult> CronJobController::Reconcile(const std::string& key) {
  auto r = Sync(key);
  // A write based on a stale cache: the informer brings the new version, retry quietly.
  if (!r.ok() && r.status().code() == Code::kConflict) return ReconcileResult{true};
  return r;
}

StatusOr<ReconcileResult> CronJobController::Sync(const std::string& key) {
  ObjectPtr cached = cronjobs_.Get(key);
  if (!cached) return ReconcileResult{};
  Json cj = *cached;
  if (!cj["status"].is_object()) cj["status"] = Json::object();
  const SystemTime now = clock_.Now();
  std::vector<ObjectPtr> jobs;
  for (const ObjectPtr& j : jobs_.ByIndex(kJobIndex, key)) jobs.push_back(j);
  bool update_status = false;
  std::optional<milliseconds> requeue;

  // The sync proper; returns an error to retry. Sets update_status / requeue.
  auto sync = [&]() -> Status {
    std::set<std::string> children;
    for (const ObjectPtr& jp : jobs) {
      const Json& j = *jp;
      children.insert(Uid(j));
      const bool found = InActiveList(cj, Uid(j));
      const std::string finished = FinishedType(j);
      if (!found && finished.empty()) {
        auto fresh = client_.Get(kCronJobs, Namespace(cj), Name(cj));
        if (!fresh.ok()) return fresh.status();
        if (InActiveList(*fresh, Uid(j))) {
          cj = std::move(*fresh);
          if (!cj["status"].is_object()) cj["status"] = Json::object();
          continue;
        }
        recorder_.Record(cj, "Warning", "UnexpectedJob",
                         "Saw a job that the controller did not create or forgot: " + Name(j));
      } else if (found && !finished.empty()) {
        DeleteFromActiveList(cj, Uid(j));
        recorder_.Record(cj, "Normal", "SawCompletedJob",
                         "Saw completed job: " + Name(j) + ", condition: " + finished);
        update_status = true;
      } else if (finished == "Complete") {
        // Finished and no longer active: its completion time counts for lastSuccessfulTime.
        bool has_done = false, has_last = false;
        SystemTime done = ParseTime(j, {"status", "completionTime"}, &has_done);
        SystemTime last = ParseTime(cj, {"status", "lastSuccessfulTime"}, &has_last);
        if (has_done && (!has_last || done > last)) {
          cj["status"]["lastSuccessfulTime"] = GetString(j, {"status", "completionTime"});
          update_status = true;
        }
      }
    }
    // Active entries whose Job is gone (checked against the API, not a slow cache).
    if (cj["status"].contains("active") && cj["status"]["active"].is_array()) {
      Json active = cj["status"]["active"];
      for (const Json& ref : active) {
        if (children.count(GetString(ref, {"uid"}))) continue;
        auto got = client_.Get(kJobs, GetString(ref, {"namespace"}), GetString(ref, {"name"}));
        if (got.ok()) continue;
        if (got.status().code() != Code::kNotFound) return got.status();
        recorder_.Record(cj, "Normal", "MissingJob",
                         "Active job went missing: " + GetString(ref, {"name"}));
        DeleteFromActiveList(cj, GetString(ref, {"uid"}));
        update_status = true;
      }
    }
    if (IsBeingDeleted(cj)) return Status::Ok();

    const Json* tz_json = Find(cj, {"spec", "timeZone"});
    const bool has_tz = tz_json && tz_json->is_string();
    const std::string tz = has_tz ? tz_json->get<std::string>() : "";
    if (has_tz) {
      auto loc = Zone(tz);
      if (!loc.ok()) {
        recorder_.Record(cj, "Warning", "UnknownTimeZone",
                         "invalid timeZone: \"" + tz + "\": " + loc.status().message());
        return Status::Ok();
      }
    }
    if (Suspended(cj)) return Status::Ok();

    // formatSchedule: the time zone goes in as a TZ= prefix.
    std::string spec = GetString(cj, {"spec", "schedule"});
    if (spec.find("TZ") != std::string::npos) {
      recorder_.Record(cj, "Warning", "UnsupportedSchedule",
                       "CRON_TZ or TZ used in schedule \"" + spec +
                           "\" is not officially supported, see "
                           "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ "
                           "for more details");
    } else if (has_tz) {
      spec = "TZ=" + tz + " " + spec;
    }
    auto sched = cron::Schedule::Parse(spec, zoneinfo_dir_);
    if (!sched.ok()) {
      recorder_.Record(cj, "Warning", "UnparseableSchedule",
                       "unparseable schedule: \"" + GetString(cj, {"spec", "schedule"}) +
                           "\" : " + sched.status().message());
      return Status::Ok();
    }

    Recent recent = MostRecentScheduleTime(cj, now, *sched, true);
    if (recent.missed == Missed::kMany && recent.most_recent) {
      recorder_.Record(cj, "Warning", "TooManyMissedTimes",
                       "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
                       "or check clock skew");
    }
    if (!recent.err.ok()) {
      recorder_.Record(cj, "Warning", "InvalidSchedule",
                       "invalid schedule: " + GetString(cj, {"spec", "schedule"}) + " : " +
                           recent.err.message());
      return Status::Ok();
    }
    if (!recent.most_recent || *recent.most_recent > now) {
      requeue = NextScheduleIn(cj, now, *sched);
      return Status::Ok();
    }
    const SystemTime scheduled = *recent.most_recent;
    const Json* deadline = Find(cj, {"spec", "startingDeadlineSeconds"});
    if (deadline && deadline->is_number_integer() &&
        scheduled + seconds(deadline->get<int64_t>()) < now) {
      recorder_.Record(cj, "Warning", "MissSchedule",
                       "Missed scheduled time to start a job: " + FormatRfc1123Z(scheduled));
      requeue = NextScheduleIn(cj, now, *sched);
      return Status::Ok();
    }
    const int64_t minutes = std::chrono::floor<seconds>(scheduled).time_since_epoch().count() / 60;
    const std::string job_name = Name(cj) + "-" + std::to_string(minutes);
    bool has_last = false;
    SystemTime last = ParseTime(cj, {"status", "lastScheduleTime"}, &has_last);
    if (InActiveListByName(cj, job_name) ||
        (has_last && std::chrono::floor<seconds>(last) == std::chrono::floor<seconds>(scheduled))) {
      requeue = NextScheduleIn(cj, now, *sched);
      return Status::Ok();
    }
    const std::string policy = GetString(cj, {"spec", "concurrencyPolicy"});
    const Json* active = Find(cj, {"status", "active"});
    const bool any_active = active && active->is_array() && !active->empty();
    if (policy == "Forbid" && any_active) {
      recorder_.Record(cj, "Normal", "JobAlreadyActive",
                       "Not starting job because prior execution is running and concurrency "
                       "policy is Forbid");
      requeue = NextScheduleIn(cj, now, *sched);
      return Status::Ok();
    }
    if (policy == "Replace" && any_active) {
      Json refs = *active;
      for (const Json& ref : refs) {
        auto job = client_.Get(kJobs, GetString(ref, {"namespace"}), GetString(ref, {"name"}));
        if (!job.ok()) {
          recorder_.Record(cj, "Warning", "FailedGet", "Get job: " + job.status().message());
          return job.status();
        }
        DeleteOptions opts;
        opts.propagation_policy = "Background";
        auto del = client_.Delete(kJobs, Namespace(*job), Name(*job), opts);
        if (!del.ok()) {
          recorder_.Record(cj, "Warning", "FailedDelete", "Deleted job: " + del.status().message());
          return Internal("could not replace job " + Namespace(*job) + "/" + Name(*job));
        }
        DeleteFromActiveList(cj, Uid(*job));
        recorder_.Record(cj, "Normal", "SuccessfulDelete", "Deleted job " + Name(*job));
        update_status = true;
      }
    }

    // getJobFromTemplate2.
    const Json& tmpl = cj["spec"]["jobTemplate"];
    Json job = {{"apiVersion", "batch/v1"}, {"kind", "Job"}};
    Json meta = {{"name", job_name}, {"namespace", Namespace(cj)}};
    if (const Json* l = Find(tmpl, {"metadata", "labels"}); l && l->is_object())
      meta["labels"] = *l;
    Json annotations = Json::object();
    if (const Json* a = Find(tmpl, {"metadata", "annotations"}); a && a->is_object())
      annotations = *a;
    std::shared_ptr<const cron::Location> loc = cron::Location::Utc();
    if (has_tz) loc = *Zone(tz);
    annotations[kScheduledAnnotation] = cron::FormatRfc3339In(scheduled, *loc);
    meta["annotations"] = annotations;
    meta["ownerReferences"] = Json::array({NewControllerRef(cj, "batch/v1", "CronJob")});
    job["metadata"] = std::move(meta);
    job["spec"] = tmpl.contains("spec") ? tmpl["spec"] : Json::object();
    auto created = client_.Create(kJobs, Namespace(cj), job);
    Json created_job;
    if (!created.ok() && created.status().code() == Code::kAlreadyExists) {
      // Someone (an earlier sync whose status write was lost) made it: adopt it into active.
      auto existing = client_.Get(kJobs, Namespace(cj), job_name);
      if (!existing.ok()) return existing.status();
      if (!IsControlledBy(*existing, cj) || InActiveList(cj, Uid(*existing))) return Status::Ok();
      created_job = std::move(*existing);
    } else if (!created.ok()) {
      if (created.status().code() == Code::kForbidden &&
          created.status().message().find("being terminated") != std::string::npos)
        return created.status();
      recorder_.Record(cj, "Warning", "FailedCreate",
                       "Error creating job: " + created.status().message());
      return created.status();
    } else {
      created_job = std::move(*created);
      recorder_.Record(cj, "Normal", "SuccessfulCreate", "Created job " + Name(created_job));
    }
    if (!cj["status"]["active"].is_array()) cj["status"]["active"] = Json::array();
    cj["status"]["active"].push_back({{"kind", "Job"},
                                      {"namespace", Namespace(created_job)},
                                      {"name", Name(created_job)},
                                      {"uid", Uid(created_job)},
                                      {"apiVersion", "batch/v1"},
                                      {"resourceVersion", ResourceVersion(created_job)}});
    cj["status"]["lastScheduleTime"] = FormatRfc3339(scheduled);
    update_status = true;
    requeue = NextScheduleIn(cj, now, *sched);
    return Status::Ok();
  };
  Status st = sync();
  if (!st.ok()) {
    if (st.code() == Code::kNotFound) return ReconcileResult{};  // the CronJob is gone
    return st;
  }

  // cleanupFinishedJobs: the oldest finished Jobs beyond the history limits go.
  const Json* ok_limit = Find(cj, {"spec", "successfulJobsHistoryLimit"});
  const Json* failed_limit = Find(cj, {"spec", "failedJobsHistoryLimit"});
  if (!IsBeingDeleted(cj)) {
    std::vector<ObjectPtr> succeeded, failed;
    for (const ObjectPtr& j : jobs) {
      std::string type = FinishedType(*j);
      if (type == "Complete") succeeded.push_back(j);
      if (type == "Failed") failed.push_back(j);
    }
    auto remove_oldest = [&](std::vector<ObjectPtr>& list, const Json* limit) {
      if (!limit || !limit->is_number_integer()) return;
      int64_t to_delete = static_cast<int64_t>(list.size()) - limit->get<int64_t>();
      if (to_delete <= 0) return;
      std::sort(list.begin(), list.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
        bool ha = false, hb = false;
        SystemTime ta = ParseTime(*a, {"status", "startTime"}, &ha);
        SystemTime tb = ParseTime(*b, {"status", "startTime"}, &hb);
        if (ha != hb) return ha;  // jobs without a start time sort last
        if (!ha || ta == tb) return Name(*a) < Name(*b);
        return ta < tb;
      });
      for (int64_t i = 0; i < to_delete; ++i) {
        DeleteOptions opts;
        opts.propagation_policy = "Background";
        auto del = client_.Delete(kJobs, Namespace(*list[i]), Name(*list[i]), opts);
        if (!del.ok() && del.status().code() != Code::kNotFound) {
          recorder_.Record(cj, "Warning", "FailedDelete", "Deleted job: " + del.status().message());
          continue;
        }
        DeleteFromActiveList(cj, Uid(*list[i]));
        recorder_.Record(cj, "Normal", "SuccessfulDelete", "Deleted job " + Name(*list[i]));
        update_status = true;
      }
    };
    remove_oldest(succeeded, ok_limit);
    remove_oldest(failed, failed_limit);
  }
  if (update_status) {
    auto r = client_.Update(kCronJobs, Namespace(cj), cj, {}, "status");
    if (!r.ok()) {
      if (r.status().code() == Code::kNotFound) return ReconcileResult{};
      return r.status();
    }
  }
  ReconcileResult result;
  if (requeue) result.requeue_after = *requeue;
  return result;
}

}  // namespace minik
