// VolumeManager: the volume plugins of pkg/volume (emptydir, hostpath, configmap, secret,
// downwardapi, projected) and the kubelet's PVC -> PV lookup, for one node.
//
// Concurrency: Prepare/Cleanup for one pod are serialised by the caller; different pods
// touch disjoint directories. tokens_ is shared and guarded by mu_.
#include "kubelet/volumes.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "api/resources/pod_spec.h"
#include "kubelet/atomic_writer.h"
#include "kubelet/downward_api.h"

namespace minik {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEmptyDirPlugin = "kubernetes.io~empty-dir";
constexpr const char* kConfigMapPlugin = "kubernetes.io~configmap";
constexpr const char* kSecretPlugin = "kubernetes.io~secret";
constexpr const char* kDownwardApiPlugin = "kubernetes.io~downward-api";
constexpr const char* kProjectedPlugin = "kubernetes.io~projected";
constexpr uint32_t kDefaultMode = 0644;
constexpr int64_t kDefaultTokenSeconds = 3600;

Status Errno(const std::string& what, const std::string& path, int err) {
  return Internal(what + " " + path + ": " + std::strerror(err));
}

// An error with the same code and a new message.
Status Reworded(const Status& s, std::string message) { return Status(s.code(), std::move(message)); }

Status Aggregate(const std::vector<Status>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string msg = "[";
  for (size_t i = 0; i < errors.size(); ++i) msg += (i ? ", " : "") + errors[i].message();
  return Status(errors[0].code(), msg + "]");
}

// mkdir -p; new directories get `mode` (the kubelet makes pod directories 0750).
Status MakeDirs(const std::string& dir, mode_t mode) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  fs::path parent = fs::path(dir).parent_path();
  if (!parent.empty() && parent != fs::path(dir)) MINIK_RETURN_IF_ERROR(MakeDirs(parent, mode));
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return Errno("mkdir", dir, errno);
  return Status::Ok();
}

// Undoes the escapes of /proc/self/mountinfo ("\040" for a space).
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Mount points equal to `dir` or below it, deepest first.
std::vector<std::string> MountPointsUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // "<id> <parent> <maj:min> <root> <mount point> ..."
    size_t pos = 0;
    for (int field = 0; field < 4 && pos != std::string::npos; ++field) {
      pos = line.find(' ', pos);
      if (pos != std::string::npos) ++pos;
    }
    if (pos == std::string::npos) continue;
    size_t end = line.find(' ', pos);
    std::string mp = Unescape(line.substr(pos, end == std::string::npos ? end : end - pos));
    if (mp == dir || mp.rfind(dir + "/", 0) == 0) out.push_back(mp);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() > b.size();
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Canonical(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? p : c.string();
}

bool IsMountPoint(const std::string& dir) {
  std::string c = Canonical(dir);
  for (const std::string& mp : MountPointsUnder(c)) {
    if (mp == c) return true;
  }
  return false;
}

// The directory behind a volume plugin (upstream wraps these in an emptyDir): created 0777,
// on a tmpfs when `memory`. `size_bytes` > 0 bounds the tmpfs.
Status SetUpVolumeDir(const std::string& dir, bool memory, int64_t size_bytes) {
  MINIK_RETURN_IF_ERROR(MakeDirs(fs::path(dir).parent_path(), 0750));
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) return Errno("mkdir", dir, errno);
  if (memory && !IsMountPoint(dir)) {
    std::string opts = "mode=0777";
    if (size_bytes > 0) opts += ",size=" + std::to_string(size_bytes);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
      return Errno("mount tmpfs on", dir, errno);
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Errno("stat", dir, errno);
  if ((st.st_mode & 0777) != 0777 && ::chmod(dir.c_str(), (st.st_mode & 07000) | 0777) != 0) {
    return Errno("chmod", dir, errno);
  }
  return Status::Ok();
}

