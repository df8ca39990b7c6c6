#include "kubelet/images/registry_pull.h"

namespace minik {

StatusOr<PulledImage> PullFromRegistry(const std::string&, const PullOptions&, const StagingContext&) {
  return NotImplemented("image pull: not implemented yet");
}

}  // namespace minik
