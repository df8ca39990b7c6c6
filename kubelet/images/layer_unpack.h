// Unpacks one image layer (a tar, optionally gzip/zstd/xz/bzip2 compressed) into a directory,
// hashing while it reads: the blob digest over the bytes as given, the diff id over the
// uncompressed tar. Nothing is held in memory beyond libarchive's buffers.
//
// Safety: entry paths are cleaned ("./a//b" -> "a/b"); an absolute path or a ".." component
// fails the layer. Every write goes through a parent directory opened with openat2
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS and creates its final component with O_EXCL /
// O_NOFOLLOW, so a symlink in the layer (`evil -> /tmp`, then `evil/file`) fails the layer
// instead of writing outside it. Hard links must name an earlier entry of the same layer.
//
// Preserved: modes (with setuid/setgid/sticky), numeric uid/gid (when running as root),
// mtimes, xattrs (best effort; trusted.overlay.* from the tar is dropped), device nodes,
// fifos, hard links. OCI whiteouts become overlayfs ones: ".wh.NAME" -> char device 0:0
// "NAME", ".wh..wh..opq" -> trusted.overlay.opaque=y on its directory; other ".wh..wh."
// entries (aufs metadata) are skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "api/status.h"

namespace minik {

// Supplies the layer blob: points *data at the next chunk and returns its size, 0 at the end.
using BlobReader = std::function<StatusOr<size_t>(const void** data)>;

struct UnpackedLayer {
  std::string diff_id;      // "sha256:..." of the uncompressed tar
  std::string blob_digest;  // "sha256:..." of the bytes read from the BlobReader
  int64_t blob_size = 0;
  int64_t size = 0;  // bytes of regular file content
};

// Creates `dest` (mode 0755, must not exist) and unpacks into it. On error `dest` may hold a
// partial tree: the caller removes it. kInvalid for bad layers (not a tar, truncated, unsafe
// path), kInternal for local I/O failures.
// With `blob_digest` false the blob is not hashed (blob_digest stays ""): for a docker-archive
// layer whose only check is its diff id, that saves one SHA-256 pass.
StatusOr<UnpackedLayer> UnpackLayer(const BlobReader& read, const std::string& dest, bool blob_digest = true);

// Cleans a tar entry path: "" for the root ("./"); kInvalid for absolute paths and "..".
StatusOr<std::string> CleanEntryPath(const std::string& name);

}  // namespace minik
