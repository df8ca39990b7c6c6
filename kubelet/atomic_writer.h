// AtomicWriter: projects a set of files into a directory so that readers see either the old
// or the new set, never a mix (pkg/volume/util/atomic_writer.go).
//
// Layout of the target directory:
//   ..2024_01_02_15_04_05.1234567/   the files of the current version (a timestamped dir)
//   ..data -> ..2024_01_02_15_04_05.1234567
//   key    -> ..data/key             one symlink per top-level user-visible path
// An update writes a new timestamped directory, renames a new "..data_tmp" symlink over
// "..data" (atomic), adds/removes the top-level symlinks and removes the old directory.
// Names starting with ".." are reserved. Not thread-safe: callers serialise per directory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "api/status.h"

namespace minik {

struct FileProjection {
  std::string data;
  uint32_t mode = 0644;
};

// Relative path (as in items[].path) -> content.
using Payload = std::map<std::string, FileProjection>;

// The checks of validatePath: not empty, relative, no ".." element, not starting with "..",
// at most 4096 characters, file names at most 255. kInvalid with upstream's wording, e.g.
// "invalid path: must not contain '..': a/../b".
Status ValidatePayloadPath(const std::string& path);

class AtomicWriter {
 public:
  // `target_dir` must exist.
  explicit AtomicWriter(std::string target_dir) : target_dir_(std::move(target_dir)) {}

  // Writes `payload`. Returns true when a new version was written, false when the content
  // on disk already matched (then nothing changes, beyond re-creating missing top-level
  // symlinks). `set_perms` (optional) runs on the new timestamped directory's parent, the
  // target directory, after the files are written and before "..data" is switched; an
  // error from it aborts the update.
  StatusOr<bool> Write(const Payload& payload,
                       const std::function<Status(const std::string& target_dir)>& set_perms =
                           nullptr);

 private:
  std::string target_dir_;
};

}  // namespace minik
