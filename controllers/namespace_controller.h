// NamespaceController: finishes the deletion of namespaces, as upstream's
// pkg/controller/namespace (namespaced_resources_deleter.go).
//
// For a namespace with metadata.deletionTimestamp whose spec.finalizers holds "kubernetes":
//  1. status.phase = Terminating (the registry sets it on delete; kept if missing);
//  2. every namespaced kind of the ResourceRegistry that can be listed and deleted is deleted
//     (DeleteCollection, else per-object Delete);
//  3. the status conditions report progress (NamespaceDeletionContentFailure,
//     NamespaceContentRemaining, NamespaceFinalizersRemaining, ...), as upstream;
//  4. while objects remain (graceful pods, finalizers) the key is requeued with a short,
//     growing back-off (capped at 1 s so `kubectl delete ns --wait` returns promptly);
//  5. then "kubernetes" is removed from spec.finalizers through namespaces/<name>/finalize,
//     after which the registry deletes the namespace.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/informer.h"
#include "api/resource.h"
#include "controllers/controller.h"

namespace minik {

class NamespaceController final : public QueueController {
 public:
  NamespaceController(Client& client, Clock& clock, SharedInformerFactory& informers,
                      const ResourceRegistry& resources, int workers = 2);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  struct Content {
    std::vector<std::string> failures;   // "deleting pods: <message>"
    std::vector<std::string> remaining;  // "pods. has 2 resource instances"
    std::map<std::string, int> finalizers;  // finalizer -> objects that still carry it
  };
  // The namespaced kinds to empty, one version per group/resource.
  std::vector<const ResourceInfo*> DeletableKinds() const;
  Content DeleteContent(const std::string& ns);
  Status UpdateConditions(const Json& ns, const Content& content);

  Client& client_;
  const ResourceRegistry& resources_;
};

}  // namespace minik