// volume.SetVolumeOwnership with fsGroupChangePolicy Always: group `gid` on everything,
// g+r (read-only volumes) or g+rw, and setgid + g+x on directories. Symlinks are lchown'd
// but not chmod'ed.
Status SetVolumeOwnership(const std::string& dir, int64_t gid, bool read_only) {
  auto one = [&](const std::string& p) -> Status {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) return Errno("lstat", p, errno);
    if (::lchown(p.c_str(), st.st_uid, static_cast<gid_t>(gid)) != 0) {
      return Errno("chown", p, errno);
    }
    if (S_ISLNK(st.st_mode)) return Status::Ok();
    mode_t mask = read_only ? 0440 : 0660;
    if (S_ISDIR(st.st_mode)) mask |= S_ISGID | 0110;
    if (::chmod(p.c_str(), (st.st_mode & 07777) | mask) != 0) return Errno("chmod", p, errno);
    return Status::Ok();
  };
  MINIK_RETURN_IF_ERROR(one(dir));
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) MINIK_RETURN_IF_ERROR(one(it->path().string()));
  if (ec) return Internal("walk " + dir + ": " + ec.message());
  return Status::Ok();
}

std::optional<int64_t> FsGroup(const Json& pod) {
  const Json* g = Find(pod, {"spec", "securityContext", "fsGroup"});
  if (g && g->is_number_integer()) return g->get<int64_t>();
  return std::nullopt;
}

bool BoolField(const Json& obj, const char* field) {
  const Json* v = Find(obj, {field});
  return v && v->is_boolean() && v->get<bool>();
}

uint32_t ModeField(const Json& obj, const char* field, uint32_t fallback) {
  const Json* v = Find(obj, {field});
  if (v && v->is_number_integer()) return static_cast<uint32_t>(v->get<int64_t>()) & 07777;
  return fallback;
}

// The file type names of hostutil.GetFileType.
std::string FileTypeOf(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "Directory";
  if (S_ISREG(st.st_mode)) return "File";
  if (S_ISSOCK(st.st_mode)) return "Socket";
  if (S_ISCHR(st.st_mode)) return "CharDevice";
  if (S_ISBLK(st.st_mode)) return "BlockDevice";
  return "";
}

// checkType of pkg/volume/hostpath/host_path.go.
Status CheckHostPathType(const std::string& path, const std::string& type) {
  if (type.empty()) return Status::Ok();
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  std::string want, description;
  if (type == "DirectoryOrCreate" || type == "Directory") {
    if (!exists && type == "DirectoryOrCreate") {
      std::error_code ec;
      fs::create_directories(path, ec);
      if (ec) return Internal("mkdir " + path + ": " + ec.message());
      // MkdirAll(path, 0755) under the kubelet's umask: force the documented mode.
      ::chmod(path.c_str(), 0755);
      return Status::Ok();
    }
    want = "Directory", description = "directory";
  } else if (type == "FileOrCreate" || type == "File") {
    if (!exists && type == "FileOrCreate") {
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return Errno("create", path, errno);
      ::close(fd);
      return Status::Ok();
    }
    want = "File", description = "file";
  } else if (type == "Socket") {
    want = "Socket", description = "socket file";
  } else if (type == "CharDevice") {
    want = "CharDevice", description = "character device";
  } else if (type == "BlockDevice") {
    want = "BlockDevice", description = "block device";
  } else {
    return Status(Code::kInvalid, type + " is an invalid volume type");
  }
  if (!exists) return Status(Code::kNotFound, "hostPath " + path + " doesn't exist");
  std::string got = FileTypeOf(st);
  if (got.empty()) {
    return Status(Code::kInvalid, "hostPath type check failed, " + path + " is not a " +
                                      description +
                                      ", unable to determine its type: only recognise file, "
                                      "directory, socket, block device and character devices");
  }
  if (got != want) {
    return Status(Code::kInvalid, "hostPath type check failed: " + path + " is not a " +
                                      description + ", it's a " + got);
  }
  return Status::Ok();
}

// Gets a configMap/secret named by a volume source. nullopt: absent and optional.
// `singular` words the error as the kubelet's object managers do: `configmap "x" not found`.
StatusOr<std::optional<Json>> GetSource(Client& client, const std::string& resource,
                                        const std::string& singular, const std::string& ns,
                                        const std::string& name, bool optional) {
  auto obj = client.Get({"", "v1", resource}, ns, name);
  if (obj.ok()) return std::optional<Json>(std::move(*obj));
  if (obj.status().code() == Code::kNotFound) {
    if (optional) return std::optional<Json>();
    return Reworded(obj.status(), singular + " \"" + name + "\" not found");
  }
  return obj.status();
}

