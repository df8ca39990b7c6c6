// The field manager (see managed_fields.h). The upstream chain, from the outside in:
//   versionCheck -> lastAppliedUpdater -> lastAppliedManager -> skipNonApplied -> capManagers
//   -> buildManagerInfo -> managedFieldsUpdater -> stripMeta -> structuredMerge (merge.Updater)
// is flattened here into Update() and Apply(), in that order.
#include "apiserver/managed_fields.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "api/fieldpath.h"

namespace minik::managedfields {
namespace {

using fieldpath::Path;
using fieldpath::Set;
using fieldpath::Typed;

constexpr const char* kApply = "Apply";
constexpr const char* kUpdate = "Update";
constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

struct Entry {
  std::string manager, operation, api_version, subresource, time;
  Set set;
  std::optional<Json> raw;  // the stored fieldsV1 (canonical), while `set` is unchanged
  bool lazy = false;        // `set` not decoded yet: `raw` holds it (see Decode)
  bool applied() const { return operation == kApply; }
};

// Keyed by the manager identifier: JSON of the entry without time and fields (and without
// apiVersion for appliers), as upstream's BuildManagerIdentifier.
using Managed = std::map<std::string, Entry>;

std::string Identifier(const std::string& manager, const std::string& operation,
                       const std::string& api_version, const std::string& subresource) {
  std::string s = "{";
  auto add = [&](const char* key, const std::string& v) {
    if (v.empty()) return;
    if (s.size() > 1) s += ',';
    s += '"';
    s += key;
    s += "\":";
    s += fieldpath::GoJson(v);
  };
  add("manager", manager);
  add("operation", operation);
  if (operation != kApply) add("apiVersion", api_version);
  add("subresource", subresource);
  return s + "}";
}

std::string IdentifierOf(const Entry& e) {
  return Identifier(e.manager, e.operation, e.api_version, e.subresource);
}

std::string StringField(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// Whether a stored (canonical) fieldsV1 tree shares a member with `n`, without decoding it.
bool RawIntersects(const Json& raw, const Set::Node& n) {
  if (!raw.is_object()) return false;
  for (const auto& [pe, child] : n.children) {
    auto it = raw.find(pe);
    if (it == raw.end() || !it->is_object()) continue;
    const bool member = it->empty() || it->contains(".");
    if (child.member && member) return true;
    if (!child.children.empty() && RawIntersects(*it, child)) return true;
  }
  return false;
}

// DecodeManagedFields. Absent or null: no entries. `stored`: the list is what this server
// wrote (canonical fieldsV1, kept as is for re-encoding); then entries that share nothing
// with `lazy_unless` are left undecoded (Entry::lazy), which keeps most writes from decoding
// the managers they do not touch.
StatusOr<Managed> Decode(const Json* list, bool stored = false,
                         const Set* lazy_unless = nullptr) {
  Managed out;
  if (!list || list->is_null()) return out;
  if (!list->is_array()) return BadRequest("metadata.managedFields must be a list");
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& e = (*list)[i];
    if (!e.is_object()) return BadRequest("managed fields entry " + std::to_string(i) +
                                          " must be an object");
    Entry entry;
    entry.manager = StringField(e, "manager");
    entry.operation = StringField(e, "operation");
    entry.api_version = StringField(e, "apiVersion");
    entry.subresource = StringField(e, "subresource");
    entry.time = StringField(e, "time");
    if (entry.operation != kApply && entry.operation != kUpdate) {
      return BadRequest("operation must be `Apply` or `Update`");
    }
    if (entry.api_version.empty()) return BadRequest("apiVersion must not be empty");
    std::string type = StringField(e, "fieldsType");
    if (type.empty()) {
      return BadRequest("missing fieldsType in managed fields entry " + std::to_string(i));
    }
    if (type != "FieldsV1") {
      return BadRequest("invalid fieldsType \"" + type + "\" in managed fields entry " +
                        std::to_string(i));
    }
    auto fields = e.find("fieldsV1");
    if (fields != e.end() && !fields->is_null()) {
      if (stored) entry.raw = *fields;
      if (stored && lazy_unless && !RawIntersects(*fields, lazy_unless->root()) &&
          fields->is_object() && !fields->empty()) {
        entry.lazy = true;
      } else {
        auto set = Set::FromFieldsV1(*fields);
        if (!set.ok()) return set.status();
        entry.set = std::move(*set);
      }
    }
    std::string id = IdentifierOf(entry);
    out[id] = std::move(entry);
  }
  return out;
}

int64_t TimeSeconds(const std::string& t) {
  SystemTime parsed;
  if (t.empty() || !ParseRfc3339(t, &parsed)) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(parsed.time_since_epoch()).count();
}

Json EncodeEntry(Entry& e) {
  Json out = Json::object();
  if (!e.manager.empty()) out["manager"] = e.manager;
  out["operation"] = e.operation;
  out["apiVersion"] = e.api_version;
  if (!e.time.empty()) out["time"] = e.time;
  out["fieldsType"] = "FieldsV1";
  out["fieldsV1"] = e.raw ? *e.raw : e.set.ToFieldsV1();
  if (!e.subresource.empty()) out["subresource"] = e.subresource;
  return out;
}

// encodeManagedFields: sorted by operation, time, manager, apiVersion, subresource.
Json Encode(Managed& managed) {
  std::vector<Entry*> entries;
  for (auto& [id, e] : managed) entries.push_back(&e);
  std::stable_sort(entries.begin(), entries.end(), [](const Entry* p, const Entry* q) {
    if (p->operation != q->operation) return p->operation < q->operation;
    int64_t ps = TimeSeconds(p->time), qs = TimeSeconds(q->time);
    if (ps != qs) return ps < qs;
    if (p->manager != q->manager) return p->manager < q->manager;
    if (p->api_version != q->api_version) return p->api_version < q->api_version;
    return p->subresource < q->subresource;
  });
  Json out = Json::array();
  for (Entry* e : entries) out.push_back(EncodeEntry(*e));
  return out;
}

void SetManagedFields(Json& obj, Managed& managed) {
  if (!obj.is_object()) return;
  Json& meta = obj["metadata"];
  if (!meta.is_object()) meta = Json::object();
  if (managed.empty()) {
    meta.erase("managedFields");
  } else {
    meta["managedFields"] = Encode(managed);
  }
}

void EnsureDecoded(Entry& e) {
  if (!e.lazy) return;
  e.lazy = false;
  auto set = Set::FromFieldsV1(e.raw ? *e.raw : Json());
  if (set.ok()) e.set = std::move(*set);
}

void Assign(Entry& e, Set set) {
  EnsureDecoded(e);
  if (set == e.set) return;
  e.set = std::move(set);
  e.raw.reset();
}

// isResetManagedFields: `[]`, or one empty entry.
bool IsReset(const Json& list) {
  if (!list.is_array()) return false;
  if (list.empty()) return true;
  return list.size() == 1 && list[0].is_object() && list[0].empty();
}

const Set& StripSet() {
  // stripMeta: removed (non-recursively) from the writing manager's set.
  static const Set kSet = [] {
    Set s;
    s.Insert({"f:apiVersion"});
    s.Insert({"f:kind"});
    s.Insert({"f:metadata"});
    for (const char* f : {"name", "namespace", "creationTimestamp", "selfLink", "uid",
                          "clusterName", "generation", "managedFields", "resourceVersion"}) {
      s.Insert({"f:metadata", fieldpath::FieldElement(f)});
    }
    return s;
  }();
  return kSet;
}

// What is never compared: the stripped leaves (never owned by anyone) plus the kind's reset
// fields. `a` and `b` name the top-level fields for /status, which tracks only `status`.
const Set& SkipSet(const ResourceInfo& info, const std::string& subresource, const Json& a,
                   const Json* b, Set& storage) {
  auto base = [] {
    Set s;
    s.Insert({"f:apiVersion"});
    s.Insert({"f:kind"});
    for (const char* f : {"name", "namespace", "creationTimestamp", "selfLink", "uid",
                          "clusterName", "generation", "managedFields", "resourceVersion"}) {
      s.Insert({"f:metadata", fieldpath::FieldElement(f)});
    }
    return s;
  };
  static const Set kBase = base();
  static const Set kBaseAndStatus = [&] {
    Set s = base();
    s.Insert({"f:status"});
    return s;
  }();
  if (subresource == "status") {
    storage = kBase;
    for (const Json* o : {&a, b}) {
      if (!o || !o->is_object()) continue;
      for (auto it = o->begin(); it != o->end(); ++it) {
        if (it.key() != "status") storage.Insert({fieldpath::FieldElement(it.key())});
      }
    }
    return storage;
  }
  if (subresource.empty() && info.HasSubresource("status")) return kBaseAndStatus;
  return kBase;
}

// The reset fields alone (upstream IgnoredFields), for applied field sets.
Set ResetSet(const ResourceInfo& info, const std::string& subresource, const Json& config) {
  Set s;
  if (subresource == "status") {
    for (auto it = config.begin(); it != config.end(); ++it) {
      if (it.key() != "status") s.Insert({fieldpath::FieldElement(it.key())});
    }
  } else if (subresource.empty() && info.HasSubresource("status")) {
    s.Insert({"f:status"});
  }
  return s;
}

// What an empty object of the kind looks like to the comparison (upstream compares against
// the Go zero value): the non-pointer structs are present, so they are not "added".
Json Skeleton(const SchemaRegistry& schemas, const TypeSchema* t, int depth = 0) {
  Json out = Json::object();
  if (!t || depth > 6) return out;
  for (const char* name : {"metadata", "spec", "status", "template", "jobTemplate", "strategy",
                           "updateStrategy"}) {
    const FieldSchema* f = t->Field(name);
    if (!f || f->container != Container::kNone || f->type != ValueType::kObject) continue;
    const TypeSchema* sub = schemas.Find(f->ref);
    if (!sub || sub->Wrapped()) continue;
    out[name] = Skeleton(schemas, sub, depth + 1);
  }
  return out;
}

Json WithoutManagedFields(const Json& obj) {
  Json out = obj;
  if (out.is_object()) {
    auto meta = out.find("metadata");
    if (meta != out.end() && meta->is_object()) meta->erase("managedFields");
  }
  return out;
}

// Cuts `managed` to kMaxUpdateManagers Update entries by merging the oldest ones into
// per-version "ancient-changes" buckets (capManagersManager).
void CapUpdaters(Managed& managed) {
  std::vector<std::string> updaters;
  for (const auto& [id, e] : managed) {
    if (!e.applied()) updaters.push_back(id);
  }
  if (updaters.size() <= size_t(kMaxUpdateManagers)) return;
  std::sort(updaters.begin(), updaters.end(), [&](const std::string& a, const std::string& b) {
    int64_t x = TimeSeconds(managed[a].time), y = TimeSeconds(managed[b].time);
    if (x != y) return x < y;
    return a < b;
  });
  std::map<std::string, std::string> version_to_first;
  size_t length = updaters.size();
  for (size_t i = 0; i < updaters.size() && length > size_t(kMaxUpdateManagers); ++i) {
    const std::string& id = updaters[i];
    auto it = managed.find(id);
    if (it == managed.end()) continue;
    EnsureDecoded(it->second);
    Entry e = it->second;
    const std::string version = e.api_version;
    const std::string bucket = Identifier("ancient-changes", kUpdate, version, "");
    auto first = version_to_first.find(version);
    if (first == version_to_first.end()) {
      version_to_first[version] = id;
      continue;
    }
    if (!managed.count(bucket)) {
      Entry moved = managed[first->second];
      managed.erase(first->second);
      moved.manager = "ancient-changes";
      moved.operation = kUpdate;
      moved.subresource.clear();
      managed[bucket] = std::move(moved);
    }
    Entry& b = managed[bucket];
    EnsureDecoded(b);
    b.manager = "ancient-changes";
    b.operation = kUpdate;
    b.api_version = version;
    b.subresource.clear();
    Assign(b, e.set.Union(b.set));
    managed.erase(id);
    --length;
    b.time = e.time;
  }
}

std::string GvkString(const std::string& group, const std::string& version,
                      const std::string& kind) {
  return group + "/" + version + ", Kind=" + kind;
}

// The group/version/kind an applied object names (empty when apiVersion does not parse).
void ConfigGvk(const Json& config, std::string* group, std::string* version, std::string* kind) {
  std::string api_version = GetString(config, {"apiVersion"});
  *kind = GetString(config, {"kind"});
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) {
    group->clear();
    *version = api_version;
  } else if (api_version.find('/', slash + 1) != std::string::npos) {
    group->clear();
    version->clear();
    kind->clear();
  } else {
    *group = api_version.substr(0, slash);
    *version = api_version.substr(slash + 1);
  }
}

// printManager: `"kubectl"`, `"x" with subresource "status"`, `"y" using apps/v1`.
std::string PrintManager(const Entry& e) {
  std::string s = fieldpath::GoJson(e.manager);
  if (!e.subresource.empty()) s += " with subresource " + fieldpath::GoJson(e.subresource);
  if (!e.applied()) s += " using " + e.api_version;
  return s;
}

struct Conflict {
  std::string manager_id;
  Entry manager;
  Path path;
};

Status ConflictError(const std::vector<Conflict>& conflicts) {
  StatusDetails details;
  for (const Conflict& c : conflicts) {
    details.causes.push_back({"FieldManagerConflict", "conflict with " + PrintManager(c.manager),
                              fieldpath::PathString(c.path)});
  }
  std::string message;
  if (conflicts.size() == 1) {
    message = "Apply failed with 1 conflict: conflict with " + PrintManager(conflicts[0].manager) +
              ": " + fieldpath::PathString(conflicts[0].path);
  } else {
    std::map<std::string, std::vector<const Conflict*>> by_manager;
    for (const Conflict& c : conflicts) by_manager[c.manager_id].push_back(&c);
    std::string body;
    for (const auto& [id, list] : by_manager) {
      if (!body.empty()) body += "\n";
      body += "conflicts with " + PrintManager(list[0]->manager) + ":";
      for (const Conflict* c : list) body += "\n- " + fieldpath::PathString(c->path);
    }
    message = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: " + body;
  }
  return Status(Code::kConflict, message, std::move(details));
}

// One structured-merge Update (merge.Updater.Update wrapped by managedFieldsUpdater and
// stripMeta) from the comparison of the old and new object: `writer` takes what was added or
// modified, every manager loses that and what was removed.
void TrackUpdate(const fieldpath::Comparison& cmp, Managed& managed, const Entry& writer,
                 const std::string& now) {
  if (cmp.IsSame()) return;
  Set changed = cmp.added.Union(cmp.modified);
  for (auto it = managed.begin(); it != managed.end();) {
    Entry& e = it->second;
    if (e.lazy) {  // shares nothing with the change (Decode checked)
      ++it;
      continue;
    }
    if (e.set.Intersects(changed) || e.set.Intersects(cmp.removed)) {
      Assign(e, e.set.Difference(changed).Difference(cmp.removed));
    }
    if (e.set.Empty()) {
      it = managed.erase(it);
    } else {
      ++it;
    }
  }
  Set mine = changed.Difference(StripSet());
  if (mine.Empty()) return;
  const std::string id = IdentifierOf(writer);
  auto it = managed.find(id);
  if (it == managed.end()) {
    Entry e = writer;
    e.set = std::move(mine);
    e.time = now;
    managed[id] = std::move(e);
  } else {
    EnsureDecoded(it->second);
    Assign(it->second, mine.Union(it->second.set));
    it->second.time = now;
  }
}

struct ApplyResult {
  Status status;
  std::vector<Conflict> conflicts;
  Json object;
  Managed managed;
};

}  // namespace

