// ControllerExpectations, as upstream's pkg/controller/controller_utils.go: a controller
// that just asked for N creations or deletions for a key does not act on that key again
// until the informer has shown them (or the expectation expired), so a stale cache never
// makes it create or delete twice. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "api/clock.h"

namespace minik {

class ControllerExpectations {
 public:
  // Upstream's ExpectationsTimeout: after this an unmet expectation no longer blocks.
  static constexpr std::chrono::minutes kTimeout{5};

  explicit ControllerExpectations(Clock& clock) : clock_(clock) {}

  // True when the controller may act on `key`: no expectations recorded, all met, or expired.
  bool Satisfied(const std::string& key) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = exp_.find(key);
    if (it == exp_.end()) return true;
    const Entry& e = it->second;
    if (e.adds <= 0 && e.dels <= 0) return true;
    return clock_.Now() - e.at > kTimeout;
  }
  // Replaces the expectations of `key` (call before issuing the requests).
  void Expect(const std::string& key, int adds, int dels) {
    std::lock_guard<std::mutex> g(mu_);
    exp_[key] = Entry{adds, dels, clock_.Now(), {}};
  }
  // Deletions of specific objects (by "ns/name" key), as UIDTrackingControllerExpectations:
  // a deletion is observed once, whether the informer shows the delete or the
  // deletionTimestamp first.
  void ExpectDeletions(const std::string& key, const std::set<std::string>& object_keys) {
    std::lock_guard<std::mutex> g(mu_);
    exp_[key] = Entry{0, static_cast<int>(object_keys.size()), clock_.Now(), object_keys};
  }
  // A create request failed or was seen: one expected creation fewer.
  void CreationObserved(const std::string& key) { Lower(key, 1, 0); }
  void DeletionObserved(const std::string& key) { Lower(key, 0, 1); }
  // The informer saw `object_key` deleted (or terminating): counts once per tracked object.
  void DeletionObserved(const std::string& key, const std::string& object_key) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = exp_.find(key);
    if (it == exp_.end()) return;
    if (it->second.keys.erase(object_key) > 0) --it->second.dels;
  }
  void Lower(const std::string& key, int adds, int dels) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = exp_.find(key);
    if (it == exp_.end()) return;
    it->second.adds -= adds;
    it->second.dels -= dels;
  }
  void Delete(const std::string& key) {
    std::lock_guard<std::mutex> g(mu_);
    exp_.erase(key);
  }

 private:
  struct Entry {
    int adds = 0;
    int dels = 0;
    SystemTime at;
    std::set<std::string> keys;
  };
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> exp_;
};

}  // namespace minik
