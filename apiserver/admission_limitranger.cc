// LimitRanger (plugin/pkg/admission/limitranger/admission.go): a pod created in a namespace
// with LimitRanges gets their Container defaults (mutating), then every LimitRange's min, max
// and maxLimitRequestRatio are enforced on its containers and on the pod as a whole; claims
// are held to the PersistentVolumeClaim min/max of storage (validating). Pod updates are not
// admitted (containers' resources cannot change), as upstream.
#include <cstdio>

#include "api/log.h"
#include "api/quota.h"
#include "apiserver/admission_plugins.h"

namespace minik {

namespace {

const ResourceRef kLimitRanges{"", "v1", "limitranges"};
constexpr const char* kAnnotation = "kubernetes.io/limit-ranger";

// A resource list JSON object (absent: empty).
const Json& ListOf(const Json& obj, std::initializer_list<const char*> path) {
  static const Json kEmpty = Json::object();
  const Json* l = Find(obj, path);
  return l && l->is_object() ? *l : kEmpty;
}

std::string Text(const Json& q) {
  if (q.is_string()) return q.get<std::string>();
  return q.dump();
}

// A named quantity in a resource list, its text and milli value.
struct Amount {
  bool exists = false;
  int64_t milli = 0;
  std::string text;
};
Amount Get(const Json& list, const std::string& name) {
  Amount a;
  if (!list.contains(name)) return a;
  a.exists = true;
  a.text = Text(list[name]);
  a.milli = quota::ParseMilli(list[name]).value_or(0);
  return a;
}

std::string MinConstraint(const std::string& type, const std::string& name, const Json& enforced,
                          const Json& requests, const Json& limits) {
  Amount req = Get(requests, name), lim = Get(limits, name);
  int64_t want = quota::ParseMilli(enforced).value_or(0);
  std::string e = Text(enforced);
  if (!req.exists) return "minimum " + name + " usage per " + type + " is " + e + ".  No request is specified";
  if (req.milli < want)
    return "minimum " + name + " usage per " + type + " is " + e + ", but request is " + req.text;
  if (lim.exists && lim.milli < want)
    return "minimum " + name + " usage per " + type + " is " + e + ", but limit is " + lim.text;
  return "";
}

std::string MaxConstraint(const std::string& type, const std::string& name, const Json& enforced,
                          const Json& requests, const Json& limits) {
  Amount req = Get(requests, name), lim = Get(limits, name);
  int64_t want = quota::ParseMilli(enforced).value_or(0);
  std::string e = Text(enforced);
  if (!lim.exists) return "maximum " + name + " usage per " + type + " is " + e + ".  No limit is specified";
  if (lim.milli > want)
    return "maximum " + name + " usage per " + type + " is " + e + ", but limit is " + lim.text;
  if (req.exists && req.milli > want)
    return "maximum " + name + " usage per " + type + " is " + e + ", but request is " + req.text;
  return "";
}

// maxRequestConstraint: claims have requests only.
std::string MaxRequestConstraint(const std::string& type, const std::string& name,
                                 const Json& enforced, const Json& requests) {
  Amount req = Get(requests, name);
  int64_t want = quota::ParseMilli(enforced).value_or(0);
  std::string e = Text(enforced);
  if (!req.exists) return "maximum " + name + " usage per " + type + " is " + e + ".  No request is specified";
  if (req.milli > want)
    return "maximum " + name + " usage per " + type + " is " + e + ", but request is " + req.text;
  return "";
}

std::string RatioConstraint(const std::string& type, const std::string& name, const Json& enforced,
                            const Json& requests, const Json& limits) {
  Amount req = Get(requests, name), lim = Get(limits, name);
  std::string prefix = name + " max limit to request ratio per " + type + " is " + Text(enforced);
  if (!req.exists || req.milli == 0) return prefix + ", but no request is specified or request is 0";
  if (!lim.exists || lim.milli == 0) return prefix + ", but no limit is specified or limit is 0";
  double ratio = double(lim.milli) / double(req.milli);
  double max_ratio = double(quota::ParseMilli(enforced).value_or(0));
  if (ratio * 1000 > max_ratio) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%f", ratio);
    return prefix + ", but provided ratio is " + buf;
  }
  return "";
}

// podRequests / podLimits: what the pod as a whole asks for.
Json PodTotal(const Json& pod, const char* which) {
  quota::ResourceList sum;
  const Json* cs = Find(pod, {"spec", "containers"});
  if (cs && cs->is_array())
    for (const Json& c : *cs) sum = quota::Add(sum, quota::Parse(ListOf(c, {"resources", which})));
  const Json* ics = Find(pod, {"spec", "initContainers"});
  if (ics && ics->is_array()) {
    for (const Json& c : *ics) {
      for (const auto& [name, v] : quota::Parse(ListOf(c, {"resources", which}))) {
        auto it = sum.find(name);
        if (it == sum.end() || v > it->second) sum[name] = v;
      }
    }
  }
  return quota::ToJson(sum);
}

void Enforce(std::vector<std::string>& errs, const Json& item, const std::string& type,
             const Json& requests, const Json& limits) {
  auto add = [&](std::string e) {
    if (!e.empty()) errs.push_back(std::move(e));
  };
  for (const auto& [k, v] : ListOf(item, {"min"}).items())
    add(MinConstraint(type, k, v, requests, limits));
  for (const auto& [k, v] : ListOf(item, {"max"}).items())
    add(MaxConstraint(type, k, v, requests, limits));
  for (const auto& [k, v] : ListOf(item, {"maxLimitRequestRatio"}).items())
    add(RatioConstraint(type, k, v, requests, limits));
}

// utilerrors.NewAggregate(errs).Error().
std::string Aggregate(const std::vector<std::string>& errs) {
  if (errs.empty()) return "";
  if (errs.size() == 1) return errs[0];
  std::string out = "[";
  for (size_t i = 0; i < errs.size(); ++i) out += (i ? ", " : "") + errs[i];
  return out + "]";
}

const Json& Items(const Json& limit_range) {
  static const Json kNone = Json::array();
  const Json* l = Find(limit_range, {"spec", "limits"});
  return l && l->is_array() ? *l : kNone;
}

class LimitRanger final : public AdmissionPlugin {
 public:
  explicit LimitRanger(Client& client) : client_(client) {}
  std::string_view Name() const override { return "LimitRanger"; }

