#include "cmd/hostcheck.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <sstream>
#include <string_view>

#include "cmd/fileutil.h"
#include "cmd/process.h"
#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/sys.h"

namespace minik {
namespace {

Status Missing(const std::string& what, const std::string& evidence, const std::string& why,
               const std::string& hint) {
  return Status(Code::kServiceUnavailable,
                what + " is not available (" + evidence + "): minik needs it " + why + "; " + hint);
}

// The names of /proc/filesystems: "nodev\toverlay" and "\text4" lines.
std::set<std::string> Filesystems(const std::string& text) {
  std::set<std::string> out;
  for (const std::string& line : rt::Split(text, '\n')) {
    size_t tab = line.rfind('\t');
    std::string name = tab == std::string::npos ? line : line.substr(tab + 1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.pop_back();
    if (!name.empty()) out.insert(name);
  }
  return out;
}

std::string Trimmed(const std::string& s) {
  size_t end = s.find_last_not_of("\n ");
  return end == std::string::npos ? "" : s.substr(0, end + 1);
}

std::string KernelRelease(const HostRoots& roots) {
  StatusOr<std::string> release = ReadFile(roots.proc + "/sys/kernel/osrelease");
  return release.ok() ? Trimmed(*release) : "";
}

// Can `name` be loaded on demand (mount and iptables autoload their modules)?
bool ModuleAvailable(const HostRoots& roots, const std::string& name) {
  if (StatusOr<std::string> off = ReadFile(roots.proc + "/sys/kernel/modules_disabled");
      off.ok() && Trimmed(*off) == "1") {
    return false;
  }
  std::string release = KernelRelease(roots);
  if (release.empty()) return false;
  // "kernel/fs/overlayfs/overlay.ko.zst: ..." (compressed or not).
  StatusOr<std::string> dep = ReadFile(roots.modules + "/" + release + "/modules.dep");
  return dep.ok() && dep->find("/" + name + ".ko") != std::string::npos;
}

// Calls on_line for every line of `text`; a last line without '\n' is kept in *partial for the
// next chunk (pass nullptr with the final chunk).
void ForEachLine(std::string_view text, std::string* partial,
                 const std::function<void(std::string_view)>& on_line) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (partial != nullptr) {
        partial->append(text.substr(pos));
      } else {
        on_line(text.substr(pos));
      }
      return;
    }
    if (partial != nullptr && !partial->empty()) {
      partial->append(text.substr(pos, nl - pos));
      on_line(*partial);
      partial->clear();
    } else {
      on_line(text.substr(pos, nl - pos));
    }
    pos = nl + 1;
  }
}

// Calls on_line for every line of a gzip file, inflating through a small buffer: the config is
// ~100 KB, and on a VM fresh pages cost more than the inflating. False when the data is corrupt,
// truncated or inflates to more than `limit` bytes.
bool ForEachGzipLine(const std::string& data, size_t limit,
                     const std::function<void(std::string_view)>& on_line) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  char buf[16384];
  std::string partial;
  size_t total = 0;
  int rc = Z_OK;
  while (rc == Z_OK && total <= limit) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof buf - zs.avail_out;
    total += produced;
    if (rc == Z_OK || rc == Z_STREAM_END) ForEachLine({buf, produced}, &partial, on_line);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || total > limit) return false;
  if (!partial.empty()) on_line(partial);
  return true;
}

Status CheckFilesystems(const HostRoots& roots) {
  const std::string path = roots.proc + "/filesystems";
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return Status(Code::kServiceUnavailable,
                  "cannot check the kernel's filesystems: " + text.status().message());
  }
  std::set<std::string> have = Filesystems(*text);
  if (!have.count("overlay") && !ModuleAvailable(roots, "overlay")) {
    return Missing("overlayfs", "no \"overlay\" in " + path, "for container filesystems",
                   "load it with modprobe overlay or use a kernel with CONFIG_OVERLAY_FS");
  }
  struct Fs {
    const char* name;
    const char* why;
    const char* config;
  };
  // The other filesystems rootfs.cc mounts into every container, and cgroup v1.
  static const Fs kOthers[] = {
      {"tmpfs", "for the containers' /dev and /dev/shm", "CONFIG_TMPFS"},
      {"proc", "for the containers' /proc", "CONFIG_PROC_FS"},
      {"sysfs", "for the containers' /sys", "CONFIG_SYSFS"},
      {"devpts", "for the containers' terminals", "CONFIG_UNIX98_PTYS"},
      {"mqueue", "for the containers' /dev/mqueue", "CONFIG_POSIX_MQUEUE"},
      {"cgroup", "for container resource limits (cgroup v1)", "CONFIG_CGROUPS"},
  };
  for (const Fs& fs : kOthers) {
    if (!have.count(fs.name)) {
      return Missing(std::string("filesystem ") + fs.name,
                     std::string("no \"") + fs.name + "\" in " + path, fs.why,
                     std::string("use a kernel with ") + fs.config);
    }
  }
  return Status::Ok();
}

