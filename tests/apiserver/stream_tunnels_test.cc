// Exec and attach tunnels (apiserver/stream_tunnels.h) against a FakeTunnelIo and a
// FakeNodeStream where the test plays the process.
#include "apiserver/stream_tunnels.h"

#include <gtest/gtest.h>

#include "apiserver/remotecommand.h"
#include "apiserver/stream_tunnels_internal.h"
#include "tests/apiserver/stream_tunnels_test_util.h"

namespace minik {
namespace {

namespace rc = remotecommand;
using testing::Eventually;
using testing::FakeNodeStream;
using testing::FakeProcess;
using testing::FakeTunnelIo;
using testing::SpdyClient;
using testing::WriteAll;

const rc::WebSocketProtocol kV5{"v5.channel.k8s.io", 5, false};
const rc::WebSocketProtocol kV4{"v4.channel.k8s.io", 4, false};
const rc::WebSocketProtocol kV4Base64{"v4.base64.channel.k8s.io", 4, true};
const std::vector<std::string> kCommand = {"sh", "-c", "exit 3"};

struct Session {
  std::shared_ptr<FakeProcess> process = std::make_shared<FakeProcess>();
  std::shared_ptr<FakeTunnelIo> io;
  std::shared_ptr<Tunnel> tunnel;
};

Session StartWebSocket(rc::WebSocketProtocol protocol, rc::Options options, bool attach = false,
                       bool drain = true) {
  Session s;
  s.io = std::make_shared<FakeTunnelIo>(drain);
  auto stream =
      std::make_unique<FakeNodeStream>(s.process, options.stdin, options.stdout, options.stderr);
  s.tunnel = NewExecWebSocketTunnel(protocol, options, std::move(stream), kCommand, attach);
  s.tunnel->Start(s.io);
  return s;
}

// The messages on one channel, concatenated (binary protocols).
std::string Channel(const FakeTunnelIo& io, uint8_t channel) {
  std::string out;
  for (const auto& m : io.messages()) {
    if (!m.data.empty() && static_cast<uint8_t>(m.data[0]) == channel) out += m.data.substr(1);
  }
  return out;
}

std::string Msg(uint8_t channel, std::string_view data) {
  return std::string(1, static_cast<char>(channel)) + std::string(data);
}

TEST(ExecWebSocketTunnelTest, V5SessionSeparatesStreamsAndEndsWithExitStatus) {
  Session s = StartWebSocket(kV5, {true, true, true, false});
  // The session-up message: an empty one on stdout.
  ASSERT_TRUE(Eventually([&] { return s.io->message_count() >= 1; }));
  EXPECT_EQ(s.io->messages()[0].data, std::string(1, '\x01'));
  EXPECT_FALSE(s.io->messages()[0].text);

  WriteAll(s.process->stdout_w, "out-1 ");
  WriteAll(s.process->stderr_w, "err-1");
  WriteAll(s.process->stdout_w, "out-2");
  ASSERT_TRUE(Eventually(
      [&] { return Channel(*s.io, 1) == "out-1 out-2" && Channel(*s.io, 2) == "err-1"; }));

  s.tunnel->OnReceive(Msg(0, "hello "), false);
  s.tunnel->OnReceive(Msg(0, "world"), false);
  EXPECT_EQ(s.process->ReadStdin(11), "hello world");
  // v5 close of stdin: the process sees EOF.
  s.tunnel->OnReceive(std::string("\xff\x00", 2), false);
  EXPECT_TRUE(s.process->StdinEof());
  EXPECT_TRUE(s.process->StdinClosed());

  s.process->CloseOutputs();
  s.process->Exit(3);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  auto messages = s.io->messages();
  ASSERT_FALSE(messages.empty());
  // The exit Status is the last message, after all output.
  EXPECT_EQ(messages.back().data, Msg(3, rc::StatusJson(rc::ExitedWith(kCommand, 3))));
  EXPECT_NE(messages.back().data.find("\"reason\":\"NonZeroExitCode\""), std::string::npos);
  EXPECT_TRUE(Eventually([&] { return s.process->Destroyed(); }));
}

TEST(ExecWebSocketTunnelTest, OutputWrittenJustBeforeExitIsSentBeforeTheStatus) {
  Session s = StartWebSocket(kV5, {false, true, true, false});
  std::string big(300 * 1024, 'x');
  std::thread writer([&] {
    WriteAll(s.process->stdout_w, big);
    s.process->CloseOutputs();
    s.process->Exit(0);
  });
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  writer.join();
  EXPECT_EQ(Channel(*s.io, 1), big);
  EXPECT_EQ(s.io->messages().back().data, Msg(3, R"({"metadata":{},"status":"Success"})"));
}

TEST(ExecWebSocketTunnelTest, V4TtyResizeAndSuccess) {
  Session s = StartWebSocket(kV4, {true, true, false, true});
  s.tunnel->OnReceive(Msg(4, R"({"Width":80,"Height":24})"), false);
  s.tunnel->OnReceive(Msg(4, R"({"Width":120,)"), false);
  s.tunnel->OnReceive(Msg(4, R"("Height":40})"), false);
  ASSERT_TRUE(Eventually([&] { return s.process->Sizes().size() == 2; }));
  EXPECT_EQ(s.process->Sizes()[0], (std::pair<uint16_t, uint16_t>(80, 24)));
  EXPECT_EQ(s.process->Sizes()[1], (std::pair<uint16_t, uint16_t>(120, 40)));
  // v4 has no close signal: channel 255 is ignored, stdin stays open.
  s.tunnel->OnReceive(std::string("\xff\x00", 2), false);
  s.tunnel->OnReceive(Msg(0, "ls\n"), false);
  EXPECT_EQ(s.process->ReadStdin(3), "ls\n");
  EXPECT_FALSE(s.process->StdinClosed());
  WriteAll(s.process->stdout_w, "$ ");
  s.process->CloseOutputs();
  s.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  EXPECT_EQ(Channel(*s.io, 1), "$ ");
  EXPECT_EQ(s.io->messages().back().data, Msg(3, R"({"metadata":{},"status":"Success"})"));
}

TEST(ExecWebSocketTunnelTest, Base64ProtocolSendsTextFrames) {
  Session s = StartWebSocket(kV4Base64, {true, true, false, false});
  s.tunnel->OnReceive("0aGk=", true);  // "hi" on stdin
  EXPECT_EQ(s.process->ReadStdin(2), "hi");
  WriteAll(s.process->stdout_w, "ok");
  s.process->CloseOutputs();
  s.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  auto messages = s.io->messages();
  ASSERT_GE(messages.size(), 3u);
  EXPECT_EQ(messages[0].data, "1");
  EXPECT_TRUE(messages[0].text);
  EXPECT_EQ(messages[1].data, "1b2s=");
  EXPECT_TRUE(messages[1].text);
  EXPECT_EQ(messages.back().data[0], '3');
}

TEST(ExecWebSocketTunnelTest, StartFailureGoesToTheErrorChannel) {
  Session s = StartWebSocket(kV5, {false, true, true, false});
  s.process->CloseOutputs();
  s.process->Exit(Status(Code::kInternal, "exec: \"nope\": executable file not found in $PATH"));
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  std::string last = s.io->messages().back().data;
  EXPECT_EQ(
      last,
      Msg(3, rc::StatusJson(rc::ExecFailed("exec: \"nope\": executable file not found in $PATH"))));
  EXPECT_NE(last.find("error executing command in container"), std::string::npos);
}

TEST(ExecWebSocketTunnelTest, AttachReportsSuccessWhateverTheExitCode) {
  Session s = StartWebSocket(kV5, {false, true, true, false}, /*attach=*/true);
  s.process->CloseOutputs();
  s.process->Exit(7);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  EXPECT_EQ(s.io->messages().back().data, Msg(3, R"({"metadata":{},"status":"Success"})"));
}

TEST(ExecWebSocketTunnelTest, AttachFailure) {
  Session s = StartWebSocket(kV5, {false, true, false, false}, /*attach=*/true);
  s.process->CloseOutputs();
  s.process->Exit(Status(Code::kInternal, "container gone"));
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  EXPECT_EQ(s.io->messages().back().data,
            Msg(3, rc::StatusJson(rc::AttachFailed("container gone"))));
}

TEST(ExecWebSocketTunnelTest, UnrequestedOutputIsDrainedAndDiscarded) {
  // stdout not asked for, but the node gives a descriptor anyway: it is read and dropped.
  rc::Options options{false, false, true, false};
  Session s;
  s.io = std::make_shared<FakeTunnelIo>();
  s.tunnel = NewExecWebSocketTunnel(kV5, options,
                                    std::make_unique<FakeNodeStream>(s.process, false, true, true),
                                    kCommand, false);
  s.tunnel->Start(s.io);
  WriteAll(s.process->stdout_w, std::string(200 * 1024, 'o'));  // more than a pipe holds
  WriteAll(s.process->stderr_w, "e");
  s.process->CloseOutputs();
  s.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  EXPECT_EQ(Channel(*s.io, 1), "");
  EXPECT_EQ(Channel(*s.io, 2), "e");
}

TEST(ExecWebSocketTunnelTest, MalformedCloseSignalEndsTheConnectionOnly) {
  Session bad = StartWebSocket(kV5, {true, true, false, false});
  Session good = StartWebSocket(kV5, {true, true, false, false});
  bad.tunnel->OnReceive(std::string("\xff", 1), false);  // no channel byte
  ASSERT_TRUE(Eventually([&] { return bad.io->closed(); }));
  bad.tunnel->OnClosed();
  EXPECT_TRUE(Eventually([&] { return bad.process->Destroyed(); }));
  // The other session is untouched.
  good.tunnel->OnReceive(Msg(0, "x"), false);
  EXPECT_EQ(good.process->ReadStdin(1), "x");
  WriteAll(good.process->stdout_w, "y");
  ASSERT_TRUE(Eventually([&] { return Channel(*good.io, 1) == "y"; }));
  EXPECT_FALSE(good.io->closed());
  // Unknown channels and empty messages are ignored.
  good.tunnel->OnReceive(Msg(9, "zzz"), false);
  good.tunnel->OnReceive("", false);
  good.process->CloseOutputs();
  good.process->Exit(0);
  EXPECT_TRUE(Eventually([&] { return good.io->closed(); }));
}

TEST(ExecWebSocketTunnelTest, OnClosedMidStreamStopsThePumpAndDestroysTheStream) {
  Session s = StartWebSocket(kV5, {true, true, true, false});
  WriteAll(s.process->stdout_w, "partial");
  ASSERT_TRUE(Eventually([&] { return Channel(*s.io, 1) == "partial"; }));
  auto start = std::chrono::steady_clock::now();
  s.tunnel->OnClosed();
  ASSERT_TRUE(Eventually([&] { return s.process->Destroyed(); }, 1000));
  s.tunnel.reset();  // joins the pump
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST(ExecWebSocketTunnelTest, DestroyedWithoutStartKillsTheProcess) {
  auto process = std::make_shared<FakeProcess>();
  auto tunnel = NewExecWebSocketTunnel(
      kV5, {false, true, false, false},
      std::make_unique<FakeNodeStream>(process, false, true, false), kCommand, false);
  tunnel.reset();
  EXPECT_TRUE(process->Destroyed());
}

TEST(ExecWebSocketTunnelTest, ClientThatNeverReadsBoundsMemory) {
  Session s = StartWebSocket(kV5, {false, true, false, false}, false, /*drain=*/false);
  ::fcntl(s.process->stdout_w, F_SETFL, O_NONBLOCK);
  std::string chunk(64 * 1024, 'z');
  size_t written = 0;
  auto idle_since = std::chrono::steady_clock::now();
  // Write until the connection's queue is at the bound and the pipe stays full for 300 ms:
  // the pump stopped reading.
  while (s.io->queued_bytes() < (1u << 20) ||
         std::chrono::steady_clock::now() - idle_since < std::chrono::milliseconds(300)) {
    ssize_t n = ::write(s.process->stdout_w, chunk.data(), chunk.size());
    if (n > 0) {
      written += static_cast<size_t>(n);
      idle_since = std::chrono::steady_clock::now();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_LT(written, 64u << 20) << "the pump never stopped reading";
  }
  // At most a chunk of stdout and one of stderr past the bound.
  EXPECT_LE(s.io->queued_bytes(), (1u << 20) + 2 * stream_tunnels::kReadChunk);
  EXPECT_GE(s.io->queued_bytes(), 1u << 20);
  // Once the client reads, the rest flows.
  s.io->Drain();
  s.process->CloseOutputs();
  s.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }, 5000));
  EXPECT_EQ(Channel(*s.io, 1).size(), written);
}

TEST(ExecWebSocketTunnelTest, StdinBeyondTheBoundPausesReading) {
  Session s = StartWebSocket(kV5, {true, true, false, false});
  std::string chunk(256 * 1024, 'i');
  for (int i = 0; i < 8; ++i) s.tunnel->OnReceive(Msg(0, chunk), false);  // 2 MiB, unread
  ASSERT_TRUE(Eventually([&] { return !s.io->pauses().empty(); }));
  EXPECT_TRUE(s.io->pauses().front());
  EXPECT_EQ(s.process->ReadStdin(8 * chunk.size()).size(), 8 * chunk.size());
  ASSERT_TRUE(Eventually([&] { return s.io->pauses().size() == 2; }));
  EXPECT_FALSE(s.io->pauses().back());
  s.process->CloseOutputs();
  s.process->Exit(0);
  EXPECT_TRUE(Eventually([&] { return s.io->closed(); }));
}

TEST(ExecWebSocketTunnelTest, StdinOnlySessionKeepsThroughput) {
  // No output to wait for: stdin must still flow at pipe speed, not once per Wait slice.
  Session s = StartWebSocket(kV5, {true, false, false, false});
  std::string chunk(64 * 1024, 's');
  constexpr int kChunks = 64;  // 4 MiB
  std::thread reader([&] {
    EXPECT_EQ(s.process->ReadStdin(kChunks * chunk.size()).size(), kChunks * chunk.size());
  });
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kChunks; ++i) {
    // As the server would: stop sending while the tunnel asks for a pause.
    ASSERT_TRUE(Eventually([&] {
      auto p = s.io->pauses();
      return p.empty() || !p.back();
    }));
    s.tunnel->OnReceive(Msg(0, chunk), false);
  }
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  s.tunnel->OnReceive(std::string("\xff\x00", 2), false);
  EXPECT_TRUE(s.process->StdinEof());
  s.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return s.io->closed(); }));
  // The session-up message goes to the error channel when there is no output channel.
  EXPECT_EQ(s.io->messages().front().data, std::string(1, '\x03'));
  EXPECT_EQ(s.io->messages().back().data, Msg(3, R"({"metadata":{},"status":"Success"})"));
}

