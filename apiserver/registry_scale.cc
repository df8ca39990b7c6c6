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

Json ScaleOf(const ResourceInfo& info, const Json& obj) {
  Json meta = Json::object();
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (const Json* v = Find(obj, {"metadata", f})) meta[f] = *v;
  }
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
  next["spec"]["replicas"] = *replicas;
  return next;
}

}  // namespace minik::registry
