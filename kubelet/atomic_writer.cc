// The atomic writer; the numbered steps follow AtomicWriter.Write of
// pkg/volume/util/atomic_writer.go (v1.32).
#include "kubelet/atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>
#include <vector>

namespace minik {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFileNameLength = 255;
constexpr size_t kMaxPathLength = 4096;
constexpr const char* kDataDirName = "..data";
constexpr const char* kNewDataDirName = "..data_tmp";

Status Errno(const std::string& what, const std::string& path, int err) {
  return Internal(what + " " + path + ": " + std::strerror(err));
}

std::vector<std::string> SplitPath(const std::string& p) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string::npos) slash = p.size();
    out.push_back(p.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// filepath.Clean for a validated relative path (no ".." elements left to resolve).
std::string CleanPath(const std::string& p) {
  std::string out;
  for (const std::string& part : SplitPath(p)) {
    if (part.empty() || part == ".") continue;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// Reads a whole file; false when it cannot be read.
bool ReadWholeFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  out->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

Status WriteFileWithMode(const std::string& path, const std::string& data, uint32_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Errno("create", path, errno);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Errno("write", path, err);
    }
    off += static_cast<size_t>(n);
  }
  // fchmod: the mode must not depend on the umask.
  if (::fchmod(fd, mode & 07777) != 0) {
    int err = errno;
    ::close(fd);
    return Errno("chmod", path, err);
  }
  if (::close(fd) != 0) return Errno("close", path, errno);
  return Status::Ok();
}

// mkdir -p with mode 0755 regardless of the umask.
Status MakeDirs(const std::string& dir) {
  std::string cur;
  for (const std::string& part : SplitPath(dir)) {
    if (part.empty()) {
      if (cur.empty()) cur = "/";
      continue;
    }
    if (!cur.empty() && cur.back() != '/') cur += '/';
    cur += part;
    if (::mkdir(cur.c_str(), 0755) == 0) {
      if (::chmod(cur.c_str(), 0755) != 0) return Errno("chmod", cur, errno);
    } else if (errno != EEXIST) {
      return Errno("mkdir", cur, errno);
    }
  }
  return Status::Ok();
}

// "..2006_01_02_15_04_05." + random digits, as os.MkdirTemp names it.
StatusOr<std::string> NewTimestampDir(const std::string& target) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char prefix[64];
  std::strftime(prefix, sizeof prefix, "..%Y_%m_%d_%H_%M_%S.", &tm);
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = prefix + std::to_string(rd());
    std::string path = target + "/" + name;
    if (::mkdir(path.c_str(), 0755) == 0) {
      // 0755 lets group and other traverse the tree, whatever the umask.
      if (::chmod(path.c_str(), 0755) != 0) return Errno("chmod", path, errno);
      return name;
    }
    if (errno != EEXIST) return Errno("mkdir", path, errno);
  }
  return Internal("cannot create a timestamped directory in " + target);
}

// Every path (files and directories) below `dir`, relative to it.
std::set<std::string> WalkRelative(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    out.insert(fs::relative(it->path(), dir, ec).string());
  }
  return out;
}

}  // namespace

Status ValidatePayloadPath(const std::string& path) {
  if (path.empty()) return Status(Code::kInvalid, "invalid path: must not be empty: \"\"");
  if (path[0] == '/') return Status(Code::kInvalid, "invalid path: must be relative path: " + path);
  if (path.size() > kMaxPathLength) {
    return Status(Code::kInvalid, "invalid path: must be less than or equal to " +
                                      std::to_string(kMaxPathLength) + " characters");
  }
  std::vector<std::string> items = SplitPath(path);
  for (const std::string& item : items) {
    if (item == "..") return Status(Code::kInvalid, "invalid path: must not contain '..': " + path);
    if (item.size() > kMaxFileNameLength) {
      return Status(Code::kInvalid, "invalid path: filenames must be less than or equal to " +
                                        std::to_string(kMaxFileNameLength) + " characters");
    }
  }
  if (items[0].size() > 2 && items[0].compare(0, 2, "..") == 0) {
    return Status(Code::kInvalid, "invalid path: must not start with '..': " + path);
  }
  // Not upstream: a path that cleans to nothing ("./") cannot name a file.
  if (CleanPath(path).empty()) {
    return Status(Code::kInvalid, "invalid path: must not be empty: \"" + path + "\"");
  }
  return Status::Ok();
}