TEST(ExecWebSocketTunnelTest, V1WritesTheBareMessageAndNothingOnSuccess) {
  Session failed = StartWebSocket({"channel.k8s.io", 1, false}, {false, true, false, false});
  failed.process->CloseOutputs();
  failed.process->Exit(2);
  ASSERT_TRUE(Eventually([&] { return failed.io->closed(); }));
  EXPECT_EQ(failed.io->messages().back().data,
            Msg(3, rc::ExitedWith(kCommand, 2).failure.message()));

  Session ok = StartWebSocket({"channel.k8s.io", 1, false}, {false, true, false, false});
  ok.process->CloseOutputs();
  ok.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return ok.io->closed(); }));
  EXPECT_EQ(ok.io->messages().size(), 1u);  // only the session-up message
}

// ---- SPDY ----

struct SpdySession {
  Session s;
  SpdyClient client;
  void Send(const spdy::Frame& frame) { s.tunnel->OnReceive(client.Encode(frame), false); }
};

std::unique_ptr<SpdySession> StartSpdy(rc::Version version, rc::Options options,
                                       bool attach = false) {
  auto c = std::make_unique<SpdySession>();
  c->s.io = std::make_shared<FakeTunnelIo>();
  c->s.tunnel = NewExecSpdyTunnel(
      version, options,
      std::make_unique<FakeNodeStream>(c->s.process, options.stdin, options.stdout, options.stderr),
      kCommand, attach);
  c->s.tunnel->Start(c->s.io);
  return c;
}

