#include "controllers/controller_ref.h"

namespace minik {

namespace {

// JSON patch that sets metadata.ownerReferences to `refs`, guarded by the object's uid so
// that a recreated object of the same name is never touched.
std::string OwnerRefsPatch(const Json& obj, const Json& refs) {
  Json ops = Json::array();
  ops.push_back({{"op", "test"}, {"path", "/metadata/uid"}, {"value", Uid(obj)}});
  ops.push_back({{"op", "add"}, {"path", "/metadata/ownerReferences"}, {"value", refs}});
  return ops.dump();
}

bool Skippable(const Status& st) {
  // Gone, or changed under us (a failed uid test is Invalid/Conflict): the next reconcile
  // sees the new state.
  return st.code() == Code::kNotFound || st.code() == Code::kConflict ||
         st.code() == Code::kInvalid;
}

}  // namespace

const Json* ControllerRefOf(const Json& obj) {
  const Json* refs = Find(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return nullptr;
  for (const Json& r : *refs) {
    const Json* c = Find(r, {"controller"});
    if (c && c->is_boolean() && c->get<bool>()) return &r;
  }
  return nullptr;
}

bool IsControlledBy(const Json& obj, const Json& owner) {
  const Json* ref = ControllerRefOf(obj);
  return ref && GetString(*ref, {"uid"}) == Uid(owner);
}

Json NewControllerRef(const Json& owner, const std::string& api_version, const std::string& kind) {
  return Json{{"apiVersion", api_version}, {"kind", kind},        {"name", Name(owner)},
              {"uid", Uid(owner)},         {"controller", true}, {"blockOwnerDeletion", true}};
}

bool IsBeingDeleted(const Json& obj) {
  const Json* ts = Find(obj, {"metadata", "deletionTimestamp"});
  return ts && !ts->is_null();
}

StatusOr<std::vector<ObjectPtr>> ClaimObjects(Client& client, const ClaimSpec& spec,
                                              const Json& owner, const LabelSelector& selector,
                                              const std::vector<ObjectPtr>& candidates) {
  std::vector<ObjectPtr> claimed;
  const std::string owner_uid = Uid(owner);
  const bool owner_deleting = IsBeingDeleted(owner);
  int recheck = 0;  // 0: not yet, 1: the owner may adopt, -1: it may not
  for (const ObjectPtr& obj : candidates) {
    const Json& o = *obj;
    const bool matches = selector.Matches(Labels(o));
    if (const Json* ref = ControllerRefOf(o)) {
      if (GetString(*ref, {"uid"}) != owner_uid) continue;  // someone else's
      if (matches) {
        claimed.push_back(obj);
        continue;
      }
      if (owner_deleting) continue;  // upstream leaves a deleting owner's objects alone
      Json keep = Json::array();
      for (const Json& r : o["metadata"]["ownerReferences"]) {
        if (GetString(r, {"uid"}) != owner_uid) keep.push_back(r);
      }
      auto r = client.Patch(spec.dependents, Namespace(o), Name(o), PatchType::kJson,
                            OwnerRefsPatch(o, keep));
      if (!r.ok() && !Skippable(r.status())) return r.status();
      continue;
    }
    if (!matches || owner_deleting || IsBeingDeleted(o)) continue;
    if (recheck == 0) {
      auto fresh = client.Get(spec.owner_ref, Namespace(owner), Name(owner));
      if (!fresh.ok() && fresh.status().code() != Code::kNotFound) return fresh.status();
      recheck = fresh.ok() && Uid(*fresh) == owner_uid && !IsBeingDeleted(*fresh) ? 1 : -1;
    }
    if (recheck < 0) continue;
    Json refs = Json::array();
    if (const Json* existing = Find(o, {"metadata", "ownerReferences"}); existing && existing->is_array()) {
      refs = *existing;
    }
    refs.push_back(NewControllerRef(owner, spec.owner_api_version, spec.owner_kind));
    auto r = client.Patch(spec.dependents, Namespace(o), Name(o), PatchType::kJson,
                          OwnerRefsPatch(o, refs));
    if (!r.ok()) {
      if (Skippable(r.status())) continue;
      return r.status();
    }
    claimed.push_back(std::make_shared<const Json>(std::move(*r)));
  }
  return claimed;
}

}  // namespace minik
