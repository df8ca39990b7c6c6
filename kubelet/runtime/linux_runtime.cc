#include "kubelet/runtime/linux_runtime.h"

#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <climits>
#include <cstdlib>

#include "api/log.h"
#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/spawn.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

constexpr int kHelperTimeoutMs = 60000;
constexpr char kLostMessage[] =
    "container state lost: its monitor exited before recording the exit status";

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status BadId(const std::string& what, const std::string& id) {
  return BadRequest("invalid " + what + " id \"" + id + "\": must be 1-64 of [a-z0-9]");
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(d);
  return out;
}

// "ok <pid> <start>" → pid, start.
bool ParseOk(const std::string& line, int* pid, uint64_t* start) {
  std::vector<std::string> f = Split(line, ' ');
  if (f.size() != 3 || f[0] != "ok") return false;
  *pid = std::atoi(f[1].c_str());
  *start = std::strtoull(f[2].c_str(), nullptr, 10);
  return *pid > 0;
}

}  // namespace

LinuxRuntime::LinuxRuntime(RuntimeOptions options, std::vector<Hierarchy> hierarchies)
    : options_(std::move(options)), hierarchies_(std::move(hierarchies)), zygote_(options_.exe) {}

LinuxRuntime::~LinuxRuntime() { watcher_.reset(); }

StatusOr<std::unique_ptr<LinuxRuntime>> LinuxRuntime::Open(const RuntimeOptions& options) {
  if (options.root.empty()) return BadRequest("runtime root directory is empty");
  if (::geteuid() != 0) {
    return Status(Code::kForbidden, "the container runtime needs root (running as uid " +
                                        std::to_string(::geteuid()) + ")");
  }
  MINIK_RETURN_IF_ERROR(MkdirAll(options.root + "/sandboxes", 0700));
  MINIK_RETURN_IF_ERROR(MkdirAll(options.root + "/containers", 0700));
  char real[PATH_MAX];
  if (::realpath(options.root.c_str(), real) == nullptr) return Errno("realpath " + options.root, errno);
  RuntimeOptions opts = options;
  opts.root = real;
  if (opts.cgroup_root.empty()) opts.cgroup_root = "minik";
  auto hier = DetectHierarchies();
  if (!hier.ok()) return hier.status();
  std::unique_ptr<LinuxRuntime> rt(new LinuxRuntime(opts, std::move(*hier)));
  rt->watcher_ = std::make_unique<ExitWatcher>(
      [raw = rt.get()](const std::string& key) { raw->OnExit(key); });
  MINIK_RETURN_IF_ERROR(rt->Load());
  return rt;
}

std::string LinuxRuntime::SandboxDir(const std::string& id) const {
  return options_.root + "/sandboxes/" + id;
}
std::string LinuxRuntime::ContainerDir(const std::string& id) const {
  return options_.root + "/containers/" + id;
}

Status LinuxRuntime::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& id : ListDir(options_.root + "/sandboxes")) {
    auto j = LoadJsonFile(SandboxDir(id) + "/state.json");
    auto rec = j.ok() ? SandboxRecordFromJson(*j) : StatusOr<SandboxRecord>(j.status());
    if (!rec.ok() || rec->spec.id != id) {
      LOG(Warning, "runtime") << "skipping unreadable sandbox id=" << id;
      continue;
    }
    sandboxes_[id] = std::move(*rec);
  }
  for (const std::string& id : ListDir(options_.root + "/containers")) {
    auto pj = LoadJsonFile(ContainerDir(id) + "/spec.json");
    auto sj = LoadJsonFile(ContainerDir(id) + "/state.json");
    if (!pj.ok() || !sj.ok()) {
      LOG(Warning, "runtime") << "skipping unreadable container id=" << id;
      continue;
    }
    auto plan = ContainerPlanFromJson(*pj);
    auto rec = ContainerRecordFromJson(*sj);
    if (!plan.ok() || !rec.ok()) continue;
    ContainerEntry& e = containers_[id];
    e.plan = std::move(*plan);
    e.rec = std::move(*rec);
    Adopt(id, e);
  }
  return Status::Ok();
}

