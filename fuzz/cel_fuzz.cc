// Fuzzes CEL validation rules as a CRD author writes them: Compile, then Evaluate and
// EvaluateRule over one of a few objects. Input: [mode] then the expression.
// Checks: every error is Code::kInvalid (compilation errors worded "compilation failed: ..."),
// nothing throws or crashes, evaluation is deterministic, EvaluateRule agrees with Evaluate,
// and a rule without oldSelf never needs it.
#include <string>

#include "api/json.h"
#include "cel/cel.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

const Json& Sample(size_t i) {
  static const Json kSamples[] = {
      Json::parse(R"({"size": 2, "color": "red", "name": "héllo", "tags": ["a", "b"],
                      "ports": [{"port": 80, "name": "http"}, {"port": 443}],
                      "labels": {"app": "x"}, "ratio": 0.5, "on": true, "none": null})"),
      Json::parse(R"([1, 2, 3, -4, 9223372036854775807])"),
      Json("some string value"),
      Json(42),
  };
  return kSamples[i % 4];
}

void Run(fuzz::FuzzInput& in) {
  const size_t mode = in.Byte();
  const std::string expr(in.Rest());
  StatusOr<std::shared_ptr<const cel::Program>> program = cel::Compile(expr);
  if (!program.ok()) {
    FUZZ_CHECK(program.status().code() == Code::kInvalid);
    FUZZ_CHECK(program.status().message().starts_with("compilation failed: "));
    return;
  }
  const Json& self = Sample(mode);
  const Json& old_self = Sample(mode >> 2);
  const Json* old = cel::UsesOldSelf(**program) ? &old_self : nullptr;
  StatusOr<Json> a = cel::Evaluate(**program, self, old);
  StatusOr<Json> b = cel::Evaluate(**program, self, old);
  FUZZ_CHECK(a.ok() == b.ok());
  if (a.ok()) {
    FUZZ_CHECK(*a == *b);
  } else {
    FUZZ_CHECK(a.status().code() == Code::kInvalid);
    FUZZ_CHECK(a.status().message() == b.status().message());
  }
  StatusOr<bool> rule = cel::EvaluateRule(**program, self, old);
  if (a.ok() && a->is_boolean()) {
    FUZZ_CHECK(rule.ok() && *rule == a->get<bool>());
  } else {
    FUZZ_CHECK(!rule.ok() && rule.status().code() == Code::kInvalid);
  }
  if (!cel::UsesOldSelf(**program)) {
    StatusOr<Json> with_old = cel::Evaluate(**program, self, &old_self);
    FUZZ_CHECK(with_old.ok() == a.ok());
  }
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
