// `minik start`: the cluster in the background, returning once the API answers and the node
// is Ready. Holds profiles/P/lock for its whole run, so concurrent starts (and stop/delete)
// of one profile are serialized; the second start then finds the cluster running.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/kubeconfig.h"
#include "cmd/pki.h"
#include "cmd/probe.h"
#include "cmd/process.h"
#include "cmd/profile.h"

namespace minik {
namespace {

using SteadyClock = std::chrono::steady_clock;
// Short polls: start-up speed is a feature, and a refused connect costs microseconds.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

long MillisSince(SteadyClock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t).count());
}

void Step(const std::string& what, SteadyClock::time_point since) {
  std::cout << "\u2713 " << what << " (" << MillisSince(since) << " ms)" << std::endl;
}

// The last `max_lines` lines of `path` written after byte `offset` (this run's output).
std::string LogTail(const std::string& path, size_t offset, size_t max_lines = 20) {
  auto text = ReadFile(path);
  if (!text.ok()) return "";
  std::string run = offset <= text->size() ? text->substr(offset) : *text;
  size_t pos = run.size();
  if (pos > 0 && run[pos - 1] == '\n') --pos;
  for (size_t lines = 0; pos > 0; --pos) {
    if (run[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return run.substr(pos);
}

std::string DescribeExit(int wait_status) {
  if (WIFEXITED(wait_status))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status))
    return "was killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "stopped";
}

struct Waiter {
  ClusterProbe& probe;
  pid_t pid;
  bool our_child;  // we spawned it, so we can reap it and learn its exit status
  std::chrono::milliseconds timeout;
  SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  std::string failure = {};

  // Polls `check` until OK; false with `failure` set when the server dies or time runs out.
  template <typename Check>
  bool Until(const std::string& what, Check check) {
    Status last;
    for (;;) {
      int wait_status = 0;
      if (our_child && ReapChild(pid, &wait_status)) {
        failure = "the server " + DescribeExit(wait_status) + " before " + what;
        return false;
      }
      if (!our_child && !ProcessAlive(pid)) {
        failure = "the server (pid " + std::to_string(pid) + ") exited before " + what;
        return false;
      }
      last = check();
      if (last.ok()) return true;
      if (SteadyClock::now() >= deadline) {
        std::string after = timeout.count() % 1000 == 0
                                ? std::to_string(timeout.count() / 1000) + " s"
                                : std::to_string(timeout.count()) + " ms";
        failure = "timed out after " + after + " waiting for " + what + ": " + last.message();
        return false;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }
};

KubeconfigEntry EntryFor(const ProfileConfig& config, const Pki& pki) {
  return {.name = config.name,
          .server = "https://127.0.0.1:" + std::to_string(config.api_port),
          .ca_pem = pki.ca_cert,
          .client_cert_pem = pki.admin_cert,
          .client_key_pem = pki.admin_key,
          .user_name = ""};
}

int MergeKubeconfig(const ProfileConfig& config, const Pki& pki) {
  auto t = SteadyClock::now();
  std::string path = DefaultKubeconfigPath();
  Status st = UpsertKubeconfigFile(path, EntryFor(config, pki));
  if (!st.ok())
    return Fail("the cluster runs, but the kubeconfig was not updated: " + st.message());
  Step("kubeconfig: context " + config.name + " in " + path, t);
  return 0;
}

}  // namespace

int StartCommand(const CliArgs& args, const StartOptions& options) {
  if (geteuid() != 0) return Fail("start needs root (namespaces, cgroups, iptables)");
  auto t_total = SteadyClock::now();
  const std::string profile = args.profile;
  const std::string home = MinikHome();
  const ProfilePaths paths = PathsFor(home, profile);

  if (Status st = MakeDirs(paths.dir, 0755); !st.ok()) return Fail(st.message());
  auto lock = FileLock::Acquire(paths.lock, true);
  if (!lock.ok()) return Fail(lock.status().message());

  auto existing = LoadProfileConfig(paths);
  if (!existing.ok() && existing.status().code() != Code::kNotFound) {
    return Fail(existing.status().message());
  }

  // Already running: a start is idempotent. (A server still starting, left by a start that
  // was interrupted, is waited for rather than duplicated.)
  if (auto pid = ReadPidFile(paths.pid); pid.ok() && IsServerProcess(*pid, profile)) {
    if (!existing.ok())
      return Fail("server pid " + std::to_string(*pid) + " runs without a config");
    auto pki = LoadPki(paths.pki);
    if (!pki.ok()) return Fail("cannot read the certificates: " + pki.status().message());
    auto probe =
        ClusterProbe::New(existing->api_port, pki->ca_cert, pki->admin_cert, pki->admin_key);
    if (!probe.ok()) return Fail(probe.status().message());
    Waiter wait{**probe, *pid, false, options.ready_timeout};
    if (!wait.Until("the API server", [&] { return (*probe)->Readyz(); }) ||
        !wait.Until("node " + profile + " Ready", [&] { return (*probe)->NodeReady(profile); })) {
      return Fail(wait.failure + " (log: " + paths.log + ")");
    }
    if (int rc = MergeKubeconfig(*existing, *pki); rc != 0) return rc;
    std::cout << "minik is already running (profile " << profile << ", pid " << *pid
              << "): kubectl get nodes" << std::endl;
    return 0;
  }
  unlink(paths.pid.c_str());  // stale

  // The profile's config: port and pod CIDR chosen once, under the home-wide lock so that
  // two new profiles never pick the same values.
  ProfileConfig config;
  {
    auto home_lock = FileLock::Acquire(home + "/lock", true);
    if (!home_lock.ok()) return Fail(home_lock.status().message());
    if (existing.ok()) {
      config = *existing;
    } else {
      auto fresh = NewProfileConfig(home, profile);
      if (!fresh.ok()) return Fail(fresh.status().message());
      config = *fresh;
    }
    config.name = profile;
    config.ephemeral = args.ephemeral;
    config.simulated_nodes = args.simulated_nodes;
    if (Status st = SaveProfileConfig(paths, config); !st.ok()) return Fail(st.message());
  }

  auto t = SteadyClock::now();
  if (Status st = EnsurePki(paths.pki); !st.ok()) return Fail("certificates: " + st.message());
  auto pki = LoadPki(paths.pki);
  if (!pki.ok()) return Fail("certificates: " + pki.status().message());
  Step("certificates", t);

  if (Status st = CheckPortFree("127.0.0.1", config.api_port); !st.ok()) return Fail(st.message());

  t = SteadyClock::now();
  struct stat log_stat;
  size_t log_offset =
      stat(paths.log.c_str(), &log_stat) == 0 ? static_cast<size_t>(log_stat.st_size) : 0;
  DaemonSpec spec{.exe = options.server_exe,
                  .argv = {"minik", "server", "--profile", profile},
                  .log_path = paths.log,
                  .env = {{"MINIK_HOME", home}}};
  auto pid = SpawnDaemon(spec);
  if (!pid.ok()) return Fail("cannot start the server: " + pid.status().message());
  if (Status st = WritePidFile(paths.pid, *pid); !st.ok()) {
    TerminateProcess(*pid, std::chrono::seconds(5));
    return Fail(st.message());
  }
  Step("server started, pid " + std::to_string(*pid) + (config.ephemeral ? ", ephemeral" : ""), t);

  auto probe = ClusterProbe::New(config.api_port, pki->ca_cert, pki->admin_cert, pki->admin_key);
  if (!probe.ok()) return Fail(probe.status().message());
  Waiter wait{**probe, *pid, true, options.ready_timeout};
  auto fail_with_log = [&]() {
    // Don't leave a half-started server behind: the next start begins from a clean state.
    TerminateProcess(*pid, std::chrono::seconds(5));
    RemovePidFileIf(paths.pid, *pid);
    std::string tail = LogTail(paths.log, log_offset);
    if (!tail.empty())
      std::cerr << "--- last lines of " << paths.log << " ---\n" << tail << std::flush;
    return Fail(wait.failure);
  };
  t = SteadyClock::now();
  if (!wait.Until("the API server", [&] { return (*probe)->Readyz(); })) return fail_with_log();
  Step("API server ready on https://127.0.0.1:" + std::to_string(config.api_port), t);
  t = SteadyClock::now();
  if (!wait.Until("node " + profile + " Ready", [&] { return (*probe)->NodeReady(profile); })) {
    return fail_with_log();
  }
  Step("node " + profile + " Ready", t);

  if (int rc = MergeKubeconfig(config, *pki); rc != 0) return rc;
  std::cout << "minik is running (" << MillisSince(t_total) << " ms): kubectl get nodes"
            << std::endl;
  return 0;
}

}  // namespace minik
