// LinuxRuntime: the ContainerRuntime over real namespaces, cgroups and mounts (see
// runtime.h for the contract and the on-disk layout, state.h for the records).
//
// Concurrency: `mu_` guards the maps and every server-side write of a state.json. Calls
// that wait (StartContainer for its monitor, StopContainer for the grace period, ExecSync)
// do so without holding it. The ExitWatcher thread calls OnExit, which takes `mu_`, then
// the exit handler after releasing it.
//
// Lost monitors: when a container's monitor dies before recording an exit (SIGKILL), the
// container keeps running and is watched directly; when it exits (or is found dead at
// Open), its state becomes Exited with exit code 137 and the message
// "container state lost: ..." (the real status is unknowable without being its parent).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/exit_watcher.h"
#include "kubelet/runtime/runtime.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/zygote.h"

namespace minik::rt {

class LinuxRuntime : public ContainerRuntime {
 public:
  static StatusOr<std::unique_ptr<LinuxRuntime>> Open(const RuntimeOptions& options);
  ~LinuxRuntime() override;

  StatusOr<SandboxState> RunSandbox(const SandboxSpec& spec) override;
  Status StopSandbox(const std::string& id) override;
  Status RemoveSandbox(const std::string& id) override;
  StatusOr<SandboxState> SandboxStatus(const std::string& id) const override;
  std::vector<SandboxState> ListSandboxes() const override;

  StatusOr<ContainerState> StartContainer(const ContainerSpec& spec) override;
  Status StopContainer(const std::string& id, int64_t grace_seconds) override;
  Status RemoveContainer(const std::string& id) override;
  StatusOr<ContainerState> Inspect(const std::string& id) const override;
  std::vector<ContainerState> ListContainers() const override;
  void SetExitHandler(std::function<void(const std::string& id)> handler) override;
  StatusOr<int> ExecSync(const std::string& id, const std::vector<std::string>& argv,
                         int timeout_ms, std::string* output) override;
  StatusOr<std::unique_ptr<ExecSession>> Exec(const std::string& id,
                                              const ExecOptions& options) override;
  StatusOr<int> AttachStdin(const std::string& id) override;
  Status Cleanup() override;

 private:
  struct ContainerEntry {
    ContainerPlan plan;
    ContainerRecord rec;
  };

  LinuxRuntime(RuntimeOptions options, std::vector<Hierarchy> hierarchies);
  Status Load();
  void Adopt(const std::string& id, ContainerEntry& e);  // mu_ held
  void OnExit(const std::string& key);
  std::string SandboxDir(const std::string& id) const;
  std::string ContainerDir(const std::string& id) const;
  // Re-reads state.json while the monitor may still write it. mu_ held.
  void Refresh(ContainerEntry& e) const;
  // Marks a container whose monitor is gone; kills what is left in its cgroup. mu_ held.
  void MarkLost(ContainerEntry& e, const std::string& message);
  SandboxState ToState(const SandboxRecord& r) const;
  Status RemoveContainerLocked(const std::string& id);
  StatusOr<int> RunningPid(const std::string& id) const;  // its init, verified alive

  const RuntimeOptions options_;
  const std::vector<Hierarchy> hierarchies_;
  mutable std::mutex mu_;
  std::map<std::string, SandboxRecord> sandboxes_;             // guarded by mu_
  std::set<std::string> starting_sandboxes_;                  // guarded by mu_
  mutable std::map<std::string, ContainerEntry> containers_;  // guarded by mu_
  std::function<void(const std::string&)> handler_;           // guarded by mu_
  Zygote zygote_;
  std::unique_ptr<ExitWatcher> watcher_;  // last: stopped before the maps go away
};

}  // namespace minik::rt