StatusOr<std::string> Base64Decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    int v = val(in[i]);
    if (v < 0) return Status(Code::kInvalid, "illegal base64 data at input byte " + std::to_string(i));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  for (; i < in.size(); ++i) {
    if (in[i] != '=') return Status(Code::kInvalid, "illegal base64 data at input byte " + std::to_string(i));
  }
  return out;
}

// MakePayload of pkg/volume/configmap and pkg/volume/secret: every key (no items) or the
// listed keys; a listed key that is missing is an error unless the source is optional.
// `decode`: the values are base64 (secret data).
StatusOr<Payload> MakeKeyPayload(const Json& items, const Json* data, const Json* binary_data,
                                 uint32_t default_mode, bool optional, bool decode,
                                 const std::string& missing_key_prefix) {
  Payload payload;
  auto value_of = [&](const Json* map, const std::string& key,
                      bool base64) -> StatusOr<std::optional<std::string>> {
    if (!map || !map->is_object()) return std::optional<std::string>();
    auto it = map->find(key);
    if (it == map->end() || !it->is_string()) return std::optional<std::string>();
    if (!base64) return std::optional<std::string>(it->get<std::string>());
    auto d = Base64Decode(it->get<std::string>());
    if (!d.ok()) return Status(Code::kInvalid, "key " + key + ": " + d.status().message());
    return std::optional<std::string>(std::move(*d));
  };
  if (!items.is_array() || items.empty()) {
    for (const Json* map : {data, binary_data}) {
      if (!map || !map->is_object()) continue;
      bool base64 = decode || map == binary_data;
      for (auto it = map->begin(); it != map->end(); ++it) {
        auto v = value_of(map, it.key(), base64);
        if (!v.ok()) return v.status();
        if (*v) payload[it.key()] = FileProjection{std::move(**v), default_mode};
      }
    }
    return payload;
  }
  for (const Json& item : items) {
    std::string key = GetString(item, {"key"});
    auto v = value_of(data, key, decode);
    if (!v.ok()) return v.status();
    if (!*v) {
      v = value_of(binary_data, key, true);
      if (!v.ok()) return v.status();
    }
    if (!*v) {
      if (optional) continue;
      return Status(Code::kInvalid, missing_key_prefix + key);
    }
    payload[GetString(item, {"path"})] =
        FileProjection{std::move(**v), ModeField(item, "mode", default_mode)};
  }
  return payload;
}

StatusOr<Payload> ConfigMapPayload(Client& client, const std::string& ns, const Json& source,
                                   uint32_t default_mode) {
  bool optional = BoolField(source, "optional");
  auto cm = GetSource(client, "configmaps", "configmap", ns, GetString(source, {"name"}),
                      optional);
  if (!cm.ok()) return cm.status();
  Json obj = cm->value_or(Json::object());
  return MakeKeyPayload(source.value("items", Json()), Find(obj, {"data"}),
                        Find(obj, {"binaryData"}), default_mode, optional, false,
                        "configmap references non-existent config key: ");
}

StatusOr<Payload> SecretPayload(Client& client, const std::string& ns, const Json& source,
                                const std::string& name_field, uint32_t default_mode) {
  bool optional = BoolField(source, "optional");
  auto secret = GetSource(client, "secrets", "secret", ns, GetString(source, {name_field.c_str()}),
                          optional);
  if (!secret.ok()) return secret.status();
  Json obj = secret->value_or(Json::object());
  return MakeKeyPayload(source.value("items", Json()), Find(obj, {"data"}), nullptr, default_mode,
                        optional, true, "references non-existent secret key: ");
}

// A container's memory limit in bytes; nullopt when it has none (or it is malformed).
std::optional<int64_t> MemoryLimit(const Json& container) {
  const Json* q = Find(container, {"resources", "limits", "memory"});
  if (!q || !(q->is_string() || q->is_number())) return std::nullopt;
  auto v = res::ParseQuantity(q->is_string() ? q->get<std::string>() : q->dump());
  if (!v || *v <= 0) return std::nullopt;
  return static_cast<int64_t>(std::ceil(*v));
}

