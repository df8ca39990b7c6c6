#include "controllers/history.h"

#include <algorithm>

#include "controllers/controller_ref.h"

namespace minik::history {

namespace {

constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
constexpr int kMaxCreateAttempts = 100;  // collisions are rare; never loop forever

std::string CreationTimestamp(const Json& o) {
  return GetString(o, {"metadata", "creationTimestamp"});
}

const Json& DataOf(const Json& revision) {
  static const Json kNull;
  const Json* d = Find(revision, {"data"});
  return d ? *d : kNull;
}

}  // namespace

uint32_t Fnv32(std::string_view data, uint32_t h) {
  for (unsigned char c : data) {
    h *= 16777619u;
    h ^= c;
  }
  return h;
}

std::string SafeEncodeString(std::string_view s) {
  std::string out(s.size(), ' ');
  for (size_t i = 0; i < s.size(); ++i) {
    out[i] = kAlphanums[static_cast<unsigned char>(s[i]) % kAlphanums.size()];
  }
  return out;
}

std::string HashRevision(const Json& data, std::optional<int32_t> collision_count) {
  uint32_t h = Fnv32("");
  if (!data.is_null()) h = Fnv32(data.dump(), h);
  if (collision_count) h = Fnv32(std::to_string(*collision_count), h);
  return SafeEncodeString(std::to_string(h));
}

std::string RevisionName(const std::string& prefix, const std::string& hash) {
  return (prefix.size() > 223 ? prefix.substr(0, 223) : prefix) + "-" + hash;
}

Json NewRevision(const Json& parent, const std::string& parent_api_version,
                 const std::string& parent_kind, const Json& template_labels, const Json& data,
                 int64_t revision, std::optional<int32_t> collision_count) {
  Json labels = template_labels.is_object() ? template_labels : Json::object();
  std::string hash = HashRevision(data, collision_count);
  labels[kHashLabel] = hash;
  Json meta = {{"name", RevisionName(Name(parent), hash)},
               {"labels", labels},
               {"ownerReferences",
                Json::array({NewControllerRef(parent, parent_api_version, parent_kind)})}};
  if (!Namespace(parent).empty()) meta["namespace"] = Namespace(parent);
  return Json{{"apiVersion", "apps/v1"},
              {"kind", "ControllerRevision"},
              {"metadata", std::move(meta)},
              {"data", data},
              {"revision", revision}};
}

StatusOr<std::vector<ObjectPtr>> ClaimRevisions(Client& client, const Informer& revisions,
                                                const Json& parent,
                                                const std::string& parent_api_version,
                                                const std::string& parent_kind,
                                                const ResourceRef& parent_ref,
                                                const LabelSelector& selector) {
  ClaimSpec spec{parent_api_version, parent_kind, parent_ref, kControllerRevisions};
  auto claimed = ClaimObjects(client, spec, parent, selector,
                              revisions.ByIndex(kNamespaceIndex, Namespace(parent)));
  if (!claimed.ok()) return claimed.status();
  SortRevisions(*claimed);
  return claimed;
}

void SortRevisions(std::vector<ObjectPtr>& revisions) {
  std::stable_sort(revisions.begin(), revisions.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    int64_t ra = GetInt(*a, {"revision"}), rb = GetInt(*b, {"revision"});
    if (ra != rb) return ra < rb;
    std::string ta = CreationTimestamp(*a), tb = CreationTimestamp(*b);
    if (ta != tb) return ta < tb;
    return Name(*a) < Name(*b);
  });
}

int64_t NextRevision(const std::vector<ObjectPtr>& sorted) {
  if (sorted.empty()) return 1;
  return GetInt(*sorted.back(), {"revision"}) + 1;
}

bool EqualRevision(const Json& a, const Json& b) { return DataOf(a) == DataOf(b); }

std::vector<ObjectPtr> FindEqualRevisions(const std::vector<ObjectPtr>& revisions,
                                          const Json& needle) {
  std::vector<ObjectPtr> out;
  for (const ObjectPtr& r : revisions) {
    if (EqualRevision(*r, needle)) out.push_back(r);
  }
  return out;
}

StatusOr<Json> CreateRevision(Client& client, const Json& parent, Json revision,
                              int32_t* collision_count) {
  if (!collision_count) return Status(Code::kInternal, "collisionCount should not be nil");
  const std::string ns = Namespace(parent);
  revision["metadata"]["namespace"] = ns;
  for (int attempt = 0; attempt < kMaxCreateAttempts; ++attempt) {
    std::string hash = HashRevision(DataOf(revision), *collision_count);
    std::string name = RevisionName(Name(parent), hash);
    revision["metadata"]["name"] = name;
    revision["metadata"]["labels"][kHashLabel] = hash;
    auto created = client.Create(kControllerRevisions, ns, revision);
    if (created.ok() || created.status().code() != Code::kAlreadyExists) return created;
    auto existing = client.Get(kControllerRevisions, ns, name);
    if (!existing.ok()) return existing.status();
    if (DataOf(*existing) == DataOf(revision)) return existing;
    ++*collision_count;
  }
  return Status(Code::kInternal, "could not create a ControllerRevision for " + ns + "/" +
                                     Name(parent) + ": too many hash collisions");
}

StatusOr<Json> UpdateRevisionNumber(Client& client, const Json& revision, int64_t new_revision) {
  Json clone = revision;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (GetInt(clone, {"revision"}) == new_revision) return clone;
    clone["revision"] = new_revision;
    auto updated = client.Update(kControllerRevisions, Namespace(clone), clone);
    if (updated.ok()) return updated;
    if (updated.status().code() != Code::kConflict) return updated.status();
    auto fresh = client.Get(kControllerRevisions, Namespace(clone), Name(clone));
    if (!fresh.ok()) return fresh.status();
    clone = std::move(*fresh);
  }
  return Status(Code::kConflict, "updating the revision of ControllerRevision " +
                                     Namespace(revision) + "/" + Name(revision) +
                                     ": too many conflicts");
}

Status TruncateHistory(Client& client, const std::vector<ObjectPtr>& sorted,
                       const std::set<std::string>& live, int64_t limit) {
  std::vector<ObjectPtr> old;
  for (const ObjectPtr& r : sorted) {
    if (!live.count(Name(*r))) old.push_back(r);
  }
  if (limit < 0 || static_cast<int64_t>(old.size()) <= limit) return Status::Ok();
  old.resize(old.size() - static_cast<size_t>(limit));
  for (const ObjectPtr& r : old) {
    auto st = client.Delete(kControllerRevisions, Namespace(*r), Name(*r));
    if (!st.ok() && st.status().code() != Code::kNotFound) return st.status();
  }
  return Status::Ok();
}

}  // namespace minik::history