TEST(ExecSpdyTunnelTest, KubectlV4Session) {
  auto c = StartSpdy(4, {true, true, true, false});
  // kubectl: error (half-closed at once), stdin, stdout, stderr.
  c->Send(spdy::Frame::SynStream(1, {{"streamtype", "error"}}, spdy::kFlagFin));
  c->Send(spdy::Frame::SynStream(3, {{"streamtype", "stdin"}}));
  c->Send(spdy::Frame::Data(3, "early"));  // before the set is complete: kept
  c->Send(spdy::Frame::SynStream(5, {{"streamtype", "stdout"}}));
  c->Send(spdy::Frame::SynStream(7, {{"streamtype", "stderr"}}));
  c->client.Read(*c->s.io);
  for (uint32_t id : {1u, 3u, 5u, 7u}) {
    bool replied = false;
    for (const auto& f : c->client.frames()) {
      replied |= f.type == spdy::FrameType::kSynReply && f.stream_id == id;
    }
    EXPECT_TRUE(replied) << id;
  }
  EXPECT_EQ(c->s.process->ReadStdin(5), "early");
  c->Send(spdy::Frame::Data(3, " more", /*fin=*/true));
  EXPECT_EQ(c->s.process->ReadStdin(5), " more");
  EXPECT_TRUE(c->s.process->StdinEof());

  WriteAll(c->s.process->stdout_w, "to stdout");
  WriteAll(c->s.process->stderr_w, "to stderr");
  ASSERT_TRUE(Eventually([&] {
    c->client.Read(*c->s.io);
    return c->client.DataOf(5) == "to stdout" && c->client.DataOf(7) == "to stderr";
  }));
  // A ping is echoed.
  c->Send(spdy::Frame::Ping(1));
  c->client.Read(*c->s.io);
  EXPECT_TRUE(c->client.Has(spdy::FrameType::kPing));

  c->s.process->CloseOutputs();
  c->s.process->Exit(3);
  ASSERT_TRUE(Eventually([&] { return c->s.io->closed(); }));
  c->client.Read(*c->s.io);
  EXPECT_EQ(c->client.DataOf(1), rc::StatusJson(rc::ExitedWith(kCommand, 3)));
  // Then connection.Close(): streams reset, GOAWAY.
  EXPECT_TRUE(c->client.ResetOf(5));
  EXPECT_TRUE(c->client.Has(spdy::FrameType::kGoAway));
  const auto& frames = c->client.frames();
  size_t status_at = 0, goaway_at = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].type == spdy::FrameType::kData && frames[i].stream_id == 1) status_at = i;
    if (frames[i].type == spdy::FrameType::kGoAway) goaway_at = i;
  }
  EXPECT_LT(status_at, goaway_at);
  EXPECT_TRUE(Eventually([&] { return c->s.process->Destroyed(); }));
}

