// LocalImageStore: the ImageStore over a directory (layout in images.h).
//
// Concurrency: `mu_` guards the cached index within a process; every change to the directory
// (commit of a load or pull, remove, start-up cleanup) also holds an flock on <root>/lock, so
// the CLI and the server can share one store. Readers re-read images.json whenever its inode,
// size or mtime changed (writers replace it by rename). Long work (reading archives, unpacking,
// downloading) happens outside both locks into <root>/tmp; the commit re-checks under the
// lock that every layer an image needs is still present, and a load retries when a
// concurrent remove took one away.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>

#include "api/log.h"
#include "kubelet/images/archive_load.h"
#include "kubelet/images/digest.h"
#include "kubelet/images/fsutil.h"
#include "kubelet/images/images.h"
#include "kubelet/images/reference.h"
#include "kubelet/images/registry_pull.h"

namespace minik {
namespace {

constexpr int kCommitAttempts = 3;

struct IndexImage {
  std::string id;
  std::vector<std::string> repo_tags, repo_digests, diff_ids, blobs;
  Json config = Json::object();
};

struct Index {
  std::map<std::string, int64_t> layers;  // diff id -> unpacked size
  std::vector<IndexImage> images;
};

Json ToJson(const Index& index) {
  Json layers = Json::object();
  for (const auto& [id, size] : index.layers) layers[id] = {{"size", size}};
  Json images = Json::array();
  for (const auto& i : index.images) {
    images.push_back({{"id", i.id},
                      {"repoTags", i.repo_tags},
                      {"repoDigests", i.repo_digests},
                      {"layers", i.diff_ids},
                      {"blobs", i.blobs},
                      {"config", i.config}});
  }
  return {{"version", 1}, {"layers", layers}, {"images", images}};
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (const Json* a = Find(j, {key}); a && a->is_array())
    for (const Json& s : *a)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

StatusOr<Index> FromJson(const Json& j) {
  Index index;
  if (!j.is_object() || j.value("version", 0) != 1)
    return Status(Code::kInternal, "images.json: unknown format");
  if (const Json* layers = Find(j, {"layers"}); layers && layers->is_object())
    for (const auto& [id, v] : layers->items()) index.layers[id] = GetInt(v, {"size"});
  if (const Json* images = Find(j, {"images"}); images && images->is_array()) {
    for (const Json& i : *images) {
      IndexImage img;
      img.id = GetString(i, {"id"});
      img.repo_tags = Strings(i, "repoTags");
      img.repo_digests = Strings(i, "repoDigests");
      img.diff_ids = Strings(i, "layers");
      img.blobs = Strings(i, "blobs");
      if (const Json* c = Find(i, {"config"}); c && c->is_object()) img.config = *c;
      if (!IsSha256Digest(img.id)) return Status(Code::kInternal, "images.json: bad image id");
      index.images.push_back(std::move(img));
    }
  }
  return index;
}

void Erase(std::vector<std::string>& v, const std::string& s) {
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

bool IsHexString(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// What a reference matched.
struct Match {
  size_t image;
  enum Kind { kTag, kDigest, kId } kind;
  std::string key;  // the normalised tag or repo@digest
};

StatusOr<Match> FindImage(const Index& index, const std::string& ref) {
  auto parsed = ParseImageRef(ref);
  if (parsed.ok()) {
    for (size_t i = 0; i < index.images.size(); ++i) {
      const auto& img = index.images[i];
      if (!parsed->digest.empty()) {
        std::string key = parsed->Repository() + "@" + parsed->digest;
        if (std::count(img.repo_digests.begin(), img.repo_digests.end(), key))
          return Match{i, Match::kDigest, key};
      } else if (std::count(img.repo_tags.begin(), img.repo_tags.end(), parsed->String())) {
        return Match{i, Match::kTag, parsed->String()};
      }
    }
  }
  std::string hex = ref.rfind("sha256:", 0) == 0 ? ref.substr(7) : ref;
  if (IsHexString(hex) && hex.size() >= 12 && hex.size() <= 64) {
    std::vector<size_t> hits;
    for (size_t i = 0; i < index.images.size(); ++i)
      if (index.images[i].id.compare(7, hex.size(), hex) == 0) hits.push_back(i);
    if (hits.size() == 1) return Match{hits[0], Match::kId, index.images[hits[0]].id};
    if (hits.size() > 1)
      return Status(Code::kInvalid, "image id prefix \"" + ref + "\" is ambiguous");
  }
  if (!parsed.ok() && !(IsHexString(hex) && hex.size() >= 12)) return parsed.status();
  return Status(Code::kNotFound, "image \"" + ref + "\" not found");
}

class LocalImageStore : public ImageStore {
 public:
  explicit LocalImageStore(std::string root) : root_(std::move(root)) {}

  Status Init();
  StatusOr<std::vector<ImageInfo>> Load(const std::string& path) override;
  StatusOr<ImageInfo> Pull(const std::string& ref, const PullOptions& options) override;
  StatusOr<ImageInfo> Resolve(const std::string& ref) const override;
  std::vector<ImageInfo> List() const override;
  Status Remove(const std::string& ref) override;

 private:
  std::string LayerDir(const std::string& diff_id) const { return root_ + "/layers/" + diff_id.substr(7); }
  std::string IndexPath() const { return root_ + "/images.json"; }
  Status RefreshLocked(bool force) const;
  Status SaveLocked(const Index& next);
  ImageInfo InfoLocked(const IndexImage& img) const;
  std::string NewTmpPath(const std::string& what);
  // Builds a staging context whose temp dirs are recorded in `tmps`.
  StagingContext Staging(std::vector<std::string>* tmps);
  // Renames staged layers into place and records the images; kConflict (retry) when a layer
  // an image needs was removed meanwhile.
  StatusOr<std::vector<ImageInfo>> Commit(const std::vector<PreparedImage>& images,
                                          const std::vector<StagedLayer>& layers);
  StatusOr<std::string> SpoolStdin(const std::string& path);
  void CleanTmp();
  StatusOr<ImageInfo> PullOnce(const std::string& ref, const PullOptions& options);

  std::string root_;
  mutable std::mutex mu_;
  mutable Index index_;
  mutable struct stat stamp_ {};
  mutable bool loaded_ = false;
  std::mutex pulls_mu_;  // guards pulls_ (never held with mu_)
  std::map<std::string, std::shared_future<StatusOr<ImageInfo>>> pulls_;  // in flight, by ref
};

Status LocalImageStore::Init() {
  for (const char* sub : {"", "/blobs/sha256", "/layers", "/tmp"})
    MINIK_RETURN_IF_ERROR(imagefs::MakeDirs(root_ + sub, 0700));
  std::lock_guard<std::mutex> lock(mu_);
  auto flock = imagefs::FlockGuard::Acquire(root_ + "/lock");
  if (!flock.ok()) return flock.status();
  MINIK_RETURN_IF_ERROR(RefreshLocked(true));
  // Layers renamed into place by a commit that then failed (or crashed) before the index
  // was written are not in the index: remove them.
  if (DIR* d = opendir((root_ + "/layers").c_str())) {
    std::vector<std::string> orphans;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (!index_.layers.count("sha256:" + name)) orphans.push_back(name);
    }
    closedir(d);
    for (const auto& o : orphans) imagefs::RemoveTree(root_ + "/layers/" + o);
  }
  CleanTmp();
  return Status::Ok();
}

// Temp entries are "<pid>.<n>.<what>"; those of processes that are gone are leftovers.
void LocalImageStore::CleanTmp() {
  DIR* d = opendir((root_ + "/tmp").c_str());
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    long pid = std::strtol(name.c_str(), nullptr, 10);
    if (pid <= 0 || (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) stale.push_back(name);
  }
  closedir(d);
  for (const auto& s : stale) imagefs::RemoveTree(root_ + "/tmp/" + s);
}

std::string LocalImageStore::NewTmpPath(const std::string& what) {
  // Process-wide: several stores in one process may share a directory.
  static std::atomic<uint64_t> counter{0};
  return root_ + "/tmp/" + std::to_string(getpid()) + "." + std::to_string(counter++) + "." + what;
}

Status LocalImageStore::RefreshLocked(bool force) const {
  struct stat st;
  if (stat(IndexPath().c_str(), &st) != 0) {
    if (errno != ENOENT) return Status(Code::kInternal, "stat " + IndexPath() + ": " + imagefs::ErrnoText(errno));
    index_ = Index();
    stamp_ = {};
    loaded_ = true;
    return Status::Ok();
  }
  if (!force && loaded_ && st.st_ino == stamp_.st_ino && st.st_size == stamp_.st_size &&
      st.st_mtim.tv_sec == stamp_.st_mtim.tv_sec && st.st_mtim.tv_nsec == stamp_.st_mtim.tv_nsec)
    return Status::Ok();
  auto text = imagefs::ReadFile(IndexPath());
  if (!text.ok()) return text.status();
  auto json = ParseJson(*text);
  if (!json.ok()) return Status(Code::kInternal, IndexPath() + " is corrupt: " + json.status().message());
  auto index = FromJson(*json);
  if (!index.ok()) return index.status();
  index_ = std::move(*index);
  stamp_ = st;
  loaded_ = true;
  return Status::Ok();
}

Status LocalImageStore::SaveLocked(const Index& next) {
  MINIK_RETURN_IF_ERROR(imagefs::WriteFileAtomic(IndexPath(), ToJson(next).dump(1)));
  index_ = next;
  if (stat(IndexPath().c_str(), &stamp_) != 0) loaded_ = false;
  return Status::Ok();
}

ImageInfo LocalImageStore::InfoLocked(const IndexImage& img) const {
  ImageInfo info;
  info.id = img.id;
  info.repo_tags = img.repo_tags;
  info.repo_digests = img.repo_digests;
  info.config = img.config;
  for (const auto& d : img.diff_ids) {
    info.layer_dirs.push_back(LayerDir(d));
    auto it = index_.layers.find(d);
    if (it != index_.layers.end()) info.size += it->second;
  }
  return info;
}

StagingContext LocalImageStore::Staging(std::vector<std::string>* tmps) {
  std::set<std::string> present;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (RefreshLocked(false).ok())
      for (const auto& [id, size] : index_.layers) present.insert(id);
  }
  StagingContext ctx;
  ctx.has_layer = [present](const std::string& id) { return present.count(id) > 0; };
  ctx.new_tmp_dir = [this, tmps]() {
    tmps->push_back(NewTmpPath("layer"));
    return tmps->back();
  };
  return ctx;
}

StatusOr<std::vector<ImageInfo>> LocalImageStore::Commit(const std::vector<PreparedImage>& images,
                                                         const std::vector<StagedLayer>& layers) {
  std::lock_guard<std::mutex> lock(mu_);
  auto flock = imagefs::FlockGuard::Acquire(root_ + "/lock");
  if (!flock.ok()) return flock.status();
  MINIK_RETURN_IF_ERROR(RefreshLocked(true));
  Index next = index_;
  std::set<std::string> staged;
  for (const auto& l : layers) staged.insert(l.diff_id);
  for (const auto& img : images) {
    for (const auto& d : img.diff_ids) {
      if (!next.layers.count(d) && !staged.count(d))
        return Status(Code::kConflict, "layer " + d + " was removed while loading; retry");
    }
  }
  for (const auto& img : images) {
    for (const auto& [digest, bytes] : img.blobs) {
      std::string path = root_ + "/blobs/sha256/" + digest.substr(7);
      if (access(path.c_str(), F_OK) != 0) MINIK_RETURN_IF_ERROR(imagefs::WriteFileAtomic(path, bytes));
    }
  }
  for (const auto& l : layers) {
    if (next.layers.count(l.diff_id)) continue;  // someone else committed it meanwhile
    std::string target = LayerDir(l.diff_id);
    MINIK_RETURN_IF_ERROR(imagefs::RemoveTree(target));  // an orphan of a failed commit
    if (rename(l.dir.c_str(), target.c_str()) != 0)
      return Status(Code::kInternal, "rename " + l.dir + " to " + target + ": " + imagefs::ErrnoText(errno));
    next.layers[l.diff_id] = l.size;
  }
  // Layer files were written without fsync: one syncfs before the index names them.
  if (!layers.empty()) {
    int fd = open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      syncfs(fd);
      close(fd);
    }
  }
  std::vector<size_t> touched;
  for (const auto& img : images) {
    // A tag names one image: take it from any other.
    for (auto& other : next.images) {
      if (other.id == img.id) continue;
      for (const auto& t : img.repo_tags) Erase(other.repo_tags, t);
      for (const auto& d : img.repo_digests) Erase(other.repo_digests, d);
    }
    auto it = std::find_if(next.images.begin(), next.images.end(),
                           [&](const IndexImage& i) { return i.id == img.id; });
    if (it == next.images.end()) {
      next.images.push_back(IndexImage{img.id, {}, {}, img.diff_ids, {}, img.config});
      it = next.images.end() - 1;
    }
    for (const auto& t : img.repo_tags) AddUnique(it->repo_tags, t);
    for (const auto& d : img.repo_digests) AddUnique(it->repo_digests, d);
    for (const auto& [digest, bytes] : img.blobs) AddUnique(it->blobs, digest);
    touched.push_back(static_cast<size_t>(it - next.images.begin()));
  }
  MINIK_RETURN_IF_ERROR(SaveLocked(next));
  std::vector<ImageInfo> out;
  for (size_t i : touched) out.push_back(InfoLocked(index_.images[i]));
  return out;
}

StatusOr<std::string> LocalImageStore::SpoolStdin(const std::string& path) {
  int in = path == "-" ? 0 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status(Code::kNotFound, "cannot open " + path + ": " + imagefs::ErrnoText(errno));
  std::string tmp = NewTmpPath("input.tar");
  int out = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    if (in != 0) close(in);
    return Status(Code::kInternal, "create " + tmp + ": " + imagefs::ErrnoText(errno));
  }
  std::vector<char> buf(1 << 20);
  Status result;
  while (true) {
    ssize_t n = read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = Status(Code::kInternal, "read " + path + ": " + imagefs::ErrnoText(errno));
      break;
    }
    if (n == 0) break;
    if (write(out, buf.data(), static_cast<size_t>(n)) != n) {
      result = Status(Code::kInternal, "write " + tmp + ": " + imagefs::ErrnoText(errno));
      break;
    }
  }
  close(out);
  if (in != 0) close(in);
  if (!result.ok()) {
    unlink(tmp.c_str());
    return result;
  }
  return tmp;
}

