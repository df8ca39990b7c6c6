// The node's image store: content-addressed blobs and unpacked layers under one directory.
//
// Layout under `root` (the profile's state dir + "/images"):
//   blobs/sha256/<hex>          manifests and configs, as fetched/loaded (compressed layers
//                               are streamed straight into layers/ and not kept)
//   layers/<diffid-hex>/        each layer unpacked once (OCI whiteouts converted to overlay
//                               whiteouts: char 0:0 nodes and trusted.overlay.opaque=y),
//                               shared by every image that uses it; written to a temp dir and
//                               renamed into place, so a half-unpacked layer is never visible
//   images.json                 the index: id (config digest) -> repo tags, layer diff ids,
//                               size; written atomically (temp + rename)
//   lock                        flock held by every change, so processes (CLI, server) share
//                               the store; readers re-read images.json when it changed
//   tmp/                        staging (<pid>.<n>.*), removed when its process is gone
//
// References are normalised like Docker: "busybox" -> "docker.io/library/busybox:latest",
// "busybox:1.35" -> "docker.io/library/busybox:1.35", "127.0.0.1:5000/x/y:t" stays, digests
// ("name@sha256:...") are kept. A loaded "busybox:1.35" therefore matches a pod's
// "busybox:1.35". Image ids are "sha256:<config digest hex>".
//
// Thread-safe: all methods may be called from several threads (the kubelet's pod workers,
// the CLI through the server).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

struct ImageInfo {
  std::string id;                       // "sha256:<hex>" of the config blob
  std::vector<std::string> repo_tags;   // normalised, e.g. "docker.io/library/busybox:1.35"
  std::vector<std::string> repo_digests;  // "docker.io/library/busybox@sha256:..." when pulled
  std::vector<std::string> layer_dirs;  // unpacked layer directories, lowest layer FIRST
  Json config;                          // the image config's "config" object (Env, Cmd,
                                        // Entrypoint, WorkingDir, User, ...); {} if absent
  int64_t size = 0;                     // sum of the unpacked layer sizes, bytes
};

struct PullOptions {
  // Registries on localhost/127.0.0.1/[::1] are always plain HTTP (ARCHITECTURE §4).
  int timeout_ms = 60000;  // per network step (connect, each read or write), not in total
};

class ImageStore {
 public:
  virtual ~ImageStore() = default;

  // Loads every image in a `docker save` tarball (manifest.json) or an OCI archive
  // (oci-layout + index.json; tags from org.opencontainers.image.ref.name /
  // io.containerd.image.name annotations). `path` "-" reads standard input. Returns the
  // images loaded. All or nothing per image: on any error (not a tar, truncated, digest or
  // diff-id mismatch, unsafe entry path) the store is unchanged and the error names the
  // problem (Code::kInvalid / kBadRequest).
  virtual StatusOr<std::vector<ImageInfo>> Load(const std::string& path) = 0;

  // Pulls over the Registry HTTP API V2 (OCI/Docker manifests and indexes; linux/amd64;
  // blobs verified by digest; gzip layers; Bearer token challenge). NotFound when the
  // registry says the manifest is unknown; kServiceUnavailable (naming the address) when it
  // cannot be reached. Concurrent pulls of one reference share a single download.
  virtual StatusOr<ImageInfo> Pull(const std::string& ref, const PullOptions& options = {}) = 0;

  // The image a reference names (normalised tag, digest reference, or an id/ id prefix of
  // at least 12 hex chars). NotFound when absent.
  virtual StatusOr<ImageInfo> Resolve(const std::string& ref) const = 0;

  virtual std::vector<ImageInfo> List() const = 0;

  // Removes a tag (or, by id, the image and all its tags); unreferenced layers and blobs are
  // deleted. NotFound when absent.
  virtual Status Remove(const std::string& ref) = 0;
};

// Opens (creating if needed) the store at `root`.
StatusOr<std::unique_ptr<ImageStore>> OpenImageStore(const std::string& root);

// Docker-style normalisation; kInvalid with a clear message for a malformed reference
// (upper case in the repository, empty, bad tag or digest syntax).
StatusOr<std::string> NormalizeImageRef(const std::string& ref);

}  // namespace minik
