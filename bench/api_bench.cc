// API benchmark against a running minik: GET latency over keep-alive, durable CREATE
// throughput with 1 and 16 clients, LIST of 1,000 and 10,000 objects, watch delivery latency
// to 100 watchers. Run through bench/api.sh, which starts a cluster and passes credentials:
//   bench_api_bench HOST PORT CA.pem CERT.pem KEY.pem
// Self-contained on purpose (plain OpenSSL + sockets): the client must not share code with
// the server it measures.
#include <algorithm>
#include <memory>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_client.h"

namespace {

using bench::Conn;
using bench::Percentile;
using bench::Target;
using bench::Clock;
using bench::Ms;

std::string ConfigMapBody(const std::string& name) {
  // About 1.5 KB, like the store baseline's values.
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"("},"data":{"payload":")" + std::string(1400, 'x') + R"("}})";
}

void CreateMany(const Target& t, const std::string& ns, const std::string& prefix, int clients,
                int per_client, std::vector<double>* latencies, double* seconds) {
  std::mutex mu;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Conn conn(t);
      std::vector<double> mine;
      for (int i = 0; i < per_client; ++i) {
        auto t0 = Clock::now();
        int code = conn.Request("POST", "/api/v1/namespaces/" + ns + "/configmaps",
                                ConfigMapBody(prefix + std::to_string(c) + "-" + std::to_string(i)));
        if (code != 201) fprintf(stderr, "create: HTTP %d\n", code);
        mine.push_back(Ms(Clock::now() - t0));
      }
      std::lock_guard lock(mu);
      if (latencies) latencies->insert(latencies->end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : threads) th.join();
  *seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s HOST PORT CA CERT KEY\n", argv[0]);
    return 2;
  }
  Target t{argv[1], std::atoi(argv[2]), argv[3], argv[4], argv[5]};
  Conn admin(t);
  admin.Request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"bench"}})");
  admin.Request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"bench-list"}})");
  admin.Request("POST", "/api/v1/namespaces/bench/configmaps", ConfigMapBody("one"));

  // GET one object over keep-alive.
  std::vector<double> get;
  for (int i = 0; i < 3000; ++i) {
    auto t0 = Clock::now();
    admin.Request("GET", "/api/v1/namespaces/bench/configmaps/one", "");
    get.push_back(Ms(Clock::now() - t0));
  }
  printf("%-44s p50 %.3f ms  p99 %.3f ms\n", "GET configmap (keep-alive, 3000)",
         Percentile(get, 0.5), Percentile(get, 0.99));

  for (int clients : {1, 16}) {
    std::vector<double> lat;
    double secs = 0;
    int per = clients == 1 ? 1000 : 400;
    CreateMany(t, "bench", "c" + std::to_string(clients) + "-", clients, per, &lat, &secs);
    printf("%-44s %.0f creates/s  p50 %.2f ms  p99 %.2f ms\n",
           ("CREATE durable, " + std::to_string(clients) + " client(s)").c_str(),
           clients * per / secs, Percentile(lat, 0.5), Percentile(lat, 0.99));
  }

  // LIST 1,000 then 10,000 objects in one namespace.
  int have = 0;
  for (int target : {1000, 10000}) {
    double secs = 0;
    CreateMany(t, "bench-list", "l" + std::to_string(target) + "-", 16, (target - have) / 16,
               nullptr, &secs);
    have = target;
    std::vector<double> lat;
    size_t bytes = 0;
    for (int i = 0; i < 5; ++i) {
      std::string body;
      auto t0 = Clock::now();
      admin.Request("GET", "/api/v1/namespaces/bench-list/configmaps", "", &body);
      lat.push_back(Ms(Clock::now() - t0));
      bytes = body.size();
    }
    printf("%-44s p50 %.1f ms  (%zu KB)\n", ("LIST " + std::to_string(target) + " configmaps").c_str(),
           Percentile(lat, 0.5), bytes / 1024);
  }

  // Watch delivery latency to 100 watchers.
  std::string list;
  admin.Request("GET", "/api/v1/namespaces/bench/configmaps?limit=1", "", &list);
  // The list's own resourceVersion: keys are sorted, so list metadata comes after the items.
  auto rv_pos = list.rfind("\"resourceVersion\":\"");
  std::string rv = list.substr(rv_pos + 19, list.find('"', rv_pos + 19) - rv_pos - 19);
  constexpr int kWatchers = 100, kEvents = 20;
  std::vector<std::unique_ptr<Conn>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    watchers.push_back(std::make_unique<Conn>(t));
    watchers.back()->Write("GET /api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=" +
                           rv + " HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n");
  }
  std::vector<Clock::time_point> sent(kEvents);
  std::mutex mu;
  std::vector<double> delivery;
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWatchers; ++w) {
    threads.emplace_back([&, w] {
      ++ready;
      for (int e = 0; e < kEvents; ++e) {
        if (!watchers[w]->ReadUntil("\"watched-" + std::to_string(e) + "\"")) return;
        double ms = Ms(Clock::now() - sent[e]);
        std::lock_guard lock(mu);
        delivery.push_back(ms);
      }
    });
  }
  while (ready < kWatchers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int e = 0; e < kEvents; ++e) {
    sent[e] = Clock::now();
    admin.Request("POST", "/api/v1/namespaces/bench/configmaps",
                  R"({"metadata":{"name":"watched-)" + std::to_string(e) + R"("}})");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& th : threads) th.join();
  printf("%-44s p50 %.2f ms  p99 %.2f ms  (%zu deliveries)\n", "create -> watch event, 100 watchers",
         Percentile(delivery, 0.5), Percentile(delivery, 0.99), delivery.size());
  return 0;
}
