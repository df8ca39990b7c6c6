// A well-behaved client beside a hostile one, against a running minik (bench/hostile.sh starts
// a private cluster and passes credentials):
//   bench_hostile_bench HOST PORT CA.pem GOOD_CERT GOOD_KEY BAD_CERT BAD_KEY [SECONDS]
// Phase 1 measures the good client alone (4 keep-alive connections, GET of one ConfigMap and
// LIST of a namespace of 50), phase 2 the same while the bad client (its own user) floods:
// 200 stalled connections (100 TLS sessions with half a request head, 100 TCP connections
// with 3 bytes of a TLS record), 64 connections sending LISTs of 1,000 ConfigMaps and creates
// back to back, and 2 sending 4 MiB bodies. Prints requests/s and p50/p99 of the good client in
// both phases, and what the bad client got (status counts).
// Self-contained (plain OpenSSL + sockets) like bench_api_bench.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_client.h"

namespace {

using bench::Clock;
using bench::Conn;
using bench::Ms;
using bench::Percentile;
using bench::Target;

// A connection that reports failures instead of exiting (the server closes hostile ones).
class RawConn {
 public:
  RawConn(const Target& t, bool tls) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(t.port));
    inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    if (!tls) {
      ok_ = true;
      return;
    }
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_use_certificate_file(ctx_, t.cert.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, t.key.c_str(), SSL_FILETYPE_PEM);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    ok_ = SSL_connect(ssl_) == 1;
  }
  ~RawConn() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return ok_; }

  bool Send(const std::string& data) {
    if (!ok_) return false;
    if (!ssl_) return send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == ssize_t(data.size());
    size_t off = 0;
    while (off < data.size()) {
      int n = SSL_write(ssl_, data.data() + off, int(std::min<size_t>(data.size() - off, 1 << 20)));
      if (n <= 0) return ok_ = false;
      off += size_t(n);
    }
    return true;
  }

  // One response; its status, or 0 when the connection failed.
  int Response() {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    int status = std::atoi(head.c_str() + 9);
    size_t len = 0;
    for (const char* h : {"Content-Length: ", "content-length: "}) {
      auto cl = head.find(h);
      if (cl != std::string::npos) len = std::strtoul(head.c_str() + cl + 16, nullptr, 10);
    }
    while (buf_.size() < len) {
      if (!Fill()) return 0;
    }
    buf_.erase(0, len);
    if (head.find("Connection: close") != std::string::npos) ok_ = false;
    return status;
  }

 private:
  bool Fill() {
    char tmp[65536];
    int n = SSL_read(ssl_, tmp, sizeof tmp);
    if (n <= 0) return ok_ = false;
    buf_.append(tmp, size_t(n));
    return true;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool ok_ = false;
  std::string buf_;
};

std::string Req(const std::string& method, const std::string& path, const std::string& body) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n";
  if (!body.empty()) r += "Content-Type: application/json\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Phase {
  double seconds = 0;
  std::vector<double> latencies;
  int errors = 0;
};

// The good client: 4 connections alternating a GET and a small LIST for `seconds`.
Phase MeasureGood(const Target& t, double seconds) {
  Phase phase;
  std::mutex mu;
  std::vector<std::thread> threads;
  auto start = Clock::now();
  auto until = start + std::chrono::duration<double>(seconds);
  for (int c = 0; c < 4; ++c) {
    threads.emplace_back([&, c] {
      Conn conn(t);
      std::vector<double> mine;
      int errors = 0;
      for (int i = 0; Clock::now() < until; ++i) {
        auto t0 = Clock::now();
        int code = (i + c) % 2 ? conn.Request("GET", "/api/v1/namespaces/good/configmaps/cm-0", "")
                               : conn.Request("GET", "/api/v1/namespaces/good/configmaps", "");
        if (code != 200) ++errors;
        mine.push_back(Ms(Clock::now() - t0));
      }
      std::lock_guard lock(mu);
      phase.latencies.insert(phase.latencies.end(), mine.begin(), mine.end());
      phase.errors += errors;
    });
  }
  for (auto& th : threads) th.join();
  phase.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return phase;
}

