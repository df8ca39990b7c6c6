// The resource registry and the defaults shared by every strategy.
#include "api/resource.h"

#include <algorithm>

namespace minik {

bool ResourceInfo::HasSubresource(const std::string& name) const {
  return std::any_of(subresources.begin(), subresources.end(),
                     [&](const SubresourceInfo& s) { return s.name == name; });
}

bool ResourceInfo::HasVerb(const std::string& verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

// Upstream's status strategies (e.g. deploymentStatusStrategy.PrepareForUpdate) take the
// spec, and anything else outside status, from the stored object, and also ignore label
// changes (their reset fields are `spec` and `metadata.labels`). Other metadata (annotations,
// finalizers, owner references) may change through /status, as upstream.
void Strategy::PrepareForStatusUpdate(Json& obj, const Json& old) const {
  if (!obj.is_object() || !old.is_object()) return;
  Json status = obj.contains("status") ? obj["status"] : Json();
  Json meta = obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"]
                                                                       : Json::object();
  Json next = old;
  if (status.is_null()) {
    next.erase("status");
  } else {
    next["status"] = std::move(status);
  }
  const Json* old_labels = Find(old, {"metadata", "labels"});
  if (old_labels) {
    meta["labels"] = *old_labels;
  } else {
    meta.erase("labels");
  }
  next["metadata"] = std::move(meta);
  obj = std::move(next);
}

void ResourceRegistry::Add(ResourceInfo info) {
  auto shared = std::make_shared<const ResourceInfo>(std::move(info));
  by_ref_[shared->Ref()] = shared;
  all_.push_back(std::move(shared));
}

const ResourceInfo* ResourceRegistry::Find(const ResourceRef& ref) const {
  auto it = by_ref_.find(ref);
  return it == by_ref_.end() ? nullptr : it->second.get();
}

const ResourceInfo* ResourceRegistry::FindByKind(const GroupVersionKind& gvk) const {
  for (const auto& info : all_) {
    if (info->group == gvk.group && info->version == gvk.version && info->kind == gvk.kind)
      return info.get();
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::vector<std::string>>> ResourceRegistry::Groups() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& info : all_) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == info->group; });
    if (it == groups.end()) {
      groups.push_back({info->group, {info->version}});
    } else if (std::find(it->second.begin(), it->second.end(), info->version) ==
               it->second.end()) {
      it->second.push_back(info->version);
    }
  }
  return groups;
}

}  // namespace minik
