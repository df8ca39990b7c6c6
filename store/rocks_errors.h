// RocksStore's failures in words a user can act on: a full disk, a corrupt or locked store.
// Internal to store/ (RocksStore and its tests); nothing here touches the store's files
// except to look at them: a failed open never repairs, recreates or deletes anything.
//
// Messages are one line and name the store's path P:
//   write, disk full:   "the store's disk is full (P): write not done"            kInternal
//   write, other:       "the store at P failed a write (<rocks status>): write not done"
//                                                                                   kInternal
//   open, corrupt:      "the store at P is corrupt (<rocks status>); it was left untouched:
//                        move it away or delete it"                                kInternal
//   open, not a dir:    "the store at P is not a directory; it was left untouched: move it
//                        away or delete it"                                        kInternal
//   open, locked:       "the store at P is in use by another process (<rocks status>)"
//                                                                                   kConflict
//   open, no access:    "the store at P cannot be opened (<rocks status>); it was left
//                        untouched: check its permissions"                         kForbidden
//   open, disk full:    "the store at P cannot be opened: its disk is full (<rocks status>);
//                        it was left untouched"                          kServiceUnavailable
//   open, other:        "the store at P cannot be opened (<rocks status>); it was left
//                        untouched"                                                 kInternal
// Messages ending in "move it away or delete it" may get a caller's hint appended, e.g.
// " (minik delete --profile NAME)": the store does not know the profile.
#pragma once

#include <rocksdb/status.h>

#include <string>

#include "api/status.h"

namespace minik::store {

// A failed rocksdb::DB::Write (or the Resume() before it) of the store at `path`.
Status WriteError(const std::string& path, const rocksdb::Status& s);

// A failed open of the store at `path`, or a failed read of its metadata right after open.
Status OpenError(const std::string& path, const rocksdb::Status& s);

// "the store at P is corrupt (<what>); ..." for problems minik finds itself.
Status CorruptStore(const std::string& path, const std::string& what);

// Checks, before RocksDB opens `path` with create_if_missing, that it would not start a
// fresh database over an existing one: a directory holding RocksDB files (MANIFEST-*, *.sst,
// *.log) without a CURRENT file is a damaged store, not an empty one (RocksDB would create
// a new store there and then delete the old files as obsolete). A missing or empty
// directory is fine.
Status CheckNotHeadless(const std::string& path);

}  // namespace minik::store