void LinuxRuntime::Adopt(const std::string& id, ContainerEntry& e) {
  ContainerStatus s = e.rec.state.status;
  if (s != ContainerStatus::kRunning && s != ContainerStatus::kCreated) return;
  UniqueFd monitor = OpenPidfd(e.rec.monitor_pid, e.rec.monitor_start);
  if (monitor.valid()) {
    watcher_->Watch("m:" + id, std::move(monitor));
    return;
  }
  Refresh(e);  // the monitor may have finished just now
  s = e.rec.state.status;
  if (s == ContainerStatus::kRunning) {
    UniqueFd pid = OpenPidfd(e.rec.state.pid, e.rec.pid_start);
    if (pid.valid()) {
      watcher_->Watch("c:" + id, std::move(pid));
      return;
    }
    MarkLost(e, kLostMessage);
  } else if (s == ContainerStatus::kCreated) {
    MarkLost(e, "container monitor exited before the container started");
  }
}

void LinuxRuntime::Refresh(ContainerEntry& e) const {
  ContainerStatus s = e.rec.state.status;
  if (s != ContainerStatus::kRunning && s != ContainerStatus::kCreated) return;
  auto j = LoadJsonFile(ContainerDir(e.plan.spec.id) + "/state.json");
  if (!j.ok()) return;
  auto rec = ContainerRecordFromJson(*j);
  if (rec.ok()) e.rec = std::move(*rec);
}

void LinuxRuntime::MarkLost(ContainerEntry& e, const std::string& message) {
  Cgroup(hierarchies_, e.plan.cgroup).KillAll();
  e.rec.state.status = ContainerStatus::kExited;
  e.rec.state.exit_code = 137;
  e.rec.state.message = message;
  e.rec.state.finished_at = NowRfc3339Nano();
  (void)SaveJsonFile(ContainerDir(e.plan.spec.id) + "/state.json", ToJson(e.rec));
}

void LinuxRuntime::OnExit(const std::string& key) {
  if (key.size() < 3) return;
  std::string id = key.substr(2);
  std::function<void(const std::string&)> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return;
    ContainerEntry& e = it->second;
    Refresh(e);
    if (e.rec.state.status != ContainerStatus::kExited) {
      if (key[0] == 'm') {
        Adopt(id, e);  // monitor gone: watch the container itself, or mark it lost
      } else {
        MarkLost(e, kLostMessage);
      }
    }
    if (e.rec.state.status != ContainerStatus::kExited) return;
    handler = handler_;
  }
  if (handler) handler(id);
}

SandboxState LinuxRuntime::ToState(const SandboxRecord& r) const {
  SandboxState s;
  s.id = r.spec.id;
  s.pid = r.pid;
  s.running = ProcessMatches(r.pid, r.start_time);
  s.labels = r.spec.labels;
  return s;
}

StatusOr<SandboxState> LinuxRuntime::RunSandbox(const SandboxSpec& spec) {
  if (!ValidId(spec.id)) return BadId("sandbox", spec.id);
  auto cgroup = CgroupPath(options_.cgroup_root, spec.cgroup_parent, "");
  if (!cgroup.ok()) return cgroup.status();
  SandboxRecord rec;
  rec.spec = spec;
  if (rec.spec.hostname.empty()) rec.spec.hostname = spec.id;
  rec.cgroup = *cgroup;
  std::string dir = SandboxDir(spec.id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sandboxes_.count(spec.id) || starting_sandboxes_.count(spec.id)) {
      return AlreadyExists("sandboxes", spec.id);
    }
    starting_sandboxes_.insert(spec.id);
  }
  // The holder is started without the lock: new network namespaces can take a while.
  Status failure;
  auto helper = StatusOr<SpawnedHelper>(Internal("not started"));
  failure = MkdirAll(dir, 0700);
  if (failure.ok()) failure = SaveJsonFile(dir + "/state.json", ToJson(rec));
  if (failure.ok()) {
    helper = zygote_.Spawn({kSandboxVerb, dir}, /*new_session=*/true);
    failure = helper.status();
  }
  if (failure.ok()) {
    auto line = ReadLine(helper->sync.get(), kHelperTimeoutMs);
    if (!line.ok()) PidfdSendSignal(helper->pidfd.get(), SIGKILL);
    WaitHelper(*helper);
    if (!line.ok()) {
      failure = line.status();
    } else if (!ParseOk(*line, &rec.pid, &rec.start_time)) {
      std::string msg = line->rfind("error ", 0) == 0 ? line->substr(6)
                                                     : "the sandbox holder exited unexpectedly";
      failure = Internal("start pod sandbox: " + msg);
    } else {
      failure = SaveJsonFile(dir + "/state.json", ToJson(rec));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  starting_sandboxes_.erase(spec.id);
  if (!failure.ok()) {
    if (UniqueFd holder = OpenPidfd(rec.pid, rec.start_time); holder.valid()) {
      PidfdSendSignal(holder.get(), SIGKILL);
      WaitPidfd(holder.get(), 5000);
    }
    Cgroup pod(hierarchies_, rec.cgroup);
    if (pod.Remove(1000).ok()) pod.RemoveEmptyAncestors(0);
    (void)RemoveAll(dir);
    return failure;
  }
  sandboxes_[spec.id] = rec;
  return ToState(rec);
}

Status LinuxRuntime::StopSandbox(const std::string& id) {
  std::vector<std::string> running;
  SandboxRecord rec;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return NotFound("sandboxes", id);
    rec = it->second;
    for (auto& [cid, e] : containers_) {
      if (e.plan.spec.sandbox_id != id) continue;
      Refresh(e);
      if (e.rec.state.status == ContainerStatus::kRunning) running.push_back(cid);
    }
  }
  for (const std::string& cid : running) MINIK_RETURN_IF_ERROR(StopContainer(cid, 0));
  UniqueFd holder = OpenPidfd(rec.pid, rec.start_time);
  if (holder.valid()) {
    PidfdSendSignal(holder.get(), SIGKILL);
    if (!WaitPidfd(holder.get(), 10000)) {
      return Internal("the sandbox holder of " + id + " did not exit after SIGKILL");
    }
  }
  return Status::Ok();
}

