// bench_ingress_bench: an HTTP/1.1 keep-alive load generator, to compare "through the
// Ingress" with "straight to the pod" (bench/network.sh).
//
//   bench_ingress_bench HOST PORT [PATH [HOST_HEADER]] [-c CONNECTIONS] [-n REQUESTS]
//                       [-d SECONDS]
//     C connections (default 8), each sending GET PATH with Host: HOST_HEADER back to back,
//     until N requests in all (or for -d seconds, default 5 when -n is not given). Servers
//     that close the connection (HTTP/1.0 style) are reconnected to. Prints req/s, latency
//     p50/p99, body MB/s and the count of errors and non-2xx answers.
//
// Two helpers make a local comparison possible without a cluster:
//   bench_ingress_bench --serve PORT [--size BYTES] [--close]
//     a keep-alive backend: paths containing "big" get 1 MiB (or BYTES), others "hello\n";
//     --close answers "Connection: close" and closes, as busybox httpd does.
//   bench_ingress_bench --proxy PORT BACKEND_PORT [--threads T]
//     minik's Ingress proxy on 127.0.0.1:PORT routing every request to 127.0.0.1:BACKEND_PORT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "netproxy/ingress_proxy.h"
#include "netproxy/ingress_routes.h"

namespace {

using Clock = std::chrono::steady_clock;

int Connect(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// A buffered reader over one connection.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd), buf_(256 * 1024) {}
  // Fills more data; false on EOF or error.
  bool Fill() {
    if (start_ > 0 && start_ == end_) start_ = end_ = 0;
    if (end_ == buf_.size()) {
      if (start_ == 0) buf_.resize(buf_.size() * 2);
      memmove(buf_.data(), buf_.data() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    }
    ssize_t n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
    if (n <= 0) return false;
    end_ += static_cast<size_t>(n);
    return true;
  }
  // A line without CRLF; false on EOF.
  bool Line(std::string* out) {
    for (;;) {
      char* b = buf_.data() + start_;
      void* nl = memchr(b, '\n', end_ - start_);
      if (nl != nullptr) {
        size_t len = static_cast<char*>(nl) - b;
        out->assign(b, len > 0 && b[len - 1] == '\r' ? len - 1 : len);
        start_ += len + 1;
        return true;
      }
      if (!Fill()) return false;
    }
  }
  // Skips n body bytes; false on EOF first.
  bool Skip(uint64_t n) {
    while (n > 0) {
      if (start_ == end_ && !Fill()) return false;
      size_t take = static_cast<size_t>(std::min<uint64_t>(n, end_ - start_));
      start_ += take;
      n -= take;
    }
    return true;
  }
  uint64_t SkipToEof() {
    uint64_t total = end_ - start_;
    start_ = end_;
    while (Fill()) {
      total += end_ - start_;
      start_ = end_;
    }
    return total;
  }

 private:
  int fd_;
  std::vector<char> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
};

struct Result {
  bool ok = false;       // a complete answer was read
  bool close = false;    // the connection cannot be reused
  int status = 0;
  uint64_t body = 0;
};

Result ReadResponse(Reader& r) {
  Result res;
  std::string line;
  if (!r.Line(&line) || line.size() < 12 || line.compare(0, 5, "HTTP/") != 0) return res;
  res.status = atoi(line.c_str() + 9);
  bool http10 = line.compare(0, 8, "HTTP/1.0") == 0;
  res.close = http10;
  int64_t length = -1;
  bool chunked = false;
  for (;;) {
    if (!r.Line(&line)) return res;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::transform(value.begin(), value.end(), value.begin(), ::tolower);
    if (name == "content-length") length = strtoll(value.c_str(), nullptr, 10);
    if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
    if (name == "connection" && value.find("close") != std::string::npos) res.close = true;
    if (name == "connection" && value.find("keep-alive") != std::string::npos) res.close = false;
  }
  if (chunked) {
    for (;;) {
      if (!r.Line(&line)) return res;
      uint64_t n = strtoull(line.c_str(), nullptr, 16);
      if (n == 0) {
        while (r.Line(&line) && !line.empty()) {
        }
        break;
      }
      if (!r.Skip(n) || !r.Line(&line)) return res;
      res.body += n;
    }
  } else if (length >= 0) {
    if (!r.Skip(static_cast<uint64_t>(length))) return res;
    res.body = static_cast<uint64_t>(length);
  } else if (res.status != 204 && res.status != 304) {
    res.body = r.SkipToEof();
    res.close = true;
  }
  res.ok = true;
  return res;
}

struct Totals {
  std::mutex mu;
  std::vector<double> latencies_us;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  uint64_t non2xx = 0;
  uint64_t reconnects = 0;
};

int RunLoad(const std::string& host, int port, const std::string& path, const std::string& host_header,
            int connections, int64_t requests, double seconds) {
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host_header +
                              "\r\nUser-Agent: minik-ingress-bench\r\nAccept: */*\r\n\r\n";
  std::atomic<int64_t> remaining(requests > 0 ? requests : INT64_MAX);
  const auto start = Clock::now();
  const auto stop_at = requests > 0 ? Clock::time_point::max()
                                    : start + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
  Totals totals;
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      std::vector<double> lat;
      uint64_t bytes = 0, errors = 0, non2xx = 0, reconnects = 0;
      int fd = -1;
      std::unique_ptr<Reader> reader;
      while (remaining.fetch_sub(1) > 0 && Clock::now() < stop_at) {
        auto t0 = Clock::now();
        if (fd < 0) {
          fd = Connect(host, port);
          if (fd < 0) {
            errors++;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
          }
          reader = std::make_unique<Reader>(fd);
          reconnects++;
        }
        Result res;
        if (WriteAll(fd, request.data(), request.size())) res = ReadResponse(*reader);
        if (!res.ok) {
          errors++;
          ::close(fd);
          fd = -1;
          continue;
        }
        lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        bytes += res.body;
        if (res.status < 200 || res.status > 299) non2xx++;
        if (res.close) {
          ::close(fd);
          fd = -1;
        }
      }
      if (fd >= 0) ::close(fd);
      std::lock_guard<std::mutex> lock(totals.mu);
      totals.latencies_us.insert(totals.latencies_us.end(), lat.begin(), lat.end());
      totals.bytes += bytes;
      totals.errors += errors;
      totals.non2xx += non2xx;
      totals.reconnects += reconnects;
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  auto& l = totals.latencies_us;
  std::sort(l.begin(), l.end());
  auto pct = [&](double p) { return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<size_t>(p * l.size()))]; };
  printf("requests %zu in %.2f s, %d connections (%llu connects), errors %llu, non-2xx %llu\n",
         l.size(), elapsed, connections, static_cast<unsigned long long>(totals.reconnects),
         static_cast<unsigned long long>(totals.errors), static_cast<unsigned long long>(totals.non2xx));
  printf("req/s %.0f  p50 %.0f us  p99 %.0f us  MB/s %.1f\n", l.size() / elapsed, pct(0.50),
         pct(0.99), totals.bytes / elapsed / 1e6);
  return l.empty() ? 1 : 0;
}

