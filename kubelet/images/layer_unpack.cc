#include "kubelet/images/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "kubelet/images/digest.h"
#include "kubelet/images/fsutil.h"

namespace minik {
namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueWhiteout = ".wh..wh..opq";

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~Fd() { Reset(); }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// The read chain: BlobReader -> archive `raw` (decompression, raw format) -> tar reader.
struct Chain {
  const BlobReader* read = nullptr;
  bool hash_blob = true;
  Sha256 blob_hash;
  int64_t blob_size = 0;
  Status source_error;
  archive* raw = nullptr;
  bool raw_eof = false;
  Sha256 diff_hash;
};

la_ssize_t BlobRead(archive* a, void* client, const void** buf) {
  auto* c = static_cast<Chain*>(client);
  auto n = (*c->read)(buf);
  if (!n.ok()) {
    c->source_error = n.status();
    archive_set_error(a, EIO, "%s", n.status().message().c_str());
    return -1;
  }
  if (c->hash_blob) c->blob_hash.Update(*buf, *n);
  c->blob_size += static_cast<int64_t>(*n);
  return static_cast<la_ssize_t>(*n);
}

// Next block of the uncompressed stream; 0 at its end, -1 on error (message in `raw`).
la_ssize_t NextRawBlock(Chain* c, const void** buf) {
  while (!c->raw_eof) {
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(c->raw, buf, &size, &offset);
    if (r == ARCHIVE_EOF) {
      c->raw_eof = true;
      break;
    }
    if (r < ARCHIVE_WARN) return -1;
    if (size == 0) continue;
    c->diff_hash.Update(*buf, size);
    return static_cast<la_ssize_t>(size);
  }
  return 0;
}

la_ssize_t RawRead(archive* a, void* client, const void** buf) {
  auto* c = static_cast<Chain*>(client);
  la_ssize_t n = NextRawBlock(c, buf);
  if (n < 0) {
    const char* err = archive_error_string(c->raw);
    archive_set_error(a, EIO, "%s", err ? err : "decompression failed");
  }
  return n;
}

Status Invalid(const std::string& msg) { return Status(Code::kInvalid, msg); }

Status Sys(const std::string& what, const std::string& path, int err) {
  return Status(Code::kInternal, "layer: " + what + " " + path + ": " + imagefs::ErrnoText(err));
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct DirMeta {
  std::string path;
  mode_t mode;
  int64_t uid, gid;
  timespec mtime;
};

// Writes the entries of one layer below `root_`.
class Unpacker {
 public:
  Unpacker(int root_fd, std::string dest) : root_fd_(root_fd), dest_(std::move(dest)) {}

  Status Entry(archive* tar, archive_entry* e, int64_t* size);
  Status Finish();

 private:
  // The directory `rel` ("" = root), opened beneath the root without following symlinks;
  // created (0755, like tar) when `create`.
  StatusOr<int> Dir(const std::string& rel, bool create);
  Status RemoveExisting(int parent, const std::string& name, const std::string& path);
  Status ApplyMeta(int fd, const std::string& path, archive_entry* e, bool is_dir);
  void ApplyXattrs(int fd, const std::string& name_path, archive_entry* e, bool by_path);

  int root_fd_;
  std::string dest_;
  bool root_user_ = geteuid() == 0;
  std::string cached_path_;
  Fd cached_fd_;
  bool cache_valid_ = false;
  std::vector<DirMeta> dirs_;
};

int OpenBeneath(int root, const std::string& rel, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return static_cast<int>(syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how));
}

StatusOr<int> Unpacker::Dir(const std::string& rel, bool create) {
  if (rel.empty()) return root_fd_;
  if (cache_valid_ && rel == cached_path_) return cached_fd_.get();
  int fd = OpenBeneath(root_fd_, rel, O_RDONLY | O_DIRECTORY);
  if (fd < 0 && (errno == ENOENT || errno == ENOSYS) && create) {
    // Walk and create component by component; O_NOFOLLOW refuses symlinks on the way.
    Fd cur(dup(root_fd_));
    size_t start = 0;
    while (true) {
      size_t slash = rel.find('/', start);
      std::string comp = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (mkdirat(cur.get(), comp.c_str(), 0755) != 0 && errno != EEXIST)
        return Sys("mkdir", rel, errno);
      int next = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
          return Invalid("layer: unsafe entry path \"" + rel + "\": \"" +
                         rel.substr(0, slash) + "\" is a symlink or not a directory");
        return Sys("open", rel, errno);
      }
      cur = Fd(next);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    fd = dup(cur.get());
  } else if (fd < 0) {
    if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR)
      return Invalid("layer: unsafe entry path \"" + rel + "\": it goes through a symlink or a non-directory");
    return Sys("open", rel, errno);
  }
  cached_fd_ = Fd(fd);
  cached_path_ = rel;
  cache_valid_ = true;
  return fd;
}

