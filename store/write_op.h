// Write operations and their precondition rules, shared by every Store implementation so
// that MemStore and RocksStore cannot disagree on semantics.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "store/store.h"

namespace minik {

// A key's current state. The value is shared with watch events (no copy per watcher).
struct Record {
  std::shared_ptr<const std::string> value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
};

enum class WriteKind { kCreate, kUpdate, kDelete };

struct WriteOp {
  WriteKind kind = WriteKind::kCreate;
  std::string key;
  std::string value;                  // kCreate, kUpdate
  int64_t expected_mod_revision = 0;  // kUpdate: required; kDelete: 0 = unconditional
};

// Checks `op` against `current` (nullptr: the key is absent) and, when its preconditions
// hold, applies it at revision `revision`: `*next` becomes the key's new state (nullopt after
// a delete), `*event` the watch event, and the result is what the writer gets back.
// On a failed precondition returns kAlreadyExists / kNotFound / kConflict and touches nothing.
StatusOr<KeyValue> ApplyWrite(WriteOp op, const Record* current, int64_t revision,
                              std::optional<Record>* next, WatchEvent* event);

// Rejects malformed keys (empty) before they reach a store.
Status ValidateKey(const std::string& key);

// Store::GuaranteedUpdate in terms of Get/Create/Update, shared by the implementations:
// read, call fn, CAS-write with the read mod_revision, retry on conflict.
StatusOr<KeyValue> RunGuaranteedUpdate(Store& store, const std::string& key,
                                       const UpdateFunc& fn, bool ignore_not_found);

}  // namespace minik
