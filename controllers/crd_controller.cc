#include "controllers/crd_controller.h"

#include <chrono>

#include "api/log.h"
#include "apiextensions/crd_serving.h"
#include "apiextensions/crd_validation.h"

namespace minik {
namespace {

const ResourceRef kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};
constexpr char kComponent[] = "crd";

std::string Now(Clock& clock) { return FormatRfc3339(clock.Now()); }

// Sets condition `type` in status.conditions; lastTransitionTime moves only with the status.
void SetCondition(Json& status, Clock& clock, const std::string& type, const std::string& value,
                  const std::string& reason, const std::string& message) {
  Json& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = Json::array();
  for (Json& c : conditions) {
    if (GetString(c, {"type"}) != type) continue;
    if (GetString(c, {"status"}) != value) c["lastTransitionTime"] = Now(clock);
    c["status"] = value;
    c["reason"] = reason;
    c["message"] = message;
    return;
  }
  conditions.push_back(Json{{"type", type},
                            {"status", value},
                            {"lastTransitionTime", Now(clock)},
                            {"reason", reason},
                            {"message", message}});
}

std::vector<std::string> NamesOf(const Json& names) {
  std::vector<std::string> out;
  for (const char* f : {"plural", "singular"}) {
    std::string v = GetString(names, {f});
    if (!v.empty()) out.push_back(v);
  }
  if (const Json* s = Find(names, {"shortNames"}); s && s->is_array()) {
    for (const Json& n : *s) if (n.is_string()) out.push_back(n);
  }
  return out;
}

std::vector<std::string> KindsOf(const Json& names) {
  std::vector<std::string> out;
  for (const char* f : {"kind", "listKind"}) {
    std::string v = GetString(names, {f});
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

}  // namespace

CrdController::CrdController(Client& client, Clock& clock, SharedInformerFactory& informers,
                             ResourceRegistry& resources, SchemaRegistry& schemas)
    : QueueController("crd", clock, 1),
      client_(client),
      crds_(informers.For(kCrds)),
      resources_(resources),
      schemas_(schemas),
      rules_(NewCelRuleEvaluator()) {
  crds_.AddEventHandler(EnqueueHandlers());
  // A CRD whose names were taken waits for the holder to go: look at every CRD again.
  crds_.AddEventHandler({nullptr, nullptr, [this](const Json&) {
                           for (const std::string& key : crds_.ListKeys()) queue().Add(key);
                         }});
}

std::string CrdController::NameConflict(const Json& crd) const {
  const std::string group = GetString(crd, {"spec", "group"});
  const Json& names = crd["spec"]["names"];
  std::vector<std::string> ours = NamesOf(names), our_kinds = KindsOf(names);
  for (const ObjectPtr& other : crds_.List()) {
    if (Name(*other) == Name(crd) || GetString(*other, {"spec", "group"}) != group) continue;
    const Json* accepted = Find(*other, {"status", "acceptedNames"});
    if (!accepted) continue;
    for (const std::string& n : NamesOf(*accepted)) {
      for (const std::string& o : ours) {
        if (n == o) return "\"" + o + "\" is already in use";
      }
    }
    for (const std::string& k : KindsOf(*accepted)) {
      for (const std::string& o : our_kinds) {
        if (k == o) return "\"" + o + "\" is already in use";
      }
    }
  }
  for (const auto& info : resources_.All()) {
    if (info->group != group || !info->crd.empty()) continue;
    for (const std::string& o : ours) {
      if (o == info->plural || o == info->singular) return "\"" + o + "\" is already in use";
    }
    for (const std::string& o : our_kinds) {
      if (o == info->kind) return "\"" + o + "\" is already in use";
    }
  }
  return "";
}

void CrdController::Serve(const std::string& name, const Json& crd, bool terminating) {
  std::string fingerprint =
      Json{crd["spec"], Find(crd, {"status", "acceptedNames"}) ? crd["status"]["acceptedNames"] : Json(),
           terminating}
          .dump();
  if (auto it = served_.find(name); it != served_.end() && it->second == fingerprint) return;
  auto serving = BuildCustomResources(crd, rules_, terminating);
  if (!serving.ok()) {
    LOG(Warning, kComponent) << "cannot serve crd=" << name << ": " << serving.status().message();
    return;
  }
  // Schemas first: a request that finds the kind must find its schema.
  schemas_.SetDynamic(name, std::move(serving->types));
  resources_.SetCustomResources(name, std::move(serving->infos));
  served_[name] = std::move(fingerprint);
  LOG(Info, kComponent) << "serving crd=" << name << (terminating ? " (terminating)" : "");
}

void CrdController::Unserve(const std::string& name) {
  if (served_.erase(name) == 0) return;
  resources_.SetCustomResources(name, {});
  schemas_.SetDynamic(name, {});
  LOG(Info, kComponent) << "stopped serving crd=" << name;
}

StatusOr<bool> CrdController::DeleteInstances(const Json& crd) {
  std::string storage;
  for (const Json& v : crd["spec"]["versions"]) {
    if (v.value("storage", false)) storage = GetString(v, {"name"});
  }
  std::string plural = GetString(crd, {"status", "acceptedNames", "plural"});
  if (plural.empty()) plural = GetString(crd, {"spec", "names", "plural"});
  ResourceRef ref{GetString(crd, {"spec", "group"}), storage, plural};
  if (!resources_.Find(ref)) return true;  // never served: nothing stored
  auto list = client_.List(ref, "");
  if (!list.ok()) return list.status();
  const Json& items = (*list)["items"];
  for (const Json& item : items) {
    if (Find(item, {"metadata", "deletionTimestamp"})) continue;
    auto deleted = client_.Delete(ref, Namespace(item), Name(item));
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
  }
  return items.empty();
}

StatusOr<ReconcileResult> CrdController::Reconcile(const std::string& key) {
  ObjectPtr current = crds_.Get(key);
  if (!current) {
    Unserve(key);
    return ReconcileResult{};
  }
  Json crd = *current;
  bool terminating = Find(crd, {"metadata", "deletionTimestamp"}) != nullptr;
  Json status = crd.contains("status") && crd["status"].is_object() ? crd["status"] : Json::object();
  const Json before = status;
  // Served already (its acceptance may not have reached the stored status yet, e.g. when
  // the CRD was deleted right after it was created): keep serving it, now as terminating.
  bool accepted = !GetString(status, {"acceptedNames", "kind"}).empty() || served_.count(key) > 0;
  if (!terminating) {
    std::string conflict = NameConflict(crd);
    if (conflict.empty()) {
      Json names = crd["spec"]["names"];
      status["acceptedNames"] = names;
      accepted = true;
      SetCondition(status, clock_, "NamesAccepted", "True", "NoConflicts", "no conflicts found");
    } else {
      SetCondition(status, clock_, "NamesAccepted", "False", "NameConflict", conflict);
      if (!accepted) {
        SetCondition(status, clock_, "Established", "False", "NotAccepted", "not all names are accepted");
      }
    }
  }
  ReconcileResult result;
  if (accepted) {
    crd["status"] = status;
    Serve(key, crd, terminating);
    SetCondition(status, clock_, "Established", "True", "InitialNamesAccepted",
                 "the initial names have been accepted");
    Json& stored = status["storedVersions"];
    if (!stored.is_array()) stored = Json::array();
    for (const Json& v : crd["spec"]["versions"]) {
      if (!v.value("storage", false)) continue;
      bool has = false;
      for (const Json& s : stored) has |= s == v["name"];
      if (!has) stored.push_back(v["name"]);
    }
  }
  bool instances_gone = true;
  if (terminating) {
    SetCondition(status, clock_, "Terminating", "True", "InstanceDeletionInProgress",
                 "CustomResource deletion is in progress");
    auto gone = DeleteInstances(crd);
    if (!gone.ok()) return gone.status();
    instances_gone = *gone;
    if (!instances_gone) result.requeue_after = std::chrono::milliseconds(500);
  }
  if (status != before) {
    Json next = *current;
    next["status"] = status;
    auto updated = client_.Update(kCrds, "", std::move(next), {}, "status");
    if (!updated.ok()) {
      if (updated.status().code() == Code::kConflict || updated.status().code() == Code::kNotFound)
        return ReconcileResult{.requeue = true};
      return updated.status();
    }
    if (terminating && instances_gone) return ReconcileResult{.requeue = true};
  }
  if (terminating && instances_gone) {
    Json next = *current;
    Json& finalizers = next["metadata"]["finalizers"];
    if (finalizers.is_array()) {
      Json kept = Json::array();
      for (const Json& f : finalizers) if (f != kCrdCleanupFinalizer) kept.push_back(f);
      if (kept.size() != finalizers.size()) {
        finalizers = std::move(kept);
        auto updated = client_.Update(kCrds, "", std::move(next));
        if (!updated.ok() && updated.status().code() == Code::kConflict) {
          return ReconcileResult{.requeue = true};
        }
        if (!updated.ok() && updated.status().code() != Code::kNotFound) return updated.status();
      }
    }
  }
  return result;
}

}  // namespace minik