void Print(const char* name, const Phase& p) {
  printf("%-26s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  errors %d\n", name,
         double(p.latencies.size()) / p.seconds, Percentile(p.latencies, 0.5),
         Percentile(p.latencies, 0.99), Percentile(p.latencies, 1.0), p.errors);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: %s HOST PORT CA GOOD_CERT GOOD_KEY BAD_CERT BAD_KEY [SECONDS]\n",
            argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  Target good{argv[1], atoi(argv[2]), argv[3], argv[4], argv[5]};
  Target bad{argv[1], atoi(argv[2]), argv[3], argv[6], argv[7]};
  double seconds = argc > 8 ? atof(argv[8]) : 15;
  // HOSTILE=slow,list,create,huge (default all): which attacks run, to see what costs what.
  const std::string modes = getenv("HOSTILE") ? getenv("HOSTILE") : "slow,list,create,huge";
  auto on = [&](const char* m) { return modes.find(m) != std::string::npos; };

  {  // Fixtures: 50 ConfigMaps for the good client, 1,000 for the flood to list.
    Conn conn(good);
    conn.Request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"good"}})");
    conn.Request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"bad"}})");
    for (int i = 0; i < 50; ++i) {
      conn.Request("POST", "/api/v1/namespaces/good/configmaps",
                   R"({"metadata":{"name":"cm-)" + std::to_string(i) + R"("},"data":{"k":"v"}})");
    }
    for (int i = 0; i < 1000; ++i) {
      conn.Request("POST", "/api/v1/namespaces/bad/configmaps",
                   R"({"metadata":{"name":"big-)" + std::to_string(i) + R"("},"data":{"k":")" +
                       std::string(1000, 'x') + R"("}})");
    }
  }

  Print("good client alone", MeasureGood(good, seconds));

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<int, long> codes;  // the bad client's answers (0: connection failed)
  auto count = [&](int code) {
    std::lock_guard lock(mu);
    ++codes[code];
  };
  std::vector<std::unique_ptr<RawConn>> stalled;
  int stalled_ok = 0;
  for (int i = 0; on("slow") && i < 200; ++i) {
    auto c = std::make_unique<RawConn>(bad, i % 2 == 0);
    bool sent = i % 2 == 0 ? c->Send("GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                           : c->Send(std::string("\x16\x03\x01", 3));
    stalled_ok += sent;
    stalled.push_back(std::move(c));
  }
  std::vector<std::thread> flood;
  for (int c = 0; c < 64; ++c) {
    if (c % 4 == 0 ? !on("create") : !on("list")) continue;
    flood.emplace_back([&, c] {
      std::unique_ptr<RawConn> conn;
      for (int i = 0; !stop; ++i) {
        if (!conn || !conn->ok()) conn = std::make_unique<RawConn>(bad, true);
        std::string r = c % 4 == 0
                            ? Req("POST", "/api/v1/namespaces/bad/configmaps",
                                  R"({"metadata":{"generateName":"f-"},"data":{"k":"v"}})")
                            : Req("GET", "/api/v1/namespaces/bad/configmaps", "");
        count(conn->Send(r) ? conn->Response() : 0);
      }
    });
  }
  const std::string huge = R"({"metadata":{"name":"huge"},"data":{"k":")" +
                           std::string(4 << 20, 'a') + R"("}})";
  for (int c = 0; on("huge") && c < 2; ++c) {
    flood.emplace_back([&] {
      while (!stop) {
        RawConn conn(bad, true);
        count(conn.Send(Req("POST", "/api/v1/namespaces/bad/configmaps", huge))
                  ? conn.Response()
                  : 0);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let the flood build up
  Phase attacked = MeasureGood(good, seconds);
  stop = true;
  for (auto& th : flood) th.join();
  Print("good client under attack", attacked);
  printf("stalled connections held: %d of 200\n", stalled_ok);
  long total = 0;
  for (auto& [code, n] : codes) total += n;
  printf("hostile requests answered: %ld in %.0f s (", total, attacked.seconds + 2);
  for (auto& [code, n] : codes) printf(" %d:%ld", code, n);
  printf(" )\n");
  return 0;
}
