// The cluster DNS server (dns.h): sockets, threads and the zone's upkeep.
//
// Threads:
//  - rebuild: waits for informer events (flagged in a ChangeSignal the handlers share, since
//    informers cannot drop handlers and outlive the server), coalesces them (quiet for 5 ms,
//    or 50 ms after the first), rebuilds the ZoneSnapshot and publishes it under zone_mu_,
//    bumping zone_gen_. Readers copy the pointer only when the generation changed.
//  - udp (kUdpThreads): share one socket, take datagrams in batches (recvmmsg) and answer
//    them in batches (sendmmsg). Forwarded queries complete on the forwarder's thread, which
//    sends the reply itself (sendto on a UDP socket is thread-safe).
//  - tcp: one poll loop owns the listening socket and every connection. Forwarded queries
//    complete into tcp_done_ (under tcp_mu_) and wake the loop through tcp_wake_fd_.
//  - the Forwarder's own thread (dns_forwarder.h).
// Upstream answers go into cache_ (thread-safe), which answers repeated forwards and chases
// without the upstream.
// Stop: stop_fd_ (an eventfd never read, so every poll sees it) ends the loops; the threads
// are joined, then the forwarder stops (its pending queries get SERVFAIL), then the sockets
// close.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/log.h"
#include "netproxy/dns.h"
#include "netproxy/dns_cache.h"
#include "netproxy/dns_forwarder.h"
#include "netproxy/dns_responder.h"
#include "netproxy/dns_zone.h"

namespace minik {
namespace {

using namespace netproxy::dns;
using SteadyClock = std::chrono::steady_clock;

const ResourceRef kServicesRef{"", "v1", "services"};
const ResourceRef kNamespacesRef{"", "v1", "namespaces"};
const ResourceRef kSlicesRef{"discovery.k8s.io", "v1", "endpointslices"};

constexpr int kUdpThreads = 2;
constexpr int kUdpBatch = 32;
constexpr size_t kUdpBuffer = 4096;
constexpr size_t kMaxTcpConns = 256;
constexpr auto kTcpIdle = std::chrono::seconds(10);
constexpr size_t kTcpMaxOut = 256 * 1024;  // stop reading a client that does not read
constexpr auto kForwardTimeout = std::chrono::milliseconds(2000);
constexpr auto kQuiet = std::chrono::milliseconds(5);
constexpr auto kMaxDelay = std::chrono::milliseconds(50);

struct ChangeSignal {
  std::mutex mu;
  std::condition_variable cv;
  bool dirty = false;
  bool stop = false;
  void Mark() {
    {
      std::lock_guard<std::mutex> lock(mu);
      dirty = true;
    }
    cv.notify_one();
  }
};

struct Addr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

StatusOr<Addr> ListenAddr(const std::string& address, int port) {
  Addr a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof(sockaddr_in6);
  } else {
    return BadRequest("dns: listen address \"" + address + "\" is not an IP address");
  }
  return a;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// The zone snapshot a thread answers from; re-read only when a new one was published.
struct ZoneCache {
  std::shared_ptr<const ZoneSnapshot> zone;
  uint64_t gen = ~uint64_t{0};
};

class DnsServerImpl : public DnsServer {
 public:
  DnsServerImpl(SharedInformerFactory& informers, DnsOptions options)
      : informers_(informers),
        options_(std::move(options)),
        signal_(std::make_shared<ChangeSignal>()) {}
  ~DnsServerImpl() override { Stop(); }

  Status Start() override;
  void Stop() override;
  int port() const override { return port_.load(); }

 private:
  struct Conn {
    int fd = -1;
    uint64_t id = 0;
    std::string in, out;
    size_t out_off = 0;
    SteadyClock::time_point last;
    int pending = 0;  // forwarded queries not answered yet
    bool read_closed = false;
    bool broken = false;
  };

  Status Bind(int port);
  void Rebuild();
  void RebuildLoop();
  const ZoneSnapshot* Current(ZoneCache& cache);
  void UdpLoop();
  void TcpLoop();
  void TcpRead(Conn& c, ZoneCache& cache);
  void TcpWrite(Conn& c);
  void Framed(Conn& c, const std::string& reply);
  void SendUdp(const Addr& to, const std::string& reply);
  // Answers a kForward or kChase query from the cache; false on a miss.
  bool FromCache(std::string_view wire, Query& q, std::string* reply);
  // Sends a kForward or kChase query upstream; `deliver` gets the reply to send.
  void Forward(std::string_view wire, Query& q, bool tcp, std::function<void(std::string)> deliver);

