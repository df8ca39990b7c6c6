// Fuzzes the CRI log reader behind `kubectl logs` (a container writes what it likes into its
// log lines, and a torn write leaves any bytes): ReadCriLog with tailLines, sinceTime,
// limitBytes, timestamps and stream filters, then ReadCriLogFrom as `logs -f` continues.
// Input: [flags][tail][limit u16][since u32] then the file. Checks: limitBytes and tailLines
// are honoured; following from the end of a read returns nothing new; nothing throws.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "kubelet/cri_log.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

// One file per process, rewritten for each input.
const std::string& LogPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/minik-cri-log-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(dir) != nullptr);
    return std::string(dir) + "/0.log";
  }();
  return path;
}

void Run(fuzz::FuzzInput& in) {
  const uint8_t flags = in.Byte();
  const uint8_t tail = in.Byte();
  const uint16_t limit = in.U16();
  const uint32_t since = in.U32();
  const std::string_view content = in.Rest();
  {
    std::ofstream f(LogPath(), std::ios::binary | std::ios::trunc);
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  LogReadOptions options;
  options.timestamps = flags & 1;
  if (flags & 2) options.tail_lines = tail;
  if (flags & 4) options.limit_bytes = limit;
  // Around the seeds' timestamps (2024-2026).
  if (flags & 8) options.since = SystemTime(std::chrono::seconds(1700000000LL + since % 100000000));
  options.stdout_only = flags & 16;
  options.stderr_only = !options.stdout_only && (flags & 32);

  LogCursor end;
  StatusOr<std::string> out = ReadCriLog(LogPath(), options, &end);
  FUZZ_CHECK(out.ok());
  if (options.limit_bytes) FUZZ_CHECK(out->size() <= static_cast<size_t>(*options.limit_bytes));
  if (options.tail_lines && !options.limit_bytes) {
    FUZZ_CHECK(std::count(out->begin(), out->end(), '\n') <= *options.tail_lines);
  }
  FUZZ_CHECK(end.offset <= content.size());
  LogReadOptions follow = options;
  follow.tail_lines.reset();
  follow.limit_bytes.reset();
  StatusOr<std::string> more = ReadCriLogFrom(LogPath(), &end, follow);
  FUZZ_CHECK(more.ok());
  FUZZ_CHECK(more->empty());
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
