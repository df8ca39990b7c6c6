// Probes (pkg/kubelet/prober): startup, liveness and readiness, each with its period,
// timeout and thresholds. One thread walks all pods and runs the probes that are due; a
// changed result enqueues the pod (status, or a restart on liveness failure).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/log.h"
#include "kubelet/kubelet_internal.h"

namespace minik {
namespace {

const Json kNullJson;

// A socket connected within the timeout, or -1 with *error set.
int ConnectWithTimeout(const std::string& host, int port, int timeout_ms, std::string* error) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    *error = "invalid address " + host;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  std::string target = host + ":" + std::to_string(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    *error = "dial tcp " + target + ": connect: " + std::strerror(errno);
    close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int n = poll(&p, 1, timeout_ms);
  if (n <= 0) {
    *error = "dial tcp " + target + ": i/o timeout";
    close(fd);
    return -1;
  }
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    *error = "dial tcp " + target + ": connect: " + std::strerror(err);
    close(fd);
    return -1;
  }
  return fd;
}

int PortOf(const Json& port, const Json& container) {
  if (port.is_number_integer()) return port.get<int>();
  if (port.is_string()) {
    std::string name = port.get<std::string>();
    if (const Json* ports = Find(container, {"ports"}); ports && ports->is_array())
      for (const Json& p : *ports)
        if (GetString(p, {"name"}) == name) return static_cast<int>(GetInt(p, {"containerPort"}));
    try {
      return std::stoi(name);
    } catch (...) {
      return -1;
    }
  }
  return -1;
}

}  // namespace

ProbeResult RunTcpProbe(const std::string& host, int port, int timeout_ms) {
  std::string error;
  int fd = ConnectWithTimeout(host, port, timeout_ms, &error);
  if (fd < 0) return {false, error};
  close(fd);
  return {true, ""};
}

ProbeResult RunHttpProbe(const std::string& host, int port, const std::string& path,
                         const std::string& scheme, const Json& headers, int timeout_ms) {
  if (scheme == "HTTPS") return {false, "HTTPS probes are not supported by minik yet"};
  std::string error;
  int fd = ConnectWithTimeout(host, port, timeout_ms, &error);
  if (fd < 0) {
    return {false, "Get \"http://" + host + ":" + std::to_string(port) + path + "\": " + error};
  }
  std::string req = "GET " + (path.empty() ? "/" : path) + " HTTP/1.1\r\nHost: " + host + ":" +
                    std::to_string(port) + "\r\n";
  bool has_ua = false, has_accept = false;
  if (headers.is_array()) {
    for (const Json& h : headers) {
      std::string name = GetString(h, {"name"});
      if (strcasecmp(name.c_str(), "user-agent") == 0) has_ua = true;
      if (strcasecmp(name.c_str(), "accept") == 0) has_accept = true;
      req += name + ": " + GetString(h, {"value"}) + "\r\n";
    }
  }
  if (!has_ua) req += "User-Agent: kube-probe/1.32\r\n";
  if (!has_accept) req += "Accept: */*\r\n";
  req += "Connection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[4096];
  while (resp.find("\r\n") == std::string::npos && resp.size() < 8192) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) {
      close(fd);
      return {false, "Get \"http://" + host + ":" + std::to_string(port) + path +
                         "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"};
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  int code = 0;
  if (resp.rfind("HTTP/", 0) == 0) {
    auto sp = resp.find(' ');
    if (sp != std::string::npos) code = std::atoi(resp.c_str() + sp + 1);
  }
  if (code == 0) {
    return {false, "Get \"http://" + host + ":" + std::to_string(port) + path + "\": EOF"};
  }
  if (code >= 200 && code < 400) return {true, ""};
  return {false, "HTTP probe failed with statuscode: " + std::to_string(code)};
}

void KubeletImpl::ProberLoop() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    lock.unlock();
    SystemTime now = clock_.Now();
    SystemTime next = now + std::chrono::seconds(1);
    std::vector<std::pair<std::string, std::shared_ptr<PodWork>>> all;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto& [k, w] : work_) all.emplace_back(k, w);
    }
    for (auto& [key, w] : all) {
      ObjectPtr pod = pods_->Get(key);
      if (!pod || Find(*pod, {"metadata", "deletionTimestamp"})) continue;
      ProbePod(key, *w, *pod, now, &next);
    }
    lock.lock();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_.Now());
    if (wait < std::chrono::milliseconds(20)) wait = std::chrono::milliseconds(20);
    if (wait > std::chrono::seconds(1)) wait = std::chrono::seconds(1);
    stop_cv_.wait_for(lock, wait);
  }
}

