#include "controllers/job_util.h"

#include <algorithm>

#include "controllers/controller_ref.h"

namespace minik::jobutil {

namespace {
using std::chrono::seconds;
constexpr const char* kIndexEnv = "JOB_COMPLETION_INDEX";
constexpr size_t kMaxGeneratedNameLength = 58;  // names.MaxGeneratedNameLength
}  // namespace

// ---- pods ---------------------------------------------------------------------------------

std::string Phase(const Json& pod) { return GetString(pod, {"status", "phase"}); }
bool IsTerminal(const Json& pod) {
  std::string p = Phase(pod);
  return p == "Succeeded" || p == "Failed";
}
bool IsActive(const Json& pod) { return !IsTerminal(pod) && !IsBeingDeleted(pod); }

const Json* PodCondition(const Json& pod, const std::string& type) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}
bool IsReady(const Json& pod) {
  const Json* c = PodCondition(pod, "Ready");
  return c && GetString(*c, {"status"}) == "True";
}

bool HasFinalizer(const Json& obj, const std::string& name) {
  const Json* f = Find(obj, {"metadata", "finalizers"});
  if (!f || !f->is_array()) return false;
  for (const Json& v : *f)
    if (v.is_string() && v.get<std::string>() == name) return true;
  return false;
}
bool HasTrackingFinalizer(const Json& pod) { return HasFinalizer(pod, kTrackingFinalizer); }

int CompletionIndex(const Json& pod) {
  const Json* v = Find(pod, {"metadata", "annotations", kIndexKey});
  if (!v || !v->is_string()) return kUnknownIndex;
  const std::string& s = v->get_ref<const std::string&>();
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    return kUnknownIndex;
  return std::stoi(s);
}

int RestartCount(const Json& pod) {
  int n = 0;
  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    const Json* cs = Find(pod, {"status", list});
    if (!cs || !cs->is_array()) continue;
    for (const Json& c : *cs) n += static_cast<int>(GetInt(c, {"restartCount"}));
  }
  return n;
}

SystemTime ParseTime(const Json& obj, std::initializer_list<const char*> path) {
  SystemTime t{};
  ParseRfc3339(GetString(obj, path), &t);
  return t;
}

// getFinishedTime: the containers' latest finishedAt, the Ready=False transition, the
// deletion time minus the grace period, or the creation time.
SystemTime FinishedTime(const Json& pod) {
  const Json* cs = Find(pod, {"status", "containerStatuses"});
  if (cs && cs->is_array() && !cs->empty()) {
    SystemTime latest{};
    bool all = true;
    for (const Json& c : *cs) {
      SystemTime t{};
      if (!ParseRfc3339(GetString(c, {"state", "terminated", "finishedAt"}), &t)) {
        all = false;
        break;
      }
      latest = std::max(latest, t);
    }
    if (all) return latest;
  }
  if (const Json* ready = PodCondition(pod, "Ready");
      ready && GetString(*ready, {"status"}) == "False") {
    SystemTime t{};
    if (ParseRfc3339(GetString(*ready, {"lastTransitionTime"}), &t)) return t;
  }
  if (IsBeingDeleted(pod)) {
    return ParseTime(pod, {"metadata", "deletionTimestamp"}) -
           seconds(GetInt(pod, {"metadata", "deletionGracePeriodSeconds"}));
  }
  return ParseTime(pod, {"metadata", "creationTimestamp"});
}

// controller.ActivePods ordering: the pod to delete first sorts first (unscheduled, then
// pending, then not ready, then more restarts, then newer).
bool DeleteFirst(const ObjectPtr& a, const ObjectPtr& b) {
  bool sa = !GetString(*a, {"spec", "nodeName"}).empty();
  bool sb = !GetString(*b, {"spec", "nodeName"}).empty();
  if (sa != sb) return !sa;
  auto rank = [](const Json& p) {
    std::string ph = Phase(p);
    return ph == "Pending" ? 0 : ph == "Unknown" ? 1 : ph == "Running" ? 2 : 3;
  };
  if (rank(*a) != rank(*b)) return rank(*a) < rank(*b);
  if (IsReady(*a) != IsReady(*b)) return !IsReady(*a);
  if (RestartCount(*a) != RestartCount(*b)) return RestartCount(*a) > RestartCount(*b);
  SystemTime ca = ParseTime(*a, {"metadata", "creationTimestamp"});
  SystemTime cb = ParseTime(*b, {"metadata", "creationTimestamp"});
  if (ca != cb) return ca > cb;
  return Name(*a) < Name(*b);
}

