// One thread waiting (epoll over pidfds) for processes to exit: the monitors (and, when a
// monitor was lost, the containers themselves). Children of this process are reaped.
// `on_exit(key)` runs on the watcher thread, without any lock of the watcher held.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "kubelet/runtime/sys.h"

namespace minik::rt {

class ExitWatcher {
 public:
  explicit ExitWatcher(std::function<void(const std::string& key)> on_exit);
  ~ExitWatcher();  // stops the thread; the watched processes keep running
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;

  // Watches the process behind `pidfd` (ownership taken). An exited process fires at once.
  void Watch(const std::string& key, UniqueFd pidfd);

 private:
  void Loop();

  std::function<void(const std::string&)> on_exit_;
  UniqueFd epoll_, wake_;
  std::mutex mu_;
  uint64_t next_token_ = 1;                                // guarded by mu_
  std::map<uint64_t, std::pair<std::string, UniqueFd>> watched_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace minik::rt