  SharedInformerFactory& informers_;
  const DnsOptions options_;
  ZoneOptions zone_options_;
  std::shared_ptr<ChangeSignal> signal_;
  std::unique_ptr<Forwarder> forwarder_;
  AnswerCache cache_;

  std::mutex zone_mu_;
  std::shared_ptr<const ZoneSnapshot> zone_;  // GUARDED_BY(zone_mu_)
  std::atomic<uint64_t> zone_gen_{0};

  std::atomic<int> port_{0};
  int udp_fd_ = -1, tcp_fd_ = -1, stop_fd_ = -1, tcp_wake_fd_ = -1;
  bool started_ = false;
  bool stopped_ = false;

  std::mutex tcp_mu_;
  std::vector<std::pair<uint64_t, std::string>> tcp_done_;  // GUARDED_BY(tcp_mu_)

  std::thread rebuild_thread_, tcp_thread_;
  std::vector<std::thread> udp_threads_;
};

Status DnsServerImpl::Bind(int port) {
  StatusOr<Addr> addr = ListenAddr(options_.address, port);
  if (!addr.ok()) return addr.status();
  const std::string where = options_.address + ":" + std::to_string(port);
  const int family = addr->ss.ss_family;
  udp_fd_ = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (udp_fd_ < 0) return Internal(std::string("dns: socket: ") + strerror(errno));
  if (bind(udp_fd_, reinterpret_cast<sockaddr*>(&addr->ss), addr->len) != 0) {
    Status st(Code::kServiceUnavailable,
              "dns: cannot listen on " + where + "/udp: " + strerror(errno));
    CloseFd(udp_fd_);
    return st;
  }
  int rcvbuf = 4 << 20;
  setsockopt(udp_fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  Addr bound;
  bound.len = sizeof(bound.ss);
  getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&bound.ss), &bound.len);
  const int actual =
      ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound.ss)->sin_port
                              : reinterpret_cast<sockaddr_in6*>(&bound.ss)->sin6_port);
  StatusOr<Addr> tcp_addr = ListenAddr(options_.address, actual);
  tcp_fd_ = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (tcp_fd_ < 0 ||
      bind(tcp_fd_, reinterpret_cast<sockaddr*>(&tcp_addr->ss), tcp_addr->len) != 0 ||
      listen(tcp_fd_, 128) != 0) {
    Status st(Code::kServiceUnavailable, "dns: cannot listen on " + options_.address + ":" +
                                             std::to_string(actual) + "/tcp: " + strerror(errno));
    CloseFd(udp_fd_);
    CloseFd(tcp_fd_);
    return st;
  }
  port_ = actual;
  return Status::Ok();
}

Status DnsServerImpl::Start() {
  if (started_) return Internal("dns: server already started");
  if (options_.port < 0 || options_.port > 65535)
    return BadRequest("dns: bad port " + std::to_string(options_.port));
  zone_options_.domain = options_.cluster_domain;
  zone_options_.ttl = static_cast<uint32_t>(std::max(0, options_.ttl_seconds));
  if (options_.cluster_domain.empty() || !ValidateName(options_.cluster_domain).ok())
    return BadRequest("dns: bad cluster domain \"" + options_.cluster_domain + "\"");
  std::vector<Upstream> upstreams;
  for (const std::string& u : options_.upstreams) {
    StatusOr<Upstream> parsed = ParseUpstream(u);
    if (!parsed.ok()) return parsed.status();
    upstreams.push_back(*parsed);
  }
  started_ = true;
  // Bound first, so a taken port fails at once; the kernel queues queries until we serve.
  Status bound = Bind(options_.port);
  // Port 0: the free UDP port may be taken over TCP; try a few others.
  for (int i = 0; !bound.ok() && options_.port == 0 && i < 10; ++i) bound = Bind(0);
  if (!bound.ok()) return bound;

  for (const ResourceRef* ref : {&kServicesRef, &kSlicesRef, &kNamespacesRef}) {
    Informer& inf = informers_.For(*ref);
    std::shared_ptr<ChangeSignal> signal = signal_;
    inf.AddEventHandler({[signal](const Json&) { signal->Mark(); },
                         [signal](const Json&, const Json&) { signal->Mark(); },
                         [signal](const Json&) { signal->Mark(); }});
    inf.Start();
  }
  for (const ResourceRef* ref : {&kServicesRef, &kSlicesRef, &kNamespacesRef}) {
    if (!informers_.For(*ref).WaitForSync(std::chrono::seconds(60)))
      return Status(Code::kServiceUnavailable,
                    "dns: the " + ref->resource + " informer did not sync within 60 s");
  }
  Rebuild();

  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  tcp_wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0 || tcp_wake_fd_ < 0) return Internal("dns: eventfd failed");
  forwarder_ = std::make_unique<Forwarder>(std::move(upstreams), kForwardTimeout);
  MINIK_RETURN_IF_ERROR(forwarder_->Start());

  rebuild_thread_ = std::thread([this] { RebuildLoop(); });
  for (int i = 0; i < kUdpThreads; ++i) udp_threads_.emplace_back([this] { UdpLoop(); });
  tcp_thread_ = std::thread([this] { TcpLoop(); });
  std::string ups;
  for (const std::string& u : options_.upstreams) ups += (ups.empty() ? "" : ",") + u;
  LOG(Info, "dns") << "serving address=" << options_.address << " port=" << port_.load()
                   << " domain=" << options_.cluster_domain << " upstreams=" << ups;
  return Status::Ok();
}

