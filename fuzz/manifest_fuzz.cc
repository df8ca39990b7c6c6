// Fuzzes what the kubelet reads from an image registry before it trusts a digest: manifest,
// index and config JSON (ManifestMediaType, ParseImageManifest, PickPlatformManifest,
// ConfigDiffIds) and image references (ParseImageRef, from pod specs). Input: [mode] then the
// text. Checks: errors are kInvalid; every descriptor accepted has a sha256 digest; a parsed
// reference prints a normal form that parses back to itself; nothing throws.
#include <string>

#include "api/json.h"
#include "kubelet/images/manifest.h"
#include "kubelet/images/reference.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

void Run(fuzz::FuzzInput& in) {
  const uint8_t mode = in.Byte();
  const std::string text(in.Rest());
  if (mode & 1) {
    StatusOr<ImageRef> ref = ParseImageRef(text);
    if (!ref.ok()) {
      FUZZ_CHECK(ref.status().code() == Code::kInvalid);
      return;
    }
    const std::string normal = ref->String();
    StatusOr<ImageRef> again = ParseImageRef(normal);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->String() == normal);
    if (!ref->digest.empty()) FUZZ_CHECK(IsSha256Digest(ref->digest));
    (void)RegistryHost(*ref);
    (void)ShortRepository(ref->Repository());
    return;
  }
  StatusOr<Json> body = ParseJson(text);
  if (!body.ok()) return;
  const std::string type = ManifestMediaType(*body, (mode & 2) ? kOciIndex : "");
  if (IsIndexMediaType(type)) {
    StatusOr<Descriptor> pick = PickPlatformManifest(*body);
    if (pick.ok()) FUZZ_CHECK(IsSha256Digest(pick->digest));
    else FUZZ_CHECK(pick.status().code() == Code::kInvalid);
  }
  StatusOr<ImageManifest> manifest = ParseImageManifest(*body);
  if (manifest.ok()) {
    FUZZ_CHECK(IsSha256Digest(manifest->config.digest));
    for (const Descriptor& d : manifest->layers) FUZZ_CHECK(IsSha256Digest(d.digest));
  } else {
    FUZZ_CHECK(manifest.status().code() == Code::kInvalid);
  }
  StatusOr<std::vector<std::string>> ids = ConfigDiffIds(*body);
  if (ids.ok()) {
    for (const std::string& id : *ids) FUZZ_CHECK(IsSha256Digest(id));
  } else {
    FUZZ_CHECK(ids.status().code() == Code::kInvalid);
  }
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
