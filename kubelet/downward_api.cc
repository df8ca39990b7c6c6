// Downward API values: fieldpath.ExtractFieldPathAsString plus the kubelet's pod fields
// (podFieldSelectorRuntimeValue), and resource.ExtractContainerResourceValue with the node
// allocatable standing in for missing limits (MergeContainerResourceLimits).
#include "kubelet/downward_api.h"

#include <cmath>
#include <vector>

#include "api/resources/pod_spec.h"
#include "api/validation.h"
#include "kubelet/volumes.h"

namespace minik {
namespace {

std::string JoinIps(const Json& pod, const char* list_field, const char* single_field) {
  std::string out;
  const Json* ips = Find(pod, {"status", list_field});
  if (ips && ips->is_array()) {
    for (const Json& ip : *ips) {
      std::string v = GetString(ip, {"ip"});
      if (v.empty()) continue;
      if (!out.empty()) out += ',';
      out += v;
    }
  }
  if (out.empty()) out = GetString(pod, {"status", single_field});
  return out;
}

std::string MapValue(const Json& map, const std::string& key) {
  if (!map.is_object()) return "";
  auto it = map.find(key);
  if (it == map.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Quantity.MilliValue / Value round up; the tiny slack absorbs binary floating error
// ("0.1" * 1000 must stay 100).
int64_t CeilScaled(long double v, long double scale) {
  return static_cast<int64_t>(std::ceil(v * scale - 1e-6L));
}

int64_t CeilDiv(int64_t a, int64_t b) {
  if (b <= 0) return 0;
  if (a >= 0) return (a + b - 1) / b;
  return -((-a) / b);
}

const Json* FindContainer(const Json& pod, const std::string& name) {
  for (const char* list : {"containers", "initContainers"}) {
    const Json* cs = Find(pod, {"spec", list});
    if (!cs || !cs->is_array()) continue;
    for (const Json& c : *cs) {
      if (GetString(c, {"name"}) == name) return &c;
    }
  }
  return nullptr;
}

}  // namespace

std::string FormatDownwardMap(const Json& map) {
  std::string out;
  if (!map.is_object()) return out;
  for (auto it = map.begin(); it != map.end(); ++it) {  // nlohmann objects iterate sorted
    if (!out.empty()) out += '\n';
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    out += it.key() + "=" + GoQuote(value);
  }
  return out;
}

StatusOr<std::string> DownwardFieldValue(const Json& pod, const std::string& field_path) {
  // Subscripted paths: metadata.labels['key'], metadata.annotations['key'].
  size_t open = field_path.find("['");
  if (open != std::string::npos && field_path.size() >= open + 4 &&
      field_path.compare(field_path.size() - 2, 2, "']") == 0) {
    std::string path = field_path.substr(0, open);
    std::string key = field_path.substr(open + 2, field_path.size() - open - 4);
    if (path != "metadata.labels" && path != "metadata.annotations") {
      return Status(Code::kInvalid, "fieldPath \"" + field_path + "\" does not support subscript");
    }
    if (key.empty()) {
      return Status(Code::kInvalid, "invalid key subscript in " + field_path +
                                        ": name part must be non-empty");
    }
    const Json* map = Find(pod, {"metadata", path == "metadata.labels" ? "labels" : "annotations"});
    return map ? MapValue(*map, key) : std::string();
  }
  if (field_path == "metadata.name") return Name(pod);
  if (field_path == "metadata.namespace") return Namespace(pod);
  if (field_path == "metadata.uid") return Uid(pod);
  if (field_path == "metadata.labels" || field_path == "metadata.annotations") {
    const Json* map =
        Find(pod, {"metadata", field_path == "metadata.labels" ? "labels" : "annotations"});
    return map ? FormatDownwardMap(*map) : std::string();
  }
  if (field_path == "spec.nodeName") return GetString(pod, {"spec", "nodeName"});
  if (field_path == "spec.serviceAccountName") {
    return GetString(pod, {"spec", "serviceAccountName"});
  }
  if (field_path == "status.podIP") return GetString(pod, {"status", "podIP"});
  if (field_path == "status.podIPs") return JoinIps(pod, "podIPs", "podIP");
  if (field_path == "status.hostIP") return GetString(pod, {"status", "hostIP"});
  if (field_path == "status.hostIPs") return JoinIps(pod, "hostIPs", "hostIP");
  return Status(Code::kInvalid, "unsupported fieldPath: " + field_path);
}

StatusOr<std::string> DownwardResourceValue(const Json& pod, const std::string& container,
                                            const std::string& resource,
                                            const std::string& divisor, int64_t node_cpu_milli,
                                            int64_t node_memory_bytes) {
  const Json* c = FindContainer(pod, container);
  if (!c) return Status(Code::kInvalid, "container " + container + " not found");

  size_t dot = resource.find('.');
  std::string kind = dot == std::string::npos ? "" : resource.substr(0, dot);
  std::string name = dot == std::string::npos ? "" : resource.substr(dot + 1);
  bool supported = (kind == "limits" || kind == "requests") &&
                   (name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
                    name.rfind("hugepages-", 0) == 0);
  if (!supported) {
    return Status(Code::kInvalid, "unsupported container resource : " + resource);
  }

  long double div = 1;
  if (!divisor.empty()) {
    auto d = res::ParseQuantity(divisor);
    if (!d || *d < 0) {
      return Status(Code::kInvalid, "invalid divisor " + GoQuote(divisor) + " for " + resource);
    }
    if (*d != 0) div = *d;  // a zero divisor means the default, 1
  }

  std::optional<long double> value;
  const Json* q = Find(*c, {"resources", kind.c_str(), name.c_str()});
  if (q && (q->is_string() || q->is_number())) {
    value = res::ParseQuantity(q->is_string() ? q->get<std::string>() : q->dump());
    if (!value) {
      return Status(Code::kInvalid, "invalid quantity for " + resource + " of container " +
                                        container);
    }
  }
  if (!value) {
    if (kind == "requests") {
      value = 0;
    } else if (name == "cpu") {
      value = static_cast<long double>(node_cpu_milli) / 1000;
    } else if (name == "memory") {
      value = static_cast<long double>(node_memory_bytes);
    } else {
      return NotImplemented("the node allocatable " + name +
                            " is not known: give container " + container + " a limit for it");
    }
  }

  if (name == "cpu") {
    int64_t milli = CeilScaled(*value, 1000);
    int64_t div_milli = CeilScaled(div, 1000);
    return std::to_string(CeilDiv(milli, div_milli));
  }
  int64_t bytes = CeilScaled(*value, 1);
  int64_t div_bytes = CeilScaled(div, 1);
  return std::to_string(CeilDiv(bytes, div_bytes));
}

StatusOr<Payload> MakeDownwardApiPayload(const Json& pod, const Json& items, uint32_t default_mode,
                                         int64_t node_cpu_milli, int64_t node_memory_bytes) {
  Payload payload;
  std::vector<std::string> errors;
  if (items.is_array()) {
    for (const Json& item : items) {
      FileProjection file;
      file.mode = static_cast<uint32_t>(GetInt(item, {"mode"}, default_mode));
      std::string path = GetString(item, {"path"});
      if (const Json* ref = Find(item, {"fieldRef"}); ref && ref->is_object()) {
        auto v = DownwardFieldValue(pod, GetString(*ref, {"fieldPath"}));
        if (!v.ok()) {
          errors.push_back(v.status().message());
          continue;
        }
        file.data = *v;
      } else if (const Json* rref = Find(item, {"resourceFieldRef"}); rref && rref->is_object()) {
        std::string divisor;
        if (const Json* d = Find(*rref, {"divisor"}); d && (d->is_string() || d->is_number())) {
          divisor = d->is_string() ? d->get<std::string>() : d->dump();
        }
        auto v = DownwardResourceValue(pod, GetString(*rref, {"containerName"}),
                                       GetString(*rref, {"resource"}), divisor, node_cpu_milli,
                                       node_memory_bytes);
        if (!v.ok()) {
          errors.push_back(v.status().message());
          continue;
        }
        file.data = *v;
      } else {
        errors.push_back("downwardAPI item " + GoQuote(path) +
                         ": one of fieldRef and resourceFieldRef is required");
        continue;
      }
      payload[path] = std::move(file);
    }
  }
  if (errors.size() == 1) return Status(Code::kInvalid, errors[0]);
  if (errors.size() > 1) {
    std::string msg = "[";
    for (size_t i = 0; i < errors.size(); ++i) msg += (i ? ", " : "") + errors[i];
    return Status(Code::kInvalid, msg + "]");
  }
  return payload;
}

}  // namespace minik