// The pod's memory limit as its cgroup gets it (ResourceConfigForPod): the sum over the
// containers, or the largest init container's if that is more; nullopt unless every
// container has a limit.
std::optional<int64_t> PodMemoryLimit(const Json& pod) {
  int64_t sum = 0, init_max = 0;
  const Json* cs = Find(pod, {"spec", "containers"});
  if (!cs || !cs->is_array() || cs->empty()) return std::nullopt;
  for (const Json& c : *cs) {
    auto l = MemoryLimit(c);
    if (!l) return std::nullopt;
    sum += *l;
  }
  if (const Json* init = Find(pod, {"spec", "initContainers"}); init && init->is_array()) {
    for (const Json& c : *init) {
      auto l = MemoryLimit(c);
      if (!l) return std::nullopt;
      init_max = std::max(init_max, *l);
    }
  }
  return std::max(sum, init_max);
}

// The size of a memory-backed volume (calculateEmptyDirMemorySize): the node allocatable,
// lowered to the pod's memory limit and then to the volume's sizeLimit when those are
// smaller. 0: no bound known (the tmpfs default).
StatusOr<int64_t> MemoryVolumeSize(const Json& pod, const Json* empty_dir,
                                   int64_t node_memory_bytes) {
  int64_t size = node_memory_bytes > 0 ? node_memory_bytes : 0;
  auto lower = [&](int64_t v) {
    if (v > 0 && (size == 0 || v < size)) size = v;
  };
  if (auto pod_limit = PodMemoryLimit(pod)) lower(*pod_limit);
  const Json* q = empty_dir ? Find(*empty_dir, {"sizeLimit"}) : nullptr;
  if (q && !q->is_null()) {
    std::string text = q->is_string() ? q->get<std::string>() : q->dump();
    auto v = res::ParseQuantity(text);
    if (!v || *v < 0) return Status(Code::kInvalid, "invalid sizeLimit " + text);
    lower(static_cast<int64_t>(std::ceil(*v)));
  }
  return size;
}

bool ValidPodUid(const std::string& uid) {
  return !uid.empty() && uid != "." && uid != ".." && uid.find('/') == std::string::npos;
}

}  // namespace

VolumeManager::VolumeManager(Client& client, VolumeOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : real_clock_) {}

StatusOr<std::map<std::string, PreparedVolume>> VolumeManager::Prepare(const Json& pod) {
  std::map<std::string, PreparedVolume> out;
  if (!ValidPodUid(Uid(pod))) {
    return Status(Code::kInvalid, "pod " + ObjectKey(pod) + " has no valid metadata.uid");
  }
  const Json* volumes = Find(pod, {"spec", "volumes"});
  if (!volumes || !volumes->is_array()) return out;
  for (const Json& volume : *volumes) {
    std::string name = GetString(volume, {"name"});
    auto prepared = PrepareOne(pod, volume);
    if (!prepared.ok()) {
      return Reworded(prepared.status(), "MountVolume.SetUp failed for volume \"" + name +
                                             "\" : " + prepared.status().message());
    }
    out[name] = std::move(*prepared);
  }
  return out;
}

