// MachineInfo: what the node agent reports about the host (capacity and nodeInfo), read
// from the real machine. Reading is best effort: a value that cannot be read is left at its
// zero value / empty and the Node simply omits it. Parsers are separate for tests.
#pragma once

#include <cstdint>
#include <string>

namespace minik {

struct MachineInfo {
  int64_t cpus = 0;                  // usable cores (sched_getaffinity, else sysconf)
  int64_t memory_kib = 0;            // MemTotal
  int64_t ephemeral_storage_bytes = 0;  // statfs(state_dir) total
  std::string kernel_version;        // uname -r
  std::string os_image;              // /etc/os-release PRETTY_NAME
  std::string architecture;          // GOARCH spelling: amd64, arm64, ...
  std::string machine_id;            // /etc/machine-id
  std::string system_uuid;           // /sys/class/dmi/id/product_uuid when readable
  std::string boot_id;               // /proc/sys/kernel/random/boot_id
};

MachineInfo ReadMachineInfo(const std::string& state_dir);

// "MemTotal:       16303092 kB" -> 16303092; -1 when absent or malformed.
int64_t ParseMemTotalKib(const std::string& meminfo);
// PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" -> Debian GNU/Linux 12 (bookworm); "" if absent.
std::string ParseOsReleasePrettyName(const std::string& os_release);
// uname machine -> GOARCH ("x86_64" -> "amd64", "aarch64" -> "arm64").
std::string GoArch(const std::string& machine);

}  // namespace minik
