#include "api/informer.h"

#include <algorithm>

#include "api/log.h"

namespace minik {

namespace {

constexpr const char* kLog = "informer";

std::string RefString(const ResourceRef& ref, const std::string& ns) {
  std::string s = ref.group.empty() ? ref.resource : ref.resource + "." + ref.group;
  if (!ns.empty()) s += " ns=" + ns;
  return s;
}

// List items usually lack apiVersion/kind: take them from the list ("PodList" -> "Pod").
void FillTypeMeta(Json& item, const Json& list) {
  if (!item.is_object()) return;
  if (!item.contains("apiVersion")) {
    std::string api_version = GetString(list, {"apiVersion"});
    if (!api_version.empty()) item["apiVersion"] = api_version;
  }
  if (!item.contains("kind")) {
    std::string kind = GetString(list, {"kind"});
    if (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0) {
      item["kind"] = kind.substr(0, kind.size() - 4);
    }
  }
}

}  // namespace

Informer::Informer(Client& client, Clock& clock, ResourceRef ref, std::string ns,
                   InformerOptions options)
    : client_(client),
      clock_(clock),
      ref_(std::move(ref)),
      ns_(std::move(ns)),
      options_(std::move(options)),
      backoff_(options_.min_backoff) {
  indexes_[kNamespaceIndex].fn = [](const Json& obj) {
    return std::vector<std::string>{Namespace(obj)};
  };
}

Informer::~Informer() { Stop(); }

void Informer::AddEventHandler(ResourceEventHandlers handlers) {
  std::lock_guard<std::mutex> g(handlers_mu_);
  // Holding handlers_mu_ keeps the informer thread from dispatching meanwhile, so the new
  // handler misses no object: it is listed here or announced later (an object cached just
  // before this list but not yet dispatched is announced both ways; handlers are
  // level-triggered, so that is harmless).
  for (const ObjectPtr& obj : List()) {
    if (handlers.on_add) handlers.on_add(*obj);
  }
  handlers_.push_back(std::move(handlers));
}

Status Informer::AddIndex(const std::string& name, IndexFunc fn) {
  std::unique_lock<std::shared_mutex> g(cache_mu_);
  if (indexes_.count(name)) {
    return Status(Code::kAlreadyExists, "index \"" + name + "\" already exists");
  }
  Index& index = indexes_[name];
  index.fn = std::move(fn);
  for (const auto& [key, obj] : items_) {
    for (const std::string& v : index.fn(*obj)) index.keys_by_value[v].insert(key);
  }
  return Status::Ok();
}

void Informer::Start() {
  std::lock_guard<std::mutex> g(signal_mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard<std::mutex> g(signal_mu_);
    stopping_ = true;
    signal_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool Informer::Started() const {
  std::lock_guard<std::mutex> g(signal_mu_);
  return started_;
}

bool Informer::Stopping() const {
  std::lock_guard<std::mutex> g(signal_mu_);
  return stopping_;
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> g(signal_mu_);
  return synced_;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> g(signal_mu_);
  return signal_cv_.wait_for(g, timeout, [&] { return synced_; });
}

std::string Informer::LastSyncResourceVersion() const {
  std::shared_lock<std::shared_mutex> g(cache_mu_);
  return synced_rv_;
}

int Informer::lists() const {
  std::lock_guard<std::mutex> g(signal_mu_);
  return lists_;
}

int Informer::watches() const {
  std::lock_guard<std::mutex> g(signal_mu_);
  return watches_;
}

ObjectPtr Informer::Get(const std::string& key) const {
  std::shared_lock<std::shared_mutex> g(cache_mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List() const {
  std::vector<std::pair<std::string, ObjectPtr>> items;
  {
    std::shared_lock<std::shared_mutex> g(cache_mu_);
    items.assign(items_.begin(), items_.end());
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ObjectPtr> out;
  out.reserve(items.size());
  for (auto& [key, obj] : items) out.push_back(std::move(obj));
  return out;
}

std::vector<std::string> Informer::ListKeys() const {
  std::vector<std::string> keys;
  {
    std::shared_lock<std::shared_mutex> g(cache_mu_);
    for (const auto& [key, obj] : items_) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<ObjectPtr> Informer::ByIndex(const std::string& index,
                                         const std::string& value) const {
  std::vector<ObjectPtr> out;
  std::shared_lock<std::shared_mutex> g(cache_mu_);
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.keys_by_value.find(value);
  if (keys == idx->second.keys_by_value.end()) return out;
  for (const std::string& key : keys->second) {  // std::set: sorted
    auto it = items_.find(key);
    if (it != items_.end()) out.push_back(it->second);
  }
  return out;
}

size_t Informer::Size() const {
  std::shared_lock<std::shared_mutex> g(cache_mu_);
  return items_.size();
}

void Informer::IndexLocked(const std::string& key, const Json* old_obj, const Json* new_obj) {
  for (auto& [name, index] : indexes_) {
    if (old_obj) {
      for (const std::string& v : index.fn(*old_obj)) {
        auto it = index.keys_by_value.find(v);
        if (it == index.keys_by_value.end()) continue;
        it->second.erase(key);
        if (it->second.empty()) index.keys_by_value.erase(it);
      }
    }
    if (new_obj) {
      for (const std::string& v : index.fn(*new_obj)) index.keys_by_value[v].insert(key);
    }
  }
}

void Informer::Upsert(ObjectPtr obj) {
  std::string key = ObjectKey(*obj);
  ObjectPtr old;
  {
    std::unique_lock<std::shared_mutex> g(cache_mu_);
    auto it = items_.find(key);
    if (it != items_.end()) old = it->second;
    IndexLocked(key, old.get(), obj.get());
    items_[key] = obj;
  }
  if (old) {
    DispatchUpdate(*old, *obj);
  } else {
    DispatchAdd(*obj);
  }
}

void Informer::Remove(const Json& final_obj) {
  std::string key = ObjectKey(final_obj);
  {
    std::unique_lock<std::shared_mutex> g(cache_mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return;  // never seen (or already gone): nothing to tell
    IndexLocked(key, it->second.get(), nullptr);
    items_.erase(it);
  }
  DispatchDelete(final_obj);
}

void Informer::DispatchAdd(const Json& obj) {
  std::lock_guard<std::mutex> g(handlers_mu_);
  for (auto& h : handlers_)
    if (h.on_add) h.on_add(obj);
}

void Informer::DispatchUpdate(const Json& old_obj, const Json& new_obj) {
  std::lock_guard<std::mutex> g(handlers_mu_);
  for (auto& h : handlers_)
    if (h.on_update) h.on_update(old_obj, new_obj);
}

void Informer::DispatchDelete(const Json& obj) {
  std::lock_guard<std::mutex> g(handlers_mu_);
  for (auto& h : handlers_)
    if (h.on_delete) h.on_delete(obj);
}

Status Informer::ListAndReplace() {
  {
    std::lock_guard<std::mutex> g(signal_mu_);
    ++lists_;
  }
  std::unordered_map<std::string, ObjectPtr> fresh;
  std::string list_rv;
  ListQuery query;
  query.label_selector = options_.label_selector;
  query.field_selector = options_.field_selector;
  query.limit = options_.page_size;
  for (;;) {
    auto list = client_.List(ref_, ns_, query);
    if (!list.ok()) {
      if (list.status().code() == Code::kGone && !query.continue_token.empty()) {
        // The continue token expired mid-list: start over in one unpaged list, as
        // client-go's pager does.
        fresh.clear();
        list_rv.clear();
        query.continue_token.clear();
        query.limit = 0;
        continue;
      }
      return list.status();
    }
    if (list_rv.empty()) list_rv = GetString(*list, {"metadata", "resourceVersion"});
    if (Json* items = list->contains("items") ? &(*list)["items"] : nullptr;
        items && items->is_array()) {
      for (Json& item : *items) {
        FillTypeMeta(item, *list);
        std::string key = ObjectKey(item);
        fresh[key] = std::make_shared<const Json>(std::move(item));
      }
    }
    query.continue_token = GetString(*list, {"metadata", "continue"});
    if (query.continue_token.empty()) break;
    if (Stopping()) return Status(Code::kServiceUnavailable, "informer stopping");
  }

  // Replace the cache, then tell the handlers what changed (level-correct after gaps).
  std::vector<std::pair<ObjectPtr, ObjectPtr>> changes;  // (old, new); either may be null
  {
    std::unique_lock<std::shared_mutex> g(cache_mu_);
    for (const auto& [key, obj] : fresh) {
      auto it = items_.find(key);
      if (it == items_.end()) {
        changes.emplace_back(nullptr, obj);
      } else if (ResourceVersion(*it->second) != ResourceVersion(*obj) ||
                 ResourceVersion(*obj).empty()) {
        changes.emplace_back(it->second, obj);
      }
    }
    for (const auto& [key, obj] : items_) {
      if (!fresh.count(key)) changes.emplace_back(obj, nullptr);
    }
    for (auto& [name, index] : indexes_) index.keys_by_value.clear();
    items_ = std::move(fresh);
    for (const auto& [key, obj] : items_) IndexLocked(key, nullptr, obj.get());
    synced_rv_ = list_rv;
  }
  rv_ = list_rv;
  // Deterministic order for handlers (and tests): by key.
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) {
    return ObjectKey(a.second ? *a.second : *a.first) < ObjectKey(b.second ? *b.second : *b.first);
  });
  for (const auto& [old_obj, new_obj] : changes) {
    if (!old_obj) {
      DispatchAdd(*new_obj);
    } else if (!new_obj) {
      DispatchDelete(*old_obj);
    } else {
      DispatchUpdate(*old_obj, *new_obj);
    }
  }
  {
    std::lock_guard<std::mutex> g(signal_mu_);
    synced_ = true;
    signal_cv_.notify_all();
  }
  return Status::Ok();
}

bool Informer::Apply(ObjectEvent& ev) {
  if (ev.type == "ERROR") {
    LOG(Info, kLog) << "watch error resource=" << RefString(ref_, ns_)
                    << " message=" << GetString(ev.object, {"message"});
    return false;
  }
  std::string rv = ResourceVersion(ev.object);
  if (ev.type == "BOOKMARK") {
    if (!rv.empty()) rv_ = rv;
    return true;
  }
  if (!ev.object.is_object()) return true;
  if (ev.type == "ADDED" || ev.type == "MODIFIED") {
    Upsert(std::make_shared<const Json>(std::move(ev.object)));
  } else if (ev.type == "DELETED") {
    Remove(ev.object);
  } else {
    LOG(Warning, kLog) << "unknown watch event type=" << ev.type
                       << " resource=" << RefString(ref_, ns_);
    return true;
  }
  if (!rv.empty()) {
    rv_ = rv;
    std::unique_lock<std::shared_mutex> g(cache_mu_);
    synced_rv_ = rv;
  }
  return true;
}

Informer::WatchEnd Informer::WatchLoop(ObjectWatcher& watcher) {
  std::vector<ObjectEvent> events;
  for (;;) {
    {
      std::unique_lock<std::mutex> g(signal_mu_);
      signal_cv_.wait(g, [&] { return signaled_ || stopping_; });
      if (stopping_) return WatchEnd::kStopped;
      signaled_ = false;
    }
    // Drain before looking at Error(): events before the end of the stream still count.
    for (;;) {
      events.clear();
      if (watcher.Poll(events) == 0) break;
      for (ObjectEvent& ev : events) {
        if (!Apply(ev)) return WatchEnd::kRelist;
      }
    }
    Status err = watcher.Error();
    if (!err.ok()) {
      events.clear();
      while (watcher.Poll(events) > 0) {
        for (ObjectEvent& ev : events) {
          if (!Apply(ev)) return WatchEnd::kRelist;
        }
        events.clear();
      }
      if (err.code() == Code::kTimeout) return WatchEnd::kRewatch;
      LOG(Info, kLog) << "watch ended resource=" << RefString(ref_, ns_)
                      << " reason=" << err.Reason() << " message=" << err.message();
      return WatchEnd::kRelist;
    }
  }
}

bool Informer::Backoff() {
  std::unique_lock<std::mutex> g(signal_mu_);
  SteadyTime deadline = clock_.Steady() + backoff_;
  while (!stopping_ && clock_.Steady() < deadline) clock_.WaitUntil(g, signal_cv_, deadline);
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  return !stopping_;
}

void Informer::Run() {
  bool need_list = true;
  while (!Stopping()) {
    if (need_list) {
      Status st = ListAndReplace();
      if (!st.ok()) {
        LOG(Warning, kLog) << "list failed resource=" << RefString(ref_, ns_)
                           << " reason=" << st.Reason() << " message=" << st.message();
        if (!Backoff()) return;
        continue;
      }
      need_list = false;
    }
    ListQuery query;
    query.label_selector = options_.label_selector;
    query.field_selector = options_.field_selector;
    query.resource_version = rv_;
    query.allow_bookmarks = true;
    {
      std::lock_guard<std::mutex> g(signal_mu_);
      signaled_ = false;
      ++watches_;
    }
    auto watcher = client_.Watch(ref_, ns_, query, [this] {
      std::lock_guard<std::mutex> g(signal_mu_);
      signaled_ = true;
      signal_cv_.notify_all();
    });
    if (!watcher.ok()) {
      need_list = true;
      if (watcher.status().code() == Code::kGone) continue;  // too old: relist at once
      LOG(Warning, kLog) << "watch failed resource=" << RefString(ref_, ns_)
                         << " reason=" << watcher.status().Reason()
                         << " message=" << watcher.status().message();
      if (!Backoff()) return;
      continue;
    }
    {
      // The watch may have events already (and notified before we waited): look once.
      std::lock_guard<std::mutex> g(signal_mu_);
      signaled_ = true;
    }
    SteadyTime opened = clock_.Steady();
    WatchEnd end = WatchLoop(**watcher);
    (*watcher)->Stop();
    if (end == WatchEnd::kStopped) return;
    bool short_lived = clock_.Steady() - opened < std::chrono::seconds(1);
    quick_failures_ = short_lived ? quick_failures_ + 1 : 0;
    if (!short_lived) backoff_ = options_.min_backoff;
    if (end == WatchEnd::kRelist) need_list = true;
    // A watch that keeps ending at once must not turn into a hot relist loop; the first
    // quick end (e.g. one Expired) relists at once.
    if (quick_failures_ > 1 && !Backoff()) return;
  }
}

SharedInformerFactory::SharedInformerFactory(Client& client, Clock& clock)
    : client_(client), clock_(clock) {}

SharedInformerFactory::~SharedInformerFactory() { Stop(); }

Informer& SharedInformerFactory::For(const ResourceRef& ref, const std::string& ns) {
  std::lock_guard<std::mutex> g(mu_);
  auto& slot = informers_[{ref, ns}];
  if (!slot) slot = std::make_unique<Informer>(client_, clock_, ref, ns);
  return *slot;
}

void SharedInformerFactory::Start() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& [key, informer] : informers_) informer->Start();
}

void SharedInformerFactory::Stop() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& [key, informer] : informers_) informer->Stop();
}

bool SharedInformerFactory::WaitForCacheSync(std::chrono::milliseconds timeout) {
  std::vector<Informer*> started;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& [key, informer] : informers_)
      if (informer->Started()) started.push_back(informer.get());
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (Informer* informer : started) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!informer->WaitForSync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

}  // namespace minik
