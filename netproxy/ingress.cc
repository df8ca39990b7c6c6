// IngressController: informers -> routing table (one sync thread) and Ingress status (one
// status thread with a work queue).
//
// Threads: informer handlers only touch `Shared` (a flag under its mutex, the work queue),
// which they hold by shared_ptr: informers outlive the controller and their handlers cannot be
// removed. The sync thread owns `warnings_`; the status thread reads informer caches only.
#include "netproxy/ingress.h"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "api/log.h"
#include "api/workqueue.h"
#include "netproxy/ingress_proxy.h"
#include "netproxy/ingress_routes.h"

namespace minik {

namespace {

constexpr char kComponent[] = "ingress";
const ResourceRef kIngresses{"networking.k8s.io", "v1", "ingresses"};
const ResourceRef kIngressClasses{"networking.k8s.io", "v1", "ingressclasses"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};
const ResourceRef kSecrets{"", "v1", "secrets"};
constexpr std::chrono::seconds kSyncTimeout(60);

// What informer handlers may touch; shared so that late events after Stop() are harmless.
struct Shared {
  explicit Shared(Clock& clock) : status_queue(clock) {}
  std::mutex mu;
  std::condition_variable cv;
  bool dirty = false;
  bool stopping = false;
  WorkQueue status_queue;

  void Kick() {
    std::lock_guard<std::mutex> lock(mu);
    dirty = true;
    cv.notify_one();
  }
};

class IngressControllerImpl final : public IngressController {
 public:
  IngressControllerImpl(Client& client, Clock& clock, SharedInformerFactory& informers,
                        const IngressOptions& options)
      : client_(client),
        options_(options),
        shared_(std::make_shared<Shared>(clock)),
        ingresses_(informers.For(kIngresses)),
        classes_(informers.For(kIngressClasses)),
        services_(informers.For(kServices)),
        slices_(informers.For(kSlices)),
        secrets_(informers.For(kSecrets)) {
    netproxy::IngressProxyOptions po;
    po.addresses = options.addresses;
    po.optional_addresses = options.optional_addresses;
    po.http_port = options.http_port;
    po.https_port = options.https_port;
    po.io_threads = options.io_threads;
    proxy_ = netproxy::NewIngressProxy(po);
  }
  ~IngressControllerImpl() override { Stop(); }

  Status Start() override {
    if (started_) return Status::Ok();
    MINIK_RETURN_IF_ERROR(proxy_->Start());
    std::weak_ptr<Shared> weak = shared_;
    auto kick = [weak] {
      if (auto s = weak.lock()) s->Kick();
    };
    ResourceEventHandlers any;
    any.on_add = [kick](const Json&) { kick(); };
    any.on_update = [kick](const Json&, const Json&) { kick(); };
    any.on_delete = [kick](const Json&) { kick(); };
    for (Informer* inf : {&services_, &slices_, &secrets_}) inf->AddEventHandler(any);
    // Ingress changes also queue the Ingress's status; class changes queue every Ingress.
    auto queue = [weak](const Json& ing) {
      if (auto s = weak.lock()) {
        s->status_queue.Add(ObjectKey(ing));
        s->Kick();
      }
    };
    ResourceEventHandlers ing;
    ing.on_add = queue;
    ing.on_update = [queue](const Json&, const Json& n) { queue(n); };
    ing.on_delete = [kick](const Json&) { kick(); };
    ingresses_.AddEventHandler(ing);
    Informer* ingresses = &ingresses_;
    auto requeue_all = [weak, ingresses] {
      if (auto s = weak.lock()) {
        for (const std::string& key : ingresses->ListKeys()) s->status_queue.Add(key);
        s->Kick();
      }
    };
    ResourceEventHandlers cls;
    cls.on_add = [requeue_all](const Json&) { requeue_all(); };
    cls.on_update = [requeue_all](const Json&, const Json&) { requeue_all(); };
    cls.on_delete = [requeue_all](const Json&) { requeue_all(); };
    classes_.AddEventHandler(cls);
    for (Informer* inf : {&ingresses_, &classes_, &services_, &slices_, &secrets_}) {
      inf->Start();
    }
    for (Informer* inf : {&ingresses_, &classes_, &services_, &slices_, &secrets_}) {
      if (!inf->WaitForSync(kSyncTimeout)) {
        proxy_->Stop();
        return Status(Code::kServiceUnavailable,
                      "the " + inf->ref().resource + " informer did not sync");
      }
    }
    Rebuild();
    started_ = true;
    sync_thread_ = std::thread([this] { SyncLoop(); });
    status_thread_ = std::thread([this] { StatusLoop(); });
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      shared_->stopping = true;
      shared_->cv.notify_all();
    }
    shared_->status_queue.ShutDown();
    if (sync_thread_.joinable()) sync_thread_.join();
    if (status_thread_.joinable()) status_thread_.join();
    proxy_->Stop();
  }

