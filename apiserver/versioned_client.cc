#include "apiserver/versioned_client.h"

#include "api/patch.h"

namespace minik {
namespace {

// Rewrites the labels of a field selector ("a=b,c!=d"; values may hold escaped commas) with
// `map`; BadRequest for a label the served version does not support.
StatusOr<std::string> MapFieldSelector(const std::string& selector,
                                       const StorageConversion& conv) {
  if (selector.empty()) return selector;
  std::string out;
  size_t start = 0;
  while (start <= selector.size()) {
    size_t end = start;
    while (end < selector.size() && selector[end] != ',') end += selector[end] == '\\' ? 2 : 1;
    end = std::min(end, selector.size());
    std::string term = selector.substr(start, end - start);
    size_t op = term.find_first_of("!=");
    std::string label = term.substr(0, op);
    auto mapped = conv.field_label ? conv.field_label(label) : std::optional<std::string>();
    if (!mapped) return BadRequest("field label not supported: " + label);
    if (!out.empty()) out += ',';
    out += *mapped + (op == std::string::npos ? "" : term.substr(op));
    start = end + 1;
  }
  return out;
}

class ConvertingWatcher final : public ObjectWatcher {
 public:
  ConvertingWatcher(std::unique_ptr<ObjectWatcher> inner, const ResourceInfo& info)
      : inner_(std::move(inner)), info_(info) {}

  size_t Poll(std::vector<ObjectEvent>& out, size_t max) override {
    size_t first = out.size();
    size_t n = inner_->Poll(out, max);
    for (size_t i = first; i < out.size(); ++i) {
      ObjectEvent& ev = out[i];
      if (ev.type == "ERROR") continue;
      if (ev.type == "BOOKMARK") {
        ev.object["apiVersion"] = info_.ApiVersion();
        ev.object["kind"] = info_.kind;
        continue;
      }
      ev.object = info_.conversion->from_storage(ev.object);
    }
    return n;
  }
  Status Error() const override { return inner_->Error(); }
  void Stop() override { inner_->Stop(); }

