#include "controllers/namespace_controller.h"

#include <algorithm>
#include <set>

namespace minik {

namespace {

// As upstream's namespace deleter: dependents go with their owners, never orphaned (Jobs
// and ReplicationControllers would otherwise default to orphan and wait for the GC).
DeleteOptions Background() {
  DeleteOptions o;
  o.propagation_policy = "Background";
  return o;
}

const ResourceRef kNamespaces{"", "v1", "namespaces"};
constexpr const char* kFinalizer = "kubernetes";

bool Terminating(const Json& obj) {
  const Json* t = Find(obj, {"metadata", "deletionTimestamp"});
  return t && t->is_string();
}

bool HasSpecFinalizer(const Json& ns) {
  const Json* f = Find(ns, {"spec", "finalizers"});
  if (!f || !f->is_array()) return false;
  return std::find(f->begin(), f->end(), Json(kFinalizer)) != f->end();
}

// upstream: "pods." for core, "deployments.apps" otherwise (GroupResource printed as
// resource + "." + group).
std::string GroupResourceForMessage(const ResourceInfo& info) {
  return info.plural + "." + info.group;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

Json Condition(const std::string& type, bool status, const std::string& reason,
               const std::string& message) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"reason", reason},
          {"message", message}};
}

}  // namespace

NamespaceController::NamespaceController(Client& client, Clock& clock,
                                         SharedInformerFactory& informers,
                                         const ResourceRegistry& resources, int workers)
    // Short back-off: "content remaining" is a normal state that resolves in seconds.
    : QueueController("namespace-controller", clock, workers,
                      RateLimit{std::chrono::milliseconds(5), std::chrono::seconds(1)}),
      client_(client),
      resources_(resources) {
  auto enqueue_if_terminating = [this](const Json& ns) {
    if (Terminating(ns)) Enqueue(ns);
  };
  informers.For(kNamespaces)
      .AddEventHandler({enqueue_if_terminating,
                        [enqueue_if_terminating](const Json&, const Json& ns) {
                          enqueue_if_terminating(ns);
                        },
                        nullptr});
}

std::vector<const ResourceInfo*> NamespaceController::DeletableKinds() const {
  std::vector<const ResourceInfo*> kinds;
  std::set<std::pair<std::string, std::string>> seen;  // (group, plural)
  for (const auto& info : resources_.All()) {
    if (!info->namespaced || !info->HasVerb("list")) continue;
    if (!info->HasVerb("delete") && !info->HasVerb("deletecollection")) continue;
    if (!seen.insert({info->group, info->plural}).second) continue;
    kinds.push_back(info.get());
  }
  return kinds;
}

NamespaceController::Content NamespaceController::DeleteContent(const std::string& ns) {
  Content content;
  for (const ResourceInfo* info : DeletableKinds()) {
    const ResourceRef ref = info->Ref();
    bool deleted = false;
    if (info->HasVerb("deletecollection")) {
      auto r = client_.DeleteCollection(ref, ns, ListQuery{}, Background());
      if (r.ok()) {
        deleted = true;
      } else if (r.status().code() != Code::kMethodNotAllowed &&
                 r.status().code() != Code::kNotImplemented) {
        content.failures.push_back("deleting " + GroupResourceForMessage(*info) + ": " +
                                   r.status().message());
        continue;
      }
    }
    auto list = client_.List(ref, ns);
    if (!list.ok()) {
      content.failures.push_back("listing " + GroupResourceForMessage(*info) + ": " +
                                 list.status().message());
      continue;
    }
    const Json* items = Find(*list, {"items"});
    if (!items || !items->is_array() || items->empty()) continue;
    int left = 0;
    for (const Json& item : *items) {
      if (!deleted && info->HasVerb("delete") && !Terminating(item)) {
        auto r = client_.Delete(ref, ns, Name(item), Background());
        if (!r.ok() && r.status().code() != Code::kNotFound) {
          content.failures.push_back("deleting " + GroupResourceForMessage(*info) + " " +
                                     Name(item) + ": " + r.status().message());
        }
        if (r.ok() && !Terminating(*r)) continue;  // removed at once
        if (!r.ok() && r.status().code() == Code::kNotFound) continue;
      }
      ++left;
      if (const Json* fins = Find(item, {"metadata", "finalizers"}); fins && fins->is_array()) {
        for (const Json& f : *fins) {
          if (f.is_string()) ++content.finalizers[f.get<std::string>()];
        }
      }
    }
    if (left > 0) {
      content.remaining.push_back(GroupResourceForMessage(*info) + " has " +
                                  std::to_string(left) + " resource instances");
    }
  }
  return content;
}

