// Fuzzes spdy::Codec::Feed. Input: [limits?][cut count][cuts...] then the wire bytes.
// Checks that (1) feeding the bytes whole or split at arbitrary points decodes the same frames
// with the same verdict, and errors are sticky; (2) at most one incomplete frame is buffered;
// (3) every decoded frame the encoder accepts re-encodes (with a fresh deflate stream) to
// bytes that decode to the same frame, header pairs grouped by name as the encoder does.
#include <algorithm>
#include <string>
#include <vector>

#include "apiserver/spdy.h"
#include "fuzz/fuzz_input.h"

namespace minik::spdy {
namespace {

bool SameSettings(const std::vector<Setting>& a, const std::vector<Setting>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Setting& x, const Setting& y) {
    return x.flags == y.flags && x.id == y.id && x.value == y.value;
  });
}

bool SameFrame(const Frame& a, const Frame& b) {
  return a.type == b.type && a.flags == b.flags && a.stream_id == b.stream_id &&
         a.associated_stream_id == b.associated_stream_id && a.priority == b.priority &&
         a.slot == b.slot && a.headers == b.headers && a.data == b.data && a.status == b.status &&
         a.ping_id == b.ping_id && a.delta_window == b.delta_window &&
         SameSettings(a.settings, b.settings);
}

bool SameFrames(const std::vector<Frame>& a, const std::vector<Frame>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), SameFrame);
}

// What a frame looks like after Encode + Feed: values of one name are NUL-joined at the
// first one's place (so they come back adjacent), and fixed-size control frames lose flags.
Frame AfterRoundTrip(const Frame& f) {
  Frame r = f;
  Headers grouped;
  std::vector<bool> used(f.headers.size(), false);
  for (size_t i = 0; i < f.headers.size(); ++i) {
    if (used[i]) continue;
    for (size_t j = i; j < f.headers.size(); ++j) {
      if (!used[j] && f.headers[j].first == f.headers[i].first) {
        grouped.push_back(f.headers[j]);
        used[j] = true;
      }
    }
  }
  r.headers = std::move(grouped);
  if (f.type == FrameType::kRstStream || f.type == FrameType::kPing ||
      f.type == FrameType::kGoAway || f.type == FrameType::kWindowUpdate) {
    r.flags = 0;
  }
  return r;
}

void Run(fuzz::FuzzInput& in) {
  Limits limits;
  if (in.Bool()) {  // small limits reach the "too large" paths with short inputs
    limits.max_frame_length = 1 + in.Below(4096);
    limits.max_header_block = 1 + in.Below(4096);
    limits.max_header_count = in.Below(64);
  }
  std::vector<size_t> cuts(in.Below(8));
  for (size_t& c : cuts) c = in.U16();
  const std::string_view wire = in.Rest();
  for (size_t& c : cuts) c %= wire.size() + 1;
  std::sort(cuts.begin(), cuts.end());

  Codec whole(limits);
  std::vector<Frame> frames;
  const Status whole_status = whole.Feed(wire, &frames);
  FUZZ_CHECK(whole.buffered() <= kFrameHeaderSize + limits.max_frame_length);

  Codec split(limits);
  std::vector<Frame> split_frames;
  Status split_status;
  size_t pos = 0;
  cuts.push_back(wire.size());
  for (size_t cut : cuts) {
    split_status = split.Feed(wire.substr(pos, cut - pos), &split_frames);
    pos = cut;
    if (!split_status.ok()) break;
    FUZZ_CHECK(split.buffered() <= kFrameHeaderSize + limits.max_frame_length);
  }
  FUZZ_CHECK(whole_status.ok() == split_status.ok());
  FUZZ_CHECK(SameFrames(frames, split_frames));
  if (whole_status.ok()) {
    FUZZ_CHECK(whole.buffered() == split.buffered());
  } else {
    FUZZ_CHECK(whole_status.code() == Code::kBadRequest || whole_status.code() == Code::kInternal);
    std::vector<Frame> more;
    FUZZ_CHECK(!whole.Feed(std::string_view("\0\0\0\1\0\0\0\0", 8), &more).ok());
    FUZZ_CHECK(more.empty());
  }

  // Round trip. The decoder gets default limits: recompressed blocks may be longer.
  Codec encoder(limits);
  std::string wire2;
  std::vector<Frame> expected;
  for (const Frame& f : frames) {
    const size_t before = wire2.size();
    Status s = encoder.Encode(f, &wire2);
    if (!s.ok()) {  // e.g. "connection" headers or a zero WINDOW_UPDATE: refused, nothing sent
      FUZZ_CHECK(wire2.size() == before);
      continue;
    }
    expected.push_back(AfterRoundTrip(f));
  }
  Codec decoder;
  std::vector<Frame> decoded;
  FUZZ_CHECK(decoder.Feed(wire2, &decoded).ok());
  FUZZ_CHECK(decoder.buffered() == 0);
  FUZZ_CHECK(SameFrames(decoded, expected));
}

}  // namespace
}  // namespace minik::spdy

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::spdy::Run(in);
  return 0;
}
