// Helpers shared by the fuzz targets in fuzz/: a reader that turns the fuzzer's bytes into
// choices, and a check that aborts (so libFuzzer and the replay test both see a crash).
//
// libFuzzer's FuzzedDataProvider ships with clang only; the replay build (gcc) needs the same
// decoding, so this is a small equivalent. It reads from the front, and once the bytes run
// out every read returns zero/empty: any input decodes to some sequence of choices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Fails the run with a message; independent of NDEBUG, unlike assert().
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace minik::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }
  bool Bool() { return (Byte() & 1) != 0; }
  uint16_t U16() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) << 16 | U16(); }
  // A value in [0, n) (0 when n is 0), from one byte when n fits in one.
  size_t Below(size_t n) {
    if (n == 0) return 0;
    return (n <= 256 ? Byte() : U16()) % n;
  }
  // Up to `n` bytes (fewer at the end of the input).
  std::string_view Bytes(size_t n) {
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return out;
  }
  // A length-prefixed chunk: one length byte, or two when the first is 0xff.
  std::string_view Chunk() {
    size_t n = Byte();
    if (n == 0xff) n = U16();
    return Bytes(n);
  }
  std::string_view Rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }

 private:
  std::string_view rest_;
};

}  // namespace minik::fuzz
