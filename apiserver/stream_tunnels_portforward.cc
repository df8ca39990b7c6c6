// Port-forward tunnels (stream_tunnels.h): SPDY/3.1 (raw or tunnelled in WebSocket binary
// messages) with one data/error stream pair per connection, and the kubelet's WebSocket
// channel protocol with one data/error channel pair per port.
//
// Threads: the strand decodes the client's bytes into an ordered inbox (open a forward,
// data for it, the client's half-close, the client's reset). The pump thread dials the pod
// (PortDialer may block briefly), owns the sockets, polls them with the wake-up descriptor,
// and sends what the pod writes. In the SPDY tunnel the session is shared: session_mu_
// guards it and every encode is sent to the TunnelIo under that same lock (frame order).
//
// One forward ends as containerd's PortForward does: when both directions are done, or
// a grace (1 s) after the pod's side ended (the client may never half-close: v4 WebSocket
// cannot, and kubectl waits for the error stream's end before it closes). Then both streams
// are half-closed (SPDY, as the kubelet's deferred Close()s); a failure writes
// PortForwardErrorText to that pair's error stream/channel first. Nothing else is touched.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>

#include "api/log.h"
#include "apiserver/stream_tunnels.h"
#include "apiserver/stream_tunnels_internal.h"

namespace minik {
namespace {

namespace rc = remotecommand;
using namespace stream_tunnels;  // NOLINT: this file's own internals
using SteadyClock = std::chrono::steady_clock;

constexpr char kComponent[] = "portforward";
constexpr int kTickMs = 1000;  // pair timeouts are checked at least this often

// What the strand hands to the pump, in arrival order.
struct InboxEvent {
  enum class Kind { kOpen, kData, kClientFin, kReset };
  Kind kind;
  uint32_t key;  // SPDY: the data stream id; WebSocket: the port index
  uint16_t port = 0;
  uint32_t error_stream = 0;  // SPDY kOpen
  std::string data;
};

// One connection to the pod, owned by the pump.
struct Forward {
  uint32_t key = 0;
  uint16_t port = 0;
  uint32_t error_stream = 0;
  int fd = -1;
  std::string to_pod;       // client bytes not yet written
  bool client_fin = false;  // the client sends nothing more: SHUT_WR once to_pod is written
  bool shut_wr = false;
  bool pod_eof = false;  // the pod sends nothing more
  SteadyClock::time_point pod_eof_at;
};

// The pump and inbox both tunnels share; subclasses say how bytes and errors are framed.
class ForwardCore {
 public:
  ForwardCore(PortDialer dial, std::string pod, std::string uid, Timeouts timeouts = {})
      : timeouts_(timeouts), dial_(std::move(dial)), pod_(std::move(pod)), uid_(std::move(uid)) {}
  virtual ~ForwardCore() = default;

  virtual void Start(std::shared_ptr<TunnelIo> io) {
    io_ = std::move(io);
    io_->SetWritableNotify(kMaxQueuedOutput / 2, waker_.Poker());
  }
  virtual void Receive(const std::string& data) = 0;
  void Cancel() {
    cancelled_ = true;
    waker_.Poke();
  }
  void Pump();

 protected:
  // Pump side, for one forward.
  virtual void PodData(const Forward& f, const std::string& data) = 0;
  virtual void PodEof(const Forward& f) = 0;
  virtual void Failed(const Forward& f, const std::string& text) = 0;
  virtual void Ended(const Forward& f) = 0;
  // Periodic work (stream pair timeouts); returns the next tick in ms, or -1 for none.
  virtual int Tick() { return -1; }
  // True once the whole tunnel is done (the pump then returns).
  virtual bool Done(size_t open_forwards) {
    (void)open_forwards;
    return false;
  }

  // Strand side.
  void Post(InboxEvent event);
  void Gate() { gate_.Update(*io_, pending_input_); }
  void Abort(const Status& why) {
    LOG(Info, kComponent) << "closing the connection: " << why.message();
    io_->Close();
    Cancel();
  }
  std::string ErrorText(uint16_t port, const std::string& error) const {
    return rc::PortForwardErrorText(port, pod_, uid_, error);
  }

