// `minik start`: the cluster in the background, returning once the API answers, the node is
// Ready and the server reports every component up. Holds profiles/P/lock for its whole run,
// so concurrent starts (and stop/delete) of one profile are serialized; the second start then
// finds the cluster running.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/hostcheck.h"
#include "cmd/kubeconfig.h"
#include "cmd/node_setup.h"
#include "cmd/pki.h"
#include "cmd/probe.h"
#include "cmd/process.h"
#include "cmd/profile.h"
#include "cmd/progress.h"

namespace minik {
namespace {

using SteadyClock = std::chrono::steady_clock;
// Short polls: start-up speed is a feature, and a refused connect costs microseconds.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

long MillisSince(SteadyClock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t).count());
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

// The server's own one-line reason ("minik: <reason>") in its log tail, without the prefix.
std::string ServerReason(const std::string& tail) {
  std::string reason;
  std::istringstream lines(tail);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("minik: ", 0) == 0) reason = line.substr(7);
  }
  return reason;
}

std::string DescribeExit(int wait_status) {
  if (WIFEXITED(wait_status))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status))
    return "was killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "stopped";
}

struct Waiter {
  pid_t pid;
  bool our_child;  // we spawned it, so we can reap it and learn its exit status
  std::chrono::milliseconds timeout;
  std::function<void()> tick = [] {};  // run on every poll (prints the server's progress)
  SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  std::string failure = {};
  bool server_died = false;