void DnsServerImpl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(signal_->mu);
    signal_->stop = true;
  }
  signal_->cv.notify_all();
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof(one));
  }
  if (rebuild_thread_.joinable()) rebuild_thread_.join();
  for (std::thread& t : udp_threads_) t.join();
  udp_threads_.clear();
  if (tcp_thread_.joinable()) tcp_thread_.join();
  if (forwarder_) forwarder_->Stop();
  CloseFd(udp_fd_);
  CloseFd(tcp_fd_);
  CloseFd(stop_fd_);
  CloseFd(tcp_wake_fd_);
}

void DnsServerImpl::Rebuild() {
  std::vector<ObjectPtr> ns = informers_.For(kNamespacesRef).List();
  std::vector<ObjectPtr> svcs = informers_.For(kServicesRef).List();
  std::vector<ObjectPtr> slices = informers_.For(kSlicesRef).List();
  auto raw = [](const std::vector<ObjectPtr>& objs) {
    std::vector<const Json*> out;
    out.reserve(objs.size());
    for (const ObjectPtr& o : objs) out.push_back(o.get());
    return out;
  };
  const auto serial = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  std::shared_ptr<const ZoneSnapshot> zone =
      ZoneSnapshot::Build(zone_options_, raw(ns), raw(svcs), raw(slices), serial);
  std::lock_guard<std::mutex> lock(zone_mu_);
  zone_ = std::move(zone);
  zone_gen_.fetch_add(1, std::memory_order_release);
}

void DnsServerImpl::RebuildLoop() {
  ChangeSignal& s = *signal_;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(s.mu);
      s.cv.wait(lock, [&] { return s.dirty || s.stop; });
      if (s.stop) return;
      // Coalesce a burst: rebuild once it has been quiet for kQuiet, or kMaxDelay after the
      // first event, whichever comes first.
      const auto first = SteadyClock::now();
      while (s.dirty && !s.stop && SteadyClock::now() - first < kMaxDelay) {
        s.dirty = false;
        s.cv.wait_for(lock, kQuiet, [&] { return s.dirty || s.stop; });
      }
      if (s.stop) return;
      s.dirty = false;
    }
    Rebuild();
  }
}

const ZoneSnapshot* DnsServerImpl::Current(ZoneCache& cache) {
  const uint64_t gen = zone_gen_.load(std::memory_order_acquire);
  if (gen != cache.gen) {
    std::lock_guard<std::mutex> lock(zone_mu_);
    cache.zone = zone_;
    cache.gen = zone_gen_.load(std::memory_order_relaxed);
  }
  return cache.zone.get();
}

void DnsServerImpl::SendUdp(const Addr& to, const std::string& reply) {
  if (reply.empty()) return;
  sendto(udp_fd_, reply.data(), reply.size(), MSG_DONTWAIT,
         reinterpret_cast<const sockaddr*>(&to.ss), to.len);
}

bool DnsServerImpl::FromCache(std::string_view wire, Query& q, std::string* reply) {
  const auto now = SteadyClock::now();
  if (q.action == Query::Action::kForward) {
    std::optional<std::string> hit = cache_.Lookup(wire, now);
    if (!hit) return false;
    *reply = FinishForward(wire, hit, q.limit);
    return true;
  }
  std::optional<std::string> hit = cache_.Lookup(MakeQuery(q.chase, q.qtype), now);
  if (!hit) return false;
  *reply = FinishChase(std::move(q.reply), hit, q.limit);
  return true;
}

