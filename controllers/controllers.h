// The built-in controllers (namespace, serviceaccount, and later the workload controllers),
// each level-triggered over shared informers and a work queue, run by one manager.
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/resource.h"
#include "api/status.h"

namespace minik {

struct ControllerOptions {
  std::string node_name;  // the profile's node
  // The served kinds (the namespace controller empties every namespaced kind). Must outlive
  // the manager. Null: the built-in kinds (RegisterBuiltinResources).
  const ResourceRegistry* resources = nullptr;
  // Real-time bound on the informers' first sync in Start().
  int sync_timeout_seconds = 60;
  // Where the host-path provisioner of StorageClass `standard` makes volume directories
  // (<profile>/volumes). Empty: no provisioner runs.
  std::string volumes_dir;
  // Informers shared with other components of the process. Null: the manager makes its
  // own. A shared factory must be stopped before the manager is destroyed.
  SharedInformerFactory* informers = nullptr;
  // The cluster CA certificate (PEM) that the root CA publisher puts in every namespace as
  // ConfigMap kube-root-ca.crt. Empty: no publisher runs.
  std::string root_ca_pem;
};

class ControllerManager {
 public:
  virtual ~ControllerManager() = default;
  // Starts informers and workers; returns once the informers have synced.
  virtual Status Start() = 0;
  // Stops workers and informers; joins every thread.
  virtual void Stop() = 0;
};

std::unique_ptr<ControllerManager> NewControllerManager(Client& client, Clock& clock,
                                                        const ControllerOptions& options);

struct BootstrapOptions {
  std::string api_service_ip = "10.96.0.1";  // the `kubernetes` Service's ClusterIP
  std::string api_endpoint_ip = "127.0.0.1";  // where the API server listens (node IP)
  int api_port = 8443;
  // The `kube-dns` Service in kube-system (empty IP: none), served at dns_endpoint_ip.
  std::string dns_service_ip;
  std::string dns_endpoint_ip;
  int dns_port = 53;
  // IngressClass `minik` (the default class).
  bool ingress_class = false;
  // Also the default StorageClass `standard` of the host-path provisioner.
  bool default_storage_class = false;
};

// Creates what every cluster has, idempotently: namespaces default, kube-system,
// kube-public, kube-node-lease; the `kubernetes` Service (ClusterIP api_service_ip, port
// 443 -> api_port) with its Endpoints and EndpointSlice (kept up to date on restart).
Status EnsureBootstrapObjects(Client& client, const BootstrapOptions& options);

// The default RBAC ClusterRoles (cluster-admin, admin, edit, view, system:basic-user, ...)
// and their ClusterRoleBindings, reconciled as kube-apiserver does at start
// (controllers/rbac_bootstrap.cc). Part of EnsureBootstrapObjects.
Status EnsureBootstrapRbac(Client& client);

}  // namespace minik
