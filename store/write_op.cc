#include "store/write_op.h"

#include <utility>

#include "store/list_at.h"

namespace minik {

namespace {
std::string Quoted(const std::string& key) { return "key \"" + key + "\""; }

KeyValue ToKeyValue(const std::string& key, const Record& r) {
  return KeyValue{key, *r.value, r.create_revision, r.mod_revision};
}
}  // namespace

Status ValidateKey(const std::string& key) {
  if (key.empty()) return BadRequest("store key must not be empty");
  return Status::Ok();
}

StatusOr<KeyValue> ApplyWrite(WriteOp op, const Record* current, int64_t revision,
                              std::optional<Record>* next, WatchEvent* event) {
  switch (op.kind) {
    case WriteKind::kCreate: {
      if (current) return Status(Code::kAlreadyExists, Quoted(op.key) + " already exists");
      Record r{std::make_shared<const std::string>(std::move(op.value)), revision, revision};
      *event = WatchEvent{EventType::kAdded, revision, op.key, r.value, nullptr, revision};
      KeyValue kv = ToKeyValue(op.key, r);
      *next = std::move(r);
      return kv;
    }
    case WriteKind::kUpdate: {
      if (!current) return Status(Code::kNotFound, Quoted(op.key) + " not found");
      if (current->mod_revision != op.expected_mod_revision) {
        return Status(Code::kConflict, Quoted(op.key) + " was modified: mod revision " +
                                           std::to_string(current->mod_revision) +
                                           ", expected " +
                                           std::to_string(op.expected_mod_revision));
      }
      Record r{std::make_shared<const std::string>(std::move(op.value)),
               current->create_revision, revision};
      *event = WatchEvent{EventType::kModified, revision,          op.key,
                          r.value,             current->value,    r.create_revision,
                          current->mod_revision};
      KeyValue kv = ToKeyValue(op.key, r);
      *next = std::move(r);
      return kv;
    }
    case WriteKind::kDelete: {
      if (!current) return Status(Code::kNotFound, Quoted(op.key) + " not found");
      if (op.expected_mod_revision != 0 && current->mod_revision != op.expected_mod_revision) {
        return Status(Code::kConflict, Quoted(op.key) + " was modified: mod revision " +
                                           std::to_string(current->mod_revision) +
                                           ", expected " +
                                           std::to_string(op.expected_mod_revision));
      }
      *event = WatchEvent{EventType::kDeleted,  revision,       op.key,
                          current->value,      current->value, current->create_revision,
                          current->mod_revision};
      KeyValue kv{op.key, *current->value, current->create_revision, revision};
      next->reset();
      return kv;
    }
  }
  return Internal("unknown write kind");
}

StatusOr<KeyValue> RunGuaranteedUpdate(Store& store, const std::string& key,
                                       const UpdateFunc& fn, bool ignore_not_found) {
  MINIK_RETURN_IF_ERROR(ValidateKey(key));
  // Unbounded like the apiserver's loop: every failed round means another writer succeeded.
  for (;;) {
    auto current = store.Get(key);
    if (!current.ok()) {
      if (current.status().code() != Code::kNotFound || !ignore_not_found) return current;
      auto fresh = fn(nullptr);
      if (!fresh.ok()) return fresh.status();
      auto created = store.Create(key, std::move(*fresh));
      if (created.ok() || created.status().code() != Code::kAlreadyExists) return created;
      continue;  // created concurrently: transform the new value
    }
    auto updated = fn(&*current);
    if (!updated.ok()) return updated.status();
    if (*updated == current->value) return current;  // no-op keeps the revision
    auto written = store.Update(key, std::move(*updated), current->mod_revision);
    if (written.ok()) return written;
    Code code = written.status().code();
    if (code != Code::kConflict && code != Code::kNotFound) return written;
    // Conflict: re-read. NotFound: deleted meanwhile; the next Get decides.
  }
}

}  // namespace minik

namespace minik::store {

Status FutureRevision(int64_t revision, int64_t current) {
  return Status(Code::kTimeout, "too large resource version: " + std::to_string(revision) +
                                    ", current: " + std::to_string(current));
}

}  // namespace minik::store
