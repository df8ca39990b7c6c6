// The autoscaling/v1 Scale subresource of deployments, replicasets, statefulsets and
// replicationcontrollers.
#include "api/selector.h"
#include "apiserver/registry_internal.h"

namespace minik::registry {

namespace {
// Scale.status.selector: the canonical string of the object's selector.
std::string SelectorString(const ResourceInfo& info, const Json& obj) {
  const Json* sel = Find(obj, {"spec", "selector"});
  if (!sel || sel->is_null()) return "";
  if (info.plural == "replicationcontrollers") {
    // A plain label map.
    auto parsed = LabelSelector::FromJson(Json{{"matchLabels", *sel}});
    return parsed.ok() ? parsed->String() : "";
  }
  auto parsed = LabelSelector::FromJson(*sel);
  return parsed.ok() ? parsed->String() : "";
}
}  // namespace

// ".spec.replicas" -> {"spec", "replicas"} (the CRD's scale paths have no array notation).
std::vector<std::string> PathParts(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') { ++i; continue; }
    size_t end = path.find('.', i);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(i, end - i));
    i = end;
  }
  return parts;
}

const Json* AtPath(const Json& obj, const std::string& path) {
  const Json* cur = &obj;
  for (const std::string& part : PathParts(path)) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

// A custom resource's Scale (upstream's customresource scale REST: status.selector is the
// string at labelSelectorPath, replicas from the CRD's paths).
Json CustomScaleOf(const ResourceInfo::ScalePaths& paths, const Json& obj, Json meta) {
  const Json* spec = AtPath(obj, paths.spec_replicas);
  const Json* status = AtPath(obj, paths.status_replicas);
  const Json* selector = paths.label_selector.empty() ? nullptr : AtPath(obj, paths.label_selector);
  Json scale{{"kind", "Scale"},
             {"apiVersion", "autoscaling/v1"},
             {"metadata", std::move(meta)},
             {"spec", {{"replicas", spec && spec->is_number_integer() ? *spec : Json(0)}}},
             {"status", {{"replicas", status && status->is_number_integer() ? *status : Json(0)}}}};
  if (selector && selector->is_string()) scale["status"]["selector"] = *selector;
  return scale;
}

Json ScaleOf(const ResourceInfo& info, const Json& obj) {
  Json meta = Json::object();
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (const Json* v = Find(obj, {"metadata", f})) meta[f] = *v;
  }
  if (info.scale_paths) return CustomScaleOf(*info.scale_paths, obj, std::move(meta));
  return Json{{"kind", "Scale"},
              {"apiVersion", "autoscaling/v1"},
              {"metadata", std::move(meta)},
              {"spec", {{"replicas", GetInt(obj, {"spec", "replicas"}, 1)}}},
              {"status",
               {{"replicas", GetInt(obj, {"status", "replicas"}, 0)},
                {"selector", SelectorString(info, obj)}}}};
}

StatusOr<Json> ApplyScale(const ResourceInfo& info, const Json& obj, const Json& scale) {
  const Json* replicas = Find(scale, {"spec", "replicas"});
  if (!replicas || !replicas->is_number_integer()) {
    return Invalid("Scale.autoscaling", Name(obj), {{"FieldValueRequired", "Required value",
                                                     "spec.replicas"}});
  }
  if (replicas->get<int64_t>() < 0) {
    return Invalid("Scale.autoscaling", Name(obj),
                   {{"FieldValueInvalid",
                     "Invalid value: " + replicas->dump() +
                         ": must be greater than or equal to 0",
                     "spec.replicas"}});
  }
  std::string rv = GetString(scale, {"metadata", "resourceVersion"});
  if (!rv.empty() && rv != ResourceVersion(obj)) return ConflictModified(info.GroupResource(), Name(obj));
  Json next = obj;
  if (info.scale_paths) {
    std::vector<std::string> parts = PathParts(info.scale_paths->spec_replicas);
    Json* cur = &next;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      Json& child = (*cur)[parts[i]];
      if (!child.is_object()) child = Json::object();
      cur = &child;
    }
    if (!parts.empty()) (*cur)[parts.back()] = *replicas;
    return next;
  }
  next["spec"]["replicas"] = *replicas;
  return next;
}

}  // namespace minik::registry
