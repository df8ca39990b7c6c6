#include "kubelet/images/registry_pull.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "kubelet/images/digest.h"
#include "kubelet/images/http_client.h"
#include "kubelet/images/layer_unpack.h"
#include "kubelet/images/manifest.h"
#include "kubelet/images/reference.h"

namespace minik {
namespace {

constexpr size_t kMaxManifest = 4 << 20;
constexpr size_t kMaxConfig = 16 << 20;
constexpr int kMaxRedirects = 5;
constexpr int kMaxIndexDepth = 4;

const char* const kManifestAccept =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// `Bearer realm="...",service="...",scope="..."` -> its parameters (lower-case keys).
std::map<std::string, std::string> ParseChallenge(const std::string& header, std::string* scheme) {
  std::map<std::string, std::string> out;
  size_t sp = header.find(' ');
  *scheme = header.substr(0, sp);
  std::transform(scheme->begin(), scheme->end(), scheme->begin(), ::tolower);
  size_t i = sp == std::string::npos ? header.size() : sp + 1;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = header.substr(i, eq - i);
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    std::string value;
    i = eq + 1;
    if (i < header.size() && header[i] == '"') {
      ++i;
      while (i < header.size() && header[i] != '"') {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i++];
      }
      ++i;
    } else {
      size_t end = header.find(',', i);
      value = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? header.size() : end;
    }
    out[key] = value;
  }
  return out;
}

// The registry's error text from a {"errors":[{"code","message"}]} body, if any.
std::string RegistryError(const std::string& body) {
  auto j = ParseJson(body);
  if (!j.ok()) return "";
  const Json* errors = Find(*j, {"errors"});
  if (!errors || !errors->is_array() || errors->empty()) return "";
  std::string code = GetString((*errors)[0], {"code"});
  std::string message = GetString((*errors)[0], {"message"});
  return code.empty() ? message : code + ": " + message;
}

class Registry {
 public:
  Registry(const ImageRef& ref, const PullOptions& options) : ref_(ref), options_(options) {
    std::string scheme = IsInsecureRegistry(ref) ? "http" : "https";
    base_ = scheme + "://" + RegistryHost(ref);
  }

