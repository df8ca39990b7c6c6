// Linux capabilities of a container process: which set it gets (pure logic, tested without
// privileges) and applying it in the container's init (bounding set, permitted/effective,
// ambient cleared).
//
// The set follows containerd's CRI rules: privileged = every capability the runtime holds;
// otherwise Docker's 14 defaults, then add "ALL" (all), drop "ALL" (none), then the named
// adds, then the named drops. Names may carry the "CAP_" prefix and are case-insensitive.
// A non-root user keeps these in its bounding set only: execve gives it no effective
// capabilities (no ambient set), as with Kubernetes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik::rt {

// Bit mask of capabilities (bit n = capability n).
using CapMask = uint64_t;

// "CHOWN", "cap_chown" → 0; NotFound-style BadRequest for unknown names.
StatusOr<int> ParseCapability(const std::string& name);
std::string CapabilityName(int cap);  // "CAP_CHOWN"

CapMask DefaultCapabilities();  // Docker's 14
// `all` is every capability the runtime may grant (its own permitted set).
StatusOr<CapMask> ComputeCapabilities(bool privileged, const std::vector<std::string>& add,
                                      const std::vector<std::string>& drop, CapMask all);

// The calling process's permitted set.
CapMask CurrentPermitted();

// Drops every capability outside `keep` from the bounding set (needs CAP_SETPCAP). Errors
// name the capability.
Status DropBoundingSet(CapMask keep);
// Sets permitted = effective = `caps`, inheritable = 0, and clears the ambient set.
Status SetProcessCapabilities(CapMask caps);

}  // namespace minik::rt
