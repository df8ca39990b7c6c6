// The pieces the stream tunnels share (stream_tunnels_internal.h).
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "apiserver/stream_tunnels_internal.h"

namespace minik::stream_tunnels {

Waker::Waker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Waker::~Waker() {
  if (fd_ >= 0) ::close(fd_);
}

void Waker::Poke() {
  if (fd_ < 0) return;
  uint64_t one = 1;
  // EAGAIN only when the counter is saturated: it is then readable anyway.
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
}

std::function<void()> Waker::Poker() const {
  int fd = fd_ < 0 ? -1 : ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return [] {};
  auto held = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  return [held] {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(*held, &one, sizeof one);
  };
}

void Waker::Drain() {
  if (fd_ < 0) return;
  uint64_t value;
  [[maybe_unused]] ssize_t n = ::read(fd_, &value, sizeof value);
}

PumpThread::~PumpThread() {
  if (!thread_.joinable()) return;
  bool done;
  {
    std::unique_lock<std::mutex> lock(done_->mu);
    done = done_->cv.wait_for(lock, std::chrono::milliseconds(kJoinGraceMs),
                              [&] { return done_->done; });
  }
  if (done) {
    thread_.join();
  } else {
    thread_.detach();
  }
}

void PumpThread::Run(std::function<void()> body) {
  done_ = std::make_shared<Done>();
  thread_ = std::thread([done = done_, body = std::move(body)]() mutable {
    // A write to a pipe whose reader is gone must fail with EPIPE, not kill the process:
    // the signal is thread-directed, so blocking it here is enough.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    {
      // Released here, before `done`: whoever waits for it may rely on the body's state
      // (a NodeStream, sockets) being gone.
      std::function<void()> local = std::move(body);
      local();
    }
    std::lock_guard<std::mutex> lock(done->mu);
    done->done = true;
    done->cv.notify_all();
  });
}

void ReadGate::Update(TunnelIo& io, size_t pending_input) {
  size_t queued = io.queued_bytes();
  std::lock_guard<std::mutex> lock(mu_);
  if (!paused_ && (pending_input > kMaxPendingInput || queued > kMaxQueuedBeforePause)) {
    paused_ = true;
    io.PauseReading(true);
  } else if (paused_ && pending_input <= kMaxPendingInput / 2 &&
             queued <= kMaxQueuedBeforePause / 2) {
    paused_ = false;
    io.PauseReading(false);
  }
}

bool SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

IoResult ReadSome(int fd, std::string* out, std::string* error) {
  size_t old = out->size();
  out->resize(old + kReadChunk);
  ssize_t n;
  do {
    n = ::read(fd, out->data() + old, kReadChunk);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    out->resize(old + static_cast<size_t>(n));
    return IoResult::kOk;
  }
  int err = errno;
  out->resize(old);
  if (n == 0) return IoResult::kEof;
  if (err == EAGAIN || err == EWOULDBLOCK) return IoResult::kAgain;
  // A pty's master reads EIO once the terminal's last holder closed it: that is its EOF.
  if (err == EIO) return IoResult::kEof;
  *error = std::strerror(err);
  return IoResult::kError;
}

IoResult WriteSome(int fd, std::string* data, std::string* error) {
  if (data->empty()) return IoResult::kOk;
  ssize_t n;
  do {
    n = ::send(fd, data->data(), data->size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data->data(), data->size());
  } while (n < 0 && errno == EINTR);
  if (n >= 0) {
    data->erase(0, static_cast<size_t>(n));
    return IoResult::kOk;
  }
  int err = errno;
  if (err == EAGAIN || err == EWOULDBLOCK) return IoResult::kAgain;
  *error = std::strerror(err);
  return IoResult::kError;
}

}  // namespace minik::stream_tunnels
