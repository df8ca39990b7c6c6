#include "kubelet/node_machine.h"

#include <sched.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace minik {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

int64_t ParseMemTotalKib(const std::string& meminfo) {
  std::istringstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    std::istringstream fields(line.substr(9));
    int64_t value = -1;
    std::string unit;
    if (!(fields >> value) || value < 0) return -1;
    fields >> unit;
    if (!unit.empty() && unit != "kB") return -1;
    return value;
  }
  return -1;
}

std::string ParseOsReleasePrettyName(const std::string& os_release) {
  std::istringstream in(os_release);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string v = Trim(line.substr(12));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    return v;
  }
  return "";
}

std::string GoArch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine == "ppc64le" || machine == "s390x" || machine == "riscv64") return machine;
  return machine.empty() ? "amd64" : machine;
}

MachineInfo ReadMachineInfo(const std::string& state_dir) {
  MachineInfo m;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) m.cpus = CPU_COUNT(&set);
  if (m.cpus <= 0) m.cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (m.cpus <= 0) m.cpus = 1;

  int64_t mem = ParseMemTotalKib(ReadFile("/proc/meminfo"));
  if (mem > 0) m.memory_kib = mem;

  struct statfs fs;
  if (statfs(state_dir.empty() ? "/" : state_dir.c_str(), &fs) == 0) {
    m.ephemeral_storage_bytes = static_cast<int64_t>(fs.f_blocks) * fs.f_frsize;
  }

  struct utsname u;
  if (uname(&u) == 0) {
    m.kernel_version = u.release;
    m.architecture = GoArch(u.machine);
  } else {
    m.architecture = "amd64";
  }
  m.os_image = ParseOsReleasePrettyName(ReadFile("/etc/os-release"));
  if (m.os_image.empty()) m.os_image = "Linux";
  m.machine_id = Trim(ReadFile("/etc/machine-id"));
  m.system_uuid = Trim(ReadFile("/sys/class/dmi/id/product_uuid"));
  m.boot_id = Trim(ReadFile("/proc/sys/kernel/random/boot_id"));
  return m;
}

}  // namespace minik