Status LinuxRuntime::RemoveSandbox(const std::string& id) {
  bool known;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known = sandboxes_.count(id) > 0;
  }
  if (!known) {
    if (ValidId(id)) (void)RemoveAll(SandboxDir(id));
    return Status::Ok();
  }
  MINIK_RETURN_IF_ERROR(StopSandbox(id));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> children;
  for (auto& [cid, e] : containers_) {
    if (e.plan.spec.sandbox_id == id) children.push_back(cid);
  }
  for (const std::string& cid : children) MINIK_RETURN_IF_ERROR(RemoveContainerLocked(cid));
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) return Status::Ok();
  Cgroup pod(hierarchies_, it->second.cgroup);
  pod.KillAll();
  MINIK_RETURN_IF_ERROR(pod.Remove(2000));
  pod.RemoveEmptyAncestors(0);
  MINIK_RETURN_IF_ERROR(RemoveAll(SandboxDir(id)));
  sandboxes_.erase(it);
  return Status::Ok();
}

StatusOr<SandboxState> LinuxRuntime::SandboxStatus(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) return NotFound("sandboxes", id);
  return ToState(it->second);
}

std::vector<SandboxState> LinuxRuntime::ListSandboxes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SandboxState> out;
  for (const auto& [id, rec] : sandboxes_) out.push_back(ToState(rec));
  return out;
}