  ReadGate gate_;
  const Timeouts timeouts_;
  const PortDialer dial_;
  const std::string pod_;
  const std::string uid_;
  std::shared_ptr<TunnelIo> io_;  // set by Start before the pump runs, then constant
  Waker waker_;
  std::atomic<bool> cancelled_{false};

 private:
  void Open(InboxEvent& e);
  void End(std::map<uint32_t, Forward>::iterator it);
  void ServiceInbox();

  std::mutex inbox_mu_;
  std::vector<InboxEvent> inbox_;         // guarded by inbox_mu_
  std::atomic<size_t> pending_input_{0};  // client bytes not yet written to a pod

  std::map<uint32_t, Forward> forwards_;  // the pump's
};

void ForwardCore::Post(InboxEvent event) {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  if (event.kind == InboxEvent::Kind::kData) {
    if (event.data.empty()) return;
    pending_input_ += event.data.size();
    gate_.Update(*io_, pending_input_);
  }
  inbox_.push_back(std::move(event));
  waker_.Poke();
}

void ForwardCore::Open(InboxEvent& e) {
  Forward f;
  f.key = e.key;
  f.port = e.port;
  f.error_stream = e.error_stream;
  StatusOr<int> fd = dial_(e.port);
  if (!fd.ok()) {
    Failed(f, ErrorText(e.port, fd.status().message()));
    Ended(f);
    return;
  }
  f.fd = *fd;
  SetNonBlocking(f.fd);
  auto [it, inserted] = forwards_.emplace(f.key, std::move(f));
  if (!inserted) {  // the strand never reuses a key while it is open; be safe anyway
    ::close(*fd);
    LOG(Warning, kComponent) << "duplicate forward " << e.key;
  }
}

void ForwardCore::End(std::map<uint32_t, Forward>::iterator it) {
  Forward& f = it->second;
  if (f.fd >= 0) ::close(f.fd);
  pending_input_ -= f.to_pod.size();
  Ended(f);
  forwards_.erase(it);
}

void ForwardCore::ServiceInbox() {
  std::vector<InboxEvent> events;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    events.swap(inbox_);
  }
  for (InboxEvent& e : events) {
    if (cancelled_) return;
    auto it = forwards_.find(e.key);
    switch (e.kind) {
      case InboxEvent::Kind::kOpen:
        Open(e);
        break;
      case InboxEvent::Kind::kData:
        if (it != forwards_.end() && !it->second.shut_wr) {
          it->second.to_pod += e.data;
        } else {
          pending_input_ -= e.data.size();  // that forward is gone: dropped
        }
        break;
      case InboxEvent::Kind::kClientFin:
        if (it != forwards_.end()) it->second.client_fin = true;
        break;
      case InboxEvent::Kind::kReset:
        if (it != forwards_.end()) End(it);
        break;
    }
  }
}

void ForwardCore::Pump() {
  std::vector<pollfd> fds;
  std::vector<uint32_t> keys;
  while (!cancelled_) {
    ServiceInbox();
    if (cancelled_) break;
    auto now = SteadyClock::now();
    int timeout = -1;
    auto shorten = [&](int ms) {
      if (ms >= 0 && (timeout < 0 || ms < timeout)) timeout = ms;
    };
    // Writes toward the pods, half-closes, and the ends of finished forwards.
    for (auto it = forwards_.begin(); it != forwards_.end();) {
      Forward& f = it->second;
      if (!f.to_pod.empty()) {
        std::string error;
        size_t before = f.to_pod.size();
        IoResult r = WriteSome(f.fd, &f.to_pod, &error);
        pending_input_ -= before - f.to_pod.size();
        if (r == IoResult::kError) {
          Failed(f, ErrorText(f.port, "write to the pod's connection: " + error));
          End(it++);
          continue;
        }
      }
      if (f.client_fin && f.to_pod.empty() && !f.shut_wr) {
        ::shutdown(f.fd, SHUT_WR);
        f.shut_wr = true;
      }
      if (f.pod_eof && (f.shut_wr || now - f.pod_eof_at >= timeouts_.pod_eof_grace)) {
        End(it++);
        continue;
      }
      if (f.pod_eof) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeouts_.pod_eof_grace -
                                                                          (now - f.pod_eof_at));
        shorten(static_cast<int>(std::max<int64_t>(1, left.count())));
      }
      ++it;
    }
    shorten(Tick());
    if (Done(forwards_.size())) break;
    gate_.Update(*io_, pending_input_);
    bool writable = io_->queued_bytes() < kMaxQueuedOutput;
    if (!writable || waker_.fd() < 0) shorten(kWritableWaitMs);
    fds.clear();
    keys.clear();
    fds.push_back({waker_.fd(), POLLIN, 0});
    for (auto& [key, f] : forwards_) {
      short events = 0;
      if (writable && !f.pod_eof) events |= POLLIN;
      if (!f.to_pod.empty()) events |= POLLOUT;
      if (events == 0) continue;
      fds.push_back({f.fd, events, 0});
      keys.push_back(key);
    }
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      LOG(Warning, kComponent) << "poll failed: " << std::strerror(errno);
      break;
    }
    if (cancelled_) break;
    if (fds[0].revents != 0) waker_.Drain();
    for (size_t i = 1; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0 || !(fds[i].events & POLLIN)) {
        continue;
      }
      auto it = forwards_.find(keys[i - 1]);
      if (it == forwards_.end()) continue;
      Forward& f = it->second;
      std::string data, error;
      IoResult r = ReadSome(f.fd, &data, &error);
      if (r == IoResult::kOk) {
        PodData(f, data);
      } else if (r == IoResult::kEof) {
        f.pod_eof = true;
        f.pod_eof_at = SteadyClock::now();
        PodEof(f);
      } else if (r == IoResult::kError) {
        Failed(f, ErrorText(f.port, "read from the pod's connection: " + error));
        End(it);
      }
    }
  }
  for (auto& [key, f] : forwards_) {
    if (f.fd >= 0) ::close(f.fd);
  }
  forwards_.clear();
}

