#include "controllers/event_ttl_controller.h"

#include <algorithm>

#include "api/log.h"

namespace minik {

namespace {

constexpr char kSweepKey[] = "sweep";
const ResourceRef kCoreEvents{"", "v1", "events"};
constexpr int64_t kPageSize = 500;

std::chrono::seconds IntervalFor(std::chrono::seconds ttl) {
  return std::clamp<std::chrono::seconds>(ttl / 60, std::chrono::seconds(1),
                                          std::chrono::seconds(60));
}

int64_t ParseRevision(const std::string& rv) {
  if (rv.empty() || rv.size() > 18 || rv.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  return std::stoll(rv);
}

}  // namespace

EventTtlController::EventTtlController(Client& client, Clock& clock,
                                       SharedInformerFactory& /*informers*/,
                                       std::chrono::seconds ttl)
    : QueueController("event-ttl-controller", clock, 1),
      client_(client),
      ttl_(ttl),
      interval_(IntervalFor(ttl)) {
  queue().Add(kSweepKey);
}

StatusOr<ReconcileResult> EventTtlController::Reconcile(const std::string& key) {
  if (key != kSweepKey) return ReconcileResult{};
  auto deleted = Sweep();
  if (!deleted.ok()) return deleted.status();  // retried with back-off
  return ReconcileResult{false, std::chrono::duration_cast<std::chrono::milliseconds>(interval_)};
}

StatusOr<int64_t> EventTtlController::CurrentRevision() {
  // A list narrowed to one (absent) name reads no Event and reports the store's revision.
  ListQuery probe;
  probe.field_selector = "metadata.name=event-ttl-controller.revision-probe";
  auto list = client_.List(kCoreEvents, "default", probe);
  if (!list.ok()) return list.status();
  int64_t rev = ParseRevision(GetString(*list, {"metadata", "resourceVersion"}));
  if (rev < 0) return Internal("event list without a valid resourceVersion");
  return rev;
}

StatusOr<int> EventTtlController::Sweep() {
  std::lock_guard<std::mutex> l(mu_);
  const SystemTime now = clock_.Now();
  auto rev = CurrentRevision();
  if (!rev.ok()) return rev.status();
  samples_.push_back({*rev, now});
  // The newest sample taken at or before now - ttl bounds the expired writes.
  const SystemTime cutoff = now - ttl_;
  int64_t expired_rev = 0;
  while (!samples_.empty() && samples_.front().time <= cutoff) {
    expired_rev = samples_.front().revision;
    if (samples_.size() > 1 && samples_[1].time <= cutoff) {
      samples_.pop_front();
      continue;
    }
    break;
  }
  if (expired_rev == 0) return 0;
  // events.k8s.io/v1 Events are stored as core Events (api/resources/conversion.h): one
  // sweep covers both views.
  auto n = SweepResource(kCoreEvents, expired_rev);
  if (!n.ok()) return n.status();
  int deleted = *n;
  if (deleted > 0) LOG(Info, "event-ttl-controller") << "deleted " << deleted << " expired events";
  return deleted;
}

StatusOr<int> EventTtlController::SweepResource(const ResourceRef& ref, int64_t expired_rev) {
  int deleted = 0;
  ListQuery query;
  query.limit = kPageSize;
  for (;;) {
    auto page = client_.List(ref, "", query);
    if (!page.ok()) {
      Code code = page.status().code();
      if (code == Code::kNotFound) return deleted;  // the kind is not served
      // The page's revision left the store's history: the next sweep starts over.
      if (code == Code::kGone) return deleted;
      return page.status();
    }
    const Json* items = Find(*page, {"items"});
    if (items && items->is_array()) {
      for (const Json& ev : *items) {
        int64_t rv = ParseRevision(ResourceVersion(ev));
        if (rv < 0 || rv > expired_rev) continue;
        DeleteOptions opts;
        opts.precondition_uid = Uid(ev);
        opts.precondition_resource_version = ResourceVersion(ev);
        auto r = client_.Delete(ref, Namespace(ev), Name(ev), opts);
        if (r.ok()) {
          ++deleted;
        } else if (r.status().code() != Code::kNotFound &&
                   r.status().code() != Code::kConflict) {
          return r.status();  // NotFound: gone already; Conflict: written again (renewed)
        }
      }
    }
    query.continue_token = GetString(*page, {"metadata", "continue"});
    if (query.continue_token.empty()) return deleted;
  }
}

}  // namespace minik