  // GET base + path, with the token dance and redirects. Non-2xx answers are returned too.
  StatusOr<std::unique_ptr<RegistryResponse>> Get(const std::string& path, const HttpHeaders& extra) {
    auto url = HttpUrl::Parse(base_ + path);
    if (!url.ok()) return url.status();
    const std::string registry_authority = url->Authority();
    bool tried_auth = false;
    for (int hop = 0; hop <= kMaxRedirects;) {
      HttpHeaders headers = extra;
      // Credentials only to the registry itself, never to a redirect target elsewhere.
      if (!token_.empty() && url->Authority() == registry_authority)
        headers.emplace_back("Authorization", "Bearer " + token_);
      auto resp = RegistryRequest("GET", *url, headers, options_.timeout_ms);
      if (!resp.ok()) return resp.status();  // its message names the address
      int status = (*resp)->status;
      if (status == 401 && !tried_auth && url->Authority() == registry_authority) {
        tried_auth = true;
        MINIK_RETURN_IF_ERROR(Authenticate((*resp)->Header("www-authenticate")));
        continue;
      }
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        std::string location = (*resp)->Header("location");
        if (location.empty()) return Status(Code::kInvalid, "registry redirect without Location");
        auto next = url->Resolve(location);
        if (!next.ok()) return next.status();
        url = *next;
        ++hop;
        continue;
      }
      if (status == 401)
        return Status(Code::kUnauthorized, "registry " + ref_.domain + " refused anonymous access to " + ref_.path);
      return resp;
    }
    return Status(Code::kInvalid, "registry " + ref_.domain + ": too many redirects");
  }

  struct Small {
    std::string body, content_type, docker_digest;
  };
  // A whole small body; kNotFound / kInvalid on errors, naming `what`.
  StatusOr<Small> GetSmall(const std::string& path, const HttpHeaders& extra,
                                                         size_t max, const std::string& what) {
    auto resp = Get(path, extra);
    if (!resp.ok()) return resp.status();
    auto body = (*resp)->ReadAll(max);
    if (!body.ok()) return Status(body.status().code(), what + ": " + body.status().message());
    MINIK_RETURN_IF_ERROR(CheckStatus(**resp, *body, what));
    return Small{*body, (*resp)->Header("content-type"), (*resp)->Header("docker-content-digest")};
  }

  Status CheckStatus(const RegistryResponse& resp, const std::string& body, const std::string& what) {
    if (resp.status / 100 == 2) return Status::Ok();
    std::string detail = RegistryError(body);
    if (resp.status == 404) {
      return Status(Code::kNotFound, what + " " + ref_.String() + ": " +
                                         (detail.empty() ? "manifest unknown" : detail));
    }
    return Status(resp.status == 429 ? Code::kTooManyRequests : Code::kServiceUnavailable,
                  what + " " + ref_.String() + ": registry answered HTTP " + std::to_string(resp.status) +
                      (detail.empty() ? "" : " (" + detail + ")"));
  }

  std::string Repo() const { return "/v2/" + ref_.path; }

 private:
  Status Authenticate(const std::string& challenge) {
    std::string scheme;
    auto params = ParseChallenge(challenge, &scheme);
    if (scheme != "bearer" || params["realm"].empty()) {
      return Status(Code::kUnauthorized, "registry " + ref_.domain + " wants " +
                                             (scheme.empty() ? "authentication" : scheme + " credentials") +
                                             "; only anonymous bearer tokens are supported");
    }
    std::string scope = params.count("scope") ? params["scope"] : "repository:" + ref_.path + ":pull";
    std::string url = params["realm"];
    url += (url.find('?') == std::string::npos ? "?" : "&");
    if (params.count("service")) url += "service=" + UrlEncode(params["service"]) + "&";
    url += "scope=" + UrlEncode(scope);
    auto parsed = HttpUrl::Parse(url);
    if (!parsed.ok()) return Status(Code::kInvalid, "registry token realm: " + parsed.status().message());
    auto resp = RegistryRequest("GET", *parsed, {}, options_.timeout_ms);
    if (!resp.ok()) return Status(resp.status().code(), "token service: " + resp.status().message());
    auto body = (*resp)->ReadAll(1 << 20);
    if (!body.ok()) return body.status();
    if ((*resp)->status != 200)
      return Status(Code::kUnauthorized, "token service " + parsed->Authority() + " answered HTTP " +
                                             std::to_string((*resp)->status));
    auto j = ParseJson(*body);
    if (!j.ok()) return Status(Code::kInvalid, "token service answered with malformed JSON");
    token_ = GetString(*j, {"token"});
    if (token_.empty()) token_ = GetString(*j, {"access_token"});
    if (token_.empty()) return Status(Code::kUnauthorized, "token service gave no token");
    return Status::Ok();
  }

  ImageRef ref_;
  PullOptions options_;
  std::string base_;
  std::string token_;
};

}  // namespace