  Status Mutate(AdmissionRequest& req) override {
    if (!req.Is("", "pods") || !req.IsCreate() || !req.object) return Status::Ok();
    auto ranges = Ranges(req);
    if (!ranges.ok()) return ranges.status();
    for (const Json& lr : *ranges) ApplyLimitRangeDefaults(lr, *req.object);
    return Status::Ok();
  }

  Status Validate(const AdmissionRequest& req) override {
    bool pod = req.Is("", "pods") && req.IsCreate();
    bool claim = req.Is("", "persistentvolumeclaims") && (req.IsCreate() || req.IsUpdate());
    if ((!pod && !claim) || !req.object) return Status::Ok();
    auto ranges = Ranges(req);
    if (!ranges.ok()) return ranges.status();
    for (const Json& lr : *ranges) {
      std::string err = pod ? CheckLimitRange(lr, *req.object)
                            : CheckLimitRangeClaim(lr, *req.object);
      if (!err.empty()) return req.Forbidden(err);
    }
    return Status::Ok();
  }

 private:
  StatusOr<Json> Ranges(const AdmissionRequest& req) {
    auto list = client_.List(kLimitRanges, req.ns);
    // NotFound: the server does not serve LimitRanges (embedders may serve a subset).
    if (!list.ok() && list.status().code() == Code::kNotFound) return Json::array();
    if (!list.ok()) return req.Forbidden(list.status().message());
    const Json* items = Find(*list, {"items"});
    return items && items->is_array() ? *items : Json::array();
  }

  Client& client_;
};

}  // namespace

