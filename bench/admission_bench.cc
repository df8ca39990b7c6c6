// Cost of the built-in admission plugins on pod creation, in-process over the in-memory
// store: PODS creates each in three setups —
//   none:    the registry without admission;
//   idle:    LimitRanger, PodSecurity, DefaultStorageClass, ResourceQuota in a namespace
//            without LimitRanges, quotas or Pod Security labels (their lookups only);
//   active:  a LimitRange with Container defaults, a pods ResourceQuota (charged on every
//            create) and pod-security.kubernetes.io/enforce=restricted on the namespace.
// Prints the mean and p99 microseconds per create.   bench_admission_bench [PODS=2000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/schema.h"
#include "apiserver/admission_plugins.h"
#include "apiserver/registry.h"
#include "store/store.h"

using namespace minik;
using Steady = std::chrono::steady_clock;

namespace {

const ResourceRef kNs{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};

Json Pod(int i) {
  return {{"metadata", {{"name", "p" + std::to_string(i)}}},
          {"spec",
           {{"securityContext",
             {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
            {"containers",
             {{{"name", "main"},
               {"image", "busybox"},
               {"securityContext",
                {{"allowPrivilegeEscalation", false},
                 {"capabilities", {{"drop", {"ALL"}}}}}}}}}}}};
}

void Run(const char* setup, int pods) {
  ResourceRegistry resources;
  RegisterBuiltinResources(resources);
  RealClock clock;
  AdmissionChain chain;
  auto store = NewMemStore();
  const bool admit = std::string(setup) != "none";
  auto client = NewRegistry(*store, resources, BuiltinSchemas(), clock, admit ? &chain : nullptr);
  if (admit) RegisterBuiltinAdmission(chain, *client, clock);
  Json ns = {{"metadata", {{"name", "b"}}}};
  const bool active = std::string(setup) == "active";
  if (active) ns["metadata"]["labels"] = {{"pod-security.kubernetes.io/enforce", "restricted"}};
  if (!client->Create(kNs, "", ns).ok()) std::abort();
  if (active) {
    Json lr = {{"metadata", {{"name", "mem"}}},
               {"spec", {{"limits", {{{"type", "Container"},
                                      {"default", {{"memory", "64Mi"}}},
                                      {"defaultRequest", {{"memory", "32Mi"}}}}}}}}};
    if (!client->Create({"", "v1", "limitranges"}, "b", lr).ok()) std::abort();
    Json rq = {{"metadata", {{"name", "pods"}}},
               {"spec", {{"hard", {{"pods", "1000000"}}}}}};
    auto q = client->Create({"", "v1", "resourcequotas"}, "b", rq);
    if (!q.ok()) std::abort();
    (*q)["status"] = {{"hard", {{"pods", "1000000"}}}, {"used", {{"pods", "0"}}}};
    if (!client->Update({"", "v1", "resourcequotas"}, "b", *q, {}, "status").ok()) std::abort();
  }
  std::vector<double> us;
  us.reserve(pods);
  for (int i = 0; i < pods; ++i) {
    auto t0 = Steady::now();
    auto r = client->Create(kPods, "b", Pod(i));
    us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
    if (!r.ok()) {
      std::fprintf(stderr, "%s: create failed: %s\n", setup, r.status().message().c_str());
      std::abort();
    }
  }
  double mean = 0;
  for (double u : us) mean += u;
  mean /= us.size();
  std::sort(us.begin(), us.end());
  std::printf("%-7s pods=%d  mean %.1f us  p99 %.1f us\n", setup, pods, mean,
              us[size_t(us.size() * 0.99)]);
}

}  // namespace

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (pods <= 0) {
    std::fprintf(stderr, "usage: bench_admission_bench [PODS>0]\n");
    return 2;
  }
  for (const char* setup : {"none", "idle", "active"}) Run(setup, pods);
  return 0;
}
