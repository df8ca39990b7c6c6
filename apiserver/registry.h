// Registry: the generic REST store, like the apiserver's registry/generic/registry/store.go.
// It owns the CRUD sequence for every kind (decode, defaulting, validation, admission,
// preconditions, resourceVersion, generation, graceful deletion, finalizers, watch) and asks
// the kind's Strategy only for what differs. Both the HTTP router and the in-process client
// call it, so every write takes the same path.
#pragma once

#include <memory>

#include "api/client.h"
#include "api/clock.h"
#include "api/resource.h"
#include "api/schema.h"
#include "apiserver/admission.h"
#include "store/store.h"

namespace minik {

// Storage key of an object: "/registry/<group-resource>/<ns>/<name>" (cluster-scoped kinds
// have no namespace segment). Exposed for tests and tools.
std::string StorageKey(const ResourceInfo& info, const std::string& ns, const std::string& name);

// `admission` (may be null: no plugins) runs on every write (see admission.h); it must
// outlive the registry and may gain plugins later.
std::unique_ptr<Client> NewRegistry(Store& store, const ResourceRegistry& resources,
                                    const SchemaRegistry& schemas, Clock& clock,
                                    const AdmissionChain* admission = nullptr);

}  // namespace minik