StatusOr<PreparedVolume> VolumeManager::PrepareOne(const Json& pod, const Json& volume) {
  const std::string uid = Uid(pod), ns = Namespace(pod), name = GetString(volume, {"name"});
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return Status(Code::kInvalid, "invalid volume name " + name);
  }
  const std::string pod_dir = options_.pods_dir + "/" + uid;
  auto dir_of = [&](const char* plugin) { return pod_dir + "/volumes/" + plugin + "/" + name; };
  const std::optional<int64_t> fs_group = FsGroup(pod);
  // Writes an atomic-writer volume; fsGroup ownership is applied to each new version.
  auto write = [&](const std::string& dir, const Payload& payload) -> Status {
    AtomicWriter writer(dir);
    auto written = writer.Write(payload, [&](const std::string& target) -> Status {
      return fs_group ? SetVolumeOwnership(target, *fs_group, true) : Status::Ok();
    });
    return written.status();
  };

  if (const Json* src = Find(volume, {"emptyDir"}); src && src->is_object()) {
    std::string medium = GetString(*src, {"medium"});
    if (medium != "" && medium != "Memory") {
      if (medium.rfind("HugePages", 0) == 0) {
        return NotImplemented("emptyDir medium " + medium + " is not supported by minik");
      }
      return Status(Code::kInvalid, "unknown storage medium \"" + medium + "\"");
    }
    auto size = MemoryVolumeSize(pod, src, options_.node_memory_bytes);
    if (!size.ok()) return size.status();
    std::string dir = dir_of(kEmptyDirPlugin);
    // The ready marker (as upstream, in the plugin's meta dir) makes set-up happen once, so
    // the fsGroup walk does not rerun over user data on every sync.
    std::string ready = pod_dir + "/plugins/" + kEmptyDirPlugin + "/" + name + "/ready";
    std::error_code ec;
    bool set_up = fs::exists(ready, ec) && fs::is_directory(dir, ec) &&
                  (medium != "Memory" || IsMountPoint(dir));
    if (!set_up) {
      MINIK_RETURN_IF_ERROR(SetUpVolumeDir(dir, medium == "Memory", *size));
      if (fs_group) MINIK_RETURN_IF_ERROR(SetVolumeOwnership(dir, *fs_group, false));
      MINIK_RETURN_IF_ERROR(MakeDirs(fs::path(ready).parent_path(), 0750));
      std::ofstream(ready).close();
    }
    return PreparedVolume{dir, false};
  }

  if (const Json* src = Find(volume, {"hostPath"}); src && src->is_object()) {
    std::string path = GetString(*src, {"path"});
    if (path.empty()) return Status(Code::kInvalid, "hostPath.path is required");
    // The API rejects backsteps; a relative path would depend on minik's working directory.
    if (path[0] != '/') return Status(Code::kInvalid, "hostPath " + path + " is not absolute");
    if (("/" + path + "/").find("/../") != std::string::npos) {
      return Status(Code::kInvalid, "hostPath " + path + ": must not contain '..'");
    }
    MINIK_RETURN_IF_ERROR(CheckHostPathType(path, GetString(*src, {"type"})));
    return PreparedVolume{path, false};
  }

  if (const Json* src = Find(volume, {"configMap"}); src && src->is_object()) {
    auto payload = ConfigMapPayload(client_, ns, *src, ModeField(*src, "defaultMode", kDefaultMode));
    if (!payload.ok()) return payload.status();
    std::string dir = dir_of(kConfigMapPlugin);
    MINIK_RETURN_IF_ERROR(SetUpVolumeDir(dir, false, 0));
    MINIK_RETURN_IF_ERROR(write(dir, *payload));
    return PreparedVolume{dir, true};
  }

  if (const Json* src = Find(volume, {"secret"}); src && src->is_object()) {
    auto payload =
        SecretPayload(client_, ns, *src, "secretName", ModeField(*src, "defaultMode", kDefaultMode));
    if (!payload.ok()) return payload.status();
    std::string dir = dir_of(kSecretPlugin);
    auto size = MemoryVolumeSize(pod, nullptr, options_.node_memory_bytes);
    if (!size.ok()) return size.status();
    MINIK_RETURN_IF_ERROR(SetUpVolumeDir(dir, true, *size));
    MINIK_RETURN_IF_ERROR(write(dir, *payload));
    return PreparedVolume{dir, true};
  }

  if (const Json* src = Find(volume, {"downwardAPI"}); src && src->is_object()) {
    auto payload = MakeDownwardApiPayload(pod, src->value("items", Json::array()),
                                          ModeField(*src, "defaultMode", kDefaultMode),
                                          options_.node_cpu_milli, options_.node_memory_bytes);
    if (!payload.ok()) return payload.status();
    std::string dir = dir_of(kDownwardApiPlugin);
    MINIK_RETURN_IF_ERROR(SetUpVolumeDir(dir, false, 0));
    MINIK_RETURN_IF_ERROR(write(dir, *payload));
    return PreparedVolume{dir, true};
  }

  if (const Json* src = Find(volume, {"projected"}); src && src->is_object()) {
    uint32_t default_mode = ModeField(*src, "defaultMode", kDefaultMode);
    Payload payload;
    std::vector<Status> errors;
    auto merge = [&](StatusOr<Payload> part) {
      if (!part.ok()) return errors.push_back(part.status());
      for (auto& [path, file] : *part) payload[path] = std::move(file);
    };
    const Json* sources = Find(*src, {"sources"});
    for (const Json& s : sources && sources->is_array() ? *sources : Json::array()) {
      if (const Json* cm = Find(s, {"configMap"}); cm && cm->is_object()) {
        merge(ConfigMapPayload(client_, ns, *cm, default_mode));
      } else if (const Json* sec = Find(s, {"secret"}); sec && sec->is_object()) {
        merge(SecretPayload(client_, ns, *sec, "name", default_mode));
      } else if (const Json* dapi = Find(s, {"downwardAPI"}); dapi && dapi->is_object()) {
        merge(MakeDownwardApiPayload(pod, dapi->value("items", Json::array()), default_mode,
                                     options_.node_cpu_milli, options_.node_memory_bytes));
      } else if (const Json* tok = Find(s, {"serviceAccountToken"}); tok && tok->is_object()) {
        auto token = ServiceAccountToken(pod, name, *tok);
        if (!token.ok()) {
          errors.push_back(token.status());
          continue;
        }
        // With an fsGroup the token is 0600 and SetVolumeOwnership makes it 0640.
        payload[GetString(*tok, {"path"})] =
            FileProjection{std::move(*token), fs_group ? 0600u : default_mode};
      } else if (Find(s, {"clusterTrustBundle"})) {
        errors.push_back(NotImplemented("projected clusterTrustBundle sources are not supported"));
      } else {
        errors.push_back(Status(Code::kInvalid, "projected volume source without a known type"));
      }
    }
    if (!errors.empty()) return Aggregate(errors);
    std::string dir = dir_of(kProjectedPlugin);
    auto size = MemoryVolumeSize(pod, nullptr, options_.node_memory_bytes);
    if (!size.ok()) return size.status();
    MINIK_RETURN_IF_ERROR(SetUpVolumeDir(dir, true, *size));
    MINIK_RETURN_IF_ERROR(write(dir, payload));
    return PreparedVolume{dir, true};
  }

  if (const Json* src = Find(volume, {"persistentVolumeClaim"}); src && src->is_object()) {
    std::string claim = GetString(*src, {"claimName"});
    std::string prefix = "error processing PVC " + ns + "/" + claim + ": ";
    auto pvc = client_.Get({"", "v1", "persistentvolumeclaims"}, ns, claim);
    if (!pvc.ok()) {
      return Reworded(pvc.status(),
                      prefix + "failed to fetch PVC from API server: " + pvc.status().message());
    }
    if (Find(*pvc, {"metadata", "deletionTimestamp"}) &&
        !Find(*pvc, {"metadata", "deletionTimestamp"})->is_null()) {
      return Status(Code::kInvalid, prefix + "PVC is being deleted");
    }
    std::string pv_name = GetString(*pvc, {"spec", "volumeName"});
    if (GetString(*pvc, {"status", "phase"}) != "Bound") {
      return Status(Code::kInvalid, prefix + "PVC is not bound");
    }
    if (pv_name.empty()) return Status(Code::kInvalid, prefix + "PVC has empty pvc.Spec.VolumeName");
    auto pv = client_.Get({"", "v1", "persistentvolumes"}, "", pv_name);
    if (!pv.ok()) {
      return Reworded(pv.status(), prefix + "failed to fetch PV " + pv_name +
                                       " from API server: " + pv.status().message());
    }
    std::string claim_uid = GetString(*pv, {"spec", "claimRef", "uid"});
    if (!Find(*pv, {"spec", "claimRef"})) {
      return Status(Code::kInvalid, prefix + "found PV object " + pv_name +
                                        " but it has a nil pv.Spec.ClaimRef indicating it is "
                                        "not yet bound to the claim");
    }
    if (claim_uid != Uid(*pvc)) {
      return Status(Code::kInvalid, prefix + "found PV object " + pv_name +
                                        " but its pv.Spec.ClaimRef.UID " + claim_uid +
                                        " does not point to claim.UID " + Uid(*pvc));
    }
    bool read_only = BoolField(*src, "readOnly");
    if (const Json* hp = Find(*pv, {"spec", "hostPath"}); hp && hp->is_object()) {
      std::string path = GetString(*hp, {"path"});
      MINIK_RETURN_IF_ERROR(CheckHostPathType(path, GetString(*hp, {"type"})));
      return PreparedVolume{path, read_only};
    }
    if (const Json* local = Find(*pv, {"spec", "local"}); local && local->is_object()) {
      std::string path = GetString(*local, {"path"});
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) return Errno("stat", path, errno);
      return PreparedVolume{path, read_only};
    }
    return NotImplemented("persistent volume " + pv_name +
                          " is not a hostPath or local volume; minik mounts only those");
  }

  for (auto it = volume.begin(); it != volume.end(); ++it) {
    if (it.key() != "name") {
      return NotImplemented("volume type " + it.key() + " is not supported by minik");
    }
  }
  return Status(Code::kInvalid, "volume has no source");
}

