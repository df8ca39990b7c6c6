#include "netproxy/dns_forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "api/log.h"
#include "netproxy/dns_message.h"

namespace minik::netproxy::dns {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The offset just past the (single) question, 0 when there is none to be found.
size_t QuestionEnd(std::string_view q) {
  std::optional<Header> h = ReadHeader(q);
  if (!h || h->qdcount != 1) return 0;
  size_t p = kHeaderSize;
  while (p < q.size()) {
    const auto len = static_cast<uint8_t>(q[p]);
    if (len == 0) {
      p += 1;
      break;
    }
    if ((len & 0xc0) != 0) return 0;  // a question is never compressed
    p += 1 + len;
  }
  if (p + 4 > q.size()) return 0;
  return p + 4;
}

bool SameQuestion(std::string_view query, std::string_view reply, size_t end) {
  if (reply.size() < end) return false;
  for (size_t i = 4; i < end; ++i) {
    if (i >= 6 && i < kHeaderSize) continue;  // the answer counts differ
    char a = query[i], b = reply[i];
    if (i >= kHeaderSize) {
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
    }
    if (a != b) return false;
  }
  return true;
}

void SetId(std::string* msg, uint16_t id) {
  (*msg)[0] = static_cast<char>(id >> 8);
  (*msg)[1] = static_cast<char>(id & 0xff);
}

}  // namespace

struct Forwarder::Pending {
  enum class State { kIdle, kUdp, kTcpConnect, kTcpWrite, kTcpRead, kDone };
  std::string query;
  uint16_t client_id = 0;
  uint16_t id = 0;  // this attempt's
  size_t question_end = 0;
  bool tcp_on_truncation = false;
  Done done;
  size_t next_upstream = 0;
  SteadyClock::time_point deadline, attempt_deadline;
  int fd = -1;
  State state = State::kIdle;
  std::string out;  // TCP: framed query
  size_t out_off = 0;
  std::string in;  // TCP: framed reply

  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

StatusOr<Upstream> ParseUpstream(const std::string& text) {
  std::string host = text;
  int port = 53;
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos) return BadRequest("bad upstream \"" + text + "\"");
    std::string rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return BadRequest("bad upstream \"" + text + "\"");
      rest.erase(0, 1);
      if (rest.empty() || rest.size() > 5 ||
          rest.find_first_not_of("0123456789") != std::string::npos)
        return BadRequest("bad upstream port in \"" + text + "\"");
      port = std::stoi(rest);
    }
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    std::string rest = host.substr(host.find(':') + 1);
    host = host.substr(0, host.find(':'));
    if (rest.empty() || rest.size() > 5 ||
        rest.find_first_not_of("0123456789") != std::string::npos)
      return BadRequest("bad upstream port in \"" + text + "\"");
    port = std::stoi(rest);
  }
  if (port <= 0 || port > 65535) return BadRequest("bad upstream port in \"" + text + "\"");
  Upstream u;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&u.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&u.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    u.addr_len = sizeof(sockaddr_in);
    u.text = host + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    u.addr_len = sizeof(sockaddr_in6);
    u.text = "[" + host + "]:" + std::to_string(port);
  } else {
    return BadRequest("bad upstream \"" + text + "\": not an IP address");
  }
  return u;
}

Forwarder::Forwarder(std::vector<Upstream> upstreams, std::chrono::milliseconds timeout,
                     size_t max_inflight)
    : upstreams_(std::move(upstreams)), timeout_(timeout), max_inflight_(max_inflight) {}

Forwarder::~Forwarder() { Stop(); }

Status Forwarder::Start() {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Internal(std::string("dns forwarder: eventfd: ") + strerror(errno));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Forwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

void Forwarder::Forward(std::string query, bool tcp_on_truncation, Done done) {
  auto p = std::make_unique<Pending>();
  p->query = std::move(query);
  p->tcp_on_truncation = tcp_on_truncation;
  p->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && thread_.joinable()) {
      queue_.push_back(std::move(p));
    }
  }
  if (p) {  // stopped or never started
    p->done(std::nullopt);
    return;
  }
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

