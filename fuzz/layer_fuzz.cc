// Fuzzes image layer unpacking (libarchive: tar, gzip and the other filters) as a pull or
// `minik image load` feeds it: UnpackLayer from the bytes, in chunks, into a fresh directory.
// Input: [chunk size u16] then the blob. Checks: nothing is created beside the destination
// (no "..", absolute or symlinked escapes); errors are kInvalid (bad layers), never a throw.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "kubelet/images/fsutil.h"
#include "kubelet/images/layer_unpack.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

// A per-process scratch directory; each input unpacks into <scratch>/root.
const std::string& Scratch() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/minik-layer-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
    return std::string(tmpl);
  }();
  return dir;
}

// The names in `dir` other than "." and "..".
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  closedir(d);
  return out;
}

void Run(fuzz::FuzzInput& in) {
  const size_t chunk = 1 + in.U16() % 8192;
  const std::string_view blob = in.Rest();
  const std::string root = Scratch() + "/root";
  size_t pos = 0;
  BlobReader read = [&](const void** data) -> StatusOr<size_t> {
    const size_t n = std::min(chunk, blob.size() - pos);
    *data = blob.data() + pos;
    pos += n;
    return n;
  };
  StatusOr<UnpackedLayer> layer = UnpackLayer(read, root);
  if (layer.ok()) {
    FUZZ_CHECK(layer->diff_id.rfind("sha256:", 0) == 0);
  } else {
    FUZZ_CHECK(layer.status().code() == Code::kInvalid ||
               layer.status().code() == Code::kInternal);
  }
  const std::vector<std::string> beside = Entries(Scratch());
  FUZZ_CHECK(beside.size() <= 1);  // only "root"
  FUZZ_CHECK(imagefs::RemoveTree(root).ok());
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
