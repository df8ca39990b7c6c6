// `minik stop` and `minik delete`. Both take profiles/P/lock, so they never interleave with
// a start of the same profile. Stopping an --ephemeral cluster deletes it: its objects lived
// in the server's memory, and a profile left behind would only hold stale containers.
#include <chrono>
#include <iostream>

#include "cmd/cleanup.h"
#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/kubeconfig.h"
#include "cmd/process.h"
#include "cmd/profile.h"

namespace minik {
namespace {

constexpr auto kStopGrace = std::chrono::seconds(30);

// Stops the profile's server if it runs. `stopped` tells whether there was one.
Status StopServer(const ProfilePaths& paths, const std::string& profile, bool* stopped) {
  *stopped = false;
  auto pid = ReadPidFile(paths.pid);
  if (!pid.ok()) return Status::Ok();
  if (IsServerProcess(*pid, profile)) {
    bool killed = false;
    Status st = TerminateProcess(*pid, kStopGrace, &killed);
    if (st.code() == Code::kForbidden) {
      return Status(Code::kForbidden, "stopping needs root (the server runs as root)");
    }
    MINIK_RETURN_IF_ERROR(st);
    if (killed) {
      std::cerr << "minik: the server did not stop within 30 s and was killed" << std::endl;
    }
    *stopped = true;
  }
  RemovePidFileIf(paths.pid, *pid);
  return Status::Ok();
}

// The profiles whose servers run: a deleted profile's context hands current-context to one.
std::vector<std::string> RunningProfiles(const std::string& home) {
  std::vector<std::string> out;
  for (const auto& p : ListProfiles(home)) {
    auto pid = ReadPidFile(PathsFor(home, p).pid);
    if (pid.ok() && IsServerProcess(*pid, p)) out.push_back(p);
  }
  return out;
}

// Deletes one profile; `existed` tells whether it had a state directory.
Status DeleteProfile(const std::string& home, const std::string& profile, bool* existed) {
  ProfilePaths paths = PathsFor(home, profile);
  *existed = PathExists(paths.dir);
  if (*existed) {
    auto lock = FileLock::Acquire(paths.lock, true);
    if (!lock.ok()) {
      // Deleted by someone else while we waited: nothing left to do here.
      if (!PathExists(paths.dir)) {
        *existed = false;
      } else {
        return lock.status();
      }
    } else {
      bool stopped = false;
      MINIK_RETURN_IF_ERROR(StopServer(paths, profile, &stopped));
      MINIK_RETURN_IF_ERROR(CleanupHostResources(profile, paths));
      MINIK_RETURN_IF_ERROR(RemoveAll(paths.dir));
    }
  }
  return RemoveFromKubeconfigFile(DefaultKubeconfigPath(), profile, RunningProfiles(home));
}

}  // namespace

int StopCommand(const CliArgs& args) {
  auto t = std::chrono::steady_clock::now();
  std::string home = MinikHome();
  ProfilePaths paths = PathsFor(home, args.profile);
  if (!PathExists(paths.dir)) return Fail("profile " + args.profile + " does not exist");
  if (auto config = LoadProfileConfig(paths); config.ok() && config->ephemeral) {
    bool existed = false;
    if (Status st = DeleteProfile(home, args.profile, &existed); !st.ok())
      return Fail("stop " + args.profile + ": " + st.message());
    std::cout << "\u2713 stopped and deleted ephemeral profile " << args.profile << std::endl;
    return 0;
  }
  auto lock = FileLock::Acquire(paths.lock, true);
  if (!lock.ok()) return Fail(lock.status().message());
  bool stopped = false;
  if (Status st = StopServer(paths, args.profile, &stopped); !st.ok()) return Fail(st.message());
  if (!stopped) {
    // A server that died (kill -9, OOM) leaves its containers running for the next one to
    // adopt; a stop means they stop too.
    int orphans = 0;
    if (Status st = StopOrphanContainers(args.profile, paths, 10, &orphans); !st.ok())
      return Fail("stop " + args.profile + ": " + st.message());
    if (orphans > 0) {
      std::cout << "\u2713 stopped " << orphans << " container" << (orphans == 1 ? "" : "s")
                << " left running by a server that died" << std::endl;
      return 0;
    }
    // Stopping a stopped cluster is not a failure (scripts run `minik stop` unconditionally).
    std::cout << "minik: profile " << args.profile << " is not running" << std::endl;
    return 0;
  }
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
          .count();
  std::cout << "\u2713 stopped " << args.profile << " (" << ms << " ms); state kept in "
            << paths.dir << std::endl;
  return 0;
}

int DeleteCommand(const CliArgs& args) {
  std::string home = MinikHome();
  std::vector<std::string> profiles =
      args.all ? ListProfiles(home) : std::vector<std::string>{args.profile};
  if (profiles.empty()) {
    std::cout << "minik: no profiles to delete" << std::endl;
    return 0;
  }
  int rc = 0;
  for (const auto& profile : profiles) {
    bool existed = false;
    if (Status st = DeleteProfile(home, profile, &existed); !st.ok()) {
      rc = Fail("delete " + profile + ": " + st.message());
      continue;
    }
    if (existed) {
      std::cout << "\u2713 deleted profile " << profile << std::endl;
    } else {
      std::cout << "minik: profile " << profile << " does not exist" << std::endl;
    }
  }
  return rc;
}

}  // namespace minik
