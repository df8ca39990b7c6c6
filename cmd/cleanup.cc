#include "cmd/cleanup.h"

namespace minik {

Status CleanupHostResources(const std::string& profile, const ProfilePaths& paths) {
  (void)profile;
  (void)paths;
  return Status::Ok();
}

}  // namespace minik
