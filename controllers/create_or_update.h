// CreateOrUpdate: the idempotent write of the bootstrap objects (controllers/bootstrap.cc,
// controllers/rbac_bootstrap.cc).
#pragma once

#include "api/client.h"
#include "api/json.h"

namespace minik {

// Creates `want` when absent; otherwise `mutate(current)` brings the stored object up to date
// and says whether it changed anything (then it is written back, retrying on conflicts).
// Get comes first: a Create of an existing Service would fail on its fixed ClusterIP
// ("already allocated") before the name conflict is noticed.
template <typename Mutate>
Status CreateOrUpdate(Client& client, const ResourceRef& ref, const Json& want, Mutate mutate) {
  const std::string ns = Namespace(want), name = Name(want);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = client.Get(ref, ns, name);
    if (!current.ok()) {
      if (current.status().code() != Code::kNotFound) return current.status();
      auto created = client.Create(ref, ns, want);
      if (created.ok()) return Status::Ok();
      if (created.status().code() == Code::kAlreadyExists) continue;  // raced a creator
      return created.status();
    }
    Json next = *current;
    if (!mutate(next)) return Status::Ok();
    auto updated = client.Update(ref, ns, std::move(next));
    if (updated.ok()) return Status::Ok();
    if (updated.status().code() != Code::kConflict) return updated.status();
  }
  return Status(Code::kConflict, "bootstrap: kept conflicting on " + ref.resource + " " + name);
}

}  // namespace minik
