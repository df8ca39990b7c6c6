#include "api/resources/quantity.h"

#include <cctype>
#include <cstdint>

namespace minik::res {
namespace {

using i128 = __int128;
constexpr i128 kLimit = static_cast<i128>(1) << 120;  // beyond this we give up (no overflow)

std::string ToString(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return neg ? "-" + s : s;
}

// Rounds m * 10^scale up (away from zero) to a scale of at least `min_scale`.
void RoundUpTo(i128& m, int& scale, int min_scale) {
  while (scale < min_scale) {
    i128 q = m / 10, r = m % 10;
    if (r != 0) q += m > 0 ? 1 : -1;
    m = q;
    ++scale;
  }
}

const char* DecimalSuffix(int exponent) {
  switch (exponent) {
    case -9: return "n";
    case -6: return "u";
    case -3: return "m";
    case 0: return "";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    case 12: return "T";
    case 15: return "P";
    case 18: return "E";
    default: return nullptr;
  }
}

}  // namespace

static std::optional<std::string> CanonicalOnce(const std::string& text, bool milli) {
  // ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$, as ParseQuantity splits it.
  size_t i = 0, n = text.size();
  bool neg = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) neg = text[i++] == '-';
  i128 m = 0;
  int scale = 0, digits = 0, significant = 0;
  bool dot = false;
  for (; i < n && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'); ++i) {
    if (text[i] == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    ++digits;
    if (m == 0 && text[i] == '0') {
      if (dot) --scale;
      continue;
    }
    if (++significant > 30) return std::nullopt;
    m = m * 10 + (text[i] - '0');
    if (dot) --scale;
  }
  if (digits == 0) return std::nullopt;
  std::string suffix = text.substr(i);
  enum { kDecimalSI, kBinarySI, kDecimalExponent } format = kDecimalSI;
  static const char* const kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  bool known = false;
  for (int e = -9; e <= 18 && !known; e += 3) {
    if (suffix == DecimalSuffix(e)) {
      scale += e;
      known = true;
    }
  }
  for (int k = 0; k < 6 && !known; ++k) {
    if (suffix == kBinary[k]) {
      for (int j = 0; j < (k + 1) * 10; ++j) {
        if (m > kLimit) return std::nullopt;  // before the doubling overflows (fuzz/quantity)
        m *= 2;
      }
      if (m > kLimit) return std::nullopt;
      format = kBinarySI;
      known = true;
    }
  }
  if (!known && suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    size_t j = 1;
    bool eneg = false;
    if (suffix[j] == '+' || suffix[j] == '-') eneg = suffix[j++] == '-';
    if (j >= suffix.size() || suffix.size() - j > 3) return std::nullopt;
    int e = 0;
    for (; j < suffix.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(suffix[j]))) return std::nullopt;
      e = e * 10 + (suffix[j] - '0');
    }
    scale += eneg ? -e : e;
    format = kDecimalExponent;
    known = true;
  }
  if (!known || scale < -60 || scale > 60) return std::nullopt;
  if (neg) m = -m;
  RoundUpTo(m, scale, -9);  // ParseQuantity: nothing finer than nano
  if (milli) RoundUpTo(m, scale, -3);
  if (m == 0) return "0";
  while (m % 10 == 0) {
    m /= 10;
    ++scale;
  }
  if (format == kBinarySI) {
    // Only whole values below the 2^63 range print in binary; small ones print as DecimalSI.
    i128 v = m;
    bool whole = scale >= 0;
    for (int s = 0; whole && s < scale; ++s) {
      v *= 10;
      if (v > kLimit || v < -kLimit) whole = false;
    }
    if (!whole || (v > -1024 && v < 1024)) {
      format = kDecimalSI;
    } else {
      int exponent = 0;
      while (v % 1024 == 0 && exponent < 6) {
        v /= 1024;
        ++exponent;
      }
      return ToString(v) + (exponent == 0 ? "" : kBinary[exponent - 1]);
    }
  }
  // AsCanonicalBytes: the exponent floored to a multiple of three.
  int r = ((scale % 3) + 3) % 3;
  for (int k = 0; k < r; ++k) {
    m *= 10;
    --scale;
  }
  if (format == kDecimalSI) {
    if (const char* s = DecimalSuffix(scale)) return ToString(m) + s;
  }
  return ToString(m) + (scale == 0 ? "" : "e" + std::to_string(scale));
}

std::optional<std::string> CanonicalQuantity(const std::string& text, bool milli) {
  // A canonical form must be one: values whose printed form has more digits than are handled
  // exactly here (1e30Ki) would not parse again, so they are out of range too (fuzz/quantity).
  std::optional<std::string> out = CanonicalOnce(text, milli);
  if (!out) return out;
  std::optional<std::string> again = CanonicalOnce(*out, milli);
  if (!again || *again != *out) return std::nullopt;
  return out;
}

Json CanonicalQuantityJson(const Json& value, bool milli) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number_integer()) {
    text = value.dump();
  } else if (value.is_number_float()) {
    text = value.dump();
  } else {
    return value;
  }
  auto canonical = CanonicalQuantity(text, milli);
  if (!canonical) return value;
  return *canonical;
}

void CanonicalizeResourceList(Json& list) {
  if (!list.is_object()) return;
  for (auto it = list.begin(); it != list.end(); ++it) *it = CanonicalQuantityJson(*it, true);
}

void CanonicalizeResourceListAt(Json& obj, std::initializer_list<const char*> path) {
  Json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return;
    auto it = cur->find(key);
    if (it == cur->end()) return;
    cur = &*it;
  }
  CanonicalizeResourceList(*cur);
}

}  // namespace minik::res