void DnsServerImpl::Forward(std::string_view wire, Query& q, bool tcp,
                            std::function<void(std::string)> deliver) {
  const size_t limit = q.limit;
  if (q.action == Query::Action::kForward) {
    std::string query(wire);
    forwarder_->Forward(query, tcp, [this, query, limit, deliver](std::optional<std::string> r) {
      if (r) cache_.Insert(query, *r, SteadyClock::now());
      deliver(FinishForward(query, r, limit));
    });
    return;
  }
  auto reply = std::make_shared<Message>(std::move(q.reply));
  std::string query = MakeQuery(q.chase, q.qtype);
  forwarder_->Forward(query, tcp,
                      [this, query, reply, limit, deliver](std::optional<std::string> r) {
                        if (r) cache_.Insert(query, *r, SteadyClock::now());
                        deliver(FinishChase(std::move(*reply), r, limit));
                      });
}

void DnsServerImpl::UdpLoop() {
  ZoneCache cache;
  std::vector<std::array<char, kUdpBuffer>> bufs(kUdpBatch);
  std::vector<Addr> from(kUdpBatch);
  std::vector<iovec> in_iov(kUdpBatch), out_iov(kUdpBatch);
  std::vector<mmsghdr> in(kUdpBatch), out(kUdpBatch);
  std::vector<std::string> replies(kUdpBatch);
  Query q;
  while (true) {
    pollfd fds[2] = {{udp_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) {
      LOG(Error, "dns") << "udp poll: " << strerror(errno);
      return;
    }
    if (fds[1].revents) return;
    while (true) {
      for (int i = 0; i < kUdpBatch; ++i) {
        in_iov[i] = {bufs[i].data(), kUdpBuffer};
        in[i] = {};
        in[i].msg_hdr.msg_iov = &in_iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
        in[i].msg_hdr.msg_name = &from[i].ss;
        in[i].msg_hdr.msg_namelen = sizeof(from[i].ss);
      }
      const int n = recvmmsg(udp_fd_, in.data(), kUdpBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) break;
      const ZoneSnapshot* zone = Current(cache);
      int nout = 0;
      for (int i = 0; i < n; ++i) {
        from[i].len = in[i].msg_hdr.msg_namelen;
        std::string_view wire(bufs[i].data(), in[i].msg_len);
        HandleQuery(zone, wire, /*tcp=*/false, &q);
        if (q.action == Query::Action::kForward || q.action == Query::Action::kChase) {
          if (FromCache(wire, q, &q.wire)) {
            q.action = Query::Action::kReply;
          } else {
            const Addr to = from[i];
            Forward(wire, q, /*tcp=*/false, [this, to](std::string reply) { SendUdp(to, reply); });
            continue;
          }
        }
        if (q.action == Query::Action::kReply) {
          replies[nout].swap(q.wire);
          out_iov[nout] = {replies[nout].data(), replies[nout].size()};
          out[nout] = {};
          out[nout].msg_hdr.msg_iov = &out_iov[nout];
          out[nout].msg_hdr.msg_iovlen = 1;
          out[nout].msg_hdr.msg_name = &from[i].ss;
          out[nout].msg_hdr.msg_namelen = from[i].len;
          ++nout;
        }
      }
      for (int sent = 0; sent < nout;) {
        const int r = sendmmsg(udp_fd_, out.data() + sent, static_cast<unsigned>(nout - sent), 0);
        if (r <= 0) break;  // a full send buffer drops the rest, as a busy server does
        sent += r;
      }
      if (n < kUdpBatch) break;
    }
  }
}

void DnsServerImpl::Framed(Conn& c, const std::string& reply) {
  if (reply.empty() || reply.size() > 65535) return;
  c.out.push_back(static_cast<char>(reply.size() >> 8));
  c.out.push_back(static_cast<char>(reply.size() & 0xff));
  c.out.append(reply);
}

void DnsServerImpl::TcpWrite(Conn& c) {
  while (c.out_off < c.out.size()) {
    ssize_t w =
        send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.broken = true;
      return;
    }
    c.out_off += static_cast<size_t>(w);
    c.last = SteadyClock::now();
  }
  c.out.clear();
  c.out_off = 0;
}

