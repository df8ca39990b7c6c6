#include "kubelet/runtime/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

constexpr const char* kDeniedSyscalls[] = {
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "mount_setattr",
    "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "keyctl", "add_key",
    "request_key", "kexec_load", "kexec_file_load", "bpf", "ptrace", "perf_event_open",
    "open_by_handle_at", "name_to_handle_at", "init_module", "finit_module", "delete_module",
    "create_module", "get_kernel_syms", "query_module", "reboot", "swapon", "swapoff", "acct",
    "settimeofday", "stime", "clock_settime", "clock_adjtime", "adjtimex", "userfaultfd",
    "lookup_dcookie", "quotactl", "quotactl_fd", "nfsservctl", "vm86", "vm86old", "iopl",
    "ioperm", "uselib", "syslog", "ustat", "sysfs", "_sysctl", "kcmp", "process_vm_readv",
    "process_vm_writev", "fanotify_init", "vhangup"};

constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,
                                        CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
                                        CLONE_NEWCGROUP};

StatusOr<scmp_compare> ParseOp(const std::string& op) {
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return BadRequest("seccomp profile: unknown argument operator \"" + op + "\"");
}

// Whether includes/excludes allow the rule for a container with capabilities `caps`.
bool RuleApplies(const nlohmann::json& rule, CapMask caps) {
  auto cap_list = [&](const char* key) -> std::vector<std::string> {
    std::vector<std::string> out;
    auto it = rule.find(key);
    if (it == rule.end() || !it->is_object()) return out;
    auto c = it->find("caps");
    if (c == it->end() || !c->is_array()) return out;
    for (const auto& v : *c) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  };
  for (const std::string& name : cap_list("includes")) {
    auto cap = ParseCapability(name);
    if (!cap.ok() || !(caps & (CapMask{1} << *cap))) return false;
  }
  for (const std::string& name : cap_list("excludes")) {
    auto cap = ParseCapability(name);
    if (cap.ok() && (caps & (CapMask{1} << *cap))) return false;
  }
  return true;
}

}  // namespace

SeccompProfile RuntimeDefaultProfile() {
  SeccompProfile p;
  p.default_action = SCMP_ACT_ALLOW;
  SeccompRule denied;
  denied.action = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDeniedSyscalls) denied.names.push_back(name);
  p.rules.push_back(denied);
  for (uint64_t flag : kNamespaceFlags) {
    SeccompRule clone;
    clone.names = {"clone"};
    clone.action = SCMP_ACT_ERRNO(EPERM);
    clone.args.push_back({0, flag, flag, "SCMP_CMP_MASKED_EQ"});
    p.rules.push_back(clone);
  }
  SeccompRule clone3;
  clone3.names = {"clone3"};
  clone3.action = SCMP_ACT_ERRNO(ENOSYS);
  p.rules.push_back(clone3);
  return p;
}

StatusOr<uint32_t> ParseSeccompAction(const std::string& name, int64_t errno_ret) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<uint16_t>(errno_ret));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(static_cast<uint16_t>(errno_ret));
  return BadRequest("seccomp profile: unknown action \"" + name + "\"");
}

StatusOr<SeccompProfile> ParseSeccompProfile(const std::string& json_text, CapMask caps) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return BadRequest("seccomp profile: not a JSON object");
  }
  try {
    SeccompProfile p;
    int64_t default_errno = doc.value("defaultErrnoRet", int64_t{EPERM});
    auto def = ParseSeccompAction(doc.value("defaultAction", std::string()), default_errno);
    if (!def.ok()) return def.status();
    p.default_action = *def;
    auto syscalls = doc.find("syscalls");
    if (syscalls != doc.end() && !syscalls->is_null()) {
      if (!syscalls->is_array()) return BadRequest("seccomp profile: syscalls is not a list");
      for (const auto& s : *syscalls) {
        if (!s.is_object()) return BadRequest("seccomp profile: a syscalls entry is not an object");
        if (!RuleApplies(s, caps)) continue;
        SeccompRule rule;
        if (s.contains("names")) rule.names = s.at("names").get<std::vector<std::string>>();
        if (s.contains("name")) rule.names.push_back(s.at("name").get<std::string>());
        if (rule.names.empty()) return BadRequest("seccomp profile: a syscalls entry has no names");
        auto action = ParseSeccompAction(s.value("action", std::string()),
                                         s.value("errnoRet", int64_t{EPERM}));
        if (!action.ok()) return action.status();
        rule.action = *action;
        if (s.contains("args") && !s.at("args").is_null()) {
          for (const auto& a : s.at("args")) {
            SeccompArg arg;
            arg.index = a.value("index", 0u);
            arg.value = a.value("value", uint64_t{0});
            arg.value_two = a.value("valueTwo", uint64_t{0});
            arg.op = a.value("op", std::string());
            if (arg.index > 5) return BadRequest("seccomp profile: argument index above 5");
            auto op = ParseOp(arg.op);
            if (!op.ok()) return op.status();
            rule.args.push_back(arg);
          }
        }
        p.rules.push_back(std::move(rule));
      }
    }
    return p;
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("seccomp profile: ") + e.what());
  }
}

StatusOr<std::vector<sock_filter>> CompileSeccomp(const SeccompProfile& profile) {
  scmp_filter_ctx ctx = seccomp_init(profile.default_action);
  if (ctx == nullptr) return Internal("seccomp_init failed");
  struct Release {
    scmp_filter_ctx ctx;
    ~Release() { seccomp_release(ctx); }
  } release{ctx};
  // We load the program ourselves; no_new_privs is decided by the caller.
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  for (const SeccompRule& rule : profile.rules) {
    if (rule.action == profile.default_action) continue;  // libseccomp refuses these
    std::vector<scmp_arg_cmp> cmps;
    for (const SeccompArg& a : rule.args) {
      auto op = ParseOp(a.op);
      if (!op.ok()) return op.status();
      if (*op == SCMP_CMP_MASKED_EQ) {
        cmps.push_back(SCMP_CMP(a.index, *op, a.value, a.value_two));
      } else {
        cmps.push_back(SCMP_CMP(a.index, *op, a.value));
      }
    }
    for (const std::string& name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture or kernel
      int rc = seccomp_rule_add_array(ctx, rule.action, nr, static_cast<unsigned>(cmps.size()),
                                      cmps.empty() ? nullptr : cmps.data());
      if (rc != 0) {
        return BadRequest("seccomp profile: cannot add a rule for " + name + ": " +
                          std::strerror(-rc));
      }
    }
  }
  UniqueFd mem(::memfd_create("minik-seccomp", MFD_CLOEXEC));
  if (!mem.valid()) return Errno("memfd_create", errno);
  int rc = seccomp_export_bpf(ctx, mem.get());
  if (rc != 0) return Internal(std::string("seccomp_export_bpf: ") + std::strerror(-rc));
  off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) return Internal("seccomp: bad BPF size");
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(mem.get(), program.data(), static_cast<size_t>(size), 0) != size) {
    return Errno("read seccomp program", errno);
  }
  return program;
}

StatusOr<std::vector<sock_filter>> RuntimeDefaultProgram() {
  // Single-threaded helpers only call this; a static is enough.
  static const StatusOr<std::vector<sock_filter>> program = CompileSeccomp(RuntimeDefaultProfile());
  return program;
}

Status LoadSeccompFilter(const std::vector<sock_filter>& program) {
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(program.size());
  prog.filter = const_cast<sock_filter*>(program.data());
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    return Errno("load the seccomp filter", errno);
  }
  return Status::Ok();
}

}  // namespace minik::rt
