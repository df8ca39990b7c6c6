// A real registry (built-in kinds and schemas, in-memory store) on a FakeClock with a shared
// informer factory, for driving one workload controller by hand: the test calls
// Reconcile(key) itself after Settle() has let the informer caches catch up with the store,
// and plays the kubelet by writing pod status.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik::testing {

inline const ResourceRef kNamespacesRef{"", "v1", "namespaces"};
inline const ResourceRef kPodsRef{"", "v1", "pods"};
inline const ResourceRef kNodesRef{"", "v1", "nodes"};
inline const ResourceRef kEventsRef{"", "v1", "events"};
inline const ResourceRef kJobsRef{"batch", "v1", "jobs"};
inline const ResourceRef kCronJobsRef{"batch", "v1", "cronjobs"};
inline const ResourceRef kDaemonSetsRef{"apps", "v1", "daemonsets"};
inline const ResourceRef kRevisionsRef{"apps", "v1", "controllerrevisions"};

class WorkloadEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(
        client_->Create(kNamespacesRef, "", Json{{"metadata", {{"name", "default"}}}}).ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
  }
  void TearDown() override {
    if (informers_) informers_->Stop();
  }
  // Call after constructing the controller (it registers its informers).
  void Start() {
    informers_->Start();
    ASSERT_TRUE(informers_->WaitForCacheSync(std::chrono::seconds(60)));
  }

  Client& client() { return *client_; }

  // Waits until every started informer of `refs` holds exactly the stored objects (names
  // and resourceVersions).
  void Settle(const std::vector<ResourceRef>& refs) {
    for (const ResourceRef& ref : refs) {
      Informer& inf = informers_->For(ref);
      bool ok = Eventually([&] {
        auto list = client_->List(ref, "");
        if (!list.ok()) return false;
        std::map<std::string, std::string> want;
        for (const Json& o : (*list)["items"]) want[ObjectKey(o)] = ResourceVersion(o);
        std::map<std::string, std::string> got;
        for (const ObjectPtr& o : inf.List()) got[ObjectKey(*o)] = ResourceVersion(*o);
        return want == got;
      });
      ASSERT_TRUE(ok) << "informer for " << ref.resource << " did not settle";
    }
  }

  Json Get(const ResourceRef& ref, const std::string& name, const std::string& ns = "default") {
    auto r = client_->Get(ref, ns, name);
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
    return r.ok() ? *r : Json();
  }
  Json Create(const ResourceRef& ref, const Json& obj, const std::string& ns = "default") {
    auto r = client_->Create(ref, ns, obj);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Json();
  }
  // Objects of `ref` in the namespace whose labels match `selector` ("a=b").
  std::vector<Json> ListObjects(const ResourceRef& ref, const std::string& selector = "",
                                const std::string& ns = "default") {
    ListQuery q;
    q.label_selector = selector;
    auto r = client_->List(ref, ns, q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<Json> out;
    if (r.ok())
      for (const Json& o : (*r)["items"]) out.push_back(o);
    return out;
  }
  // "reason: message" of the events about `name`, oldest first.
  std::vector<std::string> Events(const std::string& name, const std::string& ns = "default") {
    std::vector<std::string> out;
    for (const Json& e : ListObjects(kEventsRef, "", ns)) {
      if (GetString(e, {"involvedObject", "name"}) != name) continue;
      out.push_back(GetString(e, {"reason"}) + ": " + GetString(e, {"message"}));
    }
    return out;
  }
  // Events are written asynchronously (EventRecorder's writer thread): waits a little.
  bool HasEvent(const std::string& name, const std::string& text) {
    return Eventually(
        [&] {
          for (const std::string& e : Events(name))
            if (e == text) return true;
          return false;
        },
        std::chrono::milliseconds(2000));
  }

  // The kubelet's part: the pod's status after its one container ended with `exit_code`.
  void FinishPod(const std::string& name, int exit_code, const std::string& ns = "default") {
    Json pod = Get(kPodsRef, name, ns);
    std::string now = FormatRfc3339(clock_.Now());
    pod["status"]["phase"] = exit_code == 0 ? "Succeeded" : "Failed";
    pod["status"]["conditions"] = Json::array({{{"type", "Ready"},
                                                {"status", "False"},
                                                {"lastTransitionTime", now},
                                                {"reason", "PodCompleted"}}});
    Json term = {{"exitCode", exit_code},
                 {"reason", exit_code == 0 ? "Completed" : "Error"},
                 {"startedAt", now},
                 {"finishedAt", now}};
    pod["status"]["containerStatuses"] = Json::array({{{"name", "main"},
                                                       {"image", "busybox"},
                                                       {"imageID", ""},
                                                       {"ready", false},
                                                       {"restartCount", 0},
                                                       {"state", {{"terminated", term}}}}});
    auto r = client_->Update(kPodsRef, ns, pod, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // The pod is Running (and Ready when `ready`).
  void RunPod(const std::string& name, bool ready, const std::string& ns = "default") {
    Json pod = Get(kPodsRef, name, ns);
    std::string now = FormatRfc3339(clock_.Now());
    pod["status"]["phase"] = "Running";
    pod["status"]["conditions"] = Json::array(
        {{{"type", "Ready"}, {"status", ready ? "True" : "False"}, {"lastTransitionTime", now}}});
    auto r = client_->Update(kPodsRef, ns, pod, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
};

}  // namespace minik::testing