// ---- SPDY ----

class SpdyForwardCore : public ForwardCore {
 public:
  using ForwardCore::ForwardCore;

  void Receive(const std::string& data) override {
    if (cancelled_) return;
    std::lock_guard<std::mutex> lock(session_mu_);
    std::vector<spdy::Event> events;
    Status st = session_.Feed(data, &events);
    for (spdy::Event& e : events) OnEvent(e);
    Flush();
    if (!st.ok()) return Abort(st);
    Gate();
  }

 protected:
  void PodData(const Forward& f, const std::string& data) override {
    std::lock_guard<std::mutex> lock(session_mu_);
    if (session_.IsOpen(f.key)) (void)session_.SendData(f.key, data);
    Flush();
  }
  void PodEof(const Forward& f) override {
    std::lock_guard<std::mutex> lock(session_mu_);
    if (session_.IsOpen(f.key)) (void)session_.SendData(f.key, "", true);
    Flush();
  }
  void Failed(const Forward& f, const std::string& text) override {
    LOG(Info, kComponent) << text;
    std::lock_guard<std::mutex> lock(session_mu_);
    if (session_.IsOpen(f.error_stream)) (void)session_.SendData(f.error_stream, text);
    Flush();
  }
  void Ended(const Forward& f) override {
    std::lock_guard<std::mutex> lock(session_mu_);
    data_streams_.erase(f.key);
    // Half-closes; errors are streams already closed by us or gone.
    (void)session_.SendData(f.key, "", true);
    (void)session_.SendData(f.error_stream, "", true);
    Flush();
  }
  int Tick() override;

 private:
  void OnEvent(spdy::Event& e);         // session_mu_ held
  void OnStreamOpened(spdy::Event& e);  // session_mu_ held
  void Flush() {
    if (session_.HasOutput()) io_->Send(session_.TakeOutput());
  }

  std::mutex session_mu_;                                   // before the inbox's
  spdy::ServerSession session_;                             // guarded by session_mu_
  rc::PortForwardPairs pairs_;                              // guarded by session_mu_
  std::map<std::string, SteadyClock::time_point> waiting_;  // guarded; pairs' first stream
  std::map<uint32_t, uint32_t> data_streams_;  // guarded; data -> error stream, handed over
  // Data (and a FIN) a client sent on a data stream before its pair was complete.
  struct Early {
    std::string data;
    bool fin = false;
  };
  std::map<uint32_t, Early> early_;  // guarded by session_mu_
  size_t early_bytes_ = 0;           // guarded by session_mu_
};