Status CheckNamespaces(const HostRoots& roots) {
  struct Ns {
    const char* name;
    const char* config;
  };
  static const Ns kNamespaces[] = {{"mnt", "CONFIG_NAMESPACES"}, {"pid", "CONFIG_PID_NS"},
                                   {"net", "CONFIG_NET_NS"},     {"uts", "CONFIG_UTS_NS"},
                                   {"ipc", "CONFIG_IPC_NS"},     {"cgroup", "CONFIG_CGROUPS"}};
  for (const Ns& ns : kNamespaces) {
    std::string path = roots.proc + "/self/ns/" + ns.name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      return Missing("the " + std::string(ns.name) + " namespace", "no " + path,
                     "to isolate containers", std::string("use a kernel with ") + ns.config);
    }
  }
  return Status::Ok();
}

// Mount point -> its per-mount options ("rw,relatime"), from mountinfo.
std::string MountOptions(const std::string& mountinfo, const std::string& mount_point) {
  for (const std::string& line : rt::Split(mountinfo, '\n')) {
    std::vector<std::string> f = rt::Split(line, ' ');
    if (f.size() > 5 && f[4] == mount_point) return f[5];
  }
  return "";
}

Status CheckCgroups(const HostRoots& roots) {
  const std::string path = roots.proc + "/self/mountinfo";
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return Status(Code::kServiceUnavailable,
                  "cannot check the cgroup hierarchies: " + text.status().message());
  }
  // The same parser as the runtime's DetectHierarchies, so both agree on what is there.
  std::vector<rt::Hierarchy> all = rt::ParseCgroupMounts(*text);
  bool has_v2 = std::any_of(all.begin(), all.end(), [](const rt::Hierarchy& h) { return h.v2; });
  for (const char* need : {"memory", "cpu", "pids"}) {
    auto it = std::find_if(all.begin(), all.end(), [&](const rt::Hierarchy& h) {
      return !h.v2 &&
             std::find(h.controllers.begin(), h.controllers.end(), need) != h.controllers.end();
    });
    if (it == all.end()) {
      std::string hint =
          has_v2 ? "this host has cgroup v2 without the v1 hierarchies, whose limits minik does "
                   "not support; boot with systemd.unified_cgroup_hierarchy=0"
                 : std::string("mount it with mkdir -p /sys/fs/cgroup/") + need +
                       " && mount -t cgroup -o " + need + " cgroup /sys/fs/cgroup/" + need;
      return Missing(std::string("cgroup v1 controller ") + need,
                     "no cgroup mount with \"" + std::string(need) + "\" in " + path,
                     "for container resource limits", hint);
    }
    std::vector<std::string> opts = rt::Split(MountOptions(*text, it->mount), ',');
    if (std::find(opts.begin(), opts.end(), "ro") != opts.end()) {
      return Missing(std::string("cgroup v1 controller ") + need,
                     it->mount + " is mounted read-only", "to create container cgroups",
                     "remount it read-write (mount -o remount,rw " + it->mount +
                         ") or run minik on the host or in a privileged container");
    }
  }
  return Status::Ok();
}

Status CheckSeccomp(const HostRoots& roots) {
  const std::string path = roots.proc + "/self/status";
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return Status(Code::kServiceUnavailable, "cannot check seccomp: " + text.status().message());
  }
  bool found = false;
  for (const std::string& line : rt::Split(*text, '\n')) {
    if (line.rfind("Seccomp:", 0) == 0) found = true;
  }
  const char* hint = "use a kernel with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER";
  if (!found) {
    return Missing("seccomp", "no Seccomp: line in " + path, "to filter containers' system calls",
                   hint);
  }
  // Listed since Linux 4.14; the profiles deny with SCMP_ACT_ERRNO.
  const std::string actions_path = roots.proc + "/sys/kernel/seccomp/actions_avail";
  StatusOr<std::string> actions = ReadFile(actions_path);
  if (actions.ok()) {
    std::istringstream in(*actions);
    std::string word;
    bool errno_action = false;
    while (in >> word) errno_action = errno_action || word == "errno";
    if (!errno_action) {
      return Missing("seccomp filtering", "no \"errno\" in " + actions_path,
                     "to filter containers' system calls", hint);
    }
  }
  return Status::Ok();
}

