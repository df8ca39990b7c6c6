// Fuzzes ResizeDecoder::Feed, the terminal-size JSON stream of the resize channel/stream.
// Input: [cut count][cuts...] then the stream. Checks: the sizes decoded and the verdict do
// not depend on how the stream is split into messages (each value is smaller than the
// pending limit here); after an error every Feed fails and decodes nothing; no crash or
// unbounded buffering on hostile JSON.
#include <algorithm>
#include <string>
#include <vector>

#include "apiserver/remotecommand.h"
#include "fuzz/fuzz_input.h"

namespace minik::remotecommand {
namespace {

void Run(fuzz::FuzzInput& in) {
  std::vector<size_t> cuts(in.Below(8));
  for (size_t& c : cuts) c = in.U16();
  const std::string_view stream = in.Rest();
  for (size_t& c : cuts) c %= stream.size() + 1;
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(stream.size());

  ResizeDecoder whole;
  std::vector<TerminalSize> sizes;
  Status whole_status = whole.Feed(stream, &sizes);

  ResizeDecoder split;
  std::vector<TerminalSize> split_sizes;
  Status split_status;
  size_t pos = 0;
  for (size_t cut : cuts) {
    split_status = split.Feed(stream.substr(pos, cut - pos), &split_sizes);
    pos = cut;
    if (!split_status.ok()) break;
  }
  FUZZ_CHECK(whole.failed() == !whole_status.ok());
  if (stream.size() <= ResizeDecoder::kMaxPending) {
    FUZZ_CHECK(whole_status.ok() == split_status.ok());
    FUZZ_CHECK(sizes == split_sizes);
    if (!whole_status.ok()) FUZZ_CHECK(whole_status.message() == split_status.message());
  }
  if (!whole_status.ok()) {
    FUZZ_CHECK(whole_status.code() == Code::kBadRequest);
    std::vector<TerminalSize> more;
    FUZZ_CHECK(!whole.Feed(R"({"Width":80,"Height":24})", &more).ok());
    FUZZ_CHECK(more.empty());
  }
}

}  // namespace
}  // namespace minik::remotecommand

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::remotecommand::Run(in);
  return 0;
}
