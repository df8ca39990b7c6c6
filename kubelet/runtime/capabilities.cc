#include "kubelet/runtime/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

// Index = capability number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (40).
constexpr const char* kNames[] = {
    "CHOWN",          "DAC_OVERRIDE",   "DAC_READ_SEARCH", "FOWNER",       "FSETID",
    "KILL",           "SETGID",         "SETUID",          "SETPCAP",      "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",      "NET_RAW",      "IPC_LOCK",
    "IPC_OWNER",      "SYS_MODULE",     "SYS_RAWIO",       "SYS_CHROOT",   "SYS_PTRACE",
    "SYS_PACCT",      "SYS_ADMIN",      "SYS_BOOT",        "SYS_NICE",     "SYS_RESOURCE",
    "SYS_TIME",       "SYS_TTY_CONFIG", "MKNOD",           "LEASE",        "AUDIT_WRITE",
    "AUDIT_CONTROL",  "SETFCAP",        "MAC_OVERRIDE",    "MAC_ADMIN",    "SYSLOG",
    "WAKE_ALARM",     "BLOCK_SUSPEND",  "AUDIT_READ",      "PERFMON",      "BPF",
    "CHECKPOINT_RESTORE"};
constexpr int kNumCaps = sizeof(kNames) / sizeof(kNames[0]);

bool HasAll(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), [](const std::string& n) {
    std::string u = n;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u == "ALL";
  });
}

}  // namespace

StatusOr<int> ParseCapability(const std::string& name) {
  std::string u = name;
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (u.rfind("CAP_", 0) == 0) u = u.substr(4);
  for (int i = 0; i < kNumCaps; ++i) {
    if (u == kNames[i]) return i;
  }
  return BadRequest("unknown capability \"" + name + "\"");
}

std::string CapabilityName(int cap) {
  if (cap < 0 || cap >= kNumCaps) return "CAP_" + std::to_string(cap);
  return std::string("CAP_") + kNames[cap];
}

CapMask DefaultCapabilities() {
  CapMask m = 0;
  for (int c : {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
                CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
                CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE}) {
    m |= CapMask{1} << c;
  }
  return m;
}

StatusOr<CapMask> ComputeCapabilities(bool privileged, const std::vector<std::string>& add,
                                      const std::vector<std::string>& drop, CapMask all) {
  if (privileged) return all;
  CapMask caps = DefaultCapabilities();
  if (HasAll(add)) caps = all;
  if (HasAll(drop)) caps = 0;
  for (const std::string& name : add) {
    if (HasAll({name})) continue;
    auto cap = ParseCapability(name);
    if (!cap.ok()) return cap.status();
    caps |= CapMask{1} << *cap;
  }
  for (const std::string& name : drop) {
    if (HasAll({name})) continue;
    auto cap = ParseCapability(name);
    if (!cap.ok()) return cap.status();
    caps &= ~(CapMask{1} << *cap);
  }
  return caps & all;
}

CapMask CurrentPermitted() {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &hdr, data) != 0) return 0;
  return (CapMask{data[1].permitted} << 32) | data[0].permitted;
}

Status DropBoundingSet(CapMask keep) {
  int last = kNumCaps - 1;
  auto text = ReadFile("/proc/sys/kernel/cap_last_cap");
  if (text.ok()) last = std::atoi(text->c_str());
  for (int c = 0; c <= last && c < 64; ++c) {
    if (keep & (CapMask{1} << c)) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) {
      return Errno("drop " + CapabilityName(c) + " from the bounding set", errno);
    }
  }
  return Status::Ok();
}

Status SetProcessCapabilities(CapMask caps) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  data[0].permitted = data[0].effective = static_cast<uint32_t>(caps);
  data[1].permitted = data[1].effective = static_cast<uint32_t>(caps >> 32);
  if (::syscall(SYS_capset, &hdr, data) != 0) return Errno("capset", errno);
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return Errno("clear ambient capabilities", errno);
  }
  return Status::Ok();
}

}  // namespace minik::rt
