#include "cmd/profile_state.h"

#include "cmd/fileutil.h"
#include "cmd/kubeconfig.h"
#include "cmd/probe.h"
#include "cmd/process.h"

namespace minik {

std::string ProfileState::ServerUrl() const {
  return "https://127.0.0.1:" + std::to_string(config.api_port);
}

std::string ProfileState::Phase() const {
  if (config_status.code() == Code::kNotFound) return "Missing";
  if (!config_status.ok()) return "Broken";
  if (!host) return "Stopped";
  return api && kubelet ? "Running" : "Degraded";
}

int ProfileState::ExitCode() const {
  if (config_status.code() == Code::kNotFound) return kExitNoProfile;
  if (!config_status.ok() || !host) return kExitStopped;
  if (!api) return kExitApiDown;
  if (!kubelet) return kExitNodeNotReady;
  return kExitOk;
}

Json ProfileState::ToJson() const {
  auto state = [](bool up) { return up ? "Running" : "Stopped"; };
  Json j = {{"name", name}, {"status", Phase()}};
  if (!config_status.ok()) {
    j["error"] = config_status.message();
    return j;
  }
  j["host"] = state(host);
  j["apiserver"] = state(api);
  j["kubelet"] = state(kubelet);
  j["kubeconfig"] = kubeconfig ? "Configured" : "Misconfigured";
  j["server"] = ServerUrl();
  j["ephemeral"] = config.ephemeral;
  j["podCidr"] = PodCidr(config);
  j["bridge"] = BridgeName(config);
  if (host) j["pid"] = pid;
  if (pods >= 0) j["pods"] = pods;
  if (!why.empty()) j["reason"] = why;
  return j;
}

ProfileState ProbeProfile(const std::string& home, const std::string& name, bool count_pods) {
  ProfileState s;
  s.name = name;
  ProfilePaths paths = PathsFor(home, name);
  auto config = LoadProfileConfig(paths);
  if (!config.ok()) {
    s.config_status = config.status();
    return s;
  }
  s.config = *config;
  auto pid = ReadPidFile(paths.pid);
  s.host = pid.ok() && IsServerProcess(*pid, name);
  if (s.host) s.pid = *pid;
  if (s.host) {
    auto ca = ReadFile(paths.pki + "/ca.crt");
    // The admin key is root's (mode 0600); without it only /readyz can be asked.
    auto cert = ReadFile(paths.pki + "/admin.crt");
    auto key = ReadFile(paths.pki + "/admin.key");
    bool creds = cert.ok() && key.ok();
    if (ca.ok()) {
      auto probe = ClusterProbe::New(config->api_port, *ca, creds ? *cert : "", creds ? *key : "");
      if (probe.ok()) {
        Status ready = (*probe)->Readyz();
        s.api = ready.ok();
        if (!s.api) s.why = ready.message();
        if (s.api && creds) {
          Status node = (*probe)->NodeReady(name);
          s.kubelet = node.ok();
          if (!s.kubelet) s.why = node.message();
          if (count_pods) {
            auto n = (*probe)->CountPods();
            if (n.ok()) s.pods = *n;
          }
        } else if (s.api) {
          s.why = "cannot read " + paths.pki + "/admin.key to ask for the node";
        }
      } else {
        s.why = probe.status().message();
      }
    } else {
      s.why = ca.status().message();
    }
  }
  auto kubeconfig = ReadFile(DefaultKubeconfigPath());
  s.kubeconfig = kubeconfig.ok() && KubeconfigHasContext(*kubeconfig, name, s.ServerUrl());
  return s;
}

}  // namespace minik