void KubeletImpl::ProbePod(const std::string& key, PodWork& w, const Json& pod, SystemTime now,
                           SystemTime* next_due) {
  // Work is copied out under the pod's lock; probes run without it (they may take seconds).
  struct Due {
    std::string container, container_id, kind;
    Json probe, spec;
  };
  std::vector<Due> due;
  std::string ip;
  {
    std::lock_guard<std::mutex> lock(w.mu);
    if (w.record.uid != Uid(pod)) return;
    ip = w.record.pod_ip;
    for (auto* list : {&w.record.init_containers, &w.record.containers}) {
      for (ContainerRecord& c : *list) {
        if (!c.running || c.container_id.empty()) continue;
        if (c.init && !c.sidecar) continue;
        const Json* cspec = nullptr;
        if (const Json* l = Find(pod, {"spec", c.init ? "initContainers" : "containers"}); l && l->is_array())
          for (const Json& s : *l)
            if (GetString(s, {"name"}) == c.name) cspec = &s;
        if (!cspec) continue;
        ContainerExtra& e = w.extra[c.name];
        auto consider = [&](const char* kind, SystemTime& at) {
          const Json* probe = Find(*cspec, {kind});
          if (!probe) return;
          if (at <= now) {
            due.push_back({c.name, c.container_id, kind, *probe, *cspec});
            at = now + std::chrono::seconds(std::max<int64_t>(GetInt(*probe, {"periodSeconds"}, 10), 1));
          }
          if (at < *next_due) *next_due = at;
        };
        if (!c.started) {
          consider("startupProbe", e.next_startup);
        } else {
          consider("livenessProbe", e.next_liveness);
          consider("readinessProbe", e.next_readiness);
        }
      }
    }
  }
  bool changed = false;
  for (const Due& d : due) {
    int timeout_ms = static_cast<int>(std::max<int64_t>(GetInt(d.probe, {"timeoutSeconds"}, 1), 1) * 1000);
    ProbeResult result;
    if (const Json* exec = Find(d.probe, {"exec", "command"}); exec && exec->is_array()) {
      std::vector<std::string> argv;
      for (const Json& a : *exec) argv.push_back(a.is_string() ? a.get<std::string>() : a.dump());
      std::string out;
      auto rc = options_.runtime->ExecSync(d.container_id, argv, timeout_ms, &out);
      if (!rc.ok()) {
        result = {false, rc.status().code() == Code::kTimeout
                             ? "command timed out: \"" + (argv.empty() ? "" : argv[0]) + "\" timed out after " +
                                   std::to_string(timeout_ms / 1000) + "s"
                             : rc.status().message()};
      } else {
        result = {*rc == 0, out};
      }
    } else if (const Json* http = Find(d.probe, {"httpGet"})) {
      std::string host = GetString(*http, {"host"});
      if (host.empty()) host = ip;
      int port = PortOf(Find(*http, {"port"}) ? *Find(*http, {"port"}) : kNullJson, d.spec);
      std::string path = GetString(*http, {"path"});
      if (path.empty()) path = "/";
      const Json* headers = Find(*http, {"httpHeaders"});
      result = RunHttpProbe(host, port, path, GetString(*http, {"scheme"}),
                            headers ? *headers : kNullJson, timeout_ms);
    } else if (const Json* tcp = Find(d.probe, {"tcpSocket"})) {
      std::string host = GetString(*tcp, {"host"});
      if (host.empty()) host = ip;
      result = RunTcpProbe(host, PortOf(Find(*tcp, {"port"}) ? *Find(*tcp, {"port"}) : kNullJson, d.spec),
                           timeout_ms);
    } else {
      result = {false, "grpc probes are not supported by minik yet"};
    }
    const int64_t success_threshold = std::max<int64_t>(GetInt(d.probe, {"successThreshold"}, 1), 1);
    const int64_t failure_threshold = std::max<int64_t>(GetInt(d.probe, {"failureThreshold"}, 3), 1);
    std::string what = d.kind == "livenessProbe" ? "Liveness" : d.kind == "readinessProbe" ? "Readiness" : "Startup";
    std::lock_guard<std::mutex> lock(w.mu);
    ContainerRecord* c = nullptr;
    for (auto* list : {&w.record.init_containers, &w.record.containers})
      for (ContainerRecord& x : *list)
        if (x.name == d.container) c = &x;
    if (!c || c->container_id != d.container_id || !c->running) continue;
    ContainerExtra& e = w.extra[d.container];
    const std::string field = std::string(c->init ? "spec.initContainers{" : "spec.containers{") + c->name + "}";
    if (!result.ok) {
      std::string msg = result.message;
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      events_.Record(pod, "Warning", "Unhealthy", what + " probe failed: " + msg, field);
    }
    if (d.kind == "startupProbe") {
      if (result.ok) {
        if (++e.startup_ok >= success_threshold) {
          c->started = true;
          if (!Find(d.spec, {"readinessProbe"})) c->ready = true;
          changed = true;
        }
      } else if (++e.startup_fail >= failure_threshold) {
        e.kill_requested = true;
        e.kill_reason = "Container " + c->name + " failed startup probe, will be restarted";
        changed = true;
      }
    } else if (d.kind == "livenessProbe") {
      if (result.ok) {
        e.live_fail = 0;
      } else if (++e.live_fail >= failure_threshold) {
        e.live_fail = 0;
        e.kill_requested = true;
        e.kill_reason = "Container " + c->name + " failed liveness probe, will be restarted";
        changed = true;
      }
    } else {
      if (result.ok) {
        e.ready_fail = 0;
        if (++e.ready_ok >= success_threshold && !c->ready) {
          c->ready = true;
          changed = true;
        }
      } else {
        e.ready_ok = 0;
        if (++e.ready_fail >= failure_threshold && c->ready) {
          c->ready = false;
          changed = true;
        }
      }
    }
  }
  if (changed) queue_.Add(key);
}

}  // namespace minik