Status CheckForwarding(const HostRoots& roots) {
  const std::string path = roots.proc + "/sys/net/ipv4/ip_forward";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Missing("IPv4 forwarding", "no " + path, "to route pod traffic",
                   "use a kernel with CONFIG_INET");
  }
  // Only a read-only /proc/sys stops root (an unprivileged container); access() changes nothing.
  if (::access(path.c_str(), W_OK) != 0 && errno == EROFS) {
    return Missing("IPv4 forwarding", path + " is read-only", "to route pod traffic",
                   "run minik on the host or in a privileged container");
  }
  return Status::Ok();
}

// Notes a config line "# CONFIG_X is not set" when X is one of `wanted`.
void NoteNotSet(std::string_view line, const std::vector<std::string_view>& wanted,
                std::set<std::string>* not_set) {
  constexpr std::string_view kSuffix = " is not set";
  if (line.size() <= 2 + kSuffix.size() || line[0] != '#' ||
      line.substr(line.size() - kSuffix.size()) != kSuffix) {
    return;
  }
  std::string_view name = line.substr(2, line.size() - 2 - kSuffix.size());
  if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) {
    not_set->insert(std::string(name));
  }
}

Status CheckKernelConfig(const HostRoots& roots) {
  struct Option {
    const char* name;
    const char* what;
    const char* why;
  };
  static const Option kOptions[] = {
      {"CONFIG_VETH", "virtual ethernet pairs (veth)", "to connect pods to their bridge"},
      {"CONFIG_BRIDGE", "the bridge device", "for the pod network"},
      {"CONFIG_NF_CONNTRACK", "connection tracking", "for Services and pod egress"},
      {"CONFIG_NF_NAT", "NAT", "for Services and pod egress"},
      {"CONFIG_NETFILTER_XT_NAT", "the iptables DNAT target", "for Services"},
      {"CONFIG_NETFILTER_XT_TARGET_MASQUERADE", "the iptables MASQUERADE target",
       "for pod egress and NodePorts"},
      {"CONFIG_NETFILTER_XT_MARK", "the iptables mark match and MARK target",
       "for hairpin Service traffic"},
      {"CONFIG_NETFILTER_XT_MATCH_ADDRTYPE", "the iptables addrtype match", "for NodePorts"},
      {"CONFIG_NETFILTER_XT_MATCH_COMMENT", "the iptables comment match", "for its rules"},
      {"CONFIG_NETFILTER_XT_MATCH_CONNTRACK", "the iptables conntrack match", "for its rules"},
      {"CONFIG_NETFILTER_XT_MATCH_RECENT", "the iptables recent match", "for Service affinity"},
      {"CONFIG_NETFILTER_XT_MATCH_STATISTIC", "the iptables statistic match",
       "to balance Services over endpoints"},
      {"CONFIG_IP_NF_TARGET_REJECT", "the iptables REJECT target",
       "for Services without endpoints"},
  };
  std::vector<std::string_view> wanted;
  for (const Option& o : kOptions) wanted.push_back(o.name);
  std::set<std::string> not_set;
  auto on_line = [&](std::string_view line) { NoteNotSet(line, wanted, &not_set); };

  std::string source = roots.proc + "/config.gz";
  if (StatusOr<std::string> gz = ReadFile(source); gz.ok()) {
    if (!ForEachGzipLine(*gz, 8 << 20, on_line)) return Status::Ok();  // nothing to go by
  } else {
    std::string release = KernelRelease(roots);
    source = roots.boot + "/config-" + release;
    StatusOr<std::string> plain = ReadFile(source);
    if (release.empty() || !plain.ok()) return Status::Ok();  // nothing to go by
    ForEachLine(*plain, nullptr, on_line);
  }
  for (const Option& o : kOptions) {
    if (not_set.count(o.name)) {
      return Missing(o.what, std::string("# ") + o.name + " is not set in " + source, o.why,
                     std::string("use a kernel with ") + o.name);
    }
  }
  return Status::Ok();
}

bool Executable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