Status NamespaceController::UpdateConditions(const Json& ns, const Content& content) {
  std::vector<std::string> fins;
  for (const auto& [f, n] : content.finalizers) {
    fins.push_back(f + " in " + std::to_string(n) + " resource instances");
  }
  std::vector<Json> wanted = {
      Condition("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered",
                "All resources successfully discovered"),
      Condition("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions",
                "All legacy kube types successfully parsed"),
      content.failures.empty()
          ? Condition("NamespaceDeletionContentFailure", false, "ContentDeleted",
                      "All content successfully deleted, may be waiting on finalization")
          : Condition("NamespaceDeletionContentFailure", true, "ContentDeletionFailed",
                      "Failed to delete all resource types, " +
                          std::to_string(content.failures.size()) +
                          " remaining: " + Join(content.failures, ", ")),
      content.remaining.empty()
          ? Condition("NamespaceContentRemaining", false, "ContentRemoved",
                      "All content successfully removed")
          : Condition("NamespaceContentRemaining", true, "SomeResourcesRemain",
                      "Some resources are remaining: " + Join(content.remaining, ", ")),
      fins.empty() ? Condition("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers",
                               "All content-preserving finalizers finished")
                   : Condition("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain",
                               "Some content in the namespace has finalizers remaining: " +
                                   Join(fins, ", ")),
  };

  Json next = ns;
  const Json* old = Find(ns, {"status", "conditions"});
  Json conditions = Json::array();
  bool changed = !old || !old->is_array();
  std::string now = FormatRfc3339(clock_.Now());
  for (Json& c : wanted) {
    const Json* prev = nullptr;
    if (old && old->is_array()) {
      for (const Json& o : *old) {
        if (o.is_object() && GetString(o, {"type"}) == GetString(c, {"type"})) prev = &o;
      }
    }
    if (prev && GetString(*prev, {"status"}) == GetString(c, {"status"})) {
      c["lastTransitionTime"] = GetString(*prev, {"lastTransitionTime"});
      if (GetString(*prev, {"reason"}) != GetString(c, {"reason"}) ||
          GetString(*prev, {"message"}) != GetString(c, {"message"})) {
        changed = true;
      }
    } else {
      c["lastTransitionTime"] = now;
      changed = true;
    }
    conditions.push_back(std::move(c));
  }
  if (GetString(ns, {"status", "phase"}) != "Terminating") changed = true;
  if (!changed) return Status::Ok();
  next["status"]["phase"] = "Terminating";
  next["status"]["conditions"] = std::move(conditions);
  auto r = client_.Update(kNamespaces, "", std::move(next), WriteOptions{}, "status");
  return r.ok() || r.status().code() == Code::kNotFound ? Status::Ok() : r.status();
}

StatusOr<ReconcileResult> NamespaceController::Reconcile(const std::string& key) {
  // Read through the client, not the cache: finalizing needs the latest resourceVersion.
  auto ns = client_.Get(kNamespaces, "", key);
  if (!ns.ok()) {
    if (ns.status().code() == Code::kNotFound) return ReconcileResult{};
    return ns.status();
  }
  if (!Terminating(*ns) || !HasSpecFinalizer(*ns)) return ReconcileResult{};

  Content content = DeleteContent(key);
  MINIK_RETURN_IF_ERROR(UpdateConditions(*ns, content));
  if (!content.failures.empty()) {
    return Status(Code::kInternal, "namespace " + key + ": " + Join(content.failures, "; "));
  }
  if (!content.remaining.empty()) {
    ReconcileResult again;
    again.requeue = true;  // graceful deletions and finalizers take a moment
    return again;
  }

  // Everything is gone: drop our finalizer. Re-read for a fresh resourceVersion (the
  // conditions update above changed it).
  auto latest = client_.Get(kNamespaces, "", key);
  if (!latest.ok()) {
    if (latest.status().code() == Code::kNotFound) return ReconcileResult{};
    return latest.status();
  }
  Json fins = Json::array();
  if (const Json* f = Find(*latest, {"spec", "finalizers"}); f && f->is_array()) {
    for (const Json& v : *f) {
      if (v != Json(kFinalizer)) fins.push_back(v);
    }
  }
  Json next = *latest;
  next["spec"]["finalizers"] = std::move(fins);
  auto r = client_.Update(kNamespaces, "", std::move(next), WriteOptions{}, "finalize");
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  return ReconcileResult{};
}

}  // namespace minik
