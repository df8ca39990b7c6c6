#include "kubelet/runtime/cgroups.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

const char* const kManaged[] = {"memory", "cpu", "cpuacct", "pids", "devices"};

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::vector<Hierarchy> ParseCgroupMounts(const std::string& mountinfo) {
  std::vector<Hierarchy> out;
  for (const std::string& line : Split(mountinfo, '\n')) {
    std::vector<std::string> f = Split(line, ' ');
    size_t dash = std::find(f.begin(), f.end(), "-") - f.begin();
    if (f.size() < 5 || dash + 3 >= f.size()) continue;
    const std::string& fstype = f[dash + 1];
    const std::string& mount = f[4];
    if (fstype == "cgroup2") {
      Hierarchy h;
      h.mount = mount;
      h.v2 = true;
      out.push_back(h);
    } else if (fstype == "cgroup") {
      Hierarchy h;
      h.mount = mount;
      for (const std::string& opt : Split(f[dash + 3], ',')) {
        for (const char* c : kManaged) {
          if (opt == c) h.controllers.push_back(opt);
        }
      }
      if (!h.controllers.empty()) out.push_back(h);
    }
  }
  return out;
}

StatusOr<std::vector<Hierarchy>> DetectHierarchies() {
  auto text = ReadFile("/proc/self/mountinfo");
  if (!text.ok()) return text.status();
  std::vector<Hierarchy> all = ParseCgroupMounts(*text);
  std::vector<Hierarchy> out;
  bool have_v1 = false;
  for (const Hierarchy& h : all) {
    if (h.v2) continue;
    // A controller may be mounted twice (bind mounts); keep the first.
    bool dup = std::any_of(out.begin(), out.end(), [&](const Hierarchy& o) {
      return o.controllers == h.controllers;
    });
    if (!dup) {
      out.push_back(h);
      have_v1 = true;
    }
  }
  for (const char* need : {"memory", "cpu", "pids"}) {
    bool found = std::any_of(out.begin(), out.end(),
                             [&](const Hierarchy& h) { return Has(h.controllers, need); });
    if (!found) {
      return Status(Code::kServiceUnavailable,
                    std::string("cgroup v1 controller ") + need +
                        " is not mounted (cgroup v2 limits are not supported on this host)");
    }
  }
  for (const Hierarchy& h : all) {
    if (h.v2 && have_v1) {
      out.push_back(h);  // hybrid: the v2 tree only for cgroup.kill
      break;
    }
  }
  return out;
}

StatusOr<std::string> CgroupPath(const std::string& root, const std::string& parent,
                                 const std::string& id) {
  std::string out;
  for (const std::string* part : {&root, &parent, &id}) {
    for (const std::string& piece : Split(*part, '/')) {
      if (piece == ".") continue;
      if (piece == "..") return BadRequest("cgroup path \"" + *part + "\" contains \"..\"");
      if (!out.empty()) out += '/';
      out += piece;
    }
  }
  if (out.empty()) return BadRequest("empty cgroup path");
  return out;
}

std::string Cgroup::Dir(const std::string& controller) const {
  for (const Hierarchy& h : hierarchies_) {
    if (controller.empty() ? h.v2 : Has(h.controllers, controller)) return h.mount + "/" + rel_;
  }
  return "";
}

Status Cgroup::Create() const {
  for (const Hierarchy& h : hierarchies_) MINIK_RETURN_IF_ERROR(MkdirAll(h.mount + "/" + rel_));
  return Status::Ok();
}

Status Cgroup::ApplyResources(const ResourceSpec& r) const {
  std::string mem = Dir("memory"), cpu = Dir("cpu"), pids = Dir("pids");
  if (r.memory_limit_bytes > 0) {
    MINIK_RETURN_IF_ERROR(
        WriteFile(mem + "/memory.limit_in_bytes", std::to_string(r.memory_limit_bytes)));
  }
  if (r.cpu_shares > 0) {
    MINIK_RETURN_IF_ERROR(
        WriteFile(cpu + "/cpu.shares", std::to_string(std::max<int64_t>(r.cpu_shares, 2))));
  }
  if (r.cpu_quota_us > 0) {
    int64_t period = r.cpu_period_us > 0 ? r.cpu_period_us : 100000;
    MINIK_RETURN_IF_ERROR(WriteFile(cpu + "/cpu.cfs_period_us", std::to_string(period)));
    // The kernel's minimum quota is 1 ms.
    MINIK_RETURN_IF_ERROR(WriteFile(cpu + "/cpu.cfs_quota_us",
                                    std::to_string(std::max<int64_t>(r.cpu_quota_us, 1000))));
  }
  if (r.pids_limit > 0) {
    MINIK_RETURN_IF_ERROR(WriteFile(pids + "/pids.max", std::to_string(r.pids_limit)));
  }
  return Status::Ok();
}

