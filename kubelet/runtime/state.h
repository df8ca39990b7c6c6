// The runtime's on-disk records (JSON, replaced atomically):
//   sandboxes/<id>/state.json   SandboxRecord: the spec and the holder's pid + start time
//   containers/<id>/spec.json   ContainerPlan: the spec plus what the monitor needs of the pod
//   containers/<id>/state.json  ContainerRecord: ContainerState plus pid start times
// Writers: the server writes a container's state.json before the monitor starts and after
// the monitor has exited; in between only the monitor writes it.
#pragma once

#include <cstdint>
#include <string>

#include "api/json.h"
#include "api/status.h"
#include "kubelet/runtime/runtime.h"

namespace minik::rt {

struct SandboxRecord {
  SandboxSpec spec;
  int pid = 0;
  uint64_t start_time = 0;  // /proc/<pid>/stat field 22
  std::string cgroup;       // relative cgroup path of the pod ("minik/<parent>")
};

struct ContainerPlan {
  ContainerSpec spec;
  int sandbox_pid = 0;
  uint64_t sandbox_start = 0;
  std::string hostname;  // the pod's, for $HOSTNAME
  bool share_pid = false;
  // spec.pid_namespace_of's process (pid and start time): its PID namespace is joined.
  int pid_ns_pid = 0;
  uint64_t pid_ns_start = 0;
  std::string cgroup;    // relative cgroup path ("minik/<parent>/<id>")
};

struct ContainerRecord {
  ContainerState state;
  uint64_t pid_start = 0;
  int monitor_pid = 0;
  uint64_t monitor_start = 0;
};

Json ToJson(const SandboxRecord& r);
Json ToJson(const ContainerPlan& p);
Json ToJson(const ContainerRecord& r);
StatusOr<SandboxRecord> SandboxRecordFromJson(const Json& j);
StatusOr<ContainerPlan> ContainerPlanFromJson(const Json& j);
StatusOr<ContainerRecord> ContainerRecordFromJson(const Json& j);

StatusOr<Json> LoadJsonFile(const std::string& path);
Status SaveJsonFile(const std::string& path, const Json& j);

const char* StatusName(ContainerStatus s);

}  // namespace minik::rt
