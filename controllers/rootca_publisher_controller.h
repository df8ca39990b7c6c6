// RootCaPublisher: every Active namespace holds the ConfigMap kube-root-ca.crt with the
// cluster CA (data ca.crt), as upstream's pkg/controller/certificates/rootcacertpublisher.
// Pods read it through their kube-api-access-* projected volume to verify the API server. A
// deleted or changed ConfigMap is restored; keys are namespace names.
#pragma once

#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class RootCaPublisher final : public QueueController {
 public:
  static constexpr const char* kConfigMapName = "kube-root-ca.crt";

  // `ca_pem`: the cluster CA certificate (PEM), published as is.
  RootCaPublisher(Client& client, Clock& clock, SharedInformerFactory& informers,
                  std::string ca_pem);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  Client& client_;
  Informer& namespaces_;
  Informer& config_maps_;
  const std::string ca_pem_;
};

}  // namespace minik
