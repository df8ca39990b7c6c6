// BuildCustomResources: a CRD's served versions as ResourceInfos (strategy, table, scale,
// conversion to the storage version) and its schemas as TypeSchemas.
#include "apiextensions/crd_serving.h"

#include <algorithm>

#include "api/resources/common.h"
#include "apiextensions/crd_internal.h"
#include "apiextensions/structural_schema.h"

namespace minik {
namespace {

constexpr const char* kNameColumnDoc =
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

// Upstream's customResourceStrategy (apiextensions-apiserver pkg/registry/customresource).
class CustomResourceStrategy final : public Strategy {
 public:
  CustomResourceStrategy(std::shared_ptr<const StructuralSchema> schema,
                         std::shared_ptr<RuleEvaluator> rules, bool status_enabled,
                         bool terminating, std::string kind_for_errors)
      : schema_(std::move(schema)),
        rules_(std::move(rules)),
        status_enabled_(status_enabled),
        terminating_(terminating),
        kind_(std::move(kind_for_errors)) {}

  void PrepareForCreate(Json& obj) const override {
    if (status_enabled_) obj.erase("status");  // create cannot set status
    obj["metadata"]["generation"] = 1;
  }
  void PrepareForUpdate(Json& obj, const Json& old) const override {
    if (status_enabled_) {
      if (old.contains("status")) {
        obj["status"] = old["status"];
      } else {
        obj.erase("status");
      }
    }
    // The generation moves when anything but metadata (and status, when it is a
    // subresource) changes.
    auto content = [&](const Json& o) {
      Json c = o;
      c.erase("metadata");
      if (status_enabled_) c.erase("status");
      return c;
    };
    int64_t generation = 1;
    if (const Json* g = Find(old, {"metadata", "generation"}); g && g->is_number_integer()) {
      generation = g->get<int64_t>();
    }
    if (content(obj) != content(old)) ++generation;
    obj["metadata"]["generation"] = generation;
  }
  void Default(Json& obj) const override {
    if (!schema_) return;
    // Upstream's order: defaulting, then pruning (a default outside the schema is dropped).
    schema_->Default(obj);
    schema_->Prune(obj);
  }
  std::vector<StatusCause> Validate(const Json& obj) const override {
    return schema_ ? schema_->Validate(obj, nullptr, rules_.get()) : std::vector<StatusCause>{};
  }
  std::vector<StatusCause> ValidateUpdate(const Json& obj, const Json& old) const override {
    return schema_ ? schema_->Validate(obj, &old, rules_.get()) : std::vector<StatusCause>{};
  }
  std::vector<StatusCause> ValidateStatusUpdate(const Json& obj, const Json& old) const override {
    return schema_ ? schema_->Validate(obj, &old, rules_.get()) : std::vector<StatusCause>{};
  }
  Status BeforeCreate(Json& obj) const override {
    (void)obj;
    if (!terminating_) return Status::Ok();
    return Status(Code::kMethodNotAllowed,
                  "create not allowed while custom resource definition is terminating");
  }

