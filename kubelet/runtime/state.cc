#include "kubelet/runtime/state.h"

#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

Json MountToJson(const Mount& m) {
  return Json{{"source", m.source},
              {"destination", m.destination},
              {"type", m.type},
              {"read_only", m.read_only},
              {"options", m.options}};
}

Mount MountFromJson(const Json& j) {
  Mount m;
  m.source = j.value("source", "");
  m.destination = j.value("destination", "");
  m.type = j.value("type", "bind");
  m.read_only = j.value("read_only", false);
  m.options = j.value("options", "");
  return m;
}

Json SandboxSpecToJson(const SandboxSpec& s) {
  return Json{{"id", s.id},
              {"hostname", s.hostname},
              {"host_network", s.host_network},
              {"host_ipc", s.host_ipc},
              {"share_pid", s.share_pid},
              {"cgroup_parent", s.cgroup_parent},
              {"labels", s.labels}};
}

SandboxSpec SandboxSpecFromJson(const Json& j) {
  SandboxSpec s;
  s.id = j.value("id", "");
  s.hostname = j.value("hostname", "");
  s.host_network = j.value("host_network", false);
  s.host_ipc = j.value("host_ipc", false);
  s.share_pid = j.value("share_pid", false);
  s.cgroup_parent = j.value("cgroup_parent", "");
  s.labels = j.value("labels", std::map<std::string, std::string>{});
  return s;
}

Json ContainerSpecToJson(const ContainerSpec& s) {
  Json mounts = Json::array();
  for (const Mount& m : s.mounts) mounts.push_back(MountToJson(m));
  const SecuritySpec& sec = s.security;
  Json security{{"supplemental_groups", sec.supplemental_groups},
                {"privileged", sec.privileged},
                {"cap_add", sec.cap_add},
                {"cap_drop", sec.cap_drop},
                {"no_new_privs", sec.no_new_privs},
                {"read_only_rootfs", sec.read_only_rootfs},
                {"seccomp", static_cast<int>(sec.seccomp)},
                {"seccomp_profile_path", sec.seccomp_profile_path}};
  if (sec.uid) security["uid"] = *sec.uid;
  if (sec.gid) security["gid"] = *sec.gid;
  const ResourceSpec& r = s.resources;
  return Json{{"id", s.id},
              {"sandbox_id", s.sandbox_id},
              {"rootfs_layers", s.rootfs_layers},
              {"argv", s.argv},
              {"env", s.env},
              {"working_dir", s.working_dir},
              {"mounts", mounts},
              {"security", security},
              {"resources",
               {{"memory_limit_bytes", r.memory_limit_bytes},
                {"cpu_shares", r.cpu_shares},
                {"cpu_quota_us", r.cpu_quota_us},
                {"cpu_period_us", r.cpu_period_us},
                {"pids_limit", r.pids_limit}}},
              {"cgroup_parent", s.cgroup_parent},
              {"log_path", s.log_path},
              {"max_log_bytes", s.max_log_bytes},
              {"tty", s.tty},
              {"stdin", s.stdin},
              {"stdin_once", s.stdin_once},
              {"pid_namespace_of", s.pid_namespace_of},
              {"labels", s.labels}};
}

ContainerSpec ContainerSpecFromJson(const Json& j) {
  ContainerSpec s;
  s.id = j.value("id", "");
  s.sandbox_id = j.value("sandbox_id", "");
  s.rootfs_layers = j.value("rootfs_layers", std::vector<std::string>{});
  s.argv = j.value("argv", std::vector<std::string>{});
  s.env = j.value("env", std::vector<std::string>{});
  s.working_dir = j.value("working_dir", "/");
  if (j.contains("mounts")) {
    for (const Json& m : j.at("mounts")) s.mounts.push_back(MountFromJson(m));
  }
  if (j.contains("security")) {
    const Json& sec = j.at("security");
    SecuritySpec& o = s.security;
    if (sec.contains("uid")) o.uid = sec.at("uid").get<int64_t>();
    if (sec.contains("gid")) o.gid = sec.at("gid").get<int64_t>();
    o.supplemental_groups = sec.value("supplemental_groups", std::vector<int64_t>{});
    o.privileged = sec.value("privileged", false);
    o.cap_add = sec.value("cap_add", std::vector<std::string>{});
    o.cap_drop = sec.value("cap_drop", std::vector<std::string>{});
    o.no_new_privs = sec.value("no_new_privs", false);
    o.read_only_rootfs = sec.value("read_only_rootfs", false);
    o.seccomp = static_cast<SeccompMode>(sec.value("seccomp", 1));
    o.seccomp_profile_path = sec.value("seccomp_profile_path", "");
  }
  if (j.contains("resources")) {
    const Json& r = j.at("resources");
    s.resources.memory_limit_bytes = r.value("memory_limit_bytes", int64_t{0});
    s.resources.cpu_shares = r.value("cpu_shares", int64_t{0});
    s.resources.cpu_quota_us = r.value("cpu_quota_us", int64_t{0});
    s.resources.cpu_period_us = r.value("cpu_period_us", int64_t{100000});
    s.resources.pids_limit = r.value("pids_limit", int64_t{0});
  }
  s.cgroup_parent = j.value("cgroup_parent", "");
  s.log_path = j.value("log_path", "");
  s.max_log_bytes = j.value("max_log_bytes", int64_t{10 << 20});
  s.tty = j.value("tty", false);
  s.stdin = j.value("stdin", false);
  s.stdin_once = j.value("stdin_once", false);
  s.pid_namespace_of = j.value("pid_namespace_of", "");
  s.labels = j.value("labels", std::map<std::string, std::string>{});
  return s;
}

}  // namespace

