// The kubelet's side of `kubectl logs -f`, `exec`, `attach` and `port-forward`: find the
// pod's container (or sandbox) on this node, then hand the API server a NodeStream (or a
// connected socket) built by node_streams.h. Errors before the stream exists use the words
// of the API server's pod strategy (container name checks) and of the kubelet
// (pkg/kubelet/kubelet_pods.go GetExec/GetAttach/GetPortForward).
//
// Threads: called on API server worker threads; only reads the pod record under its mutex.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "kubelet/cri_log.h"
#include "kubelet/kubelet_internal.h"
#include "kubelet/node_streams.h"

namespace minik {
namespace {

const ResourceRef kPods{"", "v1", "pods"};
const Json kNull;

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

// The container a request names (the pod's only container when empty), as the API server
// checks it before it calls the kubelet. The wording is PodLogs'.
StatusOr<std::string> ContainerName(const Json& pod, const std::string& name,
                                    const std::string& requested) {
  std::string container = requested;
  if (container.empty()) {
    const Json& cs = At(pod, {"spec", "containers"});
    if (cs.is_array() && cs.size() == 1) {
      container = GetString(cs[0], {"name"});
    } else {
      std::string list;
      if (cs.is_array())
        for (const Json& c : cs) list += (list.empty() ? "" : " ") + GetString(c, {"name"});
      return Status(Code::kBadRequest, "a container name must be specified for pod " + name +
                                           ", choose one of: [" + list + "]");
    }
  }
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const Json& cs = At(pod, {"spec", list});
    if (!cs.is_array()) continue;
    for (const Json& c : cs)
      if (GetString(c, {"name"}) == container) return container;
  }
  return Status(Code::kBadRequest, "container " + container + " is not valid for pod " + name);
}

const Json* ContainerSpecNamed(const Json& pod, const std::string& container) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const Json* cs = Find(pod, {"spec", list});
    if (!cs || !cs->is_array()) continue;
    for (const Json& c : *cs)
      if (GetString(c, {"name"}) == container) return &c;
  }
  return nullptr;
}

bool BoolField(const Json& obj, const std::string& field) {
  const Json& v = At(obj, {field.c_str()});
  return v.is_boolean() && v.get<bool>();
}

bool Ended(ContainerRuntime& runtime, const std::string& id) {
  auto st = runtime.Inspect(id);
  return !st.ok() || st->status == ContainerStatus::kExited ||
         st->status == ContainerStatus::kUnknown;
}

}  // namespace

StatusOr<std::unique_ptr<NodeStream>> KubeletImpl::FollowPodLogs(const std::string& ns,
                                                                 const std::string& name,
                                                                 const PodLogOptions& options) {
  auto pod = client_.Get(kPods, ns, name);
  if (!pod.ok()) return pod.status();
  auto container = ContainerName(*pod, name, options.container);
  if (!container.ok()) return container.status();
  const Status creating(Code::kBadRequest, "container \"" + *container + "\" in pod \"" + name +
                                               "\" is waiting to start: ContainerCreating");
  if (GetString(*pod, {"spec", "nodeName"}) != options_.node_name) return creating;
  std::shared_ptr<PodWork> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = work_.find(ns + "/" + name);
    if (it != work_.end()) w = it->second;
  }
  if (!w) return creating;
  std::string path, container_id;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    const ContainerRecord* rec = FindContainerRecord(w->record, *container);
    if (!rec) return creating;
    int attempt = rec->restart_count;
    if (options.previous) {
      if (rec->restart_count == 0 || !rec->last_terminated.is_object()) {
        return Status(Code::kBadRequest, "previous terminated container \"" + *container +
                                             "\" in pod \"" + name + "\" not found");
      }
      attempt = rec->restart_count - 1;
    } else if (rec->container_id.empty()) {
      std::string reason = rec->waiting_reason.empty() ? "ContainerCreating" : rec->waiting_reason;
      return Status(Code::kBadRequest, "container \"" + *container + "\" in pod \"" + name +
                                           "\" is waiting to start: " + reason);
    } else {
      container_id = rec->container_id;
    }
    path = LogPath(w->record, *container, attempt);
  }
  LogFollowOptions follow;
  follow.read.timestamps = options.timestamps;
  follow.read.tail_lines = options.tail_lines;
  follow.read.limit_bytes = options.limit_bytes;
  if (options.since_seconds) {
    follow.read.since = clock_.Now() - std::chrono::seconds(*options.since_seconds);
  }
  if (options.since_time) {
    SystemTime t;
    if (!ParseRfc3339(*options.since_time, &t)) {
      return Status(Code::kBadRequest, "invalid sinceTime: " + *options.since_time);
    }
    follow.read.since = t;
  }
  // The previous container has ended: its log, then the end.
  std::function<bool()> ended = [] { return true; };
  if (!container_id.empty()) {
    ContainerRuntime* rt = options_.runtime;
    ended = [rt, container_id] { return Ended(*rt, container_id); };
  }
  return NewLogStream(path, follow, std::move(ended));
}

