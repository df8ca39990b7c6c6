// Exact parsing of resource.Quantity strings ("100m", "1.5Gi", "2e3", "128974848") into the
// integers the scheduler compares, as k8s.io/apimachinery/pkg/api/resource does:
// MilliValue() and Value() round up (ceil) like upstream, so "0.5m" of cpu is 1 millicore and
// "1.5" bytes are 2.
//
// api/resources/pod_spec.h has res::ParseQuantity, a floating-point parser used for
// validation and QoS; the scheduler needs exact integer arithmetic ("0.1" cpu must be 100m,
// not 101m after a floating-point ceil), hence this parser.
#pragma once

#include <cstdint>
#include <string>

#include "api/json.h"
#include "api/status.h"

namespace minik::sched {

// A parsed quantity, scaled exactly: value = sign * digits * 10^exp10 * 2^exp2.
struct Quantity {
  // Upstream's Value(): the value in base units, rounded up; saturates at INT64_MAX/MIN.
  int64_t Value() const;
  // Upstream's MilliValue(): the value in thousandths, rounded up; saturates.
  int64_t MilliValue() const;

  bool negative = false;
  std::string digits;  // decimal digits without leading zeros ("" means zero)
  int exp10 = 0;
  int exp2 = 0;
};

// BadRequest("quantities must match the regular expression ...") on malformed input, as
// resource.ParseQuantity words it.
StatusOr<Quantity> ParseQuantity(const std::string& text);

// A quantity as it appears in JSON: a string, or a JSON number (accepted as its decimal text).
StatusOr<Quantity> QuantityFromJson(const Json& value);

}  // namespace minik::sched
