// What `minik status` and `minik profile list` report about a profile: its server process,
// the API's /readyz, the node's Ready condition and the kubeconfig context, probed live.
#pragma once

#include <sys/types.h>

#include <string>

#include "api/json.h"
#include "api/status.h"
#include "cmd/profile.h"

namespace minik {

// `minik status` exit codes, minikube's: bits for host (1), API server (2) and node (4)
// not running; 85 when the profile does not exist.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNodeNotReady = 4;
inline constexpr int kExitApiDown = 6;
inline constexpr int kExitStopped = 7;
inline constexpr int kExitNoProfile = 85;

struct ProfileState {
  std::string name;
  Status config_status;  // kNotFound: no such profile; other errors: unreadable config
  ProfileConfig config;
  pid_t pid = 0;
  bool host = false;        // the profile's `minik server` process runs
  bool api = false;         // /readyz answers ok
  bool kubelet = false;     // the node is Ready
  bool kubeconfig = false;  // the kubeconfig has the profile's context with its server URL
  std::string why;          // why api/kubelet is not up, when host is
  int pods = -1;            // with count_pods and a running API; -1 otherwise

  std::string ServerUrl() const;
  // "Running", "Stopped", "Degraded" (server up, API or node not), "Missing", "Broken".
  std::string Phase() const;
  int ExitCode() const;
  Json ToJson() const;
};

ProfileState ProbeProfile(const std::string& home, const std::string& name, bool count_pods);

}  // namespace minik
