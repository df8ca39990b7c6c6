#include "apiserver/request_limits.h"

#include <cstdio>

#include "apiserver/request_info.h"

namespace minik {
namespace {

bool StartsWithNoCase(const std::string& s, const char* prefix) {
  size_t i = 0;
  for (; prefix[i] != '\0'; ++i) {
    if (i >= s.size() || std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// The host of "host:port" / "[v6]:port".
std::string HostOf(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || address.find(']', colon) != std::string::npos) return address;
  return address.substr(0, colon);
}

}  // namespace

RequestClass ClassifyRequest(const HttpRequest& request) {
  RequestClass c;
  RequestInfo info = ParseRequestInfo(request);
  if (info.is_resource_request) {
    // upstream: longRunningVerbs {watch, proxy}, longRunningSubresources {attach, exec,
    // proxy, log, portforward}.
    const std::string& s = info.subresource;
    c.long_running = info.verb == "watch" || info.verb == "proxy" || s == "attach" ||
                     s == "exec" || s == "proxy" || s == "log" || s == "portforward";
  }
  c.mutating = !(info.verb == "get" || info.verb == "list" || info.verb == "watch");
  // Non-resource reads (/api, /healthz, /openapi/v2) carry the lower-case method as verb.
  if (!info.is_resource_request) c.mutating = !(info.verb == "get" || info.verb == "head");

  if (request.client_cert && request.client_cert->client_auth_usage) {
    for (const std::string& o : request.client_cert->organizations) {
      if (o == "system:masters") c.exempt = true;
    }
    c.flow = (c.exempt ? "masters:" : "cert:") + request.client_cert->common_name;
    return c;
  }
  std::string auth = request.Header("Authorization");
  if (StartsWithNoCase(auth, "bearer ")) {
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016zx", std::hash<std::string>{}(auth.substr(7)));
    c.flow = std::string("bearer:") + hex;
    return c;
  }
  c.flow = "anonymous:" + HostOf(request.remote_address);
  return c;
}

bool InFlightLimiter::TryAcquire(const RequestClass& c) {
  if (c.long_running || c.exempt) return true;
  std::lock_guard<std::mutex> lock(mu_);
  int& count = c.mutating ? mutating_ : read_only_;
  const int max = c.mutating ? max_mutating_ : max_read_only_;
  if (max > 0 && count >= max) return false;
  ++count;
  return true;
}

void InFlightLimiter::Release(const RequestClass& c) {
  if (c.long_running || c.exempt) return;
  std::lock_guard<std::mutex> lock(mu_);
  --(c.mutating ? mutating_ : read_only_);
}

int InFlightLimiter::read_only() const {
  std::lock_guard<std::mutex> lock(mu_);
  return read_only_;
}

int InFlightLimiter::mutating() const {
  std::lock_guard<std::mutex> lock(mu_);
  return mutating_;
}

FairTaskQueue::FairTaskQueue(size_t max_active_per_flow)
    : max_active_(max_active_per_flow == 0 ? 1 : max_active_per_flow) {}

void FairTaskQueue::Push(const std::string& flow, Task task, bool capped) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Flow& f = flows_[flow];
    f.capped = capped;
    if (f.tasks.empty()) ready_.push_back(flow);
    f.tasks.push_back(std::move(task));
    ++queued_;
  }
  cv_.notify_one();
}

bool FairTaskQueue::TryPopLocked(std::string* flow, Task* task) {
  // The first flow in turn order that is below its cap; it goes to the back of the turn.
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    Flow& f = flows_[*it];
    if (f.capped && f.active >= max_active_) continue;
    *flow = *it;
    *task = std::move(f.tasks.front());
    f.tasks.pop_front();
    ++f.active;
    --queued_;
    ready_.erase(it);
    if (!f.tasks.empty()) ready_.push_back(*flow);
    return true;
  }
  return false;
}

bool FairTaskQueue::TryPop(std::string* flow, Task* task) {
  std::lock_guard<std::mutex> lock(mu_);
  return TryPopLocked(flow, task);
}

bool FairTaskQueue::Pop(std::string* flow, Task* task) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (TryPopLocked(flow, task)) return true;
    if (closed_ && queued_ == 0) return false;
    cv_.wait(lock);
  }
}

void FairTaskQueue::Done(const std::string& flow) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = flows_.find(flow);
    if (it == flows_.end()) return;
    if (it->second.active > 0) --it->second.active;
    if (it->second.active == 0 && it->second.tasks.empty()) flows_.erase(it);
  }
  // A task of this flow may have waited for the cap; any worker may take it.
  cv_.notify_all();
}

void FairTaskQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t FairTaskQueue::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_;
}

}  // namespace minik