std::string PrefixFromUserAgent(const std::string& user_agent) {
  std::string m = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (size_t i = 0; i < m.size();) {
    unsigned char c = static_cast<unsigned char>(m[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > m.size()) break;
    bool printable = len > 1 || (c >= 0x20 && c != 0x7f);
    if (printable) {
      if (out.size() + len > 128) break;
      out.append(m, i, len);
    }
    i += len;
  }
  return out;
}

std::string ManagerForWrite(const WriteOptions& opts, const ResourceInfo& info,
                            const std::string& subresource) {
  if (!opts.field_manager.empty()) return opts.field_manager;
  if (!opts.user_agent.empty()) return PrefixFromUserAgent(opts.user_agent);
  // In-process components have no User-Agent: name them as upstream's components are named.
  if (info.group.empty() && (info.plural == "nodes" ||
                             (info.plural == "pods" && subresource == "status"))) {
    return "kubelet";
  }
  return "kube-controller-manager";
}

void FieldManager::Update(const ResourceInfo& info, const std::string& subresource,
                          const Json* live, Json& obj, const std::string& manager) const {
  if (!obj.is_object()) return;
  const Json* live_mf = live ? Find(*live, {"metadata", "managedFields"}) : nullptr;
  std::optional<Json> request_mf;
  if (auto meta = obj.find("metadata"); meta != obj.end() && meta->is_object()) {
    if (auto mf = meta->find("managedFields"); mf != meta->end()) {
      request_mf = std::move(*mf);
      meta->erase(mf);
    }
  }
  const Typed typed{schemas_, schemas_.Find(info.schema)};
  Json skeleton;
  if (!live) skeleton = Skeleton(schemas_, typed.root);
  const Json* lhs = live ? live : &skeleton;
  Set skip_storage;
  const Set& skip = SkipSet(info, subresource, *lhs, &obj, skip_storage);

  auto restore_live = [&] {
    if (live_mf && live_mf->is_array() && !live_mf->empty()) {
      obj["metadata"]["managedFields"] = *live_mf;
    }
  };
  // The live managedFields serve when the request's are absent, invalid or empty, and always
  // for subresources.
  const bool use_request = subresource.empty() && request_mf && !request_mf->is_null();
  const bool live_tracked = live_mf && live_mf->is_array() && !live_mf->empty();
  if (live && !live_tracked && !use_request) return;  // skip-non-applied: stays untracked
  auto cmp = fieldpath::Compare(typed, lhs, obj, &skip);
  if (!cmp.ok()) {
    restore_live();  // UpdateNoErrors
    return;
  }
  // Fast path: nothing tracked changed and the managers were not rewritten.
  if (live && cmp->IsSame() && (!use_request || *request_mf == *live_mf)) {
    restore_live();
    return;
  }

  Managed managed;
  if (use_request && IsReset(*request_mf)) {
    // An explicit reset: no managers.
  } else {
    StatusOr<Managed> decoded = Status(Code::kBadRequest, "no managedFields in the request");
    if (use_request && !(live_mf && *request_mf == *live_mf)) decoded = Decode(&*request_mf);
    if (decoded.ok() && !decoded->empty()) {
      managed = std::move(*decoded);
    } else {
      const Set touched = cmp->added.Union(cmp->modified).Union(cmp->removed);
      auto from_live = Decode(live_mf, /*stored=*/true, &touched);
      if (from_live.ok()) managed = std::move(*from_live);
    }
  }
  if (live && managed.empty()) return;  // skip-non-applied: untracked objects stay untracked

  Entry writer;
  writer.manager = manager.empty() ? "unknown" : manager;
  writer.operation = kUpdate;
  writer.api_version = info.ApiVersion();
  writer.subresource = subresource;
  TrackUpdate(*cmp, managed, writer, FormatRfc3339(clock_.Now()));
  CapUpdaters(managed);
  SetManagedFields(obj, managed);
}

StatusOr<Json> FieldManager::Apply(const ResourceInfo& info, const std::string& subresource,
                                   const Json* live, const Json& config,
                                   const std::string& manager, bool force) const {
  if (!config.is_object()) return BadRequest("the applied object must be a JSON object");
  // versionCheckManager.
  std::string group, version, kind;
  ConfigGvk(config, &group, &version, &kind);
  if (group != info.group || version != info.version || kind != info.kind) {
    return BadRequest("invalid object type: " + GvkString(group, version, kind));
  }
  if (const Json* mf = Find(config, {"metadata", "managedFields"}); mf && mf->is_array()) {
    return BadRequest("metadata.managedFields must be nil");
  }
  const Typed typed{schemas_, schemas_.Find(info.schema)};
  if (Status st = fieldpath::ValidateApplied(typed, config); !st.ok()) {
    std::string ns = GetString(config, {"metadata", "namespace"});
    std::string name = GetString(config, {"metadata", "name"});
    return Status(Code::kInternal, "failed to create typed patch object (" +
                                       (ns.empty() ? "" : ns) + "/" + name + "; " +
                                       GvkString(group, version, kind) + "): " + st.message());
  }
  const std::string now = FormatRfc3339(clock_.Now());
  auto decoded =
      Decode(live ? Find(*live, {"metadata", "managedFields"}) : nullptr, /*stored=*/true);
  if (!decoded.ok()) {
    return Status(Code::kInternal, "failed to decode managed fields: " + decoded.status().message());
  }
  Managed managed = std::move(*decoded);
  const Json live_obj = live ? WithoutManagedFields(*live) : Json::object();
  const Json skeleton = Skeleton(schemas_, typed.root);
  Set skip_storage;
  const Set& skip = SkipSet(info, subresource, live_obj, &config, skip_storage);
  const Set reset = ResetSet(info, subresource, config);

  // skipNonApplied: an object nobody manages yet is first owned by "before-first-apply".
  if (managed.empty() && live) {
    Entry before;
    before.manager = "before-first-apply";
    before.operation = kUpdate;
    before.api_version = info.ApiVersion();
    before.subresource = subresource;
    auto cmp = fieldpath::Compare(typed, &skeleton, live_obj, &skip);
    if (cmp.ok()) TrackUpdate(*cmp, managed, before, now);
  }

  Entry applier;
  applier.manager = manager;
  applier.operation = kApply;
  applier.api_version = info.ApiVersion();
  applier.subresource = subresource;
  const std::string id = IdentifierOf(applier);

  auto apply_once = [&](bool force_now) -> ApplyResult {
    ApplyResult r;
    r.managed = managed;
    std::optional<Set> last;
    if (auto it = r.managed.find(id); it != r.managed.end()) last = it->second.set;
    auto merged = fieldpath::Merge(typed, live_obj, config);
    if (!merged.ok()) {
      r.status = Status(Code::kInternal, "failed to merge config: " + merged.status().message());
      return r;
    }
    Set applied = fieldpath::ToFieldSet(typed, config).RecursiveDifference(reset);
    {
      Entry e = applier;
      e.set = applied;
      if (auto it = r.managed.find(id); it != r.managed.end()) e.time = it->second.time;
      r.managed[id] = std::move(e);
    }
    // prune: what this applier applied last time and no longer applies goes, unless someone
    // else owns it.
    Json object = std::move(*merged);
    if (last && !last->Empty()) {
      Set last_named = fieldpath::EnsureNamedFieldsAreMembers(typed, *last);
      Json pruned = fieldpath::RemoveItems(typed, object, last_named);
      Set owned;
      for (const auto& [mid, e] : r.managed) owned = owned.Union(e.set);
      owned = fieldpath::EnsureNamedFieldsAreMembers(typed, owned);
      Set merged_set =
          fieldpath::EnsureNamedFieldsAreMembers(typed, fieldpath::ToFieldSet(typed, object));
      Set pruned_set =
          fieldpath::EnsureNamedFieldsAreMembers(typed, fieldpath::ToFieldSet(typed, pruned));
      pruned = fieldpath::RemoveItems(typed, object,
                                      merged_set.Difference(pruned_set.Union(owned)));
      pruned_set =
          fieldpath::EnsureNamedFieldsAreMembers(typed, fieldpath::ToFieldSet(typed, pruned));
      object = fieldpath::RemoveItems(typed, object,
                                      merged_set.Difference(pruned_set).Intersection(last_named));
    }
    // update: conflicts with the other managers over what changes.
    auto cmp = fieldpath::Compare(typed, live ? &live_obj : &skeleton, object, &skip);
    if (!cmp.ok()) {
      r.status = Status(Code::kInternal, "failed to compare objects: " + cmp.status().message());
      return r;
    }
    Set changed = cmp->added.Union(cmp->modified);
    std::map<std::string, Set> conflicts;
    for (const auto& [mid, e] : r.managed) {
      if (mid == id) continue;
      if (!e.set.Intersects(changed)) continue;
      conflicts[mid] = e.set.Intersection(changed);
    }
    if (!force_now && !conflicts.empty()) {
      for (const auto& [conflict_id, set] : conflicts) {
        // A copy: clang before 16 cannot capture a structured binding (fuzz build).
        const auto mid = conflict_id;
        set.Iterate([&](const Path& p) { r.conflicts.push_back({mid, r.managed[mid], p}); });
      }
      r.status = ConflictError(r.conflicts);
      return r;
    }
    for (auto it = r.managed.begin(); it != r.managed.end();) {
      if (it->first != id) {
        Entry& e = it->second;
        if (auto c = conflicts.find(it->first); c != conflicts.end()) {
          Assign(e, e.set.Difference(c->second));
        }
        if (e.set.Intersects(cmp->removed)) Assign(e, e.set.Difference(cmp->removed));
      }
      if (it->second.set.Empty()) {
        it = r.managed.erase(it);
      } else {
        ++it;
      }
    }
    const bool noop = live && object == live_obj;
    // stripMeta, then managedFieldsUpdater's time.
    if (auto it = r.managed.find(id); it != r.managed.end()) {
      Assign(it->second, it->second.set.Difference(StripSet()));
      if (it->second.set.Empty()) {
        r.managed.erase(it);
      } else if (!noop) {
        it->second.time = now;
      }
    }
    r.object = noop ? live_obj : std::move(object);
    return r;
  };

  ApplyResult r = apply_once(force);
  if (!r.status.ok() && !r.conflicts.empty() && manager == "kubectl" && live) {
    // lastAppliedManager: conflicts over fields the client-side apply annotation says this
    // user set are taken over (an upgrade from client-side to server-side apply).
    std::optional<Set> allowed;
    const Json* ann = Find(live_obj, {"metadata", "annotations", kLastApplied});
    if (ann && ann->is_string() && !ann->get<std::string>().empty()) {
      auto last_applied = ParseJson(ann->get<std::string>());
      if (last_applied.ok() && last_applied->is_object() &&
          GetString(*last_applied, {"apiVersion"}) == info.ApiVersion()) {
        auto cmp = fieldpath::Compare(typed, &*last_applied, live_obj);
        if (cmp.ok()) {
          allowed = fieldpath::ToFieldSet(typed, *last_applied)
                        .Difference(cmp->modified)
                        .Difference(cmp->added)
                        .Difference(cmp->removed);
        }
      }
    }
    if (allowed) {
      std::vector<Conflict> remaining;
      for (const Conflict& c : r.conflicts) {
        if (!allowed->Has(c.path)) remaining.push_back(c);
      }
      if (remaining.empty()) {
        r = apply_once(true);
      } else {
        r.status = ConflictError(remaining);
      }
    }
  }
  if (!r.status.ok()) return r.status;

  // lastAppliedUpdater: kubectl's server-side apply keeps an existing client-side apply
  // annotation in step with what it applied.
  if (manager == "kubectl") {
    const Json* ann = Find(r.object, {"metadata", "annotations", kLastApplied});
    if (ann && ann->is_string() && !ann->get<std::string>().empty()) {
      Json applied = config;
      if (Json* meta = &applied["metadata"]; meta->is_object()) {
        if (auto a = meta->find("annotations"); a != meta->end() && a->is_object()) {
          a->erase(kLastApplied);
          if (a->empty()) meta->erase(a);
        }
      }
      r.object["metadata"]["annotations"][kLastApplied] = fieldpath::GoJson(applied) + "\n";
    }
  }
  SetManagedFields(r.object, r.managed);
  return std::move(r.object);
}

}  // namespace minik::managedfields