StatusOr<std::vector<ImageInfo>> LocalImageStore::Load(const std::string& path) {
  std::string file = path;
  std::string spooled;
  struct stat st;
  if (path != "-" && stat(path.c_str(), &st) != 0)
    return Status(Code::kNotFound, "cannot open " + path + ": " + imagefs::ErrnoText(errno));
  if (path == "-" && fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
    file = "/proc/self/fd/0";  // a redirected file: read it in place
  } else if (path == "-" || !S_ISREG(st.st_mode)) {
    if (path != "-" && S_ISDIR(st.st_mode))
      return Status(Code::kInvalid, path + " is a directory, not an image archive");
    auto s = SpoolStdin(path);
    if (!s.ok()) return s.status();
    file = spooled = *s;
  }
  StatusOr<std::vector<ImageInfo>> result = Status(Code::kInternal, "not loaded");
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    std::vector<std::string> tmps;
    auto contents = ReadImageArchive(file, Staging(&tmps));
    if (!contents.ok()) {
      result = contents.status();
    } else {
      result = Commit(contents->images, contents->layers);
    }
    for (const auto& t : tmps) imagefs::RemoveTree(t);
    if (result.ok() || result.status().code() != Code::kConflict) break;
  }
  if (!spooled.empty()) unlink(spooled.c_str());
  return result;
}

