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

}  // namespace

EventRecorder::EventRecorder(Client& client, Clock& clock, std::string component,
                             std::string host)
    : client_(client), clock_(clock), component_(std::move(component)), host_(std::move(host)) {}

void EventRecorder::Record(const Json& object, const std::string& type,
                           const std::string& reason, const std::string& message,
                           const std::string& field_path) {
  const std::string name = GetString(object, {"metadata", "name"});
  const std::string uid = GetString(object, {"metadata", "uid"});
  std::string ns = GetString(object, {"metadata", "namespace"});
  if (ns.empty()) ns = "default";
  const SystemTime now = clock_.Now();
  const std::string stamp = FormatRfc3339(now);
  const std::string key = uid + "\x1f" + type + "\x1f" + reason + "\x1f" + message + "\x1f" + field_path;

  std::lock_guard<std::mutex> lock(mu_);
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
