// Helpers shared by the store tests: temp directories and a watch event collector.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace minik::testing {

inline ListOptions Opts(std::string prefix, std::string start_after = "", int64_t limit = 0) {
  ListOptions o;
  o.prefix = std::move(prefix);
  o.start_after = std::move(start_after);
  o.limit = limit;
  return o;
}

inline StoreOptions Window(size_t window, size_t max_backlog = 100000) {
  StoreOptions o;
  o.watch_window = window;
  o.watcher_max_backlog = max_backlog;
  return o;
}

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/minik-store-test-XXXXXX";
    char* p = mkdtemp(tmpl);
    if (p == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Counts notify calls and waits for events without busy polling.
class Collector {
 public:
  std::function<void()> Notify() {
    return [this] {
      std::lock_guard<std::mutex> l(mu_);
      ++notifies_;
      cv_.notify_all();
    };
  }

  // Polls `w` until `n` events were collected in total (or `timeout`); returns them all.
  std::vector<WatchEvent> WaitFor(Watcher& w, size_t n,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      while (w.Poll(events_) > 0) {
      }
      if (events_.size() >= n || std::chrono::steady_clock::now() >= deadline) return events_;
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait_for(l, std::chrono::milliseconds(20));
    }
  }

  int notifies() {
    std::lock_guard<std::mutex> l(mu_);
    return notifies_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int notifies_ = 0;
  std::vector<WatchEvent> events_;
};

}  // namespace minik::testing
