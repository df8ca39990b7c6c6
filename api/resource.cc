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
  std::unique_lock lock(mu_);
  by_ref_[shared->Ref()] = shared;
  all_.push_back(std::move(shared));
  ++generation_;
}

void ResourceRegistry::SetCustomResources(const std::string& crd,
                                          std::vector<ResourceInfo> infos) {
  {
    std::unique_lock lock(mu_);
    auto old_end = std::stable_partition(all_.begin(), all_.end(), [&](const auto& info) {
      return info->crd != crd;
    });
    for (auto it = old_end; it != all_.end(); ++it) {
      auto found = by_ref_.find((*it)->Ref());
      if (found != by_ref_.end() && found->second == *it) by_ref_.erase(found);
      retired_.push_back(std::move(*it));
    }
    all_.erase(old_end, all_.end());
    for (ResourceInfo& info : infos) {
      info.crd = crd;
      auto shared = std::make_shared<const ResourceInfo>(std::move(info));
      // A built-in kind is never shadowed (the CRD controller refuses such names anyway).
      auto [it, inserted] = by_ref_.emplace(shared->Ref(), shared);
      if (!inserted && !it->second->crd.empty()) it->second = shared;
      all_.push_back(std::move(shared));
    }
    ++generation_;
  }
  // Lock order: call_mu_, then mu_ (RemoveListener too); listeners run without mu_.
  std::lock_guard<std::mutex> calling(call_mu_);
  std::vector<std::function<void()>> listeners;
  {
    std::shared_lock lock(mu_);
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const auto& listener : listeners) listener();
}

const ResourceInfo* ResourceRegistry::Find(const ResourceRef& ref) const {
  std::shared_lock lock(mu_);
  auto it = by_ref_.find(ref);
  return it == by_ref_.end() ? nullptr : it->second.get();
}

const ResourceInfo* ResourceRegistry::FindByKind(const GroupVersionKind& gvk) const {
  std::shared_lock lock(mu_);
  for (const auto& info : all_) {
    if (info->group == gvk.group && info->version == gvk.version && info->kind == gvk.kind)
      return info.get();
  }
  return nullptr;
}

std::vector<std::shared_ptr<const ResourceInfo>> ResourceRegistry::All() const {
  std::shared_lock lock(mu_);
  return all_;
}

uint64_t ResourceRegistry::Generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

int ResourceRegistry::AddListener(std::function<void()> listener) const {
  std::unique_lock lock(mu_);
  int id = next_listener_++;
  listeners_[id] = std::move(listener);
  return id;
}

void ResourceRegistry::RemoveListener(int id) const {
  std::lock_guard<std::mutex> calling(call_mu_);
  std::unique_lock lock(mu_);
  listeners_.erase(id);
}

std::vector<std::pair<std::string, std::vector<std::string>>> ResourceRegistry::Groups() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& info : All()) {
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
