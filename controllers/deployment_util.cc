#include "controllers/deployment_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "controllers/controller_ref.h"

namespace minik::deployutil {

namespace {

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// Annotations of a deployment never copied to (or from) its replica sets.
bool SkipCopyAnnotation(const std::string& key) {
  static const std::set<std::string> kSkip = {"kubectl.kubernetes.io/last-applied-configuration",
                                              kRevisionAnnotation,
                                              kRevisionHistoryAnnotation,
                                              kDesiredReplicasAnnotation,
                                              kMaxReplicasAnnotation,
                                              "deprecated.deployment.rollback.to"};
  return kSkip.count(key) > 0;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

int64_t StatusInt(const Json& status, const char* field) { return GetInt(status, {field}, 0); }

Json& Annotations(Json& obj) {
  Json& meta = obj["metadata"];
  if (!meta.is_object()) meta = Json::object();
  Json& a = meta["annotations"];
  if (!a.is_object()) a = Json::object();
  return a;
}

void NormalizeInto(Json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      NormalizeInto(*it);
      if (it->is_null() || ((it->is_object() || it->is_array()) && it->empty())) {
        it = v.erase(it);
      } else {
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (Json& e : v) NormalizeInto(e);
  }
}

// Order of pod phases for deletion (podPhaseToOrdinal); other phases count as Pending.
int PhaseOrdinal(const std::string& phase) {
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;
}

// logarithmicRankDiff: compares floor(log2(age in ns)) of two times.
int64_t LogRankDiff(SystemTime t1, SystemTime t2, SystemTime now) {
  auto rank = [&](SystemTime t) -> int64_t {
    auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
    return d > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d))) : -1;
  };
  return rank(t1) - rank(t2);
}

}  // namespace

// ---- index ---------------------------------------------------------------------------------

std::string OrphanIndexValue(const std::string& ns) { return "orphan/" + ns; }

std::vector<std::string> ControllerUidIndexFunc(const Json& obj) {
  if (const Json* ref = ControllerRefOf(obj)) {
    std::string uid = GetString(*ref, {"uid"});
    if (!uid.empty()) return {uid};
  }
  return {OrphanIndexValue(Namespace(obj))};
}

void EnsureControllerUidIndex(Informer& informer) {
  // AlreadyExists: the other controller of this pair added the same index.
  (void)informer.AddIndex(kControllerUidIndex, ControllerUidIndexFunc);
}

std::vector<ObjectPtr> ClaimCandidates(const Informer& informer, const std::string& ns,
                                       const std::string& owner_uid) {
  std::vector<ObjectPtr> out;
  for (ObjectPtr& p : informer.ByIndex(kControllerUidIndex, owner_uid)) {
    if (Namespace(*p) == ns) out.push_back(std::move(p));
  }
  for (ObjectPtr& p : informer.ByIndex(kControllerUidIndex, OrphanIndexValue(ns))) {
    out.push_back(std::move(p));
  }
  return out;
}

// ---- objects -------------------------------------------------------------------------------

SystemTime ParseTime(const std::string& s) {
  SystemTime t{};
  if (s.empty() || !ParseRfc3339(s, &t)) return SystemTime{};
  return t;
}

SystemTime CreationTime(const Json& obj) {
  return ParseTime(GetString(obj, {"metadata", "creationTimestamp"}));
}

int64_t SpecReplicas(const Json& obj) {
  const Json* r = Find(obj, {"spec", "replicas"});
  if (!r || !r->is_number_integer()) return 1;
  return r->get<int64_t>();
}

