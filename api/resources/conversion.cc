#include "api/resources/conversion.h"

#include "api/resources/resources.h"

namespace minik::res {
namespace {

// Moves obj[from] to obj[to] (nothing when absent).
void Rename(Json& obj, const char* from, const char* to) {
  auto it = obj.find(from);
  if (it == obj.end()) return;
  Json v = std::move(*it);
  obj.erase(from);
  obj[to] = std::move(v);
}

// Field names of events.k8s.io/v1 Event -> core/v1 Event (pkg/apis/events/v1/conversion.go).
constexpr std::pair<const char*, const char*> kEventRenames[] = {
    {"regarding", "involvedObject"},
    {"note", "message"},
    {"deprecatedSource", "source"},
    {"deprecatedFirstTimestamp", "firstTimestamp"},
    {"deprecatedLastTimestamp", "lastTimestamp"},
    {"deprecatedCount", "count"},
    {"reportingController", "reportingComponent"},
};

// The annotations autoscaling/v1 keeps what it cannot express in (upstream's
// autoscaling.MetricSpecsAnnotation etc.). minik writes the autoscaling/v2 shapes in them.
constexpr const char* kMetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
constexpr const char* kCurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
constexpr const char* kConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
constexpr const char* kBehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

bool IsCpuUtilization(const Json& m, const char* side) {
  const Json* r = Find(m, {"resource"});
  return GetString(m, {"type"}) == "Resource" && r && GetString(*r, {"name"}) == "cpu" &&
         Find(*r, {side, "averageUtilization"}) != nullptr &&
         (std::string(side) == "current" || GetString(*r, {side, "type"}) == "Utilization");
}

// obj[key] when obj is an object that has it, else nullptr.
Json* Member(Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Takes annotation `key` (a JSON document) out of obj's metadata; null when absent or bad.
Json TakeAnnotation(Json& obj, const char* key) {
  Json* meta = Member(obj, "metadata");
  Json* ann = meta ? Member(*meta, "annotations") : nullptr;
  if (!ann || !ann->is_object()) return nullptr;
  auto it = ann->find(key);
  if (it == ann->end()) return nullptr;
  Json parsed = it->is_string() ? Json::parse(it->get<std::string>(), nullptr, false) : Json();
  ann->erase(key);
  if (ann->empty()) meta->erase("annotations");
  return parsed.is_discarded() ? Json() : parsed;
}

void PutAnnotation(Json& obj, const char* key, const Json& value) {
  obj["metadata"]["annotations"][key] = value.dump();
}

}  // namespace

Json CoreEventFromV1(const Json& ev) {
  Json out = ev;
  for (const auto& [v1, core] : kEventRenames) Rename(out, v1, core);
  out["apiVersion"] = "v1";
  out["kind"] = "Event";
  return out;
}

Json V1EventFromCore(const Json& ev) {
  Json out = ev;
  for (const auto& [v1, core] : kEventRenames) Rename(out, core, v1);
  out["apiVersion"] = "events.k8s.io/v1";
  out["kind"] = "Event";
  return out;
}

Json HpaV2FromV1(const Json& hpa) {
  Json out = hpa;
  out["apiVersion"] = "autoscaling/v2";
  out["kind"] = "HorizontalPodAutoscaler";
  Json metrics = TakeAnnotation(out, kMetricsAnnotation);
  if (!metrics.is_array()) metrics = Json::array();
  Json current = TakeAnnotation(out, kCurrentMetricsAnnotation);
  if (!current.is_array()) current = Json::array();
  Json conditions = TakeAnnotation(out, kConditionsAnnotation);
  Json behavior = TakeAnnotation(out, kBehaviorAnnotation);
  if (Json* spec = Member(out, "spec"); spec && spec->is_object()) {
    if (auto it = spec->find("targetCPUUtilizationPercentage"); it != spec->end()) {
      metrics.insert(metrics.begin(),
                     Json{{"type", "Resource"},
                          {"resource", {{"name", "cpu"},
                                        {"target", {{"type", "Utilization"},
                                                    {"averageUtilization", *it}}}}}});
      spec->erase(it);
    }
    if (!metrics.empty()) (*spec)["metrics"] = metrics;
    if (behavior.is_object()) (*spec)["behavior"] = behavior;
  }
  if (Json* status = Member(out, "status"); status && status->is_object()) {
    if (auto it = status->find("currentCPUUtilizationPercentage"); it != status->end()) {
      current.insert(current.begin(),
                     Json{{"type", "Resource"},
                          {"resource", {{"name", "cpu"},
                                        {"current", {{"averageUtilization", *it}}}}}});
      status->erase(it);
    }
    if (!current.empty()) (*status)["currentMetrics"] = current;
    if (conditions.is_array()) (*status)["conditions"] = conditions;
  }
  return out;
}

Json HpaV1FromV2(const Json& hpa) {
  Json out = hpa;
  out["apiVersion"] = "autoscaling/v1";
  out["kind"] = "HorizontalPodAutoscaler";
  if (Json* spec = Member(out, "spec"); spec && spec->is_object()) {
    Json others = Json::array();
    bool cpu_taken = false;
    if (auto it = spec->find("metrics"); it != spec->end() && it->is_array()) {
      for (const Json& m : *it) {
        if (!cpu_taken && IsCpuUtilization(m, "target")) {
          (*spec)["targetCPUUtilizationPercentage"] = m["resource"]["target"]["averageUtilization"];
          cpu_taken = true;
        } else {
          others.push_back(m);
        }
      }
      spec->erase("metrics");
    }
    Json behavior = spec->contains("behavior") ? (*spec)["behavior"] : Json();
    spec->erase("behavior");
    if (!others.empty()) PutAnnotation(out, kMetricsAnnotation, others);
    if (behavior.is_object()) PutAnnotation(out, kBehaviorAnnotation, behavior);
  }
  if (Json* status = Member(out, "status"); status && status->is_object()) {
    Json others = Json::array();
    bool cpu_taken = false;
    if (auto it = status->find("currentMetrics"); it != status->end() && it->is_array()) {
      for (const Json& m : *it) {
        if (!cpu_taken && IsCpuUtilization(m, "current")) {
          (*status)["currentCPUUtilizationPercentage"] =
              m["resource"]["current"]["averageUtilization"];
          cpu_taken = true;
        } else {
          others.push_back(m);
        }
      }
      status->erase("currentMetrics");
    }
    Json conditions = status->contains("conditions") ? (*status)["conditions"] : Json();
    status->erase("conditions");
    if (!others.empty()) PutAnnotation(out, kCurrentMetricsAnnotation, others);
    if (conditions.is_array() && !conditions.empty())
      PutAnnotation(out, kConditionsAnnotation, conditions);
  }
  return out;
}

std::shared_ptr<const StorageConversion> EventsV1Conversion() {
  auto c = std::make_shared<StorageConversion>();
  c->storage = {"", "v1", "events"};
  c->to_storage = CoreEventFromV1;
  c->from_storage = V1EventFromCore;
  // events.k8s.io/v1's field label conversion: regarding.*, reason, reportingController,
  // source and type.
  c->field_label = [](const std::string& label) -> std::optional<std::string> {
    if (label == "metadata.name" || label == "metadata.namespace") return label;
    if (label.rfind("regarding.", 0) == 0) return "involvedObject." + label.substr(10);
    if (label == "reportingController") return std::string("reportingComponent");
    if (label == "reason" || label == "source" || label == "type") return label;
    return std::nullopt;
  };
  return c;
}

ResourceInfo HorizontalPodAutoscalersV1() {
  ResourceInfo r = HorizontalPodAutoscalers();
  r.version = "v1";
  r.schema = "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler";
  for (auto& sub : r.subresources) {
    if (sub.name == "status") sub.response.version = "v1";
  }
  auto v2_cells = r.cells;
  r.cells = [v2_cells](const Json& hpa, SystemTime now) { return v2_cells(HpaV2FromV1(hpa), now); };
  auto c = std::make_shared<StorageConversion>();
  c->storage = {"autoscaling", "v2", "horizontalpodautoscalers"};
  c->to_storage = HpaV2FromV1;
  c->from_storage = HpaV1FromV2;
  c->field_label = [](const std::string& label) -> std::optional<std::string> {
    if (label == "metadata.name" || label == "metadata.namespace") return label;
    return std::nullopt;
  };
  r.conversion = std::move(c);
  return r;
}

}  // namespace minik::res