Status CheckPrograms(const HostRoots& roots) {
  std::vector<std::string> dirs = roots.bin_dirs;
  for (const std::string& d : rt::Split(roots.path_env, ':')) dirs.push_back(d);
  struct Program {
    const char* name;
    const char* why;
    const char* package;
  };
  static const Program kPrograms[] = {
      {"iptables-save", "for pod networking and Services", "iptables"},
      {"iptables-restore", "for pod networking and Services", "iptables"},
      {"conntrack", "to drop stale Service connections", "conntrack"},
  };
  for (const Program& p : kPrograms) {
    bool found = std::any_of(dirs.begin(), dirs.end(),
                             [&](const std::string& d) { return Executable(d + "/" + p.name); });
    if (!found) {
      std::string searched;
      for (const std::string& d : dirs) searched += (searched.empty() ? "" : ":") + d;
      return Missing(std::string("the program ") + p.name,
                     "no executable " + std::string(p.name) + " in " + searched, p.why,
                     std::string("apt-get install ") + p.package + " (or scripts/install-deps)");
    }
  }
  return Status::Ok();
}

// /proc/net/tcp{,6} addresses are the raw network-order words printed as host-order hex.
bool ParseProcAddress(const std::string& hex, std::vector<uint8_t>* bytes) {
  if (hex.size() != 8 && hex.size() != 32) return false;
  bytes->assign(hex.size() / 2, 0);
  for (size_t i = 0; i < hex.size(); i += 8) {
    char* end = nullptr;
    std::string word_hex = hex.substr(i, 8);
    unsigned long word = std::strtoul(word_hex.c_str(), &end, 16);
    if (end != word_hex.c_str() + 8) return false;
    uint32_t w = static_cast<uint32_t>(word);
    std::memcpy(bytes->data() + i / 2, &w, 4);
  }
  return true;
}

// Would a listener on this address stop a bind of 127.0.0.1?
bool CoversLoopback(const std::vector<uint8_t>& a) {
  static const std::array<uint8_t, 4> kLoopback = {127, 0, 0, 1};
  if (a.size() == 4) {
    return std::equal(a.begin(), a.end(), kLoopback.begin()) ||
           std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
  }
  if (std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; })) return true;  // ::
  // ::ffff:127.0.0.1
  bool mapped = std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; }) &&
                a[10] == 0xff && a[11] == 0xff;
  return mapped && std::equal(a.begin() + 12, a.end(), kLoopback.begin());
}

// Inodes of LISTEN (state 0A) sockets on `port` covering 127.0.0.1, from one tcp table.
void ListenInodes(const std::string& table, int port, std::set<std::string>* inodes) {
  std::vector<std::string> lines = rt::Split(table, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
    std::istringstream in(lines[i]);
    std::vector<std::string> f;
    std::string field;
    while (f.size() < 10 && in >> field) f.push_back(field);
    if (f.size() < 10 || f[3] != "0A") continue;
    size_t colon = f[1].find(':');
    if (colon == std::string::npos) continue;
    char* end = nullptr;
    std::string port_hex = f[1].substr(colon + 1);
    unsigned long p = std::strtoul(port_hex.c_str(), &end, 16);
    if (port_hex.empty() || *end != '\0' || static_cast<int>(p) != port) continue;
    std::vector<uint8_t> addr;
    if (!ParseProcAddress(f[1].substr(0, colon), &addr) || !CoversLoopback(addr)) continue;
    if (f[9] != "0") inodes->insert(f[9]);
  }
}

bool AllDigits(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

// Does <pid_dir>/fd hold one of the sockets? ("socket:[123]" links.)
bool HoldsSocket(const std::string& pid_dir, const std::set<std::string>& links) {
  DIR* fds = ::opendir((pid_dir + "/fd").c_str());
  if (fds == nullptr) return false;  // gone, or not ours to read
  bool hit = false;
  char target[64];
  while (!hit) {
    dirent* e = ::readdir(fds);
    if (e == nullptr) break;
    ssize_t n = ::readlinkat(::dirfd(fds), e->d_name, target, sizeof target - 1);
    if (n <= 0) continue;
    hit = links.count(std::string(target, static_cast<size_t>(n))) > 0;
  }
  ::closedir(fds);
  return hit;
}

// comm, or for a program re-executed through /proc/self/exe (whose comm is "exe", as a
// `minik server` spawned by `minik start` is) its command line, which says which one it is.
std::string ProcessName(const std::string& pid_dir) {
  std::string comm;
  if (StatusOr<std::string> c = ReadFile(pid_dir + "/comm"); c.ok()) comm = *c;
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == ' ')) comm.pop_back();
  if (comm != "exe") return comm;
  StatusOr<std::string> cmdline = ReadFile(pid_dir + "/cmdline");
  if (!cmdline.ok()) return comm;
  std::string line;
  for (const std::string& arg : rt::Split(*cmdline, '\0')) line += (line.empty() ? "" : " ") + arg;
  constexpr size_t kMax = 60;
  if (line.size() > kMax) line = line.substr(0, kMax - 3) + "...";
  return line.empty() ? comm : line;
}

}  // namespace