std::string Annotation(const Json& obj, const std::string& key) {
  const Json* a = Find(obj, {"metadata", "annotations"});
  if (!a || !a->is_object()) return "";
  auto it = a->find(key);
  if (it == a->end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const Json& TemplateLabels(const Json& owner) {
  static const Json kEmpty = Json::object();
  const Json* l = Find(owner, {"spec", "template", "metadata", "labels"});
  return l && l->is_object() ? *l : kEmpty;
}

// ---- pods ----------------------------------------------------------------------------------

namespace {
const Json* ReadyCondition(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (GetString(c, {"type"}) == "Ready") return &c;
  }
  return nullptr;
}
}  // namespace

bool IsPodReady(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  return c && GetString(*c, {"status"}) == "True";
}

std::optional<SystemTime> PodReadyTime(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  if (!c || GetString(*c, {"status"}) != "True") return std::nullopt;
  return ParseTime(GetString(*c, {"lastTransitionTime"}));
}

bool IsPodAvailable(const Json& pod, int64_t min_ready_seconds, SystemTime now) {
  auto ready = PodReadyTime(pod);
  if (!ready) return false;
  if (min_ready_seconds <= 0) return true;
  if (*ready == SystemTime{}) return false;
  return *ready + std::chrono::seconds(min_ready_seconds) < now;
}

bool IsPodActive(const Json& pod) {
  std::string phase = GetString(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" && !IsBeingDeleted(pod);
}

int64_t MaxContainerRestarts(const Json& pod) {
  int64_t m = 0;
  const Json* statuses = Find(pod, {"status", "containerStatuses"});
  if (!statuses || !statuses->is_array()) return 0;
  for (const Json& s : *statuses) m = std::max(m, GetInt(s, {"restartCount"}, 0));
  return m;
}

void SortPodsForDeletion(std::vector<ObjectPtr>& pods, std::vector<int>& ranks, SystemTime now) {
  struct Key {
    ObjectPtr pod;
    int rank;
    bool assigned;
    int phase;
    bool ready;
    int64_t cost;
    std::optional<SystemTime> ready_time;
    int64_t restarts;
    SystemTime created;
    std::string uid;
  };
  std::vector<Key> keys;
  keys.reserve(pods.size());
  for (size_t i = 0; i < pods.size(); ++i) {
    const Json& p = *pods[i];
    Key k;
    k.pod = pods[i];
    k.rank = i < ranks.size() ? ranks[i] : 0;
    k.assigned = !GetString(p, {"spec", "nodeName"}).empty();
    k.phase = PhaseOrdinal(GetString(p, {"status", "phase"}));
    k.ready_time = PodReadyTime(p);
    k.ready = k.ready_time.has_value();
    auto cost = ParseInt(Annotation(p, kPodDeletionCostAnnotation));
    k.cost = cost && *cost >= std::numeric_limits<int32_t>::min() && *cost <= kMaxInt32 ? *cost : 0;
    k.restarts = MaxContainerRestarts(p);
    k.created = CreationTime(p);
    k.uid = Uid(p);
    keys.push_back(std::move(k));
  }
  // afterOrZero: a zero time sorts first, otherwise the later time.
  auto after_or_zero = [](SystemTime a, SystemTime b) {
    if (a == SystemTime{} || b == SystemTime{}) return a == SystemTime{};
    return a > b;
  };
  auto time_less = [&](SystemTime a, SystemTime b, const Key& x, const Key& y) {
    if (a == SystemTime{} || b == SystemTime{}) return after_or_zero(a, b);
    int64_t diff = LogRankDiff(a, b, now);
    if (diff == 0) return x.uid < y.uid;
    return diff < 0;
  };
  std::stable_sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.assigned != b.assigned) return !a.assigned;
    if (a.phase != b.phase) return a.phase < b.phase;
    if (a.ready != b.ready) return !a.ready;
    if (a.cost != b.cost) return a.cost < b.cost;
    if (a.rank != b.rank) return a.rank > b.rank;
    if (a.ready && b.ready && *a.ready_time != *b.ready_time)
      return time_less(*a.ready_time, *b.ready_time, a, b);
    if (a.restarts != b.restarts) return a.restarts > b.restarts;
    if (a.created != b.created) return time_less(a.created, b.created, a, b);
    return false;
  });
  for (size_t i = 0; i < keys.size(); ++i) {
    pods[i] = std::move(keys[i].pod);
    if (i < ranks.size()) ranks[i] = keys[i].rank;
  }
}

