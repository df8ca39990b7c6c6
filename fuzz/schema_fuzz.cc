// Fuzzes what a CRD author and a custom-resource client control: schema patterns
// (Pattern::Compile / Search), openAPIV3Schema parsing, and defaulting, pruning and validation
// of objects against a parsed schema, and CRD validation. Input: [mode] then, for mode 0, a
// chunk (the pattern) and the text; for mode 1, a chunk (the schema JSON) and the object JSON;
// for mode 2, a CRD JSON. Checks: a refused schema is Invalid with causes; pruning is
// idempotent; nothing throws or recurses without bound.
#include <string>

#include "api/json.h"
#include "apiextensions/crd_validation.h"
#include "apiextensions/pattern.h"
#include "apiextensions/structural_schema.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

class AllowAll : public RuleEvaluator {
 public:
  StatusOr<bool> Evaluate(const std::string& rule, const Json&, const Json*) override {
    if (rule.empty()) return Status(Code::kBadRequest, "empty rule");
    return rule.size() % 2 == 0;
  }
  bool IsTransitionRule(const std::string& rule) override {
    return rule.find("oldSelf") != std::string::npos;
  }
};

void Run(fuzz::FuzzInput& in) {
  const int mode = static_cast<int>(in.Below(3));
  if (mode == 0) {
    std::string pattern(in.Chunk());
    std::string text(in.Rest());
    std::string error;
    auto p = apiextensions_internal::Pattern::Compile(pattern, error);
    if (!p) {
      FUZZ_CHECK(!error.empty());
      return;
    }
    (void)p->Search(text);
    return;
  }
  if (mode == 1) {
    StatusOr<Json> schema = ParseJson(in.Chunk(), 100);
    StatusOr<Json> obj = ParseJson(in.Rest(), 100);
    if (!schema.ok() || !obj.ok()) return;
    auto s = StructuralSchema::Parse(*schema);
    if (!s.ok()) {
      FUZZ_CHECK(s.status().code() == Code::kInvalid);
      FUZZ_CHECK(s.status().details() && !s.status().details()->causes.empty());
      return;
    }
    Json o = *obj;
    (*s)->Default(o);
    (void)(*s)->Prune(o);
    FUZZ_CHECK((*s)->Prune(o).empty());
    AllowAll rules;
    (void)(*s)->Validate(o, nullptr, &rules);
    (void)(*s)->Validate(o, &*obj, &rules);
    return;
  }
  StatusOr<Json> crd = ParseJson(in.Rest(), 100);
  if (!crd.ok()) return;
  DefaultCustomResourceDefinition(*crd);
  (void)ValidateCustomResourceDefinition(*crd);
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
