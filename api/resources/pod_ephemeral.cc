#include "api/resources/pod_ephemeral.h"

#include <map>
#include <set>

#include "api/resources/pod_spec.h"
#include "api/validation.h"

namespace minik::res {

void PrepareEphemeralContainersUpdate(Json& pod, const Json& old) {
  Json next = old;
  for (const char* field : {"name", "namespace", "resourceVersion", "uid"}) {
    const Json& v = At(pod, {"metadata", field});
    if (v.is_null()) {
      Obj(next, "metadata").erase(field);
    } else {
      Obj(next, "metadata")[field] = v;
    }
  }
  const Json& ephemeral = At(pod, {"spec", "ephemeralContainers"});
  if (ephemeral.is_null()) {
    Obj(next, "spec").erase("ephemeralContainers");
  } else {
    Obj(next, "spec")["ephemeralContainers"] = ephemeral;
  }
  pod = std::move(next);
}

namespace {

// The fields of EphemeralContainerCommon an ephemeral container may not set
// (allowedEphemeralContainerFields' complement), by their JSON names.
constexpr const char* kForbiddenFields[] = {"ports",          "resources",    "resizePolicy",
                                            "lifecycle",      "livenessProbe", "readinessProbe",
                                            "startupProbe",   "restartPolicy"};
constexpr const char* kForbiddenDetail = "cannot be set for an Ephemeral Container";

bool IsEmpty(const Json& v) {
  return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

void ValidateEphemeralContainer(Causes& out, const Json& c, const std::string& path,
                                const std::set<std::string>& targets,
                                std::set<std::string>& names) {
  if (!c.is_object()) {
    out.push_back(FieldInvalid(path, c, "must be an object"));
    return;
  }
  const std::string name = Str(At(c, {"name"}));
  if (name.empty()) {
    out.push_back(FieldRequired(path + ".name"));
  } else {
    for (const std::string& msg : IsDns1123Label(name))
      out.push_back(FieldInvalid(path + ".name", name, msg));
    if (!names.insert(name).second) out.push_back(FieldDuplicate(path + ".name", name));
  }
  if (Str(At(c, {"image"})).empty()) out.push_back(FieldRequired(path + ".image"));
  const std::string target = Str(At(c, {"targetContainerName"}));
  if (!target.empty() && !targets.count(target))
    out.push_back(FieldNotFound(path + ".targetContainerName", target));
  for (const char* field : kForbiddenFields) {
    auto it = c.find(field);
    if (it != c.end() && !IsEmpty(*it)) out.push_back(FieldForbidden(path + "." + field, kForbiddenDetail));
  }
  const Json& mounts = Arr(c, {"volumeMounts"});
  for (size_t j = 0; j < mounts.size(); ++j) {
    for (const char* field : {"subPath", "subPathExpr"}) {
      if (!Str(At(mounts[j], {field})).empty()) {
        out.push_back(FieldForbidden(
            path + ".volumeMounts[" + std::to_string(j) + "]." + field, kForbiddenDetail));
      }
    }
  }
}

}  // namespace

void ValidateEphemeralContainersUpdate(Causes& out, const Json& pod, const Json& old) {
  const Json& spec = At(pod, {"spec"});
  ValidatePodSpec(out, spec, "spec");
  const Json& list = At(spec, {"ephemeralContainers"});
  if (!list.is_null() && !list.is_array()) {
    out.push_back(FieldInvalid("spec.ephemeralContainers", list, "must be a list"));
    return;
  }
  std::set<std::string> targets, names;
  for (const char* field : {"containers", "initContainers"}) {
    for (const Json& c : Arr(spec, {field})) {
      std::string name = Str(At(c, {"name"}));
      targets.insert(name);
      names.insert(name);
    }
  }
  std::map<std::string, const Json*> by_name;
  for (size_t i = 0; i < Arr(spec, {"ephemeralContainers"}).size(); ++i) {
    const Json& c = list[i];
    ValidateEphemeralContainer(out, c, "spec.ephemeralContainers[" + std::to_string(i) + "]",
                               targets, names);
    if (c.is_object()) by_name[Str(At(c, {"name"}))] = &c;
  }
  // Order is not kept by patches, so each existing one is looked up by name.
  for (const Json& was : Arr(old, {"spec", "ephemeralContainers"})) {
    const std::string name = Str(At(was, {"name"}));
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      out.push_back(FieldForbidden("spec.ephemeralContainers",
                                   "existing ephemeral containers \"" + name +
                                       "\" may not be removed\n"));
    } else if (*it->second != was) {
      out.push_back(FieldForbidden("spec.ephemeralContainers[" + name + "]",
                                   "existing ephemeral containers \"" + name +
                                       "\" may not be changed\n"));
    }
  }
}

}  // namespace minik::res
