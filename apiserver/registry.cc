// The generic REST store. Every request of every kind goes through this sequence:
//   create: name/generateName -> namespace exists -> uid, timestamps -> strategy prepare,
//           default -> validate -> allocate -> store.Create
//   update/patch: store.GuaranteedUpdate(read -> (patch) -> preconditions -> strategy
//           prepare, default -> validate -> allocate); an update removing the last
//           finalizer of a terminating object deletes it
//   delete: preconditions -> finalizers / graceful deletion set deletionTimestamp, else
//           store.Delete -> release allocations
// Thread-safety: stateless apart from the store and strategies, which are thread-safe.
#include "apiserver/registry.h"

#include <algorithm>

#include "api/log.h"
#include "api/patch.h"
#include "api/validation.h"
#include "apiserver/managed_fields.h"
#include "apiserver/registry_internal.h"

namespace minik {

using registry::Decode;
using registry::Encode;

std::string StorageKey(const ResourceInfo& info, const std::string& ns, const std::string& name) {
  return registry::StoragePrefix(info, ns) + name;
}

namespace {

Status NoSuchResource() {
  return Status(Code::kNotFound, "the server could not find the requested resource");
}

Status MethodNotAllowed(const std::string& verb, const ResourceInfo& info) {
  return Status(Code::kMethodNotAllowed,
                verb + " is not supported on resources of kind \"" + info.GroupResource() + "\"");
}

// Kinds whose PUT may create a missing object (AllowCreateOnUpdate upstream).
bool AllowCreateOnUpdate(const ResourceInfo& info) {
  static const char* kinds[] = {"endpoints", "events", "leases", "endpointslices"};
  for (const char* k : kinds)
    if (info.plural == k) return true;
  return false;
}


bool HasFinalizers(const Json& obj) {
  const Json* f = Find(obj, {"metadata", "finalizers"});
  return f && f->is_array() && !f->empty();
}

bool IsTerminating(const Json& obj) {
  const Json* t = Find(obj, {"metadata", "deletionTimestamp"});
  return t && t->is_string();
}

// Metadata the client may not change on update: copied from the stored object.
void KeepSystemMetadata(Json& obj, const Json& old) {
  Json& meta = obj["metadata"];
  const Json& old_meta = old["metadata"];
  for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation"}) {
    if (old_meta.contains(field)) {
      meta[field] = old_meta[field];
    } else {
      meta.erase(field);
    }
  }
  if (old_meta.contains("namespace")) meta["namespace"] = old_meta["namespace"];
}

class Registry final : public Client {
 public:
  Registry(Store& store, const ResourceRegistry& resources, const SchemaRegistry& schemas,
           Clock& clock, const AdmissionChain* admission)
      : store_(store),
        resources_(resources),
        schemas_(schemas),
        clock_(clock),
        admission_(admission),
        field_manager_(schemas, clock) {
    RestoreAllocations();
  }

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource,
                        const std::string& name) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!subresource.empty()) {
      // Upstream admits a subresource create (Eviction, Binding, TokenRequest) on its body.
      AdmissionRequest req = Admission(AdmissionRequest::Operation::kCreate, *info, ns, name,
                                       subresource, &obj, nullptr, opts.user, opts.dry_run,
                                       opts.warnings);
      MINIK_RETURN_IF_ERROR(AdmitMutate(req));
      MINIK_RETURN_IF_ERROR(AdmitValidate(req));
      return CreateSubresource(*info, ns, name, subresource, obj, opts);
    }
    if (!info->HasVerb("create")) return MethodNotAllowed("create", *info);
    return CreateObject(*info, ns, std::move(obj), opts, /*track_managed=*/true);
  }

  // The create sequence. `track_managed`: record the write in metadata.managedFields (a
  // create by server-side apply arrives with its managedFields already made).
  StatusOr<Json> CreateObject(const ResourceInfo& info_ref, const std::string& ns, Json obj,
                              const WriteOptions& opts, bool track_managed) {
    const ResourceInfo* info = &info_ref;
    if (!obj.is_object()) return BadRequest("the body of the request must be a JSON object");
    obj["apiVersion"] = info->ApiVersion();
    obj["kind"] = info->kind;
    if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = Json::object();
    Json& meta = obj["metadata"];
    if (info->namespaced) {
      meta["namespace"] = ns;
      MINIK_RETURN_IF_ERROR(CheckNamespaceAcceptsContent(ns));
    } else {
      meta.erase("namespace");
    }
    bool generated = false;
    if (GetString(obj, {"metadata", "name"}).empty()) {
      std::string prefix = GetString(obj, {"metadata", "generateName"});
      if (!prefix.empty()) {
        meta["name"] = prefix + registry::RandomSuffix(5);
        generated = true;
      }
    }
    meta["uid"] = registry::NewUid();
    meta["creationTimestamp"] = FormatRfc3339(clock_.Now());
    for (const char* f : {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "selfLink"})
      meta.erase(f);

    const Strategy& strategy = *info->strategy;
    strategy.PrepareForCreate(obj);
    if (info->group == "networking.k8s.io" && info->plural == "ingresses") {
      auto classes = List({"networking.k8s.io", "v1", "ingressclasses"}, "", {});
      if (classes.ok()) registry::DefaultIngressClass(obj, *classes);
    }
    Default(*info, obj);
    // As the apiserver, before validation: client-sent managedFields that are not valid are
    // replaced, not rejected.
    if (track_managed) {
      field_manager_.Update(*info, "", nullptr, obj,
                            managedfields::ManagerForWrite(opts, *info, ""));
    }
    // Mutating admission after defaulting, validating admission after the object validated
    // (handlers/create.go, then rest.BeforeCreate and createValidation in store.Create).
    AdmissionRequest admission = Admission(AdmissionRequest::Operation::kCreate, *info, ns,
                                           Name(obj), "", &obj, nullptr, opts.user,
                                           opts.dry_run, opts.warnings);
    MINIK_RETURN_IF_ERROR(AdmitMutate(admission));
    std::vector<StatusCause> causes = ValidateObjectMeta(obj, info->namespaced, info->name_rule);
    // Upstream reports metadata errors first, then the kind's own (rest.BeforeCreate).
    for (auto& c : strategy.Validate(obj)) causes.push_back(std::move(c));
    if (!causes.empty()) return Invalid(info->GroupKind(), Name(obj), std::move(causes));
    admission.name = Name(obj);
    MINIK_RETURN_IF_ERROR(AdmitValidate(admission));
    MINIK_RETURN_IF_ERROR(strategy.BeforeCreate(obj));
    if (opts.dry_run) {
      strategy.AfterDelete(obj);
      return obj;
    }
    std::string key = StorageKey(*info, ns, Name(obj));
    for (int attempt = 0;; ++attempt) {
      auto kv = store_.Create(key, Encode(obj));
      if (kv.ok()) return Decode(kv->value, kv->mod_revision);
      if (kv.status().code() == Code::kAlreadyExists && generated && attempt < 3) {
        // A generated name collided: draw another, as the apiserver retries.
        meta["name"] = GetString(obj, {"metadata", "generateName"}) + registry::RandomSuffix(5);
        key = StorageKey(*info, ns, Name(obj));
        continue;
      }
      strategy.AfterDelete(obj);
      if (kv.status().code() == Code::kAlreadyExists)
        return AlreadyExists(info->GroupResource(), Name(obj));
      return kv.status();
    }
  }

  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string& subresource) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!subresource.empty() && !info->HasSubresource(subresource))
      return NoSuchResource();
    auto kv = store_.Get(StorageKey(*info, ns, name));
    if (!kv.ok()) {
      if (kv.status().code() == Code::kNotFound) return NotFound(info->GroupResource(), name);
      return kv.status();
    }
    auto obj = Decode(kv->value, kv->mod_revision);
    if (!obj.ok()) return obj;
    if (subresource == "scale") return registry::ScaleOf(*info, *obj);
    return obj;
  }

  StatusOr<Json> List(const ResourceRef& ref, const std::string& ns,
                      const ListQuery& query) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    MINIK_RETURN_IF_ERROR(registry::ValidateListQuery(query));
    auto filter = registry::MakeFilter(*info, query);
    if (!filter.ok()) return filter.status();
    Json items = Json::array();
    std::string continue_token;
    auto rev = ListInto(*info, ns, *filter, query, items, continue_token);
    if (!rev.ok()) return rev.status();
    Json list = {{"apiVersion", info->ApiVersion()},
                 {"kind", info->kind + "List"},
                 {"metadata", {{"resourceVersion", std::to_string(*rev)}}},
                 {"items", std::move(items)}};
    if (!continue_token.empty()) list["metadata"]["continue"] = continue_token;
    return list;
  }

  StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!subresource.empty() && !info->HasSubresource(subresource) &&
        !(info->plural == "namespaces" && subresource == "finalize"))
      return NoSuchResource();
    if (subresource.empty() && !info->HasVerb("update")) return MethodNotAllowed("update", *info);
    if (!obj.is_object()) return BadRequest("the body of the request must be a JSON object");
    std::string name = Name(obj);
    if (subresource == "scale") {
      return UpdateWith(*info, ns, name, opts, subresource, [&](const Json& current) {
        return registry::ApplyScale(*info, current, obj);
      });
    }
    if (name.empty()) {
      return Invalid(info->GroupKind(), "", {FieldRequired("metadata.name", "name is required")});
    }
    std::string rv = ResourceVersion(obj);
    if (AllowCreateOnUpdate(*info) && subresource.empty()) {
      auto existing = store_.Get(StorageKey(*info, ns, name));
      if (!existing.ok() && existing.status().code() == Code::kNotFound)
        return CreateObject(*info, ns, std::move(obj), opts, /*track_managed=*/true);
    }
    return UpdateWith(*info, ns, name, opts, subresource,
                      [&](const Json& current) -> StatusOr<Json> {
                        if (!rv.empty() && rv != ResourceVersion(current))
                          return ConflictModified(info->GroupResource(), name);
                        return obj;
                      });
  }

  StatusOr<Json> Patch(const ResourceRef& ref, const std::string& ns, const std::string& name,
                       PatchType type, const std::string& body, const WriteOptions& opts,
                       const std::string& subresource) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!subresource.empty() && !info->HasSubresource(subresource)) return NoSuchResource();
    if (subresource.empty() && !info->HasVerb("patch")) return MethodNotAllowed("patch", *info);
    if (type == PatchType::kStrategicMerge && !info->strategic_merge_patch) {
      // Custom resources have no patch metadata (apiserver's patch handler: 415).
      return Status(Code::kUnsupportedMediaType,
                    "the body of the request was in an unknown format - accepted media types "
                    "include: application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml");
    }
    if (type == PatchType::kApply) return ServerSideApply(*info, ns, name, body, opts, subresource);
    auto patch = ParseJson(body);
    if (!patch.ok()) return patch.status();
    const TypeSchema* schema = schemas_.Find(info->schema);
    return UpdateWith(*info, ns, name, opts, subresource,
                      [&](const Json& current) -> StatusOr<Json> {
                        Json target = subresource == "scale" ? registry::ScaleOf(*info, current)
                                                             : current;
                        StatusOr<Json> patched =
                            ApplyPatchOfType(type, schemas_, schema, target, *patch);
                        if (!patched.ok()) return patched.status();
                        std::string rv = ResourceVersion(*patched);
                        if (!rv.empty() && rv != ResourceVersion(current))
                          return ConflictModified(info->GroupResource(), name);
                        if (subresource == "scale")
                          return registry::ApplyScale(*info, current, *patched);
                        return patched;
                      });
  }

  StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!info->HasVerb("delete")) return MethodNotAllowed("delete", *info);
    return DeleteObject(*info, ns, name, opts);
  }

  StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns,
                                  const ListQuery& query, const DeleteOptions& opts) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!info->HasVerb("deletecollection")) return MethodNotAllowed("deletecollection", *info);
    auto list = List(ref, ns, query);
    if (!list.ok()) return list;
    Json deleted = Json::array();
    for (const Json& item : (*list)["items"]) {
      auto r = DeleteObject(*info, Namespace(item), Name(item), opts);
      if (r.ok()) {
        deleted.push_back(std::move(*r));
      } else if (r.status().code() != Code::kNotFound) {
        return r.status();
      }
    }
    (*list)["items"] = std::move(deleted);
    return list;
  }

  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref, const std::string& ns,
                                                 const ListQuery& query,
                                                 std::function<void()> notify) override {
    const ResourceInfo* info = resources_.Find(ref);
    if (!info) return NoSuchResource();
    if (!info->HasVerb("watch")) return MethodNotAllowed("watch", *info);
    auto filter = registry::MakeFilter(*info, query);
    if (!filter.ok()) return filter.status();
    std::vector<ObjectEvent> initial;
    int64_t after = 0;
    if (query.resource_version.empty() || query.resource_version == "0") {
      // Replay the current state as ADDED, then continue from the list's revision.
      Json items = Json::array();
      std::string ignored;
      ListQuery all = query;
      all.limit = 0;
      all.continue_token.clear();
      auto rev = ListInto(*info, ns, *filter, all, items, ignored);
      if (!rev.ok()) return rev.status();
      for (Json& item : items) initial.push_back({"ADDED", std::move(item)});
      after = *rev;
    } else {
      char* end = nullptr;
      after = std::strtoll(query.resource_version.c_str(), &end, 10);
      if (*end != '\0' || after < 0)
        return BadRequest("invalid resource version: " + query.resource_version);
    }
    return registry::NewObjectWatcher(store_, clock_, *info, ns, std::move(*filter), query,
                                      std::move(initial), after, std::move(notify));
  }

 private:
  // Server-side apply (patch.go's applyPatcher, forceAllowCreate): the configuration merges
  // into the live object through the field manager, then takes the normal update path; a
  // missing object is created from it (opts.created tells the caller: 201).
  StatusOr<Json> ServerSideApply(const ResourceInfo& info, const std::string& ns,
                                 const std::string& name, const std::string& body,
                                 const WriteOptions& opts, const std::string& subresource) {
    if (opts.field_manager.empty()) {
      return Invalid("PatchOptions.meta.k8s.io", "",
                     {FieldRequired("fieldManager", "is required for apply patch")});
    }
    if (!subresource.empty() && subresource != "status") {
      return NotImplemented("server-side apply to " + info.plural + "/" + subresource +
                            " is not supported by minik yet");
    }
    auto config = ParseJson(body);
    if (!config.ok()) return BadRequest("error decoding YAML: " + config.status().message());
    if (!config->is_object()) return BadRequest("error decoding YAML: not a JSON object");
    const std::string config_ns = GetString(*config, {"metadata", "namespace"});
    if (info.namespaced && !config_ns.empty() && config_ns != ns) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    const std::string config_rv = GetString(*config, {"metadata", "resourceVersion"});
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto updated = UpdateWith(
          info, ns, name, opts, subresource,
          [&](const Json& current) -> StatusOr<Json> {
            if (!config_rv.empty() && config_rv != ResourceVersion(current))
              return ConflictModified(info.GroupResource(), name);
            return field_manager_.Apply(info, subresource, &current, *config, opts.field_manager,
                                        opts.force);
          },
          /*track_managed=*/false);
      if (updated.ok() || updated.status().code() != Code::kNotFound || !subresource.empty())
        return updated;
      // Create on apply.
      if (std::string uid = Uid(*config); !uid.empty()) {
        return Status(Code::kConflict, "Operation cannot be fulfilled on " +
                                           info.GroupResource() + " \"" + name +
                                           "\": uid mismatch: the provided object specified uid " +
                                           uid + ", and no existing object was found");
      }
      auto obj = field_manager_.Apply(info, "", nullptr, *config, opts.field_manager, opts.force);
      if (!obj.ok()) return obj.status();
      if (Name(*obj) != name) {
        return BadRequest("the name of the object (" + Name(*obj) +
                          ") does not match the name on the URL (" + name + ")");
      }
      (*obj)["metadata"].erase("resourceVersion");
      auto created = CreateObject(info, ns, std::move(*obj), opts, /*track_managed=*/false);
      if (created.ok()) {
        if (opts.created) *opts.created = true;
        return created;
      }
      if (created.status().code() != Code::kAlreadyExists) return created;
      // Someone created it meanwhile: apply over theirs.
    }
    return ConflictModified(info.GroupResource(), name);
  }

  static AdmissionRequest Admission(AdmissionRequest::Operation op, const ResourceInfo& info,
                                    const std::string& ns, const std::string& name,
                                    const std::string& subresource, Json* object, const Json* old,
                                    const UserInfo* user, bool dry_run,
                                    std::vector<std::string>* warnings) {
    AdmissionRequest req;
    req.op = op;
    req.info = &info;
    req.ns = info.namespaced ? ns : "";
    req.name = name;
    req.subresource = subresource;
    req.object = object;
    req.old = old;
    req.user = user;
    req.dry_run = dry_run;
    req.warnings = warnings;
    return req;
  }
  Status AdmitMutate(AdmissionRequest& req) const {
    return admission_ ? admission_->Mutate(req) : Status::Ok();
  }
  Status AdmitValidate(const AdmissionRequest& req) const {
    return admission_ ? admission_->Validate(req) : Status::Ok();
  }

  void Default(const ResourceInfo& info, Json& obj) const {
    if (const TypeSchema* t = schemas_.Find(info.schema)) ApplySchemaDefaults(schemas_, *t, obj);
    info.strategy->Default(obj);
  }


  // Namespaced objects may be created only in an existing, non-terminating namespace.
  Status CheckNamespaceAcceptsContent(const std::string& ns) {
    if (ns.empty()) {
      return Invalid("Namespace", "", {FieldRequired("metadata.namespace")});
    }
    const ResourceInfo* ns_info = resources_.Find({"", "v1", "namespaces"});
    if (!ns_info) return Status::Ok();
    auto kv = store_.Get(StorageKey(*ns_info, "", ns));
    if (!kv.ok()) {
      if (kv.status().code() == Code::kNotFound) return NotFound("namespaces", ns);
      return kv.status();
    }
    auto obj = ParseJson(kv->value);
    if (obj.ok() && IsTerminating(*obj)) {
      Status st(Code::kForbidden, "unable to create new content in namespace " + ns +
                                      " because it is being terminated");
      st.mutable_details().name = ns;
      st.mutable_details().kind = "namespaces";
      st.mutable_details().causes.push_back(
          {"NamespaceTerminating",
           "namespace " + ns + " is being terminated", "metadata.namespace"});
      return st;
    }
    return Status::Ok();
  }

  // Read-modify-write of one object. `mutate` turns the current object into the desired
  // one (already patched / replaced); the strategy and validation run here.
  // `track_managed`: record the write in metadata.managedFields (server-side apply's `mutate`
  // does that itself).
  StatusOr<Json> UpdateWith(const ResourceInfo& info, const std::string& ns,
                            const std::string& name, const WriteOptions& opts,
                            const std::string& subresource,
                            const std::function<StatusOr<Json>(const Json&)>& mutate,
                            bool track_managed = true) {
    const std::string key = StorageKey(info, ns, name);
    const Strategy& strategy = *info.strategy;
    Json result, result_old;
    bool allocated = false;  // BeforeUpdate ran for (result, result_old) and is not settled
    bool delete_after = false;
    UpdateFunc fn = [&](const KeyValue* kv) -> StatusOr<std::string> {
      if (allocated) {
        // A retry: release what the previous attempt's BeforeUpdate took.
        strategy.AfterUpdate(result, result_old, false);
        allocated = false;
      }
      if (!kv) return NotFound(info.GroupResource(), name);
      auto current = Decode(kv->value, kv->mod_revision);
      if (!current.ok()) return current.status();
      auto desired = mutate(*current);
      if (!desired.ok()) return desired.status();
      const std::string manager =
          track_managed ? managedfields::ManagerForWrite(opts, info, subresource) : "";
      auto next = PrepareUpdate(info, ns, name, subresource, std::move(*desired), *current,
                                track_managed ? &manager : nullptr, opts);
      if (!next.ok()) return next.status();
      allocated = true;
      result_old = *current;
      // Upstream ShouldDeleteDuringUpdate: terminating, no finalizers left, and no grace
      // period pending (a namespace also waits for its spec.finalizers).
      delete_after = IsTerminating(*next) && !HasFinalizers(*next) &&
                     GetInt(*next, {"metadata", "deletionGracePeriodSeconds"}, 0) == 0 &&
                     !IsNamespaceWithFinalizers(info, *next);
      result = *next;
      std::string bytes = Encode(*next);
      // Compare with the stored bytes re-encoded, so a no-op keeps the resourceVersion.
      if (bytes == Encode(*current)) return kv->value;
      return bytes;
    };
    if (opts.dry_run) {
      auto kv = store_.Get(key);
      if (!kv.ok()) {
        if (kv.status().code() == Code::kNotFound) return NotFound(info.GroupResource(), name);
        return kv.status();
      }
      auto bytes = fn(&*kv);
      if (allocated) strategy.AfterUpdate(result, result_old, false);
      if (!bytes.ok()) return bytes.status();
      return result;
    }
    auto kv = store_.GuaranteedUpdate(key, fn);
    if (allocated) strategy.AfterUpdate(result, result_old, kv.ok());
    if (!kv.ok()) return kv.status();
    auto updated = Decode(kv->value, kv->mod_revision);
    if (!updated.ok()) return updated;
    if (delete_after) {
      // The last finalizer of a terminating object is gone: it can go now.
      auto deleted = store_.Delete(key, kv->mod_revision);
      if (deleted.ok()) {
        info.strategy->AfterDelete(*updated);
      } else if (deleted.status().code() != Code::kNotFound &&
                 deleted.status().code() != Code::kConflict) {
        return deleted.status();
      }
    }
    if (subresource == "scale") return registry::ScaleOf(info, *updated);
    return updated;
  }

  // `manager`: who the write is recorded for in metadata.managedFields (nullptr: not
  // recorded).
  StatusOr<Json> PrepareUpdate(const ResourceInfo& info, const std::string& ns,
                               const std::string& name, const std::string& subresource,
                               Json obj, const Json& old, const std::string* manager,
                               const WriteOptions& opts) const {
    if (!obj.is_object()) return BadRequest("the object must be a JSON object");
    obj["apiVersion"] = info.ApiVersion();
    obj["kind"] = info.kind;
    if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = Json::object();
    if (Name(obj) != name) {
      return BadRequest("the name of the object (" + Name(obj) +
                        ") does not match the name on the URL (" + name + ")");
    }
    if (info.namespaced) {
      obj["metadata"]["namespace"] = ns;
    } else {
      obj["metadata"].erase("namespace");
    }
    obj["metadata"].erase("resourceVersion");
    const Strategy& strategy = *info.strategy;
    if (subresource == "status") {
      KeepSystemMetadata(obj, old);
      strategy.PrepareForStatusUpdate(obj, old);
    } else if (subresource == "ephemeralcontainers") {
      KeepSystemMetadata(obj, old);
      strategy.PrepareForEphemeralContainersUpdate(obj, old);
    } else if (subresource == "binding") {
      // The binding's change (spec.nodeName, PodScheduled) is made by the registry itself
      // and skips update validation, which forbids changing spec.nodeName.
      KeepSystemMetadata(obj, old);
      return obj;
    } else if (subresource == "finalize") {
      // namespaces/finalize changes spec.finalizers only.
      Json next = old;
      next["metadata"].erase("resourceVersion");
      const Json* fin = Find(obj, {"spec", "finalizers"});
      next["spec"]["finalizers"] = fin && fin->is_array() ? *fin : Json::array();
      obj = std::move(next);
    } else {
      KeepSystemMetadata(obj, old);
      strategy.PrepareForUpdate(obj, old);
    }
    Default(info, obj);
    // Before validation, as the apiserver: invalid client-sent managedFields are replaced.
    if (manager) field_manager_.Update(info, subresource, &old, obj, *manager);
    // Admission as in update.go: mutating on the updated object inside the read-modify-write,
    // validating after the object validated.
    AdmissionRequest admission =
        Admission(AdmissionRequest::Operation::kUpdate, info, ns, name, subresource, &obj, &old,
                  opts.user, opts.dry_run, opts.warnings);
    MINIK_RETURN_IF_ERROR(AdmitMutate(admission));
    // ValidateObjectMetaUpdate includes the create-time metadata checks.
    std::vector<StatusCause> causes = ValidateObjectMetaUpdate(obj, old);
    for (auto& c : subresource == "status" ? strategy.ValidateStatusUpdate(obj, old)
                   : subresource == "ephemeralcontainers"
                       ? strategy.ValidateEphemeralContainersUpdate(obj, old)
                       : strategy.ValidateUpdate(obj, old))
      causes.push_back(std::move(c));
    if (!causes.empty()) return Invalid(info.GroupKind(), name, std::move(causes));
    MINIK_RETURN_IF_ERROR(AdmitValidate(admission));
    MINIK_RETURN_IF_ERROR(strategy.BeforeUpdate(obj, old));
    return obj;
  }

  StatusOr<Json> DeleteObject(const ResourceInfo& info, const std::string& ns,
                              const std::string& name, const DeleteOptions& opts) {
    const std::string key = StorageKey(info, ns, name);
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto kv = store_.Get(key);
      if (!kv.ok()) {
        if (kv.status().code() == Code::kNotFound) return NotFound(info.GroupResource(), name);
        return kv.status();
      }
      auto current = Decode(kv->value, kv->mod_revision);
      if (!current.ok()) return current;
      if (!opts.precondition_uid.empty() && opts.precondition_uid != Uid(*current)) {
        return Status(Code::kConflict,
                      "Operation cannot be fulfilled on " + info.GroupResource() + " \"" + name +
                          "\": Precondition failed: UID in precondition: " +
                          opts.precondition_uid + ", UID in object meta: " + Uid(*current));
      }
      if (!opts.precondition_resource_version.empty() &&
          opts.precondition_resource_version != ResourceVersion(*current)) {
        return Status(Code::kConflict,
                      "Operation cannot be fulfilled on " + info.GroupResource() + " \"" + name +
                          "\": Precondition failed: ResourceVersion in precondition: " +
                          opts.precondition_resource_version +
                          ", ResourceVersion in object meta: " + ResourceVersion(*current));
      }
      {
        // Delete admission sees the stored object as the old one (delete.go, then
        // deleteValidation in store.Delete).
        AdmissionRequest admission =
            Admission(AdmissionRequest::Operation::kDelete, info, ns, name, "", nullptr,
                      &*current, opts.user, opts.dry_run, nullptr);
        MINIK_RETURN_IF_ERROR(AdmitMutate(admission));
        MINIK_RETURN_IF_ERROR(AdmitValidate(admission));
      }
      const bool terminating = IsTerminating(*current);
      // Upstream BeforeDelete: a pending graceful deletion may only be shortened, and the
      // delete options cannot change the finalizers meanwhile.
      const int64_t pending_grace = GetInt(*current, {"metadata", "deletionGracePeriodSeconds"}, 0);
      if (terminating && pending_grace > 0 && !ShortensGrace(*current, opts)) return current;
      const bool needs_graceful =
          NeedsGracefulDeletion(info, *current, opts) && (!terminating || pending_grace > 0);
      // The garbage collector's finalizers ("orphan", "foregroundDeletion") as the
      // propagation policy asks (updateForGracefulDeletionAndFinalizers).
      std::optional<Json> gc_finalizers = registry::DeletionFinalizersForGarbageCollection(
          info, *current, opts.propagation_policy);
      Json next = *current;
      next["metadata"].erase("resourceVersion");
      if (gc_finalizers) {
        if (gc_finalizers->empty()) {
          next["metadata"].erase("finalizers");
        } else {
          next["metadata"]["finalizers"] = std::move(*gc_finalizers);
        }
      }
      bool keep = true;
      if (needs_graceful) {
        if (!terminating) next["metadata"]["deletionTimestamp"] = FormatRfc3339(clock_.Now());
        next["metadata"]["deletionGracePeriodSeconds"] = GracePeriod(*current, opts);
      } else if (HasFinalizers(next) || IsNamespaceWithFinalizers(info, next)) {
        // markAsDeleting: the finalizers' owners finish the deletion.
        if (!terminating) {
          int64_t generation = GetInt(next, {"metadata", "generation"}, 0);
          if (generation > 0) next["metadata"]["generation"] = generation + 1;
          next["metadata"]["deletionTimestamp"] = FormatRfc3339(clock_.Now());
        }
        next["metadata"]["deletionGracePeriodSeconds"] = 0;
      } else {
        keep = false;  // nothing holds it: delete now
      }
      if (keep) {
        if (info.plural == "namespaces") next["status"]["phase"] = "Terminating";
        Json unchanged = *current;
        unchanged["metadata"].erase("resourceVersion");
        if (next == unchanged) return current;
        if (opts.dry_run) return next;
        auto updated = store_.Update(key, Encode(next), kv->mod_revision);
        if (!updated.ok()) {
          if (updated.status().code() == Code::kConflict) continue;
          return updated.status();
        }
        return Decode(updated->value, updated->mod_revision);
      }
      if (opts.dry_run) return current;
      auto deleted = store_.Delete(key, kv->mod_revision);
      if (!deleted.ok()) {
        if (deleted.status().code() == Code::kConflict) continue;
        if (deleted.status().code() == Code::kNotFound) return NotFound(info.GroupResource(), name);
        return deleted.status();
      }
      info.strategy->AfterDelete(*current);
      return current;
    }
    return ConflictModified(info.GroupResource(), name);
  }

  static bool IsNamespaceWithFinalizers(const ResourceInfo& info, const Json& obj) {
    if (info.plural != "namespaces") return false;
    const Json* fin = Find(obj, {"spec", "finalizers"});
    return fin && fin->is_array() && !fin->empty();
  }

  // Pods bound to a node are deleted gracefully: the kubelet stops them and then removes
  // the object. Unbound pods (and grace period 0) go at once, as upstream.
  static bool NeedsGracefulDeletion(const ResourceInfo& info, const Json& obj,
                                    const DeleteOptions& opts) {
    if (info.plural != "pods" || !info.group.empty()) return false;
    if (GetString(obj, {"spec", "nodeName"}).empty()) return false;
    std::string phase = GetString(obj, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") return false;
    return GracePeriod(obj, opts) > 0;
  }

  static int64_t GracePeriod(const Json& obj, const DeleteOptions& opts) {
    if (opts.grace_period_seconds) return std::max<int64_t>(0, *opts.grace_period_seconds);
    return GetInt(obj, {"spec", "terminationGracePeriodSeconds"}, 30);
  }

  static bool ShortensGrace(const Json& obj, const DeleteOptions& opts) {
    if (!opts.grace_period_seconds) return false;
    return *opts.grace_period_seconds < GetInt(obj, {"metadata", "deletionGracePeriodSeconds"}, 0);
  }

  StatusOr<Json> CreateSubresource(const ResourceInfo& info, const std::string& ns,
                                   const std::string& name, const std::string& subresource,
                                   const Json& body, const WriteOptions& opts) {
    if (info.plural == "pods" && info.group.empty() && subresource == "binding") {
      std::string node = GetString(body, {"target", "name"});
      if (node.empty()) {
        return Invalid("Binding", name, {FieldRequired("target.name")});
      }
      auto r = UpdateWith(info, ns, name, opts, "binding", [&](const Json& pod) -> StatusOr<Json> {
        std::string current = GetString(pod, {"spec", "nodeName"});
        if (!current.empty()) {
          return Status(Code::kConflict, "Operation cannot be fulfilled on pods/binding \"" +
                                             name + "\": pod " + name +
                                             " is already assigned to node \"" + current + "\"");
        }
        if (IsTerminating(pod)) {
          return Status(Code::kConflict, "pod " + name + " is being deleted, cannot be assigned to a host");
        }
        // As setPodHostAndAnnotations: the node, the binding's annotations, and
        // PodScheduled=True.
        Json next = pod;
        next["spec"]["nodeName"] = node;
        if (const Json* ann = Find(body, {"metadata", "annotations"}); ann && ann->is_object()) {
          for (auto& [k, v] : ann->items()) next["metadata"]["annotations"][k] = v;
        }
        Json& status = next["status"];
        if (!status.is_object()) status = Json::object();
        Json& conds = status["conditions"];
        if (!conds.is_array()) conds = Json::array();
        Json scheduled = {{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr},
                          {"lastTransitionTime", FormatRfc3339(clock_.Now())}};
        bool found = false;
        for (Json& c : conds) {
          if (GetString(c, {"type"}) != "PodScheduled") continue;
          found = true;
          if (GetString(c, {"status"}) != "True") c = scheduled;
        }
        if (!found) conds.push_back(scheduled);
        return next;
      });
      if (!r.ok()) return r.status();
      return Json{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()},
                  {"status", "Success"}, {"code", 201}};
    }
    if (info.plural == "pods" && info.group.empty() && subresource == "eviction") {
      return registry::Evict(*this, clock_, resources_, ns, name, body, opts);
    }
    if (info.HasSubresource(subresource)) {
      return NotImplemented(info.plural + "/" + subresource + " is not supported by minik yet");
    }
    return NoSuchResource();
  }

  // Lists matching objects of `info` (namespace `ns`, or all) into `items`, honouring
  // limit/continue; returns the revision the list reflects.
  StatusOr<int64_t> ListInto(const ResourceInfo& info, const std::string& ns,
                             const registry::Filter& filter, const ListQuery& query, Json& items,
                             std::string& continue_token);

  void RestoreAllocations() {
    for (const auto& info : resources_.All()) {
      ListOptions options;
      options.prefix = registry::StoragePrefix(*info, "");
      auto list = store_.List(options);
      if (!list.ok()) continue;
      for (const KeyValue& kv : list->items) {
        auto obj = Decode(kv.value, kv.mod_revision);
        if (obj.ok()) info->strategy->Restore(*obj);
      }
    }
  }

  Store& store_;
  const ResourceRegistry& resources_;
  const SchemaRegistry& schemas_;
  Clock& clock_;
  const AdmissionChain* admission_;  // null: no admission plugins
  managedfields::FieldManager field_manager_;
};