StatusOr<ImageInfo> LocalImageStore::Pull(const std::string& ref, const PullOptions& options) {
  // Pod workers starting several pods of one image share one pull.
  auto normalized = NormalizeImageRef(ref);
  if (!normalized.ok()) return normalized.status();
  std::shared_future<StatusOr<ImageInfo>> shared;
  std::promise<StatusOr<ImageInfo>> promise;
  bool leader = false;
  {
    std::lock_guard<std::mutex> lock(pulls_mu_);
    auto it = pulls_.find(*normalized);
    if (it == pulls_.end()) {
      leader = true;
      shared = promise.get_future().share();
      pulls_.emplace(*normalized, shared);
    } else {
      shared = it->second;
    }
  }
  if (!leader) return shared.get();
  StatusOr<ImageInfo> result = PullOnce(*normalized, options);
  promise.set_value(result);
  std::lock_guard<std::mutex> lock(pulls_mu_);
  pulls_.erase(*normalized);
  return result;
}

StatusOr<ImageInfo> LocalImageStore::PullOnce(const std::string& ref, const PullOptions& options) {
  StatusOr<ImageInfo> result = Status(Code::kInternal, "not pulled");
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    std::vector<std::string> tmps;
    auto pulled = PullFromRegistry(ref, options, Staging(&tmps));
    if (!pulled.ok()) {
      result = pulled.status();
    } else {
      auto infos = Commit({pulled->image}, pulled->layers);
      if (infos.ok())
        result = infos->front();
      else
        result = infos.status();
    }
    for (const auto& t : tmps) imagefs::RemoveTree(t);
    if (result.ok() || result.status().code() != Code::kConflict) break;
  }
  return result;
}

