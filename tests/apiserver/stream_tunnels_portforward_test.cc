// Port-forward tunnels (apiserver/stream_tunnels.h) against real sockets on 127.0.0.1: a
// small server thread plays the pod, a SpdyClient or channel messages play kubectl.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <list>

#include "apiserver/remotecommand.h"
#include "apiserver/stream_tunnels.h"
#include "apiserver/stream_tunnels_internal.h"
#include "tests/apiserver/stream_tunnels_test_util.h"

namespace minik {
namespace {

namespace rc = remotecommand;
using testing::Eventually;
using testing::FakeTunnelIo;
using testing::SpdyClient;

// A listening socket on 127.0.0.1 whose connections run `handler` on their own thread.
class PodServer {
 public:
  explicit PodServer(std::function<void(int)> handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 64), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] {
      while (true) {
        int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        ++accepted_;
        std::lock_guard<std::mutex> lock(mu_);
        threads_.emplace_back([this, fd] {
          handler_(fd);
          ::close(fd);
          ++finished_;
        });
      }
    });
  }
  ~PodServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (std::thread& t : threads_) t.join();
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  int finished() const { return finished_; }

 private:
  std::function<void(int)> handler_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::thread> threads_;
  std::atomic<int> accepted_{0};
  std::atomic<int> finished_{0};
};

// Echoes until the client half-closes, then closes.
void Echo(int fd) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    if (::send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
  }
}

// Echoes the first read, then closes.
void EchoOnce(int fd) {
  char buf[65536];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) (void)::send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
}

// A port on 127.0.0.1 that nothing listens on.
uint16_t UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The pod's port 80 is `server`; any other port is refused.
PortDialer DialerFor(uint16_t server_port, std::atomic<int>* dials = nullptr) {
  uint16_t refused = UnusedPort();
  return [server_port, refused, dials](uint16_t port) -> StatusOr<int> {
    if (dials) ++*dials;
    uint16_t real = port == 80 ? server_port : refused;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(real);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      return Status(Code::kServiceUnavailable,
                    "dial tcp4 127.0.0.1:" + std::to_string(port) + ": connect: " + err);
    }
    return fd;
  };
}

spdy::Headers PairHeaders(const char* type, uint16_t port, const std::string& request) {
  return {{"streamtype", type}, {"port", std::to_string(port)}, {"requestid", request}};
}

struct SpdyForward {
  std::shared_ptr<FakeTunnelIo> io;
  std::shared_ptr<Tunnel> tunnel;
  SpdyClient client;

  explicit SpdyForward(PortDialer dial, bool drain = true, stream_tunnels::Timeouts timeouts = {})
      : io(std::make_shared<FakeTunnelIo>(drain)),
        tunnel(stream_tunnels::NewPortForwardSpdyTunnel(std::move(dial), "web", "u1", timeouts)) {
    tunnel->Start(io);
  }
  void Send(const spdy::Frame& frame) { tunnel->OnReceive(client.Encode(frame), false); }
  // kubectl's order: the error stream (half-closed at once), then the data stream.
  void OpenPair(uint32_t error_id, uint16_t port, const std::string& request) {
    Send(spdy::Frame::SynStream(error_id, PairHeaders("error", port, request), spdy::kFlagFin));
    Send(spdy::Frame::SynStream(error_id + 2, PairHeaders("data", port, request)));
  }
  bool DataIs(uint32_t stream, const std::string& want) {
    return Eventually([&] {
      client.Read(*io);
      return client.DataOf(stream) == want;
    });
  }
  bool Fin(uint32_t stream) {
    return Eventually([&] {
      client.Read(*io);
      return client.FinOf(stream);
    });
  }
};

TEST(PortForwardSpdyTunnelTest, ConcurrentPairsAndARefusedPort) {
  PodServer pod(Echo);
  SpdyForward f(DialerFor(pod.port()));
  f.OpenPair(1, 80, "0");
  f.OpenPair(5, 80, "1");
  f.OpenPair(9, 81, "2");  // nothing listens
  f.Send(spdy::Frame::Data(3, "ping-0"));
  f.Send(spdy::Frame::Data(7, "ping-1"));
  EXPECT_TRUE(f.DataIs(3, "ping-0"));
  EXPECT_TRUE(f.DataIs(7, "ping-1"));
  // The refused pair: the error text on its error stream, both streams closed.
  ASSERT_TRUE(f.Fin(9));
  EXPECT_EQ(f.client.DataOf(9),
            "error forwarding port 81 to pod web, uid u1: dial tcp4 127.0.0.1:81: connect: "
            "Connection refused");
  EXPECT_TRUE(f.Fin(11));
  EXPECT_EQ(f.client.DataOf(1), "");
  EXPECT_EQ(f.client.DataOf(5), "");
  EXPECT_FALSE(f.io->closed());

  // The client half-closes pair 0: the pod sees EOF and closes, the data stream ends, then
  // the error stream. Pair 1 keeps working.
  f.Send(spdy::Frame::Data(3, "", /*fin=*/true));
  EXPECT_TRUE(f.Fin(3));
  EXPECT_TRUE(f.Fin(1));
  EXPECT_FALSE(f.client.FinOf(7));
  f.Send(spdy::Frame::Data(7, " again"));
  EXPECT_TRUE(f.DataIs(7, "ping-1 again"));
  EXPECT_EQ(pod.accepted(), 2);
  EXPECT_TRUE(Eventually([&] { return pod.finished() == 1; }));

  f.tunnel->OnClosed();
  f.tunnel.reset();
  // The pump closed the remaining pod connection.
  EXPECT_TRUE(Eventually([&] { return pod.finished() == 2; }));
}

