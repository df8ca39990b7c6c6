// Seccomp for containers: a profile as data (RuntimeDefault built in, Localhost parsed from a
// Docker/OCI-style JSON file), compiled to BPF with libseccomp by the parent (the monitor or
// the exec helper) and loaded by the container process as late as possible.
//
// RuntimeDefault allows everything except what Docker's default profile forbids to an
// unprivileged container: namespace creation (unshare, setns, clone with CLONE_NEW* flags;
// clone3 answers ENOSYS so libc falls back to clone), mounts, keyrings, module and kexec
// loading, bpf, ptrace, perf_event_open, open_by_handle_at, reboot, swap, clock setting,
// userfaultfd and a few obsolete calls. Only the native architecture is allowed (32-bit
// binaries are killed).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet/runtime/capabilities.h"

namespace minik::rt {

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // SCMP_CMP_EQ, _NE, _LT, _LE, _GT, _GE, _MASKED_EQ
};

struct SeccompRule {
  std::vector<std::string> names;  // syscall names; unknown ones are skipped when compiling
  uint32_t action = 0;             // a libseccomp SCMP_ACT_* value
  std::vector<SeccompArg> args;    // all must match (ANDed)
};

struct SeccompProfile {
  uint32_t default_action = 0;
  std::vector<SeccompRule> rules;
};

SeccompProfile RuntimeDefaultProfile();
// Parses a Docker-style profile: defaultAction, defaultErrnoRet, syscalls[{names|name,
// action, errnoRet, args[{index, value, valueTwo, op}], includes/excludes{caps}}]. Rules
// whose includes.caps are not all in `caps` (or whose excludes.caps intersect it) are left out.
StatusOr<SeccompProfile> ParseSeccompProfile(const std::string& json_text, CapMask caps);
// "SCMP_ACT_ERRNO" (+ errno) → action value.
StatusOr<uint32_t> ParseSeccompAction(const std::string& name, int64_t errno_ret);

// RuntimeDefaultProfile() compiled once per process (the zygote compiles it before forking,
// so monitors and exec helpers inherit it).
StatusOr<std::vector<sock_filter>> RuntimeDefaultProgram();

// libseccomp compilation to a classic BPF program for the native architecture.
StatusOr<std::vector<sock_filter>> CompileSeccomp(const SeccompProfile& profile);
// seccomp(SECCOMP_SET_MODE_FILTER): needs no_new_privs or CAP_SYS_ADMIN.
Status LoadSeccompFilter(const std::vector<sock_filter>& program);

}  // namespace minik::rt
