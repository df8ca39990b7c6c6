// Fakes for the stream tunnel tests: a TunnelIo that records what is sent (with a queue the
// test drains or not), a NodeStream over pipes where the test plays the process, and a
// SPDY client that reads what the server sent.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/node_connector.h"
#include "apiserver/http.h"
#include "apiserver/spdy.h"

namespace minik::testing {

// Polls `pred` until it holds or `ms` pass.
inline bool Eventually(const std::function<bool()>& pred, int ms = 3000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class FakeTunnelIo : public TunnelIo {
 public:
  struct Message {
    std::string data;
    bool text = false;
  };
  // drain: bytes count as written at once; otherwise they stay queued until Drain().
  explicit FakeTunnelIo(bool drain = true) : drain_(drain) {}

  void Send(std::string data, bool text) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    if (!drain_) queued_ += data.size();
    sent_bytes_ += data.size();
    messages_.push_back({std::move(data), text});
    cv_.notify_all();
  }
  void Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  size_t queued_bytes() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return queued_;
  }
  void PauseReading(bool paused) override {
    std::lock_guard<std::mutex> lock(mu_);
    pauses_.push_back(paused);
  }
  bool WaitWritable(size_t limit, int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                 [&] { return closed_ || queued_ <= limit; });
    return !closed_ && queued_ <= limit;
  }

  // The client read everything.
  void Drain() {
    std::lock_guard<std::mutex> lock(mu_);
    queued_ = 0;
    drain_ = true;
    cv_.notify_all();
  }
  std::vector<Message> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  size_t message_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size();
  }
  // All bytes sent, concatenated (a raw SPDY connection).
  std::string bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const Message& m : messages_) out += m.data;
    return out;
  }
  size_t sent_bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_bytes_;
  }
  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  std::vector<bool> pauses() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pauses_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool drain_;
  size_t queued_ = 0;
  size_t sent_bytes_ = 0;
  bool closed_ = false;
  std::vector<Message> messages_;
  std::vector<bool> pauses_;
};

// The test's side of a process behind a FakeNodeStream.
struct FakeProcess {
  int stdin_r = -1;   // what the tunnel wrote to stdin
  int stdout_w = -1;  // the test writes the process's output here
  int stderr_w = -1;

  std::mutex mu;
  std::condition_variable cv;
  std::optional<StatusOr<int>> exit;                 // guarded by mu
  std::vector<std::pair<uint16_t, uint16_t>> sizes;  // guarded by mu
  bool stdin_closed = false;                         // guarded by mu
  bool destroyed = false;                            // guarded by mu

