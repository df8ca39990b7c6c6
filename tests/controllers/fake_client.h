// FakeClient: a small in-memory Client for controller, informer and kubelet tests.
//
// It keeps objects per (resource, namespace, name) with one global revision, like the store,
// and a history of events so that watches can resume from a resourceVersion (or fail with
// Expired once Compact() dropped that history). It models just enough of the registry for
// the components under test: metadata (uid, resourceVersion, creationTimestamp), the
// "status" subresource (only status changes) and "finalize" (only spec.finalizers change,
// namespaces), deletion with metadata.finalizers (sets deletionTimestamp), namespace
// deletion (phase Terminating until spec.finalizers is empty), optimistic concurrency on
// update, paged lists, label selectors of the "k=v,k2=v2" form and field selectors on
// metadata.name / metadata.namespace. Anything else returns NotImplemented.
//
// Tests inject failures with FailNext(verb, status) and end watches with EndWatches(status).
// Thread-safe: one mutex; watch notifications are called without it held.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/client.h"

namespace minik::testing {

class FakeClient final : public Client {
 public:
  // Registers a kind; unknown refs are NotFound ("the server could not find ...").
  void AddKind(const ResourceRef& ref, const std::string& kind, bool namespaced) {
    std::lock_guard<std::mutex> g(mu_);
    kinds_[ref] = {kind, namespaced};
  }
  // The core and coordination kinds the controllers and the node agent use.
  void AddDefaultKinds() {
    AddKind({"", "v1", "namespaces"}, "Namespace", false);
    AddKind({"", "v1", "serviceaccounts"}, "ServiceAccount", true);
    AddKind({"", "v1", "configmaps"}, "ConfigMap", true);
    AddKind({"", "v1", "pods"}, "Pod", true);
    AddKind({"", "v1", "services"}, "Service", true);
    AddKind({"", "v1", "endpoints"}, "Endpoints", true);
    AddKind({"", "v1", "nodes"}, "Node", false);
    AddKind({"discovery.k8s.io", "v1", "endpointslices"}, "EndpointSlice", true);
    AddKind({"coordination.k8s.io", "v1", "leases"}, "Lease", true);
  }

