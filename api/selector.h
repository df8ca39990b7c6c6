// Label and field selectors, parsed and matched as in k8s.io/apimachinery/pkg/labels and
// pkg/fields.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

struct Requirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };
  std::string key;
  Op op;
  std::vector<std::string> values;
};

class LabelSelector {
 public:
  // "a=b,c!=d,e in (f,g),h notin (i),j,!k". Empty selects everything.
  // BadRequest with apimachinery's wording on malformed input.
  static StatusOr<LabelSelector> Parse(const std::string& text);
  // A metav1.LabelSelector object ({matchLabels, matchExpressions}). null/absent selects
  // everything (callers that need "nothing" check for null themselves).
  static StatusOr<LabelSelector> FromJson(const Json& selector);

  bool Empty() const { return reqs_.empty(); }
  // `labels` is a JSON object of string values (or null).
  bool Matches(const Json& labels) const;
  // Canonical string form ("a=b,c in (d,e)"), as shown in Scale.status.selector.
  std::string String() const;
  const std::vector<Requirement>& requirements() const { return reqs_; }

 private:
  std::vector<Requirement> reqs_;
};

class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool equals;  // "=" / "==" vs "!="
    std::string value;
  };
  // "metadata.name=x,status.phase!=Running". BadRequest on malformed input.
  static StatusOr<FieldSelector> Parse(const std::string& text);

  bool Empty() const { return terms_.empty(); }
  // `get` returns the object's value for a field, or nullopt if the field is not supported
  // (Matches then reports false; callers validate fields first with Unsupported()).
  bool Matches(const std::function<std::optional<std::string>(const std::string&)>& get) const;
  const std::vector<Term>& terms() const { return terms_; }
  // Value of a `field=value` term, if present (used to narrow lists by name/namespace).
  std::optional<std::string> RequiredValue(const std::string& field) const;

 private:
  std::vector<Term> terms_;
};

}  // namespace minik