std::string HostRoots::DefaultPathEnv() {
  const char* path = std::getenv("PATH");
  return path ? path : "";
}

Status CheckHost(const HostRoots& roots) {
  MINIK_RETURN_IF_ERROR(CheckFilesystems(roots));
  MINIK_RETURN_IF_ERROR(CheckNamespaces(roots));
  MINIK_RETURN_IF_ERROR(CheckCgroups(roots));
  MINIK_RETURN_IF_ERROR(CheckSeccomp(roots));
  MINIK_RETURN_IF_ERROR(CheckForwarding(roots));
  MINIK_RETURN_IF_ERROR(CheckKernelConfig(roots));
  MINIK_RETURN_IF_ERROR(CheckPrograms(roots));
  return Status::Ok();
}

std::vector<std::string> HostWarnings(const HostRoots& roots) {
  std::vector<std::string> out;
  // bridge_network.cc sets it to 1 when present and only warns when absent.
  const std::string brnf = roots.proc + "/sys/net/bridge/bridge-nf-call-iptables";
  struct stat st;
  if (::stat(brnf.c_str(), &st) != 0) {
    out.push_back("no " + brnf +
                  " (br_netfilter not loaded): pod-to-service traffic between pods on one "
                  "bridge will fail; load it with modprobe br_netfilter");
  }
  return out;
}

std::string PortHolder(int port, const HostRoots& roots) {
  std::set<std::string> inodes;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    StatusOr<std::string> text = ReadFile(roots.proc + table);
    if (text.ok()) ListenInodes(*text, port, &inodes);
  }
  if (inodes.empty()) return "";
  std::set<std::string> links;
  for (const std::string& inode : inodes) links.insert("socket:[" + inode + "]");

  DIR* proc = ::opendir(roots.proc.c_str());
  if (proc == nullptr) return "";
  std::string holder;
  while (holder.empty()) {
    dirent* e = ::readdir(proc);
    if (e == nullptr) break;
    if (!AllDigits(e->d_name)) continue;
    const std::string pid_dir = roots.proc + "/" + e->d_name;
    if (!HoldsSocket(pid_dir, links)) continue;  // stops at the first process that holds one
    std::string name = ProcessName(pid_dir);
    holder = name.empty() ? std::string("pid ") + e->d_name : name + " (pid " + e->d_name + ")";
  }
  ::closedir(proc);
  return holder;
}

StatusOr<int> FindFreePort(int from, const std::set<int>& reserved) {
  if (from < 1 || from > 65535) {
    return BadRequest("port " + std::to_string(from) + " is not a port from 1 to 65535");
  }
  const int last = std::min(from + 100, 65535);
  for (int p = from; p <= last; ++p) {
    if (reserved.count(p)) continue;
    if (CheckPortFree("127.0.0.1", p).ok()) return p;
  }
  return Status(
      Code::kServiceUnavailable,
      "no free port on 127.0.0.1 from " + std::to_string(from) + " to " + std::to_string(last));
}

Status CheckApiPort(int port, const HostRoots& roots, const std::set<int>& reserved) {
  Status st = CheckPortFree("127.0.0.1", port);
  if (st.ok() || st.code() != Code::kServiceUnavailable) return st;
  std::string holder = PortHolder(port, roots);
  std::string msg = "API port " + std::to_string(port) + " is in use by " +
                    (holder.empty() ? "another program" : holder) + ": stop it, or start with ";
  std::set<int> skip = reserved;
  skip.insert(port);
  StatusOr<int> free_port = port < 65535 ? FindFreePort(port + 1, skip) : FindFreePort(1024, skip);
  if (free_port.ok()) {
    msg += "--api-port " + std::to_string(*free_port) + " (free now)";
  } else {
    msg += "--api-port N for a free port N";
  }
  return Status(Code::kServiceUnavailable, msg);
}

}  // namespace minik
