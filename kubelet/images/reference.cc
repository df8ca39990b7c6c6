#include "kubelet/images/reference.h"

#include <cctype>
#include <vector>

#include "kubelet/images/images.h"

namespace minik {
namespace {

constexpr size_t kMaxNameLength = 255;  // distribution/reference NameTotalLengthMax

Status Bad(const std::string& ref, const std::string& why) {
  return Status(Code::kInvalid, "invalid reference format \"" + ref + "\": " + why);
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsHex(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); }

// [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
bool ValidPathComponent(const std::string& c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// host[:port], host being dot-separated labels or a bracketed IPv6 address.
bool ValidDomain(const std::string& d) {
  std::string host = d, port;
  if (!d.empty() && d[0] == '[') {
    size_t close = d.find(']');
    if (close == std::string::npos) return false;
    std::string inner = d.substr(1, close - 1);
    if (inner.empty()) return false;
    for (char c : inner)
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    std::string after = d.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
    host.clear();
  } else if (size_t colon = d.find(':'); colon != std::string::npos) {
    host = d.substr(0, colon);
    port = d.substr(colon + 1);
    if (port.empty()) return false;
  }
  for (char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  if (port.size() > 5) return false;
  if (d[0] == '[') return true;
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string label = host.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

bool ValidTag(const std::string& t) {
  if (t.empty() || t.size() > 128) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (!(word || (i > 0 && (c == '.' || c == '-')))) return false;
  }
  return true;
}

}  // namespace

bool IsSha256Digest(const std::string& digest) {
  if (digest.size() != 71 || digest.compare(0, 7, "sha256:") != 0) return false;
  for (size_t i = 7; i < digest.size(); ++i)
    if (!IsHex(digest[i])) return false;
  return true;
}

std::string ImageRef::String() const {
  std::string s = Repository();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

StatusOr<ImageRef> ParseImageRef(const std::string& ref) {
  if (ref.empty()) return Bad(ref, "empty reference");
  if (ref.size() > 4096) return Bad(ref.substr(0, 64) + "...", "too long");
  for (char c : ref) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f)
      return Bad(ref, "contains a space or control character");
  }
  ImageRef out;
  std::string rest = ref;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    out.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (out.digest.find(':') == std::string::npos) return Bad(ref, "digest must be algorithm:hex");
    if (out.digest.compare(0, 7, "sha256:") != 0)
      return Bad(ref, "unsupported digest algorithm (only sha256)");
    if (!IsSha256Digest(out.digest)) return Bad(ref, "digest must be sha256: and 64 lower-case hex digits");
  }
  // The tag is after the last ':' that follows the last '/'.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    out.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!ValidTag(out.tag)) return Bad(ref, "invalid tag \"" + out.tag + "\"");
  }
  if (rest.empty()) return Bad(ref, "missing repository name");
  size_t first = rest.find('/');
  std::string head = rest.substr(0, first);
  bool has_domain = first != std::string::npos &&
                    (head.find_first_of(".:") != std::string::npos || head == "localhost" ||
                     head.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos);
  if (has_domain) {
    out.domain = head;
    out.path = rest.substr(first + 1);
    if (!ValidDomain(out.domain)) return Bad(ref, "invalid registry \"" + out.domain + "\"");
  } else {
    out.domain = "docker.io";
    out.path = rest;
  }
  if (out.domain == "index.docker.io") out.domain = "docker.io";
  if (out.domain == "docker.io" && out.path.find('/') == std::string::npos) {
    out.path = "library/" + out.path;
  }
  if (out.path.empty()) return Bad(ref, "missing repository name");
  // One 64-hex component would be read as an image id by other tools: Docker refuses it.
  if (!has_domain && rest.size() == 64 &&
      rest.find_first_not_of("0123456789abcdef") == std::string::npos) {
    return Bad(ref, "repository name cannot be a 64-character hexadecimal string");
  }
  size_t start = 0;
  while (true) {
    size_t s = out.path.find('/', start);
    std::string comp = out.path.substr(start, s == std::string::npos ? std::string::npos : s - start);
    if (!ValidPathComponent(comp)) {
      for (char c : comp) {
        if (std::isupper(static_cast<unsigned char>(c)))
          return Bad(ref, "repository name must be lowercase");
      }
      return Bad(ref, "invalid repository name component \"" + comp + "\"");
    }
    if (s == std::string::npos) break;
    start = s + 1;
  }
  if (out.Repository().size() > kMaxNameLength) {
    return Bad(ref, "repository name must not be longer than 255 characters");
  }
  if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
  return out;
}

StatusOr<std::string> NormalizeImageRef(const std::string& ref) {
  auto parsed = ParseImageRef(ref);
  if (!parsed.ok()) return parsed.status();
  return parsed->String();
}

std::string ShortRepository(const std::string& repository) {
  static const std::string kLibrary = "docker.io/library/";
  static const std::string kHub = "docker.io/";
  if (repository.compare(0, kLibrary.size(), kLibrary) == 0) return repository.substr(kLibrary.size());
  if (repository.compare(0, kHub.size(), kHub) == 0) return repository.substr(kHub.size());
  return repository;
}

std::string RegistryHost(const ImageRef& ref) {
  return ref.domain == "docker.io" ? "registry-1.docker.io" : ref.domain;
}

bool IsInsecureRegistry(const ImageRef& ref) {
  std::string host = ref.domain;
  if (host.rfind("[::1]", 0) == 0) return true;
  if (size_t colon = host.find(':'); colon != std::string::npos) host = host.substr(0, colon);
  return host == "localhost" || host == "127.0.0.1";
}

}  // namespace minik
