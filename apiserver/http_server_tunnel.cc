// Upgraded connections: WebSocket (Beast) and raw bytes after a 101 (SPDY/3.1), both driving a
// Tunnel (http.h).
//
// Threads: everything on the connection's strand (the HTTP session's), except the TunnelIo
// methods, which any thread may call: they count queued bytes under a mutex and post the
// work to the strand. A Connection is owned by its pending operations; posts hold only a
// weak_ptr, so a connection that ended is not kept alive by a producer.
//
// Ending: the first of a read error (the client closed or went away), a write error,
// TunnelIo::Close() once the queue is written, or Connection::Close() finishes the
// connection: OnClosed to the tunnel exactly once, waiting producers released, the socket
// closed (after the WebSocket close handshake or TLS close_notify when we end it cleanly,
// bounded by kCloseGrace).
#include "apiserver/http_server_tunnel.h"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "api/log.h"

namespace minik::http_tunnel {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using Executor = net::any_io_executor;

constexpr char kComponent[] = "http";
constexpr std::chrono::seconds kCloseGrace(2);
constexpr size_t kReadChunk = 64 * 1024;
// Larger client messages end the connection (a SPDY frame is at most 16 MiB + header).
constexpr size_t kMaxMessageBytes = 17 * 1024 * 1024;

class ConnectionBase;

// TunnelIo for one connection. Outlives it when a tunnel keeps it: then it drops what is sent.
class Io : public TunnelIo {
 public:
  Io(Executor strand, std::weak_ptr<ConnectionBase> connection)
      : strand_(std::move(strand)), connection_(std::move(connection)) {}

  void Send(std::string data, bool text) override;
  void Close() override;
  size_t queued_bytes() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return queued_;
  }
  void PauseReading(bool paused) override;
  bool WaitWritable(size_t limit, int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [&] { return closed_ || queued_ <= limit; };
    if (timeout_ms < 0) {
      cv_.wait(lock, ready);
    } else {
      cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready);
    }
    return !closed_ && queued_ <= limit;
  }

  void SetWritableNotify(size_t low_water, std::function<void()> notify) override {
    std::lock_guard<std::mutex> lock(mu_);
    low_water_ = low_water;
    notify_ = std::move(notify);
  }

  // On the strand.
  void Written(size_t n) {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t before = queued_;
      queued_ -= std::min(queued_, n);
      if (before > low_water_ && queued_ <= low_water_) notify = notify_;
      cv_.notify_all();
    }
    if (notify) notify();
  }
  void MarkClosed() {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      notify = std::move(notify_);
      notify_ = nullptr;
      cv_.notify_all();
    }
    if (notify) notify();
  }

 private:
  const Executor strand_;
  const std::weak_ptr<ConnectionBase> connection_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t queued_ = 0;    // guarded by mu_
  bool closed_ = false;  // guarded by mu_
  size_t low_water_ = 0;             // guarded by mu_
  std::function<void()> notify_;     // guarded by mu_
};

struct Message {
  std::string data;
  bool text = false;
};

// What the WebSocket and raw connections share: the write queue, pausing, ending.
class ConnectionBase : public Connection, public std::enable_shared_from_this<ConnectionBase> {
 public:
  ConnectionBase(Executor strand, std::shared_ptr<Tunnel> tunnel, std::shared_ptr<void> owner)
      : strand_(std::move(strand)),
        timer_(strand_),
        tunnel_(std::move(tunnel)),
        owner_(std::move(owner)) {}

  void Init() { io_ = std::make_shared<Io>(strand_, weak_from_this()); }

  void Close() override {
    net::post(strand_, [self = shared_from_this()] { self->Finish("closed by the server"); });
  }

  // On the strand, from Io.
  void Enqueue(Message message) {
    if (finished_ || closing_) return;
    queue_.push_back(std::move(message));
    WriteNext();
  }
  void CloseAfterFlush() {
    if (finished_ || closing_) return;
    close_requested_ = true;
    WriteNext();
  }
  void SetPaused(bool paused) {
    paused_ = paused;
    // Our pending operations own us; a paused connection with nothing to write has none,
    // and would be destroyed (the socket closed without a word) before the tunnel resumes.
    if (paused_ && !finished_) {
      paused_hold_ = shared_from_this();
    } else {
      paused_hold_.reset();
    }
    if (!paused_ && !reading_ && running_ && !finished_ && !closing_) Read();
  }