StatusOr<std::string> VolumeManager::ServiceAccountToken(const Json& pod, const std::string& volume,
                                                         const Json& source) {
  const std::string path = GetString(source, {"path"});
  const std::string key = Uid(pod) + "/" + volume + "/" + path;
  const SystemTime now = clock_.Now();
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = tokens_.find(key);
    if (it != tokens_.end() && now < it->second.refresh_at) return it->second.token;
  }
  int64_t seconds = GetInt(source, {"expirationSeconds"}, kDefaultTokenSeconds);
  Json spec = {{"expirationSeconds", seconds},
               {"boundObjectRef",
                {{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", Name(pod)}, {"uid", Uid(pod)}}}};
  std::string audience = GetString(source, {"audience"});
  // No audiences: the API server's default audiences (as upstream sends nil).
  if (!audience.empty()) spec["audiences"] = Json::array({audience});
  std::string sa = GetString(pod, {"spec", "serviceAccountName"});
  if (sa.empty()) sa = "default";
  Json request = {{"apiVersion", "authentication.k8s.io/v1"},
                  {"kind", "TokenRequest"},
                  {"spec", spec}};
  auto created =
      client_.Create({"", "v1", "serviceaccounts"}, Namespace(pod), request, {}, "token", sa);
  if (!created.ok()) {
    // As the kubelet's token manager: a token that has not expired yet is still served.
    std::lock_guard<std::mutex> g(mu_);
    auto it = tokens_.find(key);
    if (it != tokens_.end() && now < it->second.expires) return it->second.token;
    return created.status();
  }
  std::string token = GetString(*created, {"status", "token"});
  if (token.empty()) return Internal("the token request for service account " + sa +
                                     " returned no token");
  // Refresh at 80% of the lifetime, measured from now (the expiry the server gave wins).
  SystemTime expires = now + std::chrono::seconds(seconds);
  SystemTime server_expiry;
  if (ParseRfc3339(GetString(*created, {"status", "expirationTimestamp"}), &server_expiry)) {
    expires = server_expiry;
  }
  SystemTime refresh_at = now + (expires - now) * 8 / 10;
  std::lock_guard<std::mutex> g(mu_);
  tokens_[key] = CachedToken{token, refresh_at, expires};
  return token;
}

Status VolumeManager::Cleanup(const std::string& pod_uid) {
  if (!ValidPodUid(pod_uid)) return Status(Code::kInvalid, "invalid pod uid " + pod_uid);
  {
    std::lock_guard<std::mutex> g(mu_);
    std::string prefix = pod_uid + "/";
    for (auto it = tokens_.lower_bound(prefix);
         it != tokens_.end() && it->first.rfind(prefix, 0) == 0;) {
      it = tokens_.erase(it);
    }
  }
  const std::string root = options_.pods_dir + "/" + pod_uid;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(root, ec))) return Status::Ok();
  const std::string canonical = Canonical(root);
  // Rounds, since a path may carry stacked mounts (each round removes the top one).
  for (int round = 0; round < 8; ++round) {
    std::vector<std::string> mounts = MountPointsUnder(canonical);
    if (mounts.empty()) break;
    for (const std::string& mp : mounts) {
      if (::umount2(mp.c_str(), UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT) {
        // Busy (a process still has a file open): detach, the kernel frees it later.
        if (::umount2(mp.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
          return Errno("unmount", mp, errno);
        }
      }
    }
  }
  // remove_all never follows symlinks, so hostPath sources and anything a symlink in a
  // volume points to stay untouched; refuse if a mount is still below (another fs).
  if (!MountPointsUnder(canonical).empty()) {
    return Internal("cannot remove " + root + ": mounts remain below it");
  }
  fs::remove_all(root, ec);
  if (ec) return Internal("remove " + root + ": " + ec.message());
  return Status::Ok();
}

std::vector<std::string> VolumeManager::ListPodDirs() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(options_.pods_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) out.push_back(it->path().filename());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace minik
