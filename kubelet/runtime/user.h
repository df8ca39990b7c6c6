// The container user: numeric ids (runAsUser/runAsGroup, or the image's passwd entry for the
// primary group), supplementary groups (the spec's plus the image's /etc/group memberships),
// and HOME. Switching keeps the permitted capabilities (PR_SET_KEEPCAPS) so the caller can
// set them afterwards.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik::rt {

struct UserIds {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string home = "/";
};

// Pure: `passwd` and `group` are the image's file contents (may be empty).
UserIds ResolveUser(std::optional<int64_t> uid, std::optional<int64_t> gid,
                    const std::vector<int64_t>& supplemental, const std::string& passwd,
                    const std::string& group);

// setgroups, setresgid, setresuid with PR_SET_KEEPCAPS on (left on; the caller sets caps).
Status SwitchUser(const UserIds& ids);

}  // namespace minik::rt
