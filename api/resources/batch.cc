// batch/v1 Job and CronJob (pkg/registry/batch/{job,cronjob}, pkg/apis/batch/v1/defaults.go,
// pkg/apis/batch/validation).
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/pod_spec.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

const char* const kContainersDoc = "Names of each container in the template.";
const char* const kImagesDoc = "Images referenced by each container in the template.";

int64_t Num(const Json& obj, std::initializer_list<const char*> path) {
  return Int(At(obj, path)).value_or(0);
}

// ---- jobs ------------------------------------------------------------------------------

// generateSelector: pods of the job carry its name and uid; the selector picks the uid.
void GenerateJobSelector(Json& job) {
  if (IsTrue(job, {"spec", "manualSelector"})) return;
  std::string name = Name(job), uid = Uid(job);
  Json& spec = Obj(job, "spec");
  Json& labels = Obj(Obj(Obj(spec, "template"), "metadata"), "labels");
  for (const char* k : {"job-name", "batch.kubernetes.io/job-name"})
    if (!labels.contains(k)) labels[k] = name;
  for (const char* k : {"controller-uid", "batch.kubernetes.io/controller-uid"})
    if (!labels.contains(k)) labels[k] = uid;
  Json& match = Obj(Obj(spec, "selector"), "matchLabels");
  if (!match.contains("batch.kubernetes.io/controller-uid"))
    match["batch.kubernetes.io/controller-uid"] = uid;
}

void DefaultJobSpec(Json& spec) {
  if (At(spec, {"completions"}).is_null() && At(spec, {"parallelism"}).is_null()) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  SetDefault(spec, "parallelism", 1);
  if (At(spec, {"backoffLimit"}).is_null())
    spec["backoffLimit"] = At(spec, {"backoffLimitPerIndex"}).is_null() ? 6 : 2147483647;
  SetDefault(spec, "completionMode", "NonIndexed");
  SetDefault(spec, "suspend", false);
  SetDefault(spec, "manualSelector", false);
  SetDefault(spec, "podReplacementPolicy",
             At(spec, {"podFailurePolicy"}).is_null() ? "TerminatingOrFailed" : "Failed");
  if (spec.contains("podFailurePolicy") && spec["podFailurePolicy"].is_object() &&
      spec["podFailurePolicy"].contains("rules") && spec["podFailurePolicy"]["rules"].is_array()) {
    for (Json& rule : spec["podFailurePolicy"]["rules"]) {
      if (!rule.is_object() || !rule.contains("onPodConditions") ||
          !rule["onPodConditions"].is_array())
        continue;
      for (Json& c : rule["onPodConditions"])
        if (c.is_object()) SetDefault(c, "status", "True");
    }
  }
  DefaultPodTemplate(Obj(spec, "template"));
}

void DefaultJob(Json& job) {
  Json& spec = Obj(job, "spec");
  DefaultJobSpec(spec);
  // SetDefaults_Job: a job without labels takes its pod template's.
  const Json& labels = At(job, {"metadata", "labels"});
  const Json& tlabels = At(spec, {"template", "metadata", "labels"});
  if ((!labels.is_object() || labels.empty()) && tlabels.is_object() && !tlabels.empty())
    Obj(job, "metadata")["labels"] = tlabels;
}