Status Unpacker::RemoveExisting(int parent, const std::string& name, const std::string& path) {
  cache_valid_ = false;  // the cached directory may be the one being replaced
  cached_fd_.Reset();
  if (unlinkat(parent, name.c_str(), 0) == 0 || errno == ENOENT) return Status::Ok();
  if (errno != EISDIR) return Sys("remove", path, errno);
  // A directory replaced by a non-directory: remove the subtree (never following symlinks).
  std::string proc = "/proc/self/fd/" + std::to_string(parent) + "/" + name;
  MINIK_RETURN_IF_ERROR(imagefs::RemoveTree(proc));
  return Status::Ok();
}

void Unpacker::ApplyXattrs(int fd, const std::string& path, archive_entry* e, bool by_path) {
  if (archive_entry_xattr_reset(e) == 0) return;
  const char* name;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (!name || std::strncmp(name, "trusted.overlay.", 16) == 0) continue;
    // Best effort: file systems without xattrs, or names we may not set, are skipped.
    if (by_path)
      lsetxattr(path.c_str(), name, value, size, 0);
    else
      fsetxattr(fd, name, value, size, 0);
  }
}

Status Unpacker::ApplyMeta(int fd, const std::string& path, archive_entry* e, bool is_dir) {
  if (root_user_ && fchown(fd, static_cast<uid_t>(archive_entry_uid(e)),
                           static_cast<gid_t>(archive_entry_gid(e))) != 0)
    return Sys("chown", path, errno);
  if (fchmod(fd, archive_entry_perm(e) & 07777) != 0) return Sys("chmod", path, errno);
  ApplyXattrs(fd, path, e, false);
  if (!is_dir) {
    timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    futimens(fd, ts);
  }
  return Status::Ok();
}

