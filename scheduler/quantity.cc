#include "scheduler/quantity.h"

#include <cctype>
#include <limits>

namespace minik::sched {

namespace {

using U128 = unsigned __int128;

// Significant digits kept; the rest only records whether anything non-zero was dropped.
// 20 digits times 2^60 (Ei) still fits in 128 bits.
constexpr size_t kMaxDigits = 20;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

Status BadQuantity() {
  return BadRequest("quantities must match the regular expression "
                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

bool Digit(char c) { return c >= '0' && c <= '9'; }

// ceil(|q| * 10^scale) as an int64, saturating.
int64_t Scaled(const Quantity& q, int scale) {
  if (q.digits.empty()) return 0;
  std::string digits = q.digits;
  int exp10 = q.exp10 + scale;
  bool sticky = false;
  if (digits.size() > kMaxDigits) {
    for (size_t i = kMaxDigits; i < digits.size(); ++i) sticky |= digits[i] != '0';
    exp10 += static_cast<int>(digits.size() - kMaxDigits);
    digits.resize(kMaxDigits);
  }
  U128 num = 0;
  for (char c : digits) num = num * 10 + static_cast<unsigned>(c - '0');
  num <<= q.exp2;  // exp2 <= 60 and num < 10^20: fits
  U128 result;
  if (exp10 >= 0) {
    result = num;
    for (int i = 0; i < exp10; ++i) {
      if (result > static_cast<U128>(kMax)) return kMax;
      result *= 10;
    }
    if (sticky) result += 1;
  } else {
    if (-exp10 > 38) return num > 0 || sticky ? 1 : 0;
    U128 div = 1;
    for (int i = 0; i < -exp10; ++i) div *= 10;
    result = num / div;
    if (num % div != 0 || sticky) result += 1;
  }
  return result > static_cast<U128>(kMax) ? kMax : static_cast<int64_t>(result);
}

}  // namespace

int64_t Quantity::Value() const {
  int64_t v = Scaled(*this, 0);
  return negative ? -v : v;
}

int64_t Quantity::MilliValue() const {
  int64_t v = Scaled(*this, 3);
  return negative ? -v : v;
}

StatusOr<Quantity> ParseQuantity(const std::string& text) {
  Quantity q;
  size_t i = 0;
  const size_t n = text.size();
  if (n == 0 || n > 256) return BadQuantity();
  if (text[i] == '+' || text[i] == '-') q.negative = text[i++] == '-';
  std::string mantissa;
  int frac_digits = 0;
  bool dot = false, any_digit = false;
  for (; i < n && (Digit(text[i]) || text[i] == '.'); ++i) {
    if (text[i] == '.') {
      if (dot) return BadQuantity();
      dot = true;
      continue;
    }
    any_digit = true;
    mantissa.push_back(text[i]);
    if (dot) ++frac_digits;
  }
  if (!any_digit) return BadQuantity();
  q.exp10 = -frac_digits;

  std::string suffix = text.substr(i);
  struct Suffix {
    const char* text;
    int exp10, exp2;
  };
  static const Suffix kSuffixes[] = {
      {"", 0, 0},    {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0},  {"k", 3, 0},
      {"M", 6, 0},   {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0},
      {"Ki", 0, 10}, {"Mi", 0, 20}, {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50},
      {"Ei", 0, 60}};
  bool found = false;
  for (const Suffix& s : kSuffixes) {
    if (suffix == s.text) {
      q.exp10 += s.exp10;
      q.exp2 = s.exp2;
      found = true;
      break;
    }
  }
  if (!found) {
    // Decimal exponent: e/E, an optional sign, then digits.
    if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return BadQuantity();
    size_t j = 1;
    bool neg = false;
    if (suffix[j] == '+' || suffix[j] == '-') neg = suffix[j++] == '-';
    if (j >= suffix.size()) return BadQuantity();
    int exp = 0;
    for (; j < suffix.size(); ++j) {
      if (!Digit(suffix[j])) return BadQuantity();
      exp = exp * 10 + (suffix[j] - '0');
      if (exp > 1000) return BadQuantity();  // far outside int64 either way
    }
    q.exp10 += neg ? -exp : exp;
  }

  // Normalize: no leading zeros; trailing zeros move into the exponent.
  size_t first = mantissa.find_first_not_of('0');
  if (first == std::string::npos) {
    q.digits.clear();
    q.negative = false;
    q.exp10 = 0;
    q.exp2 = 0;
    return q;
  }
  mantissa.erase(0, first);
  size_t last = mantissa.find_last_not_of('0');
  q.exp10 += static_cast<int>(mantissa.size() - 1 - last);
  mantissa.resize(last + 1);
  q.digits = std::move(mantissa);
  return q;
}

StatusOr<Quantity> QuantityFromJson(const Json& value) {
  if (value.is_string()) return ParseQuantity(value.get<std::string>());
  if (value.is_number_integer()) return ParseQuantity(std::to_string(value.get<int64_t>()));
  if (value.is_number_unsigned()) return ParseQuantity(std::to_string(value.get<uint64_t>()));
  if (value.is_number_float()) {
    // Shortest text that reads back as the same double (nlohmann's dump is round-trip).
    return ParseQuantity(value.dump());
  }
  return BadQuantity();
}

}  // namespace minik::sched
