#include "apiserver/openapi.h"

#include <openssl/evp.h>

#include "api/json.h"

namespace minik {
namespace {

std::string Sha512Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha512(), nullptr);
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string GroupVersionPath(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

// The object path of a kind: /apis/apps/v1/namespaces/{namespace}/deployments/{name}.
std::string ObjectPath(const ResourceInfo& info) {
  std::string p = "/" + GroupVersionPath(info.group, info.version);
  if (info.namespaced) p += "/namespaces/{namespace}";
  return p + "/" + info.plural + "/{name}";
}

Json PatchOperation(const ResourceInfo& info) {
  Json params = Json::array();
  for (const char* name : {"dryRun", "fieldManager", "fieldValidation", "force"}) {
    params.push_back(Json{{"name", name},
                          {"in", "query"},
                          {"schema", Json{{"type", name == std::string("force") ? "boolean"
                                                                                 : "string"}}}});
  }
  return Json{{"operationId", "patch" + info.kind},
              {"x-kubernetes-action", "patch"},
              {"x-kubernetes-group-version-kind",
               Json{{"group", info.group}, {"version", info.version}, {"kind", info.kind}}},
              {"parameters", params},
              {"responses", Json{{"200", Json{{"description", "OK"}}},
                                 {"201", Json{{"description", "Created"}}}}}};
}

}  // namespace

OpenApiV3::OpenApiV3(const ResourceRegistry& resources, const SchemaRegistry& schemas) {
  (void)schemas;  // component schemas come later; kept in the signature for that
  std::map<std::string, Json> paths;  // by GV path
  for (const auto& [group, versions] : resources.Groups()) {
    for (const auto& version : versions) paths[GroupVersionPath(group, version)] = Json::object();
  }
  for (const auto& info : resources.All()) {
    Json& p = paths[GroupVersionPath(info->group, info->version)];
    p[ObjectPath(*info)] = Json{{"patch", PatchOperation(*info)}};
  }
  Json index_paths = Json::object();
  for (auto& [gv_path, doc_paths] : paths) {
    Json doc{{"openapi", "3.0.0"},
             {"info", Json{{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
             {"paths", doc_paths},
             {"components", Json{{"schemas", Json::object()}}}};
    OpenApiDocument d;
    d.body = doc.dump();
    d.hash = Sha512Hex(d.body);
    index_paths[gv_path] =
        Json{{"serverRelativeURL", "/openapi/v3/" + gv_path + "?hash=" + d.hash}};
    docs_[gv_path] = std::move(d);
  }
  index_ = Json{{"paths", index_paths}}.dump();
}

const OpenApiDocument* OpenApiV3::Find(const std::string& gv_path) const {
  auto it = docs_.find(gv_path);
  return it == docs_.end() ? nullptr : &it->second;
}

}  // namespace minik