void DnsServerImpl::TcpRead(Conn& c, ZoneCache& cache) {
  char buf[16384];
  ssize_t got = recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
  if (got == 0) {
    c.read_closed = true;
    return;
  }
  if (got < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.broken = true;
    return;
  }
  c.last = SteadyClock::now();
  c.in.append(buf, static_cast<size_t>(got));
  size_t pos = 0;
  Query q;
  while (c.in.size() - pos >= 2) {
    const size_t len = static_cast<uint8_t>(c.in[pos]) << 8 | static_cast<uint8_t>(c.in[pos + 1]);
    if (c.in.size() - pos - 2 < len) break;
    std::string_view wire(c.in.data() + pos + 2, len);
    pos += 2 + len;
    HandleQuery(Current(cache), wire, /*tcp=*/true, &q);
    if ((q.action == Query::Action::kForward || q.action == Query::Action::kChase) &&
        FromCache(wire, q, &q.wire)) {
      q.action = Query::Action::kReply;
    }
    if (q.action == Query::Action::kReply) {
      Framed(c, q.wire);
    } else if (q.action != Query::Action::kDrop) {
      ++c.pending;
      const uint64_t id = c.id;
      Forward(wire, q, /*tcp=*/true, [this, id](std::string reply) {
        {
          std::lock_guard<std::mutex> lock(tcp_mu_);
          tcp_done_.emplace_back(id, std::move(reply));
        }
        uint64_t one = 1;
        (void)!write(tcp_wake_fd_, &one, sizeof(one));
      });
    }
  }
  c.in.erase(0, pos);
}

void DnsServerImpl::TcpLoop() {
  ZoneCache cache;
  std::unordered_map<uint64_t, Conn> conns;
  uint64_t next_id = 1;
  std::vector<pollfd> fds;
  std::vector<uint64_t> ids;
  while (true) {
    fds.clear();
    ids.clear();
    fds.push_back({stop_fd_, POLLIN, 0});
    fds.push_back({tcp_wake_fd_, POLLIN, 0});
    fds.push_back({tcp_fd_, POLLIN, 0});
    auto wake_at = SteadyClock::now() + kTcpIdle;
    for (auto& [id, c] : conns) {
      short events = 0;
      if (!c.read_closed && c.out.size() < kTcpMaxOut) events |= POLLIN;
      if (c.out_off < c.out.size()) events |= POLLOUT;
      fds.push_back({c.fd, events, 0});
      ids.push_back(id);
      wake_at = std::min(wake_at, c.last + kTcpIdle);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake_at - SteadyClock::now());
    if (poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count() + 1))) <
            0 &&
        errno != EINTR) {
      LOG(Error, "dns") << "tcp poll: " << strerror(errno);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fds[0].revents) break;
    if (fds[1].revents) {
      uint64_t v;
      (void)!read(tcp_wake_fd_, &v, sizeof(v));
      std::vector<std::pair<uint64_t, std::string>> done;
      {
        std::lock_guard<std::mutex> lock(tcp_mu_);
        done.swap(tcp_done_);
      }
      for (auto& [id, reply] : done) {
        auto it = conns.find(id);
        if (it == conns.end()) continue;  // the client left
        --it->second.pending;
        Framed(it->second, reply);
        TcpWrite(it->second);
      }
    }
    if (fds[2].revents) {
      while (true) {
        int fd = accept4(tcp_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        if (conns.size() >= kMaxTcpConns) {
          close(fd);  // full: the client retries elsewhere (or over UDP)
          continue;
        }
        Conn c;
        c.fd = fd;
        c.id = next_id++;
        c.last = SteadyClock::now();
        conns.emplace(c.id, std::move(c));
      }
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = conns.find(ids[i]);
      if (it == conns.end()) continue;
      Conn& c = it->second;
      const short rev = fds[i + 3].revents;
      if (rev & (POLLIN | POLLHUP | POLLERR)) TcpRead(c, cache);
      if (c.out_off < c.out.size()) TcpWrite(c);
    }
    const auto now = SteadyClock::now();
    for (auto it = conns.begin(); it != conns.end();) {
      Conn& c = it->second;
      const bool flushed = c.out_off >= c.out.size();
      const bool done = c.broken || (c.read_closed && c.pending == 0 && flushed) ||
                        (now - c.last >= kTcpIdle && c.pending == 0);
      if (!done) {
        ++it;
        continue;
      }
      close(c.fd);
      it = conns.erase(it);
    }
  }
  for (auto& [id, c] : conns) close(c.fd);
}

}  // namespace

std::unique_ptr<DnsServer> NewDnsServer(SharedInformerFactory& informers,
                                        const DnsOptions& options) {
  return std::make_unique<DnsServerImpl>(informers, options);
}

}  // namespace minik