// ---- jobs ---------------------------------------------------------------------------------

bool Suspended(const Json& job) {
  const Json* s = Find(job, {"spec", "suspend"});
  return s && s->is_boolean() && s->get<bool>();
}
bool IsIndexed(const Json& job) { return GetString(job, {"spec", "completionMode"}) == "Indexed"; }
bool HasCompletions(const Json& job) {
  const Json* c = Find(job, {"spec", "completions"});
  return c && c->is_number_integer();
}
int Completions(const Json& job) {
  return static_cast<int>(GetInt(job, {"spec", "completions"}, 1));
}
int Parallelism(const Json& job) {
  return static_cast<int>(GetInt(job, {"spec", "parallelism"}, 1));
}
int BackoffLimit(const Json& job) {
  return static_cast<int>(GetInt(job, {"spec", "backoffLimit"}, 6));
}
const Json* FailurePolicy(const Json& job) {
  const Json* p = Find(job, {"spec", "podFailurePolicy"});
  return p && p->is_object() ? p : nullptr;
}
bool OnlyReplaceFailedPods(const Json& job) {
  return GetString(job, {"spec", "podReplacementPolicy"}) == "Failed" || FailurePolicy(job);
}

// isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it succeeded.
bool IsPodFailed(const Json& pod, const Json& job) {
  if (Phase(pod) == "Failed") return true;
  if (OnlyReplaceFailedPods(job)) return false;
  return IsBeingDeleted(pod) && Phase(pod) != "Succeeded";
}

