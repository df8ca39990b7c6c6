#include "controllers/serviceaccount_controller.h"

namespace minik {

namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};
constexpr const char* kDefault = "default";

bool Active(const Json& ns) {
  if (Find(ns, {"metadata", "deletionTimestamp"})) return false;
  std::string phase = GetString(ns, {"status", "phase"});
  return phase.empty() || phase == "Active";
}

}  // namespace

ServiceAccountController::ServiceAccountController(Client& client, Clock& clock,
                                                   SharedInformerFactory& informers,
                                                   int workers)
    : QueueController("serviceaccount-controller", clock, workers),
      client_(client),
      namespaces_(informers.For(kNamespaces)),
      service_accounts_(informers.For(kServiceAccounts)) {
  namespaces_.AddEventHandler({[this](const Json& ns) { queue().Add(Name(ns)); },
                               [this](const Json&, const Json& ns) { queue().Add(Name(ns)); },
                               nullptr});
  service_accounts_.AddEventHandler(
      {nullptr, nullptr, [this](const Json& sa) {
         if (Name(sa) == kDefault) queue().Add(Namespace(sa));
       }});
}

StatusOr<ReconcileResult> ServiceAccountController::Reconcile(const std::string& key) {
  ObjectPtr ns = namespaces_.Get(key);
  if (!ns || !Active(*ns)) return ReconcileResult{};
  if (service_accounts_.Get(key + "/" + kDefault)) return ReconcileResult{};
  Json sa = {{"apiVersion", "v1"},
             {"kind", "ServiceAccount"},
             {"metadata", {{"name", kDefault}, {"namespace", key}}}};
  auto r = client_.Create(kServiceAccounts, key, std::move(sa));
  if (!r.ok()) {
    if (r.status().code() == Code::kAlreadyExists) return ReconcileResult{};
    // A namespace that started terminating meanwhile refuses new content: nothing to do.
    if (r.status().code() == Code::kForbidden || r.status().code() == Code::kNotFound) {
      return ReconcileResult{};
    }
    return r.status();
  }
  return ReconcileResult{};
}

}  // namespace minik
