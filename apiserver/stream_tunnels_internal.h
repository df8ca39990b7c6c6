// What the exec/attach and port-forward tunnels (stream_tunnels_exec.cc,
// stream_tunnels_portforward.cc) share: the pump thread, its wake-up descriptor, non-blocking
// descriptor I/O and the bounds. For those two files and their tests only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "apiserver/http.h"
#include "apiserver/stream_tunnels.h"

namespace minik::stream_tunnels {

// One read from a node descriptor or a pod socket.
inline constexpr size_t kReadChunk = 128 * 1024;
// The pump reads no more output while the connection has this much queued for the client,
// so a client that does not read costs at most this (plus one chunk) per tunnel.
inline constexpr size_t kMaxQueuedOutput = 1024 * 1024;
// Client bytes waiting for the node (stdin, port-forward data) beyond which the tunnel stops
// reading from the client; reading resumes below half of it.
inline constexpr size_t kMaxPendingInput = 1024 * 1024;
// Output queued for a client this far past kMaxQueuedOutput means the client sends (pings,
// stream opens) but does not read: the tunnel stops reading from it until it catches up.
inline constexpr size_t kMaxQueuedBeforePause = 4 * kMaxQueuedOutput;
// A pump blocked on the connection's queue wakes this often to notice cancellation.
inline constexpr int kWritableWaitMs = 50;
// How long the strand waits, when the tunnel is destroyed, for its pump to end before
// detaching it (it then ends on its own: it owns everything it uses).
inline constexpr int kJoinGraceMs = 200;

// An eventfd: the strand pokes it, the pump polls it. fd() is -1 when none could be made
// (descriptor table full): the pump then polls with a short timeout instead.
class Waker {
 public:
  Waker();
  ~Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  int fd() const { return fd_; }
  void Poke();
  // A Poke that stays safe after the Waker is gone (it holds its own descriptor): for
  // TunnelIo::SetWritableNotify.
  std::function<void()> Poker() const;
  void Drain();

 private:
  int fd_;
};

// The pump thread of one tunnel. Run() starts `body`, which must hold (by shared_ptr) all
// it touches and return soon after cancellation. The destructor waits up to kJoinGraceMs for
// the body to return and joins; past that it detaches, and the body ends by itself.
class PumpThread {
 public:
  PumpThread() = default;
  ~PumpThread();
  PumpThread(const PumpThread&) = delete;
  PumpThread& operator=(const PumpThread&) = delete;
  void Run(std::function<void()> body);

 private:
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;  // guarded by mu
  };
  std::thread thread_;
  std::shared_ptr<Done> done_;
};

// The Tunnel face of a core shared by the strand and the pump thread: the strand hands
// client bytes and the end to the core, the pump runs Core::Pump(). Core has Start(io),
// Receive(data), Cancel() and Pump().
template <typename Core>
class CoreTunnel : public Tunnel {
 public:
  explicit CoreTunnel(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  ~CoreTunnel() override { core_->Cancel(); }  // then pump_ ends before core_ goes

  void Start(std::shared_ptr<TunnelIo> io) override {
    core_->Start(std::move(io));
    pump_.Run([core = core_] { core->Pump(); });
  }
  void OnReceive(std::string data, bool /*text*/) override { core_->Receive(data); }
  void OnClosed() override { core_->Cancel(); }

 private:
  std::shared_ptr<Core> core_;
  PumpThread pump_;
};

// Pauses reading from the client while too much of its input waits for the node
// (`pending_input` > kMaxPendingInput) or too much output waits for it (queued_bytes() >
// kMaxQueuedBeforePause); resumes below half of both. The strand calls Update after it
// queued input, the pump after it drained some and on each turn of its loop (it polls at
// least every kWritableWaitMs while output is queued past kMaxQueuedOutput).
class ReadGate {
 public:
  void Update(TunnelIo& io, size_t pending_input);

 private:
  std::mutex mu_;
  bool paused_ = false;  // guarded by mu_
};

bool SetNonBlocking(int fd);

enum class IoResult { kOk, kAgain, kEof, kError };
// A non-blocking read of up to kReadChunk bytes appended to `out`; `*error` is errno's text.
IoResult ReadSome(int fd, std::string* out, std::string* error);
// A non-blocking write of the front of `data`; what was written is erased from it.
IoResult WriteSome(int fd, std::string* data, std::string* error);

// The waits upstream fixes; tests shorten them.
struct Timeouts {
  // The kubelet's streamCreationTimeout: for all exec streams, for both halves of a pair.
  std::chrono::milliseconds stream_creation{30000};
  // containerd's: how long a forward lives on after the pod's side ended.
  std::chrono::milliseconds pod_eof_grace{1000};
};
std::shared_ptr<Tunnel> NewExecSpdyTunnel(remotecommand::Version version,
                                          remotecommand::Options options,
                                          std::unique_ptr<NodeStream> stream,
                                          std::vector<std::string> command, bool attach,
                                          Timeouts timeouts);
std::shared_ptr<Tunnel> NewPortForwardSpdyTunnel(PortDialer dial, std::string pod, std::string uid,
                                                 Timeouts timeouts);

}  // namespace minik::stream_tunnels
