// Exec and attach tunnels (stream_tunnels.h) over WebSocket (channel.k8s.io) and SPDY/3.1.
//
// Threads: the strand (Start/OnReceive/OnClosed) decodes the client's messages into the
// inbox: stdin bytes, stdin EOF, terminal sizes. The pump thread owns the NodeStream: it
// writes stdin, applies sizes, reads stdout/stderr and sends them, waits for the exit and
// ends the session. The SPDY session is shared by both (replies and ping echoes from the
// strand, data from the pump): session_mu_ guards it, and every encode is sent to the
// TunnelIo under that same lock so frames leave in encoding order (one zlib stream).
//
// Ending, as the kubelet's ServeExec/ServeAttach: all output copied (stdout and stderr at
// EOF), then the exit Status on the error channel/stream, then the connection closed
// (WebSocket close 1000; SPDY: every stream reset, GOAWAY, as connection.Close()).
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include "api/log.h"
#include "apiserver/stream_tunnels.h"
#include "apiserver/stream_tunnels_internal.h"

namespace minik {
namespace {

namespace rc = remotecommand;
using namespace stream_tunnels;  // NOLINT: this file's own internals

constexpr char kComponent[] = "exec";
// NodeStream::Wait slices, so that cancellation is noticed promptly.
constexpr int kWaitSliceMs = 100;
// client-go starts reading a WebSocket before it registers its stdout/stderr streams
// (wsStreamExecutor: `go readDemuxLoop(...)`, then `streamer.stream(creator)`), and drops
// data for a stream not registered yet ("Unknown stream id 1, discarding message"): a fast
// command's output was lost under load (1 of 100 concurrent kubectl exec; with 20 ms, still
// about once in ten CI runs on a loaded 2-core machine). Output waits this long after the
// handshake. Fixed in client-go 1.33 (kubernetes#131203); kubectl 1.30-1.32 need the wait.
// SPDY needs none: the client opens the streams itself.
constexpr auto kWebSocketOutputHold = std::chrono::milliseconds(50);

class ExecCore {
 public:
  enum class Transport { kWebSocket, kSpdy };

  ExecCore(Transport transport, rc::WebSocketProtocol ws_protocol, rc::Version version,
           rc::Options options, std::unique_ptr<NodeStream> stream,
           std::vector<std::string> command, bool attach, Timeouts timeouts = {})
      : transport_(transport),
        timeouts_(timeouts),
        version_(transport == Transport::kWebSocket ? ws_protocol.version : version),
        options_(options),
        command_(std::move(command)),
        attach_(attach),
        ws_in_(ws_protocol, options),
        ws_out_(ws_protocol, options),
        spdy_streams_(version, options),
        stream_(std::move(stream)) {}

  void Start(std::shared_ptr<TunnelIo> io) {
    started_ = std::chrono::steady_clock::now();
    io_ = std::move(io);
    io_->SetWritableNotify(kMaxQueuedOutput / 2, waker_.Poker());
    if (transport_ == Transport::kWebSocket) {
      io_->Send(ws_out_.StartMessage(), ws_out_.codec().text_frames());
    }
  }

  void Receive(const std::string& data) {
    if (cancelled_) return;
    if (transport_ == Transport::kWebSocket) return ReceiveWebSocket(data);
    ReceiveSpdy(data);
  }

  void Cancel() {
    cancelled_ = true;
    waker_.Poke();
  }

  void Pump();

 private:
  void ReceiveWebSocket(const std::string& data);
  void ReceiveSpdy(const std::string& data);
  void OnSpdyEvent(spdy::Event& event);  // session_mu_ held
  void FlushSpdy();                      // session_mu_ held
  void QueueStdin(std::string data);
  void QueueStdinEof();
  void QueueResize(const rc::TerminalSize& size);
  // Ends the connection because of bad client input (strand).
  void Abort(const Status& why);

  bool WaitForStreams();
  // Moves the inbox to the pump and writes what stdin can take; false once it is closed.
  void ServiceInput();
  void Emit(uint8_t channel, const std::string& data);
  void Finish(const StatusOr<int>& result);

  const Transport transport_;
  const Timeouts timeouts_;
  const rc::Version version_;
  const rc::Options options_;
  const std::vector<std::string> command_;
  const bool attach_;
  std::shared_ptr<TunnelIo> io_;  // set by Start before the pump runs, then constant
  std::chrono::steady_clock::time_point started_;  // likewise
  Waker waker_;
  std::atomic<bool> cancelled_{false};

  rc::ExecWebSocket ws_in_;   // strand: decoding
  rc::ExecWebSocket ws_out_;  // pump (and Start): encoding, const use only
  rc::ResizeDecoder resize_;  // strand: the SPDY resize stream

