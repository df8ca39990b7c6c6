#include "api/events.h"

#include <chrono>
#include <algorithm>
#include <cstdio>

#include "api/log.h"

namespace minik {
namespace {

const ResourceRef kEvents{"", "v1", "events"};
constexpr auto kFoldWindow = std::chrono::minutes(10);
constexpr size_t kMaxRemembered = 4096;
constexpr size_t kMaxQueued = 1000;

}  // namespace

EventRecorder::EventRecorder(Client& client, Clock& clock, std::string component,
                             std::string host)
    : client_(client), clock_(clock), component_(std::move(component)), host_(std::move(host)) {}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventRecorder::Record(const Json& object, const std::string& type,
                           const std::string& reason, const std::string& message,
                           const std::string& field_path) {
  Pending e;
  e.involved = {{"kind", GetString(object, {"kind"})},
                {"apiVersion", GetString(object, {"apiVersion"})},
                {"metadata",
                 {{"name", GetString(object, {"metadata", "name"})},
                  {"namespace", GetString(object, {"metadata", "namespace"})},
                  {"uid", GetString(object, {"metadata", "uid"})},
                  {"resourceVersion", GetString(object, {"metadata", "resourceVersion"})}}}};
  e.type = type;
  e.reason = reason;
  e.message = message;
  e.field_path = field_path;
  e.at = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_.size() >= kMaxQueued) {
    LOG(Warning, "events") << "dropping event reason=" << reason << ": " << kMaxQueued
                           << " events are waiting to be written";
    return;
  }
  queue_.push_back(std::move(e));
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_all();
}

void EventRecorder::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void EventRecorder::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Pending e = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    Write(e);
    lock.lock();
    writing_ = false;
    cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& e) {
  const Json& object = e.involved;
  const std::string& type = e.type;
  const std::string& reason = e.reason;
  const std::string& message = e.message;
  const std::string& field_path = e.field_path;
  const std::string name = GetString(object, {"metadata", "name"});
  const std::string uid = GetString(object, {"metadata", "uid"});
  std::string ns = GetString(object, {"metadata", "namespace"});
  if (ns.empty()) ns = "default";
  const SystemTime now = e.at;
  const std::string stamp = FormatRfc3339(now);
  const std::string key = uid + "\x1f" + type + "\x1f" + reason + "\x1f" + message + "\x1f" + field_path;

  auto it = seen_.find(key);
  if (it != seen_.end() && now - it->second.last < kFoldWindow) {
    it->second.count++;
    it->second.last = now;
    Json patch = {{"count", it->second.count}, {"lastTimestamp", stamp}};
    auto st = client_.Patch(kEvents, ns, it->second.name, PatchType::kMerge, patch.dump());
    if (st.ok()) return;
    seen_.erase(it);  // gone (e.g. its TTL passed): write a new one
  }
  // The name is "<object>.<nanoseconds in hex>" as client-go's; a recorder never reuses a
  // number (a fake clock stands still) and another writer's name taken makes it try the next.
  uint64_t nanos = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  nanos = std::max(nanos, last_nanos_ + 1);
  last_nanos_ = nanos;
  auto event_name = [&](uint64_t n) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(n));
    return name + suffix;
  };
  Json involved = {{"kind", GetString(object, {"kind"})},
                   {"apiVersion", GetString(object, {"apiVersion"})},
                   {"name", name},
                   {"namespace", GetString(object, {"metadata", "namespace"})},
                   {"uid", uid},
                   {"resourceVersion", GetString(object, {"metadata", "resourceVersion"})}};
  if (!field_path.empty()) involved["fieldPath"] = field_path;
  if (involved["namespace"] == "") involved.erase("namespace");
  Json source = {{"component", component_}};
  if (!host_.empty()) source["host"] = host_;
  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", event_name(nanos)}, {"namespace", ns}}},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", message},
                {"type", type},
                {"source", source},
                {"firstTimestamp", stamp},
                {"lastTimestamp", stamp},
                {"count", 1},
                {"reportingComponent", component_},
                {"reportingInstance", host_}};
  auto created = client_.Create(kEvents, ns, event);
  for (uint64_t bump = 1; bump < 8 && !created.ok() &&
                          created.status().code() == Code::kAlreadyExists;
       ++bump) {
    event["metadata"]["name"] = event_name(nanos + bump);
    created = client_.Create(kEvents, ns, event);
  }
  if (!created.ok()) {
    LOG(Warning, "events") << "cannot write event reason=" << reason << " object=" << ns << "/"
                           << name << ": " << created.status().message();
    return;
  }
  if (seen_.size() >= kMaxRemembered) seen_.clear();
  seen_[key] = Seen{Name(*created), 1, now};
}

}  // namespace minik