  // The next call of `verb` ("create", "get", "list", "update", "delete", "watch",
  // "deletecollection") fails with `st`.
  void FailNext(const std::string& verb, Status st) {
    std::lock_guard<std::mutex> g(mu_);
    failures_[verb].push_back(std::move(st));
  }
  // Ends every open watch with `st` (kTimeout: a normal end; kGone: expired).
  void EndWatches(Status st) {
    std::vector<std::shared_ptr<W>> ws;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& w : watchers_) {
        std::lock_guard<std::mutex> wg(w->mu);
        w->error = st;
        ws.push_back(w);
      }
      watchers_.clear();
    }
    for (auto& w : ws) w->Notify();
  }
  // Sends an ERROR event (a Status object with `code`) to every open watch.
  void SendWatchError(int code, const std::string& reason) {
    std::vector<std::shared_ptr<W>> ws;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& w : watchers_) {
        w->Push({"ERROR", Json{{"kind", "Status"}, {"code", code}, {"reason", reason}}});
        ws.push_back(w);
      }
    }
    for (auto& w : ws) w->Notify();
  }
  // Forgets the event history: watches from older resourceVersions get Expired.
  void Compact() {
    std::lock_guard<std::mutex> g(mu_);
    history_.clear();
    compacted_ = revision_;
  }
  // Changes objects without sending watch events (to test relist diffs).
  void SetSilently(const ResourceRef& ref, Json obj) {
    std::lock_guard<std::mutex> g(mu_);
    obj["metadata"]["resourceVersion"] = std::to_string(++revision_);
    objects_[ref][KeyOf(obj)] = obj;
    compacted_ = revision_;
    history_.clear();
  }
  void DeleteSilently(const ResourceRef& ref, const std::string& ns, const std::string& name) {
    std::lock_guard<std::mutex> g(mu_);
    objects_[ref].erase(ns.empty() ? name : ns + "/" + name);
    compacted_ = ++revision_;
    history_.clear();
  }
  int64_t revision() const {
    std::lock_guard<std::mutex> g(mu_);
    return revision_;
  }
  size_t open_watches() const {
    std::lock_guard<std::mutex> g(mu_);
    return watchers_.size();
  }
  // Calls per verb, to check what a component did.
  int calls(const std::string& verb) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = calls_.find(verb);
    return it == calls_.end() ? 0 : it->second;
  }
  // Whole list page size the fake imposes when a List asks for no limit (0: none).
  void set_page_size(int64_t n) { page_size_ = n; }

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts = {}, const std::string& subresource = "",
                        const std::string& name = "") override {
    (void)opts;
    (void)name;
    Notifier n;
    std::lock_guard<std::mutex> g(mu_);
    MINIK_RETURN_IF_ERROR(Enter("create"));
    const KindInfo* k = FindKind(ref);
    if (!k) return NoResource();
    if (!subresource.empty()) return NotImplemented("fake: create subresource " + subresource);
    if (!obj.is_object()) return BadRequest("not an object");
    obj["apiVersion"] = ref.group.empty() ? ref.version : ref.group + "/" + ref.version;
    obj["kind"] = k->kind;
    Json& meta = obj["metadata"];
    if (!meta.is_object()) meta = Json::object();
    if (k->namespaced) {
      if (ns.empty()) return BadRequest("namespace required");
      meta["namespace"] = ns;
      const Json* nsobj = FindObj({"", "v1", "namespaces"}, "", ns);
      if (kinds_.count({"", "v1", "namespaces"}) && !nsobj) return minik::NotFound("namespaces", ns);
      if (nsobj && Find(*nsobj, {"metadata", "deletionTimestamp"})) {
        return Status(Code::kForbidden, "unable to create new content in namespace " + ns +
                                            " because it is being terminated");
      }
    } else {
      meta.erase("namespace");
    }
    if (GetString(obj, {"metadata", "name"}).empty()) {
      std::string prefix = GetString(obj, {"metadata", "generateName"});
      if (prefix.empty()) return Invalid(k->kind, "", {{"FieldValueRequired", "name required", "metadata.name"}});
      meta["name"] = prefix + std::to_string(++generated_);
    }
    std::string key = KeyOf(obj);
    auto& objs = objects_[ref];
    if (objs.count(key)) return AlreadyExists(ref.resource, Name(obj));
    meta["uid"] = "uid-" + std::to_string(++uids_);
    meta["creationTimestamp"] = "2025-01-01T00:00:00Z";
    meta.erase("deletionTimestamp");
    if (ref.resource == "namespaces") {
      if (!Find(obj, {"spec", "finalizers"})) obj["spec"]["finalizers"] = Json::array({"kubernetes"});
      obj["status"]["phase"] = "Active";
    }
    meta["resourceVersion"] = std::to_string(++revision_);
    objs[key] = obj;
    Record(ref, "ADDED", obj, n);
    return obj;
  }

  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string& subresource = "") override {
    std::lock_guard<std::mutex> g(mu_);
    MINIK_RETURN_IF_ERROR(Enter("get"));
    const KindInfo* k = FindKind(ref);
    if (!k) return NoResource();
    if (!subresource.empty() && subresource != "status") {
      return NotImplemented("fake: get subresource " + subresource);
    }
    const Json* obj = FindObj(ref, k->namespaced ? ns : "", name);
    if (!obj) return minik::NotFound(ref.resource, name);
    return *obj;
  }

  StatusOr<Json> List(const ResourceRef& ref, const std::string& ns,
                      const ListQuery& query = {}) override {
    std::lock_guard<std::mutex> g(mu_);
    MINIK_RETURN_IF_ERROR(Enter("list"));
    const KindInfo* k = FindKind(ref);
    if (!k) return NoResource();
    auto sel = ParseSelectors(query);
    if (!sel.ok()) return sel.status();
    int64_t limit = query.limit > 0 ? query.limit : page_size_;
    Json items = Json::array();
    std::string next;
    auto& objs = objects_[ref];
    for (auto it = objs.upper_bound(query.continue_token); it != objs.end(); ++it) {
      if (!ns.empty() && Namespace(it->second) != ns) continue;
      if (!sel->Matches(it->second)) continue;
      if (limit > 0 && static_cast<int64_t>(items.size()) == limit) {
        next = ObjectKey(items.back());
        break;
      }
      Json item = it->second;
      item.erase("apiVersion");  // as in a real List: the list carries the type
      item.erase("kind");
      items.push_back(std::move(item));
    }
    Json list = {{"apiVersion", ref.group.empty() ? ref.version : ref.group + "/" + ref.version},
                 {"kind", k->kind + "List"},
                 {"metadata", {{"resourceVersion", std::to_string(revision_)}}},
                 {"items", std::move(items)}};
    if (!next.empty()) list["metadata"]["continue"] = next;
    return list;
  }

  StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts = {},
                        const std::string& subresource = "") override {
    (void)opts;
    Notifier n;
    std::lock_guard<std::mutex> g(mu_);
    MINIK_RETURN_IF_ERROR(Enter("update"));
    const KindInfo* k = FindKind(ref);
    if (!k) return NoResource();
    if (!subresource.empty() && subresource != "status" &&
        !(subresource == "finalize" && ref.resource == "namespaces")) {
      return NotImplemented("fake: update subresource " + subresource);
    }
    std::string name = Name(obj);
    std::string key = k->namespaced ? ns + "/" + name : name;
    auto& objs = objects_[ref];
    auto it = objs.find(key);
    if (it == objs.end()) {
      if (ref.resource == "leases" || ref.resource == "endpoints") {
        return CreateLocked(ref, ns, std::move(obj), k, n);
      }
      return minik::NotFound(ref.resource, name);
    }
    Json& cur = it->second;
    std::string rv = ResourceVersion(obj);
    if (!rv.empty() && rv != ResourceVersion(cur)) return ConflictModified(ref.resource, name);
    Json next;
    if (subresource == "status") {
      next = cur;
      if (obj.contains("status")) next["status"] = obj["status"];
    } else if (subresource == "finalize") {
      next = cur;
      const Json* fin = Find(obj, {"spec", "finalizers"});
      next["spec"]["finalizers"] = fin && fin->is_array() ? *fin : Json::array();
    } else {
      next = obj;
      next["apiVersion"] = cur["apiVersion"];
      next["kind"] = cur["kind"];
      for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp", "namespace"}) {
        if (cur["metadata"].contains(f)) next["metadata"][f] = cur["metadata"][f];
      }
      if (cur.contains("status")) next["status"] = cur["status"];
    }
    if (Strip(next) == Strip(cur)) return cur;  // no-op updates keep the resourceVersion
    next["metadata"]["resourceVersion"] = std::to_string(++revision_);
    if (Terminating(next) && !HasFinalizers(next)) {
      Json gone = next;
      objs.erase(it);
      Record(ref, "DELETED", gone, n);
      return gone;
    }
    cur = next;
    Record(ref, "MODIFIED", cur, n);
    return cur;
  }

  StatusOr<Json> Patch(const ResourceRef&, const std::string&, const std::string&, PatchType,
                       const std::string&, const WriteOptions& = {},
                       const std::string& = "") override {
    return NotImplemented("fake: patch");
  }

  StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts = {}) override {
    (void)opts;
    Notifier n;
    std::lock_guard<std::mutex> g(mu_);
    MINIK_RETURN_IF_ERROR(Enter("delete"));
    const KindInfo* k = FindKind(ref);
    if (!k) return NoResource();
    return DeleteLocked(ref, k->namespaced ? ns + "/" + name : name, name, n);
  }

  StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns,
                                  const ListQuery& query,
                                  const DeleteOptions& opts = {}) override {
    (void)opts;
    Notifier n;
    std::lock_guard<std::mutex> g(mu_);
    MINIK_RETURN_IF_ERROR(Enter("deletecollection"));
    const KindInfo* k = FindKind(ref);
    if (!k) return NoResource();
    auto sel = ParseSelectors(query);
    if (!sel.ok()) return sel.status();
    std::vector<std::pair<std::string, std::string>> victims;
    for (auto& [key, obj] : objects_[ref]) {
      if (!ns.empty() && Namespace(obj) != ns) continue;
      if (sel->Matches(obj)) victims.emplace_back(key, Name(obj));
    }
    Json items = Json::array();
    for (auto& [key, name] : victims) {
      auto r = DeleteLocked(ref, key, name, n);
      if (r.ok()) items.push_back(*r);
    }
    return Json{{"kind", k->kind + "List"}, {"items", items}};
  }

  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref, const std::string& ns,
                                                 const ListQuery& query,
                                                 std::function<void()> notify) override {
    std::shared_ptr<W> w;
    {
      std::lock_guard<std::mutex> g(mu_);
      MINIK_RETURN_IF_ERROR(Enter("watch"));
      const KindInfo* k = FindKind(ref);
      if (!k) return NoResource();
      auto sel = ParseSelectors(query);
      if (!sel.ok()) return sel.status();
      w = std::make_shared<W>();
      w->ref = ref;
      w->ns = ns;
      w->sel = *sel;
      w->notify = std::move(notify);
      const std::string& rv = query.resource_version;
      if (rv.empty() || rv == "0") {
        for (auto& [key, obj] : objects_[ref]) w->Offer("ADDED", obj);
      } else {
        int64_t after = std::stoll(rv);
        if (after < compacted_) {
          return Expired("too old resource version: " + rv + " (" +
                         std::to_string(compacted_ + 1) + ")");
        }
        for (const auto& h : history_) {
          if (h.revision > after && h.ref == ref) w->Offer(h.type, h.obj);
        }
      }
      watchers_.push_back(w);
    }
    w->Notify();
    return std::unique_ptr<ObjectWatcher>(new WatchHandle(this, w));
  }

 private:
  struct KindInfo {
    std::string kind;
    bool namespaced = true;
  };
  struct Selectors {
    std::map<std::string, std::string> labels;
    std::string name, ns;
    bool Matches(const Json& obj) const {
      if (!name.empty() && Name(obj) != name) return false;
      if (!ns.empty() && Namespace(obj) != ns) return false;
      const Json& l = minik::Labels(obj);
      for (auto& [k, v] : labels) {
        if (!l.contains(k) || !l[k].is_string() || l[k].get<std::string>() != v) return false;
      }
      return true;
    }
  };
  struct HistoryEvent {
    int64_t revision;
    ResourceRef ref;
    std::string type;
    Json obj;
  };
  struct W {
    ResourceRef ref;
    std::string ns;
    Selectors sel;
    std::mutex mu;  // guards events, notify, error
    std::deque<ObjectEvent> events;
    std::function<void()> notify;
    Status error;
    void Offer(const std::string& type, const Json& obj) {
      if (!ns.empty() && Namespace(obj) != ns) return;
      if (!sel.Matches(obj)) return;
      Push({type, obj});
    }
    void Push(ObjectEvent ev) {
      std::lock_guard<std::mutex> g(mu);
      events.push_back(std::move(ev));
    }
    void Notify() {
      std::lock_guard<std::mutex> g(mu);
      if (notify) notify();
    }
  };
  class WatchHandle final : public ObjectWatcher {
   public:
    WatchHandle(FakeClient* c, std::shared_ptr<W> w) : c_(c), w_(std::move(w)) {}
    ~WatchHandle() override { Stop(); }
    size_t Poll(std::vector<ObjectEvent>& out, size_t max) override {
      std::lock_guard<std::mutex> g(w_->mu);
      size_t n = 0;
      while (n < max && !w_->events.empty()) {
        out.push_back(std::move(w_->events.front()));
        w_->events.pop_front();
        ++n;
      }
      return n;
    }
    Status Error() const override {
      std::lock_guard<std::mutex> g(w_->mu);
      return w_->error;
    }
    void Stop() override {
      {
        std::lock_guard<std::mutex> g(w_->mu);
        w_->notify = nullptr;
      }
      std::lock_guard<std::mutex> g(c_->mu_);
      auto& ws = c_->watchers_;
      ws.erase(std::remove(ws.begin(), ws.end(), w_), ws.end());
    }

   private:
    FakeClient* c_;
    std::shared_ptr<W> w_;
  };
  // Watch notifications are sent when the write's lock is released (declared before it).
  struct Notifier {
    std::vector<std::shared_ptr<W>> ws;
    ~Notifier() {
      for (auto& w : ws) w->Notify();
    }
  };

  static Status NoResource() {
    return Status(Code::kNotFound, "the server could not find the requested resource");
  }
  static std::string KeyOf(const Json& obj) { return ObjectKey(obj); }
  static bool Terminating(const Json& o) { return Find(o, {"metadata", "deletionTimestamp"}); }
  static bool HasFinalizers(const Json& o) {
    const Json* f = Find(o, {"metadata", "finalizers"});
    const Json* sf = GetString(o, {"kind"}) == "Namespace" ? Find(o, {"spec", "finalizers"}) : nullptr;
    return (f && f->is_array() && !f->empty()) || (sf && sf->is_array() && !sf->empty());
  }
  static Json Strip(Json o) {
    o["metadata"].erase("resourceVersion");
    return o;
  }
  Status Enter(const std::string& verb) {
    ++calls_[verb];
    auto it = failures_.find(verb);
    if (it == failures_.end() || it->second.empty()) return Status::Ok();
    Status st = it->second.front();
    it->second.pop_front();
    return st;
  }
  const KindInfo* FindKind(const ResourceRef& ref) const {
    auto it = kinds_.find(ref);
    return it == kinds_.end() ? nullptr : &it->second;
  }
  const Json* FindObj(const ResourceRef& ref, const std::string& ns, const std::string& name) {
    auto& objs = objects_[ref];
    auto it = objs.find(ns.empty() ? name : ns + "/" + name);
    return it == objs.end() ? nullptr : &it->second;
  }
  static StatusOr<Selectors> ParseSelectors(const ListQuery& q) {
    Selectors s;
    auto split = [](const std::string& text, auto fn) -> Status {
      size_t start = 0;
      while (start < text.size()) {
        size_t comma = text.find(',', start);
        std::string term = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                          : comma - start);
        size_t eq = term.find('=');
        if (eq == std::string::npos || term.find('!') != std::string::npos) {
          return NotImplemented("fake: selector " + term);
        }
        fn(term.substr(0, eq), term.substr(term[eq + 1] == '=' ? eq + 2 : eq + 1));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return Status::Ok();
    };
    MINIK_RETURN_IF_ERROR(split(q.label_selector, [&](std::string k, std::string v) {
      s.labels[k] = v;
    }));
    Status bad;
    MINIK_RETURN_IF_ERROR(split(q.field_selector, [&](std::string k, std::string v) {
      if (k == "metadata.name") s.name = v;
      else if (k == "metadata.namespace") s.ns = v;
      else bad = BadRequest("field label not supported: " + k);
    }));
    if (!bad.ok()) return bad;
    return s;
  }
  void Record(const ResourceRef& ref, const std::string& type, const Json& obj, Notifier& n) {
    int64_t rev = std::stoll(ResourceVersion(obj));
    history_.push_back({rev, ref, type, obj});
    for (auto& w : watchers_) {
      if (!(w->ref == ref)) continue;
      w->Offer(type, obj);
      n.ws.push_back(w);
    }
  }
  StatusOr<Json> CreateLocked(const ResourceRef& ref, const std::string& ns, Json obj,
                              const KindInfo* k, Notifier& n) {
    obj["apiVersion"] = ref.group.empty() ? ref.version : ref.group + "/" + ref.version;
    obj["kind"] = k->kind;
    if (k->namespaced) obj["metadata"]["namespace"] = ns;
    obj["metadata"]["uid"] = "uid-" + std::to_string(++uids_);
    obj["metadata"]["resourceVersion"] = std::to_string(++revision_);
    objects_[ref][KeyOf(obj)] = obj;
    Record(ref, "ADDED", obj, n);
    return obj;
  }
  StatusOr<Json> DeleteLocked(const ResourceRef& ref, const std::string& key,
                              const std::string& name, Notifier& n) {
    auto& objs = objects_[ref];
    auto it = objs.find(key);
    if (it == objs.end()) return minik::NotFound(ref.resource, name);
    Json& cur = it->second;
    if (HasFinalizers(cur)) {
      if (Terminating(cur)) return cur;
      cur["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:01Z";
      if (ref.resource == "namespaces") cur["status"]["phase"] = "Terminating";
      cur["metadata"]["resourceVersion"] = std::to_string(++revision_);
      Record(ref, "MODIFIED", cur, n);
      return cur;
    }
    Json gone = cur;
    objs.erase(it);
    gone["metadata"]["resourceVersion"] = std::to_string(++revision_);
    Record(ref, "DELETED", gone, n);
    return gone;
  }

  mutable std::mutex mu_;
  std::map<ResourceRef, KindInfo> kinds_;
  std::map<ResourceRef, std::map<std::string, Json>> objects_;  // key "ns/name" or "name"
  std::vector<HistoryEvent> history_;
  std::vector<std::shared_ptr<W>> watchers_;
  std::map<std::string, std::deque<Status>> failures_;
  std::map<std::string, int> calls_;
  int64_t revision_ = 0;
  int64_t compacted_ = 0;
  int64_t page_size_ = 0;
  int64_t uids_ = 0;
  int64_t generated_ = 0;
};

}  // namespace minik::testing