TEST(ExecSpdyTunnelTest, V3TtyResizeStream) {
  auto c = StartSpdy(3, {true, true, false, true});
  c->Send(spdy::Frame::SynStream(1, {{"streamtype", "error"}}));
  c->Send(spdy::Frame::SynStream(3, {{"streamtype", "stdin"}}));
  c->Send(spdy::Frame::SynStream(5, {{"streamtype", "stdout"}}));
  c->Send(spdy::Frame::SynStream(7, {{"streamtype", "resize"}}));
  c->Send(spdy::Frame::Data(7, "{\"Width\":100,\"Height\":50}\n"));
  ASSERT_TRUE(Eventually([&] { return c->s.process->Sizes().size() == 1; }));
  EXPECT_EQ(c->s.process->Sizes()[0], (std::pair<uint16_t, uint16_t>(100, 50)));
  c->s.process->CloseOutputs();
  c->s.process->Exit(1);
  ASSERT_TRUE(Eventually([&] { return c->s.io->closed(); }));
  c->client.Read(*c->s.io);
  // v3 writes the bare message.
  EXPECT_EQ(c->client.DataOf(1), rc::ExitedWith(kCommand, 1).failure.message());
}

TEST(ExecSpdyTunnelTest, OutputWaitsForAllStreams) {
  auto c = StartSpdy(4, {false, true, false, false});
  WriteAll(c->s.process->stdout_w, "hello");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c->client.Read(*c->s.io);
  EXPECT_TRUE(c->client.frames().empty());
  c->Send(spdy::Frame::SynStream(1, {{"streamtype", "error"}}));
  c->Send(spdy::Frame::SynStream(3, {{"streamtype", "bogus"}}));  // replied, then unused
  c->Send(spdy::Frame::SynStream(5, {{"streamtype", "stdout"}}));
  ASSERT_TRUE(Eventually([&] {
    c->client.Read(*c->s.io);
    return c->client.DataOf(5) == "hello";
  }));
  c->s.tunnel->OnClosed();
  EXPECT_TRUE(Eventually([&] { return c->s.process->Destroyed(); }));
}

