// Fuzzes label and field selectors as they arrive in ?labelSelector= / ?fieldSelector= and in
// objects (metav1.LabelSelector): LabelSelector::Parse, ::FromJson, Matches, String, and
// FieldSelector::Parse, Matches. Input: [mode] then the text (mode 2: a JSON selector).
// Checks: errors are 400; a parsed selector prints a canonical form that parses back to the
// same requirements and prints the same; matching never throws.
#include <string>

#include "api/json.h"
#include "api/selector.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

bool SameRequirements(const LabelSelector& a, const LabelSelector& b) {
  const auto& x = a.requirements();
  const auto& y = b.requirements();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].key != y[i].key || x[i].op != y[i].op || x[i].values != y[i].values) return false;
  }
  return true;
}

void CheckLabels(const LabelSelector& selector) {
  const std::string text = selector.String();
  StatusOr<LabelSelector> again = LabelSelector::Parse(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SameRequirements(selector, *again));
  FUZZ_CHECK(again->String() == text);
  // Labels built from the selector's own keys and values, so matching paths are reached.
  Json labels = Json::object();
  for (const Requirement& r : selector.requirements()) {
    labels[r.key] = r.values.empty() ? std::string("1") : r.values.front();
  }
  (void)selector.Matches(labels);
  (void)selector.Matches(Json::object());
  (void)selector.Matches(Json());
}

void Run(fuzz::FuzzInput& in) {
  const int mode = static_cast<int>(in.Below(3));
  const std::string text(in.Rest());
  if (mode == 0) {
    StatusOr<LabelSelector> s = LabelSelector::Parse(text);
    if (!s.ok()) {
      FUZZ_CHECK(s.status().code() == Code::kBadRequest);
      return;
    }
    CheckLabels(*s);
  } else if (mode == 1) {
    StatusOr<FieldSelector> s = FieldSelector::Parse(text);
    if (!s.ok()) {
      FUZZ_CHECK(s.status().code() == Code::kBadRequest);
      return;
    }
    // An empty field name parses, as upstream's fields.ParseSelector lets it through; the
    // handler rejects it as an unsupported field label.
    (void)s->Matches([](const std::string& field) -> std::optional<std::string> {
      if (field == "metadata.name") return std::string("x");
      return std::nullopt;
    });
    (void)s->RequiredValue("metadata.name");
  } else {
    StatusOr<Json> j = ParseJson(text);
    if (!j.ok()) return;
    StatusOr<LabelSelector> s = LabelSelector::FromJson(*j);
    if (!s.ok()) {
      FUZZ_CHECK(s.status().code() == Code::kBadRequest || s.status().code() == Code::kInvalid);
      return;
    }
    (void)s->Matches(Json::object());
    (void)s->String();
  }
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