Status Unpacker::Entry(archive* tar, archive_entry* e, int64_t* size) {
  const char* raw_name = archive_entry_pathname(e);
  if (!raw_name) raw_name = archive_entry_pathname_utf8(e);
  if (!raw_name) return Invalid("layer: an entry has no readable path");
  auto cleaned = CleanEntryPath(raw_name);
  if (!cleaned.ok()) return cleaned.status();
  std::string path = *cleaned;
  mode_t type = archive_entry_filetype(e);
  const char* hardlink = archive_entry_hardlink(e);

  if (path.empty()) {  // "./": the layer root's own metadata
    if (type != AE_IFDIR) return Invalid("layer: the root entry is not a directory");
    dirs_.push_back({"", archive_entry_perm(e), archive_entry_uid(e), archive_entry_gid(e),
                     {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}});
    return Status::Ok();
  }
  std::string parent_path = ParentOf(path);
  std::string name = BaseOf(path);
  auto parent = Dir(parent_path, true);
  if (!parent.ok()) return parent.status();
  int pfd = *parent;

  if (name.rfind(kWhiteoutPrefix, 0) == 0) {
    if (name == kOpaqueWhiteout) {
      if (fsetxattr(pfd, "trusted.overlay.opaque", "y", 1, 0) != 0)
        return Sys("set trusted.overlay.opaque on", parent_path.empty() ? "/" : parent_path, errno);
      return Status::Ok();
    }
    if (name.rfind(".wh..wh.", 0) == 0) return Status::Ok();  // aufs metadata
    std::string target = name.substr(std::strlen(kWhiteoutPrefix));
    if (target.empty() || target == "." || target == "..")
      return Invalid("layer: bad whiteout \"" + path + "\"");
    std::string tpath = parent_path.empty() ? target : parent_path + "/" + target;
    if (mknodat(pfd, target.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
      if (errno != EEXIST) return Sys("create whiteout", tpath, errno);
      MINIK_RETURN_IF_ERROR(RemoveExisting(pfd, target, tpath));
      parent = Dir(parent_path, true);
      if (!parent.ok()) return parent.status();
      pfd = *parent;
      if (mknodat(pfd, target.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
        return Sys("create whiteout", tpath, errno);
    }
    if (root_user_)
      fchownat(pfd, target.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
               static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW);
    return Status::Ok();
  }

  if (hardlink) {
    auto target = CleanEntryPath(hardlink);
    if (!target.ok()) return Invalid("layer: hard link \"" + path + "\": " + target.status().message());
    if (target->empty()) return Invalid("layer: hard link \"" + path + "\" to the layer root");
    std::string tparent_path = ParentOf(*target);
    std::string tname = BaseOf(*target);
    Fd tparent_holder;
    int tpfd = root_fd_;
    if (!tparent_path.empty()) {
      int fd = OpenBeneath(root_fd_, tparent_path, O_RDONLY | O_DIRECTORY);
      if (fd < 0)
        return Invalid("layer: hard link \"" + path + "\" to \"" + *target +
                       "\": target not in the layer (or behind a symlink)");
      tparent_holder = Fd(fd);
      tpfd = fd;
    }
    struct stat st;
    if (fstatat(tpfd, tname.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return Invalid("layer: hard link \"" + path + "\" to missing \"" + *target + "\"");
    if (S_ISDIR(st.st_mode)) return Invalid("layer: hard link \"" + path + "\" to a directory");
    if (linkat(tpfd, tname.c_str(), pfd, name.c_str(), 0) != 0) {
      if (errno != EEXIST) return Sys("link", path, errno);
      if (*target == path) return Status::Ok();
      MINIK_RETURN_IF_ERROR(RemoveExisting(pfd, name, path));
      parent = Dir(parent_path, true);
      if (!parent.ok()) return parent.status();
      pfd = *parent;
      if (linkat(tpfd, tname.c_str(), pfd, name.c_str(), 0) != 0) return Sys("link", path, errno);
    }
    return Status::Ok();
  }

  switch (type) {
    case AE_IFDIR: {
      if (mkdirat(pfd, name.c_str(), 0700) != 0) {
        if (errno != EEXIST) return Sys("mkdir", path, errno);
        struct stat st;
        if (fstatat(pfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Sys("stat", path, errno);
        if (!S_ISDIR(st.st_mode)) {
          MINIK_RETURN_IF_ERROR(RemoveExisting(pfd, name, path));
          parent = Dir(parent_path, true);
          if (!parent.ok()) return parent.status();
          pfd = *parent;
          if (mkdirat(pfd, name.c_str(), 0700) != 0) return Sys("mkdir", path, errno);
        }
      }
      Fd dfd(openat(pfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (dfd.get() < 0) return Sys("open", path, errno);
      ApplyXattrs(dfd.get(), path, e, false);
      dirs_.push_back({path, archive_entry_perm(e), archive_entry_uid(e), archive_entry_gid(e),
                       {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}});
      return Status::Ok();
    }
    case AE_IFREG: {
      int fd = openat(pfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST) {
        MINIK_RETURN_IF_ERROR(RemoveExisting(pfd, name, path));
        parent = Dir(parent_path, true);
        if (!parent.ok()) return parent.status();
        pfd = *parent;
        fd = openat(pfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      }
      if (fd < 0) return Sys("create", path, errno);
      Fd file(fd);
      int64_t pos = 0;
      while (true) {
        const void* buf;
        size_t n;
        la_int64_t offset;
        int r = archive_read_data_block(tar, &buf, &n, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
          const char* err = archive_error_string(tar);
          return Invalid(std::string("layer: reading \"") + path + "\": " + (err ? err : "read error"));
        }
        if (offset != pos && lseek(fd, offset, SEEK_SET) < 0) return Sys("seek", path, errno);
        pos = offset;
        const char* p = static_cast<const char*>(buf);
        while (n > 0) {
          ssize_t w = write(fd, p, n);
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) return Sys("write", path, errno);
          p += w;
          n -= static_cast<size_t>(w);
          pos += w;
        }
      }
      int64_t entry_size = archive_entry_size(e);
      if (pos < entry_size && ftruncate(fd, entry_size) != 0) return Sys("truncate", path, errno);
      *size += entry_size;
      return ApplyMeta(fd, path, e, false);
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (!target) target = archive_entry_symlink_utf8(e);
      if (!target) return Invalid("layer: symlink \"" + path + "\" has no target");
      if (symlinkat(target, pfd, name.c_str()) != 0) {
        if (errno != EEXIST) return Sys("symlink", path, errno);
        MINIK_RETURN_IF_ERROR(RemoveExisting(pfd, name, path));
        parent = Dir(parent_path, true);
        if (!parent.ok()) return parent.status();
        pfd = *parent;
        if (symlinkat(target, pfd, name.c_str()) != 0) return Sys("symlink", path, errno);
      }
      if (root_user_)
        fchownat(pfd, name.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW);
      ApplyXattrs(-1, "/proc/self/fd/" + std::to_string(pfd) + "/" + name, e, true);
      timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                        {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
      utimensat(pfd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
      return Status::Ok();
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
      dev_t dev = type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
      mode_t kind = type == AE_IFCHR ? S_IFCHR : type == AE_IFBLK ? S_IFBLK : S_IFIFO;
      if (mknodat(pfd, name.c_str(), kind | 0600, dev) != 0) {
        if (errno == EPERM) return Sys("create device node (needs root)", path, errno);
        if (errno != EEXIST) return Sys("mknod", path, errno);
        MINIK_RETURN_IF_ERROR(RemoveExisting(pfd, name, path));
        parent = Dir(parent_path, true);
        if (!parent.ok()) return parent.status();
        pfd = *parent;
        if (mknodat(pfd, name.c_str(), kind | 0600, dev) != 0) return Sys("mknod", path, errno);
      }
      // Opening a device or fifo could block or have effects: use an O_PATH fd via /proc.
      Fd node(openat(pfd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (node.get() < 0) return Sys("open", path, errno);
      std::string proc = "/proc/self/fd/" + std::to_string(node.get());
      if (root_user_ && chown(proc.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                              static_cast<gid_t>(archive_entry_gid(e))) != 0)
        return Sys("chown", path, errno);
      if (chmod(proc.c_str(), archive_entry_perm(e) & 07777) != 0) return Sys("chmod", path, errno);
      timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                        {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
      utimensat(AT_FDCWD, proc.c_str(), ts, 0);
      return Status::Ok();
    }
    case AE_IFSOCK:
      return Status::Ok();  // sockets are never meaningful in an image
    default:
      return Invalid("layer: entry \"" + path + "\" has an unknown type");
  }
}

Status Unpacker::Finish() {
  cache_valid_ = false;
  cached_fd_.Reset();
  // Deepest last-created first, so setting a directory's mtime is not undone by its children.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    Fd holder;
    int fd = root_fd_;
    if (!it->path.empty()) {
      holder = Fd(OpenBeneath(root_fd_, it->path, O_RDONLY | O_DIRECTORY));
      if (holder.get() < 0) continue;  // replaced by a later entry
      fd = holder.get();
    }
    if (root_user_ && fchown(fd, static_cast<uid_t>(it->uid), static_cast<gid_t>(it->gid)) != 0)
      return Sys("chown", it->path, errno);
    if (fchmod(fd, it->mode & 07777) != 0) return Sys("chmod", it->path, errno);
    timespec ts[2] = {it->mtime, it->mtime};
    futimens(fd, ts);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> CleanEntryPath(const std::string& name) {
  if (!name.empty() && name[0] == '/') return Invalid("layer: unsafe entry path \"" + name + "\": absolute");
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    std::string comp = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (comp == "..") return Invalid("layer: unsafe entry path \"" + name + "\": contains \"..\"");
    if (comp.find('\0') != std::string::npos) return Invalid("layer: entry path with a NUL byte");
    if (!comp.empty() && comp != ".") {
      if (!out.empty()) out += '/';
      out += comp;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

StatusOr<UnpackedLayer> UnpackLayer(const BlobReader& read, const std::string& dest, bool blob_digest) {
  if (mkdir(dest.c_str(), 0755) != 0) return Sys("mkdir", dest, errno);
  Fd root(open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0) return Sys("open", dest, errno);

  Chain chain;
  chain.read = &read;
  chain.hash_blob = blob_digest;
  ArchivePtr raw(archive_read_new());
  archive_read_support_filter_gzip(raw.get());
  archive_read_support_filter_zstd(raw.get());
  archive_read_support_filter_xz(raw.get());
  archive_read_support_filter_bzip2(raw.get());
  archive_read_support_format_raw(raw.get());
  chain.raw = raw.get();
  auto fail = [&](archive* a, const std::string& what) -> Status {
    if (!chain.source_error.ok()) return chain.source_error;
    const char* err = a ? archive_error_string(a) : nullptr;
    return Invalid("layer: " + what + (err ? std::string(": ") + err : std::string()));
  };
  if (archive_read_open(raw.get(), &chain, nullptr, BlobRead, nullptr) != ARCHIVE_OK)
    return fail(raw.get(), "cannot read the layer blob");
  archive_entry* raw_entry;
  int r = archive_read_next_header(raw.get(), &raw_entry);
  if (r == ARCHIVE_EOF) return Invalid("layer: empty blob, not a tar archive");
  if (r < ARCHIVE_WARN) return fail(raw.get(), "cannot read the layer blob");

  ArchivePtr tar(archive_read_new());
  archive_read_support_format_tar(tar.get());
  if (archive_read_open(tar.get(), &chain, nullptr, RawRead, nullptr) != ARCHIVE_OK)
    return fail(tar.get(), "not a tar archive");
  Unpacker unpacker(root.get(), dest);
  UnpackedLayer out;
  bool any = false;
  while (true) {
    archive_entry* e;
    r = archive_read_next_header(tar.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return fail(tar.get(), any ? "truncated or corrupt tar" : "not a tar archive");
    any = true;
    MINIK_RETURN_IF_ERROR(unpacker.Entry(tar.get(), e, &out.size));
  }
  MINIK_RETURN_IF_ERROR(unpacker.Finish());
  // The diff id covers the whole uncompressed stream, including the tar's trailing padding.
  const void* buf;
  while (true) {
    la_ssize_t n = NextRawBlock(&chain, &buf);
    if (n < 0) return fail(raw.get(), "corrupt compressed data");
    if (n == 0) break;
  }
  while (true) {
    auto n = read(&buf);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    if (chain.hash_blob) chain.blob_hash.Update(buf, *n);
    chain.blob_size += static_cast<int64_t>(*n);
  }
  out.diff_id = chain.diff_hash.Digest();
  if (chain.hash_blob) out.blob_digest = chain.blob_hash.Digest();
  out.blob_size = chain.blob_size;
  return out;
}

}  // namespace minik
