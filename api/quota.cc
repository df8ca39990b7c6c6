// Quota evaluators (pkg/quota/v1/evaluator/core: pods.go, services.go,
// persistent_volume_claims.go, and the generic object count evaluator) and resource list
// arithmetic (pkg/quota/v1/resources.go).
#include "api/quota.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "api/resources/pod_spec.h"
#include "api/resources/quantity.h"

namespace minik::quota {

namespace {

constexpr int64_t kOne = 1000;  // one unit, in milli units

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

// IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not requests.*.
bool IsExtended(const std::string& name) {
  if (name.find('/') == std::string::npos) return false;
  if (StartsWith(name, "kubernetes.io/") || name.find(".kubernetes.io/") != std::string::npos)
    return false;
  return !StartsWith(name, "requests.");
}

// A container's (or pod's) requests/limits as a ResourceList.
ResourceList ListAt(const Json& obj, std::initializer_list<const char*> path) {
  const Json* list = Find(obj, path);
  return list && list->is_object() ? Parse(*list) : ResourceList{};
}

// resourcehelper.PodRequests / PodLimits: the containers' sum, at least every init
// container's own amount (init containers run one at a time before them), plus overhead.
ResourceList PodResources(const Json& pod, const char* which) {
  ResourceList sum;
  if (const Json* cs = Find(pod, {"spec", "containers"}); cs && cs->is_array()) {
    for (const Json& c : *cs) sum = Add(sum, ListAt(c, {"resources", which}));
  }
  if (const Json* ics = Find(pod, {"spec", "initContainers"}); ics && ics->is_array()) {
    ResourceList sidecars;
    for (const Json& c : *ics) {
      ResourceList own = ListAt(c, {"resources", which});
      if (GetString(c, {"restartPolicy"}) == "Always") {
        // Sidecars keep running next to the containers: they add up.
        sidecars = Add(sidecars, own);
        sum = Add(sum, own);
        continue;
      }
      for (const auto& [name, v] : Add(own, Mask(sidecars, Names(own)))) {
        auto it = sum.find(name);
        if (it == sum.end() || v > it->second) sum[name] = v;
      }
    }
  }
  if (const Json* overhead = Find(pod, {"spec", "overhead"}); overhead && overhead->is_object()) {
    // Overhead only adds to resources the pod already names (upstream's addResourceList for
    // requests; limits likewise only where set).
    for (const auto& [name, v] : Parse(*overhead)) {
      if (sum.count(name)) sum[name] = SaturatingAdd(sum[name], v);
    }
  }
  return sum;
}

// podComputeUsageHelper.
ResourceList ComputeUsage(const ResourceList& requests, const ResourceList& limits) {
  ResourceList out;
  out["pods"] = kOne;
  for (const char* r : {"cpu", "memory", "ephemeral-storage"}) {
    if (auto it = requests.find(r); it != requests.end()) {
      out[r] = it->second;
      out[std::string("requests.") + r] = it->second;
    }
    if (auto it = limits.find(r); it != limits.end()) out[std::string("limits.") + r] = it->second;
  }
  for (const auto& [name, v] : requests) {
    if (StartsWith(name, "hugepages-")) {
      out[name] = v;
      out["requests." + name] = v;
    }
    if (IsExtended(name)) out["requests." + name] = v;
  }
  return out;
}

// QuotaV1Pod: pods that reached the end of their life no longer use compute resources.
bool PodUsesCompute(const Json& pod, SystemTime now) {
  std::string phase = GetString(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return false;
  std::string deleted = GetString(pod, {"metadata", "deletionTimestamp"});
  const Json* grace = Find(pod, {"metadata", "deletionGracePeriodSeconds"});
  if (!deleted.empty() && grace && grace->is_number_integer()) {
    SystemTime t;
    if (ParseRfc3339(deleted, &t) && now > t + std::chrono::seconds(grace->get<int64_t>()))
      return false;
  }
  return true;
}

bool IsPods(const std::string& group, const std::string& plural) {
  return group.empty() && plural == "pods";
}
bool IsServices(const std::string& group, const std::string& plural) {
  return group.empty() && plural == "services";
}
bool IsClaims(const std::string& group, const std::string& plural) {
  return group.empty() && plural == "persistentvolumeclaims";
}

std::string CountName(const std::string& group, const std::string& plural) {
  return "count/" + (group.empty() ? plural : plural + "." + group);
}

constexpr std::string_view kClassSuffix = ".storageclass.storage.k8s.io/";

// One scope of a quota against a pod (podMatchesScopeFunc).
bool PodMatchesScope(const std::string& scope, const std::string& op,
                     const std::vector<std::string>& values, const Json& pod) {
  const Json* deadline = Find(pod, {"spec", "activeDeadlineSeconds"});
  bool terminating = deadline && deadline->is_number_integer() && deadline->get<int64_t>() >= 0;
  if (scope == "Terminating") return terminating;
  if (scope == "NotTerminating") return !terminating;
  const Json* spec = Find(pod, {"spec"});
  bool best_effort = spec && res::PodQosClass(*spec) == "BestEffort";
  if (scope == "BestEffort") return best_effort;
  if (scope == "NotBestEffort") return !best_effort;
  if (scope == "PriorityClass") {
    std::string pc = GetString(pod, {"spec", "priorityClassName"});
    bool in = std::find(values.begin(), values.end(), pc) != values.end();
    if (op == "In") return in;
    if (op == "NotIn") return !in;
    if (op == "DoesNotExist") return pc.empty();
    return !pc.empty();  // Exists
  }
  if (scope == "CrossNamespacePodAffinity") {
    for (const char* kind : {"podAffinity", "podAntiAffinity"}) {
      const Json* a = Find(pod, {"spec", "affinity"});
      if (!a || !a->is_object() || !a->contains(kind)) continue;
      for (const char* when : {"requiredDuringSchedulingIgnoredDuringExecution",
                               "preferredDuringSchedulingIgnoredDuringExecution"}) {
        const Json* terms = Find(*a, {kind, when});
        if (!terms || !terms->is_array()) continue;
        for (const Json& t : *terms) {
          const Json& term = t.contains("podAffinityTerm") ? t["podAffinityTerm"] : t;
          const Json* nss = Find(term, {"namespaces"});
          if ((nss && nss->is_array() && !nss->empty()) ||
              (term.contains("namespaceSelector") && !term["namespaceSelector"].is_null()))
            return true;
        }
      }
    }
    return false;
  }
  return false;  // unknown scopes match nothing
}

}  // namespace

std::optional<int64_t> ParseMilli(const Json& value) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number()) {
    text = value.dump();
  } else {
    return std::nullopt;
  }
  auto v = res::ParseQuantity(text);
  if (!v) return std::nullopt;
  long double milli = *v * 1000.0L;
  if (milli >= 9.2e18L) return INT64_MAX;
  if (milli <= -9.2e18L) return INT64_MIN;
  // The parser is floating point: values that are whole milli units up to rounding error
  // ("0.1" -> 100.00000001) are taken as such; others round up as MilliValue() does.
  long double nearest = std::round(milli);
  if (std::fabs(milli - nearest) <= 1e-6L * std::max<long double>(1.0L, std::fabs(milli)))
    return int64_t(nearest);
  return int64_t(std::ceil(milli));
}