// ---- templates -----------------------------------------------------------------------------

Json NormalizeTemplate(const Json& tmpl) {
  Json copy = tmpl;
  NormalizeInto(copy);
  return copy;
}

bool EqualIgnoreHash(const Json& a, const Json& b) {
  Json x = a, y = b;
  for (Json* t : {&x, &y}) {
    if (t->is_object()) {
      auto m = t->find("metadata");
      if (m != t->end() && m->is_object()) {
        auto l = m->find("labels");
        if (l != m->end() && l->is_object()) l->erase(kPodTemplateHashLabel);
      }
    }
    NormalizeInto(*t);
  }
  return x == y;
}

std::string ComputeHash(const Json& tmpl, std::optional<int64_t> collision_count) {
  uint32_t h = 2166136261u;
  auto feed = [&](unsigned char b) {
    h ^= b;
    h *= 16777619u;
  };
  for (unsigned char c : NormalizeTemplate(tmpl).dump()) feed(c);
  if (collision_count) {
    uint32_t c = static_cast<uint32_t>(*collision_count);
    for (int i = 0; i < 8; ++i) feed(i < 4 ? static_cast<unsigned char>(c >> (8 * i)) : 0);
  }
  // rand.SafeEncodeString: no vowels or look-alike digits.
  static const char kAlphanums[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (char c : std::to_string(h)) out += kAlphanums[static_cast<unsigned char>(c) % 27];
  return out;
}

// ---- deployments ---------------------------------------------------------------------------

StatusOr<int64_t> ValueFromIntOrPercent(const Json& v, int64_t total, bool round_up) {
  if (v.is_null()) return int64_t{0};
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string())
    return BadRequest("invalid value for IntOrString: invalid type: neither int nor percentage");
  std::string s = v.get<std::string>();
  if (s.empty() || s.back() != '%') return BadRequest("invalid type: string is not a percentage");
  auto n = ParseInt(s.substr(0, s.size() - 1));
  if (!n) return BadRequest("invalid value \"" + s + "\"");
  double scaled = static_cast<double>(*n) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

StatusOr<Fenceposts> ResolveFenceposts(const Json& max_surge, const Json& max_unavailable,
                                       int64_t desired) {
  auto surge = ValueFromIntOrPercent(max_surge, desired, true);
  if (!surge.ok()) return surge.status();
  auto unavailable = ValueFromIntOrPercent(max_unavailable, desired, false);
  if (!unavailable.ok()) return unavailable.status();
  Fenceposts f{*surge, *unavailable};
  // Rounding down may resolve both to zero: then one pod may be unavailable.
  if (f.surge == 0 && f.unavailable == 0) f.unavailable = 1;
  return f;
}

bool IsRollingUpdate(const Json& d) {
  return GetString(d, {"spec", "strategy", "type"}) == "RollingUpdate";
}

namespace {
Fenceposts FencepostsOf(const Json& d) {
  const Json* ru = Find(d, {"spec", "strategy", "rollingUpdate"});
  static const Json kNull;
  const Json& ms = ru && ru->contains("maxSurge") ? (*ru)["maxSurge"] : kNull;
  const Json& mu = ru && ru->contains("maxUnavailable") ? (*ru)["maxUnavailable"] : kNull;
  auto f = ResolveFenceposts(ms, mu, SpecReplicas(d));
  return f.ok() ? *f : Fenceposts{};  // invalid values are refused by validation
}
}  // namespace

int64_t MaxSurge(const Json& d) {
  if (!IsRollingUpdate(d)) return 0;
  return FencepostsOf(d).surge;
}

int64_t MaxUnavailable(const Json& d) {
  int64_t replicas = SpecReplicas(d);
  if (!IsRollingUpdate(d) || replicas == 0) return 0;
  return std::min(FencepostsOf(d).unavailable, replicas);
}

bool HasProgressDeadline(const Json& d) {
  const Json* p = Find(d, {"spec", "progressDeadlineSeconds"});
  return p && p->is_number_integer() && p->get<int64_t>() != kMaxInt32;
}

bool HasRevisionHistoryLimit(const Json& d) {
  const Json* p = Find(d, {"spec", "revisionHistoryLimit"});
  return p && p->is_number_integer() && p->get<int64_t>() != kMaxInt32;
}

std::optional<int64_t> Revision(const Json& obj) {
  const Json* a = Find(obj, {"metadata", "annotations"});
  if (!a || !a->is_object() || !a->contains(kRevisionAnnotation)) return int64_t{0};
  const Json& v = (*a)[kRevisionAnnotation];
  if (!v.is_string()) return std::nullopt;
  return ParseInt(v.get<std::string>());
}

int64_t MaxRevision(const std::vector<const Json*>& rss) {
  int64_t max = 0;
  for (const Json* rs : rss) {
    if (!rs) continue;
    if (auto v = Revision(*rs); v && *v > max) max = *v;
  }
  return max;
}

std::optional<int64_t> IntAnnotation(const Json& obj, const std::string& key) {
  const Json* a = Find(obj, {"metadata", "annotations"});
  if (!a || !a->is_object() || !a->contains(key)) return std::nullopt;
  const Json& v = (*a)[key];
  if (!v.is_string()) return std::nullopt;
  return ParseInt(v.get<std::string>());
}

bool SetReplicasAnnotations(Json& rs, int64_t desired, int64_t max) {
  bool updated = false;
  Json& a = Annotations(rs);
  std::string ds = std::to_string(desired), ms = std::to_string(max);
  if (!a.contains(kDesiredReplicasAnnotation) || a[kDesiredReplicasAnnotation] != ds) {
    a[kDesiredReplicasAnnotation] = ds;
    updated = true;
  }
  if (!a.contains(kMaxReplicasAnnotation) || a[kMaxReplicasAnnotation] != ms) {
    a[kMaxReplicasAnnotation] = ms;
    updated = true;
  }
  return updated;
}

bool ReplicasAnnotationsNeedUpdate(const Json& rs, int64_t desired, int64_t max) {
  return Annotation(rs, kDesiredReplicasAnnotation) != std::to_string(desired) ||
         Annotation(rs, kMaxReplicasAnnotation) != std::to_string(max);
}

bool SetNewReplicaSetAnnotations(const Json& d, Json& rs, const std::string& new_revision,
                                 bool exists) {
  bool changed = false;
  Json& a = Annotations(rs);
  if (const Json* da = Find(d, {"metadata", "annotations"}); da && da->is_object()) {
    for (auto it = da->begin(); it != da->end(); ++it) {
      if (SkipCopyAnnotation(it.key()) || (a.contains(it.key()) && a[it.key()] == *it)) continue;
      a[it.key()] = *it;
      changed = true;
    }
  }
  const bool had_revision = a.contains(kRevisionAnnotation);
  std::string old_revision = had_revision && a[kRevisionAnnotation].is_string()
                                 ? a[kRevisionAnnotation].get<std::string>()
                                 : "";
  int64_t old_int = 0;
  if (!old_revision.empty()) {
    auto v = ParseInt(old_revision);
    if (!v) return false;  // upstream gives up on a malformed revision
    old_int = *v;
  }
  auto new_int = ParseInt(new_revision);
  if (!new_int) return false;
  if (old_int < *new_int) {
    a[kRevisionAnnotation] = new_revision;
    changed = true;
    // An existing replica set getting a newer revision is a rollback to it: remember the
    // revisions it served, bounded in length.
    if (had_revision) {
      std::string history =
          a.contains(kRevisionHistoryAnnotation) && a[kRevisionHistoryAnnotation].is_string()
              ? a[kRevisionHistoryAnnotation].get<std::string>()
              : "";
      if (history.empty()) {
        a[kRevisionHistoryAnnotation] = old_revision;
      } else {
        std::vector<std::string> parts;
        size_t pos = 0;
        while (true) {
          size_t comma = history.find(',', pos);
          parts.push_back(history.substr(pos, comma - pos));
          if (comma == std::string::npos) break;
          pos = comma + 1;
        }
        size_t total = history.size() + old_revision.size() + 1;
        size_t start = 0;
        while (total > kMaxRevisionHistoryChars && start < parts.size()) {
          total -= parts[start].size() + 1;
          ++start;
        }
        if (total <= kMaxRevisionHistoryChars) {
          std::string joined;
          for (size_t i = start; i < parts.size(); ++i) joined += parts[i] + ",";
          joined += old_revision;
          a[kRevisionHistoryAnnotation] = joined;
        }
      }
    }
  }
  if (!exists && SetReplicasAnnotations(rs, SpecReplicas(d), SpecReplicas(d) + MaxSurge(d)))
    changed = true;
  return changed;
}

int64_t GetProportion(const Json& rs, const Json& d, int64_t to_add, int64_t added) {
  int64_t rs_replicas = SpecReplicas(rs);
  if (rs_replicas == 0 || to_add == 0 || to_add == added) return 0;
  // getReplicaSetFraction
  int64_t fraction;
  if (SpecReplicas(d) == 0) {
    fraction = -rs_replicas;
  } else {
    int64_t deployment_replicas = SpecReplicas(d) + MaxSurge(d);
    auto annotated = IntAnnotation(rs, kMaxReplicasAnnotation);
    int64_t base = annotated ? *annotated : GetInt(d, {"status", "replicas"}, 0);
    if (base == 0) return 0;
    double size =
        static_cast<double>(rs_replicas * deployment_replicas) / static_cast<double>(base);
    int64_t rounded = static_cast<int64_t>(size < 0 ? size - 0.5 : size + 0.5);
    fraction = rounded - rs_replicas;
  }
  int64_t allowed = to_add - added;
  // Never add (or remove) more than is left to distribute.
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

StatusOr<int64_t> NewRSNewReplicas(const Json& d, const std::vector<const Json*>& all_rss,
                                   const Json& new_rs) {
  std::string type = GetString(d, {"spec", "strategy", "type"});
  int64_t replicas = SpecReplicas(d);
  if (type == "RollingUpdate") {
    static const Json kNull;
    const Json* ms = Find(d, {"spec", "strategy", "rollingUpdate", "maxSurge"});
    auto surge = ValueFromIntOrPercent(ms ? *ms : kNull, replicas, true);
    if (!surge.ok()) return surge.status();
    int64_t current = 0;
    for (const Json* rs : all_rss)
      if (rs) current += SpecReplicas(*rs);
    int64_t max_total = replicas + *surge;
    int64_t new_replicas = SpecReplicas(new_rs);
    if (current >= max_total) return new_replicas;
    int64_t up = std::min(max_total - current, replicas - new_replicas);
    return new_replicas + up;
  }
  if (type == "Recreate") return replicas;
  return BadRequest("deployment type " + type + " isn't supported");
}

bool IsSaturated(const Json& d, const Json* rs) {
  if (!rs) return false;
  auto desired = IntAnnotation(*rs, kDesiredReplicasAnnotation);
  if (!desired) return false;
  int64_t replicas = SpecReplicas(d);
  return SpecReplicas(*rs) == replicas && *desired == replicas &&
         GetInt(*rs, {"status", "availableReplicas"}, 0) == replicas;
}

bool CreationLess(const Json* a, const Json* b) {
  SystemTime ta = CreationTime(*a), tb = CreationTime(*b);
  if (ta != tb) return ta < tb;
  return Name(*a) < Name(*b);
}

std::vector<Json*> FilterActive(const std::vector<Json*>& rss) {
  std::vector<Json*> out;
  for (Json* rs : rss)
    if (rs && SpecReplicas(*rs) > 0) out.push_back(rs);
  return out;
}

int64_t SumSpec(const std::vector<Json*>& rss) {
  int64_t n = 0;
  for (const Json* rs : rss)
    if (rs) n += SpecReplicas(*rs);
  return n;
}

int64_t SumStatus(const std::vector<Json*>& rss, const char* field) {
  int64_t n = 0;
  for (const Json* rs : rss)
    if (rs) n += GetInt(*rs, {"status", field}, 0);
  return n;
}

// ---- conditions ----------------------------------------------------------------------------

const Json* GetCondition(const Json& status, const std::string& type) {
  const Json* conds = Find(status, {"conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

Json NewDeploymentCondition(const std::string& type, const std::string& status,
                            const std::string& reason, const std::string& message, SystemTime now) {
  std::string ts = FormatRfc3339(now);
  return Json{{"type", type},         {"status", status},
              {"lastUpdateTime", ts}, {"lastTransitionTime", ts},
              {"reason", reason},     {"message", message}};
}

void SetCondition(Json& status, Json condition) {
  std::string type = GetString(condition, {"type"});
  const Json* current = GetCondition(status, type);
  if (current && GetString(*current, {"status"}) == GetString(condition, {"status"})) {
    if (GetString(*current, {"reason"}) == GetString(condition, {"reason"})) return;
    if (current->contains("lastTransitionTime"))
      condition["lastTransitionTime"] = (*current)["lastTransitionTime"];
  }
  RemoveCondition(status, type);
  if (!status.contains("conditions") || !status["conditions"].is_array())
    status["conditions"] = Json::array();
  status["conditions"].push_back(std::move(condition));
}

void RemoveCondition(Json& status, const std::string& type) {
  if (!status.is_object() || !status.contains("conditions")) return;
  Json& conds = status["conditions"];
  if (!conds.is_array()) {
    status.erase("conditions");
    return;
  }
  Json keep = Json::array();
  for (const Json& c : conds)
    if (GetString(c, {"type"}) != type) keep.push_back(c);
  if (keep.empty()) {
    status.erase("conditions");
  } else {
    conds = std::move(keep);
  }
}

bool DeploymentComplete(const Json& d, const Json& s) {
  int64_t replicas = SpecReplicas(d);
  return StatusInt(s, "updatedReplicas") == replicas && StatusInt(s, "replicas") == replicas &&
         StatusInt(s, "availableReplicas") == replicas &&
         StatusInt(s, "observedGeneration") >= GetInt(d, {"metadata", "generation"}, 0);
}

bool DeploymentProgressing(const Json& d, const Json& s) {
  static const Json kEmpty = Json::object();
  const Json* old_ptr = Find(d, {"status"});
  const Json& old = old_ptr && old_ptr->is_object() ? *old_ptr : kEmpty;
  int64_t old_old = StatusInt(old, "replicas") - StatusInt(old, "updatedReplicas");
  int64_t new_old = StatusInt(s, "replicas") - StatusInt(s, "updatedReplicas");
  return StatusInt(s, "updatedReplicas") > StatusInt(old, "updatedReplicas") || new_old < old_old ||
         StatusInt(s, "readyReplicas") > StatusInt(old, "readyReplicas") ||
         StatusInt(s, "availableReplicas") > StatusInt(old, "availableReplicas");
}

bool DeploymentTimedOut(const Json& d, const Json& s, SystemTime now) {
  if (!HasProgressDeadline(d)) return false;
  const Json* c = GetCondition(s, "Progressing");
  if (!c) return false;
  std::string reason = GetString(*c, {"reason"});
  if (reason == kNewRSAvailableReason) return false;
  if (reason == kTimedOutReason) return true;
  SystemTime from = ParseTime(GetString(*c, {"lastUpdateTime"}));
  auto deadline = std::chrono::seconds(GetInt(d, {"spec", "progressDeadlineSeconds"}, 0));
  return from + deadline < now;
}

}  // namespace minik::deployutil
