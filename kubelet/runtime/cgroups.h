// cgroups of one pod or container. On this kind of host (see host-kernel.md) limits live in
// the v1 hierarchies memory, cpu, pids (plus cpuacct for accounting and devices for the
// device allow-list); the v2 hierarchy, when mounted beside them without controllers, is
// joined too because it offers cgroup.kill. A cgroup is "<cgroup_root>/<cgroup_parent>/<id>"
// in every hierarchy. Hierarchies are found in /proc/self/mountinfo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet/runtime/runtime.h"

namespace minik::rt {

struct Hierarchy {
  std::vector<std::string> controllers;  // {"memory"}, {"cpu","cpuacct"}, {} for v2
  std::string mount;                     // /sys/fs/cgroup/memory
  bool v2 = false;
};

// The hierarchies we use, from /proc/self/mountinfo. Error when memory, cpu or pids is missing.
StatusOr<std::vector<Hierarchy>> DetectHierarchies();
// Parses mountinfo text (for tests).
std::vector<Hierarchy> ParseCgroupMounts(const std::string& mountinfo);

// "<root>/<parent>/<id>" without empty or "." pieces; BadRequest on "..".
StatusOr<std::string> CgroupPath(const std::string& root, const std::string& parent,
                                 const std::string& id);

class Cgroup {
 public:
  Cgroup(std::vector<Hierarchy> hierarchies, std::string rel)
      : hierarchies_(std::move(hierarchies)), rel_(std::move(rel)) {}

  const std::string& rel() const { return rel_; }
  const std::vector<Hierarchy>& hierarchies() const { return hierarchies_; }
  // Host directory in the hierarchy holding `controller` ("" for v2), or "" if none.
  std::string Dir(const std::string& controller) const;

  Status Create() const;  // mkdir -p in every hierarchy
  // memory.limit_in_bytes, cpu.shares, cpu.cfs_period_us/quota_us, pids.max.
  Status ApplyResources(const ResourceSpec& r) const;
  // Docker's device allow-list (null, zero, full, random, urandom, tty, console, ptmx, pts,
  // tun; mknod of anything). Skipped when the devices hierarchy is absent.
  Status RestrictDevices() const;
  Status Join(int pid) const;  // 0: the caller
  std::vector<int> Procs() const;
  // SIGKILL to every process: cgroup.kill (v2) and each pid of cgroup.procs (v1).
  void KillAll() const;
  // rmdir in every hierarchy, retrying up to `timeout_ms` while tasks drain. OK if absent.
  Status Remove(int timeout_ms) const;
  // rmdir the ancestors of rel() while they are empty, the top `keep` pieces excluded.
  void RemoveEmptyAncestors(size_t keep) const;
  // memory.oom_control oom_kill counter (0 when unknown).
  uint64_t OomKillCount() const;

 private:
  std::vector<Hierarchy> hierarchies_;
  std::string rel_;
};

// Kills every process in every cgroup under `rel` (inclusive) in all hierarchies and removes
// the cgroups bottom-up (for Cleanup, whatever records were lost). OK when absent.
Status RemoveCgroupTree(const std::vector<Hierarchy>& hierarchies, const std::string& rel,
                        int timeout_ms);

}  // namespace minik::rt