 protected:
  // Starts the tunnel and the read loop once the upgrade answer is out.
  // `first`: bytes the client sent right behind its request; they belong to the tunnel.
  void Run(std::string first = {}) {
    running_ = true;
    tunnel_->Start(io_);
    if (!first.empty() && !finished_) tunnel_->OnReceive(std::move(first), false);
    if (!finished_ && !paused_ && !closing_) Read();
    WriteNext();
  }
  void Received(std::string data, bool text) {
    reading_ = false;
    if (finished_) return;
    tunnel_->OnReceive(std::move(data), text);
    if (!paused_ && !finished_ && !closing_) Read();
  }
  void WriteNext() {
    if (writing_ || finished_ || closing_ || !running_) return;
    if (queue_.empty()) {
      if (close_requested_) {
        closing_ = true;
        timer_.expires_after(kCloseGrace);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
          if (!ec) self->Finish("close timed out");
        });
        DoClose();
      }
      return;
    }
    writing_ = true;
    DoWrite(queue_.front());
  }
  void Wrote(beast::error_code ec) {
    writing_ = false;
    if (finished_) return;
    if (ec) return Finish("write failed: " + ec.message());
    io_->Written(queue_.front().data.size());
    queue_.pop_front();
    WriteNext();
  }
  void Finish(const std::string& why) {
    if (finished_) return;
    finished_ = true;
    auto keep = std::move(paused_hold_);  // released when we return, not while we run
    LOG(Debug, kComponent) << "upgraded connection ended: " << why;
    timer_.cancel();
    queue_.clear();
    io_->MarkClosed();
    if (running_) tunnel_->OnClosed();
    tunnel_.reset();  // a tunnel holding its io must not keep itself alive through us
    CloseSocket();
  }

  virtual void Read() = 0;
  virtual void DoWrite(const Message& message) = 0;
  virtual void DoClose() = 0;  // a clean end after the queue is written; calls Finish
  virtual void CloseSocket() = 0;

  const Executor strand_;
  net::steady_timer timer_;
  std::shared_ptr<Tunnel> tunnel_;
  std::shared_ptr<Io> io_;
  bool reading_ = false;

 private:
  std::shared_ptr<void> owner_;
  std::deque<Message> queue_;
  bool running_ = false;
  bool writing_ = false;
  bool paused_ = false;
  std::shared_ptr<ConnectionBase> paused_hold_;  // us, while paused_ (cleared by Finish)
  bool close_requested_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

void Io::Send(std::string data, bool text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    queued_ += data.size();
  }
  net::post(strand_, [weak = connection_, message = Message{std::move(data), text}]() mutable {
    if (auto c = weak.lock()) c->Enqueue(std::move(message));
  });
}

void Io::Close() {
  net::post(strand_, [weak = connection_] {
    if (auto c = weak.lock()) c->CloseAfterFlush();
  });
}

void Io::PauseReading(bool paused) {
  net::post(strand_, [weak = connection_, paused] {
    if (auto c = weak.lock()) c->SetPaused(paused);
  });
}

// ---------------------------------------------------------------------------------------

class WebSocketConnection : public ConnectionBase {
 public:
  WebSocketConnection(TlsStream stream, UpgradeRequest request, HttpUpgrade upgrade,
                      std::shared_ptr<void> owner)
      : ConnectionBase(stream.get_executor(), upgrade.tunnel, std::move(owner)),
        ws_(std::move(stream)),
        request_(std::move(request)),
        protocol_(std::move(upgrade.protocol)) {}

  void Accept() {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    // Pings at half the idle time find dead peers; live kubectl answers them.
    timeouts.idle_timeout = std::chrono::minutes(5);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([protocol = protocol_](
                                                         websocket::response_type& response) {
      response.erase(http::field::server);  // Beast names itself; Kubernetes sends none
      if (!protocol.empty()) response.set(http::field::sec_websocket_protocol, protocol);
    }));
    ws_.read_message_max(kMaxMessageBytes);
    ws_.auto_fragment(false);
    ws_.async_accept(request_, [self = Self()](beast::error_code ec) {
      self->request_ = {};
      if (ec) return self->Finish("websocket handshake failed: " + ec.message());
      self->Run();
    });
  }

 private:
  std::shared_ptr<WebSocketConnection> Self() {
    return std::static_pointer_cast<WebSocketConnection>(shared_from_this());
  }
  void Read() override {
    reading_ = true;
    read_buffer_.clear();
    ws_.async_read(read_buffer_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) {
        self->reading_ = false;
        return self->Finish(ec == websocket::error::closed ? "client closed"
                                                          : "read failed: " + ec.message());
      }
      std::string data = beast::buffers_to_string(self->read_buffer_.data());
      self->read_buffer_.clear();
      self->Received(std::move(data), self->ws_.got_text());
    });
  }
  void DoWrite(const Message& message) override {
    ws_.text(message.text);
    ws_.async_write(net::buffer(message.data),
                    [self = Self()](beast::error_code ec, size_t) { self->Wrote(ec); });
  }
  void DoClose() override {
    ws_.async_close(websocket::close_code::normal, [self = Self()](beast::error_code ec) {
      self->Finish(ec ? "close failed: " + ec.message() : "closed");
    });
  }
  void CloseSocket() override {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(ws_);
    socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  websocket::stream<TlsStream> ws_;
  UpgradeRequest request_;
  std::string protocol_;
  beast::flat_buffer read_buffer_;
};