StatusOr<ImageInfo> LocalImageStore::Resolve(const std::string& ref) const {
  std::lock_guard<std::mutex> lock(mu_);
  MINIK_RETURN_IF_ERROR(RefreshLocked(false));
  auto m = FindImage(index_, ref);
  if (!m.ok()) return m.status();
  return InfoLocked(index_.images[m->image]);
}

std::vector<ImageInfo> LocalImageStore::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  Status st = RefreshLocked(false);
  if (!st.ok()) LOG(Error, "images") << "reading the image index failed: " << st.message();
  std::vector<ImageInfo> out;
  for (const auto& img : index_.images) out.push_back(InfoLocked(img));
  return out;
}

Status LocalImageStore::Remove(const std::string& ref) {
  std::vector<std::string> trash;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto flock = imagefs::FlockGuard::Acquire(root_ + "/lock");
    if (!flock.ok()) return flock.status();
    MINIK_RETURN_IF_ERROR(RefreshLocked(true));
    auto m = FindImage(index_, ref);
    if (!m.ok()) return m.status();
    Index next = index_;
    IndexImage& img = next.images[m->image];
    bool drop = m->kind == Match::kId;
    if (m->kind == Match::kTag) {
      Erase(img.repo_tags, m->key);
      drop = img.repo_tags.empty();  // like `docker rmi`: the last tag takes the image
    } else if (m->kind == Match::kDigest) {
      Erase(img.repo_digests, m->key);
      drop = img.repo_tags.empty() && img.repo_digests.empty();
    }
    if (drop) next.images.erase(next.images.begin() + static_cast<long>(m->image));
    // Garbage: layers and blobs no image refers to any more.
    std::set<std::string> used_layers, used_blobs;
    for (const auto& i : next.images) {
      used_layers.insert(i.diff_ids.begin(), i.diff_ids.end());
      used_blobs.insert(i.blobs.begin(), i.blobs.end());
    }
    std::vector<std::string> dead_layers;
    for (auto it = next.layers.begin(); it != next.layers.end();) {
      if (used_layers.count(it->first)) {
        ++it;
      } else {
        dead_layers.push_back(it->first);
        it = next.layers.erase(it);
      }
    }
    MINIK_RETURN_IF_ERROR(SaveLocked(next));
    // Out of the index first, then renamed away under the lock (so a concurrent commit of
    // the same layer never meets a half-deleted one); the slow deletion happens unlocked.
    for (const auto& d : dead_layers) {
      std::string t = NewTmpPath("trash");
      if (rename(LayerDir(d).c_str(), t.c_str()) == 0) trash.push_back(t);
    }
    if (DIR* d = opendir((root_ + "/blobs/sha256").c_str())) {
      std::vector<std::string> dead;
      while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() == 64 && !used_blobs.count("sha256:" + name)) dead.push_back(name);
      }
      closedir(d);
      for (const auto& b : dead) unlink((root_ + "/blobs/sha256/" + b).c_str());
    }
  }
  for (const auto& t : trash) imagefs::RemoveTree(t);
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<ImageStore>> OpenImageStore(const std::string& root) {
  if (root.empty()) return Status(Code::kInvalid, "image store: empty root path");
  std::string abs = root;
  if (abs[0] != '/') {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return Status(Code::kInternal, "getcwd failed");
    abs = std::string(cwd) + "/" + root;
  }
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  auto store = std::make_unique<LocalImageStore>(abs);
  MINIK_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<ImageStore>(std::move(store));
}

}  // namespace minik
