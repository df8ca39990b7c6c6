#include "api/fake_clock.h"

#include <vector>

namespace minik {

namespace {
// 2025-01-01T00:00:00Z
constexpr std::chrono::seconds kDefaultEpoch(1735689600);
}  // namespace

FakeClock::FakeClock()
    : FakeClock(SystemTime(kDefaultEpoch), SteadyTime(std::chrono::hours(1))) {}

FakeClock::FakeClock(SystemTime now, SteadyTime steady) : now_(now), steady_(steady) {}

SystemTime FakeClock::Now() const {
  std::lock_guard<std::mutex> g(mu_);
  return now_;
}

SteadyTime FakeClock::Steady() const {
  std::lock_guard<std::mutex> g(mu_);
  return steady_;
}

void FakeClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          SteadyTime deadline) const {
  // Lock order: the caller's mutex, then mu_. Step() never holds mu_ while it takes a
  // sleeper's mutex, so this cannot deadlock. Registering while holding the caller's mutex
  // means a Step() that changes the time after our check must lock that mutex to notify us,
  // which it can only do once cv.wait() has released it: no lost wake-up.
  std::list<Sleeper>::iterator it;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (steady_ >= deadline) return;
    it = sleepers_.insert(sleepers_.end(), Sleeper{lock.mutex(), &cv, deadline});
    changed_.notify_all();
  }
  cv.wait(lock);
  {
    std::lock_guard<std::mutex> g(mu_);
    if (it->notifying == 0) {
      sleepers_.erase(it);
      changed_.notify_all();
      return;
    }
  }
  // A Step() is about to lock our mutex to notify us: let it, then unregister.
  lock.unlock();
  {
    std::unique_lock<std::mutex> g(mu_);
    changed_.wait(g, [&] { return it->notifying == 0; });
    sleepers_.erase(it);
    changed_.notify_all();
  }
  lock.lock();
}

void FakeClock::Step(std::chrono::nanoseconds d) {
  std::vector<Sleeper*> due;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (d.count() > 0) {
      now_ += std::chrono::duration_cast<SystemTime::duration>(d);
      steady_ += std::chrono::duration_cast<SteadyTime::duration>(d);
    }
    for (Sleeper& s : sleepers_) {
      if (s.deadline <= steady_) {
        ++s.notifying;
        due.push_back(&s);
      }
    }
  }
  for (Sleeper* s : due) {
    {
      std::lock_guard<std::mutex> g(*s->mu);
      s->cv->notify_all();
    }
    std::lock_guard<std::mutex> g(mu_);
    --s->notifying;
    changed_.notify_all();
  }
}

void FakeClock::SetNow(SystemTime now) {
  std::lock_guard<std::mutex> g(mu_);
  now_ = now;
}

size_t FakeClock::Sleepers() const {
  std::lock_guard<std::mutex> g(mu_);
  return sleepers_.size();
}

bool FakeClock::AwaitSleepers(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> g(mu_);
  return changed_.wait_for(g, timeout, [&] { return sleepers_.size() >= n; });
}

}  // namespace minik
