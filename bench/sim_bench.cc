// Control-plane scale on simulated nodes (minik start --simulated-nodes N), run through
// bench/workloads.sh:
//   bench_sim_bench HOST PORT CA.pem CERT.pem KEY.pem sched PODS
//     PODS bare pods created from 16 clients; scheduler throughput = pods bound per second
//     from the first create to the last binding, as one watch sees it.
//   bench_sim_bench HOST PORT CA.pem CERT.pem KEY.pem deploy DEPLOYMENTS REPLICAS
//     DEPLOYMENTS Deployments of REPLICAS each: create -> all pods Running, then a rolling
//     update of every one (a new image) -> all rollouts complete (status as kubectl reads it).
// Objects go to namespace "bench" and are deleted at the end.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_client.h"

namespace {

using bench::Clock;
using bench::Conn;
using bench::Ms;
using bench::Target;

const char* kSimSpec =
    R"("nodeSelector":{"type":"simulated"},"tolerations":[{"key":"minik.io/simulated","operator":"Exists","effect":"NoSchedule"}],"terminationGracePeriodSeconds":0)";

std::string PodBody(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","labels":{"bench":"sched"}},"spec":{)" + kSimSpec +
         R"(,"containers":[{"name":"c","image":"busybox:1.35"}]}})";
}

std::string DeploymentBody(const std::string& name, int replicas) {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
         R"("},"spec":{"replicas":)" + std::to_string(replicas) +
         R"(,"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name + R"("}},"spec":{)" +
         kSimSpec + R"(,"containers":[{"name":"c","image":"busybox:1.35"}]}}}})";
}

std::string Field(const std::string& line, const std::string& key, size_t from = 0) {
  auto at = line.find("\"" + key + "\":\"", from);
  if (at == std::string::npos) return "";
  at += key.size() + 4;
  return line.substr(at, line.find('"', at) - at);
}

// Pod states as one watch of namespace bench sees them: bound and Running counts, and when
// each count last changed.
class PodWatch {
 public:
  explicit PodWatch(const Target& t) : conn_(t) {
    conn_.Write("GET /api/v1/namespaces/bench/pods?watch=true HTTP/1.1\r\nHost: bench\r\n\r\n");
    thread_ = std::thread([this] { Loop(); });
  }
  ~PodWatch() { thread_.detach(); }

  // Waits until `running` pods are Running (and not terminating); returns when it was seen.
  Clock::time_point WaitRunning(size_t running) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return running_ == running; });
    return last_change_;
  }
  Clock::time_point WaitBound(size_t bound) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return bound_.size() >= bound; });
    return last_bound_;
  }

 private:
  void Loop() {
    std::string line;
    while (conn_.ReadLine(&line)) {
      if (line.find("\"object\"") == std::string::npos) continue;
      const std::string type = Field(line, "type");
      const std::string name = Field(line, "name", line.find("\"metadata\""));
      const bool running = type != "DELETED" &&
                           line.find("\"phase\":\"Running\"") != std::string::npos &&
                           line.find("\"deletionTimestamp\"") == std::string::npos;
      const bool bound = line.find("\"nodeName\"") != std::string::npos;
      auto now = Clock::now();
      std::lock_guard<std::mutex> lock(mu_);
      if (bound && bound_.insert(name).second) last_bound_ = now;
      bool was = is_running_[name];
      if (running != was) {
        is_running_[name] = running;
        running_ += running ? 1 : -1;
        last_change_ = now;
      }
      if (type == "DELETED") is_running_.erase(name);
      cv_.notify_all();
    }
  }

  Conn conn_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, bool> is_running_;
  std::set<std::string> bound_;
  size_t running_ = 0;
  Clock::time_point last_change_, last_bound_;
};