void ApplyLimitRangeDefaults(const Json& limit_range, Json& pod) {
  Json def_limits = Json::object(), def_requests = Json::object();
  for (const Json& item : Items(limit_range)) {
    if (GetString(item, {"type"}) != "Container") continue;
    for (const auto& [k, v] : ListOf(item, {"defaultRequest"}).items()) def_requests[k] = v;
    for (const auto& [k, v] : ListOf(item, {"default"}).items()) def_limits[k] = v;
  }
  if (def_limits.empty() && def_requests.empty()) return;
  std::vector<std::string> notes;
  for (const char* list : {"containers", "initContainers"}) {
    Json* cs = pod.contains("spec") && pod["spec"].is_object() && pod["spec"].contains(list)
                   ? &pod["spec"][list]
                   : nullptr;
    if (!cs || !cs->is_array()) continue;
    const std::string what = std::string(list) == "containers" ? "container " : "init container ";
    for (Json& c : *cs) {
      if (!c.is_object()) continue;
      Json& res = c["resources"];
      if (!res.is_object()) res = Json::object();
      std::vector<std::string> set_requests, set_limits;  // sorted: JSON objects are
      for (auto [key, defaults, set] :
           {std::tuple{"limits", &def_limits, &set_limits},
            std::tuple{"requests", &def_requests, &set_requests}}) {
        Json& have = res[key];
        if (!have.is_object()) have = Json::object();
        for (const auto& [k, v] : defaults->items()) {
          if (have.contains(k)) continue;
          have[k] = v;
          set->push_back(k);
        }
        if (have.empty()) res.erase(key);
      }
      std::string name = GetString(c, {"name"});
      auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
        return out;
      };
      if (!set_requests.empty()) notes.push_back(join(set_requests) + " request for " + what + name);
      if (!set_limits.empty()) notes.push_back(join(set_limits) + " limit for " + what + name);
    }
  }
  if (notes.empty()) return;
  std::string val = "LimitRanger plugin set: ";
  for (size_t i = 0; i < notes.size(); ++i) val += (i ? "; " : "") + notes[i];
  Json& meta = pod["metadata"];
  if (!meta.is_object()) meta = Json::object();
  if (!meta["annotations"].is_object()) meta["annotations"] = Json::object();
  meta["annotations"][kAnnotation] = val;
}

std::string CheckLimitRange(const Json& limit_range, const Json& pod) {
  std::vector<std::string> errs;
  for (const Json& item : Items(limit_range)) {
    std::string type = GetString(item, {"type"});
    if (type == "Container") {
      for (const char* list : {"containers", "initContainers"}) {
        const Json* cs = Find(pod, {"spec", list});
        if (!cs || !cs->is_array()) continue;
        for (const Json& c : *cs)
          Enforce(errs, item, type, ListOf(c, {"resources", "requests"}),
                  ListOf(c, {"resources", "limits"}));
      }
    } else if (type == "Pod") {
      Enforce(errs, item, type, PodTotal(pod, "requests"), PodTotal(pod, "limits"));
    }
  }
  return Aggregate(errs);
}

std::string CheckLimitRangeClaim(const Json& limit_range, const Json& claim) {
  std::vector<std::string> errs;
  const Json& requests = ListOf(claim, {"spec", "resources", "requests"});
  for (const Json& item : Items(limit_range)) {
    std::string type = GetString(item, {"type"});
    if (type != "PersistentVolumeClaim") continue;
    for (const auto& [k, v] : ListOf(item, {"min"}).items()) {
      std::string e = MinConstraint(type, k, v, requests, Json::object());
      if (!e.empty()) errs.push_back(e);
    }
    for (const auto& [k, v] : ListOf(item, {"max"}).items()) {
      std::string e = MaxRequestConstraint(type, k, v, requests);
      if (!e.empty()) errs.push_back(e);
    }
  }
  return Aggregate(errs);
}

std::shared_ptr<AdmissionPlugin> NewLimitRanger(Client& client) {
  return std::make_shared<LimitRanger>(client);
}

}  // namespace minik