void SpdyForwardCore::OnEvent(spdy::Event& e) {
  switch (e.kind) {
    case spdy::Event::Kind::kStreamOpened:
      OnStreamOpened(e);
      break;
    case spdy::Event::Kind::kData:
      if (data_streams_.count(e.stream_id)) {
        Post({InboxEvent::Kind::kData, e.stream_id, 0, 0, std::move(e.data)});
      } else if (auto it = early_.find(e.stream_id); it != early_.end()) {
        early_bytes_ += e.data.size();
        it->second.data += e.data;
        // Nobody drains it until the pair is complete: a client may not grow it forever.
        if (early_bytes_ > kMaxPendingInput) {
          Abort(BadRequest("too much data on streams whose pair is not complete"));
        }
      }
      break;  // data on error streams is ignored, as upstream never reads them
    case spdy::Event::Kind::kRemoteFin:
      if (data_streams_.count(e.stream_id)) {
        Post({InboxEvent::Kind::kClientFin, e.stream_id, 0, 0, {}});
      } else if (auto it = early_.find(e.stream_id); it != early_.end()) {
        it->second.fin = true;
      }
      break;
    case spdy::Event::Kind::kStreamReset:
      if (data_streams_.count(e.stream_id)) {
        Post({InboxEvent::Kind::kReset, e.stream_id, 0, 0, {}});
      }
      break;
    case spdy::Event::Kind::kHeaders:
    case spdy::Event::Kind::kGoAway:
    case spdy::Event::Kind::kPingReply:
      break;
  }
}

void SpdyForwardCore::OnStreamOpened(spdy::Event& e) {
  StatusOr<rc::PortForwardStream> stream = rc::ParsePortForwardStream(e.stream_id, e.headers);
  if (!stream.ok()) {
    LOG(Info, kComponent) << "rejecting stream " << e.stream_id << ": "
                          << stream.status().message();
    (void)session_.Reset(e.stream_id, spdy::RstStatus::kCancel);
    return;
  }
  (void)session_.Reply(e.stream_id);
  bool is_new = pairs_.pending(stream->request_id) == nullptr;
  auto added = pairs_.Add(*stream);
  if (!added.ok()) {
    // Written to the pair's error stream, as the kubelet's printError.
    LOG(Info, kComponent) << added.status().message();
    const rc::PortForwardPairs::Pair* pair = pairs_.pending(stream->request_id);
    if (pair && pair->error_stream && session_.IsOpen(*pair->error_stream)) {
      (void)session_.SendData(*pair->error_stream, added.status().message());
    }
    return;
  }
  if (!stream->is_error) early_[e.stream_id];
  if (!added->has_value()) {
    if (is_new) {
      waiting_[stream->request_id] = SteadyClock::now();
      waker_.Poke();  // the pump's next poll must time this pair
    }
    return;
  }
  const rc::PortForwardPairs::Pair& pair = **added;
  waiting_.erase(pair.request_id);
  uint32_t data_id = *pair.data_stream;
  data_streams_[data_id] = *pair.error_stream;
  Early early = std::move(early_[data_id]);
  early_.erase(data_id);
  early_bytes_ -= early.data.size();
  Post({InboxEvent::Kind::kOpen, data_id, pair.port, *pair.error_stream, {}});
  if (!early.data.empty()) Post({InboxEvent::Kind::kData, data_id, 0, 0, std::move(early.data)});
  if (early.fin) Post({InboxEvent::Kind::kClientFin, data_id, 0, 0, {}});
}

