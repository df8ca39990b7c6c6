#include "controllers/resourcequota_controller.h"

#include <set>

#include "api/log.h"
#include "api/quota.h"

namespace minik {

namespace {

const ResourceRef kQuotas{"", "v1", "resourcequotas"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};

const Json& HardOf(const Json& rq, const char* where) {
  static const Json kEmpty = Json::object();
  const Json* h = Find(rq, {where, "hard"});
  return h && h->is_object() ? *h : kEmpty;
}

// addQuota's test: a quota needs a sync when its status does not yet reflect spec.hard.
bool NeedsSync(const Json& rq) {
  const Json& spec = HardOf(rq, "spec");
  if (spec != HardOf(rq, "status")) return true;
  const Json* used = Find(rq, {"status", "used"});
  for (const auto& [name, v] : spec.items())
    if (!used || !used->is_object() || !used->contains(name)) return true;
  return false;
}

}  // namespace

ResourceQuotaController::ResourceQuotaController(Client& client, Clock& clock,
                                                 SharedInformerFactory& informers,
                                                 const ResourceRegistry& resources, int workers)
    : QueueController("resourcequota-controller", clock, workers),
      client_(client),
      informers_(informers),
      resources_(resources),
      quotas_(informers.For(kQuotas)) {
  quotas_.AddEventHandler({[this](const Json& rq) { Enqueue(rq); },
                           [this](const Json& old_rq, const Json& rq) {
                             // Status updates come from here and from admission: only a
                             // changed spec.hard (or an incomplete status) asks for a recount.
                             if (HardOf(old_rq, "spec") != HardOf(rq, "spec") || NeedsSync(rq))
                               Enqueue(rq);
                           },
                           nullptr});
  for (const ResourceRef& ref : {kPods, kServices, kClaims}) {
    if (!resources_.Find(ref)) continue;
    const std::string plural = ref.resource;
    monitored_.insert({ref.group, plural});
    informers.For(ref).AddEventHandler(
        {nullptr,
         [this, plural](const Json& old_obj, const Json& obj) {
           Replenish("", plural, &old_obj, obj, false);
         },
         [this, plural](const Json& obj) { Replenish("", plural, nullptr, obj, true); }});
  }
}

void ResourceQuotaController::Replenish(const std::string& group, const std::string& plural,
                                        const Json* old_obj, const Json& obj, bool deleted) {
  if (!deleted && old_obj) {
    SystemTime now = clock_.Now();
    if (quota::Usage(group, plural, *old_obj, now) == quota::Usage(group, plural, obj, now)) return;
  }
  for (const ObjectPtr& rq : quotas_.ByIndex(kNamespaceIndex, Namespace(obj))) Enqueue(*rq);
}

void ResourceQuotaController::Monitor(const ResourceInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!monitored_.insert({info.group, info.plural}).second) return;
  }
  Informer& inf = informers_.For({info.group, info.version, info.plural});
  const std::string group = info.group, plural = info.plural;
  inf.AddEventHandler(
      {nullptr, nullptr, [this, group, plural](const Json& obj) {
         Replenish(group, plural, nullptr, obj, true);
       }});
  inf.Start();  // no-op when the informer already runs for another controller
}

StatusOr<ReconcileResult> ResourceQuotaController::Reconcile(const std::string& key) {
  ObjectPtr cached = quotas_.Get(key);
  if (!cached) return ReconcileResult{};
  const std::string ns = Namespace(*cached);
  // A fresh read: the cache may lag behind admission's charges, and the write below must
  // carry the newest resourceVersion.
  auto current = client_.Get(kQuotas, ns, Name(*cached));
  if (!current.ok()) {
    if (current.status().code() == Code::kNotFound) return ReconcileResult{};
    return current.status();
  }
  const Json hard = HardOf(*current, "spec");
  std::vector<std::string> names;
  for (const auto& [name, v] : hard.items()) names.push_back(name);

  // Recount from the store every kind that uses a hard resource.
  quota::ResourceList used;
  std::set<std::string> tracked;
  std::set<std::pair<std::string, std::string>> seen;
  const SystemTime now = clock_.Now();
  for (const auto& info : resources_.All()) {
    if (!info->namespaced || !info->HasVerb("list")) continue;
    if (!seen.insert({info->group, info->plural}).second) continue;  // another version
    std::vector<std::string> mine;
    for (const std::string& n : names)
      if (quota::TracksResource(info->group, info->plural, n)) mine.push_back(n);
    if (mine.empty()) continue;
    tracked.insert(mine.begin(), mine.end());
    Monitor(*info);
    auto list = client_.List({info->group, info->version, info->plural}, ns);
    if (!list.ok()) return list.status();
    for (const Json& item : (*list)["items"]) {
      if (!quota::MatchesScopes(*current, info->group, info->plural, item)) continue;
      used = quota::Add(used, quota::Mask(quota::Usage(info->group, info->plural, item, now), mine));
    }
  }
  for (const std::string& n : tracked) used.emplace(n, 0);  // counted, none in use

  Json next = *current;
  Json& status = next["status"];
  if (!status.is_object()) status = Json::object();
  status["hard"] = hard;
  status["used"] = quota::ToJson(used);
  if (next == *current) return ReconcileResult{false, kResyncPeriod};
  auto r = client_.Update(kQuotas, ns, std::move(next), {}, "status");
  if (!r.ok()) {
    if (r.status().code() == Code::kNotFound) return ReconcileResult{};
    if (r.status().code() == Code::kConflict) return ReconcileResult{true, {}};
    return r.status();
  }
  return ReconcileResult{false, kResyncPeriod};
}

}  // namespace minik
