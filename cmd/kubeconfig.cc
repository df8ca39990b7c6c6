#include "cmd/kubeconfig.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include "cmd/fileutil.h"
#include "cmd/pki.h"

namespace minik {
namespace {

// yaml-cpp forgets that a scalar was quoted: `value: "true"` would come back as the boolean
// `true` and break kubectl's decoding (exec plugin env values, namespaces like "123"). So the
// file is emitted by hand: string scalars (quoted in the source, or written by us) are quoted
// whenever YAML 1.1 (what Go's yaml reads) would resolve their plain form to something else.
bool PlainWouldNotBeString(const std::string& s) {
  if (s.empty()) return true;
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const char* kWords[] = {"true", "false", "yes", "no",   "on",    "off",   "y",
                                 "n",    "null",  "~",   ".inf", "-.inf", "+.inf", ".nan"};
  for (const char* w : kWords) {
    if (lower == w) return true;
  }
  unsigned char c0 = static_cast<unsigned char>(s[0]);
  if (std::isdigit(c0)) return true;
  if ((s[0] == '-' || s[0] == '+' || s[0] == '.') && s.size() > 1 &&
      std::isdigit(static_cast<unsigned char>(s[1]))) {
    return true;
  }
  return false;
}

void Emit(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out << YAML::Null;
      return;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const std::string& value = node.Scalar();
      if (tag == "?") {  // plain in the source: its meaning is its text
        out << value;
      } else if (tag.empty() || tag == "!" || tag == "tag:yaml.org,2002:str") {
        if (PlainWouldNotBeString(value)) out << YAML::DoubleQuoted;
        out << value;
      } else {
        out << YAML::VerbatimTag(tag) << value;
      }
      return;
    }
    case YAML::NodeType::Sequence:
      if (node.size() == 0 || node.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Map:
      if (node.size() == 0 || node.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        Emit(out, kv.first);
        out << YAML::Value;
        Emit(out, kv.second);
      }
      out << YAML::EndMap;
      return;
  }
}

std::string EmitDocument(const YAML::Node& root) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, root);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

// Reads never use operator[]: on a const node a missing key yields a "zombie" that throws on
// use, and on a non-const node it inserts (or turns a list into a map).
std::optional<YAML::Node> Child(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return std::nullopt;
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return std::nullopt;
}

std::string ChildScalar(const YAML::Node& map, const std::string& key) {
  auto c = Child(map, key);
  return c && c->IsScalar() ? c->Scalar() : "";
}

StatusOr<YAML::Node> ParseConfig(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("malformed kubeconfig: ") + e.what());
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) return BadRequest("malformed kubeconfig: the document is not a mapping");
  for (const char* list : {"clusters", "users", "contexts"}) {
    auto l = Child(root, list);
    if (!l || l->IsNull()) {
      root[list] = YAML::Node(YAML::NodeType::Sequence);
    } else if (!l->IsSequence()) {
      return BadRequest(std::string("malformed kubeconfig: ") + list + " is not a list");
    }
  }
  return root;
}

std::string EntryName(const YAML::Node& item) { return ChildScalar(item, "name"); }

// Replaces the item named `name` in root[list] (keeping its position), or appends it.
void UpsertNamed(YAML::Node root, const char* list, const std::string& name, YAML::Node item) {
  YAML::Node seq = root[list];
  YAML::Node rebuilt(YAML::NodeType::Sequence);
  bool replaced = false;
  for (const auto& existing : seq) {
    if (EntryName(existing) == name) {
      if (!replaced) rebuilt.push_back(item);  // duplicates collapse into one
      replaced = true;
    } else {
      rebuilt.push_back(existing);
    }
  }
  if (!replaced) rebuilt.push_back(item);
  root[list] = rebuilt;
}

bool RemoveNamed(YAML::Node root, const char* list, const std::string& name) {
  YAML::Node rebuilt(YAML::NodeType::Sequence);
  bool removed = false;
  for (const auto& existing : root[list]) {
    if (EntryName(existing) == name) {
      removed = true;
    } else {
      rebuilt.push_back(existing);
    }
  }
  if (removed) root[list] = rebuilt;
  return removed;
}

