// ClusterRoleAggregationController: the rules of a ClusterRole with an aggregationRule are
// the union of the rules of every other ClusterRole its selectors match, in name order,
// without duplicates (pkg/controller/clusterroleaggregation). Keys are ClusterRole names.
#pragma once

#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class ClusterRoleAggregationController final : public QueueController {
 public:
  ClusterRoleAggregationController(Client& client, Clock& clock, SharedInformerFactory& informers);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  // Any ClusterRole change may affect any aggregated role: enqueue all of them.
  void EnqueueAggregated();

  Client& client_;
  Informer& cluster_roles_;
};

}  // namespace minik
