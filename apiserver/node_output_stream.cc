// NewNodeOutputStream: see node_output_stream.h.
#include "apiserver/node_output_stream.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace minik {
namespace {

constexpr size_t kMaxBuffered = 1 << 20;
constexpr size_t kReadSize = 64 * 1024;

class NodeOutputStream final : public ResponseStream {
 public:
  explicit NodeOutputStream(std::unique_ptr<NodeStream> stream)
      : stream_(std::move(stream)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (stream_->stdout_fd() < 0 || wake_ < 0) {
      eof_ = true;  // nothing to send
      return;
    }
    reader_ = std::thread([this] { Read(); });
  }
  ~NodeOutputStream() override {
    Cancel();
    if (wake_ >= 0) ::close(wake_);
  }

  void SetNotify(std::function<void()> notify) override {
    bool ready;
    {
      std::lock_guard<std::mutex> lock(mu_);
      notify_ = std::move(notify);
      ready = !buffer_.empty() || eof_;
    }
    if (ready) Notify();
  }

  bool Pull(std::string& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out += buffer_;
    buffer_.clear();
    room_.notify_all();
    return !eof_;
  }

  void Cancel() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) return;
      cancelled_ = true;
      notify_ = nullptr;
      room_.notify_all();
    }
    uint64_t one = 1;
    if (wake_ >= 0) {
      ssize_t n = ::write(wake_, &one, sizeof one);
      (void)n;
    }
    if (reader_.joinable()) reader_.join();
    stream_.reset();  // stops the node side (the kubelet's follower)
  }

 private:
  void Notify() {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      notify = notify_;
    }
    if (notify) notify();
  }

  void Read() {
    const int fd = stream_->stdout_fd();
    std::string chunk;
    for (;;) {
      {
        // Back-pressure: wait until the server took what is buffered.
        std::unique_lock<std::mutex> lock(mu_);
        room_.wait(lock, [&] { return cancelled_ || buffer_.size() < kMaxBuffered; });
        if (cancelled_) return;
      }
      struct pollfd p[2] = {{fd, POLLIN, 0}, {wake_, POLLIN, 0}};
      int n = ::poll(p, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || p[1].revents) break;
      chunk.resize(kReadSize);
      ssize_t got = ::read(fd, chunk.data(), chunk.size());
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) break;  // EOF: the log ended (the container ended, or limitBytes)
      chunk.resize(static_cast<size_t>(got));
      {
        std::lock_guard<std::mutex> lock(mu_);
        buffer_ += chunk;
      }
      Notify();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      eof_ = true;
    }
    Notify();
  }

  std::unique_ptr<NodeStream> stream_;
  int wake_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable room_;
  std::function<void()> notify_;  // guarded by mu_
  std::string buffer_;            // guarded by mu_
  bool eof_ = false;              // guarded by mu_
  bool cancelled_ = false;        // guarded by mu_
};

}  // namespace

std::shared_ptr<ResponseStream> NewNodeOutputStream(std::unique_ptr<NodeStream> stream) {
  return std::make_shared<NodeOutputStream>(std::move(stream));
}

}  // namespace minik
