#include "kubelet/pod_status.h"

namespace minik {
namespace {

const Json kNull;

std::string RestartPolicy(const Json& pod) {
  std::string p = GetString(pod, {"spec", "restartPolicy"});
  return p.empty() ? "Always" : p;
}

bool InitSucceeded(const ContainerRecord& c) {
  if (c.sidecar) return c.running && c.started;
  return c.exited && c.exit_code == 0 && !c.running;
}

Json Condition(const std::string& type, bool status, const std::string& reason,
               const std::string& message, const Json& old_status, const std::string& now) {
  Json c = {{"type", type}, {"status", status ? "True" : "False"}, {"lastProbeTime", nullptr}};
  std::string transition = now;
  if (const Json* conds = Find(old_status, {"conditions"}); conds && conds->is_array()) {
    for (const Json& o : *conds) {
      if (GetString(o, {"type"}) == type && GetString(o, {"status"}) == c["status"]) {
        std::string t = GetString(o, {"lastTransitionTime"});
        if (!t.empty()) transition = t;
      }
    }
  }
  c["lastTransitionTime"] = transition;
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

}  // namespace

Json ContainerStatusJson(const ContainerRecord& c) {
  Json s = {{"name", c.name},
            {"image", c.image},
            {"imageID", c.image_id},
            {"ready", c.ready},
            {"restartCount", c.restart_count}};
  if (!c.ephemeral) s["started"] = c.running && c.started;
  if (!c.container_id.empty()) s["containerID"] = "minik://" + c.container_id;
  if (c.running) {
    s["state"] = {{"running", {{"startedAt", c.started_at}}}};
  } else if (!c.waiting_reason.empty() || !c.exited) {
    Json w = {{"reason", c.waiting_reason.empty() ? "ContainerCreating" : c.waiting_reason}};
    if (!c.waiting_message.empty()) w["message"] = c.waiting_message;
    s["state"] = {{"waiting", w}};
  } else {
    Json t = {{"exitCode", c.exit_code},
              {"reason", c.reason},
              {"startedAt", c.started_at.empty() ? Json(nullptr) : Json(c.started_at)},
              {"finishedAt", c.finished_at.empty() ? Json(nullptr) : Json(c.finished_at)}};
    if (!c.message.empty()) t["message"] = c.message;
    if (!c.container_id.empty()) t["containerID"] = "minik://" + c.container_id;
    s["state"] = {{"terminated", t}};
  }
  s["lastState"] = c.last_terminated.is_object() ? Json{{"terminated", c.last_terminated}}
                                                 : Json::object();
  return s;
}

const ContainerRecord* FindContainerRecord(const PodRecord& r, const std::string& name) {
  for (const auto* list : {&r.containers, &r.init_containers, &r.ephemeral_containers})
    for (const ContainerRecord& c : *list)
      if (c.name == name) return &c;
  return nullptr;
}

// Ephemeral containers are left out: they never decide the phase (upstream's getPhase only
// looks at spec.initContainers and spec.containers).
std::string PodPhase(const Json& pod, const PodRecord& r) {
  if (!r.failed_reason.empty()) return "Failed";
  const std::string policy = RestartPolicy(pod);
  // Init containers.
  for (const ContainerRecord& c : r.init_containers) {
    if (InitSucceeded(c)) continue;
    if (c.sidecar) return "Pending";
    bool failed = (c.exited && c.exit_code != 0) ||
                  (!c.running && c.last_terminated.is_object() &&
                   GetInt(c.last_terminated, {"exitCode"}) != 0);
    if (failed && policy == "Never") return "Failed";
    return "Pending";
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const ContainerRecord& c : r.containers) {
    if (c.running) {
      ++running;
    } else if (c.exited && c.waiting_reason.empty()) {
      ++stopped;
      if (c.exit_code == 0) ++succeeded;
    } else if (c.last_terminated.is_object()) {
      ++stopped;
      if (GetInt(c.last_terminated, {"exitCode"}) == 0) ++succeeded;
    } else {
      ++waiting;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy == "Always") return "Running";
    if (policy == "OnFailure") return stopped == succeeded ? "Succeeded" : "Running";
    return stopped == succeeded ? "Succeeded" : "Failed";
  }
  return "Pending";
}

Json MakePodStatus(const Json& pod, const PodRecord& r, const std::string& host_ip,
                   SystemTime now_time) {
  const std::string now = FormatRfc3339(now_time);
  const Json* old_ptr = Find(pod, {"status"});
  const Json& old = old_ptr ? *old_ptr : kNull;
  Json status = Json::object();
  const std::string phase = PodPhase(pod, r);
  status["phase"] = phase;
  const bool terminal = phase == "Succeeded" || phase == "Failed";

  std::vector<std::string> incomplete_init, unready;
  for (const ContainerRecord& c : r.init_containers)
    if (!InitSucceeded(c)) incomplete_init.push_back(c.name);
  for (const ContainerRecord& c : r.containers)
    if (!c.ready) unready.push_back(c.name);
  for (const ContainerRecord& c : r.init_containers)
    if (c.sidecar && !c.ready) unready.push_back(c.name);

  Json conds = Json::array();
  conds.push_back(Condition("PodReadyToStartContainers", r.sandbox_ready && !terminal, "", "", old, now));
  const bool initialized = incomplete_init.empty();
  conds.push_back(Condition("Initialized", initialized,
                            initialized ? "" : "ContainersNotInitialized",
                            initialized ? "" : "containers with incomplete status: " + NameList(incomplete_init),
                            old, now));
  bool ready = unready.empty() && initialized && !terminal;
  std::string not_ready_reason = terminal ? "PodCompleted" : "ContainersNotReady";
  std::string not_ready_message =
      terminal ? "" : "containers with unready status: " + NameList(unready);
  if (!initialized && !terminal) {
    not_ready_reason = "ContainersNotInitialized";
    not_ready_message = "containers with incomplete status: " + NameList(incomplete_init);
  }
  if (ready) not_ready_reason = not_ready_message = "";
  conds.push_back(Condition("Ready", ready, not_ready_reason, not_ready_message, old, now));
  conds.push_back(Condition("ContainersReady", ready, not_ready_reason, not_ready_message, old, now));
  // PodScheduled (set by the binding) and conditions of other writers are kept.
  if (const Json* oc = Find(old, {"conditions"}); oc && oc->is_array()) {
    for (const Json& o : *oc) {
      std::string t = GetString(o, {"type"});
      if (t == "PodReadyToStartContainers" || t == "Initialized" || t == "Ready" ||
          t == "ContainersReady")
        continue;
      conds.push_back(o);
    }
  }
  status["conditions"] = conds;
  if (!r.failed_reason.empty()) {
    status["reason"] = r.failed_reason;
    status["message"] = r.failed_message;
  }
  status["hostIP"] = host_ip;
  status["hostIPs"] = Json::array({{{"ip", host_ip}}});
  if (!r.pod_ip.empty()) {
    status["podIP"] = r.pod_ip;
    status["podIPs"] = Json::array({{{"ip", r.pod_ip}}});
  }
  if (!r.start_time.empty()) status["startTime"] = r.start_time;
  if (!r.init_containers.empty()) {
    Json list = Json::array();
    for (const ContainerRecord& c : r.init_containers) list.push_back(ContainerStatusJson(c));
    status["initContainerStatuses"] = list;
  }
  Json list = Json::array();
  for (const ContainerRecord& c : r.containers) list.push_back(ContainerStatusJson(c));
  status["containerStatuses"] = list;
  if (!r.ephemeral_containers.empty()) {
    Json eph = Json::array();
    for (const ContainerRecord& c : r.ephemeral_containers) eph.push_back(ContainerStatusJson(c));
    status["ephemeralContainerStatuses"] = eph;
  }
  if (const Json* q = Find(old, {"qosClass"})) status["qosClass"] = *q;
  return status;
}

}  // namespace minik