  // Polls `check` until OK; false with `failure` set when the server dies or time runs out.
  template <typename Check>
  bool Until(const std::string& what, Check check) {
    Status last;
    for (;;) {
      tick();
      int wait_status = 0;
      if (our_child && ReapChild(pid, &wait_status)) {
        failure = "the server " + DescribeExit(wait_status) + " before " + what;
        server_died = true;
        return false;
      }
      if (!our_child && !ProcessAlive(pid)) {
        failure = "the server (pid " + std::to_string(pid) + ") exited before " + what;
        server_died = true;
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

std::string ServerUrl(const ProfileConfig& config) {
  return "https://127.0.0.1:" + std::to_string(config.api_port);
}

KubeconfigEntry EntryFor(const ProfileConfig& config, const Pki& pki) {
  return {.name = config.name,
          .server = ServerUrl(config),
          .ca_pem = pki.ca_cert,
          .client_cert_pem = pki.admin_cert,
          .client_key_pem = pki.admin_key,
          .user_name = ""};
}

Json Summary(const ProfileConfig& config, pid_t pid, long ms, bool already_running) {
  return {{"status", "Running"},
          {"profile", config.name},
          {"context", config.name},
          {"server", ServerUrl(config)},
          {"kubeconfig", DefaultKubeconfigPath()},
          {"ephemeral", config.ephemeral},
          {"pid", pid},
          {"alreadyRunning", already_running},
          {"ms", ms}};
}

std::string SummaryText(const ProfileConfig& config, long ms) {
  return "minik is running (" + std::to_string(ms) + " ms): kubectl context " + config.name +
         ", API " + ServerUrl(config) + (config.ephemeral ? ", ephemeral (state in memory)" : "");
}

// The readable configs of this home's other profiles: their API ports and pod networks are
// theirs (they get them back on their next start).
std::vector<ProfileConfig> OtherProfiles(const std::string& home, const std::string& profile) {
  std::vector<ProfileConfig> out;
  for (const auto& other : ListProfiles(home)) {
    if (other == profile) continue;
    if (auto c = LoadProfileConfig(PathsFor(home, other)); c.ok()) out.push_back(*c);
  }
  return out;
}

std::string Holder(int port) {
  std::string who = PortHolder(port, HostRoots{});
  return who.empty() ? "another program" : who;
}

}  // namespace

int StartCommand(const CliArgs& args, const StartOptions& options) {
  auto t_total = SteadyClock::now();
  ProgressPrinter out(stdout, args.json, !args.json && isatty(STDOUT_FILENO));
  auto fail = [&](const std::string& message) {
    out.Error(message);
    return Fail(message);
  };
  if (geteuid() != 0)
    return fail("start needs root (namespaces, cgroups, iptables): run it as root, e.g. sudo minik start");
  // Before anything is created or changed on the host.
  if (Status st = CheckHost(HostRoots{}); !st.ok()) return fail(st.message());
  for (const std::string& warning : HostWarnings(HostRoots{})) out.Note(warning);

  const std::string profile = args.profile;
  const std::string home = MinikHome();
  const ProfilePaths paths = PathsFor(home, profile);
  const std::string start_over =
      "; nothing was changed: repair it, or run minik delete --profile " + profile +
      " to start over (this deletes the cluster)";

  if (PathExists(paths.dir)) {
    struct stat st;
    if (stat(paths.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return fail(paths.dir + " is not a directory" + start_over);
  }
  if (Status st = MakeDirs(paths.dir, 0755); !st.ok()) return fail(st.message());
  auto lock = FileLock::Acquire(paths.lock, true);
  if (!lock.ok()) return fail(lock.status().message());

  auto existing = LoadProfileConfig(paths);
  if (!existing.ok() && existing.status().code() != Code::kNotFound) {
    return fail(existing.status().message() + start_over);
  }
  if (existing.ok() && PathExists(paths.pki)) {
    if (auto pki = LoadPki(paths.pki); !pki.ok())
      return fail("the certificates in " + paths.pki + " are unreadable: " +
                  pki.status().message() + start_over);
  }

  // Already running: a start is idempotent. (A server still starting, left by a start that
  // was interrupted, is waited for rather than duplicated.)
  if (auto pid = ReadPidFile(paths.pid); pid.ok() && IsServerProcess(*pid, profile)) {
    if (!existing.ok())
      return fail("server pid " + std::to_string(*pid) + " runs without a config");
    if (args.api_port != 0 && args.api_port != existing->api_port) {
      return fail("profile " + profile + " is running on port " +
                  std::to_string(existing->api_port) + "; stop it before changing --api-port");
    }
    auto pki = LoadPki(paths.pki);
    if (!pki.ok()) return fail("cannot read the certificates: " + pki.status().message());
    auto probe =
        ClusterProbe::New(existing->api_port, pki->ca_cert, pki->admin_cert, pki->admin_key);
    if (!probe.ok()) return fail(probe.status().message());
    Waiter wait{*pid, false, options.ready_timeout};
    if (!wait.Until("the API server", [&] { return (*probe)->Readyz(); }) ||
        !wait.Until("node " + profile + " Ready", [&] { return (*probe)->NodeReady(profile); })) {
      return fail(wait.failure + " (log: " + paths.log + ")");
    }
    if (Status st = UpsertKubeconfigFile(DefaultKubeconfigPath(), EntryFor(*existing, *pki));
        !st.ok())
      return fail("the cluster runs, but the kubeconfig was not updated: " + st.message());
    out.Done(Summary(*existing, *pid, MillisSince(t_total), true),
             "minik is already running (profile " + profile + ", pid " + std::to_string(*pid) +
                 "): kubectl context " + profile + ", API " + ServerUrl(*existing));
    return 0;
  }
  unlink(paths.pid.c_str());  // stale

  // The profile's config: port and pod CIDR chosen once, under the home-wide lock so that
  // two new profiles never pick the same values.
  ProfileConfig config;
  {
    auto home_lock = FileLock::Acquire(home + "/lock", true);
    if (!home_lock.ok()) return fail(home_lock.status().message());
    if (existing.ok()) {
      config = *existing;
      if (args.ephemeral && !existing->ephemeral)
        return fail("profile " + profile + " keeps its state on disk; delete it first to start it --ephemeral");
    } else {
      auto fresh = NewProfileConfig(home, profile);
      if (!fresh.ok()) return fail(fresh.status().message());
      config = *fresh;
      config.ephemeral = args.ephemeral;
    }
    config.name = profile;
    config.simulated_nodes = args.simulated_nodes;
    const std::vector<ProfileConfig> others = OtherProfiles(home, profile);
    std::set<int> taken, reserved;  // other profiles' pod network indexes and API ports
    for (const ProfileConfig& c : others) {
      taken.insert(c.pod_cidr_index);
      reserved.insert(c.api_port);
    }
    // The pod network (bridge, chains, cgroups) must be this cluster's alone on the host.
    auto index = ClaimNetworkIndex(NetworkClaimsDir(), config.pod_cidr_index, paths.dir, taken);
    if (!index.ok()) return fail(index.status().message());
    if (*index != config.pod_cidr_index) {
      ProfileConfig moved = config;
      moved.pod_cidr_index = *index;
      if (existing.ok()) {
        out.Note("pod network " + PodCidr(config) + " is used by another minik cluster (" +
                 NetworkIndexOwner(NetworkClaimsDir(), config.pod_cidr_index) + "); using " +
                 PodCidr(moved) + " instead");
      }
      config = moved;
    }
    if (args.api_port != 0) {
      for (const ProfileConfig& c : others) {
        if (c.api_port == args.api_port)
          return fail("port " + std::to_string(args.api_port) + " is the API port of profile " +
                      c.name);
      }
      config.api_port = args.api_port;
    }
    if (Status free = CheckPortFree("127.0.0.1", config.api_port); !free.ok()) {
      if (free.code() != Code::kServiceUnavailable) return fail(free.message());
      auto other = FindFreePort(config.api_port + 1, reserved);
      std::string taken = "the API port " + std::to_string(config.api_port) + " (127.0.0.1) is taken by " +
                          Holder(config.api_port);
      if (existing.ok() || args.api_port != 0 || !other.ok()) {
        // The port is the profile's address in kubeconfigs and scripts: never moved silently.
        return fail(taken + ": stop it, or start on another port with minik start --profile " +
                    profile + " --api-port " +
                    (other.ok() ? std::to_string(*other) : std::string("N")));
      }
      out.Note(taken + "; using port " + std::to_string(*other) + " instead");
      config.api_port = *other;
    }
    if (Status st = SaveProfileConfig(paths, config); !st.ok()) return fail(st.message());
  }

  auto t = SteadyClock::now();
  // Pods reach the API at the node address (the bridge gateway) through the `kubernetes`
  // Service, so the serving certificate names it too; an older certificate without it is
  // re-issued here.
  PkiOptions pki_options;
  pki_options.ip_sans.push_back(NodeIpFor(config));
  if (Status st = EnsurePki(paths.pki, pki_options); !st.ok()) {
    return fail("certificates: " + st.message());
  }
  auto pki = LoadPki(paths.pki);
  if (!pki.ok()) return fail("certificates: " + pki.status().message());
  out.Step({"certificates", MillisSince(t), ""});

  struct stat log_stat;
  size_t log_offset =
      stat(paths.log.c_str(), &log_stat) == 0 ? static_cast<size_t>(log_stat.st_size) : 0;
  unlink(paths.progress.c_str());  // the last run's steps are not this run's
  DaemonSpec spec{.exe = options.server_exe,
                  .argv = {"minik", "server", "--profile", profile},
                  .log_path = paths.log,
                  .env = {{"MINIK_HOME", home}}};
  auto pid = SpawnDaemon(spec);
  if (!pid.ok()) return fail("cannot start the server: " + pid.status().message());
  if (Status st = WritePidFile(paths.pid, *pid); !st.ok()) {
    TerminateProcess(*pid, std::chrono::seconds(5));
    return fail(st.message());
  }

  auto probe = ClusterProbe::New(config.api_port, pki->ca_cert, pki->admin_cert, pki->admin_key);
  if (!probe.ok()) return fail(probe.status().message());
  ProgressReader progress(paths.progress);
  bool server_ready = false;
  Waiter wait{*pid, true, options.ready_timeout};
  wait.tick = [&] {
    for (const ProgressStep& step : progress.Poll()) {
      if (step.name == "ready") server_ready = true;
      out.Step(step);
    }
  };
  auto fail_with_log = [&]() {
    // Don't leave a half-started server behind: the next start begins from a clean state.
    TerminateProcess(*pid, std::chrono::seconds(5));
    RemovePidFileIf(paths.pid, *pid);
    std::string tail = LogTail(paths.log, log_offset);
    std::string reason = wait.server_died ? ServerReason(tail) : "";
    if (!tail.empty() && reason.empty())
      std::cerr << "--- last lines of " << paths.log << " ---\n" << tail << std::flush;
    return fail(reason.empty() ? wait.failure : reason);
  };
  if (!wait.Until("the API server", [&] { return (*probe)->Readyz(); }) ||
      !wait.Until("node " + profile + " Ready", [&] { return (*probe)->NodeReady(profile); }) ||
      !wait.Until("the server's components", [&] {
        return server_ready ? Status::Ok()
                            : Status(Code::kServiceUnavailable, "the server is still starting");
      })) {
    return fail_with_log();
  }

  t = SteadyClock::now();
  std::string kubeconfig = DefaultKubeconfigPath();
  if (Status st = UpsertKubeconfigFile(kubeconfig, EntryFor(config, *pki)); !st.ok())
    return fail("the cluster runs, but the kubeconfig was not updated: " + st.message());
  out.Step({"kubeconfig", MillisSince(t), "context " + config.name + " in " + kubeconfig});
  long ms = MillisSince(t_total);
  out.Done(Summary(config, *pid, ms, false), SummaryText(config, ms));
  return 0;
}

}  // namespace minik
