// ResourceQuotaController: keeps ResourceQuota status current, as upstream's
// pkg/controller/resourcequota (resource_quota_controller.go):
//  - status.hard mirrors spec.hard, status.used is recounted for the hard resources from a
//    fresh List of every kind that uses them (the evaluators of api/quota.h, scopes applied);
//  - a quota is synced when it is created, when spec.hard changes or its status is not yet
//    complete (not on status updates, which the controller and admission make), and every
//    5 minutes (upstream's resync period);
//  - replenishment: a deleted pod, service or claim, or one whose usage changed (a pod that
//    finished, a service that changed type), requeues the quotas of its namespace, so that
//    what admission charged is given back; other kinds a quota counts (count/<resource>,
//    configmaps, secrets, ...) get a deletion watch once a quota names them (upstream's
//    QuotaMonitor).
// Threads: the informer handlers and the workers share `monitored_` (under mu_).
// Admission (apiserver/admission_resourcequota.cc) charges status.used on every admitted
// write; this controller corrects it to what exists.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <utility>

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
  // Starts replenishing on deletions of `info`'s objects (once per kind).
  void Monitor(const ResourceInfo& info);

  Client& client_;
  SharedInformerFactory& informers_;
  const ResourceRegistry& resources_;
  Informer& quotas_;
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>> monitored_;  // (group, plural); guarded by mu_
};

}  // namespace minik