TEST(ExecSpdyTunnelTest, GarbageEndsTheConnectionWithGoAway) {
  auto bad = StartSpdy(4, {false, true, false, false});
  auto good = StartSpdy(4, {false, true, false, false});
  bad->s.tunnel->OnReceive(std::string("\x80\x02\x00\x01\x00\x00\x00\x04zzzz", 12), false);
  ASSERT_TRUE(Eventually([&] { return bad->s.io->closed(); }));
  bad->client.Read(*bad->s.io);
  EXPECT_TRUE(bad->client.Has(spdy::FrameType::kGoAway));
  bad->s.tunnel->OnClosed();
  EXPECT_TRUE(Eventually([&] { return bad->s.process->Destroyed(); }));

  good->Send(spdy::Frame::SynStream(1, {{"streamtype", "error"}}));
  good->Send(spdy::Frame::SynStream(3, {{"streamtype", "stdout"}}));
  WriteAll(good->s.process->stdout_w, "fine");
  good->s.process->CloseOutputs();
  good->s.process->Exit(0);
  ASSERT_TRUE(Eventually([&] { return good->s.io->closed(); }));
  good->client.Read(*good->s.io);
  EXPECT_EQ(good->client.DataOf(3), "fine");
  EXPECT_EQ(good->client.DataOf(1), R"({"metadata":{},"status":"Success"})");
}

