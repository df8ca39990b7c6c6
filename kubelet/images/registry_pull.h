// Pulling an image over the Registry HTTP API V2 into staging directories (the store commits).
//
//   GET /v2/<name>/manifests/<tag|digest>   Accept: OCI manifest + index, Docker v2 + list
//   an index -> its linux/amd64 manifest (fetched by digest)
//   GET /v2/<name>/blobs/<digest>           config (kept), layers (streamed into UnpackLayer)
//
// Every body is checked against its digest (the manifest against the reference's digest or
// Docker-Content-Digest; blobs against their descriptors; layers also against the config's
// diff ids). 401 with `WWW-Authenticate: Bearer realm=..,service=..,scope=..` -> an anonymous
// token from the realm, then the request again. Redirects (blobs on a CDN) are followed, without
// the Authorization header when the host changes. Plain HTTP for localhost/127.0.0.1/[::1],
// HTTPS (system CAs, host name checked) otherwise.
#pragma once

#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet/images/images.h"
#include "kubelet/images/staging.h"

namespace minik {

struct PulledImage {
  PreparedImage image;
  std::vector<StagedLayer> layers;
};

// kNotFound "manifest unknown" when the registry has no such manifest; kServiceUnavailable
// naming the address when it cannot be reached; kInvalid for digest mismatches and bad
// manifests; kUnauthorized when the registry refuses anonymous access.
StatusOr<PulledImage> PullFromRegistry(const std::string& ref, const PullOptions& options,
                                       const StagingContext& ctx);

}  // namespace minik
