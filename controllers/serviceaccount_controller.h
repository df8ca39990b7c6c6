// ServiceAccountController: every Active namespace has a ServiceAccount named "default",
// as upstream's pkg/controller/serviceaccount (serviceaccounts_controller.go). A deleted
// "default" ServiceAccount is created again. Keys are namespace names.
#pragma once

#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class ServiceAccountController final : public QueueController {
 public:
  ServiceAccountController(Client& client, Clock& clock, SharedInformerFactory& informers,
                           int workers = 1);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  Client& client_;
  Informer& namespaces_;
  Informer& service_accounts_;
};

}  // namespace minik
