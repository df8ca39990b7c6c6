// Reading `docker save` tarballs and OCI archives (optionally compressed as a whole).
//
// Two passes over the file: the first keeps only small entries (manifests, configs, index)
// and the names of the others; the second streams each needed layer through UnpackLayer into
// a staging directory. Layers already in the store are not read at all. The file must be
// seekable (the store spools standard input to a temp file first).
#pragma once

#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet/images/layer_unpack.h"
#include "kubelet/images/staging.h"

namespace minik {

struct ArchiveContents {
  std::vector<PreparedImage> images;
  std::vector<StagedLayer> layers;
};

// kInvalid naming the problem: not a tar, truncated, no manifest.json/index.json, digest or
// diff-id mismatch, unsafe layer entry, another platform. Staging directories made before an
// error are left for the caller to remove (it knows them from `ctx.new_tmp_dir`).
StatusOr<ArchiveContents> ReadImageArchive(const std::string& path, const StagingContext& ctx);

}  // namespace minik