// validateJobSpec (shared by jobs and cron job templates), in upstream's order.
void ValidateJobSpecCommon(Causes& out, const Json& spec, const std::string& path) {
  for (const char* f : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                        "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"})
    CheckNonNegative(out, spec, {f}, path + "." + f);
  const Json& max_failed = At(spec, {"maxFailedIndexes"});
  const Json& per_index = At(spec, {"backoffLimitPerIndex"});
  if (!max_failed.is_null() && per_index.is_null())
    out.push_back(RequiredCause(path + ".backoffLimitPerIndex", "when maxFailedIndexes is specified"));
  const Json& managed = At(spec, {"managedBy"});
  if (managed.is_string() && managed.get<std::string>().size() > 63)
    out.push_back(TooLongCause(path + ".managedBy", 63));
  const Json& mode = At(spec, {"completionMode"});
  bool indexed = Str(mode) == "Indexed";
  if (!mode.is_null()) {
    if (Str(mode) != "NonIndexed" && !indexed)
      out.push_back(NotSupportedCause(path + ".completionMode", mode, {"NonIndexed", "Indexed"}));
    if (indexed) {
      if (At(spec, {"completions"}).is_null())
        out.push_back(RequiredCause(path + ".completions", "when completion mode is Indexed"));
      const Json& par = At(spec, {"parallelism"});
      if (Int(par).value_or(0) > 100000)
        out.push_back(InvalidValue(path + ".parallelism", par,
                                   "must be less than or equal to 100000 when completion mode is Indexed"));
      auto completions = Int(At(spec, {"completions"}));
      if (completions && Int(max_failed) && *Int(max_failed) > *completions)
        out.push_back(InvalidValue(path + ".maxFailedIndexes", max_failed,
                                   "must be less than or equal to completions"));
    }
  }
  if (!indexed) {
    if (!per_index.is_null())
      out.push_back(InvalidValue(path + ".backoffLimitPerIndex", per_index, "requires indexed completion mode"));
    if (!max_failed.is_null())
      out.push_back(InvalidValue(path + ".maxFailedIndexes", max_failed, "requires indexed completion mode"));
  }
  const Json& pfp = At(spec, {"podFailurePolicy"});
  std::string prp = Str(At(spec, {"podReplacementPolicy"}));
  if (!At(spec, {"podReplacementPolicy"}).is_null()) {
    if (!pfp.is_null()) {
      if (prp != "Failed")
        out.push_back(NotSupportedCause(path + ".podReplacementPolicy", prp, {"Failed"}));
    } else if (prp != "Failed" && prp != "TerminatingOrFailed") {
      out.push_back(NotSupportedCause(path + ".podReplacementPolicy", prp,
                                      {"Failed", "TerminatingOrFailed"}));
    }
  }
  const Json& tmpl = At(spec, {"template"});
  ValidatePodTemplate(out, tmpl, path + ".template");
  std::string restart = Str(At(tmpl, {"spec", "restartPolicy"}));
  if (restart == "Always" || restart.empty()) {
    out.push_back(RequiredCause(path + ".template.spec.restartPolicy",
                                "valid values: \"OnFailure\", \"Never\""));
  } else if (restart != "OnFailure" && restart != "Never") {
    out.push_back(NotSupportedCause(path + ".template.spec.restartPolicy", restart, {"OnFailure", "Never"}));
  } else if (!pfp.is_null() && restart != "Never") {
    out.push_back(InvalidValue(path + ".template.spec.restartPolicy", restart,
                               "only \"Never\" is supported when podFailurePolicy is specified"));
  }
}

// ValidateJob: metadata checks of the generated selector, ValidateJobSpec (selector required
// and matching), the indexed pods' hostname.
void ValidateJob(Causes& out, const Json& job) {
  const Json& spec = At(job, {"spec"});
  ValidateJobSpecCommon(out, spec, "spec");
  const Json& selector = At(spec, {"selector"});
  if (selector.is_null()) {
    out.push_back(RequiredCause("spec.selector"));
  } else {
    CheckLabelSelector(out, selector, "spec.selector");
  }
  const Json& labels = At(spec, {"template", "metadata", "labels"});
  if (selector.is_null() || (SelectorParses(selector) && !SelectorMatches(selector, labels)))
    out.push_back(InvalidCause("spec.template.metadata.labels", GoStringMap(labels),
                               "`selector` does not match template `labels`"));
  auto completions = Int(At(spec, {"completions"}));
  if (Str(At(spec, {"completionMode"})) == "Indexed" && completions && *completions > 0) {
    std::string host = Name(job) + "-" + std::to_string(*completions - 1);
    if (!IsDns1123Label(host).empty())
      out.push_back(InvalidCause("metadata.name", GoQuote(Name(job)),
                                 "will not able to create pod with invalid DNS label: " + host));
  }
}