 private:
  const std::shared_ptr<const StructuralSchema> schema_;
  const std::shared_ptr<RuleEvaluator> rules_;
  const bool status_enabled_;
  const bool terminating_;
  const std::string kind_;
};

// A printer column's cell, as upstream's tableconvertor (cellForJSONValue).
Json Cell(const Json& value, const std::string& type, SystemTime now) {
  if (value.is_null()) return nullptr;
  if (type == "integer") {
    if (value.is_number_integer()) return value;
    if (value.is_number()) return static_cast<int64_t>(value.get<double>());
    return nullptr;
  }
  if (type == "number") return value.is_number() ? value : Json(nullptr);
  if (type == "boolean") return value.is_boolean() ? value : Json(nullptr);
  if (type == "date") {
    SystemTime t;
    if (!value.is_string() || !ParseRfc3339(value.get<std::string>(), &t)) return "<invalid>";
    auto d = std::chrono::duration_cast<std::chrono::seconds>(now - t);
    return HumanDuration(std::max(d, std::chrono::seconds(0)));
  }
  // string and any other type: the value as text (kubectl's JSONPath printer).
  if (value.is_string()) return value;
  return value.dump();
}

void AddTable(ResourceInfo& info, const Json& columns) {
  if (!columns.is_array() || columns.empty()) return;  // the default: Name and Age
  struct Printer {
    std::string type, path;
  };
  std::vector<Printer> printers;
  info.full_row = true;
  info.columns.push_back({"Name", "string", "name", kNameColumnDoc, 0});
  for (const Json& c : columns) {
    TableColumn col;
    col.name = GetString(c, {"name"});
    col.type = GetString(c, {"type"});
    col.format = GetString(c, {"format"});
    col.description = GetString(c, {"description"});
    if (const Json* p = Find(c, {"priority"}); p && p->is_number_integer()) {
      col.priority = p->get<int>();
    }
    info.columns.push_back(col);
    printers.push_back({col.type, GetString(c, {"jsonPath"})});
  }
  info.cells = [printers](const Json& obj, SystemTime now) {
    std::vector<Json> cells{Name(obj)};
    for (const Printer& p : printers) cells.push_back(Cell(EvaluateSimpleJsonPath(obj, p.path), p.type, now));
    return cells;
  };
}

void AddSelectableFields(ResourceInfo& info, const Json& fields) {
  std::vector<std::string> paths;
  if (fields.is_array()) {
    for (const Json& f : fields) paths.push_back(GetString(f, {"jsonPath"}));
  }
  info.fields = [paths](const Json& obj, const std::string& field) -> std::optional<std::string> {
    for (const std::string& p : paths) {
      if ((p.size() > 1 ? p.substr(1) : p) != field) continue;
      Json v = EvaluateSimpleJsonPath(obj, p);
      if (v.is_null()) return "";
      return v.is_string() ? v.get<std::string>() : v.dump();
    }
    return std::nullopt;
  };
}

}  // namespace

StatusOr<CustomResourceServing> BuildCustomResources(const Json& crd,
                                                     std::shared_ptr<RuleEvaluator> rules,
                                                     bool terminating) {
  const std::string group = GetString(crd, {"spec", "group"});
  const Json& names = GetString(crd, {"status", "acceptedNames", "kind"}).empty()
                          ? res::At(crd, {"spec", "names"})
                          : res::At(crd, {"status", "acceptedNames"});
  const std::string kind = GetString(names, {"kind"});
  const std::string plural = GetString(names, {"plural"});
  std::string singular = GetString(names, {"singular"});
  if (singular.empty()) singular = LowerAscii(kind);
  const bool namespaced = GetString(crd, {"spec", "scope"}) != "Cluster";
  const Json& versions = res::At(crd, {"spec", "versions"});
  if (group.empty() || kind.empty() || plural.empty() || !versions.is_array()) {
    return Status(Code::kInvalid, "CustomResourceDefinition " + Name(crd) + " lacks names");
  }

  CustomResourceServing out;
  for (const Json& v : versions) {
    if (v.value("storage", false)) out.storage_version = GetString(v, {"name"});
  }
  if (out.storage_version.empty()) {
    return Status(Code::kInvalid, "CustomResourceDefinition " + Name(crd) + " has no storage version");
  }
  std::vector<const Json*> served;
  for (const Json& v : versions) {
    if (v.value("served", false)) served.push_back(&v);
  }
  std::sort(served.begin(), served.end(), [](const Json* a, const Json* b) {
    return CompareKubeAwareVersions(GetString(*a, {"name"}), GetString(*b, {"name"})) < 0;
  });
  for (const Json* vp : served) {
    const Json& v = *vp;
    const std::string version = GetString(v, {"name"});
    const Json& open_api = res::At(v, {"schema", "openAPIV3Schema"});
    std::shared_ptr<const StructuralSchema> schema;
    if (open_api.is_object()) {
      auto parsed = StructuralSchema::Parse(open_api);
      if (!parsed.ok()) return parsed.status();
      schema = *parsed;
    }
    ResourceInfo info;
    info.group = group;
    info.version = version;
    info.kind = kind;
    info.plural = plural;
    info.singular = singular;
    if (const Json* s = Find(names, {"shortNames"}); s && s->is_array()) {
      for (const Json& n : *s) if (n.is_string()) info.short_names.push_back(n);
    }
    if (const Json* c = Find(names, {"categories"}); c && c->is_array()) {
      for (const Json& n : *c) if (n.is_string()) info.categories.push_back(n);
    }
    info.namespaced = namespaced;
    info.verbs = res::kStandardVerbs;
    const Json& sub = res::At(v, {"subresources"});
    bool status_enabled = sub.is_object() && sub.contains("status") && !sub["status"].is_null();
    if (status_enabled) info.subresources.push_back(res::StatusSubresource(group, version, kind));
    if (const Json* scale = Find(sub, {"scale"}); scale && scale->is_object()) {
      info.subresources.push_back(res::ScaleSubresource());
      info.scale_paths = ResourceInfo::ScalePaths{GetString(*scale, {"specReplicasPath"}),
                                                  GetString(*scale, {"statusReplicasPath"}),
                                                  GetString(*scale, {"labelSelectorPath"})};
    }
    info.strategy = std::make_shared<CustomResourceStrategy>(schema, rules, status_enabled,
                                                            terminating, kind + "." + group);
    info.schema = CustomResourceTypeName(group, version, kind);
    info.strategic_merge_patch = false;
    AddTable(info, res::At(v, {"additionalPrinterColumns"}));
    AddSelectableFields(info, res::At(v, {"selectableFields"}));
    if (version != out.storage_version) {
      auto conversion = std::make_shared<StorageConversion>();
      conversion->storage = {group, out.storage_version, plural};
      // Conversion strategy None: only apiVersion changes.
      std::string storage_api = group + "/" + out.storage_version;
      std::string served_api = group + "/" + version;
      conversion->to_storage = [storage_api](const Json& o) {
        Json c = o;
        c["apiVersion"] = storage_api;
        return c;
      };
      conversion->from_storage = [served_api](const Json& o) {
        Json c = o;
        c["apiVersion"] = served_api;
        return c;
      };
      conversion->field_label = [](const std::string& l) -> std::optional<std::string> { return l; };
      info.conversion = std::move(conversion);
    }
    if (open_api.is_object()) {
      AppendCustomResourceTypes(open_api, group, version, kind, out.types);
    }
    out.infos.push_back(std::move(info));
  }
  return out;
}

}  // namespace minik