StatusOr<bool> AtomicWriter::Write(
    const Payload& payload, const std::function<Status(const std::string&)>& set_perms) {
  // (1) Validate and clean the payload.
  Payload clean;
  for (const auto& [path, projection] : payload) {
    MINIK_RETURN_IF_ERROR(ValidatePayloadPath(path));
    clean[CleanPath(path)] = projection;
  }
  struct stat st;
  if (::stat(target_dir_.c_str(), &st) != 0) return Errno("stat", target_dir_, errno);

  // (2) The current timestamped directory, from the "..data" symlink.
  const std::string data_dir = target_dir_ + "/" + kDataDirName;
  std::string old_ts;
  {
    char buf[4096];
    ssize_t n = ::readlink(data_dir.c_str(), buf, sizeof buf - 1);
    if (n >= 0) {
      old_ts.assign(buf, static_cast<size_t>(n));
    } else if (errno != ENOENT) {
      return Errno("readlink", data_dir, errno);
    }
  }
  // Only a name inside the target directory is trusted as the old version.
  if (old_ts.find('/') != std::string::npos || old_ts == "." || old_ts == "..") old_ts.clear();
  const std::string old_ts_path = target_dir_ + "/" + old_ts;

  // Top-level user-visible names of the payload.
  std::set<std::string> visible;
  for (const auto& [path, projection] : clean) visible.insert(path.substr(0, path.find('/')));
  auto create_visible = [&]() -> Status {
    for (const std::string& name : visible) {
      std::string link = target_dir_ + "/" + name;
      struct stat lst;
      if (::lstat(link.c_str(), &lst) == 0) continue;
      if (errno != ENOENT) return Errno("lstat", link, errno);
      std::string to = std::string(kDataDirName) + "/" + name;
      if (::symlink(to.c_str(), link.c_str()) != 0) return Errno("symlink", link, errno);
    }
    return Status::Ok();
  };

  std::set<std::string> to_remove;
  if (!old_ts.empty()) {
    // (3) Paths of the old version that the new payload no longer has.
    std::set<std::string> new_paths;
    for (const auto& [path, projection] : clean) {
      for (std::string sub = path; !sub.empty();) {
        new_paths.insert(sub);
        size_t slash = sub.rfind('/');
        sub = slash == std::string::npos ? "" : sub.substr(0, slash);
      }
    }
    for (const std::string& p : WalkRelative(old_ts_path)) {
      if (!new_paths.count(p)) to_remove.insert(p);
    }
    // (4) Is the content on disk already the payload?
    bool should_write = false;
    for (const auto& [path, projection] : clean) {
      std::string on_disk;
      if (!ReadWholeFile(old_ts_path + "/" + path, &on_disk) || on_disk != projection.data) {
        should_write = true;
        break;
      }
    }
    if (!should_write && to_remove.empty()) {
      MINIK_RETURN_IF_ERROR(create_visible());
      return false;
    }
  }

  // A "..data_tmp" left by an interrupted update would make step (8) fail.
  const std::string new_data_dir = target_dir_ + "/" + kNewDataDirName;
  ::unlink(new_data_dir.c_str());

  // (5) A new timestamped directory.
  auto ts_name = NewTimestampDir(target_dir_);
  if (!ts_name.ok()) return ts_name.status();
  const std::string ts_path = target_dir_ + "/" + *ts_name;
  auto abandon = [&](Status s) -> Status {
    std::error_code ec;
    fs::remove_all(ts_path, ec);
    ::unlink(new_data_dir.c_str());
    return s;
  };

  // (6) The payload into it.
  for (const auto& [path, projection] : clean) {
    std::string full = ts_path + "/" + path;
    size_t slash = full.rfind('/');
    Status s = MakeDirs(full.substr(0, slash));
    if (s.ok()) s = WriteFileWithMode(full, projection.data, projection.mode);
    if (!s.ok()) return abandon(s);
  }

  // (7) Ownership and permissions (fsGroup).
  if (set_perms) {
    Status s = set_perms(target_dir_);
    if (!s.ok()) return abandon(s);
  }

  // (8) + (9) A new "..data" symlink renamed over the old one: the atomic switch.
  if (::symlink(ts_name->c_str(), new_data_dir.c_str()) != 0) {
    return abandon(Errno("symlink", new_data_dir, errno));
  }
  if (::rename(new_data_dir.c_str(), data_dir.c_str()) != 0) {
    return abandon(Errno("rename", new_data_dir, errno));
  }

  // (10) Symlinks for new top-level paths.
  MINIK_RETURN_IF_ERROR(create_visible());

  // (11) Old top-level paths (only the volume root's entries are symlinks).
  for (const std::string& p : to_remove) {
    if (p.find('/') != std::string::npos) continue;
    std::string link = target_dir_ + "/" + p;
    if (::unlink(link.c_str()) != 0 && errno != ENOENT) return Errno("remove", link, errno);
  }

  // (12) The previous version.
  if (!old_ts.empty() && old_ts != *ts_name) {
    std::error_code ec;
    fs::remove_all(old_ts_path, ec);
    if (ec) return Internal("remove " + old_ts_path + ": " + ec.message());
  }
  return true;
}

}  // namespace minik