TEST(PortForwardSpdyTunnelTest, PodClosingFirstEndsThePairAfterTheGrace) {
  PodServer pod(EchoOnce);
  SpdyForward f(DialerFor(pod.port()));
  f.OpenPair(1, 80, "0");
  f.Send(spdy::Frame::Data(3, "GET /"));
  EXPECT_TRUE(f.DataIs(3, "GET /"));
  EXPECT_TRUE(f.Fin(3));  // the pod closed: FIN on the data stream
  // The client never half-closes (kubectl waits for the error stream): ended after ~1 s.
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(f.Fin(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700));
}

TEST(PortForwardSpdyTunnelTest, WebSocketTunnelledBytesNeedNotAlignWithFrames) {
  PodServer pod(Echo);
  SpdyForward f(DialerFor(pod.port()));
  // Encoded one after the other: the header blocks share one zlib stream.
  std::string wire =
      f.client.Encode(spdy::Frame::SynStream(1, PairHeaders("error", 80, "0"), spdy::kFlagFin));
  wire += f.client.Encode(spdy::Frame::SynStream(3, PairHeaders("data", 80, "0")));
  wire += f.client.Encode(spdy::Frame::Data(3, "split"));
  for (char c : wire) f.tunnel->OnReceive(std::string(1, c), false);
  EXPECT_TRUE(f.DataIs(3, "split"));
}

TEST(PortForwardSpdyTunnelTest, BadStreamsAreRejectedAlone) {
  PodServer pod(Echo);
  std::atomic<int> dials{0};
  SpdyForward f(DialerFor(pod.port(), &dials));
  f.Send(spdy::Frame::SynStream(1, {{"streamtype", "data"}}));  // no port
  f.Send(spdy::Frame::SynStream(3, {{"streamtype", "bogus"}, {"port", "80"}}));
  f.Send(spdy::Frame::SynStream(5, {{"streamtype", "data"}, {"port", "0"}}));
  ASSERT_TRUE(Eventually([&] {
    f.client.Read(*f.io);
    return f.client.ResetOf(1) && f.client.ResetOf(3) && f.client.ResetOf(5);
  }));
  // A second error stream for one request: the text goes to the pair's error stream.
  f.Send(spdy::Frame::SynStream(7, PairHeaders("error", 80, "9")));
  f.Send(spdy::Frame::SynStream(9, PairHeaders("error", 80, "9")));
  EXPECT_TRUE(f.DataIs(7, "error processing stream for request 9: error stream already assigned"));
  // Data before the pair is complete is kept; the pair then works.
  f.Send(spdy::Frame::SynStream(11, PairHeaders("data", 80, "5")));
  f.Send(spdy::Frame::Data(11, "early"));
  f.Send(spdy::Frame::SynStream(13, PairHeaders("error", 80, "5")));
  EXPECT_TRUE(f.DataIs(11, "early"));
  EXPECT_EQ(dials, 1);
  EXPECT_FALSE(f.io->closed());
}

TEST(PortForwardSpdyTunnelTest, IncompletePairTimesOut) {
  PodServer pod(Echo);
  std::atomic<int> dials{0};
  stream_tunnels::Timeouts timeouts;
  timeouts.stream_creation = std::chrono::milliseconds(100);
  SpdyForward f(DialerFor(pod.port(), &dials), true, timeouts);
  f.Send(spdy::Frame::SynStream(1, PairHeaders("error", 80, "0"), spdy::kFlagFin));
  ASSERT_TRUE(Eventually([&] {
    f.client.Read(*f.io);
    return f.client.DataOf(1).find("request=0) timed out waiting for streams") != std::string::npos;
  }));
  EXPECT_EQ(f.client.DataOf(1).rfind("(conn=", 0), 0u);
  // A later data stream with that ID starts a new pair; the tunnel still serves others.
  f.OpenPair(5, 80, "1");
  f.Send(spdy::Frame::Data(7, "still"));
  EXPECT_TRUE(f.DataIs(7, "still"));
  EXPECT_EQ(dials, 1);
}

TEST(PortForwardSpdyTunnelTest, ResetClosesThePodConnection) {
  PodServer pod(Echo);
  SpdyForward f(DialerFor(pod.port()));
  f.OpenPair(1, 80, "0");
  f.Send(spdy::Frame::Data(3, "x"));
  ASSERT_TRUE(f.DataIs(3, "x"));
  f.Send(spdy::Frame::RstStream(3, spdy::RstStatus::kCancel));
  EXPECT_TRUE(Eventually([&] { return pod.finished() == 1; }));
}

