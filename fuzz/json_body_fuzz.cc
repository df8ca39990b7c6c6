// Fuzzes what the API server does with a create body before storing it: DecodeObjectBody
// (JSON, YAML or protobuf, nesting bounded), the checks against the URL, strict unknown fields, then the
// kind's PrepareForCreate, schema and strategy defaulting and metadata + kind validation, for
// a few kinds. Input: [kind][format] then the body.
// Checks: decode failures are 400 (or 415 for an unknown type); nothing throws from any
// stage (a throw is a 500 on the server); the object that passed reserializes and parses
// back to itself, within the depth bound (nlohmann's recursive dump and compare stay shallow).
#include <string>
#include <vector>

#include "api/json.h"
#include "api/resource.h"
#include "api/schema.h"
#include "api/validation.h"
#include "apiserver/body.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

const ResourceRegistry& Resources() {
  static const ResourceRegistry* registry = [] {
    auto* r = new ResourceRegistry();
    RegisterBuiltinResources(*r);
    return r;
  }();
  return *registry;
}

const ResourceRef kKinds[] = {
    {"", "v1", "configmaps"},       {"", "v1", "pods"},
    {"apps", "v1", "deployments"},  {"", "v1", "services"},
    {"batch", "v1", "jobs"},        {"batch", "v1", "cronjobs"},
    {"rbac.authorization.k8s.io", "v1", "roles"},
    {"networking.k8s.io", "v1", "ingresses"},
    {"apps", "v1", "statefulsets"}, {"", "v1", "namespaces"},
    {"", "v1", "secrets"},          {"", "v1", "persistentvolumeclaims"},
};
const char* const kTypes[] = {"application/json", "application/yaml", "",
                              "application/json; charset=utf-8", "text/plain",
                              "application/vnd.kubernetes.protobuf"};

void Run(fuzz::FuzzInput& in) {
  const ResourceInfo* info = Resources().Find(kKinds[in.Below(std::size(kKinds))]);
  FUZZ_CHECK(info != nullptr);
  const std::string type = kTypes[in.Below(std::size(kTypes))];
  const std::string body(in.Rest());
  const SchemaRegistry& schemas = BuiltinSchemas();

  std::vector<std::string> duplicates;
  StatusOr<Json> decoded = DecodeObjectBody(schemas, type, body, &duplicates);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == Code::kBadRequest ||
               decoded.status().code() == Code::kUnsupportedMediaType);
    return;
  }
  Json obj = std::move(*decoded);
  FUZZ_CHECK(obj.is_object());
  const std::string ns = info->namespaced ? "default" : "";
  if (!CheckBodyAgainstUrl(obj, info->Gvk(), ns, /*check_version=*/true).ok()) return;
  (void)FindUnknownFields(schemas, info->Gvk(), obj);

  // The registry's create sequence, minus storage and allocation.
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = Json::object();
  obj["metadata"]["name"] = "fuzz";
  info->strategy->PrepareForCreate(obj);
  if (const TypeSchema* t = schemas.Find(info->schema)) ApplySchemaDefaults(schemas, *t, obj);
  info->strategy->Default(obj);
  std::vector<StatusCause> causes = ValidateObjectMeta(obj, info->namespaced, info->name_rule);
  for (auto& c : info->strategy->Validate(obj)) causes.push_back(std::move(c));

  // As the store encodes it (a strict dump: bytes that are not UTF-8 must not get here).
  const std::string text = obj.dump();
  StatusOr<Json> again = ParseJson(text, 1000);
  FUZZ_CHECK(again.ok());
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