std::string FormatMilli(const std::string& resource, int64_t milli) {
  if (milli % 1000 != 0) {
    return res::CanonicalQuantity(std::to_string(milli) + "m").value_or(std::to_string(milli) + "m");
  }
  int64_t n = milli / 1000;
  // Memory-like amounts are written with binary suffixes as the apiserver keeps the format of
  // the quantities it adds up ("64Mi" + "32Mi" = "96Mi").
  bool binary = EndsWith(resource, "memory") || EndsWith(resource, "storage") ||
                resource.find("hugepages-") != std::string::npos;
  if (binary && n != 0 && n % 1024 == 0) {
    static const char* kSuffixes[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int i = 0;
    int64_t v = n / 1024;
    while (i < 5 && v % 1024 == 0) {
      v /= 1024;
      ++i;
    }
    return std::to_string(v) + kSuffixes[i];
  }
  return res::CanonicalQuantity(std::to_string(n)).value_or(std::to_string(n));
}

ResourceList Parse(const Json& list) {
  ResourceList out;
  if (!list.is_object()) return out;
  for (const auto& [name, value] : list.items()) {
    if (auto v = ParseMilli(value)) out[name] = *v;
  }
  return out;
}

Json ToJson(const ResourceList& list) {
  Json out = Json::object();
  for (const auto& [name, v] : list) out[name] = FormatMilli(name, v);
  return out;
}

std::string PrettyPrint(const ResourceList& list) {
  std::string out;
  for (const auto& [name, v] : list) {
    if (!out.empty()) out += ",";
    out += name + "=" + FormatMilli(name, v);
  }
  return out;
}

ResourceList Add(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  for (const auto& [name, v] : b) out[name] = SaturatingAdd(out[name], v);
  return out;
}

ResourceList Subtract(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  for (const auto& [name, v] : b) out[name] = SaturatingAdd(out[name], v == INT64_MIN ? INT64_MAX : -v);
  return out;
}

ResourceList Mask(const ResourceList& list, const std::vector<std::string>& names) {
  ResourceList out;
  for (const std::string& n : names) {
    if (auto it = list.find(n); it != list.end()) out[n] = it->second;
  }
  return out;
}

std::vector<std::string> Names(const ResourceList& list) {
  std::vector<std::string> out;
  for (const auto& [name, v] : list) out.push_back(name);
  return out;
}

bool LessThanOrEqual(const ResourceList& a, const ResourceList& b,
                     std::vector<std::string>* exceeded) {
  bool ok = true;
  for (const auto& [name, v] : a) {
    auto it = b.find(name);
    if (it != b.end() && v > it->second) {
      ok = false;
      if (exceeded) exceeded->push_back(name);
    }
  }
  return ok;
}

bool TracksResource(const std::string& group, const std::string& plural,
                    const std::string& name) {
  if (name == CountName(group, plural)) return true;
  if (IsPods(group, plural)) {
    static const std::set<std::string> kPod = {
        "pods",           "cpu",           "memory",          "ephemeral-storage",
        "requests.cpu",   "requests.memory", "requests.ephemeral-storage",
        "limits.cpu",     "limits.memory", "limits.ephemeral-storage"};
    if (kPod.count(name)) return true;
    if (StartsWith(name, "hugepages-") || StartsWith(name, "requests.hugepages-")) return true;
    return StartsWith(name, "requests.") && IsExtended(name.substr(9));
  }
  if (IsServices(group, plural)) {
    return name == "services" || name == "services.nodeports" || name == "services.loadbalancers";
  }
  if (IsClaims(group, plural)) {
    if (name == "persistentvolumeclaims" || name == "requests.storage") return true;
    size_t at = name.find(kClassSuffix);
    if (at == std::string::npos || at == 0) return false;
    std::string rest = name.substr(at + kClassSuffix.size());
    return rest == "requests.storage" || rest == "persistentvolumeclaims";
  }
  if (group.empty()) {
    // Legacy object count names of core kinds.
    for (const char* legacy : {"configmaps", "secrets", "replicationcontrollers", "resourcequotas"})
      if (plural == legacy && name == legacy) return true;
  }
  return false;
}

ResourceList Usage(const std::string& group, const std::string& plural, const Json& obj,
                   SystemTime now) {
  ResourceList out;
  out[CountName(group, plural)] = kOne;
  if (IsPods(group, plural)) {
    if (PodUsesCompute(obj, now)) {
      out = Add(out, ComputeUsage(PodResources(obj, "requests"), PodResources(obj, "limits")));
    }
  } else if (IsServices(group, plural)) {
    out["services"] = kOne;
    const Json* ports = Find(obj, {"spec", "ports"});
    int64_t n = ports && ports->is_array() ? int64_t(ports->size()) : 0;
    std::string type = GetString(obj, {"spec", "type"});
    if (type == "NodePort") out["services.nodeports"] = n * kOne;
    if (type == "LoadBalancer") {
      out["services.loadbalancers"] = kOne;
      const Json* alloc = Find(obj, {"spec", "allocateLoadBalancerNodePorts"});
      if (!(alloc && alloc->is_boolean() && !alloc->get<bool>())) out["services.nodeports"] = n * kOne;
    }
  } else if (IsClaims(group, plural)) {
    out["persistentvolumeclaims"] = kOne;
    std::string cls = GetString(obj, {"spec", "storageClassName"});
    if (cls.empty()) cls = GetString(obj, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
    if (!cls.empty()) out[cls + std::string(kClassSuffix) + "persistentvolumeclaims"] = kOne;
    int64_t storage = 0;
    bool has = false;
    for (const Json* q : {Find(obj, {"spec", "resources", "requests", "storage"}),
                          Find(obj, {"status", "allocatedResources", "storage"})}) {
      if (!q) continue;
      if (auto v = ParseMilli(*q)) {
        storage = std::max(storage, *v);
        has = true;
      }
    }
    if (has) {
      out["requests.storage"] = storage;
      if (!cls.empty()) out[cls + std::string(kClassSuffix) + "requests.storage"] = storage;
    }
  } else if (group.empty()) {
    for (const char* legacy : {"configmaps", "secrets", "replicationcontrollers", "resourcequotas"})
      if (plural == legacy) out[legacy] = kOne;
  }
  return out;
}

bool MatchesScopes(const Json& resource_quota, const std::string& group,
                   const std::string& plural, const Json& obj) {
  if (!IsPods(group, plural)) return true;
  if (const Json* scopes = Find(resource_quota, {"spec", "scopes"}); scopes && scopes->is_array()) {
    for (const Json& s : *scopes) {
      if (!s.is_string()) continue;
      std::string scope = s.get<std::string>();
      if (!PodMatchesScope(scope, "Exists", {}, obj)) return false;
    }
  }
  const Json* exprs = Find(resource_quota, {"spec", "scopeSelector", "matchExpressions"});
  if (exprs && exprs->is_array()) {
    for (const Json& e : *exprs) {
      std::vector<std::string> values;
      if (const Json* vs = Find(e, {"values"}); vs && vs->is_array()) {
        for (const Json& v : *vs)
          if (v.is_string()) values.push_back(v.get<std::string>());
      }
      if (!PodMatchesScope(GetString(e, {"scopeName"}), GetString(e, {"operator"}), values, obj))
        return false;
    }
  }
  return true;
}

std::string PodConstraintError(const std::vector<std::string>& restricted, const Json& pod) {
  static const std::set<std::string> kValidated = {"cpu",          "memory",
                                                   "requests.cpu", "requests.memory",
                                                   "limits.cpu",   "limits.memory"};
  std::set<std::string> required;
  for (const std::string& r : restricted)
    if (kValidated.count(r)) required.insert(r);
  if (required.empty()) return "";
  std::map<std::string, std::set<std::string>> missing;  // resource -> container names
  for (const char* list : {"containers", "initContainers"}) {
    const Json* cs = Find(pod, {"spec", list});
    if (!cs || !cs->is_array()) continue;
    for (const Json& c : *cs) {
      ResourceList usage =
          ComputeUsage(ListAt(c, {"resources", "requests"}), ListAt(c, {"resources", "limits"}));
      for (const std::string& r : required)
        if (!usage.count(r)) missing[r].insert(GetString(c, {"name"}));
    }
  }
  if (missing.empty()) return "";
  std::string out = "must specify ";
  bool first = true;
  for (const auto& [resource, names] : missing) {
    if (!first) out += "; ";
    first = false;
    out += resource + " for: ";
    bool first_name = true;
    for (const std::string& n : names) {
      if (!first_name) out += ",";
      first_name = false;
      out += n;
    }
  }
  return out;
}

}  // namespace minik::quota