// The template fields a suspended job that never started may change
// (JobMutableNodeSchedulingDirectives): node affinity, node selector, tolerations, scheduling
// gates, labels and annotations.
Json WithoutSchedulingDirectives(Json tmpl) {
  if (!tmpl.is_object()) return tmpl;
  Json& meta = Obj(tmpl, "metadata");
  meta.erase("labels");
  meta.erase("annotations");
  Json& spec = Obj(tmpl, "spec");
  for (const char* f : {"nodeSelector", "tolerations", "schedulingGates"}) spec.erase(f);
  if (spec.contains("affinity") && spec["affinity"].is_object()) {
    spec["affinity"].erase("nodeAffinity");
    if (spec["affinity"].empty()) spec.erase("affinity");
  }
  return tmpl;
}

// ValidateJobSpecUpdate's immutability rules.
void ValidateJobUpdate(Causes& out, const Json& job, const Json& old) {
  const Json& spec = At(job, {"spec"});
  const Json& old_spec = At(old, {"spec"});
  // Elastic indexed jobs (GA): completions may change together with parallelism.
  const Json& completions = At(spec, {"completions"});
  if (completions != At(old_spec, {"completions"})) {
    if (Str(At(spec, {"completionMode"})) != "Indexed") {
      out.push_back(InvalidValue("spec.completions", completions, "field is immutable"));
    } else if (!completions.is_null() && completions != At(spec, {"parallelism"})) {
      out.push_back(InvalidValue("spec.completions", completions,
                                 "can only be modified in tandem with spec.parallelism"));
    }
  }
  const Json& sel = At(spec, {"selector"});
  if (sel != At(old_spec, {"selector"}))
    out.push_back(InvalidCause("spec.selector", sel.is_null() ? "null" : GoLabelSelector(sel),
                               "field is immutable"));
  bool suspended_unstarted =
      IsTrue(old_spec, {"suspend"}) && At(old, {"status", "startTime"}).is_null();
  const Json& tmpl = At(spec, {"template"});
  const Json& old_tmpl = At(old_spec, {"template"});
  bool changed = suspended_unstarted
                     ? WithoutSchedulingDirectives(tmpl) != WithoutSchedulingDirectives(old_tmpl)
                     : tmpl != old_tmpl;
  if (changed) out.push_back(InvalidCause("spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
  if (At(spec, {"completionMode"}) != At(old_spec, {"completionMode"}))
    out.push_back(InvalidValue("spec.completionMode", At(spec, {"completionMode"}), "field is immutable"));
  for (const char* f : {"podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"}) {
    const Json& v = At(spec, {f});
    if (v == At(old_spec, {f})) continue;
    std::string rendered = v.is_object() ? "batch." + std::string(f == std::string("podFailurePolicy") ? "PodFailurePolicy" : "SuccessPolicy") + "{...}"
                                         : GoScalar(v);
    out.push_back(InvalidCause(std::string("spec.") + f, rendered, "field is immutable"));
  }
}

bool HasJobCondition(const Json& job, const std::string& type) {
  for (const Json& c : Arr(job, {"status", "conditions"}))
    if (Str(At(c, {"type"})) == type) return Str(At(c, {"status"})) == "True";
  return false;
}

std::vector<Json> JobCells(const Json& job, SystemTime now) {
  int64_t succeeded = Num(job, {"status", "succeeded"});
  std::string completions;
  if (!At(job, {"spec", "completions"}).is_null()) {
    completions = std::to_string(succeeded) + "/" + std::to_string(Num(job, {"spec", "completions"}));
  } else if (Num(job, {"spec", "parallelism"}) > 1) {
    completions = std::to_string(succeeded) + "/1 of " + std::to_string(Num(job, {"spec", "parallelism"}));
  } else {
    completions = std::to_string(succeeded) + "/1";
  }
  std::string duration;
  SystemTime start, end;
  if (ParseRfc3339(Str(At(job, {"status", "startTime"})), &start)) {
    if (ParseRfc3339(Str(At(job, {"status", "completionTime"})), &end)) {
      duration = HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(end - start));
    } else {
      duration = HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - start));
    }
  }
  std::string status = "Running";
  if (HasJobCondition(job, "Complete")) {
    status = "Complete";
  } else if (HasJobCondition(job, "Failed")) {
    status = "Failed";
  } else if (At(job, {"metadata", "deletionTimestamp"}).is_string()) {
    status = "Terminating";
  } else if (HasJobCondition(job, "Suspended")) {
    status = "Suspended";
  } else if (HasJobCondition(job, "FailureTarget")) {
    status = "FailureTarget";
  }
  auto [names, images] = ContainerCells(At(job, {"spec", "template", "spec", "containers"}));
  return {status, completions, duration, AgeOf(job, now), names, images,
          FormatLabelSelector(At(job, {"spec", "selector"}))};
}