int SpdyForwardCore::Tick() {
  std::lock_guard<std::mutex> lock(session_mu_);
  if (waiting_.empty()) return -1;
  auto now = SteadyClock::now();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (now - it->second < timeouts_.stream_creation) {
      ++it;
      continue;
    }
    std::ostringstream text;
    text << "(conn=" << static_cast<const void*>(this) << ", request=" << it->first
         << ") timed out waiting for streams";
    LOG(Info, kComponent) << text.str();
    if (const rc::PortForwardPairs::Pair* pair = pairs_.pending(it->first)) {
      if (pair->error_stream && session_.IsOpen(*pair->error_stream)) {
        (void)session_.SendData(*pair->error_stream, text.str());
      }
      if (pair->data_stream) {
        early_bytes_ -= early_[*pair->data_stream].data.size();
        early_.erase(*pair->data_stream);
      }
    }
    pairs_.Remove(it->first);
    it = waiting_.erase(it);
  }
  Flush();
  return static_cast<int>(std::min<int64_t>(kTickMs, timeouts_.stream_creation.count()));
}

// ---- WebSocket channels ----

class WebSocketForwardCore : public ForwardCore {
 public:
  WebSocketForwardCore(rc::WebSocketProtocol protocol, std::vector<uint16_t> ports, PortDialer dial,
                       std::string pod, std::string uid)
      : ForwardCore(std::move(dial), std::move(pod), std::move(uid)),
        ports_(std::move(ports)),
        channels_(std::move(protocol), ports_) {}

  void Start(std::shared_ptr<TunnelIo> io) override {
    ForwardCore::Start(std::move(io));
    for (std::string& m : channels_.StartMessages()) io_->Send(std::move(m), text());
    // One forward per port for the life of the connection, dialled by the pump in order.
    for (size_t i = 0; i < ports_.size(); ++i) {
      Post({InboxEvent::Kind::kOpen, static_cast<uint32_t>(i), ports_[i], 0, {}});
    }
  }

  void Receive(const std::string& data) override {
    if (cancelled_) return;
    StatusOr<rc::PortForwardWebSocket::Incoming> in = channels_.Receive(data);
    if (!in.ok()) return Abort(in.status());
    if (in->port_index) {
      Post({InboxEvent::Kind::kData, static_cast<uint32_t>(*in->port_index), 0, 0,
            std::move(in->data)});
    }
  }

 protected:
  void PodData(const Forward& f, const std::string& data) override {
    if (auto m = channels_.Data(f.key, data)) io_->Send(std::move(*m), text());
  }
  void PodEof(const Forward&) override {}  // v4 channels have no half-close
  void Failed(const Forward& f, const std::string& message) override {
    LOG(Info, kComponent) << message;
    if (auto m = channels_.Error(f.key, message)) io_->Send(std::move(*m), text());
  }
  void Ended(const Forward&) override { ++ended_; }
  // As the kubelet: the connection ends once every port's forward has.
  bool Done(size_t open_forwards) override {
    if (ended_ < ports_.size() || open_forwards > 0) return false;
    io_->Close();
    return true;
  }

 private:
  bool text() const { return channels_.codec().text_frames(); }

  const std::vector<uint16_t> ports_;
  const rc::PortForwardWebSocket channels_;  // const methods only: strand and pump share it
  size_t ended_ = 0;                         // the pump's
};

using ForwardTunnel = CoreTunnel<ForwardCore>;

}  // namespace

std::shared_ptr<Tunnel> NewPortForwardSpdyTunnel(PortDialer dial, std::string pod,
                                                 std::string uid) {
  return stream_tunnels::NewPortForwardSpdyTunnel(std::move(dial), std::move(pod), std::move(uid),
                                                  {});
}

std::shared_ptr<Tunnel> stream_tunnels::NewPortForwardSpdyTunnel(PortDialer dial, std::string pod,
                                                                 std::string uid,
                                                                 Timeouts timeouts) {
  return std::make_shared<ForwardTunnel>(
      std::make_shared<SpdyForwardCore>(std::move(dial), std::move(pod), std::move(uid), timeouts));
}

std::shared_ptr<Tunnel> NewPortForwardWebSocketTunnel(rc::WebSocketProtocol protocol,
                                                      std::vector<uint16_t> ports, PortDialer dial,
                                                      std::string pod, std::string uid) {
  return std::make_shared<ForwardTunnel>(std::make_shared<WebSocketForwardCore>(
      std::move(protocol), std::move(ports), std::move(dial), std::move(pod), std::move(uid)));
}

}  // namespace minik
