#include "store/rocks_errors.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace minik::store {

namespace {

constexpr char kLeftUntouched[] = "; it was left untouched";
constexpr char kMoveAway[] = ": move it away or delete it";

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// RocksDB keeps errno only as strerror() text inside its IOError messages.
bool IsAccessError(const std::string& text) {
  return Contains(text, "Permission denied") || Contains(text, "Operation not permitted") ||
         Contains(text, "Read-only file system");
}

bool IsLockError(const rocksdb::Status& s, const std::string& text) {
  // "While lock file: P/LOCK: Resource temporarily unavailable" (another process) or
  // "lock hold by current process ..." (this one); not "while open a file for lock", which
  // is a failed open() of the LOCK file (permissions), not a held lock.
  return s.IsIOError() &&
         (Contains(text, "While lock file") || Contains(text, "lock hold by current process"));
}

bool IsRegularNonDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Status WriteError(const std::string& path, const rocksdb::Status& s) {
  if (s.IsNoSpace()) return Internal("the store's disk is full (" + path + "): write not done");
  return Internal("the store at " + path + " failed a write (" + s.ToString() +
                  "): write not done");
}

Status CorruptStore(const std::string& path, const std::string& what) {
  return Internal("the store at " + path + " is corrupt (" + what + ")" + kLeftUntouched +
                  kMoveAway);
}

Status OpenError(const std::string& path, const rocksdb::Status& s) {
  const std::string text = s.ToString();
  if (IsRegularNonDirectory(path)) {
    return Internal("the store at " + path + " is not a directory" + kLeftUntouched + kMoveAway);
  }
  if (IsLockError(s, text)) {
    return Status(Code::kConflict,
                  "the store at " + path + " is in use by another process (" + text + ")");
  }
  if (s.IsNoSpace()) {
    return Status(Code::kServiceUnavailable, "the store at " + path +
                                                 " cannot be opened: its disk is full (" + text +
                                                 ")" + kLeftUntouched);
  }
  if (IsAccessError(text)) {
    return Status(Code::kForbidden, "the store at " + path + " cannot be opened (" + text + ")" +
                                        kLeftUntouched + ": check its permissions");
  }
  // A CURRENT naming a missing MANIFEST is an IOError(PathNotFound), yet a damaged store.
  if (s.IsCorruption() || (s.IsPathNotFound() && Exists(path + "/CURRENT"))) {
    return CorruptStore(path, text);
  }
  return Internal("the store at " + path + " cannot be opened (" + text + ")" + kLeftUntouched);
}

Status CheckNotHeadless(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return Status::Ok();  // RocksDB reports it
  if (std::filesystem::exists(path + "/CURRENT", ec)) return Status::Ok();
  for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    auto ends_with = [&](const std::string& suffix) {
      return name.size() >= suffix.size() &&
             name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (name.rfind("MANIFEST-", 0) == 0 || ends_with(".sst") || ends_with(".log")) {
      return CorruptStore(path, "its CURRENT file is missing but " + name + " is there");
    }
  }
  return Status::Ok();  // an unreadable directory is reported by RocksDB's own open
}

}  // namespace minik::store