  std::mutex session_mu_;             // before inbox_mu_ when both are taken
  spdy::ServerSession session_;       // guarded by session_mu_
  rc::ExecSpdyStreams spdy_streams_;  // guarded by session_mu_
  bool streams_complete_ = false;     // guarded by session_mu_

  std::mutex inbox_mu_;
  std::string inbox_stdin_;                    // guarded by inbox_mu_
  bool inbox_stdin_eof_ = false;               // guarded by inbox_mu_
  std::vector<rc::TerminalSize> inbox_sizes_;  // guarded by inbox_mu_
  std::atomic<size_t> pending_input_{0};       // client bytes not yet written to stdin
  ReadGate gate_;

  // The pump's.
  std::unique_ptr<NodeStream> stream_;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdin_buffer_;
  bool stdin_eof_ = false;
};

// ---- strand ----

void ExecCore::ReceiveWebSocket(const std::string& data) {
  std::vector<rc::ExecEvent> events;
  Status st = ws_in_.Receive(data, &events);
  for (rc::ExecEvent& e : events) {
    switch (e.kind) {
      case rc::ExecEvent::Kind::kStdin:
        QueueStdin(std::move(e.data));
        break;
      case rc::ExecEvent::Kind::kStdinClosed:
        QueueStdinEof();
        break;
      case rc::ExecEvent::Kind::kResize:
        QueueResize(e.size);
        break;
      case rc::ExecEvent::Kind::kResizeError:
        LOG(Debug, kComponent) << "ignoring further resizes: " << e.error;
        break;
    }
  }
  if (!st.ok()) Abort(st);
}

void ExecCore::ReceiveSpdy(const std::string& data) {
  std::lock_guard<std::mutex> lock(session_mu_);
  std::vector<spdy::Event> events;
  Status st = session_.Feed(data, &events);
  for (spdy::Event& e : events) OnSpdyEvent(e);
  FlushSpdy();  // replies, ping echoes, and the GOAWAY of a protocol error
  if (!st.ok()) return Abort(st);
  gate_.Update(*io_, pending_input_);
}

void ExecCore::OnSpdyEvent(spdy::Event& e) {
  auto is = [&](rc::StreamRole role) {
    std::optional<uint32_t> id = spdy_streams_.Stream(role);
    return id && *id == e.stream_id;
  };
  switch (e.kind) {
    case spdy::Event::Kind::kStreamOpened: {
      // As the kubelet: every stream is accepted; unknown types are then left unused, and
      // streams after the expected set too.
      if (!streams_complete_) spdy_streams_.Add(e.stream_id, e.headers);
      (void)session_.Reply(e.stream_id);
      if (!streams_complete_ && spdy_streams_.complete()) {
        streams_complete_ = true;
        waker_.Poke();
      }
      break;
    }
    case spdy::Event::Kind::kData:
      if (is(rc::StreamRole::kStdin)) {
        if (options_.stdin) QueueStdin(std::move(e.data));
      } else if (is(rc::StreamRole::kResize) && !resize_.failed()) {
        std::vector<rc::TerminalSize> sizes;
        Status st = resize_.Feed(e.data, &sizes);
        for (const rc::TerminalSize& size : sizes) QueueResize(size);
        if (!st.ok()) LOG(Debug, kComponent) << "ignoring further resizes: " << st.message();
      }
      break;
    case spdy::Event::Kind::kRemoteFin:
    case spdy::Event::Kind::kStreamReset:
      if (is(rc::StreamRole::kStdin)) QueueStdinEof();
      break;
    case spdy::Event::Kind::kHeaders:
    case spdy::Event::Kind::kGoAway:
    case spdy::Event::Kind::kPingReply:
      break;
  }
}

void ExecCore::FlushSpdy() {
  if (session_.HasOutput()) io_->Send(session_.TakeOutput());
}

void ExecCore::QueueStdin(std::string data) {
  if (data.empty()) return;
  std::lock_guard<std::mutex> lock(inbox_mu_);
  if (inbox_stdin_eof_) return;
  pending_input_ += data.size();
  inbox_stdin_ += data;
  gate_.Update(*io_, pending_input_);
  waker_.Poke();
}

void ExecCore::QueueStdinEof() {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  inbox_stdin_eof_ = true;
  waker_.Poke();
}

void ExecCore::QueueResize(const rc::TerminalSize& size) {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  inbox_sizes_.push_back(size);
  waker_.Poke();
}

void ExecCore::Abort(const Status& why) {
  LOG(Info, kComponent) << "closing the connection: " << why.message();
  io_->Close();
  Cancel();
}

// ---- pump ----

bool ExecCore::WaitForStreams() {
  auto deadline = std::chrono::steady_clock::now() + timeouts_.stream_creation;
  while (!cancelled_) {
    {
      std::lock_guard<std::mutex> lock(session_mu_);
      if (streams_complete_) return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      // As the kubelet: logged, and the connection closed.
      LOG(Info, kComponent) << "timed out waiting for client to create streams";
      std::lock_guard<std::mutex> lock(session_mu_);
      (void)session_.Close();
      FlushSpdy();
      io_->Close();
      return false;
    }
    gate_.Update(*io_, pending_input_);
    pollfd p{waker_.fd(), POLLIN, 0};
    int timeout = std::min<int>(kWritableWaitMs, static_cast<int>(left.count()));
    if (::poll(&p, 1, timeout) > 0) waker_.Drain();
  }
  return false;
}

void ExecCore::ServiceInput() {
  std::vector<rc::TerminalSize> sizes;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    stdin_buffer_ += inbox_stdin_;
    inbox_stdin_.clear();
    stdin_eof_ = inbox_stdin_eof_;
    sizes.swap(inbox_sizes_);
  }
  for (const rc::TerminalSize& size : sizes) {
    Status st = stream_->Resize(size.width, size.height);
    if (!st.ok()) LOG(Debug, kComponent) << "resize failed: " << st.message();
  }
  if (stdin_fd_ >= 0 && !stdin_buffer_.empty()) {
    size_t before = stdin_buffer_.size();
    std::string error;
    IoResult r = WriteSome(stdin_fd_, &stdin_buffer_, &error);
    pending_input_ -= before - stdin_buffer_.size();
    if (r == IoResult::kError) {
      // The process closed its stdin (EPIPE): what the client sends next is dropped.
      LOG(Debug, kComponent) << "stdin closed by the process: " << error;
      stream_->CloseStdin();
      stdin_fd_ = -1;
    }
  }
  if (stdin_fd_ >= 0 && stdin_eof_ && stdin_buffer_.empty()) {
    stream_->CloseStdin();
    stdin_fd_ = -1;
  }
  if (stdin_fd_ < 0 && !stdin_buffer_.empty()) {
    pending_input_ -= stdin_buffer_.size();
    stdin_buffer_.clear();
  }
  gate_.Update(*io_, pending_input_);
}

void ExecCore::Emit(uint8_t channel, const std::string& data) {
  if (transport_ == Transport::kWebSocket) {
    std::optional<std::string> message =
        channel == rc::kStdoutChannel ? ws_out_.Stdout(data) : ws_out_.Stderr(data);
    if (message) io_->Send(std::move(*message), ws_out_.codec().text_frames());
    return;
  }
  std::lock_guard<std::mutex> lock(session_mu_);
  std::optional<uint32_t> id = spdy_streams_.Stream(
      channel == rc::kStdoutChannel ? rc::StreamRole::kStdout : rc::StreamRole::kStderr);
  // A stream the client did not open (or reset) drops its output, as upstream's nil writer.
  if (!id || !session_.IsOpen(*id)) return;
  (void)session_.SendData(*id, data);
  FlushSpdy();
}

void ExecCore::Pump() {
  if (transport_ == Transport::kSpdy && !WaitForStreams()) {
    stream_.reset();
    return;
  }
  if (transport_ == Transport::kWebSocket) {
    auto until = started_ + kWebSocketOutputHold;
    for (auto now = std::chrono::steady_clock::now(); !cancelled_ && now < until;
         now = std::chrono::steady_clock::now()) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          until - now, std::chrono::milliseconds(5)));
    }
  }
  stdin_fd_ = stream_->stdin_fd();
  stdout_fd_ = stream_->stdout_fd();
  stderr_fd_ = stream_->stderr_fd();
  for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) {
    if (fd >= 0) SetNonBlocking(fd);
  }
  // Output until both ends hit EOF, then the exit code; stdin and sizes flow throughout
  // (the process may still read after closing its output).
  StatusOr<int> result = Status(Code::kTimeout, "");
  while (!cancelled_) {
    ServiceInput();
    bool outputs = stdout_fd_ >= 0 || stderr_fd_ >= 0;
    bool stdin_waiting = stdin_fd_ >= 0 && !stdin_buffer_.empty();
    if (!outputs) {
      // Blocks for a slice unless stdin has bytes to write, so the exit is seen at once.
      result = stream_->Wait(stdin_waiting ? 0 : kWaitSliceMs);
      if (result.ok() || result.status().code() != Code::kTimeout) break;
      if (!stdin_waiting) continue;
    }
    bool writable = io_->queued_bytes() < kMaxQueuedOutput;
    pollfd fds[4];
    nfds_t n = 0;
    fds[n++] = {waker_.fd(), POLLIN, 0};
    int out_index = -1, err_index = -1;
    if (writable && stdout_fd_ >= 0) {
      out_index = static_cast<int>(n);
      fds[n++] = {stdout_fd_, POLLIN, 0};
    }
    if (writable && stderr_fd_ >= 0) {
      err_index = static_cast<int>(n);
      fds[n++] = {stderr_fd_, POLLIN, 0};
    }
    // A writable stdin only needs the next ServiceInput.
    if (stdin_waiting) fds[n++] = {stdin_fd_, POLLOUT, 0};
    int timeout = writable && outputs && waker_.fd() >= 0 ? -1 : kWritableWaitMs;
    if (::poll(fds, n, timeout) < 0 && errno != EINTR) {
      LOG(Warning, kComponent) << "poll failed: " << std::strerror(errno);
      break;
    }
    if (cancelled_) break;
    if (fds[0].revents != 0) waker_.Drain();
    for (auto [index, fd, channel] : {std::tuple{out_index, &stdout_fd_, rc::kStdoutChannel},
                                      std::tuple{err_index, &stderr_fd_, rc::kStderrChannel}}) {
      if (index < 0 || fds[index].revents == 0) continue;
      std::string data, error;
      IoResult r = ReadSome(*fd, &data, &error);
      if (r == IoResult::kOk) {
        Emit(channel, data);
      } else if (r != IoResult::kAgain) {
        if (r == IoResult::kError) LOG(Debug, kComponent) << "output read failed: " << error;
        *fd = -1;  // the stream owns and closes it
      }
    }
  }
  if (!result.ok() && result.status().code() == Code::kTimeout) {
    // poll failed: end as a failure rather than hang.
    result = Status(Code::kInternal, "lost the process's output");
  }
  if (!cancelled_) Finish(result);
  stream_.reset();  // kills the process if it still runs (the client went away)
}