TEST(PortForwardSpdyTunnelTest, GarbageClosesTheConnection) {
  PodServer pod(Echo);
  SpdyForward bad(DialerFor(pod.port()));
  SpdyForward good(DialerFor(pod.port()));
  bad.OpenPair(1, 80, "0");
  bad.Send(spdy::Frame::Data(3, "a"));
  ASSERT_TRUE(bad.DataIs(3, "a"));
  bad.tunnel->OnReceive(std::string(16, '\xff'), false);
  ASSERT_TRUE(Eventually([&] { return bad.io->closed(); }));
  bad.tunnel->OnClosed();
  EXPECT_TRUE(Eventually([&] { return pod.finished() == 1; }));
  good.OpenPair(1, 80, "0");
  good.Send(spdy::Frame::Data(3, "b"));
  EXPECT_TRUE(good.DataIs(3, "b"));
}

TEST(PortForwardSpdyTunnelTest, ClientThatNeverReadsBoundsMemory) {
  constexpr size_t kTotal = 16u << 20;
  PodServer pod([](int fd) {
    std::string chunk(64 * 1024, 'd');
    size_t sent = 0;
    while (sent < kTotal) {
      ssize_t n = ::send(fd, chunk.data(), std::min(chunk.size(), kTotal - sent), MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  });
  SpdyForward f(DialerFor(pod.port()), /*drain=*/false);
  f.OpenPair(1, 80, "0");
  ASSERT_TRUE(Eventually([&] { return f.io->queued_bytes() >= (1u << 20); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  size_t stalled = f.io->queued_bytes();
  // At most one chunk (and its frame header) past the bound.
  EXPECT_LE(stalled, (1u << 20) + stream_tunnels::kReadChunk + 64);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(f.io->queued_bytes(), stalled);
  f.io->Drain();
  EXPECT_TRUE(Eventually(
      [&] {
        f.client.Read(*f.io);
        return f.client.FinOf(3);
      },
      10000));
  EXPECT_EQ(f.client.DataOf(3).size(), kTotal);
}

// ---- WebSocket channels ----

std::string PortPrefix(uint8_t channel, uint16_t port) {
  return {static_cast<char>(channel), static_cast<char>(port & 0xff), static_cast<char>(port >> 8)};
}

TEST(PortForwardWebSocketTunnelTest, DataAndErrorChannelsPerPort) {
  PodServer pod(EchoOnce);
  auto io = std::make_shared<FakeTunnelIo>();
  auto tunnel = NewPortForwardWebSocketTunnel({"v4.channel.k8s.io", 4, false}, {80, 81},
                                              DialerFor(pod.port()), "web", "u1");
  tunnel->Start(io);
  ASSERT_TRUE(Eventually([&] { return io->message_count() >= 4; }));
  auto messages = io->messages();
  EXPECT_EQ(messages[0].data, PortPrefix(0, 80));
  EXPECT_EQ(messages[1].data, PortPrefix(1, 80));
  EXPECT_EQ(messages[2].data, PortPrefix(2, 81));
  EXPECT_EQ(messages[3].data, PortPrefix(3, 81));
  tunnel->OnReceive(std::string(1, '\0') + "hello", false);
  ASSERT_TRUE(Eventually([&] {
    bool echoed = false, error = false;
    for (const auto& m : io->messages()) {
      echoed |= m.data == std::string(1, '\0') + "hello";
      error |= m.data ==
               "\x03"
               "error forwarding port 81 to pod web, uid u1: dial tcp4 127.0.0.1:81: connect: "
               "Connection refused";
    }
    return echoed && error;
  }));
  // The pod closed port 80's connection and port 81 failed: the WebSocket ends.
  EXPECT_TRUE(Eventually([&] { return io->closed(); }));
  tunnel->OnClosed();
}

TEST(PortForwardWebSocketTunnelTest, BadInputAndClose) {
  PodServer pod(Echo);
  auto io = std::make_shared<FakeTunnelIo>();
  auto tunnel = NewPortForwardWebSocketTunnel({"v4.base64.channel.k8s.io", 4, true}, {80},
                                              DialerFor(pod.port()), "web", "u1");
  tunnel->Start(io);
  tunnel->OnReceive("0aGk=", true);  // "hi" on port 80's data channel
  ASSERT_TRUE(Eventually([&] {
    for (const auto& m : io->messages()) {
      if (m.data == "0aGk=" && m.text) return true;
    }
    return false;
  }));
  tunnel->OnReceive("1aGk=", true);  // the error channel is write-only: ignored
  tunnel->OnReceive("7zz", true);    // unknown channel: ignored
  EXPECT_FALSE(io->closed());
  tunnel->OnClosed();
  tunnel.reset();
  EXPECT_TRUE(Eventually([&] { return pod.finished() == 1; }));
}

}  // namespace
}  // namespace minik
