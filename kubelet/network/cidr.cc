#include "kubelet/network/cidr.h"

#include <charconv>

namespace minik::net {

namespace {

// Parses a decimal number of at most `max_digits` digits in [0, max], no sign, no leading zero.
bool ParseDecimal(std::string_view s, int max, int* out) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

StatusOr<uint32_t> ParseIpv4(const std::string& text) {
  std::string_view rest = text;
  uint32_t ip = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = rest.find('.');
    if ((i < 3) != (dot != std::string_view::npos))
      return BadRequest("invalid IPv4 address \"" + text + "\"");
    int octet = 0;
    if (!ParseDecimal(rest.substr(0, dot), 255, &octet))
      return BadRequest("invalid IPv4 address \"" + text + "\"");
    ip = (ip << 8) | static_cast<uint32_t>(octet);
    rest = i < 3 ? rest.substr(dot + 1) : std::string_view();
  }
  return ip;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
         std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff);
}

std::string Ipv4Cidr::ToString() const { return FormatIpv4(base) + "/" + std::to_string(prefix); }

StatusOr<Ipv4Cidr> ParseCidr(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return BadRequest("invalid CIDR \"" + text + "\": no /prefix");
  StatusOr<uint32_t> ip = ParseIpv4(text.substr(0, slash));
  if (!ip.ok()) return BadRequest("invalid CIDR \"" + text + "\": " + ip.status().message());
  int prefix = 0;
  if (!ParseDecimal(std::string_view(text).substr(slash + 1), 32, &prefix))
    return BadRequest("invalid CIDR \"" + text + "\": bad prefix length");
  if (prefix < 8 || prefix > 30)
    return BadRequest("invalid CIDR \"" + text + "\": prefix must be between /8 and /30");
  Ipv4Cidr cidr{*ip, prefix};
  if ((*ip & cidr.Mask()) != *ip)
    return BadRequest("invalid CIDR \"" + text + "\": host bits set (network is " +
                      FormatIpv4(*ip & cidr.Mask()) + "/" + std::to_string(prefix) + ")");
  return cidr;
}

}  // namespace minik::net