void ExecCore::Finish(const StatusOr<int>& result) {
  rc::ExecResult r;
  if (!result.ok()) {
    r = attach_ ? rc::AttachFailed(result.status().message())
                : rc::ExecFailed(result.status().message());
  } else if (!attach_ && *result != 0) {
    // Attach reports success whatever the container's exit code, as ServeAttach does.
    r = rc::ExitedWith(command_, *result);
  }
  if (transport_ == Transport::kWebSocket) {
    std::optional<std::string> message = ws_out_.Finish(r);
    if (message) io_->Send(std::move(*message), ws_out_.codec().text_frames());
    io_->Close();
    return;
  }
  std::optional<std::string> payload = rc::ErrorStreamPayload(version_, r);
  std::lock_guard<std::mutex> lock(session_mu_);
  std::optional<uint32_t> error_id = spdy_streams_.Stream(rc::StreamRole::kError);
  if (payload && error_id && session_.IsOpen(*error_id)) {
    (void)session_.SendData(*error_id, *payload);
  }
  (void)session_.Close();
  FlushSpdy();
  io_->Close();
}

using ExecTunnel = CoreTunnel<ExecCore>;

}  // namespace

std::shared_ptr<Tunnel> NewExecWebSocketTunnel(rc::WebSocketProtocol protocol, rc::Options options,
                                               std::unique_ptr<NodeStream> stream,
                                               std::vector<std::string> command, bool attach) {
  return std::make_shared<ExecTunnel>(
      std::make_shared<ExecCore>(ExecCore::Transport::kWebSocket, protocol, protocol.version,
                                 options, std::move(stream), std::move(command), attach));
}

std::shared_ptr<Tunnel> NewExecSpdyTunnel(rc::Version version, rc::Options options,
                                          std::unique_ptr<NodeStream> stream,
                                          std::vector<std::string> command, bool attach) {
  return stream_tunnels::NewExecSpdyTunnel(version, options, std::move(stream), std::move(command),
                                           attach, {});
}

std::shared_ptr<Tunnel> stream_tunnels::NewExecSpdyTunnel(rc::Version version, rc::Options options,
                                                          std::unique_ptr<NodeStream> stream,
                                                          std::vector<std::string> command,
                                                          bool attach, Timeouts timeouts) {
  return std::make_shared<ExecTunnel>(
      std::make_shared<ExecCore>(ExecCore::Transport::kSpdy, rc::WebSocketProtocol{}, version,
                                 options, std::move(stream), std::move(command), attach, timeouts));
}

}  // namespace minik
