// Reads at a past revision (ListOptions::revision), shared by MemStore and RocksStore so that
// both give the same answer: the current keys (or a snapshot's), with the keys written since
// the wanted revision replaced by their state at it (WatchCache::StateAt).
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"
#include "store/watch_cache.h"

namespace minik::store {

// "too large resource version: R, current: C" (Code::kTimeout), for a revision not yet written.
Status FutureRevision(int64_t revision, int64_t current);

// Merges `cursor` (the keys as of a newer revision, under the list's prefix and after its
// start key, in key order) with `past` (the state at the wanted revision of the keys written
// since) into out->items, honouring `limit` (out->more as in ListResult).
// Cursor: bool Valid(); std::string_view Key(); StatusOr<KeyValue> Take(); void Next().
template <typename Cursor>
Status MergeAtRevision(Cursor& cursor, const WatchCache::PastState& past, int64_t limit,
                       ListResult* out) {
  auto p = past.begin();
  auto full = [&] { return limit > 0 && static_cast<int64_t>(out->items.size()) == limit; };
  while (cursor.Valid() || p != past.end()) {
    bool from_past = !cursor.Valid();
    if (!from_past && p != past.end()) {
      int c = cursor.Key().compare(p->first);
      if (c >= 0) {
        from_past = true;
        if (c == 0) cursor.Next();  // the key changed since: its past state wins
      }
    }
    if (from_past) {
      if (p->second) {
        if (full()) {
          out->more = true;
          return Status::Ok();
        }
        out->items.push_back(*p->second);
      }
      ++p;
      continue;
    }
    if (full()) {
      out->more = true;
      return Status::Ok();
    }
    auto kv = cursor.Take();
    if (!kv.ok()) return kv.status();
    out->items.push_back(std::move(*kv));
    cursor.Next();
  }
  return Status::Ok();
}

}  // namespace minik::store
