// The Client in front of the registry that serves kinds stored as another version
// (ResourceInfo::conversion, api/resource.h): requests for such a kind are converted to the
// storage version on the way in and back on the way out (objects, lists, watch events,
// field selector labels), so the registry, its watches and its field selectors only ever see
// the storage version, and both versions are views of the same objects, as upstream.
// Requests for every other kind pass through untouched.
#pragma once

#include <memory>

#include "api/client.h"
#include "api/resource.h"
#include "api/schema.h"

namespace minik {

std::unique_ptr<Client> NewVersionedClient(std::unique_ptr<Client> storage,
                                           const ResourceRegistry& resources,
                                           const SchemaRegistry& schemas);

}  // namespace minik
