// The kubelet's record of one pod on the node, and the pod status made from it
// (pkg/kubelet's generateAPIPodStatus and getPhase). Pure functions over plain data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/json.h"

namespace minik {

struct ContainerRecord {
  std::string name;
  bool init = false;
  bool sidecar = false;  // an init container with restartPolicy Always
  // An ephemeral container (kubectl debug): started once, never restarted, no probes; it
  // counts neither for the phase nor for readiness (ready stays false, no `started`).
  bool ephemeral = false;
  std::string image;     // as reported: the normalised reference
  std::string image_id;  // "sha256:..." / repo digest
  // The current runtime container, if any.
  std::string container_id;
  bool running = false;
  bool exited = false;  // the current container has exited (terminated state)
  int exit_code = 0;
  std::string reason;   // terminated reason: Completed, Error, OOMKilled, ContainerCannotRun
  std::string message;  // terminated message (termination log or start error)
  std::string started_at, finished_at;
  int restart_count = 0;
  Json last_terminated;  // lastState.terminated, or null
  // Waiting (no running container): ContainerCreating, PodInitializing, CrashLoopBackOff,
  // ErrImagePull, ImagePullBackOff, CreateContainerConfigError, RunContainerError, ...
  std::string waiting_reason, waiting_message;
  bool ready = false;    // readiness probe (or running without one)
  bool started = false;  // startup probe passed (or none) while running
};

struct PodRecord {
  std::string uid, ns, name;
  std::string sandbox_id;
  bool sandbox_ready = false;
  std::string pod_ip;
  std::string start_time;  // RFC 3339, first time the kubelet saw the pod
  std::vector<ContainerRecord> init_containers;
  std::vector<ContainerRecord> containers;
  std::vector<ContainerRecord> ephemeral_containers;  // in spec.ephemeralContainers order
  // Set when the pod failed as a whole (e.g. activeDeadlineSeconds), with reason/message.
  std::string failed_reason, failed_message;
};

// The record of the container named `name` (regular, init or ephemeral), or nullptr.
const ContainerRecord* FindContainerRecord(const PodRecord& record, const std::string& name);

// The phase as getPhase computes it from the container records and restartPolicy.
std::string PodPhase(const Json& pod, const PodRecord& record);

// The complete status to write (conditions keep their lastTransitionTime when unchanged
// from `pod`'s current status). `host_ip` is the node's address.
Json MakePodStatus(const Json& pod, const PodRecord& record, const std::string& host_ip,
                   SystemTime now);

// One container's status object (name, state, lastState, ready, restartCount, image,
// imageID, containerID, started; an ephemeral container's has no `started`, as upstream's).
Json ContainerStatusJson(const ContainerRecord& c);

}  // namespace minik