void CreateAll(const Target& t, int n, int clients, const std::string& path,
               const std::function<std::string(int)>& body) {
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      Conn c(t);
      for (int i = k; i < n; i += clients) {
        if (c.Request("POST", path, body(i)) != 201) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  if (failed > 0) {
    fprintf(stderr, "%d creates failed\n", failed.load());
    exit(1);
  }
}

void WaitGone(Conn& c, const std::string& path) {
  std::string out;
  for (int i = 0; i < 1200; ++i) {
    c.Request("GET", path + "?limit=1", "", &out);
    if (out.find("\"items\":[]") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fprintf(stderr, "%s: objects left after 120 s\n", path.c_str());
}

int Sched(const Target& t, int n) {
  Conn c(t);
  PodWatch& watch = *new PodWatch(t);  // outlives main (see there)
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t0 = Clock::now();
  CreateAll(t, n, 16, "/api/v1/namespaces/bench/pods",
            [](int i) { return PodBody("p-" + std::to_string(i)); });
  auto created = Clock::now();
  auto bound = watch.WaitBound(n);
  auto running = watch.WaitRunning(n);
  printf("%-48s %8.0f pods/s  (%d in %.2f s)\n", "create, 16 clients", n / (Ms(created - t0) / 1000),
         n, Ms(created - t0) / 1000);
  printf("%-48s %8.0f pods/s  (last bound after %.2f s)\n", "scheduler: bound per second",
         n / (Ms(bound - t0) / 1000), Ms(bound - t0) / 1000);
  printf("%-48s %8.2f s\n", "all Running after", Ms(running - t0) / 1000);
  c.Request("DELETE", "/api/v1/namespaces/bench/pods", "");
  WaitGone(c, "/api/v1/namespaces/bench/pods");
  return 0;
}

bool RolledOut(Conn& c, const std::string& name, int replicas) {
  std::string out;
  c.Request("GET", "/apis/apps/v1/namespaces/bench/deployments/" + name, "", &out);
  auto num = [&](const std::string& key) {
    auto at = out.find("\"" + key + "\":", out.find("\"status\""));
    return at == std::string::npos ? -1L : std::atol(out.c_str() + at + key.size() + 3);
  };
  auto gen = out.find("\"generation\":");
  long generation = gen == std::string::npos ? -2 : std::atol(out.c_str() + gen + 13);
  return num("observedGeneration") >= generation && num("updatedReplicas") == replicas &&
         num("replicas") == replicas && num("availableReplicas") == replicas;
}

int Deploy(const Target& t, int deployments, int replicas) {
  Conn c(t);
  PodWatch& watch = *new PodWatch(t);  // outlives main (see there)
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int total = deployments * replicas;
  auto t0 = Clock::now();
  CreateAll(t, deployments, std::min(deployments, 16), "/apis/apps/v1/namespaces/bench/deployments",
            [&](int i) { return DeploymentBody("d-" + std::to_string(i), replicas); });
  auto running = watch.WaitRunning(total);
  printf("%-48s %8.2f s  (%.0f pods/s)\n",
         (std::to_string(deployments) + " x " + std::to_string(replicas) + " replicas: all Running").c_str(),
         Ms(running - t0) / 1000, total / (Ms(running - t0) / 1000));
  fflush(stdout);
  if (getenv("SKIP_UPDATE")) return 0;
  auto t1 = Clock::now();
  for (int i = 0; i < deployments; ++i) {
    int code = c.Request(
        "PATCH", "/apis/apps/v1/namespaces/bench/deployments/d-" + std::to_string(i),
        R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:1.35-b"}]}}}})",
        nullptr, "application/strategic-merge-patch+json");
    if (code != 200) {
      fprintf(stderr, "patch d-%d: %d\n", i, code);
      return 1;
    }
  }
  for (int i = 0; i < deployments; ++i) {
    while (!RolledOut(c, "d-" + std::to_string(i), replicas)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  auto done = Clock::now();
  printf("%-48s %8.2f s\n", "rolling update (new image): all rollouts complete", Ms(done - t1) / 1000);
  fflush(stdout);
  // KEEP=1: the caller measures with the pods in place, then deletes the namespace.
  if (getenv("KEEP")) return 0;
  c.Request("DELETE", "/apis/apps/v1/namespaces/bench/deployments", "");
  WaitGone(c, "/api/v1/namespaces/bench/pods");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: %s HOST PORT CA CERT KEY sched PODS | deploy DEPLOYMENTS REPLICAS\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  SSL_library_init();
  Target t{argv[1], std::atoi(argv[2]), argv[3], argv[4], argv[5]};
  {
    Conn c(t);
    c.Request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"bench"}})");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // its default ServiceAccount
  const std::string mode = argv[6];
  int rc = 2;
  if (mode == "sched") {
    rc = Sched(t, std::atoi(argv[7]));
  } else if (mode == "deploy" && argc == 9) {
    rc = Deploy(t, std::atoi(argv[7]), std::atoi(argv[8]));
  } else {
    fprintf(stderr, "unknown mode %s\n", mode.c_str());
  }
  // The watch threads still read their connections: leave without destructors.
  fflush(stdout);
  _exit(rc);
}
