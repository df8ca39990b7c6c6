// Pod start latency against a running minik with busybox:1.35 loaded: create -> Running as
// a watcher sees it, for pods created one at a time and for 100 created at once, then the
// memory per running pod (container monitors + the server's growth). Run through
// bench/pods.sh:
//   bench_pod_bench HOST PORT CA.pem CERT.pem KEY.pem SERVER_PID
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
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

std::string PodBody(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"("},"spec":{"terminationGracePeriodSeconds":0,"containers":[{"name":"c","image":"busybox:1.35","imagePullPolicy":"IfNotPresent","command":["sleep","3600"]}]}})";
}

// Running times of pods as one watch sees them.
class RunningWatch {
 public:
  explicit RunningWatch(const Target& t) : conn_(t) {
    conn_.Write("GET /api/v1/namespaces/bench/pods?watch=true HTTP/1.1\r\nHost: bench\r\n\r\n");
    thread_ = std::thread([this] { Loop(); });
  }
  ~RunningWatch() { thread_.detach(); }

  // Waits until `name` is Running; returns when it was seen.
  Clock::time_point Wait(const std::string& name) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return seen_.count(name) > 0; });
    return seen_[name];
  }

 private:
  void Loop() {
    std::string line;
    while (conn_.ReadLine(&line)) {
      if (line.find("\"phase\":\"Running\"") == std::string::npos) continue;
      auto at = line.find("\"name\":\"");
      if (at == std::string::npos) continue;
      at += 8;
      std::string name = line.substr(at, line.find('"', at) - at);
      auto now = Clock::now();
      std::lock_guard<std::mutex> lock(mu_);
      seen_.emplace(name, now);
      cv_.notify_all();
    }
  }

  Conn conn_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Clock::time_point> seen_;
};

// Proportional set size: shared pages (the binary's text, the zygote's copy-on-write heap)
// are divided among the processes that map them, so a sum over processes is honest.
long FieldKb(const std::string& path, const std::string& field);
long PssKb(int pid) { return FieldKb("/proc/" + std::to_string(pid) + "/smaps_rollup", "Pss:"); }

long FieldKb(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  std::string key;
  while (in >> key) {
    if (key == field) {
      long kb;
      in >> kb;
      return kb;
    }
  }
  return 0;
}

// Sum of the PSS of processes whose comm starts with `prefix`.
long RssOfProcesses(const std::string& prefix, int* count) {
  long total = 0;
  *count = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.empty() || pid[0] < '0' || pid[0] > '9') continue;
    std::ifstream comm(e.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind(prefix, 0) != 0) continue;
    long pss = PssKb(std::stoi(pid));
    if (pss == 0) continue;  // a zombie (of another program's tests, say)
    ++*count;
    total += pss;
  }
  return total;
}

void DeleteAll(Conn& c) {
  c.Request("DELETE", "/api/v1/namespaces/bench/pods?gracePeriodSeconds=0", "");
  std::string out;
  for (int i = 0; i < 600; ++i) {
    c.Request("GET", "/api/v1/namespaces/bench/pods", "", &out);
    if (out.find("\"name\"") == std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s HOST PORT CA CERT KEY SERVER_PID\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  SSL_library_init();
  Target t{argv[1], std::atoi(argv[2]), argv[3], argv[4], argv[5]};
  const int server_pid = std::atoi(argv[6]);
  Conn c(t);
  c.Request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"bench"}})");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // default service account
  RunningWatch watch(t);

  // One at a time.
  std::vector<double> one;
  for (int i = 0; i < 20; ++i) {
    std::string name = "one-" + std::to_string(i);
    auto t0 = Clock::now();
    int code = c.Request("POST", "/api/v1/namespaces/bench/pods", PodBody(name));
    if (code != 201) {
      fprintf(stderr, "create %s: %d\n", name.c_str(), code);
      return 1;
    }
    one.push_back(Ms(watch.Wait(name) - t0));
  }
  printf("%-44s p50 %6.1f ms  p99 %6.1f ms  (n=%zu)\n", "1 pod: create -> Running (watch)",
         Percentile(one, 0.5), Percentile(one, 0.99), one.size());
  DeleteAll(c);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  int left_monitors = 0, left_holders = 0;
  RssOfProcesses("minik-monitor", &left_monitors);
  RssOfProcesses("minik-sandbox", &left_holders);
  printf("%-44s %d monitors, %d sandboxes\n", "left after deleting them", left_monitors, left_holders);

  // 100 at once, from 4 clients.
  const long rss_before = PssKb(server_pid);
  const int n = 100;
  std::vector<Clock::time_point> created(n);
  auto t0 = Clock::now();
  std::vector<std::thread> clients;
  for (int k = 0; k < 4; ++k) {
    clients.emplace_back([&, k] {
      Conn cc(t);
      for (int i = k; i < n; i += 4) {
        created[i] = Clock::now();
        cc.Request("POST", "/api/v1/namespaces/bench/pods", PodBody("many-" + std::to_string(i)));
      }
    });
  }
  for (auto& th : clients) th.join();
  std::vector<double> many;
  Clock::time_point last = t0;
  for (int i = 0; i < n; ++i) {
    auto at = watch.Wait("many-" + std::to_string(i));
    many.push_back(Ms(at - created[i]));
    last = std::max(last, at);
  }
  printf("%-44s p50 %6.1f ms  p99 %6.1f ms\n", "100 pods at once: create -> Running",
         Percentile(many, 0.5), Percentile(many, 0.99));
  printf("%-44s %.2f s\n", "100 pods at once: all Running after", Ms(last - t0) / 1000);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int monitors = 0;
  long monitor_kb = RssOfProcesses("minik-monitor", &monitors);
  int holders = 0;
  long holder_kb = RssOfProcesses("minik-sandbox", &holders);
  long server_growth = PssKb(server_pid) - rss_before;
  printf("%-44s %d monitors %ld KB, %d sandboxes %ld KB, server +%ld KB\n",
         "PSS with 100 pods running", monitors, monitor_kb, holders, holder_kb, server_growth);
  printf("%-44s %.0f KB\n", "per pod (monitor + sandbox + server share)",
         double(monitor_kb + holder_kb + server_growth) / n);
  DeleteAll(c);
  return 0;
}