void Forwarder::Run() {
  std::mt19937 rng(std::random_device{}());
  std::vector<std::unique_ptr<Pending>> pending;
  std::vector<std::unique_ptr<Pending>> incoming;
  std::vector<pollfd> fds;

  auto finish = [](Pending& p, std::optional<std::string> reply) {
    p.Close();
    p.state = Pending::State::kDone;
    if (reply) SetId(&*reply, p.client_id);
    p.done(std::move(reply));
  };
  auto open_socket = [](const Upstream& u, int type) {
    int fd = socket(u.addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&u.addr), u.addr_len) != 0 &&
        errno != EINPROGRESS) {
      close(fd);
      return -1;
    }
    return fd;
  };
  // Failures are logged at most every 10 s: a dead upstream must not flood the log.
  SteadyClock::time_point last_warning{};
  int unlogged_failures = 0;
  auto warn_failed = [&] {
    ++unlogged_failures;
    const auto now = SteadyClock::now();
    if (upstreams_.empty() || now - last_warning < std::chrono::seconds(10)) return;
    std::string list;
    for (const Upstream& u : upstreams_) list += (list.empty() ? "" : ",") + u.text;
    LOG(Warning, "dns") << "no upstream answered queries=" << unlogged_failures
                        << " upstreams=" << list;
    last_warning = now;
    unlogged_failures = 0;
  };
  // Starts the next upstream's UDP attempt, or finishes the query when none is left.
  auto next_attempt = [&](Pending& p) {
    p.Close();
    while (p.next_upstream < upstreams_.size()) {
      const size_t i = p.next_upstream++;
      const auto now = SteadyClock::now();
      if (now >= p.deadline) break;
      p.attempt_deadline = now + (p.deadline - now) / static_cast<int>(upstreams_.size() - i);
      p.fd = open_socket(upstreams_[i], SOCK_DGRAM);
      if (p.fd < 0) continue;
      p.id = static_cast<uint16_t>(rng());
      SetId(&p.query, p.id);
      if (send(p.fd, p.query.data(), p.query.size(), 0) < 0) {
        p.Close();
        continue;
      }
      p.state = Pending::State::kUdp;
      return;
    }
    warn_failed();
    finish(p, std::nullopt);
  };
  auto accept_reply = [&](Pending& p, std::string reply) {
    std::optional<Header> h = ReadHeader(reply);
    if (!h || h->id != p.id || !h->qr() || !SameQuestion(p.query, reply, p.question_end))
      return false;  // not ours: keep waiting (a spoofing attempt or a late reply)
    if ((h->flags & 0x0200) && p.tcp_on_truncation && p.state == Pending::State::kUdp) {
      p.Close();
      p.fd = open_socket(upstreams_[p.next_upstream - 1], SOCK_STREAM);
      if (p.fd < 0) {
        next_attempt(p);
        return true;
      }
      p.out.clear();
      p.out.push_back(static_cast<char>(p.query.size() >> 8));
      p.out.push_back(static_cast<char>(p.query.size() & 0xff));
      p.out.append(p.query);
      p.out_off = 0;
      p.in.clear();
      p.state = Pending::State::kTcpConnect;
      return true;
    }
    finish(p, std::move(reply));
    return true;
  };

  char buf[65536];
  while (true) {
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
      incoming.swap(queue_);
    }
    if (stopping) {
      for (auto& p : incoming) finish(*p, std::nullopt);
      for (auto& p : pending)
        if (p->state != Pending::State::kDone) finish(*p, std::nullopt);
      return;
    }
    for (auto& p : incoming) {
      p->question_end = QuestionEnd(p->query);
      if (p->question_end == 0 || pending.size() >= max_inflight_) {
        finish(*p, std::nullopt);
        continue;
      }
      p->client_id = ReadHeader(p->query)->id;
      p->deadline = SteadyClock::now() + timeout_;
      next_attempt(*p);
      if (p->state != Pending::State::kDone) pending.push_back(std::move(p));
    }
    incoming.clear();

    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    auto wait_until = SteadyClock::now() + std::chrono::seconds(1);
    for (auto& p : pending) {
      short events =
          p->state == Pending::State::kTcpConnect || p->state == Pending::State::kTcpWrite ? POLLOUT
                                                                                           : POLLIN;
      fds.push_back({p->fd, events, 0});
      wait_until = std::min(wait_until, p->attempt_deadline);
    }
    auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(wait_until - SteadyClock::now());
    int n = poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count() + 1)));
    if (n < 0 && errno != EINTR) {
      LOG(Error, "dns") << "forwarder poll: " << strerror(errno);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (n > 0 && (fds[0].revents & POLLIN)) {
      uint64_t v;
      (void)!read(wake_fd_, &v, sizeof(v));
    }
    for (size_t i = 0; n > 0 && i < pending.size(); ++i) {
      Pending& p = *pending[i];
      const short rev = fds[i + 1].revents;
      if (rev == 0 || p.state == Pending::State::kDone) continue;
      switch (p.state) {
        case Pending::State::kUdp: {
          // Drain every datagram: stray ones must not hide the real reply.
          while (p.state == Pending::State::kUdp) {
            ssize_t got = recv(p.fd, buf, sizeof(buf), 0);
            if (got < 0) {
              if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) next_attempt(p);
              break;
            }
            accept_reply(p, std::string(buf, static_cast<size_t>(got)));
          }
          break;
        }
        case Pending::State::kTcpConnect: {
          int err = 0;
          socklen_t len = sizeof(err);
          getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            next_attempt(p);
            break;
          }
          p.state = Pending::State::kTcpWrite;
          [[fallthrough]];
        }
        case Pending::State::kTcpWrite: {
          ssize_t w = send(p.fd, p.out.data() + p.out_off, p.out.size() - p.out_off, MSG_NOSIGNAL);
          if (w < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) next_attempt(p);
            break;
          }
          p.out_off += static_cast<size_t>(w);
          if (p.out_off == p.out.size()) p.state = Pending::State::kTcpRead;
          break;
        }
        case Pending::State::kTcpRead: {
          ssize_t got = recv(p.fd, buf, sizeof(buf), 0);
          if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            next_attempt(p);
            break;
          }
          if (got < 0) break;
          p.in.append(buf, static_cast<size_t>(got));
          if (p.in.size() < 2) break;
          const size_t len = static_cast<uint8_t>(p.in[0]) << 8 | static_cast<uint8_t>(p.in[1]);
          if (p.in.size() < 2 + len) break;
          if (!accept_reply(p, p.in.substr(2, len))) next_attempt(p);
          break;
        }
        default:
          break;
      }
    }
    const auto now = SteadyClock::now();
    for (auto& p : pending)
      if (p->state != Pending::State::kDone && now >= p->attempt_deadline) next_attempt(*p);
    std::erase_if(pending, [](const auto& p) { return p->state == Pending::State::kDone; });
  }
}

}  // namespace minik::netproxy::dns
