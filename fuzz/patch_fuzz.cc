// Fuzzes PATCH bodies on a live object: JSON patch (RFC 6902), merge patch (RFC 7386),
// strategic merge patch (with the schema of a Pod, a Deployment, a ConfigMap or none) and
// server-side apply through the field manager. Input: [type][kind][doc length u16] doc, patch.
// Checks: nothing throws; results are objects within the depth bound; a merge patch is
// idempotent (RFC 7386: applying it twice gives what once gives); errors are 4xx, never 500,
// except apply's Internal for invalid typed configurations (as upstream).
#include <string>

#include "api/fake_clock.h"
#include "api/json.h"
#include "api/patch.h"
#include "api/resource.h"
#include "api/schema.h"
#include "apiserver/managed_fields.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

const ResourceRegistry& Resources() {
  static const ResourceRegistry* registry = [] {
    auto* r = new ResourceRegistry();
    RegisterBuiltinResources(*r);
    return r;
  }();
  return *registry;
}

const ResourceRef kKinds[] = {{"", "v1", "pods"},
                              {"apps", "v1", "deployments"},
                              {"", "v1", "configmaps"},
                              {"", "v1", "services"}};

// The depth of a value, iteratively bounded: deeper than `limit` reports limit + 1.
int Depth(const Json& v, int limit, int depth = 0) {
  if (depth > limit) return depth;
  int max = depth;
  if (v.is_object() || v.is_array()) {
    for (const Json& child : v) max = std::max(max, Depth(child, limit, depth + 1));
  }
  return max;
}

void Run(fuzz::FuzzInput& in) {
  const int kind = static_cast<int>(in.Below(5));  // 4: no schema
  const int op = static_cast<int>(in.Below(4));
  const std::string doc_text(in.Bytes(in.U16()));
  const std::string patch_text(in.Rest());

  const ResourceInfo* info = kind < 4 ? Resources().Find(kKinds[kind]) : nullptr;
  const SchemaRegistry& schemas = BuiltinSchemas();
  const TypeSchema* schema = info ? schemas.Find(info->schema) : nullptr;

  StatusOr<Json> doc = ParseJson(doc_text);
  if (!doc.ok() || !doc->is_object()) return;
  StatusOr<Json> patch = ParseJson(patch_text);
  if (!patch.ok()) return;

  if (op == 3) {  // server-side apply
    if (info == nullptr || !patch->is_object()) return;
    FakeClock clock;
    managedfields::FieldManager manager(schemas, clock);
    (*doc)["apiVersion"] = info->ApiVersion();
    (*doc)["kind"] = info->kind;
    StatusOr<Json> applied = manager.Apply(*info, "", &*doc, *patch, "fuzz", /*force=*/false);
    if (!applied.ok()) {
      const Code code = applied.status().code();
      FUZZ_CHECK(code == Code::kBadRequest || code == Code::kConflict ||
                 code == Code::kInternal || code == Code::kInvalid);
      return;
    }
    FUZZ_CHECK(applied->is_object());
    (void)applied->dump();
    return;
  }

  const PatchType type = op == 0 ? PatchType::kJson
                         : op == 1 ? PatchType::kMerge
                                   : PatchType::kStrategicMerge;
  StatusOr<Json> result = ApplyPatchOfType(type, schemas, schema, *doc, *patch);
  if (!result.ok()) {
    const Code code = result.status().code();
    FUZZ_CHECK(code == Code::kBadRequest || code == Code::kInvalid ||
               code == Code::kRequestEntityTooLarge);
    return;
  }
  (void)result->dump();
  FUZZ_CHECK(Depth(*result, kMaxPatchDepth + 1) <= kMaxPatchDepth + 1);
  if (type == PatchType::kMerge) {
    StatusOr<Json> twice = ApplyPatchOfType(type, schemas, schema, *result, *patch);
    FUZZ_CHECK(twice.ok());
    FUZZ_CHECK(*twice == *result);
  }
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
