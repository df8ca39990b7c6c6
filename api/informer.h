// Shared informers, as client-go's tools/cache: a local, indexed, eventually consistent copy
// of one resource (optionally one namespace and selectors), kept by list + watch, with event
// handlers for controllers.
//
// Contract:
//  - Start() lists the resource (paged), replaces the cache, then watches from the list's
//    resourceVersion. Watch events update the cache, then call the handlers.
//  - A watch that ends with Code::kTimeout is re-opened from the last resourceVersion seen.
//    Any other end (Expired/410, a store-side close, an ERROR event) relists and emits the
//    difference to the cache (adds, updates, deletes), so handlers stay level-correct even
//    when events were missed. Failed lists are retried with back-off on the injected Clock.
//  - Handlers run on the informer's own thread, one event at a time, after the cache has
//    been updated. They must be quick (controllers only enqueue keys) and must not call
//    Stop(). A handler added after objects were cached first gets OnAdd for each of them,
//    on the calling thread (an object arriving at that moment may be announced twice).
//  - Cache reads (Get, List, ByIndex) are thread-safe and return shared immutable objects.
//  - Keys are "ns/name" (cluster-scoped: "name"), as ObjectKey() in api/json.h.
//
// Threads: one thread per started informer runs list/watch and the handlers. The client's
// watch notify callback only sets a flag under signal_mu_ and notifies signal_cv_. The cache
// and indexes are guarded by cache_mu_ (shared for readers); handlers_ by handlers_mu_.
// Stop() joins the thread; the destructor stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/client.h"
#include "api/clock.h"
#include "api/json.h"
#include "api/resource.h"
#include "api/status.h"

namespace minik {

using ObjectPtr = std::shared_ptr<const Json>;

struct ResourceEventHandlers {
  std::function<void(const Json& obj)> on_add;
  std::function<void(const Json& old_obj, const Json& new_obj)> on_update;
  // The last state known to the cache (after a relist, possibly not the final state).
  std::function<void(const Json& obj)> on_delete;
};

// Values an object is indexed under (e.g. its node name); empty: not indexed.
using IndexFunc = std::function<std::vector<std::string>(const Json& obj)>;

// The built-in index: the object's namespace.
inline constexpr const char* kNamespaceIndex = "namespace";

struct InformerOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;  // list page size (0: one unpaged list)
  // Back-off between failed lists / watches; doubles up to max.
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
};

class Informer {
 public:
  // `client` and `clock` must outlive the informer. `ns` empty: all namespaces.
  Informer(Client& client, Clock& clock, ResourceRef ref, std::string ns = "",
           InformerOptions options = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void AddEventHandler(ResourceEventHandlers handlers);
  // Adds an index (the cache is indexed at once). AlreadyExists if the name is taken.
  Status AddIndex(const std::string& name, IndexFunc fn);

  // Starts the informer thread (once; later calls do nothing).
  void Start();
  // Stops the thread and the watch. The cache keeps its last contents.
  void Stop();
  bool Started() const;

  // True once the first list has been delivered to the cache and the handlers.
  bool HasSynced() const;
  // Waits in real time: it waits for another thread's progress, not for model time.
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  // The resourceVersion the cache is at ("" before the first list).
  std::string LastSyncResourceVersion() const;

  ObjectPtr Get(const std::string& key) const;  // nullptr when absent
  std::vector<ObjectPtr> List() const;          // sorted by key
  std::vector<std::string> ListKeys() const;    // sorted
  // Objects whose index function returned `value`, sorted by key. Empty for an unknown
  // index name.
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  size_t Size() const;

  const ResourceRef& ref() const { return ref_; }
  const std::string& ns() const { return ns_; }

  // Counters for tests and diagnostics.
  int lists() const;    // lists started (1 + relists)
  int watches() const;  // watches opened

 private:
  struct Index {
    IndexFunc fn;
    std::map<std::string, std::set<std::string>> keys_by_value;
  };
  enum class WatchEnd { kStopped, kRewatch, kRelist };

  void Run();
  Status ListAndReplace();
  WatchEnd WatchLoop(ObjectWatcher& watcher);
  // Applies one watch event; false when the event says the watch must relist.
  bool Apply(ObjectEvent& ev);
  void Upsert(ObjectPtr obj);
  void Remove(const Json& final_obj);
  void IndexLocked(const std::string& key, const Json* old_obj, const Json* new_obj);
  void DispatchAdd(const Json& obj);
  void DispatchUpdate(const Json& old_obj, const Json& new_obj);
  void DispatchDelete(const Json& obj);
  // Sleeps for the current back-off (or until Stop); false when stopping.
  bool Backoff();
  bool Stopping() const;

  Client& client_;
  Clock& clock_;
  const ResourceRef ref_;
  const std::string ns_;
  const InformerOptions options_;
  std::string rv_;  // informer thread only: the last resourceVersion seen
  std::chrono::milliseconds backoff_;  // informer thread only
  int quick_failures_ = 0;             // informer thread only: watches that ended at once

  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, ObjectPtr> items_;
  std::map<std::string, Index> indexes_;
  std::string synced_rv_;

  std::mutex handlers_mu_;
  std::vector<ResourceEventHandlers> handlers_;

  mutable std::mutex signal_mu_;
  mutable std::condition_variable signal_cv_;
  bool signaled_ = false;
  bool stopping_ = false;
  bool synced_ = false;
  bool started_ = false;
  int lists_ = 0;
  int watches_ = 0;
  std::thread thread_;
};

// One informer per (resource, namespace), shared by every controller of a process.
class SharedInformerFactory {
 public:
  SharedInformerFactory(Client& client, Clock& clock);
  ~SharedInformerFactory();  // Stop()
  SharedInformerFactory(const SharedInformerFactory&) = delete;
  SharedInformerFactory& operator=(const SharedInformerFactory&) = delete;

  // The informer for `ref` in `ns` ("" = all namespaces), created on first use. The
  // reference stays valid for the factory's lifetime.
  Informer& For(const ResourceRef& ref, const std::string& ns = "");
  // Starts every informer not yet started (informers created later need another Start()).
  void Start();
  void Stop();
  // Waits (real time) until every started informer has synced.
  bool WaitForCacheSync(std::chrono::milliseconds timeout);

 private:
  Client& client_;
  Clock& clock_;
  std::mutex mu_;
  std::map<std::pair<ResourceRef, std::string>, std::unique_ptr<Informer>> informers_;
};

}  // namespace minik
