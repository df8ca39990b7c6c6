// Host pre-flight checks for `minik start`, run before anything on the host is changed, and
// "who holds this port". Everything here only reads (/proc files, stat, readlink, access):
// nothing is created, mounted, loaded or written. The roots are parameters so tests point the
// checks at fake trees.
//
// What is checked is what the code really uses (keep in step with it):
//   filesystems  overlay (kubelet/runtime/rootfs.cc; when not in /proc/filesystems, a loadable
//                overlay module will do: mount autoloads it), tmpfs, proc, sysfs, devpts,
//                mqueue, cgroup
//   namespaces   mnt, pid, net, uts, ipc, cgroup (runtime/sandbox.cc, monitor.cc)
//   cgroups      v1 hierarchies memory, cpu, pids mounted read-write (runtime/cgroups.cc finds
//                them in /proc/self/mountinfo, parsed here with the same ParseCgroupMounts)
//   seccomp      the "Seccomp:" line of /proc/self/status; the errno action when listed
//   forwarding   /proc/sys/net/ipv4/ip_forward writable (network/bridge_network.cc sets it)
//   programs     iptables-save, iptables-restore (network/iptables.cc), conntrack
//                (netproxy/proxier.cc), searched like network/exec.cc: the sbin/bin dirs, then
//                $PATH. Links, addresses and routes use netlink, so `ip` is not needed.
//   kernel       when the config is readable (<proc>/config.gz, else <boot>/config-<release>):
//                no "# CONFIG_X is not set" for veth, bridge, conntrack, NAT and the iptables
//                matches/targets the rules use (addrtype, comment, conntrack, mark, recent,
//                statistic, MASQUERADE, REJECT). Options absent from the config (renamed in
//                other kernels) are not held against the host.
// Bridge netfilter is only warned about, as the runtime does (HostWarnings).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct HostRoots {
  std::string proc = "/proc";
  // Searched first, in this order, as net::RunCommand does (a daemon's PATH may lack sbin).
  std::vector<std::string> bin_dirs = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
  std::string path_env = DefaultPathEnv();  // then these ':'-separated dirs
  std::string boot = "/boot";               // config-<release>, when <proc>/config.gz is absent
  std::string modules = "/lib/modules";     // <release>/modules.dep: loadable modules

  static std::string DefaultPathEnv();  // $PATH, "" when unset
};

// OK when the host has every feature above. Otherwise kServiceUnavailable naming the FIRST
// missing one on one line, with the evidence and a hint, e.g.
//   overlayfs is not available (no "overlay" in /proc/filesystems): minik needs it for
//   container filesystems; load it with modprobe overlay or use a kernel with CONFIG_OVERLAY_FS
// Cost on the dev VM: ~0.1 ms for the /proc reads and stats, plus ~0.4 ms (warm) to 1.5 ms (first
// call in a process) to inflate /proc/config.gz.
Status CheckHost(const HostRoots& roots = HostRoots());

// Non-fatal findings, one line each (today: bridge netfilter absent, which the runtime only
// warns about at start: pod-to-service traffic between pods on one bridge fails).
std::vector<std::string> HostWarnings(const HostRoots& roots = HostRoots());

// Who listens on TCP `port` at 127.0.0.1 or a wildcard address (0.0.0.0, ::, ::ffff:127.0.0.1),
// from <proc>/net/tcp{,6} LISTEN sockets and a scan of <proc>/[pid]/fd for their inode that
// stops at the first hit. "python3 (pid 4242)"; for a process whose comm is "exe" (re-executed
// through /proc/self/exe, as `minik server` is) its command line, up to 60 characters:
// "minik server --profile dev (pid 4242)"; "pid 4242" when the name is unreadable; "" when
// unknown (no such listener, or its holder is invisible to us, e.g. not root).
std::string PortHolder(int port, const HostRoots& roots = HostRoots());

// The first port p in [from, from+100] (and <= 65535), not in `reserved`, that
// CheckPortFree("127.0.0.1", p) accepts. BadRequest for `from` outside 1..65535;
// kServiceUnavailable when none is free.
StatusOr<int> FindFreePort(int from, const std::set<int>& reserved = {});

// OK when 127.0.0.1:`port` is free. Otherwise kServiceUnavailable, one line naming the holder
// when known and suggesting --api-port with a free port when one is found, e.g.
//   API port 16443 is in use by python3 (pid 4242): stop it, or start with --api-port 16444
//   (free now)
// Errors other than "in use" from CheckPortFree are returned as they are.
Status CheckApiPort(int port, const HostRoots& roots = HostRoots(),
                    const std::set<int>& reserved = {});

}  // namespace minik