Status Cgroup::RestrictDevices() const {
  std::string dev = Dir("devices");
  if (dev.empty()) return Status::Ok();
  MINIK_RETURN_IF_ERROR(WriteFile(dev + "/devices.deny", "a"));
  for (const char* rule : {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
                           "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm",
                           "c 136:* rwm", "c 10:200 rwm"}) {
    MINIK_RETURN_IF_ERROR(WriteFile(dev + "/devices.allow", rule));
  }
  return Status::Ok();
}

Status Cgroup::Join(int pid) const {
  std::string p = std::to_string(pid);
  for (const Hierarchy& h : hierarchies_) {
    MINIK_RETURN_IF_ERROR(WriteFile(h.mount + "/" + rel_ + "/cgroup.procs", p));
  }
  return Status::Ok();
}

std::vector<int> Cgroup::Procs() const {
  std::vector<int> out;
  for (const Hierarchy& h : hierarchies_) {
    auto text = ReadFile(h.mount + "/" + rel_ + "/cgroup.procs");
    if (!text.ok()) continue;
    for (const std::string& line : Split(*text, '\n')) {
      int pid = std::atoi(line.c_str());
      if (pid > 0 && std::find(out.begin(), out.end(), pid) == out.end()) out.push_back(pid);
    }
  }
  return out;
}

void Cgroup::KillAll() const {
  std::string v2 = Dir("");
  if (!v2.empty()) (void)WriteFile(v2 + "/cgroup.kill", "1");
  for (int pid : Procs()) ::kill(pid, SIGKILL);
}

Status Cgroup::Remove(int timeout_ms) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (const Hierarchy& h : hierarchies_) {
    std::string dir = h.mount + "/" + rel_;
    for (;;) {
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline) {
        return Errno("remove cgroup " + dir, errno);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return Status::Ok();
}

void Cgroup::RemoveEmptyAncestors(size_t keep) const {
  std::vector<std::string> pieces = Split(rel_, '/');
  for (size_t n = pieces.size(); n-- > std::max<size_t>(keep, 1);) {
    std::string rel;
    for (size_t i = 0; i < n; ++i) rel += (i ? "/" : "") + pieces[i];
    bool removed = false;
    for (const Hierarchy& h : hierarchies_) {
      if (::rmdir((h.mount + "/" + rel).c_str()) == 0 || errno == ENOENT) removed = true;
    }
    if (!removed) return;
  }
}

static void SubCgroups(const std::string& host_dir, const std::string& rel,
                       std::vector<std::string>* out) {
  DIR* d = ::opendir(host_dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> children;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") children.push_back(name);
  }
  ::closedir(d);
  for (const std::string& c : children) SubCgroups(host_dir + "/" + c, rel + "/" + c, out);
  out->push_back(rel);  // children first
}

Status RemoveCgroupTree(const std::vector<Hierarchy>& hierarchies, const std::string& rel,
                        int timeout_ms) {
  std::vector<std::string> all;
  for (const Hierarchy& h : hierarchies) {
    std::vector<std::string> rels;
    SubCgroups(h.mount + "/" + rel, rel, &rels);
    for (const std::string& r : rels) {
      if (std::find(all.begin(), all.end(), r) == all.end()) all.push_back(r);
    }
  }
  // Deepest first: a cgroup cannot be removed while it has children.
  std::stable_sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  for (const std::string& r : all) Cgroup(hierarchies, r).KillAll();
  for (const std::string& r : all) MINIK_RETURN_IF_ERROR(Cgroup(hierarchies, r).Remove(timeout_ms));
  return Status::Ok();
}

uint64_t Cgroup::OomKillCount() const {
  std::string mem = Dir("memory");
  if (mem.empty()) return 0;
  auto text = ReadFile(mem + "/memory.oom_control");
  if (!text.ok()) return 0;
  size_t pos = text->find("oom_kill ");
  if (pos == std::string::npos) return 0;
  return std::strtoull(text->c_str() + pos + 9, nullptr, 10);
}

}  // namespace minik::rt