const char* StatusName(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::kCreated: return "created";
    case ContainerStatus::kRunning: return "running";
    case ContainerStatus::kExited: return "exited";
    case ContainerStatus::kUnknown: break;
  }
  return "unknown";
}

static ContainerStatus StatusFromName(const std::string& s) {
  if (s == "created") return ContainerStatus::kCreated;
  if (s == "running") return ContainerStatus::kRunning;
  if (s == "exited") return ContainerStatus::kExited;
  return ContainerStatus::kUnknown;
}

Json ToJson(const SandboxRecord& r) {
  return Json{{"spec", SandboxSpecToJson(r.spec)},
              {"pid", r.pid},
              {"start_time", r.start_time},
              {"cgroup", r.cgroup}};
}

Json ToJson(const ContainerPlan& p) {
  return Json{{"spec", ContainerSpecToJson(p.spec)}, {"sandbox_pid", p.sandbox_pid},
              {"sandbox_start", p.sandbox_start},   {"hostname", p.hostname},
              {"share_pid", p.share_pid},           {"cgroup", p.cgroup},
              {"pid_ns_pid", p.pid_ns_pid},         {"pid_ns_start", p.pid_ns_start}};
}

Json ToJson(const ContainerRecord& r) {
  const ContainerState& s = r.state;
  return Json{{"id", s.id},
              {"status", StatusName(s.status)},
              {"pid", s.pid},
              {"pid_start", r.pid_start},
              {"monitor_pid", r.monitor_pid},
              {"monitor_start", r.monitor_start},
              {"exit_code", s.exit_code},
              {"oom_killed", s.oom_killed},
              {"started_at", s.started_at},
              {"finished_at", s.finished_at},
              {"message", s.message},
              {"labels", s.labels}};
}

StatusOr<SandboxRecord> SandboxRecordFromJson(const Json& j) {
  try {
    SandboxRecord r;
    r.spec = SandboxSpecFromJson(j.at("spec"));
    r.pid = j.value("pid", 0);
    r.start_time = j.value("start_time", uint64_t{0});
    r.cgroup = j.value("cgroup", "");
    return r;
  } catch (const Json::exception& e) {
    return BadRequest(std::string("sandbox record: ") + e.what());
  }
}

StatusOr<ContainerPlan> ContainerPlanFromJson(const Json& j) {
  try {
    ContainerPlan p;
    p.spec = ContainerSpecFromJson(j.at("spec"));
    p.sandbox_pid = j.value("sandbox_pid", 0);
    p.sandbox_start = j.value("sandbox_start", uint64_t{0});
    p.hostname = j.value("hostname", "");
    p.share_pid = j.value("share_pid", false);
    p.cgroup = j.value("cgroup", "");
    p.pid_ns_pid = j.value("pid_ns_pid", 0);
    p.pid_ns_start = j.value("pid_ns_start", uint64_t{0});
    return p;
  } catch (const Json::exception& e) {
    return BadRequest(std::string("container spec: ") + e.what());
  }
}

StatusOr<ContainerRecord> ContainerRecordFromJson(const Json& j) {
  try {
    ContainerRecord r;
    ContainerState& s = r.state;
    s.id = j.value("id", "");
    s.status = StatusFromName(j.value("status", ""));
    s.pid = j.value("pid", 0);
    r.pid_start = j.value("pid_start", uint64_t{0});
    r.monitor_pid = j.value("monitor_pid", 0);
    r.monitor_start = j.value("monitor_start", uint64_t{0});
    s.exit_code = j.value("exit_code", 0);
    s.oom_killed = j.value("oom_killed", false);
    s.started_at = j.value("started_at", "");
    s.finished_at = j.value("finished_at", "");
    s.message = j.value("message", "");
    s.labels = j.value("labels", std::map<std::string, std::string>{});
    return r;
  } catch (const Json::exception& e) {
    return BadRequest(std::string("container record: ") + e.what());
  }
}

StatusOr<Json> LoadJsonFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseJson(*text);
}

Status SaveJsonFile(const std::string& path, const Json& j) {
  return WriteFileAtomic(path, j.dump());
}

}  // namespace minik::rt
