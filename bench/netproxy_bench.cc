// Rule sync latency of netproxy's iptables proxier (issue 7 target: <= 100 ms with 1,000
// services): SERVICES Services with ENDPOINTS simulated endpoints each (10.255.x.x, never
// reached) in a real registry, the proxier programming the host's iptables under a private
// chain prefix (MKBENCH, removed at the end). Measures:
//   - the first, full sync (iptables-save + restore of everything);
//   - ROUNDS endpoint changes (one slice updated): from the API write returning to the
//     restore that contains the new endpoint completing — p50 / p99 / max;
//   - baseline in the same run: one `iptables-restore --noflush` of a one-rule script (the
//     fixed cost of a transaction).
// Needs root.  bench_netproxy_bench [SERVICES=1000] [ENDPOINTS=2] [ROUNDS=50]
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "kubelet/network/iptables.h"
#include "netproxy/proxier.h"
#include "store/store.h"

using namespace minik;
using Steady = std::chrono::steady_clock;

namespace {

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Ip(int n) { return "10.255." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 2); }

Json Slice(int svc, int endpoints, int base) {
  Json eps = Json::array();
  for (int e = 0; e < endpoints; ++e)
    eps.push_back({{"addresses", {Ip(base + e)}}, {"conditions", {{"ready", true}}}});
  std::string name = "svc-" + std::to_string(svc);
  return {{"metadata", {{"name", name + "-x"}, {"labels", {{"kubernetes.io/service-name", name}}}}},
          {"addressType", "IPv4"},
          {"ports", {{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}}},
          {"endpoints", eps}};
}

}  // namespace

int main(int argc, char** argv) {
  const int services = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int endpoints = argc > 2 ? std::atoi(argv[2]) : 2;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 50;
  const ResourceRef kNs{"", "v1", "namespaces"}, kSvc{"", "v1", "services"},
      kSlices{"discovery.k8s.io", "v1", "endpointslices"};
  RealClock clock;
  ResourceRegistry resources;
  RegisterBuiltinResources(resources);
  auto store = NewMemStore();
  auto client = NewRegistry(*store, resources, BuiltinSchemas(), clock);
  (void)client->Create(kNs, "", Json{{"metadata", {{"name", "default"}}}});
  for (int i = 0; i < services; ++i) {
    std::string name = "svc-" + std::to_string(i);
    auto r = client->Create(kSvc, "default",
                            {{"metadata", {{"name", name}}},
                             {"spec", {{"ports", {{{"port", 80}, {"targetPort", 8080}}}}}}});
    if (!r.ok()) {
      std::fprintf(stderr, "create %s: %s\n", name.c_str(), r.status().message().c_str());
      return 1;
    }
    (void)client->Create(kSlices, "default", Slice(i, endpoints, i * endpoints));
  }

  std::mutex mu;
  std::condition_variable cv;
  std::string want;  // a DNAT target the next sync must contain
  Steady::time_point seen;
  bool found = false;
  SharedInformerFactory informers(*client, clock);
  netproxy::ProxierOptions o;
  o.node_name = "bench";
  o.layout = {"MKBENCH", "10.244.0.0/16", "", {}};
  o.on_synced = [&](const std::string& script) {
    std::lock_guard<std::mutex> lock(mu);
    if (!want.empty() && script.find(want) != std::string::npos) {
      seen = Steady::now();
      found = true;
      cv.notify_all();
    }
  };
  netproxy::ServiceProxier proxier(informers, o, std::make_unique<net::ExecIptablesRunner>(),
                                   nullptr);
  auto t0 = Steady::now();
  Status st = proxier.Start();
  auto full = Steady::now() - t0;
  if (!st.ok()) {
    std::fprintf(stderr, "start: %s\n", st.message().c_str());
    return 1;
  }

  std::vector<double> lat;
  for (int r = 0; r < rounds; ++r) {
    int svc = (r * 37) % services;
    int base = services * endpoints + r * endpoints;
    {
      std::lock_guard<std::mutex> lock(mu);
      want = "DNAT --to-destination " + Ip(base) + ":8080";
      found = false;
    }
    auto start = Steady::now();
    auto cur = client->Get(kSlices, "default", "svc-" + std::to_string(svc) + "-x");
    if (!cur.ok()) return 1;
    Json next = Slice(svc, endpoints, base);
    next["metadata"]["resourceVersion"] = (*cur)["metadata"]["resourceVersion"];
    if (!client->Update(kSlices, "default", next).ok()) return 1;
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return found; })) {
      std::fprintf(stderr, "round %d: change not programmed within 10 s\n", r);
      return 1;
    }
    lat.push_back(Ms(seen - start));
  }
  proxier.Stop();
  informers.Stop();

  // Baseline: the cost of one transaction, whatever it holds.
  net::ExecIptablesRunner runner;
  std::vector<double> base;
  for (int i = 0; i < 20; ++i) {
    auto b0 = Steady::now();
    (void)runner.Restore("*nat\n:MKBENCH-BASE - [0:0]\n-A MKBENCH-BASE -j RETURN\nCOMMIT\n");
    base.push_back(Ms(Steady::now() - b0));
  }
  (void)runner.Restore("*nat\n:MKBENCH-BASE - [0:0]\n-X MKBENCH-BASE\nCOMMIT\n");
  auto saved = runner.Save();
  if (saved.ok())
    (void)runner.Restore(netproxy::RenderServiceCleanup(o.layout, *saved));

  std::sort(lat.begin(), lat.end());
  std::sort(base.begin(), base.end());
  auto pct = [](const std::vector<double>& v, double p) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  };
  std::printf("services=%d endpoints/service=%d rules~%d\n", services, endpoints,
              services * (2 + 3 * endpoints));
  std::printf("first full sync: %.1f ms\n", Ms(full));
  std::printf("endpoint change -> programmed (%d rounds): p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
              rounds, pct(lat, 0.5), pct(lat, 0.99), lat.empty() ? 0.0 : lat.back());
  std::printf("baseline one-rule iptables-restore: p50 %.1f ms\n", pct(base, 0.5));
  return 0;
}
