#include "apiserver/media.h"

#include <cctype>

namespace minik {
namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits on `sep` outside double quotes.
std::vector<std::string> SplitUnquoted(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (c == sep && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

bool Rejected(const MediaType& m) {
  std::string q = m.Param("q");
  if (q.empty()) return false;
  // "0", "0.0", "0.000": the client refuses this type.
  return q.find_first_not_of("0.") == std::string::npos;
}

// A base type minik can answer with JSON.
bool JsonCompatible(const std::string& type) {
  return type == "*/*" || type == "application/*" || type == "application/json" ||
         type == "application/vnd.kubernetes.protobuf";
}

bool MetaVersion(const MediaType& m) {
  return m.Param("g") == "meta.k8s.io" && (m.Param("v") == "v1" || m.Param("v") == "v1beta1");
}

}  // namespace

MediaType ParseMediaType(const std::string& text) {
  MediaType m;
  auto parts = SplitUnquoted(text, ';');
  m.type = Lower(Trim(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string p = Trim(parts[i]);
    auto eq = p.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Lower(Trim(p.substr(0, eq)));
    std::string value = Trim(p.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    m.params[key] = value;
  }
  return m;
}

std::vector<MediaType> ParseAccept(const std::string& header) {
  std::vector<MediaType> out;
  for (const auto& part : SplitUnquoted(header, ',')) {
    if (Trim(part).empty()) continue;
    out.push_back(ParseMediaType(part));
  }
  return out;
}

StatusOr<Negotiated> NegotiateObjectResponse(const std::string& accept) {
  auto entries = ParseAccept(accept);
  if (entries.empty()) return Negotiated{};
  for (const auto& m : entries) {
    if (Rejected(m) || !JsonCompatible(m.type)) continue;
    std::string as = m.Param("as");
    if (as.empty()) return Negotiated{};
    if (!MetaVersion(m)) continue;
    if (as == "Table") return Negotiated{ResponseShape::kTable, m.Param("v")};
    if (as == "PartialObjectMetadata" || as == "PartialObjectMetadataList") {
      return Negotiated{ResponseShape::kPartialObjectMetadata, m.Param("v")};
    }
  }
  return Status(Code::kNotAcceptable,
                "only the following media types are accepted: application/json, "
                "application/vnd.kubernetes.protobuf");
}

std::string NegotiateDiscovery(const std::string& accept) {
  for (const auto& m : ParseAccept(accept)) {
    if (Rejected(m) || !JsonCompatible(m.type)) continue;
    std::string as = m.Param("as");
    if (as.empty()) return "";
    if (as == "APIGroupDiscoveryList" && m.Param("g") == "apidiscovery.k8s.io" &&
        (m.Param("v") == "v2" || m.Param("v") == "v2beta1")) {
      return m.Param("v");
    }
  }
  return "";
}

}  // namespace minik