// ---- --serve: a keep-alive backend -------------------------------------------------------

int Serve(int port, size_t big_size, bool close_each) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 1024) != 0) {
    perror("listen");
    return 1;
  }
  auto response = [close_each](size_t size, char fill) {
    std::string r = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                    std::to_string(size) + (close_each ? "\r\nConnection: close" : "") + "\r\n\r\n";
    return r + (size == 6 ? std::string("hello\n") : std::string(size, fill));
  };
  static const std::string small = response(6, 'h');
  static const std::string big = response(big_size, 'x');
  fprintf(stderr, "serving on 127.0.0.1:%d\n", port);
  for (;;) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) continue;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread([fd, close_each] {
      std::string buf;
      char tmp[16384];
      for (;;) {
        size_t end;
        while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
          ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
          if (n <= 0) {
            ::close(fd);
            return;
          }
          buf.append(tmp, static_cast<size_t>(n));
        }
        bool want_big = buf.substr(0, buf.find('\n')).find("big") != std::string::npos;
        buf.erase(0, end + 4);
        const std::string& r = want_big ? big : small;
        if (!WriteAll(fd, r.data(), r.size()) || close_each) {
          ::close(fd);
          return;
        }
      }
    }).detach();
  }
}

// ---- --proxy: minik's Ingress proxy with one catch-all route ----------------------------

