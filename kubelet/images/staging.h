// What a load or pull hands to the store's commit: verified images and the layers it unpacked
// into staging directories (renamed into layers/ on commit, removed otherwise).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/json.h"

namespace minik {

struct StagedLayer {
  std::string diff_id;  // "sha256:..."
  std::string dir;      // staging directory under <root>/tmp
  int64_t size = 0;
};

struct PreparedImage {
  std::string id;                    // "sha256:" of the config blob
  std::vector<std::string> repo_tags;     // normalised
  std::vector<std::string> repo_digests;  // "repo@sha256:..." (manifest digests)
  std::vector<std::string> diff_ids;      // lowest layer first
  Json config = Json::object();           // the config's "config" object
  // Blobs to keep under blobs/sha256 (config, manifests): digest -> bytes.
  std::vector<std::pair<std::string, std::string>> blobs;
};

// The store's side of a load or pull.
struct StagingContext {
  std::function<bool(const std::string& diff_id)> has_layer;  // already in the store
  std::function<std::string()> new_tmp_dir;  // a fresh path (not created) under <root>/tmp
};

}  // namespace minik