StatusOr<int64_t> Registry::ListInto(const ResourceInfo& info, const std::string& ns,
                                     const registry::Filter& filter, const ListQuery& query,
                                     Json& items, std::string& continue_token) {
  // As the apiserver over etcd3 (storage/etcd3/store.go GetList): every page of a paged list
  // reads at the revision of the first one, carried by the continue token.
  const std::string prefix = registry::StoragePrefix(info, ns);
  auto read = registry::PlanListRead(query);
  if (!read.ok()) return read.status();
  int64_t revision = read->revision;  // 0 until the first store read fixes it
  std::string start_after = read->continuing ? prefix + read->start_after : "";
  auto fail = [&](const Status& error) {
    return registry::ListReadError(error, *read, read->not_older_than > 0);
  };
  auto check_fresh = [&](int64_t got) -> Status {
    if (read->not_older_than > got)
      return registry::TooLargeResourceVersion(read->not_older_than, got, 1);
    return Status::Ok();
  };
  // metadata.name=X narrows the list to one key.
  if (auto name = filter.fields.RequiredValue("metadata.name");
      name && !read->continuing && (ns.empty() ? !info.namespaced : true)) {
    const std::string key = prefix + *name;
    if (revision == 0) {
      auto kv = store_.Get(key);
      int64_t rev = store_.CurrentRevision();
      MINIK_RETURN_IF_ERROR(check_fresh(rev));
      if (kv.ok()) {
        auto obj = Decode(kv->value, kv->mod_revision);
        if (obj.ok() && filter.Matches(*obj)) items.push_back(std::move(*obj));
      } else if (kv.status().code() != Code::kNotFound) {
        return kv.status();
      }
      return rev;
    }
    ListOptions options;
    options.prefix = key;  // the key itself sorts first among the keys it prefixes
    options.limit = 1;
    options.revision = revision;
    auto one = store_.List(options);
    if (!one.ok()) return fail(one.status());
    if (!one->items.empty() && one->items[0].key == key) {
      auto obj = Decode(one->items[0].value, one->items[0].mod_revision);
      if (obj.ok() && filter.Matches(*obj)) items.push_back(std::move(*obj));
    }
    return one->revision;
  }
  const int64_t limit = query.limit > 0 ? query.limit : 0;
  for (;;) {
    ListOptions options;
    options.prefix = prefix;
    options.start_after = start_after;
    options.limit = limit > 0 ? std::max<int64_t>(limit - int64_t(items.size()), 64) : 0;
    options.revision = revision;  // later chunks read where the first one did
    auto page = store_.List(options);
    if (!page.ok()) return fail(page.status());
    if (revision == 0) {
      MINIK_RETURN_IF_ERROR(check_fresh(page->revision));
      revision = page->revision;
    }
    for (size_t i = 0; i < page->items.size(); ++i) {
      const KeyValue& kv = page->items[i];
      auto obj = Decode(kv.value, kv.mod_revision);
      if (!obj.ok()) return obj.status();
      if (!filter.Matches(*obj)) continue;
      items.push_back(std::move(*obj));
      if (limit > 0 && int64_t(items.size()) == limit) {
        if (i + 1 < page->items.size() || page->more)
          continue_token = registry::EncodeContinue(kv.key.substr(prefix.size()), revision);
        return revision;
      }
    }
    if (!page->more || page->items.empty()) break;
    start_after = page->items.back().key;
  }
  return revision;
}

}  // namespace

std::unique_ptr<Client> NewRegistry(Store& store, const ResourceRegistry& resources,
                                    const SchemaRegistry& schemas, Clock& clock,
                                    const AdmissionChain* admission) {
  return std::make_unique<Registry>(store, resources, schemas, clock, admission);
}

}  // namespace minik