int Proxy(int port, int backend_port, int threads) {
  using minik::Json;
  auto obj = [](Json j) { return std::make_shared<const Json>(std::move(j)); };
  minik::netproxy::IngressObjects o;
  o.ingresses.push_back(obj(
      {{"metadata", {{"name", "bench"}, {"namespace", "default"}}},
       {"spec",
        {{"rules",
          {{{"http",
             {{"paths",
               {{{"path", "/"},
                 {"pathType", "Prefix"},
                 {"backend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}}}}}}}}}}}}}));
  o.services.push_back(obj({{"metadata", {{"name", "web"}, {"namespace", "default"}}},
                            {"spec", {{"ports", {{{"port", 80}}}}}}}));
  o.slices.push_back(obj({{"metadata",
                           {{"name", "web-1"},
                            {"namespace", "default"},
                            {"labels", {{"kubernetes.io/service-name", "web"}}}}},
                          {"addressType", "IPv4"},
                          {"ports", {{{"port", backend_port}}}},
                          {"endpoints", {{{"addresses", {"127.0.0.1"}}}}}}));
  minik::netproxy::IngressProxyOptions po;
  po.http_port = port;
  po.https_port = 0;
  po.io_threads = threads;
  auto proxy = minik::netproxy::NewIngressProxy(po);
  proxy->SetRoutes(minik::netproxy::BuildIngressRoutes(o, "minik", "minik.io/ingress", nullptr));
  minik::Status st = proxy->Start();
  if (!st.ok()) {
    fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  fprintf(stderr, "proxying 127.0.0.1:%d -> 127.0.0.1:%d\n", proxy->http_port(), backend_port);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig;
  sigwait(&set, &sig);
  proxy->Stop();
  return 0;
}

int Usage() {
  fprintf(stderr,
          "usage: bench_ingress_bench HOST PORT [PATH [HOST_HEADER]] [-c CONNS] [-n REQUESTS] [-d SECONDS]\n"
          "       bench_ingress_bench --serve PORT [--size BYTES] [--close]\n"
          "       bench_ingress_bench --proxy PORT BACKEND_PORT [--threads T]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  int connections = 8;
  int64_t requests = 0;
  double seconds = 5;
  size_t size = 1 << 20;
  int threads = 2;
  bool close_each = false;
  std::string mode;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "-c" && (v = next())) connections = atoi(v);
    else if (a == "-n" && (v = next())) requests = atoll(v);
    else if (a == "-d" && (v = next())) seconds = atof(v);
    else if (a == "--size" && (v = next())) size = static_cast<size_t>(atoll(v));
    else if (a == "--threads" && (v = next())) threads = atoi(v);
    else if (a == "--serve" || a == "--proxy") mode = a;
    else if (a == "--close") close_each = true;
    else if (!a.empty() && a[0] == '-') return Usage();
    else pos.push_back(a);
  }
  if (mode == "--serve") return pos.size() == 1 ? Serve(atoi(pos[0].c_str()), size, close_each) : Usage();
  if (mode == "--proxy")
    return pos.size() == 2 ? Proxy(atoi(pos[0].c_str()), atoi(pos[1].c_str()), threads) : Usage();
  if (pos.size() < 2 || pos.size() > 4 || connections <= 0) return Usage();
  std::string path = pos.size() > 2 ? pos[2] : "/";
  std::string host_header = pos.size() > 3 ? pos[3] : pos[0] + ":" + pos[1];
  return RunLoad(pos[0], atoi(pos[1].c_str()), path, host_header, connections, requests, seconds);
}
