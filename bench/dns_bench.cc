// dns_bench: a UDP DNS load generator in the manner of dnsperf.
//
//   bench_dns_bench SERVER_IP PORT NAME [--type A|AAAA|SRV|PTR] [--queries N] [--concurrency C]
//   bench_dns_bench --self [NAME] [--services S] [--queries N] [--concurrency C]
//   bench_dns_bench --zone-build [--services S]
//
// Keeps C queries in flight (one per UDP socket, all in one thread on epoll) until N have
// been answered, then prints qps, p50, p99 and max latency, lost queries (no reply within
// 1 s, resent) and the rcodes seen. --self starts minik's DNS server in this process over an
// in-memory registry holding S services (plus `web` in `default`), on 127.0.0.1, and
// measures it (NAME defaults to web.default.svc.cluster.local). --zone-build times building
// the zone snapshot from S services with a 3-endpoint slice each (what every change costs).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "netproxy/dns.h"
#include "netproxy/dns_message.h"
#include "netproxy/dns_zone.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace dns = minik::netproxy::dns;

struct Args {
  std::string server = "127.0.0.1";
  int port = 53;
  std::string name;
  uint16_t type = dns::kTypeA;
  long queries = 200000;
  int concurrency = 64;
  bool self = false;
  bool zone_build = false;
  int services = 1000;
};

int Usage() {
  std::fprintf(
      stderr,
      "usage: bench_dns_bench SERVER_IP PORT NAME [--type A|AAAA|SRV|PTR] [--queries N] "
      "[--concurrency C]\n"
      "       bench_dns_bench --self [NAME] [--services S] [--queries N] [--concurrency C]\n");
  return 2;
}

struct Result {
  double seconds = 0;
  std::vector<double> lat_us;
  long lost = 0;
  std::map<int, long> rcodes;
};

bool Run(const Args& a, Result* res) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(a.port));
  if (inet_pton(AF_INET, a.server.c_str(), &to.sin_addr) != 1) {
    std::fprintf(stderr, "bad server address %s\n", a.server.c_str());
    return false;
  }
  dns::Message q;
  q.rd = true;
  q.questions.push_back({a.name, a.type, dns::kClassIn});
  std::string wire;
  if (!dns::EncodeMessage(q, &wire).ok()) {
    std::fprintf(stderr, "bad name %s\n", a.name.c_str());
    return false;
  }
  struct Slot {
    int fd;
    uint16_t id;
    Clock::time_point sent;
  };
  std::vector<Slot> slots(static_cast<size_t>(a.concurrency));
  int ep = epoll_create1(0);
  uint16_t next_id = 1;
  auto send_one = [&](Slot& s) {
    s.id = next_id++;
    wire[0] = static_cast<char>(s.id >> 8);
    wire[1] = static_cast<char>(s.id & 0xff);
    s.sent = Clock::now();
    send(s.fd, wire.data(), wire.size(), 0);
  };
  for (size_t i = 0; i < slots.size(); ++i) {
    slots[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (connect(slots[i].fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      std::perror("connect");
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, slots[i].fd, &ev);
  }
  res->lat_us.reserve(static_cast<size_t>(a.queries));
  const auto start = Clock::now();
  long sent = 0;
  for (Slot& s : slots) {
    if (sent < a.queries) {
      send_one(s);
      ++sent;
    }
  }
  long answered = 0;
  std::vector<epoll_event> events(slots.size());
  char buf[65536];
  auto last_sweep = Clock::now();
  while (answered < a.queries) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    const auto now = Clock::now();
    for (int i = 0; i < n; ++i) {
      Slot& s = slots[events[i].data.u64];
      while (true) {
        ssize_t got = recv(s.fd, buf, sizeof(buf), 0);
        if (got < 12) break;
        const uint16_t id =
            static_cast<uint16_t>(static_cast<uint8_t>(buf[0]) << 8 | static_cast<uint8_t>(buf[1]));
        if (id != s.id) continue;  // a late reply to a query given up on
        res->lat_us.push_back(std::chrono::duration<double, std::micro>(now - s.sent).count());
        ++res->rcodes[buf[3] & 0xf];
        ++answered;
        if (sent < a.queries) {
          send_one(s);
          ++sent;
        } else {
          s.id = 0;
        }
        break;
      }
    }
    if (now - last_sweep > std::chrono::milliseconds(100)) {
      last_sweep = now;
      for (Slot& s : slots) {
        if (s.id != 0 && now - s.sent > std::chrono::seconds(1)) {
          ++res->lost;
          send_one(s);
        }
      }
    }
  }
  res->seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (Slot& s : slots) close(s.fd);
  close(ep);
  return true;
}

void Print(const Args& a, Result& r) {
  std::sort(r.lat_us.begin(), r.lat_us.end());
  auto pct = [&](double p) {
    return r.lat_us.empty()
               ? 0.0
               : r.lat_us[std::min(r.lat_us.size() - 1, static_cast<size_t>(p * r.lat_us.size()))];
  };
  std::printf(
      "name=%s type=%s queries=%zu concurrency=%d seconds=%.2f qps=%.0f p50_us=%.0f p99_us=%.0f "
      "max_us=%.0f lost=%ld",
      a.name.c_str(), dns::TypeName(a.type).c_str(), r.lat_us.size(), a.concurrency, r.seconds,
      static_cast<double>(r.lat_us.size()) / r.seconds, pct(0.50), pct(0.99),
      r.lat_us.empty() ? 0.0 : r.lat_us.back(), r.lost);
  for (auto& [rcode, n] : r.rcodes) std::printf(" rcode%d=%ld", rcode, n);
  std::printf("\n");
}