// ---------------------------------------------------------------------------------------

class RawConnection : public ConnectionBase {
 public:
  RawConnection(TlsStream stream, beast::flat_buffer buffer, HttpUpgrade upgrade,
                std::shared_ptr<void> owner)
      : ConnectionBase(stream.get_executor(), upgrade.tunnel, std::move(owner)),
        stream_(std::move(stream)),
        leftover_(beast::buffers_to_string(buffer.data())) {}

  void Answer(const std::vector<std::pair<std::string, std::string>>& headers) {
    answer_ = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n";
    for (const auto& [name, value] : headers) {
      if (name.empty() || name.find_first_of("\r\n: ") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos || beast::iequals(name, "Connection") ||
          beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding")) {
        continue;
      }
      answer_ += name + ": " + value + "\r\n";
    }
    answer_ += "\r\n";
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([weak = std::weak_ptr<RawConnection>(Self())](beast::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->Finish("upgrade answer timed out");
    });
    net::async_write(stream_, net::buffer(answer_), [self = Self()](beast::error_code ec, size_t) {
      self->timer_.cancel();
      self->answer_.clear();
      if (ec) return self->Finish("upgrade answer failed: " + ec.message());
      std::string first = std::move(self->leftover_);
      self->leftover_.clear();
      self->Run(std::move(first));
    });
  }

 private:
  std::shared_ptr<RawConnection> Self() {
    return std::static_pointer_cast<RawConnection>(shared_from_this());
  }
  void Read() override {
    if (reading_) return;
    reading_ = true;
    read_buffer_.resize(kReadChunk);
    stream_.async_read_some(net::buffer(read_buffer_),
                            [self = Self()](beast::error_code ec, size_t n) {
                              if (self->shutting_down_) {
                                self->reading_ = false;
                                return self->Shutdown();
                              }
                              if (ec) {
                                self->reading_ = false;
                                return self->Finish(ec == net::error::eof ||
                                                            ec == net::ssl::error::stream_truncated
                                                        ? "client closed"
                                                        : "read failed: " + ec.message());
                              }
                              self->Received(self->read_buffer_.substr(0, n), false);
                            });
  }
  void DoWrite(const Message& message) override {
    net::async_write(stream_, net::buffer(message.data),
                     [self = Self()](beast::error_code ec, size_t) { self->Wrote(ec); });
  }
  // TLS close_notify may not run beside a pending read: cancel the read first.
  void DoClose() override {
    shutting_down_ = true;
    if (reading_) {
      beast::error_code ec;
      beast::get_lowest_layer(stream_).cancel(ec);
      return;  // the read's handler calls Shutdown
    }
    Shutdown();
  }
  void Shutdown() {
    stream_.async_shutdown([self = Self()](beast::error_code) { self->Finish("closed"); });
  }
  void CloseSocket() override {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(stream_);
    socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  TlsStream stream_;
  std::string leftover_;
  std::string answer_;
  std::string read_buffer_;
  bool shutting_down_ = false;
};

}  // namespace

std::shared_ptr<Connection> Start(TlsStream stream, beast::flat_buffer buffer,
                                  UpgradeRequest request, HttpUpgrade upgrade,
                                  std::vector<std::pair<std::string, std::string>> headers,
                                  std::shared_ptr<void> owner) {
  if (upgrade.kind == HttpUpgrade::Kind::kWebSocket) {
    if (buffer.size() > 0) {
      LOG(Debug, kComponent) << "dropping " << buffer.size()
                             << " bytes sent before the websocket handshake";
    }
    auto c = std::make_shared<WebSocketConnection>(std::move(stream), std::move(request),
                                                   std::move(upgrade), std::move(owner));
    c->Init();
    c->Accept();
    return c;
  }
  auto c = std::make_shared<RawConnection>(std::move(stream), std::move(buffer),
                                           std::move(upgrade), std::move(owner));
  c->Init();
  c->Answer(headers);
  return c;
}

}  // namespace minik::http_tunnel
