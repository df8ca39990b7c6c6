#include "kubelet/images/manifest.h"

#include "kubelet/images/reference.h"

namespace minik {
namespace {

Status Bad(const std::string& msg) { return Status(Code::kInvalid, msg); }

}  // namespace

StatusOr<Descriptor> ParseDescriptor(const Json& j, const std::string& what) {
  if (!j.is_object()) return Bad(what + ": descriptor is not an object");
  Descriptor d;
  d.media_type = GetString(j, {"mediaType"});
  d.digest = GetString(j, {"digest"});
  if (!IsSha256Digest(d.digest))
    return Bad(what + ": unsupported or malformed digest \"" + d.digest + "\" (need sha256:<64 hex>)");
  if (const Json* s = Find(j, {"size"})) {
    if (!s->is_number_integer() || s->get<int64_t>() < 0) return Bad(what + ": bad size");
    d.size = s->get<int64_t>();
  }
  if (const Json* a = Find(j, {"annotations"}); a && a->is_object()) d.annotations = *a;
  return d;
}

bool IsIndexMediaType(const std::string& t) { return t == kOciIndex || t == kDockerManifestList; }
bool IsManifestMediaType(const std::string& t) { return t == kOciManifest || t == kDockerManifest; }

std::string ManifestMediaType(const Json& body, const std::string& content_type) {
  std::string t = GetString(body, {"mediaType"});
  if (!t.empty()) return t;
  std::string ct = content_type.substr(0, content_type.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  if (!ct.empty() && ct != "application/json" && ct != "application/octet-stream") return ct;
  if (body.is_object() && body.contains("manifests")) return kOciIndex;
  if (body.is_object() && body.contains("config") && body.contains("layers")) return kOciManifest;
  if (body.is_object() && GetInt(body, {"schemaVersion"}, 0) == 1) return kDockerSchema1;
  return "";
}

StatusOr<ImageManifest> ParseImageManifest(const Json& body) {
  if (!body.is_object()) return Bad("manifest is not a JSON object");
  if (GetInt(body, {"schemaVersion"}, 0) == 1 ||
      ManifestMediaType(body).rfind(kDockerSchema1, 0) == 0)
    return Bad("Docker schema 1 manifests are not supported");
  const Json* config = Find(body, {"config"});
  const Json* layers = Find(body, {"layers"});
  if (!config || !layers || !layers->is_array()) return Bad("manifest has no config or layers");
  ImageManifest m;
  auto c = ParseDescriptor(*config, "manifest config");
  if (!c.ok()) return c.status();
  m.config = *c;
  for (size_t i = 0; i < layers->size(); ++i) {
    auto l = ParseDescriptor((*layers)[i], "manifest layer " + std::to_string(i));
    if (!l.ok()) return l.status();
    if (l->media_type.find("encrypted") != std::string::npos)
      return Bad("encrypted layers are not supported");
    m.layers.push_back(*l);
  }
  return m;
}

StatusOr<Descriptor> PickPlatformManifest(const Json& index) {
  const Json* manifests = Find(index, {"manifests"});
  if (!manifests || !manifests->is_array() || manifests->empty())
    return Bad("image index has no manifests");
  std::string seen;
  for (size_t i = 0; i < manifests->size(); ++i) {
    const Json& m = (*manifests)[i];
    const Json* platform = Find(m, {"platform"});
    std::string os = platform ? GetString(*platform, {"os"}) : "";
    std::string arch = platform ? GetString(*platform, {"architecture"}) : "";
    bool match = !platform || (os == kPlatformOs && arch == kPlatformArch);
    if (!match) {
      if (!seen.empty()) seen += ", ";
      seen += os + "/" + arch;
      continue;
    }
    return ParseDescriptor(m, "index entry " + std::to_string(i));
  }
  return Bad(std::string("no manifest for ") + kPlatformOs + "/" + kPlatformArch +
             " in the image index (it has " + seen + ")");
}

StatusOr<std::vector<std::string>> ConfigDiffIds(const Json& config) {
  if (!config.is_object()) return Bad("image config is not a JSON object");
  std::string os = GetString(config, {"os"});
  std::string arch = GetString(config, {"architecture"});
  if ((!os.empty() && os != kPlatformOs) || (!arch.empty() && arch != kPlatformArch))
    return Bad("image is for " + os + "/" + arch + ", not " + kPlatformOs + "/" + kPlatformArch);
  const Json* ids = Find(config, {"rootfs", "diff_ids"});
  if (!ids || !ids->is_array()) return Bad("image config has no rootfs.diff_ids");
  std::vector<std::string> out;
  for (const Json& id : *ids) {
    if (!id.is_string() || !IsSha256Digest(id.get<std::string>()))
      return Bad("image config has a malformed diff id");
    out.push_back(id.get<std::string>());
  }
  return out;
}

}  // namespace minik