YAML::Node Named(const std::string& name, const char* key, YAML::Node body) {
  YAML::Node n(YAML::NodeType::Map);
  n["name"] = name;
  n[key] = body;
  return n;
}

void AddEntry(YAML::Node root, const KubeconfigEntry& e) {
  std::string user = e.user_name.empty() ? e.name : e.user_name;
  YAML::Node cluster(YAML::NodeType::Map);
  cluster["certificate-authority-data"] = Base64Encode(e.ca_pem);
  cluster["server"] = e.server;
  YAML::Node creds(YAML::NodeType::Map);
  creds["client-certificate-data"] = Base64Encode(e.client_cert_pem);
  creds["client-key-data"] = Base64Encode(e.client_key_pem);
  YAML::Node context(YAML::NodeType::Map);
  context["cluster"] = e.name;
  context["user"] = user;
  UpsertNamed(root, "clusters", e.name, Named(e.name, "cluster", cluster));
  UpsertNamed(root, "users", user, Named(user, "user", creds));
  UpsertNamed(root, "contexts", e.name, Named(e.name, "context", context));
  root["current-context"] = e.name;
}

std::optional<YAML::Node> FindNamed(const YAML::Node& root, const char* list,
                                    const std::string& name) {
  auto seq = Child(root, list);
  if (seq && seq->IsSequence()) {
    for (const auto& item : *seq) {
      if (EntryName(item) == name) return item;
    }
  }
  return std::nullopt;
}

std::string ScalarAt(const YAML::Node& n, const char* a, const char* b) {
  auto inner = Child(n, a);
  return inner ? ChildScalar(*inner, b) : "";
}