// ---- cron jobs -------------------------------------------------------------------------

// The schedule checks of robfig/cron's standard parser, worded as its errors.
std::string CronError(const std::string& schedule) {
  if (schedule.empty()) return "empty spec string";
  if (schedule[0] == '@') {
    static const char* kDescriptors[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                         "@daily",  "@midnight", "@hourly"};
    for (const char* d : kDescriptors)
      if (schedule == d) return "";
    if (schedule.rfind("@every ", 0) == 0) return "";
    return "unrecognized descriptor: " + schedule;
  }
  std::istringstream in(schedule);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5)
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": [" + [&] {
      std::string s;
      for (size_t i = 0; i < fields.size(); ++i) s += (i ? " " : "") + fields[i];
      return s;
    }() + "]";
  static const int kMin[] = {0, 0, 1, 1, 0};
  static const int kMax[] = {59, 23, 31, 12, 6};
  static const char* kNames[] = {"", "", "", "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC",
                                 "SUNMONTUEWEDTHUFRISAT"};
  for (int i = 0; i < 5; ++i) {
    std::istringstream parts(fields[i]);
    for (std::string part; std::getline(parts, part, ',');) {
      std::string range = part.substr(0, part.find('/'));
      if (part.find('/') != std::string::npos) {
        std::string step = part.substr(part.find('/') + 1);
        if (step.empty() || step.find_first_not_of("0123456789") != std::string::npos)
          return "failed to parse int from " + step + ": strconv.Atoi: parsing " + GoQuote(step) +
                 ": invalid syntax";
      }
      if (range == "*" || range == "?") continue;
      std::istringstream bounds(range);
      for (std::string b; std::getline(bounds, b, '-');) {
        if (b.find_first_not_of("0123456789") == std::string::npos && !b.empty()) {
          int v = std::stoi(b.substr(0, 6));
          if (v < kMin[i]) return "beginning of range (" + b + ") below minimum (" + std::to_string(kMin[i]) + "): " + part;
          if (v > kMax[i]) return "end of range (" + b + ") above maximum (" + std::to_string(kMax[i]) + "): " + part;
          continue;
        }
        std::string upper = b;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        std::string names = kNames[i];
        bool named = upper.size() == 3 && names.find(upper) != std::string::npos &&
                     names.find(upper) % 3 == 0;
        if (!named)
          return "failed to parse int from " + b + ": strconv.Atoi: parsing " + GoQuote(b) +
                 ": invalid syntax";
      }
    }
  }
  return "";
}

void DefaultCronJob(Json& cj) {
  Json& spec = Obj(cj, "spec");
  SetDefault(spec, "concurrencyPolicy", "Allow");
  SetDefault(spec, "suspend", false);
  SetDefault(spec, "successfulJobsHistoryLimit", 3);
  SetDefault(spec, "failedJobsHistoryLimit", 1);
  DefaultPodTemplate(Obj(Obj(Obj(spec, "jobTemplate"), "spec"), "template"));
}

// validateTimeZone: IANA names only (a zoneinfo file must exist, as time.LoadLocation needs).
void ValidateTimeZone(Causes& out, const Json& tz) {
  if (tz.is_null()) return;
  std::string zone = Str(tz);
  const std::string path = "spec.timeZone";
  if (zone.empty()) {
    out.push_back(InvalidCause(path, "\"\"", "timeZone must be nil or non-empty string"));
    return;
  }
  static const std::regex kPart(R"(^[A-Za-z\.\-_0-9+]{1,14}$)");
  size_t start = 0;
  while (start <= zone.size()) {
    size_t end = zone.find('/', start);
    if (end == std::string::npos) end = zone.size();
    std::string part = zone.substr(start, end - start);
    if (part == "." || part == ".." || (!part.empty() && part[0] == '-') ||
        !std::regex_match(part, kPart)) {
      out.push_back(InvalidCause(path, GoQuote(zone), "unknown time zone " + zone));
      return;
    }
    start = end + 1;
  }
  std::string lower = zone;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "local") {
    out.push_back(InvalidCause(path, GoQuote(zone),
                               "timeZone must be an explicit time zone as defined in "
                               "https://www.iana.org/time-zones"));
  }
  if (zone != "UTC" && lower != "local" && !std::filesystem::exists("/usr/share/zoneinfo/" + zone))
    out.push_back(InvalidCause(path, GoQuote(zone), "unknown time zone " + zone));
}