StatusOr<PulledImage> PullFromRegistry(const std::string& ref_text, const PullOptions& options,
                                       const StagingContext& ctx) {
  auto ref = ParseImageRef(ref_text);
  if (!ref.ok()) return ref.status();
  Registry registry(*ref, options);
  PulledImage out;

  // The manifest, following indexes to linux/amd64.
  std::string want = ref->digest.empty() ? ref->tag : ref->digest;
  std::string top_digest;
  std::string body, content_type;
  for (int depth = 0;; ++depth) {
    if (depth > kMaxIndexDepth) return Status(Code::kInvalid, "image indexes nested too deeply");
    auto got = registry.GetSmall(registry.Repo() + "/manifests/" + want, {{"Accept", kManifestAccept}},
                                 kMaxManifest, "manifest");
    if (!got.ok()) return got.status();
    body = got->body;
    content_type = got->content_type;
    std::string digest = Sha256Digest(body);
    if (IsSha256Digest(want) && digest != want)
      return Status(Code::kInvalid, "manifest digest mismatch: asked for " + want + ", got " + digest);
    if (IsSha256Digest(got->docker_digest) && got->docker_digest != digest)
      return Status(Code::kInvalid, "manifest digest mismatch: Docker-Content-Digest says " +
                                        got->docker_digest + ", the body is " + digest);
    if (top_digest.empty()) top_digest = digest;
    out.image.blobs.emplace_back(digest, body);
    auto json = ParseJson(body);
    if (!json.ok()) return Status(Code::kInvalid, "manifest " + want + " is not JSON");
    std::string type = ManifestMediaType(*json, content_type);
    if (!IsIndexMediaType(type)) {
      auto m = ParseImageManifest(*json);
      if (!m.ok()) return Status(Code::kInvalid, "manifest " + want + ": " + m.status().message());
      auto config = registry.GetSmall(registry.Repo() + "/blobs/" + m->config.digest, {}, kMaxConfig, "config");
      if (!config.ok()) return config.status();
      if (Sha256Digest(config->body) != m->config.digest)
        return Status(Code::kInvalid, "config blob " + m->config.digest + ": digest mismatch");
      auto config_json = ParseJson(config->body);
      if (!config_json.ok()) return Status(Code::kInvalid, "config " + m->config.digest + " is not JSON");
      auto diff_ids = ConfigDiffIds(*config_json);
      if (!diff_ids.ok()) return diff_ids.status();
      if (diff_ids->size() != m->layers.size())
        return Status(Code::kInvalid, "manifest has " + std::to_string(m->layers.size()) + " layers, config " +
                                          std::to_string(diff_ids->size()) + " diff ids");
      out.image.id = m->config.digest;
      out.image.diff_ids = *diff_ids;
      if (const Json* c = Find(*config_json, {"config"}); c && c->is_object()) out.image.config = *c;
      out.image.blobs.emplace_back(m->config.digest, config->body);

      // Layers: streamed from the registry into the unpacker, verified as they go.
      std::vector<char> buf(256 << 10);
      for (size_t i = 0; i < m->layers.size(); ++i) {
        const Descriptor& l = m->layers[i];
        const std::string& diff_id = (*diff_ids)[i];
        if (ctx.has_layer(diff_id)) continue;
        bool staged = false;
        for (const auto& s : out.layers) staged = staged || s.diff_id == diff_id;
        if (staged) continue;
        auto resp = registry.Get(registry.Repo() + "/blobs/" + l.digest, {});
        if (!resp.ok()) return resp.status();
        if ((*resp)->status / 100 != 2) {
          auto err_body = (*resp)->ReadAll(1 << 16);
          return registry.CheckStatus(**resp, err_body.ok() ? *err_body : "", "layer " + l.digest + " of");
        }
        RegistryResponse* r = resp->get();
        int64_t received = 0;
        BlobReader reader = [&](const void** data) -> StatusOr<size_t> {
          auto n = r->Read(buf.data(), buf.size());
          if (!n.ok()) return n.status();
          received += static_cast<int64_t>(*n);
          // A registry that sends more than the descriptor's size must not fill the disk.
          if (l.size >= 0 && received > l.size)
            return Status(Code::kInvalid, "layer " + l.digest + " is larger than its descriptor says (" +
                                              std::to_string(l.size) + " bytes)");
          *data = buf.data();
          return n;
        };
        std::string dir = ctx.new_tmp_dir();
        auto layer = UnpackLayer(reader, dir);
        if (!layer.ok()) return Status(layer.status().code(), "layer " + l.digest + ": " + layer.status().message());
        if (layer->blob_digest != l.digest)
          return Status(Code::kInvalid, "layer blob digest mismatch: expected " + l.digest + ", got " + layer->blob_digest);
        if (l.size >= 0 && layer->blob_size != l.size)
          return Status(Code::kInvalid, "layer " + l.digest + ": size mismatch");
        if (layer->diff_id != diff_id)
          return Status(Code::kInvalid, "layer " + l.digest + ": diff id mismatch: the config says " + diff_id +
                                            ", the content is " + layer->diff_id);
        out.layers.push_back({diff_id, dir, layer->size});
      }
      break;
    }
    auto pick = PickPlatformManifest(*json);
    if (!pick.ok()) return Status(Code::kInvalid, ref->String() + ": " + pick.status().message());
    want = pick->digest;
  }
  if (ref->digest.empty()) {
    out.image.repo_tags.push_back(ref->String());
  }
  out.image.repo_digests.push_back(ref->Repository() + "@" + top_digest);
  return out;
}

}  // namespace minik
