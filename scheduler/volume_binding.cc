#include "scheduler/volume_binding.h"

namespace minik::sched {

namespace {

PluginStatus Unresolvable(std::string reason) {
  return PluginStatus::Fail(PluginStatus::kUnresolvable, "VolumeBinding", {std::move(reason)});
}

bool ControlledBy(const Json& obj, const std::string& uid) {
  const Json* owners = Find(obj, {"metadata", "ownerReferences"});
  if (!owners || !owners->is_array()) return false;
  for (const Json& o : *owners) {
    const Json* controller = Find(o, {"controller"});
    if (controller && controller->is_boolean() && controller->get<bool>() &&
        GetString(o, {"uid"}) == uid)
      return true;
  }
  return false;
}

}  // namespace

std::vector<std::pair<std::string, bool>> PodClaims(const Json& pod) {
  std::vector<std::pair<std::string, bool>> out;
  const Json* volumes = Find(pod, {"spec", "volumes"});
  if (!volumes || !volumes->is_array()) return out;
  for (const Json& v : *volumes) {
    std::string claim = GetString(v, {"persistentVolumeClaim", "claimName"});
    if (!claim.empty()) {
      out.emplace_back(claim, false);
    } else if (Find(v, {"ephemeral"})) {
      out.emplace_back(Name(pod) + "-" + GetString(v, {"name"}), true);
    }
  }
  return out;
}

PluginStatus VolumeBindingPreFilter(const Json& pod, const VolumeLookup& lookup,
                                    CycleState* state, VolumePlan* plan) {
  std::string ns = Namespace(pod);
  bool unbound_immediate = false;
  for (const auto& [name, ephemeral] : PodClaims(pod)) {
    auto claim = lookup.claim(ns, name);
    if (!claim.ok()) {
      if (claim.status().code() != Code::kNotFound) {
        return PluginStatus::Fail(PluginStatus::kError, "VolumeBinding",
                                  {claim.status().message()});
      }
      if (ephemeral) {
        return Unresolvable(
            "waiting for ephemeral volume controller to create the persistentvolumeclaim \"" +
            name + "\"");
      }
      return Unresolvable("persistentvolumeclaim \"" + name + "\" not found");
    }
    if (ephemeral && !ControlledBy(*claim, Uid(pod))) {
      return Unresolvable("persistentvolumeclaim \"" + name + "\" was not created for the pod");
    }
    if (Find(*claim, {"metadata", "deletionTimestamp"})) {
      return Unresolvable("persistentvolumeclaim \"" + name + "\" is being deleted");
    }
    std::string volume_name = GetString(*claim, {"spec", "volumeName"});
    if (!volume_name.empty()) {
      auto pv = lookup.volume(volume_name);
      if (!pv.ok()) {
        if (pv.status().code() != Code::kNotFound) {
          return PluginStatus::Fail(PluginStatus::kError, "VolumeBinding",
                                    {pv.status().message()});
        }
        state->pv_missing = true;
        continue;
      }
      if (const Json* req = Find(*pv, {"spec", "nodeAffinity", "required"}); req && req->is_object())
        state->pv_node_selectors.push_back(*req);
      continue;
    }
    // Unbound: only WaitForFirstConsumer claims may wait for the scheduler's choice.
    std::string class_name = GetString(*claim, {"spec", "storageClassName"});
    bool delayed = false;
    if (!class_name.empty()) {
      auto sc = lookup.storage_class(class_name);
      if (!sc.ok() && sc.status().code() != Code::kNotFound) {
        return PluginStatus::Fail(PluginStatus::kError, "VolumeBinding",
                                  {sc.status().message()});
      }
      delayed = sc.ok() && GetString(*sc, {"volumeBindingMode"}) == "WaitForFirstConsumer";
    }
    if (delayed) {
      plan->delayed_claims.push_back(name);
    } else {
      unbound_immediate = true;
    }
  }
  if (unbound_immediate) return Unresolvable(kErrUnboundImmediate);
  return PluginStatus::Success();
}

}  // namespace minik::sched