 private:
  std::unique_ptr<ObjectWatcher> inner_;
  const ResourceInfo& info_;
};

class VersionedClient final : public Client {
 public:
  VersionedClient(std::unique_ptr<Client> storage, const ResourceRegistry& resources,
                  const SchemaRegistry& schemas)
      : storage_(std::move(storage)), resources_(resources), schemas_(schemas) {}

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource,
                        const std::string& name) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->Create(ref, ns, std::move(obj), opts, subresource, name);
    MINIK_RETURN_IF_ERROR(ValidateServed(*info, obj, subresource));
    return Out(*info, storage_->Create(info->conversion->storage, ns, In(*info, obj), opts,
                                       subresource, name));
  }

  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string& subresource) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->Get(ref, ns, name, subresource);
    return Out(*info, storage_->Get(info->conversion->storage, ns, name, subresource));
  }

  StatusOr<Json> List(const ResourceRef& ref, const std::string& ns,
                      const ListQuery& query) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->List(ref, ns, query);
    auto q = StorageQuery(*info, query);
    if (!q.ok()) return q.status();
    return OutList(*info, storage_->List(info->conversion->storage, ns, *q));
  }

  StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->Update(ref, ns, std::move(obj), opts, subresource);
    MINIK_RETURN_IF_ERROR(ValidateServed(*info, obj, subresource));
    return Out(*info,
               storage_->Update(info->conversion->storage, ns, In(*info, obj), opts, subresource));
  }

  StatusOr<Json> Patch(const ResourceRef& ref, const std::string& ns, const std::string& name,
                       PatchType type, const std::string& body, const WriteOptions& opts,
                       const std::string& subresource) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->Patch(ref, ns, name, type, body, opts, subresource);
    const ResourceRef& storage_ref = info->conversion->storage;
    if (type == PatchType::kApply) {
      // The applied configuration is a whole object of the served version.
      auto applied = ParseJson(body);
      if (!applied.ok()) return applied.status();
      if (!applied->is_object()) return BadRequest("the applied configuration must be an object");
      return Out(*info, storage_->Patch(storage_ref, ns, name, type, In(*info, *applied).dump(),
                                        opts, subresource));
    }
    auto patch = ParseJson(body);
    if (!patch.ok()) return patch.status();
    // The patch applies to the served version's shape: read, convert, patch, convert back,
    // and write with the read's resourceVersion as precondition (retried on conflicts).
    for (int attempt = 0;; ++attempt) {
      auto current = Get(ref, ns, name, subresource);
      if (!current.ok()) return current.status();
      std::string rv = ResourceVersion(*current);
      auto patched =
          ApplyPatchOfType(type, schemas_, schemas_.Find(info->schema), *current, *patch);
      if (!patched.ok()) return patched.status();
      std::string patch_rv = ResourceVersion(*patched);
      if (!patch_rv.empty() && patch_rv != rv)
        return ConflictModified(info->GroupResource(), name);
      (*patched)["metadata"]["resourceVersion"] = rv;
      auto updated = Update(ref, ns, std::move(*patched), opts, subresource);
      if (updated.ok() || updated.status().code() != Code::kConflict || attempt >= 4 ||
          !patch_rv.empty())
        return updated;
    }
  }

  StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->Delete(ref, ns, name, opts);
    return Out(*info, storage_->Delete(info->conversion->storage, ns, name, opts));
  }

  StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns,
                                  const ListQuery& query, const DeleteOptions& opts) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->DeleteCollection(ref, ns, query, opts);
    auto q = StorageQuery(*info, query);
    if (!q.ok()) return q.status();
    return OutList(*info, storage_->DeleteCollection(info->conversion->storage, ns, *q, opts));
  }

  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref, const std::string& ns,
                                                 const ListQuery& query,
                                                 std::function<void()> notify) override {
    const ResourceInfo* info = Converted(ref);
    if (!info) return storage_->Watch(ref, ns, query, std::move(notify));
    auto q = StorageQuery(*info, query);
    if (!q.ok()) return q.status();
    auto w = storage_->Watch(info->conversion->storage, ns, *q, std::move(notify));
    if (!w.ok()) return w.status();
    return std::unique_ptr<ObjectWatcher>(
        std::make_unique<ConvertingWatcher>(std::move(*w), *info));
  }

 private:
  const ResourceInfo* Converted(const ResourceRef& ref) const {
    const ResourceInfo* info = resources_.Find(ref);
    return info && info->conversion ? info : nullptr;
  }

  static Status ValidateServed(const ResourceInfo& info, const Json& obj,
                               const std::string& subresource) {
    if (!info.conversion->validate || !subresource.empty() || !obj.is_object()) return Status::Ok();
    auto causes = info.conversion->validate(obj);
    if (causes.empty()) return Status::Ok();
    return Invalid(info.GroupKind(), Name(obj), std::move(causes));
  }

  static Json In(const ResourceInfo& info, const Json& obj) {
    if (!obj.is_object()) return obj;  // the registry answers with its own error
    return info.conversion->to_storage(obj);
  }

  static StatusOr<Json> Out(const ResourceInfo& info, StatusOr<Json> obj) {
    if (!obj.ok() || !obj->is_object() || GetString(*obj, {"kind"}) == "Scale") return obj;
    return info.conversion->from_storage(*obj);
  }

  static StatusOr<Json> OutList(const ResourceInfo& info, StatusOr<Json> list) {
    if (!list.ok()) return list;
    list->operator[]("apiVersion") = info.ApiVersion();
    list->operator[]("kind") = info.kind + "List";
    if (Json* items = &(*list)["items"]; items->is_array()) {
      for (Json& item : *items) item = info.conversion->from_storage(item);
    }
    return list;
  }

  static StatusOr<ListQuery> StorageQuery(const ResourceInfo& info, const ListQuery& query) {
    ListQuery q = query;
    auto fields = MapFieldSelector(query.field_selector, *info.conversion);
    if (!fields.ok()) return fields.status();
    q.field_selector = std::move(*fields);
    return q;
  }

  std::unique_ptr<Client> storage_;
  const ResourceRegistry& resources_;
  const SchemaRegistry& schemas_;
};

}  // namespace

std::unique_ptr<Client> NewVersionedClient(std::unique_ptr<Client> storage,
                                           const ResourceRegistry& resources,
                                           const SchemaRegistry& schemas) {
  return std::make_unique<VersionedClient>(std::move(storage), resources, schemas);
}

}  // namespace minik
