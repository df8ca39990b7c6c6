// Pod volumes on the node, as the kubelet's volume plugins lay them out:
//   <pods_dir>/<pod uid>/volumes/<plugin>/<volume name>
// with plugin directories named as upstream ("kubernetes.io~empty-dir",
// "kubernetes.io~configmap", "kubernetes.io~secret", "kubernetes.io~downward-api",
// "kubernetes.io~projected"). hostPath and persistentVolumeClaim (a bound hostPath or
// local PV) resolve to the host path itself. Other volume types are NotImplemented.
//
// configMap, secret, downwardAPI and projected volumes are written with the atomic writer
// of pkg/volume/util/atomic_writer.go: the files live in a timestamped directory
// "..<timestamp>", "..data" is a symlink to it, and each user-visible path is a symlink
// through "..data"; an update writes a new timestamped directory and renames a new "..data"
// symlink over the old one, so readers see either the old or the new set, never a mix.
// Secret and projected volumes (and emptyDir medium Memory) are tmpfs mounts, as upstream
// (both may hold credentials). Content is owned by root; with
// pod.spec.securityContext.fsGroup the volume gets that group, g+r(w) and setgid
// directories (volume.SetVolumeOwnership).
//
// Thread-safe per pod (callers serialise calls for the same pod).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/clock.h"
#include "api/json.h"
#include "api/status.h"

namespace minik {

struct VolumeOptions {
  std::string pods_dir;  // e.g. <state>/pods
  // The node allocatable, for downward API resourceFieldRefs of containers without limits.
  int64_t node_cpu_milli = 0;
  int64_t node_memory_bytes = 0;
  // Decides when projected service account tokens are refreshed (at 80% of their
  // lifetime). nullptr: the real clock.
  const Clock* clock = nullptr;
};

struct PreparedVolume {
  std::string host_path;  // what containers bind-mount (the volume's directory or file)
  bool read_only = false; // configMap/secret/downwardAPI/projected are always read-only
};

class VolumeManager {
 public:
  VolumeManager(Client& client, VolumeOptions options);

  // Creates/refreshes every volume of the pod (spec.volumes). For configMap/secret sources
  // it reads the objects through the client; a missing non-optional source is an error
  // whose message is what the kubelet puts in a FailedMount event, e.g.
  // `MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found`.
  // Called again periodically (about every 60 s) to pick up ConfigMap/Secret changes and
  // downward API label/annotation changes; only changed content triggers a new "..data".
  // Stops at the first failing volume; the Status keeps the cause's code (NotFound for a
  // missing ConfigMap/Secret/PVC, Invalid for bad items or hostPath types, ...).
  // Projected service account tokens are requested through
  // Create(serviceaccounts, ns, TokenRequest, {}, "token", <sa>) and re-requested at 80% of
  // their lifetime; while a refresh fails the previous unexpired token is kept.
  StatusOr<std::map<std::string, PreparedVolume>> Prepare(const Json& pod);

  // Unmounts tmpfs volumes and removes <pods_dir>/<uid> (after the pod's containers are
  // gone). Never touches hostPath sources. Idempotent.
  Status Cleanup(const std::string& pod_uid);

  // The pod uids that have a directory under pods_dir (for cleaning up after a restart).
  std::vector<std::string> ListPodDirs() const;

  // ResolveSubPath without its race: the checked file or directory is bind-mounted (through
  // the descriptor the check opened) to <pods_dir>/<uid>/volume-subpaths/<volume>/
  // <container>/<mount_index>, which is returned for the runtime to bind into the
  // container. A container that swaps a path component for a symlink after the check
  // cannot redirect the mount. Cleanup unmounts it. Empty sub_path: volume_path.
  StatusOr<std::string> PrepareSubPath(const std::string& pod_uid, const std::string& volume_name,
                                       const std::string& container_name, int mount_index,
                                       const std::string& volume_path,
                                       const std::string& sub_path);

 private:
  struct CachedToken {
    std::string token;
    SystemTime refresh_at;
    SystemTime expires;
  };
  StatusOr<PreparedVolume> PrepareOne(const Json& pod, const Json& volume);
  StatusOr<std::string> ServiceAccountToken(const Json& pod, const std::string& volume,
                                            const Json& source);

  Client& client_;
  VolumeOptions options_;
  RealClock real_clock_;
  const Clock& clock_;
  std::mutex mu_;  // guards tokens_ (Prepare runs for different pods concurrently)
  std::map<std::string, CachedToken> tokens_;  // "<pod uid>/<volume>/<path>"
};

// Resolves a container volumeMount's subPath inside the volume: not absolute, no "..", and
// symlinks (resolved as on the host) must not lead out of the volume; a missing path is
// created as a directory with the volume root's mode. Returns the real path. Binding that
// path later can race a container that rewrites its volume: prefer
// VolumeManager::PrepareSubPath.
StatusOr<std::string> ResolveSubPath(const std::string& volume_path, const std::string& sub_path);

// The value of a downward API fieldRef / resourceFieldRef for a pod (and container for
// resourceFieldRef): metadata.name, metadata.namespace, metadata.uid, metadata.labels,
// metadata.annotations, metadata.labels['k'], spec.nodeName, spec.serviceAccountName,
// status.podIP, status.podIPs, status.hostIP, status.hostIPs;
// limits.cpu/memory/ephemeral-storage, requests.* with divisor. kInvalid for others.
StatusOr<std::string> DownwardFieldValue(const Json& pod, const std::string& field_path);
StatusOr<std::string> DownwardResourceValue(const Json& pod, const std::string& container,
                                            const std::string& resource,
                                            const std::string& divisor, int64_t node_cpu_milli,
                                            int64_t node_memory_bytes);

}  // namespace minik