StatusOr<ContainerState> LinuxRuntime::StartContainer(const ContainerSpec& spec) {
  if (!ValidId(spec.id)) return BadId("container", spec.id);
  if (spec.argv.empty()) return BadRequest("container " + spec.id + ": no command specified");
  if (spec.rootfs_layers.empty()) return BadRequest("container " + spec.id + ": no image layers");
  if (spec.log_path.empty() || spec.log_path[0] != '/') {
    return BadRequest("container " + spec.id + ": log_path must be absolute");
  }
  const std::string dir = ContainerDir(spec.id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (containers_.count(spec.id)) return AlreadyExists("containers", spec.id);
    auto sb = sandboxes_.find(spec.sandbox_id);
    if (sb == sandboxes_.end()) return NotFound("sandboxes", spec.sandbox_id);
    if (!ProcessMatches(sb->second.pid, sb->second.start_time)) {
      return Status(Code::kConflict, "pod sandbox " + spec.sandbox_id + " is not running");
    }
    auto cgroup = CgroupPath(options_.cgroup_root, spec.cgroup_parent, spec.id);
    if (!cgroup.ok()) return cgroup.status();
    ContainerEntry e;
    e.plan.spec = spec;
    e.plan.sandbox_pid = sb->second.pid;
    e.plan.sandbox_start = sb->second.start_time;
    e.plan.hostname = sb->second.spec.hostname;
    e.plan.share_pid = sb->second.spec.share_pid;
    e.plan.cgroup = *cgroup;
    if (!spec.pid_namespace_of.empty() && !e.plan.share_pid) {
      auto target = containers_.find(spec.pid_namespace_of);
      if (target == containers_.end() || target->second.plan.spec.sandbox_id != spec.sandbox_id) {
        return NotFound("containers", spec.pid_namespace_of);
      }
      Refresh(target->second);
      const ContainerRecord& t = target->second.rec;
      if (t.state.status != ContainerStatus::kRunning || !ProcessMatches(t.state.pid, t.pid_start)) {
        return Status(Code::kConflict, "container " + spec.pid_namespace_of + " is not running");
      }
      e.plan.pid_ns_pid = t.state.pid;
      e.plan.pid_ns_start = t.pid_start;
    }
    e.rec.state.id = spec.id;
    e.rec.state.status = ContainerStatus::kCreated;
    e.rec.state.labels = spec.labels;
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return errno == EEXIST ? AlreadyExists("containers", spec.id) : Errno("mkdir " + dir, errno);
    }
    Status st = SaveJsonFile(dir + "/spec.json", ToJson(e.plan));
    if (st.ok()) st = SaveJsonFile(dir + "/state.json", ToJson(e.rec));
    if (!st.ok()) {
      (void)RemoveAll(dir);
      return st;
    }
    containers_[spec.id] = std::move(e);
  }

  auto helper = zygote_.Spawn({kMonitorVerb, dir}, /*new_session=*/true);
  if (!helper.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ContainerEntry& e = containers_[spec.id];
    e.rec.state.status = ContainerStatus::kExited;
    e.rec.state.exit_code = 128;
    e.rec.state.message = "start the container monitor: " + helper.status().message();
    e.rec.state.finished_at = NowRfc3339Nano();
    (void)SaveJsonFile(dir + "/state.json", ToJson(e.rec));
    return Status(helper.status().code(), e.rec.state.message);
  }
  watcher_->Watch("m:" + spec.id, std::move(helper->pidfd));
  auto line = ReadLine(helper->sync.get(), kHelperTimeoutMs);
  if (!line.ok()) ::kill(helper->pid, SIGKILL);  // the watcher sees it exit and records the loss

  std::lock_guard<std::mutex> lock(mu_);
  ContainerEntry& e = containers_[spec.id];
  Refresh(e);
  if (!line.ok()) return line.status();
  if (line->rfind("ok ", 0) == 0) return e.rec.state;
  if (line->rfind("error ", 0) == 0) return Status(Code::kBadRequest, line->substr(6));
  return Internal("container " + spec.id + ": the monitor exited before the container started");
}

Status LinuxRuntime::StopContainer(const std::string& id, int64_t grace_seconds) {
  ContainerEntry e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return NotFound("containers", id);
    Refresh(it->second);
    if (it->second.rec.state.status != ContainerStatus::kRunning) return Status::Ok();
    e = it->second;
  }
  Cgroup cgroup(hierarchies_, e.plan.cgroup);
  UniqueFd pidfd = OpenPidfd(e.rec.state.pid, e.rec.pid_start);
  if (pidfd.valid()) {
    PidfdSendSignal(pidfd.get(), SIGTERM);
    int64_t grace_ms = std::max<int64_t>(grace_seconds, 0) * 1000;
    if (!WaitPidfd(pidfd.get(), static_cast<int>(std::min<int64_t>(grace_ms, INT_MAX)))) {
      for (int attempt = 0; attempt < 50; ++attempt) {
        cgroup.KillAll();
        if (WaitPidfd(pidfd.get(), 200)) break;
      }
    }
  }
  // Whatever shared the container's cgroup without being in its PID namespace goes too.
  cgroup.KillAll();
  UniqueFd monitor = OpenPidfd(e.rec.monitor_pid, e.rec.monitor_start);
  if (monitor.valid()) WaitPidfd(monitor.get(), 10000);

  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return Status::Ok();
  Refresh(it->second);
  if (it->second.rec.state.status == ContainerStatus::kRunning) {
    if (ProcessMatches(e.rec.state.pid, e.rec.pid_start)) {
      return Internal("container " + id + " did not exit after SIGKILL");
    }
    if (!ProcessMatches(e.rec.monitor_pid, e.rec.monitor_start)) MarkLost(it->second, kLostMessage);
  }
  return Status::Ok();
}

