// Test helpers for the router tests: a small in-memory Client that records what it was asked,
// a watcher the test feeds by hand, and a few resource entries shaped like the built-ins.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "api/client.h"
#include "api/resource.h"
#include "api/schema.h"

namespace minik::testing {

class FakeWatcher final : public ObjectWatcher {
 public:
  explicit FakeWatcher(std::function<void()> notify) : notify_(std::move(notify)) {}
  size_t Poll(std::vector<ObjectEvent>& out, size_t max) override {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    while (!queue_.empty() && n < max) {
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
      ++n;
    }
    return n;
  }
  Status Error() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  void Push(ObjectEvent e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(e));
    }
    notify_();
  }
  void End(Status error) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::move(error);
    }
    notify_();
  }
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

 private:
  std::function<void()> notify_;
  mutable std::mutex mu_;
  std::deque<ObjectEvent> queue_;
  Status error_;
  bool stopped_ = false;
};

// Objects keyed by resource/ns/name. Not a registry: no validation, just storage and a record
// of the last call's arguments.
class FakeClient final : public Client {
 public:
  explicit FakeClient(const ResourceRegistry& resources) : resources_(resources) {}

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource,
                        const std::string& name) override {
    Record("create", ref, ns, subresource, opts);
    last_name = name;
    last_object = obj;
    if (!registry_warning.empty() && opts.warnings) opts.warnings->push_back(registry_warning);
    if (!subresource.empty()) return obj;
    std::string key = Key(ref, ns, Name(obj));
    if (objects_.count(key)) return AlreadyExists(Info(ref)->GroupResource(), Name(obj));
    obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
    obj["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z";
    if (!opts.dry_run) objects_[key] = obj;
    return obj;
  }
  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string& subresource) override {
    Record("get", ref, ns, subresource, {});
    auto it = objects_.find(Key(ref, ns, name));
    if (it == objects_.end()) return NotFound(Info(ref)->GroupResource(), name);
    if (subresource == "scale") {
      return Json{{"kind", "Scale"},
                  {"apiVersion", "autoscaling/v1"},
                  {"metadata", {{"name", name}, {"namespace", ns}}},
                  {"spec", {{"replicas", 1}}}};
    }
    return it->second;
  }
  StatusOr<Json> List(const ResourceRef& ref, const std::string& ns,
                      const ListQuery& query) override {
    Record("list", ref, ns, "", {});
    last_query = query;
    const ResourceInfo* info = Info(ref);
    Json list{{"kind", info->kind + "List"},
              {"apiVersion", info->ApiVersion()},
              {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
              {"items", Json::array()}};
    for (const auto& [key, obj] : objects_) {
      if (key.rfind(ref.resource + "/", 0) != 0) continue;
      if (!ns.empty() && Namespace(obj) != ns) continue;
      list["items"].push_back(obj);
    }
    if (query.limit > 0) list["metadata"]["continue"] = "next-page";
    return list;
  }
  StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource) override {
    Record("update", ref, ns, subresource, opts);
    last_object = obj;
    std::string key = Key(ref, ns, Name(obj));
    if (!objects_.count(key) && subresource.empty()) {
      return NotFound(Info(ref)->GroupResource(), Name(obj));
    }
    if (subresource.empty()) objects_[key] = obj;
    return obj;
  }
  StatusOr<Json> Patch(const ResourceRef& ref, const std::string& ns, const std::string& name,
                       PatchType type, const std::string& body, const WriteOptions& opts,
                       const std::string& subresource) override {
    Record("patch", ref, ns, subresource, opts);
    last_patch_type = type;
    last_patch_body = body;
    last_name = name;
    auto it = objects_.find(Key(ref, ns, name));
    if (it == objects_.end()) return NotFound(Info(ref)->GroupResource(), name);
    return it->second;
  }
  StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) override {
    Record("delete", ref, ns, "", {});
    last_delete = opts;
    auto it = objects_.find(Key(ref, ns, name));
    if (it == objects_.end()) return NotFound(Info(ref)->GroupResource(), name);
    Json obj = it->second;
    objects_.erase(it);
    return obj;
  }
  StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns,
                                  const ListQuery& query, const DeleteOptions& opts) override {
    Record("deletecollection", ref, ns, "", {});
    last_query = query;
    last_delete = opts;
    return Json{{"kind", Info(ref)->kind + "List"}, {"items", Json::array()}};
  }
  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref, const std::string& ns,
                                                 const ListQuery& query,
                                                 std::function<void()> notify) override {
    Record("watch", ref, ns, "", {});
    last_query = query;
    if (!watch_error.ok()) return watch_error;
    auto w = std::make_unique<FakeWatcher>(std::move(notify));
    watcher = w.get();
    return std::unique_ptr<ObjectWatcher>(std::move(w));
  }

  void Put(const ResourceRef& ref, const std::string& ns, Json obj) {
    std::string key = Key(ref, ns, Name(obj));  // before the move: Json assigns by value
    objects_[key] = std::move(obj);
  }

  // What the last call was.
  std::string last_verb, last_ns, last_subresource, last_name;
  ResourceRef last_ref;
  WriteOptions last_opts;
  ListQuery last_query;
  DeleteOptions last_delete;
  Json last_object;
  PatchType last_patch_type = PatchType::kMerge;
  std::string last_patch_body;
  FakeWatcher* watcher = nullptr;  // the last watch's watcher (owned by the stream)
  Status watch_error;              // returned by Watch when set
  std::string registry_warning;    // added to WriteOptions::warnings by Create

 private:
  void Record(const char* verb, const ResourceRef& ref, const std::string& ns,
              const std::string& sub, const WriteOptions& opts) {
    last_verb = verb;
    last_ref = ref;
    last_ns = ns;
    last_subresource = sub;
    last_opts = opts;
    last_opts.warnings = nullptr;
  }
  const ResourceInfo* Info(const ResourceRef& ref) const { return resources_.Find(ref); }
  static std::string Key(const ResourceRef& ref, const std::string& ns, const std::string& name) {
    return ref.resource + "/" + ns + "/" + name;
  }

  const ResourceRegistry& resources_;
  std::map<std::string, Json> objects_;
  int64_t rv_ = 10;
};

