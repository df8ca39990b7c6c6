// OCI / Docker image manifests, indexes and configs: the parts the store needs, validated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1";

// The platform images are for (the only one minik runs).
inline constexpr const char* kPlatformOs = "linux";
inline constexpr const char* kPlatformArch = "amd64";

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>", validated
  int64_t size = -1;   // -1 when absent
  Json annotations = Json::object();
};

struct ImageManifest {
  Descriptor config;
  std::vector<Descriptor> layers;
};

// kInvalid when `j` is not a descriptor with a sha256 digest. `what` names it in messages.
StatusOr<Descriptor> ParseDescriptor(const Json& j, const std::string& what);

bool IsIndexMediaType(const std::string& media_type);
bool IsManifestMediaType(const std::string& media_type);

// The media type of a manifest body: its "mediaType", else `content_type` (HTTP), else
// inferred ("manifests" -> OCI index, "config" + "layers" -> OCI manifest).
std::string ManifestMediaType(const Json& body, const std::string& content_type = "");

StatusOr<ImageManifest> ParseImageManifest(const Json& body);

// The linux/amd64 entry of an index's "manifests" (entries without a platform count as
// matching; attestation entries, platform unknown/unknown, never do). kInvalid naming the
// platforms present when none matches.
StatusOr<Descriptor> PickPlatformManifest(const Json& index);

// Checks config.os / config.architecture (when present) against linux/amd64 and returns
// rootfs.diff_ids (validated sha256 digests).
StatusOr<std::vector<std::string>> ConfigDiffIds(const Json& config);

}  // namespace minik
