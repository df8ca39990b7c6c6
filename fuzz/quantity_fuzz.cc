// Fuzzes resource.Quantity text as it arrives in resource lists (requests, limits, quota
// hard, capacity): CanonicalQuantity with and without milli rounding, and the JSON forms.
// Input: [flags] then the text. Checks: the canonical form of a canonical form is itself;
// canonical forms are short and printable; nothing throws.
#include <string>

#include "api/json.h"
#include "api/resources/quantity.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

void Run(fuzz::FuzzInput& in) {
  const uint8_t flags = in.Byte();
  const bool milli = (flags & 1) != 0;
  const std::string text(in.Rest());
  std::optional<std::string> canonical = res::CanonicalQuantity(text, milli);
  if (canonical) {
    FUZZ_CHECK(!canonical->empty() && canonical->size() <= 64);
    for (char c : *canonical) FUZZ_CHECK(c > ' ' && c < 0x7f);
    std::optional<std::string> again = res::CanonicalQuantity(*canonical, milli);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *canonical);
  }
  if (flags & 2) {
    StatusOr<Json> j = ParseJson(text);
    if (!j.ok()) return;
    (void)res::CanonicalQuantityJson(*j, milli);
    Json list = Json::object({{"cpu", *j}, {"memory", text}});
    res::CanonicalizeResourceList(list);
  }
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
