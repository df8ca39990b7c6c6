// From a pod's container to the runtime's ContainerSpec, as pkg/kubelet/kuberuntime's
// generateContainerConfig does: the command (image Entrypoint/Cmd vs command/args), the
// environment (envFrom, env with $(VAR) expansion, service links), the user and security
// context (pod level merged with container level), cgroup resources from requests/limits,
// and the mounts (volumes, /etc/hosts, /etc/hostname, /etc/resolv.conf, the termination
// message file). Pure: every lookup the caller must do (ConfigMaps, Secrets) is done before.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"
#include "kubelet/images/images.h"
#include "kubelet/runtime/runtime.h"
#include "kubelet/volumes.h"

namespace minik {

// Looks up a ConfigMap or Secret ("configmaps"/"secrets") in the pod's namespace; NotFound
// when absent.
using ObjectLookup =
    std::function<StatusOr<Json>(const std::string& resource, const std::string& name)>;

struct ContainerInputs {
  const Json* pod = nullptr;
  const Json* container = nullptr;
  const ImageInfo* image = nullptr;
  const std::map<std::string, PreparedVolume>* volumes = nullptr;
  ObjectLookup lookup;
  std::vector<std::string> service_env;  // "KUBERNETES_SERVICE_HOST=10.96.0.1", ...
  std::string pod_dir;                   // holds etc-hosts, etc-hostname, resolv.conf
  std::string termination_log;           // host file for terminationMessagePath
  // Binds a volumeMount's subPath safely (VolumeManager::PrepareSubPath); when unset, the
  // subPath is resolved with ResolveSubPath.
  std::function<StatusOr<std::string>(const std::string& volume, int mount_index,
                                      const std::string& volume_path, const std::string& sub_path)>
      sub_path;
  int64_t node_cpu_milli = 0;            // for resourceFieldRef without limits
  int64_t node_memory_bytes = 0;
};

// Fills every field of `spec` except id, sandbox_id, log_path and labels. Errors are what
// the kubelet reports as the waiting reason CreateContainerConfigError, worded as upstream:
// `configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`,
// `container has runAsNonRoot and image will run as root (pod: "p_ns(uid)", container: c)`.
Status BuildContainerSpec(const ContainerInputs& in, ContainerSpec* spec);

// Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): $(NAME) is replaced
// when NAME is in `vars`, $$ escapes a $, anything else is kept as written.
std::string ExpandVars(const std::string& input, const std::map<std::string, std::string>& vars);

// The files every container of a pod sees (kubelet's managed hosts file and DNS config).
std::string HostsFile(const Json& pod, const std::string& pod_ip);
std::string ResolvConf(const Json& pod, const std::string& cluster_dns,
                       const std::string& cluster_domain, const std::string& host_resolv_conf);

// cpu.shares from requests.cpu in millicores (MilliCPUToShares: min 2, 1024 per core).
int64_t MilliCpuToShares(int64_t milli);

}  // namespace minik