TEST(ExecSpdyTunnelTest, PingFloodWithoutReadingPausesTheClient) {
  auto c = std::make_unique<SpdySession>();
  c->s.io = std::make_shared<FakeTunnelIo>(/*drain=*/false);
  c->s.tunnel = NewExecSpdyTunnel(
      4, {false, true, false, false},
      std::make_unique<FakeNodeStream>(c->s.process, false, true, false), kCommand, false);
  c->s.tunnel->Start(c->s.io);
  std::string flood;
  for (uint32_t id = 1; flood.size() < (5u << 20); id += 2) {
    flood += c->client.Encode(spdy::Frame::Ping(id));
  }
  c->s.tunnel->OnReceive(flood, false);
  ASSERT_TRUE(Eventually([&] { return !c->s.io->pauses().empty(); }));
  EXPECT_TRUE(c->s.io->pauses().front());
  c->s.io->Drain();  // the client reads again
  ASSERT_TRUE(Eventually([&] { return c->s.io->pauses().size() == 2; }));
  EXPECT_FALSE(c->s.io->pauses().back());
  c->s.tunnel->OnClosed();
}

TEST(ExecSpdyTunnelTest, StreamsThatNeverArriveEndTheConnection) {
  SpdySession c;
  c.s.io = std::make_shared<FakeTunnelIo>();
  stream_tunnels::Timeouts timeouts;
  timeouts.stream_creation = std::chrono::milliseconds(100);
  c.s.tunnel = stream_tunnels::NewExecSpdyTunnel(
      4, {true, true, false, false},
      std::make_unique<FakeNodeStream>(c.s.process, true, true, false), kCommand, false, timeouts);
  c.s.tunnel->Start(c.s.io);
  c.Send(spdy::Frame::SynStream(1, {{"streamtype", "error"}}));
  c.Send(spdy::Frame::SynStream(3, {{"streamtype", "stdout"}}));  // stdin never comes
  ASSERT_TRUE(Eventually([&] { return c.s.io->closed(); }));
  c.client.Read(*c.s.io);
  EXPECT_TRUE(c.client.ResetOf(1));
  EXPECT_TRUE(c.client.Has(spdy::FrameType::kGoAway));
  EXPECT_EQ(c.client.DataOf(1), "");
  EXPECT_TRUE(Eventually([&] { return c.s.process->Destroyed(); }));
}

TEST(ExecSpdyTunnelTest, ClosedBeforeTheStreamsArrive) {
  auto c = StartSpdy(4, {true, true, false, false});
  c->Send(spdy::Frame::SynStream(1, {{"streamtype", "error"}}));
  auto start = std::chrono::steady_clock::now();
  c->s.tunnel->OnClosed();
  ASSERT_TRUE(Eventually([&] { return c->s.process->Destroyed(); }, 1000));
  c->s.tunnel.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace minik