std::string UserHome() {
  const char* h = std::getenv("HOME");
  if (h && *h) return h;
  if (struct passwd* pw = getpwuid(geteuid()); pw && pw->pw_dir) return pw->pw_dir;
  return "/";
}

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// kubectl's (client-go's) lock protocol: `path.lock` created with O_EXCL, removed after.
class KubeconfigLock {
 public:
  static StatusOr<std::unique_ptr<KubeconfigLock>> Acquire(const std::string& path) {
    std::string lock = path + ".lock";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      int fd = open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0) {
        close(fd);
        return std::unique_ptr<KubeconfigLock>(new KubeconfigLock(lock));
      }
      if (errno != EEXIST) {
        return Internal("cannot create " + lock + ": " + std::strerror(errno));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Status(Code::kConflict, lock +
                                           " exists: another program is writing the "
                                           "kubeconfig (remove the file if none is)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~KubeconfigLock() { unlink(lock_.c_str()); }

 private:
  explicit KubeconfigLock(std::string lock) : lock_(std::move(lock)) {}
  std::string lock_;
};

// Follows a symlinked kubeconfig so that the link survives the atomic rename.
std::string ResolvePath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

template <typename Fn>
Status RewriteFile(const std::string& path, bool create, Fn transform) {
  std::string real = ResolvePath(path);
  if (create) {
    // A new directory in a user's home is given to that user, as kubectl would have made it.
    std::string dir = DirOf(real);
    if (!PathExists(dir)) {
      MINIK_RETURN_IF_ERROR(MakeDirs(dir, 0755));
      struct stat parent;
      if (stat(DirOf(dir).c_str(), &parent) == 0 && geteuid() == 0 && parent.st_uid != 0) {
        if (chown(dir.c_str(), parent.st_uid, parent.st_gid) != 0) {
          return Internal("cannot chown " + dir + ": " + std::strerror(errno));
        }
      }
    }
  } else if (!PathExists(real)) {
    return Status::Ok();
  }
  auto lock = KubeconfigLock::Acquire(real);
  if (!lock.ok()) return lock.status();
  auto text = ReadFile(real);
  if (!text.ok() && text.status().code() != Code::kNotFound) return text.status();
  bool existed = text.ok();
  std::string old = existed ? *text : "";
  bool changed = true;
  auto updated = transform(old, &changed);
  if (!updated.ok())
    return Status(updated.status().code(), real + ": " + updated.status().message());
  if (!changed || (existed && *updated == old)) return Status::Ok();
  MINIK_RETURN_IF_ERROR(WriteFileAtomic(real, *updated, 0600));
  if (!existed && geteuid() == 0) {
    // Created by `sudo minik start` in someone's home: the file belongs to its directory's
    // owner, or kubectl run by that user could not read it.
    struct stat dir;
    if (stat(DirOf(real).c_str(), &dir) == 0 && dir.st_uid != 0) {
      if (chown(real.c_str(), dir.st_uid, dir.st_gid) != 0) {
        return Internal("cannot chown " + real + ": " + std::strerror(errno));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DefaultKubeconfigPath() {
  const char* env = std::getenv("KUBECONFIG");
  if (env && *env) {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = list.find(':', start);
      std::string item =
          list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!item.empty()) return item;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  return UserHome() + "/.kube/config";
}

StatusOr<std::string> UpsertKubeconfigText(const std::string& existing,
                                           const KubeconfigEntry& entry) {
  auto root = ParseConfig(existing);
  if (!root.ok()) return root.status();
  YAML::Node r = *root;
  try {
    if (!Child(r, "apiVersion")) r["apiVersion"] = "v1";
    if (!Child(r, "kind")) r["kind"] = "Config";
    if (!Child(r, "preferences")) r["preferences"] = YAML::Node(YAML::NodeType::Map);
    AddEntry(r, entry);
    return EmitDocument(r);
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("malformed kubeconfig: ") + e.what());
  }
}

StatusOr<std::string> RemoveKubeconfigText(const std::string& existing, const std::string& name,
                                           bool* changed,
                                           const std::vector<std::string>& fallbacks) {
  auto root = ParseConfig(existing);
  if (!root.ok()) return root.status();
  YAML::Node r = *root;
  try {
    // The user entry is the one our context names (it is `name` unless renamed).
    std::string user = name;
    if (auto ctx = FindNamed(r, "contexts", name)) {
      std::string u = ScalarAt(*ctx, "context", "user");
      if (!u.empty()) user = u;
    }
    bool any = RemoveNamed(r, "clusters", name);
    any = RemoveNamed(r, "users", user) || any;
    any = RemoveNamed(r, "contexts", name) || any;
    if (ChildScalar(r, "current-context") == name) {
      std::string next;
      for (const auto& f : fallbacks) {
        if (f != name && FindNamed(r, "contexts", f)) {
          next = f;
          break;
        }
      }
      r["current-context"] = next;
      any = true;
    }
    if (changed) *changed = any;
    return EmitDocument(r);
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("malformed kubeconfig: ") + e.what());
  }
}

std::string RenderKubeconfig(const KubeconfigEntry& entry) {
  auto text = UpsertKubeconfigText("", entry);
  return text.ok() ? *text : "";  // an empty document cannot fail to parse
}

bool KubeconfigHasContext(const std::string& text, const std::string& name,
                          const std::string& server) {
  auto root = ParseConfig(text);
  if (!root.ok()) return false;
  auto ctx = FindNamed(*root, "contexts", name);
  if (!ctx || ScalarAt(*ctx, "context", "cluster") != name) return false;
  auto cluster = FindNamed(*root, "clusters", name);
  return cluster && ScalarAt(*cluster, "cluster", "server") == server;
}

Status UpsertKubeconfigFile(const std::string& path, const KubeconfigEntry& entry) {
  return RewriteFile(
      path, true, [&](const std::string& old, bool*) { return UpsertKubeconfigText(old, entry); });
}

Status RemoveFromKubeconfigFile(const std::string& path, const std::string& name,
                                const std::vector<std::string>& fallbacks) {
  return RewriteFile(path, false, [&](const std::string& old, bool* changed) {
    return RemoveKubeconfigText(old, name, changed, fallbacks);
  });
}

}  // namespace minik