  ~FakeProcess() {
    for (int fd : {stdin_r, stdout_w, stderr_w}) {
      if (fd >= 0) ::close(fd);
    }
  }
  void CloseOutputs() {
    for (int* fd : {&stdout_w, &stderr_w}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
  }
  void Exit(StatusOr<int> result) {
    std::lock_guard<std::mutex> lock(mu);
    exit = std::move(result);
    cv.notify_all();
  }
  bool Destroyed() {
    std::lock_guard<std::mutex> lock(mu);
    return destroyed;
  }
  bool StdinClosed() {
    std::lock_guard<std::mutex> lock(mu);
    return stdin_closed;
  }
  std::vector<std::pair<uint16_t, uint16_t>> Sizes() {
    std::lock_guard<std::mutex> lock(mu);
    return sizes;
  }
  // Reads stdin until `n` bytes or EOF (or 3 s).
  std::string ReadStdin(size_t n) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      char buf[65536];
      ssize_t r = ::read(stdin_r, buf, std::min(sizeof buf, n - out.size()));
      if (r == 0) break;
      if (r < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }
  // True when stdin reads EOF (within 3 s).
  bool StdinEof() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      ssize_t r = ::read(stdin_r, buf, sizeof buf);
      if (r == 0) return true;
      if (r < 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
};

class FakeNodeStream : public NodeStream {
 public:
  FakeNodeStream(std::shared_ptr<FakeProcess> p, bool in, bool out, bool err) : p_(std::move(p)) {
    int fds[2];
    if (in && ::pipe2(fds, O_CLOEXEC) == 0) {
      p_->stdin_r = fds[0];
      ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
      stdin_w_ = fds[1];
    }
    if (out && ::pipe2(fds, O_CLOEXEC) == 0) {
      stdout_r_ = fds[0];
      p_->stdout_w = fds[1];
    }
    if (err && ::pipe2(fds, O_CLOEXEC) == 0) {
      stderr_r_ = fds[0];
      p_->stderr_w = fds[1];
    }
  }
  ~FakeNodeStream() override {
    for (int fd : {stdin_w_, stdout_r_, stderr_r_}) {
      if (fd >= 0) ::close(fd);
    }
    std::lock_guard<std::mutex> lock(p_->mu);
    p_->destroyed = true;
    p_->cv.notify_all();
  }
  int stdin_fd() const override { return stdin_w_; }
  int stdout_fd() const override { return stdout_r_; }
  int stderr_fd() const override { return stderr_r_; }
  void CloseStdin() override {
    if (stdin_w_ >= 0) ::close(stdin_w_);
    stdin_w_ = -1;
    std::lock_guard<std::mutex> lock(p_->mu);
    p_->stdin_closed = true;
  }
  Status Resize(uint16_t width, uint16_t height) override {
    std::lock_guard<std::mutex> lock(p_->mu);
    p_->sizes.emplace_back(width, height);
    return Status::Ok();
  }
  StatusOr<int> Wait(int timeout_ms) override {
    std::unique_lock<std::mutex> lock(p_->mu);
    p_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [&] { return p_->exit.has_value(); });
    if (!p_->exit) return Status(Code::kTimeout, "running");
    return *p_->exit;
  }

 private:
  std::shared_ptr<FakeProcess> p_;
  int stdin_w_ = -1;
  int stdout_r_ = -1;
  int stderr_r_ = -1;
};

inline void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    ASSERT_GT(n, 0);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// The client's side of a SPDY connection: encodes frames and decodes what the server sent.
class SpdyClient {
 public:
  std::string Encode(const spdy::Frame& frame) {
    std::string out;
    Status st = codec_.Encode(frame, &out);
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }
  // Decodes the server's bytes not read yet.
  std::vector<spdy::Frame> Read(const FakeTunnelIo& io) {
    std::string all = io.bytes();
    std::vector<spdy::Frame> frames;
    Status st = codec_.Feed(std::string_view(all).substr(read_), &frames);
    EXPECT_TRUE(st.ok()) << st.message();
    read_ = all.size();
    for (const spdy::Frame& f : frames) frames_.push_back(f);
    return frames;
  }
  const std::vector<spdy::Frame>& frames() const { return frames_; }
  // Data received so far on `stream`, and whether it was half-closed (FIN) or reset.
  std::string DataOf(uint32_t stream) const {
    std::string out;
    for (const spdy::Frame& f : frames_) {
      if (f.type == spdy::FrameType::kData && f.stream_id == stream) out += f.data;
    }
    return out;
  }
  bool FinOf(uint32_t stream) const {
    for (const spdy::Frame& f : frames_) {
      if ((f.type == spdy::FrameType::kData || f.type == spdy::FrameType::kSynReply) &&
          f.stream_id == stream && f.fin()) {
        return true;
      }
    }
    return false;
  }
  bool ResetOf(uint32_t stream) const {
    for (const spdy::Frame& f : frames_) {
      if (f.type == spdy::FrameType::kRstStream && f.stream_id == stream) return true;
    }
    return false;
  }
  bool Has(spdy::FrameType type) const {
    for (const spdy::Frame& f : frames_) {
      if (f.type == type) return true;
    }
    return false;
  }

 private:
  spdy::Codec codec_;
  size_t read_ = 0;
  std::vector<spdy::Frame> frames_;
};

}  // namespace minik::testing
