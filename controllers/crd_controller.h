// CrdController: serves the custom resources of CustomResourceDefinitions, as upstream's
// apiextensions-apiserver controllers (naming, establishing, finalizer) do. For each CRD:
//  - names: acceptedNames become spec.names unless its plural, singular, kind, listKind or
//    a short name is taken in the group by another CRD or a built-in kind (NamesAccepted
//    False, NameConflict); then NamesAccepted True.
//  - serving: the accepted CRD's served versions are put into the ResourceRegistry and its
//    schemas into the SchemaRegistry (apiextensions/crd_serving.h); Established True;
//    status.storedVersions gains the storage version.
//  - deletion: Terminating True, creates refused, every custom resource deleted (their own
//    finalizers honoured); once none is left the cleanup finalizer goes, and with the CRD
//    its kinds stop being served.
// Keys are CRD names; one worker, so registrations never race each other.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "api/resource.h"
#include "api/schema.h"
#include "controllers/controller.h"

namespace minik {

class RuleEvaluator;

class CrdController final : public QueueController {
 public:
  CrdController(Client& client, Clock& clock, SharedInformerFactory& informers,
                ResourceRegistry& resources, SchemaRegistry& schemas);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  // The conflict message, or "" when the CRD's names are free.
  std::string NameConflict(const Json& crd) const;
  void Serve(const std::string& name, const Json& crd, bool terminating);
  void Unserve(const std::string& name);
  // Deletes the custom resources of a terminating CRD; true once none is left.
  StatusOr<bool> DeleteInstances(const Json& crd);

  Client& client_;
  Informer& crds_;
  ResourceRegistry& resources_;
  SchemaRegistry& schemas_;
  std::shared_ptr<RuleEvaluator> rules_;
  std::map<std::string, std::string> served_;  // CRD name -> what it was served from
};

}  // namespace minik