Json* FindCondition(Json& conds, const std::string& type) {
  if (!conds.is_array()) return nullptr;
  for (Json& c : conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}
bool ConditionTrue(const Json& job, const std::string& type) {
  const Json* conds = Find(job, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return GetString(c, {"status"}) == "True";
  return false;
}
bool IsFinished(const Json& job) {
  return ConditionTrue(job, "Complete") || ConditionTrue(job, "Failed");
}

Json NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, SystemTime now) {
  Json c = {{"type", type},
            {"status", status},
            {"lastProbeTime", FormatRfc3339(now)},
            {"lastTransitionTime", FormatRfc3339(now)}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

// ensureJobConditionStatus: updates the condition of that type, or appends it unless the new
// status is False. True when the list changed.
bool EnsureCondition(Json& status, const std::string& type, const std::string& cstatus,
                     const std::string& reason, const std::string& message, SystemTime now) {
  if (!status["conditions"].is_array()) status["conditions"] = Json::array();
  Json& conds = status["conditions"];
  if (Json* c = FindCondition(conds, type)) {
    if (GetString(*c, {"status"}) != cstatus || GetString(*c, {"reason"}) != reason ||
        GetString(*c, {"message"}) != message) {
      *c = NewCondition(type, cstatus, reason, message, now);
      return true;
    }
    return false;
  }
  if (cstatus == "False") return false;
  conds.push_back(NewCondition(type, cstatus, reason, message, now));
  return true;
}

std::set<std::string> UidSet(const Json& status, const char* list) {
  std::set<std::string> out;
  const Json* l = Find(status, {"uncountedTerminatedPods", list});
  if (l && l->is_array())
    for (const Json& v : *l)
      if (v.is_string()) out.insert(v.get<std::string>());
  return out;
}

// ---- completed-index intervals (indexed_job_utils.go orderedIntervals) -------------------

Intervals Merge(const Intervals& a, const Intervals& b) {
  Intervals out;
  auto add = [&](const Interval& iv) {
    if (out.empty() || iv.first > out.back().last + 1) {
      out.push_back(iv);
    } else if (out.back().last < iv.last) {
      out.back().last = iv.last;
    }
  };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) add(a[i].first < b[j].first ? a[i++] : b[j++]);
  while (i < a.size()) add(a[i++]);
  while (j < b.size()) add(b[j++]);
  return out;
}
Intervals WithIndexes(const Intervals& a, const std::set<int>& indexes) {
  Intervals b;
  for (int ix : indexes) b.push_back({ix, ix});
  return Merge(a, b);
}
int Total(const Intervals& iv) {
  int n = 0;
  for (const Interval& i : iv) n += i.last - i.first + 1;
  return n;
}
bool Has(const Intervals& iv, int ix) {
  for (const Interval& i : iv)
    if (i.first <= ix && ix <= i.last) return true;
  return false;
}
std::string ToString(const Intervals& iv) {
  std::string s;
  for (const Interval& i : iv) {
    if (!s.empty()) s += ',';
    s += std::to_string(i.first);
    if (i.last > i.first) s += (i.last == i.first + 1 ? "," : "-") + std::to_string(i.last);
  }
  return s;
}
Intervals ParseIndexes(const std::string& text, int completions) {
  Intervals out;
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    size_t comma = text.find(',', pos);
    std::string part =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
    size_t dash = part.find('-');
    std::string lo = part.substr(0, dash);
    std::string hi = dash == std::string::npos ? lo : part.substr(dash + 1);
    auto num = [](const std::string& s) {
      return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!num(lo) || !num(hi)) continue;  // corrupted interval: ignored, as upstream
    Interval iv{std::stoi(lo), std::stoi(hi)};
    if (iv.first >= completions) break;
    iv.last = std::min(iv.last, completions - 1);
    if (!out.empty() && out.back().last == iv.first - 1) {
      out.back().last = iv.last;
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

// ---- pod failure policy (pod_failure_policy.go) -------------------------------------------

PolicyMatch MatchPodFailurePolicy(const Json* policy, const Json& pod) {
  PolicyMatch m;
  if (!policy) return m;
  const Json* rules = Find(*policy, {"rules"});
  if (!rules || !rules->is_array()) return m;
  for (size_t index = 0; index < rules->size(); ++index) {
    const Json& rule = (*rules)[index];
    std::string action = GetString(rule, {"action"});
    std::string matched_msg;
    bool matched = false;
    if (const Json* req = Find(rule, {"onExitCodes"}); req && req->is_object()) {
      std::string container = GetString(*req, {"containerName"});
      std::string op = GetString(*req, {"operator"});
      for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
        const Json* cs = Find(pod, {"status", list});
        if (matched || !cs || !cs->is_array()) continue;
        for (const Json& c : *cs) {
          const Json* term = Find(c, {"state", "terminated"});
          if (!term || !term->is_object()) continue;
          if (!container.empty() && container != GetString(c, {"name"})) continue;
          int64_t code = GetInt(*term, {"exitCode"});
          if (code == 0) continue;
          bool in = false;
          if (const Json* vals = Find(*req, {"values"}); vals && vals->is_array())
            for (const Json& v : *vals)
              in = in || (v.is_number_integer() && v.get<int64_t>() == code);
          if ((op == "In" && in) || (op == "NotIn" && !in)) {
            matched = true;
            matched_msg = "Container " + GetString(c, {"name"}) + " for pod " + Namespace(pod) +
                          "/" + Name(pod) + " failed with exit code " + std::to_string(code) +
                          " matching " + action + " rule at index " + std::to_string(index);
            break;
          }
        }
      }
    } else if (const Json* pats = Find(rule, {"onPodConditions"}); pats && pats->is_array()) {
      const Json* conds = Find(pod, {"status", "conditions"});
      if (conds && conds->is_array()) {
        for (const Json& c : *conds) {
          for (const Json& p : *pats) {
            std::string want = GetString(p, {"status"});
            if (want.empty()) want = "True";
            if (GetString(c, {"type"}) == GetString(p, {"type"}) &&
                GetString(c, {"status"}) == want) {
              matched = true;
              matched_msg = "Pod " + Namespace(pod) + "/" + Name(pod) + " has condition " +
                            GetString(c, {"type"}) + " matching " + action + " rule at index " +
                            std::to_string(index);
              break;
            }
          }
          if (matched) break;
        }
      }
    }
    if (!matched) continue;
    if (action == "Ignore") return {std::nullopt, false, action};
    if (action == "Count") return {std::nullopt, true, action};
    if (action == "FailJob") return {matched_msg, true, action};
    // FailIndex (with backoffLimitPerIndex): counts, and fails the index (IsIndexFailed).
    return {std::nullopt, true, action};
  }
  return m;
}

// matchSuccessPolicy: the first rule the succeeded indexes satisfy, as "Matched rules at
// index N".
std::optional<std::string> MatchSuccessPolicy(const Json& job, const Intervals& succeeded) {
  const Json* rules = Find(job, {"spec", "successPolicy", "rules"});
  if (!rules || !rules->is_array() || succeeded.empty()) return std::nullopt;
  for (size_t index = 0; index < rules->size(); ++index) {
    const Json& rule = (*rules)[index];
    const Json* count = Find(rule, {"succeededCount"});
    const bool has_count = count && count->is_number_integer();
    if (const Json* ixs = Find(rule, {"succeededIndexes"}); ixs && ixs->is_string()) {
      Intervals required = ParseIndexes(ixs->get<std::string>(), Completions(job));
      if (required.empty()) continue;
      int contains = 0;
      for (const Interval& r : required)
        for (const Interval& sv : succeeded)
          contains += std::max(0, std::min(r.last, sv.last) - std::max(r.first, sv.first) + 1);
      if (contains == Total(required) || (has_count && contains >= count->get<int64_t>()))
        return "Matched rules at index " + std::to_string(index);
    } else if (has_count && Total(succeeded) >= count->get<int64_t>()) {
      return "Matched rules at index " + std::to_string(index);
    }
  }
  return std::nullopt;
}

// ---- backoffLimitPerIndex (indexed_job_utils.go) ------------------------------------------

bool PerIndex(const Json& job) {
  const Json* b = Find(job, {"spec", "backoffLimitPerIndex"});
  return IsIndexed(job) && b && b->is_number_integer();
}
int AnnotationCount(const Json& pod, const char* key) {
  const Json* v = Find(pod, {"metadata", "annotations", key});
  if (!v || !v->is_string()) return 0;
  const std::string& s = v->get_ref<const std::string&>();
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoi(s);
}
int AbsoluteFailureCount(const Json& pod) {
  return AnnotationCount(pod, kIndexFailureCount) + AnnotationCount(pod, kIndexIgnoredCount);
}
// isIndexFailed: the pod's failure used up the index's backoffLimitPerIndex (or a FailIndex
// rule matched).
bool IsIndexFailed(const Json& job, const Json& pod) {
  if (!IsPodFailed(pod, job)) return false;
  bool counted = true;
  if (const Json* policy = FailurePolicy(job)) {
    PolicyMatch m = MatchPodFailurePolicy(policy, pod);
    if (m.action == "FailIndex") return true;
    counted = m.count;
  }
  return counted &&
         AnnotationCount(pod, kIndexFailureCount) >= GetInt(job, {"spec", "backoffLimitPerIndex"});
}

std::string IndexLabelValue(int ix) { return std::to_string(ix); }

// podGenerateNameWithIndex.
std::string GenerateNameWithIndex(const std::string& job, int ix) {
  std::string suffix = "-" + std::to_string(ix) + "-";
  std::string prefix = job + suffix;
  if (prefix.size() > kMaxGeneratedNameLength)
    prefix = prefix.substr(0, kMaxGeneratedNameLength - suffix.size()) + suffix;
  return prefix;
}

void AddIndexEnv(Json& spec) {
  for (const char* list : {"initContainers", "containers"}) {
    Json* cs = spec.contains(list) ? &spec[list] : nullptr;
    if (!cs || !cs->is_array()) continue;
    for (Json& c : *cs) {
      if (!c.is_object()) continue;
      if (!c["env"].is_array()) c["env"] = Json::array();
      bool present = false;
      for (const Json& e : c["env"]) present = present || GetString(e, {"name"}) == kIndexEnv;
      if (present) continue;
      // PodIndexLabel (on by default since 1.28): the env var reads the pod's label.
      c["env"].push_back(
          {{"name", kIndexEnv},
           {"valueFrom",
            {{"fieldRef",
              {{"apiVersion", "v1"},
               {"fieldPath", std::string("metadata.labels['") + kIndexKey + "']"}}}}}});
    }
  }
}

std::vector<int> PodIndexes(const std::vector<ObjectPtr>& pods, std::set<int>* out_set) {
  std::set<int> s;
  for (const ObjectPtr& p : pods)
    if (int ix = CompletionIndex(*p); ix != kUnknownIndex) s.insert(ix);
  if (out_set) *out_set = s;
  return {s.begin(), s.end()};
}

}  // namespace minik::jobutil