// --self: a server over an in-memory registry with `services` services.
struct SelfServer {
  minik::FakeClock clock;
  minik::ResourceRegistry resources;
  std::unique_ptr<minik::Store> store;
  std::unique_ptr<minik::Client> client;
  std::unique_ptr<minik::SharedInformerFactory> informers;
  std::unique_ptr<minik::DnsServer> server;

  bool Start(int services) {
    using minik::Json;
    minik::RegisterBuiltinResources(resources);
    store = minik::NewMemStore();
    client = minik::NewRegistry(*store, resources, minik::BuiltinSchemas(), clock);
    const minik::ResourceRef ns_ref{"", "v1", "namespaces"}, svc_ref{"", "v1", "services"};
    if (!client->Create(ns_ref, "", Json{{"metadata", {{"name", "default"}}}}).ok()) return false;
    for (int i = 0; i <= services; ++i) {
      const std::string name = i == services ? "web" : "svc-" + std::to_string(i);
      const std::string ip =
          "10.96." + std::to_string(1 + i / 250) + "." + std::to_string(1 + i % 250);
      auto r = client->Create(
          svc_ref, "default",
          Json{{"metadata", {{"name", name}}},
               {"spec", {{"clusterIP", ip}, {"ports", {{{"name", "http"}, {"port", 80}}}}}}});
      if (!r.ok()) {
        std::fprintf(stderr, "create %s: %s\n", name.c_str(), r.status().message().c_str());
        return false;
      }
    }
    informers = std::make_unique<minik::SharedInformerFactory>(*client, clock);
    minik::DnsOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    server = minik::NewDnsServer(*informers, o);
    minik::Status st = server->Start();
    if (!st.ok()) {
      std::fprintf(stderr, "start: %s\n", st.message().c_str());
      return false;
    }
    return true;
  }
  ~SelfServer() {
    if (server) server->Stop();
    if (informers) informers->Stop();
  }
};

int ZoneBuild(int services) {
  using minik::Json;
  std::vector<Json> ns = {Json{{"metadata", {{"name", "default"}}}}};
  std::vector<Json> svcs, slices;
  for (int i = 0; i < services; ++i) {
    const std::string name = "svc-" + std::to_string(i);
    svcs.push_back(
        Json{{"metadata", {{"name", name}, {"namespace", "default"}}},
             {"spec",
              {{"clusterIP", "10.96." + std::to_string(i / 250) + "." + std::to_string(i % 250)},
               {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}}}}}}});
    Json eps = Json::array();
    for (int e = 0; e < 3; ++e)
      eps.push_back(
          {{"addresses",
            {"10.244." + std::to_string(i / 80) + "." + std::to_string((i % 80) * 3 + e)}},
           {"conditions", {{"ready", true}}}});
    slices.push_back(Json{{"metadata",
                           {{"name", name + "-x"},
                            {"namespace", "default"},
                            {"labels", {{"kubernetes.io/service-name", name}}}}},
                          {"addressType", "IPv4"},
                          {"endpoints", eps},
                          {"ports", {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}}});
  }
  auto raw = [](const std::vector<Json>& v) {
    std::vector<const Json*> out;
    for (const Json& j : v) out.push_back(&j);
    return out;
  };
  const int runs = 20;
  const auto start = Clock::now();
  size_t n = 0;
  for (int r = 0; r < runs; ++r)
    n += dns::ZoneSnapshot::Build(dns::ZoneOptions{}, raw(ns), raw(svcs), raw(slices), 1)
             ->service_count();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / runs;
  std::printf("zone build: services=%d slices=%d ms_per_build=%.2f (%zu)\n", services, services, ms,
              n / runs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--queries")
      a.queries = std::atol(value().c_str());
    else if (arg == "--concurrency")
      a.concurrency = std::atoi(value().c_str());
    else if (arg == "--services")
      a.services = std::atoi(value().c_str());
    else if (arg == "--self")
      a.self = true;
    else if (arg == "--zone-build")
      a.zone_build = true;
    else if (arg == "--type") {
      std::string t = value();
      if (t == "A")
        a.type = dns::kTypeA;
      else if (t == "AAAA")
        a.type = dns::kTypeAaaa;
      else if (t == "SRV")
        a.type = dns::kTypeSrv;
      else if (t == "PTR")
        a.type = dns::kTypePtr;
      else
        return Usage();
    } else if (arg.rfind("--", 0) == 0) {
      return Usage();
    } else {
      positional.push_back(arg);
    }
  }
  if (a.queries <= 0 || a.concurrency <= 0 || a.concurrency > 10000) return Usage();
  if (a.zone_build) return ZoneBuild(a.services);
  SelfServer self;
  if (a.self) {
    if (positional.size() > 1) return Usage();
    a.name = positional.empty() ? "web.default.svc.cluster.local" : positional[0];
    if (!self.Start(a.services)) return 1;
    a.port = self.server->port();
  } else {
    if (positional.size() != 3) return Usage();
    a.server = positional[0];
    a.port = std::atoi(positional[1].c_str());
    a.name = positional[2];
  }
  Result r;
  if (!Run(a, &r)) return 1;
  Print(a, r);
  return 0;
}