// validateCronJobSpec, in upstream's order; `old` is null on create (TZ in the schedule is
// tolerated on update only when the stored schedule had it).
void ValidateCronJobSpec(Causes& out, const Json& cj, const Json* old) {
  const Json& spec = At(cj, {"spec"});
  std::string schedule = Str(At(spec, {"schedule"}));
  bool allow_tz = old && Str(At(*old, {"spec", "schedule"})).find("TZ") != std::string::npos;
  if (schedule.empty()) {
    out.push_back(RequiredCause("spec.schedule"));
  } else {
    if (std::string err = CronError(schedule); !err.empty())
      out.push_back(InvalidCause("spec.schedule", GoQuote(schedule), err));
    bool has_tz = schedule.find("TZ") != std::string::npos;
    if (allow_tz && has_tz && !At(spec, {"timeZone"}).is_null()) {
      out.push_back(InvalidCause("spec.schedule", GoQuote(schedule),
                                 "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
    } else if (!allow_tz && has_tz) {
      out.push_back(InvalidCause("spec.schedule", GoQuote(schedule),
                                 "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
  }
  CheckNonNegative(out, spec, {"startingDeadlineSeconds"}, "spec.startingDeadlineSeconds");
  if (!old || At(*old, {"spec", "timeZone"}) != At(spec, {"timeZone"}))
    ValidateTimeZone(out, At(spec, {"timeZone"}));
  std::string policy = Str(At(spec, {"concurrencyPolicy"}));
  if (policy.empty()) {
    out.push_back(RequiredCause("spec.concurrencyPolicy"));
  } else if (policy != "Allow" && policy != "Forbid" && policy != "Replace") {
    out.push_back(NotSupportedCause("spec.concurrencyPolicy", policy, {"Allow", "Forbid", "Replace"}));
  }
  const Json& jt = At(spec, {"jobTemplate", "spec"});
  ValidateJobSpecCommon(out, jt, "spec.jobTemplate.spec");
  if (!At(jt, {"selector"}).is_null())
    out.push_back(InvalidCause("spec.jobTemplate.spec.selector",
                               GoLabelSelector(At(jt, {"selector"})),
                               "`selector` will be auto-generated"));
  if (IsTrue(jt, {"manualSelector"}))
    out.push_back(NotSupportedCause("spec.jobTemplate.spec.manualSelector", true, {"nil", "false"}));
  for (const char* f : {"successfulJobsHistoryLimit", "failedJobsHistoryLimit"})
    CheckNonNegative(out, spec, {f}, std::string("spec.") + f);
}

std::vector<Json> CronJobCells(const Json& cj, SystemTime now) {
  const Json& suspend = At(cj, {"spec", "suspend"});
  std::string suspend_text =
      suspend.is_boolean() ? (suspend.get<bool>() ? "True" : "False") : "<unset>";
  std::string tz = Str(At(cj, {"spec", "timeZone"}));
  const Json& last = At(cj, {"status", "lastScheduleTime"});
  const Json& jt = At(cj, {"spec", "jobTemplate", "spec"});
  auto [names, images] = ContainerCells(At(jt, {"template", "spec", "containers"}));
  return {Str(At(cj, {"spec", "schedule"})),
          tz.empty() ? "<none>" : tz,
          suspend_text,
          static_cast<int64_t>(Arr(cj, {"status", "active"}).size()),
          last.is_string() ? Since(last, now) : "<none>",
          AgeOf(cj, now),
          names,
          images,
          FormatLabelSelector(At(jt, {"selector"}))};
}

// validateJobStatus: the counters' signs and the uncounted pod UIDs. The transition rules
// that upstream enables per write (JobStatusValidationOptions: no decreasing counters, no
// finished job with active pods, ...) are not checked.
void ValidateJobStatus(Causes& out, const Json& job, const Json& old) {
  (void)old;
  for (const char* f : {"active", "succeeded", "failed", "ready", "terminating"})
    CheckNonNegative(out, job, {"status", f}, std::string("status.") + f);
  std::set<std::string> seen;
  for (const char* list : {"succeeded", "failed"}) {
    const Json& uids = Arr(job, {"status", "uncountedTerminatedPods", list});
    for (size_t i = 0; i < uids.size(); ++i) {
      std::string path =
          std::string("status.uncountedTerminatedPods.") + list + "[" + std::to_string(i) + "]";
      std::string uid = Str(uids[i]);
      if (uid.empty()) {
        out.push_back(InvalidCause(path, "\"\"", "must not be empty"));
      } else if (!seen.insert(uid).second) {
        out.push_back(DuplicateCause(path, GoQuote(uid)));
      }
    }
  }
}

}  // namespace

ResourceInfo Jobs() {
  ResourceInfo r;
  r.group = "batch";
  r.version = "v1";
  r.kind = "Job";
  r.plural = "jobs";
  r.singular = "job";
  r.categories = {"all"};
  r.verbs = kStandardVerbs;
  r.subresources = {StatusSubresource("batch", "v1", "Job")};
  r.schema = SchemaName("batch", "v1", "Job");
  r.columns = {
      Col("Status", "string", "Status of the job."),
      Col("Completions", "string", Doc("JobStatus.succeeded")),
      Col("Duration", "string", "Time required to complete the job."),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
      Col("Selector", "string", Doc("JobSpec.selector"), 1),
  };
  r.cells = JobCells;
  r.fields = [](const Json& job, const std::string& field) -> std::optional<std::string> {
    if (field == "status.successful") return std::to_string(Num(job, {"status", "succeeded"}));
    return std::nullopt;
  };
  StrategySpec s;
  s.empty_status = Json::object();
  s.generation = Generation::kSpec;
  s.prepare_create = GenerateJobSelector;
  s.defaults = DefaultJob;
  s.validate = ValidateJob;
  s.validate_update = ValidateJobUpdate;
  s.validate_status = ValidateJobStatus;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo CronJobs() {
  ResourceInfo r;
  r.group = "batch";
  r.version = "v1";
  r.kind = "CronJob";
  r.plural = "cronjobs";
  r.singular = "cronjob";
  r.short_names = {"cj"};
  r.categories = {"all"};
  r.verbs = kStandardVerbs;
  r.subresources = {StatusSubresource("batch", "v1", "CronJob")};
  r.schema = SchemaName("batch", "v1", "CronJob");
  r.columns = {
      Col("Schedule", "string", Doc("CronJobSpec.schedule")),
      Col("Timezone", "string", Doc("CronJobSpec.timeZone")),
      Col("Suspend", "boolean", Doc("CronJobSpec.suspend")),
      Col("Active", "integer", Doc("CronJobStatus.active")),
      Col("Last Schedule", "string", Doc("CronJobStatus.lastScheduleTime")),
      AgeCol(),
      Col("Containers", "string", kContainersDoc, 1),
      Col("Images", "string", kImagesDoc, 1),
      Col("Selector", "string", Doc("JobSpec.selector"), 1),
  };
  r.cells = CronJobCells;
  r.fields = [](const Json&, const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  StrategySpec s;
  s.empty_status = Json::object();
  s.generation = Generation::kSpec;
  s.defaults = DefaultCronJob;
  // ValidateCronJobCreate / ValidateCronJobUpdate: the 52-character name limit (the
  // controller's job names add 11) is checked on create only.
  s.validate_create = [](Causes& out, const Json& cj) {
    ValidateCronJobSpec(out, cj, nullptr);
    std::string name = Name(cj);
    if (name.size() > 52)
      out.push_back(InvalidCause("metadata.name", GoQuote(name), "must be no more than 52 characters"));
  };
  s.validate_update = [](Causes& out, const Json& cj, const Json& old) {
    ValidateCronJobSpec(out, cj, &old);
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