Status LinuxRuntime::RemoveContainerLocked(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return Status::Ok();
  ContainerEntry& e = it->second;
  Refresh(e);
  if (e.rec.state.status == ContainerStatus::kRunning &&
      ProcessMatches(e.rec.state.pid, e.rec.pid_start)) {
    return Status(Code::kConflict, "container " + id + " is running; stop it first");
  }
  // The monitor exits right after recording the exit; give it that moment.
  if (UniqueFd monitor = OpenPidfd(e.rec.monitor_pid, e.rec.monitor_start);
      monitor.valid() && !WaitPidfd(monitor.get(), 5000)) {
    return Status(Code::kConflict, "container " + id + " is still being monitored; retry");
  }
  Cgroup cgroup(hierarchies_, e.plan.cgroup);
  cgroup.KillAll();
  MINIK_RETURN_IF_ERROR(cgroup.Remove(2000));
  cgroup.RemoveEmptyAncestors(0);
  std::string dir = ContainerDir(id);
  std::vector<std::string> mounts = MountPointsUnder(dir);
  for (auto m = mounts.rbegin(); m != mounts.rend(); ++m) ::umount2(m->c_str(), MNT_DETACH);
  MINIK_RETURN_IF_ERROR(RemoveAll(dir));
  containers_.erase(it);
  return Status::Ok();
}

Status LinuxRuntime::RemoveContainer(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!containers_.count(id)) {
    if (ValidId(id)) (void)RemoveAll(ContainerDir(id));
    return Status::Ok();
  }
  return RemoveContainerLocked(id);
}

StatusOr<ContainerState> LinuxRuntime::Inspect(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFound("containers", id);
  Refresh(it->second);
  return it->second.rec.state;
}

std::vector<ContainerState> LinuxRuntime::ListContainers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ContainerState> out;
  for (auto& [id, e] : containers_) {
    Refresh(e);
    out.push_back(e.rec.state);
  }
  return out;
}

void LinuxRuntime::SetExitHandler(std::function<void(const std::string& id)> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

StatusOr<int> LinuxRuntime::AttachStdin(const std::string& id) {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return NotFound("containers", id);
    Refresh(it->second);
    if (it->second.rec.state.status != ContainerStatus::kRunning) {
      return Status(Code::kConflict, "container " + id + " is not running");
    }
    if (!it->second.plan.spec.stdin) {
      return BadRequest("container " + id + " was not started with stdin");
    }
    dir = ContainerDir(id);
  }
  UniqueFd dfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dfd.valid()) return Errno("open " + dir, errno);
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return Errno("socket", errno);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach.sock", dfd.get());
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return Status(Code::kConflict, "container " + id + ": stdin is closed");
    }
    return Errno("connect to the attach socket of " + id, errno);
  }
  return sock.release();
}

Status LinuxRuntime::Cleanup() {
  std::vector<std::string> containers, sandboxes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, e] : containers_) containers.push_back(id);
    for (const auto& [id, r] : sandboxes_) sandboxes.push_back(id);
  }
  Status first;
  auto note = [&](Status st) {
    if (!st.ok() && first.ok()) first = st;
  };
  for (const std::string& id : containers) note(StopContainer(id, 0));
  for (const std::string& id : containers) note(RemoveContainer(id));
  for (const std::string& id : sandboxes) note(RemoveSandbox(id));
  if (!first.ok()) return first;
  // Leftovers from records we could not read: everything under our cgroup root is ours.
  MINIK_RETURN_IF_ERROR(RemoveCgroupTree(hierarchies_, options_.cgroup_root, 5000));
  Cgroup(hierarchies_, options_.cgroup_root).RemoveEmptyAncestors(0);
  for (const std::string& dir : {options_.root + "/containers", options_.root + "/sandboxes"}) {
    std::vector<std::string> mounts = MountPointsUnder(dir);
    for (auto m = mounts.rbegin(); m != mounts.rend(); ++m) ::umount2(m->c_str(), MNT_DETACH);
  }
  return RemoveAll(options_.root);
}

}  // namespace minik::rt

namespace minik {

StatusOr<std::unique_ptr<ContainerRuntime>> OpenContainerRuntime(const RuntimeOptions& options) {
  auto rt = rt::LinuxRuntime::Open(options);
  if (!rt.ok()) return rt.status();
  return std::unique_ptr<ContainerRuntime>(std::move(*rt));
}

}  // namespace minik