  int http_port() const override { return proxy_->http_port(); }
  int https_port() const override { return proxy_->https_port(); }

 private:
  void SyncLoop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(shared_->mu);
        shared_->cv.wait(lock, [&] { return shared_->dirty || shared_->stopping; });
        if (shared_->stopping) return;
        shared_->dirty = false;
      }
      Rebuild();
    }
  }

  void Rebuild() {
    netproxy::IngressObjects objects{ingresses_.List(), classes_.List(), services_.List(),
                                     slices_.List(), secrets_.List()};
    std::vector<std::string> warnings;
    netproxy::RoutesPtr routes = netproxy::BuildIngressRoutes(objects, options_.class_name,
                                                              options_.controller, &warnings);
    proxy_->SetRoutes(std::move(routes));
    // Each problem is logged once while it lasts, not at every rebuild.
    std::set<std::string> now(warnings.begin(), warnings.end());
    for (const std::string& w : now) {
      if (!warnings_.count(w)) LOG(Warning, kComponent) << w;
    }
    warnings_ = std::move(now);
  }

  void StatusLoop() {
    std::string key;
    while (shared_->status_queue.Get(&key)) {
      Status st = ReconcileStatus(key);
      if (st.ok() || st.code() == Code::kNotFound) {
        shared_->status_queue.Forget(key);
      } else {
        LOG(Warning, kComponent) << "status of ingress " << key << ": " << st.message();
        shared_->status_queue.AddRateLimited(key);
      }
      shared_->status_queue.Done(key);
    }
  }

  Status ReconcileStatus(const std::string& key) {
    if (options_.status_ip.empty()) return Status::Ok();
    ObjectPtr ing = ingresses_.Get(key);
    if (ing == nullptr) return Status::Ok();
    Json wanted = Json::array({{{"ip", options_.status_ip}}});
    const Json* current = Find(*ing, {"status", "loadBalancer", "ingress"});
    bool handled = netproxy::HandlesIngress(*ing, classes_.List(), options_.class_name,
                                            options_.controller);
    Json patch;
    if (handled && (current == nullptr || *current != wanted)) {
      patch = {{"status", {{"loadBalancer", {{"ingress", wanted}}}}}};
    } else if (!handled && current != nullptr && *current == wanted) {
      patch = {{"status", {{"loadBalancer", {{"ingress", nullptr}}}}}};
    } else {
      return Status::Ok();
    }
    return client_
        .Patch(kIngresses, Namespace(*ing), Name(*ing), PatchType::kMerge, patch.dump(), {},
               "status")
        .status();
  }

  Client& client_;
  const IngressOptions options_;
  std::shared_ptr<Shared> shared_;
  Informer& ingresses_;
  Informer& classes_;
  Informer& services_;
  Informer& slices_;
  Informer& secrets_;
  std::unique_ptr<netproxy::IngressProxy> proxy_;
  std::set<std::string> warnings_;  // sync thread (and Start before it)
  bool started_ = false;
  std::thread sync_thread_;
  std::thread status_thread_;
};

}  // namespace

std::unique_ptr<IngressController> NewIngressController(Client& client, Clock& clock,
                                                        SharedInformerFactory& informers,
                                                        const IngressOptions& options) {
  return std::make_unique<IngressControllerImpl>(client, clock, informers, options);
}

}  // namespace minik
