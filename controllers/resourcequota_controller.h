// ResourceQuotaController: keeps ResourceQuota status current, as upstream's
// pkg/controller/resourcequota (resource_quota_controller.go):
//  - status.hard mirrors spec.hard, status.used is recounted for the hard resources from a
//    fresh List of every kind that uses them (the evaluators of api/quota.h, scopes applied);
//  - a quota is synced when it is created, when spec.hard changes or its status is not yet
//    complete (not on status updates, which the controller and admission make), and every
//    5 minutes (upstream's resync period);
//  - replenishment: a deleted pod, service or claim, or one whose usage changed (a pod that
//    finished, a service that changed type), requeues the quotas of its namespace, so that
//    what admission charged is given back.
// Admission (apiserver/admission_resourcequota.cc) charges status.used on every admitted
// write; this controller corrects it to what exists.
#pragma once

#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "api/resource.h"
#include "controllers/controller.h"

namespace minik {

class ResourceQuotaController final : public QueueController {
 public:
  ResourceQuotaController(Client& client, Clock& clock, SharedInformerFactory& informers,
                          const ResourceRegistry& resources, int workers = 1);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

  static constexpr std::chrono::minutes kResyncPeriod{5};

 private:
  // Requeues the quotas of `obj`'s namespace when `obj` (of group/plural) changed usage.
  void Replenish(const std::string& group, const std::string& plural, const Json* old_obj,
                 const Json& obj, bool deleted);

  Client& client_;
  const ResourceRegistry& resources_;
  Informer& quotas_;
};

}  // namespace minik