inline void AddTestResources(ResourceRegistry& r) {
  ResourceInfo cm;
  cm.version = "v1";
  cm.kind = "ConfigMap";
  cm.plural = "configmaps";
  cm.singular = "configmap";
  cm.short_names = {"cm"};
  cm.columns = {{"Data", "string", "", "Number of data entries", 0}};
  cm.cells = [](const Json& o, SystemTime) {
    const Json* d = Find(o, {"data"});
    return std::vector<Json>{d ? static_cast<int64_t>(d->size()) : 0};
  };
  cm.strategy = std::make_shared<Strategy>();
  r.Add(cm);

  ResourceInfo pod;
  pod.version = "v1";
  pod.kind = "Pod";
  pod.plural = "pods";
  pod.singular = "pod";
  pod.short_names = {"po"};
  pod.categories = {"all"};
  pod.subresources = {{"status", {"", "v1", "Pod"}, {"get", "patch", "update"}},
                      {"binding", {"", "v1", "Binding"}, {"create"}},
                      {"log", {"", "v1", "Pod"}, {"get"}}};
  pod.columns = {{"Status", "string", "", "phase", 0}, {"Node", "string", "", "node", 1}};
  pod.cells = [](const Json& o, SystemTime) {
    return std::vector<Json>{GetString(o, {"status", "phase"}),
                             GetString(o, {"spec", "nodeName"})};
  };
  pod.strategy = std::make_shared<Strategy>();
  r.Add(pod);

  ResourceInfo ns;
  ns.version = "v1";
  ns.kind = "Namespace";
  ns.plural = "namespaces";
  ns.singular = "namespace";
  ns.short_names = {"ns"};
  ns.namespaced = false;
  ns.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  ns.subresources = {{"status", {"", "v1", "Namespace"}, {"get", "patch", "update"}},
                     {"finalize", {"", "v1", "Namespace"}, {"update"}}};
  ns.strategy = std::make_shared<Strategy>();
  r.Add(ns);

  ResourceInfo deploy;
  deploy.group = "apps";
  deploy.version = "v1";
  deploy.kind = "Deployment";
  deploy.plural = "deployments";
  deploy.singular = "deployment";
  deploy.short_names = {"deploy"};
  deploy.categories = {"all"};
  deploy.subresources = {{"scale", {"autoscaling", "v1", "Scale"}, {"get", "patch", "update"}},
                         {"status", {"apps", "v1", "Deployment"}, {"get", "patch", "update"}}};
  deploy.strategy = std::make_shared<Strategy>();
  r.Add(deploy);
}

// A schema registry that knows ConfigMap (data, metadata.name/namespace/...) only.
inline void AddTestSchemas(SchemaRegistry& s) {
  TypeSchema meta;
  meta.name = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
  for (const char* f : {"name", "namespace", "resourceVersion", "creationTimestamp", "uid"}) {
    FieldSchema fs;
    fs.name = f;
    meta.fields.push_back(fs);
  }
  FieldSchema labels;
  labels.name = "labels";
  labels.container = Container::kMap;
  meta.fields.push_back(labels);
  s.Add(meta);

  TypeSchema cm;
  cm.name = "io.k8s.api.core.v1.ConfigMap";
  cm.gvk = GroupVersionKind{"", "v1", "ConfigMap"};
  FieldSchema api_version, kind, metadata, data;
  api_version.name = "apiVersion";
  kind.name = "kind";
  metadata.name = "metadata";
  metadata.type = ValueType::kObject;
  metadata.ref = meta.name;
  data.name = "data";
  data.container = Container::kMap;
  cm.fields = {api_version, kind, metadata, data};
  s.Add(cm);
}

}  // namespace minik::testing
