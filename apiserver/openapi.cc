// Assembly of the OpenAPI v3 and v2 documents from the per-kind paths and the definitions
// they reach (apiserver/openapi_internal.h).
#include "apiserver/openapi.h"

#include <chrono>
#include <set>

#include "api/log.h"
#include "apiserver/openapi_internal.h"

namespace minik {
namespace {

using openapi::Flavor;

constexpr const char* kStatus = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
constexpr const char* kDeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";

Json DocInfo() { return Json{{"title", "Kubernetes"}, {"version", "v1.32.0"}}; }

// The definitions named in `roots` and everything they reach; <Kind>List definitions are
// synthesized from the kinds in `infos`.
Json Definitions(const SchemaRegistry& schemas, const std::vector<const ResourceInfo*>& infos,
                 std::set<std::string> roots, Flavor flavor) {
  std::map<std::string, const ResourceInfo*> lists;
  for (const ResourceInfo* info : infos) {
    if (!info->schema.empty() && schemas.Find(info->schema) != nullptr) {
      lists[openapi::ListName(*info)] = info;
    }
  }
  std::set<std::string> names;
  for (const std::string& root : roots) {
    auto list = lists.find(root);
    if (list != lists.end()) {
      names.insert(root);
      openapi::CollectDefinitions(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta", names);
      openapi::CollectDefinitions(schemas, list->second->schema, names);
    } else {
      openapi::CollectDefinitions(schemas, root, names);
    }
  }
  Json defs = Json::object();
  for (const std::string& name : names) {
    if (auto list = lists.find(name); list != lists.end()) {
      defs[name] = openapi::ListDefinition(schemas, *list->second, flavor);
    } else if (Json special = openapi::SpecialDefinition(name, flavor); !special.is_null()) {
      defs[name] = std::move(special);
    } else if (const TypeSchema* type = schemas.Find(name)) {
      defs[name] = openapi::TypeDefinition(schemas, *type, flavor);
    }
  }
  return defs;
}

std::set<std::string> BaseRoots() { return {kStatus, kDeleteOptions}; }

}  // namespace

const std::string& OpenApiV3::Index() const {
  std::call_once(built_, [this] { Build(); });
  return index_;
}

const OpenApiDocument* OpenApiV3::Find(const std::string& gv_path) const {
  std::call_once(built_, [this] { Build(); });
  auto it = docs_.find(gv_path);
  return it == docs_.end() ? nullptr : &it->second;
}

void OpenApiV3::Build() const {
  const ResourceRegistry& resources = resources_;
  const SchemaRegistry& schemas = schemas_;
  auto start = std::chrono::steady_clock::now();
  struct Gv {
    Json paths = Json::object();
    std::set<std::string> refs = BaseRoots();
    std::vector<const ResourceInfo*> infos;
  };
  std::map<std::string, Gv> gvs;
  for (const auto& [group, versions] : resources.Groups()) {
    for (const auto& version : versions) gvs[openapi::GroupVersionPath(group, version)];
  }
  for (const auto& info : resources.All()) {
    Gv& gv = gvs[openapi::GroupVersionPath(info->group, info->version)];
    gv.infos.push_back(info.get());
    openapi::AddKindPaths(*info, schemas, Flavor::kV3, gv.paths, gv.refs);
    if (!info->schema.empty()) gv.refs.insert(info->schema);
  }
  Json index_paths = Json::object();
  size_t total = 0;
  for (auto& [gv_path, gv] : gvs) {
    Json doc{
        {"openapi", "3.0.0"},
        {"info", DocInfo()},
        {"paths", std::move(gv.paths)},
        {"components", Json{{"schemas", Definitions(schemas, gv.infos, gv.refs, Flavor::kV3)}}}};
    OpenApiDocument d;
    d.body = doc.dump();
    d.hash = openapi::Sha512Hex(d.body);
    total += d.body.size();
    index_paths[gv_path] =
        Json{{"serverRelativeURL", "/openapi/v3/" + gv_path + "?hash=" + d.hash}};
    docs_[gv_path] = std::move(d);
  }
  index_ = Json{{"paths", index_paths}}.dump();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  LOG(Info, "openapi") << "built v3 documents=" << docs_.size() << " bytes=" << total
                       << " ms=" << ms;
}

Json BuildOpenApiV2(const ResourceRegistry& resources, const SchemaRegistry& schemas) {
  Json paths = Json::object();
  std::set<std::string> refs = BaseRoots();
  std::vector<const ResourceInfo*> infos;
  for (const auto& info : resources.All()) {
    infos.push_back(info.get());
    openapi::AddKindPaths(*info, schemas, Flavor::kV2, paths, refs);
    if (!info->schema.empty()) refs.insert(info->schema);
  }
  return Json{{"swagger", "2.0"},
              {"info", DocInfo()},
              {"paths", std::move(paths)},
              {"definitions", Definitions(schemas, infos, refs, Flavor::kV2)}};
}

const OpenApiDocument& OpenApiV2::JsonDocument() const {
  std::call_once(built_, [this] { Build(); });
  return json_;
}

const OpenApiDocument& OpenApiV2::ProtobufDocument() const {
  std::call_once(built_, [this] { Build(); });
  return proto_;
}

void OpenApiV2::Build() const {
  auto start = std::chrono::steady_clock::now();
  Json doc = BuildOpenApiV2(resources_, schemas_);
  json_.body = doc.dump();
  json_.hash = openapi::Sha512Hex(json_.body);
  auto proto = EncodeOpenApiV2Protobuf(doc);
  if (proto.ok()) {
    proto_.body = std::move(*proto);
    proto_.hash = openapi::Sha512Hex(proto_.body);
  } else {
    // Only a programming error in the generated document can get here; serve no protobuf
    // (ServeOpenApi answers 503 for it) rather than a broken one.
    LOG(Error, "openapi") << "v2 protobuf encoding failed: " << proto.status().message();
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  LOG(Info, "openapi") << "built v2 json_bytes=" << json_.body.size()
                       << " proto_bytes=" << proto_.body.size() << " ms=" << ms;
}

}  // namespace minik
