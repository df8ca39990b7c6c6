// Owner references between controllers and the objects they manage, as upstream's
// pkg/controller/controller_ref_manager.go: the controllerRef (the ownerReference with
// controller: true), adoption of matching orphans, and release of owned objects whose labels
// stopped matching.
#pragma once

#include <string>
#include <vector>

#include "api/client.h"
#include "api/informer.h"
#include "api/json.h"
#include "api/selector.h"
#include "api/status.h"

namespace minik {

// The ownerReference with controller: true, or nullptr.
const Json* ControllerRefOf(const Json& obj);
// True when `obj`'s controllerRef points at `owner` (compared by uid).
bool IsControlledBy(const Json& obj, const Json& owner);
// {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true} for `owner`.
Json NewControllerRef(const Json& owner, const std::string& api_version, const std::string& kind);
bool IsBeingDeleted(const Json& obj);  // metadata.deletionTimestamp is set

// Who claims: the owner object (as the controller last saw it), its group/version/kind and
// its selector, and where the dependents live.
struct ClaimSpec {
  std::string owner_api_version;  // "apps/v1"
  std::string owner_kind;         // "ReplicaSet"
  ResourceRef owner_ref;          // the owner's resource, for the uncached re-check
  ResourceRef dependents;         // e.g. pods
};

// As ControllerRefManager.ClaimObjects: of `candidates` (the owner's namespace, from an
// informer cache), returns the ones the owner controls after the call:
//  - owned and matching: kept;
//  - owned but not matching (or the object is being deleted and doesn't match): released
//    (a JSON merge patch that removes the ownerReference, with the object's uid as
//    precondition); released objects are not returned;
//  - orphans (no controllerRef) that match and are not being deleted: adopted (a patch
//    that adds NewControllerRef), unless the owner is being deleted. Before the first
//    adoption the owner is re-read from the API (not the cache) and adoption is skipped
//    when its uid changed or it is being deleted, as upstream's RecheckDeletionTimestamp;
//  - controlled by someone else: ignored.
// NotFound/Conflict on a patch (the object is gone or changed owner) skip that object; other
// errors are returned, and the caller retries the whole reconcile.
StatusOr<std::vector<ObjectPtr>> ClaimObjects(Client& client, const ClaimSpec& spec,
                                              const Json& owner, const LabelSelector& selector,
                                              const std::vector<ObjectPtr>& candidates);

}  // namespace minik