StatusOr<KubeletImpl::RunningTarget> KubeletImpl::FindRunningContainer(const std::string& ns,
                                                                       const std::string& name,
                                                                       const std::string& requested,
                                                                       bool attach) {
  auto pod = client_.Get(kPods, ns, name);
  if (!pod.ok()) return pod.status();
  auto container = ContainerName(*pod, name, requested);
  if (!container.ok()) return container.status();
  const std::string node = GetString(*pod, {"spec", "nodeName"});
  if (node.empty()) {
    return Status(Code::kBadRequest, "pod " + name + " does not have a host assigned");
  }
  // The kubelet finds only running containers; its two wordings.
  const Status not_found =
      attach ? Status(Code::kBadRequest,
                      "container " + *container + " not found in pod " + name + "_" + ns)
             : Status(Code::kBadRequest, "container not found (\"" + *container + "\")");
  if (node != options_.node_name) return not_found;
  std::shared_ptr<PodWork> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = work_.find(ns + "/" + name);
    if (it != work_.end()) w = it->second;
  }
  if (!w) return not_found;
  RunningTarget t;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    const ContainerRecord* rec = FindContainerRecord(w->record, *container);
    if (!rec || rec->container_id.empty() || !rec->running) return not_found;
    t.container_id = rec->container_id;
    t.log_path = LogPath(w->record, *container, rec->restart_count);
  }
  t.work = w;
  // The record may lag behind an exit.
  auto st = options_.runtime->Inspect(t.container_id);
  if (!st.ok() || st->status != ContainerStatus::kRunning) return not_found;
  t.pod = std::move(*pod);
  t.container = *container;
  return t;
}

StatusOr<std::unique_ptr<NodeStream>> KubeletImpl::Exec(const std::string& ns,
                                                        const std::string& name,
                                                        const NodeExecRequest& request) {
  if (request.command.empty()) {
    return Status(Code::kBadRequest, "you must specify at least 1 command");
  }
  auto t = FindRunningContainer(ns, name, request.container, /*attach=*/false);
  if (!t.ok()) return t.status();
  ExecOptions exec;
  exec.argv = request.command;
  exec.tty = request.tty;
  exec.stdin = request.stdin;
  auto session = options_.runtime->Exec(t->container_id, exec);
  if (!session.ok()) {
    Code code = session.status().code();
    // The container exited since the check above.
    if (code == Code::kConflict || code == Code::kNotFound) {
      return Status(Code::kBadRequest, "container not found (\"" + t->container + "\")");
    }
    if (code == Code::kNotImplemented) return session.status();
  }
  return NewExecStream(std::move(session), request);
}

StatusOr<std::unique_ptr<NodeStream>> KubeletImpl::Attach(const std::string& ns,
                                                          const std::string& name,
                                                          const NodeExecRequest& request) {
  auto t = FindRunningContainer(ns, name, request.container, /*attach=*/true);
  if (!t.ok()) return t.status();
  const Json* spec = ContainerSpecNamed(t->pod, t->container);
  // As the kubelet: the terminal is the container's, whatever the client asked.
  const bool tty = spec && BoolField(*spec, "tty");
  const bool has_stdin = spec && BoolField(*spec, "stdin");
  int in = -1;
  bool took_stdin = false;
  if (request.stdin) {
    // Without `stdin: true` the client's input is ignored, as containerd ignores it; so is
    // it once a stdinOnce container's stdin was closed.
    StatusOr<int> sock = has_stdin ? options_.runtime->AttachStdin(t->container_id)
                                   : StatusOr<int>(Status(Code::kConflict, "no stdin"));
    if (sock.ok()) {
      in = *sock;
      took_stdin = true;
    } else if (sock.status().code() == Code::kConflict) {
      in = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    } else {
      return sock.status();
    }
  }
  // The exit code as the record keeps it once the container was removed (restarted).
  std::weak_ptr<PodWork> weak = t->work;
  auto recorded_exit = [weak, name = t->container, id = t->container_id]() -> std::optional<int> {
    auto w = weak.lock();
    if (!w) return std::nullopt;
    std::lock_guard<std::mutex> lock(w->mu);
    for (const auto* list :
         {&w->record.containers, &w->record.init_containers, &w->record.ephemeral_containers}) {
      for (const ContainerRecord& c : *list) {
        if (c.name != name) continue;
        if (c.container_id == id && c.exited) return c.exit_code;
        if (GetString(c.last_terminated, {"containerID"}) == "minik://" + id) {
          return static_cast<int>(GetInt(c.last_terminated, {"exitCode"}));
        }
      }
    }
    return std::nullopt;
  };
  // `kubectl run -i` attaches once the container runs; a short command may have written
  // everything by then. The client that takes a stdinOnce container's stdin first is that
  // caller, and sees the output from the start, as `docker run -i` does.
  const bool from_start = took_stdin && spec && BoolField(*spec, "stdinOnce");
  return NewAttachStream(*options_.runtime, t->container_id, t->log_path, tty, request, in,
                         std::move(recorded_exit), from_start);
}

StatusOr<int> KubeletImpl::PortForward(const std::string& ns, const std::string& name,
                                       uint16_t port) {
  auto pod = client_.Get(kPods, ns, name);
  if (!pod.ok()) return pod.status();
  const std::string node = GetString(*pod, {"spec", "nodeName"});
  if (node.empty()) {
    return Status(Code::kBadRequest, "pod " + name + " does not have a host assigned");
  }
  const Status not_found(Code::kBadRequest, "pod not found (\"" + name + "_" + ns + "\")");
  if (node != options_.node_name) return not_found;
  std::shared_ptr<PodWork> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = work_.find(ns + "/" + name);
    if (it != work_.end()) w = it->second;
  }
  if (!w) return not_found;
  std::string sandbox_id;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    if (!w->terminated) sandbox_id = w->record.sandbox_id;
  }
  if (sandbox_id.empty()) return not_found;
  auto sb = options_.runtime->SandboxStatus(sandbox_id);
  if (!sb.ok() || !sb->running || sb->pid <= 0) return not_found;
  const bool host_network = BoolField(At(*pod, {"spec"}), "hostNetwork");
  std::string netns = host_network ? "" : "/proc/" + std::to_string(sb->pid) + "/ns/net";
  return DialLocalPort(netns, port, sandbox_id);
}

}  // namespace minik
