// Remote-command protocols (apiserver/remotecommand.h): negotiation as x/net websocket and
// httpstream.Handshake do it, hand-built channel.k8s.io frames for every version, the exit
// Status JSON against what the kubelet's json.Marshal writes, resize decoding like Go's
// json.Decoder, SPDY stream roles, port-forward channels and pairing, bad input, and a
// deterministic mutation fuzz loop over the decoders.
#include "apiserver/remotecommand.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace minik::remotecommand {
namespace {

using std::string_literals::operator""s;

WebSocketProtocol Ws(std::string_view header) {
  auto p = NegotiateExecWebSocket(header);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : WebSocketProtocol{};
}

// ---- Negotiation ----

TEST(NegotiateTest, SplitsLikeXNetWebsocket) {
  EXPECT_TRUE(SplitWebSocketProtocols("").empty());
  EXPECT_TRUE(SplitWebSocketProtocols("   ").empty());
  EXPECT_EQ(SplitWebSocketProtocols(" a , b,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitWebSocketProtocols("a,,b"), (std::vector<std::string>{"a", "", "b"}));
}

TEST(NegotiateTest, ExecWebSocketPicksFirstOfferedSupported) {
  EXPECT_EQ(Ws("v5.channel.k8s.io").version, 5);
  EXPECT_EQ(Ws("v5.channel.k8s.io").name, "v5.channel.k8s.io");
  // Client order wins, not server preference.
  EXPECT_EQ(Ws("v4.channel.k8s.io, v5.channel.k8s.io").name, "v4.channel.k8s.io");
  EXPECT_EQ(Ws("v9.channel.k8s.io,v4.base64.channel.k8s.io").name, "v4.base64.channel.k8s.io");
  EXPECT_TRUE(Ws("v4.base64.channel.k8s.io").base64);
  EXPECT_EQ(Ws("base64.channel.k8s.io").version, 1);
  EXPECT_EQ(Ws("channel.k8s.io").version, 1);
  WebSocketProtocol none = Ws("");
  EXPECT_EQ(none.name, "");
  EXPECT_EQ(none.version, 1);
  EXPECT_FALSE(none.base64);
  // An empty item matches the "" protocol, as upstream's handshake does.
  EXPECT_EQ(Ws("x,,y").name, "");
}

TEST(NegotiateTest, ExecWebSocketRejectsUnknown) {
  auto p = NegotiateExecWebSocket("v3.channel.k8s.io, v2.channel.k8s.io");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kForbidden);
  EXPECT_EQ(p.status().message(),
            "requested protocol(s) are not supported: [v3.channel.k8s.io v2.channel.k8s.io]; "
            "supports [v5.channel.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io "
            "channel.k8s.io base64.channel.k8s.io ]");
  EXPECT_FALSE(NegotiateExecWebSocket("SPDY/3.1+portforward.k8s.io").ok());
  EXPECT_FALSE(NegotiateExecWebSocket("V5.CHANNEL.K8S.IO").ok());  // case-sensitive
}

TEST(NegotiateTest, PortForwardWebSocket) {
  auto t = NegotiatePortForwardWebSocket("SPDY/3.1+portforward.k8s.io");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->spdy_tunnel);
  t = NegotiatePortForwardWebSocket("v4.channel.k8s.io, SPDY/3.1+portforward.k8s.io");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->spdy_tunnel);
  t = NegotiatePortForwardWebSocket("v4.channel.k8s.io");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->spdy_tunnel);
  EXPECT_EQ(t->channel.name, "v4.channel.k8s.io");
  t = NegotiatePortForwardWebSocket("");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->channel.name, "");
  t = NegotiatePortForwardWebSocket("v5.channel.k8s.io");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "requested protocol(s) are not supported: [v5.channel.k8s.io]; supports "
            "[SPDY/3.1+portforward.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io ]");
}

TEST(NegotiateTest, Spdy) {
  auto exec = SupportedSpdyExecProtocols();
  // kubectl's fallback offer, one header line each.
  auto p = NegotiateSpdy({"v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
                          "v2.channel.k8s.io", "channel.k8s.io"},
                         exec);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "v5.channel.k8s.io");
  p = NegotiateSpdy({"v3.channel.k8s.io, v4.channel.k8s.io"}, exec);  // comma list
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "v3.channel.k8s.io");
  EXPECT_EQ(VersionOf(*p), 3);
  p = NegotiateSpdy({}, exec);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kBadRequest);
  EXPECT_EQ(p.status().message(), "unable to upgrade: X-Stream-Protocol-Version is required");
  EXPECT_FALSE(NegotiateSpdy({" , "}, exec).ok());
  p = NegotiateSpdy({"v9.channel.k8s.io"}, SupportedSpdyPortForwardProtocols());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kForbidden);
  EXPECT_EQ(p.status().message(),
            "unable to upgrade: unable to negotiate protocol: client supports "
            "[v9.channel.k8s.io], server accepts [portforward.k8s.io]");
  p = NegotiateSpdy({"portforward.k8s.io"}, SupportedSpdyPortForwardProtocols());
  ASSERT_TRUE(p.ok());
}

TEST(NegotiateTest, VersionOf) {
  EXPECT_EQ(VersionOf("v5.channel.k8s.io"), 5);
  EXPECT_EQ(VersionOf("v4.base64.channel.k8s.io"), 4);
  EXPECT_EQ(VersionOf("v2.channel.k8s.io"), 2);
  EXPECT_EQ(VersionOf("channel.k8s.io"), 1);
  EXPECT_EQ(VersionOf(""), 1);
}

TEST(OptionsTest, Normalize) {
  auto o = NormalizeOptions({true, true, true, true});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->stderr);  // tty drops stderr
  auto bad = NormalizeOptions({false, false, false, true});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "you must specify at least 1 of stdin, stdout, stderr");
}

// ---- Exit Status ----

TEST(StatusJsonTest, Golden) {
  EXPECT_EQ(StatusJson(ExecResult{}), R"j({"metadata":{},"status":"Success"})j");
  EXPECT_EQ(
      StatusJson(ExitedWith({"sh", "-c", "exit 3"}, 3)),
      R"j({"metadata":{},"status":"Failure","message":"command terminated with non-zero )j"
      R"j(exit code: error executing command [sh -c exit 3], exit code 3",)j"
      R"j("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})j");
  EXPECT_EQ(
      StatusJson(ExecFailed("container not running (c1)")),
      R"j({"metadata":{},"status":"Failure","message":"Internal error occurred: error )j"
      R"j(executing command in container: container not running (c1)","reason":"InternalError",)j"
      R"j("details":{"causes":[{"message":"error executing command in container: container )j"
      R"j(not running (c1)"}]},"code":500})j");
  EXPECT_EQ(
      StatusJson(AttachFailed("x")),
      R"j({"metadata":{},"status":"Failure","message":"Internal error occurred: error )j"
      R"j(attaching to container: x","reason":"InternalError","details":{"causes":[{"message":)j"
      R"j("error attaching to container: x"}]},"code":500})j");
  ExecResult nf;
  nf.kind = ExecResult::Kind::kFailure;
  nf.failure = NotFound("pods", "web");
  EXPECT_EQ(StatusJson(nf),
            R"j({"metadata":{},"status":"Failure","message":"pods \"web\" not found",)j"
            R"j("reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404})j");
  ExecResult busy;
  busy.kind = ExecResult::Kind::kFailure;
  busy.failure = Status(Code::kTooManyRequests, "slow down");
  busy.failure.mutable_details().retry_after_seconds = 2;
  EXPECT_EQ(
      StatusJson(busy),
      R"j({"metadata":{},"status":"Failure","message":"slow down","reason":"TooManyRequests",)j"
      R"j("details":{"retryAfterSeconds":2},"code":429})j");
}

TEST(StatusJsonTest, EscapesLikeGo) {
  std::string json = StatusJson(ExitedWith({"sh", "-c", "echo <a&b>\n\"q\"\x01\xff"}, 255));
  EXPECT_NE(json.find(R"(echo \u003ca\u0026b\u003e\n\"q\"\u0001\ufffd])"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("message":"255")"), std::string::npos);
  std::string utf8 = StatusJson(ExecFailed("h\xc3\xa9 \xe2\x80\xa8"));
  EXPECT_NE(utf8.find("h\xc3\xa9 \\u2028"), std::string::npos) << utf8;
}

TEST(StatusJsonTest, ErrorStreamPayloadPerVersion) {
  ExecResult ok;
  ExecResult exit3 = ExitedWith({"false"}, 1);
  for (Version v : {1, 2, 3}) {
    EXPECT_FALSE(ErrorStreamPayload(v, ok).has_value());
    EXPECT_EQ(*ErrorStreamPayload(v, exit3),
              "command terminated with non-zero exit code: error executing command [false], exit "
              "code 1");
    EXPECT_EQ(*ErrorStreamPayload(v, ExecFailed("boom")),
              "Internal error occurred: error executing command in container: boom");
  }
  for (Version v : {4, 5}) {
    EXPECT_EQ(*ErrorStreamPayload(v, ok), R"({"metadata":{},"status":"Success"})");
    EXPECT_EQ(*ErrorStreamPayload(v, exit3), StatusJson(exit3));
  }
}

// ---- Resize ----

std::vector<TerminalSize> Sizes(std::initializer_list<std::string_view> parts,
                                Status* st = nullptr) {
  ResizeDecoder d;
  std::vector<TerminalSize> out;
  Status last;
  for (std::string_view p : parts) last = d.Feed(p, &out);
  if (st) *st = last;
  return out;
}

TEST(ResizeTest, DecodesStream) {
  Status st;
  EXPECT_EQ(Sizes({"{\"Width\":80,\"Height\":24}\n"}, &st), (std::vector<TerminalSize>{{80, 24}}));
  EXPECT_TRUE(st.ok());
  // Split across messages, several in one, lower case keys, unknown keys and null ignored.
  EXPECT_EQ(Sizes({"{\"wid", "th\":100,",
                   "\"HEIGHT\":50}{\"Width\":1,\"x\":{\"y\":[1]},\"Height\":null}"}),
            (std::vector<TerminalSize>{{100, 50}, {1, 0}}));
  EXPECT_EQ(Sizes({"null {}"}), (std::vector<TerminalSize>{{0, 0}, {0, 0}}));
  EXPECT_EQ(Sizes({"{\"Width\":65535,\"Height\":0}"}), (std::vector<TerminalSize>{{65535, 0}}));
  // A later duplicate key wins.
  EXPECT_EQ(Sizes({"{\"Width\":1,\"width\":2}"}), (std::vector<TerminalSize>{{2, 0}}));
  // Incomplete: nothing yet.
  EXPECT_TRUE(Sizes({"{\"Width\":80"}, &st).empty());
  EXPECT_TRUE(st.ok());
}

TEST(ResizeTest, BadInputStopsDecoding) {
  for (std::string_view bad :
       {"{\"Width\":65536}", "{\"Width\":-1}", "{\"Width\":80.5}", "{\"Width\":1e2}",
        "{\"Width\":\"80\"}", "{\"Width\":99999999999999999999999}", "[1,2]", "42 ", "\"x\"",
        "{\"Width\":}", "{,}", "}", "tru "}) {
    ResizeDecoder d;
    std::vector<TerminalSize> out;
    Status st = d.Feed(bad, &out);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_TRUE(out.empty()) << bad;
    EXPECT_TRUE(d.failed());
    EXPECT_FALSE(d.Feed("{\"Width\":1}", &out).ok());  // stays failed, as upstream stops
    EXPECT_TRUE(out.empty());
  }
  // Sizes before the bad value are delivered.
  Status st;
  EXPECT_EQ(Sizes({"{\"Width\":3,\"Height\":4} {\"Width\":-3}"}, &st),
            (std::vector<TerminalSize>{{3, 4}}));
  EXPECT_FALSE(st.ok());
  // An unfinished value may not grow without bound.
  ResizeDecoder d;
  std::vector<TerminalSize> out;
  EXPECT_TRUE(d.Feed("{\"Width\":\"", &out).ok());
  EXPECT_FALSE(d.Feed(std::string(ResizeDecoder::kMaxPending, 'a'), &out).ok());
}

TEST(ResizeDecoderTest, WrongTypesAreWordedAsGoAndDeepNestingIsSafe) {
  ResizeDecoder d;
  std::vector<TerminalSize> out;
  Status st = d.Feed("{\"Width\":70000}", &out);
  EXPECT_NE(st.message().find("cannot unmarshal number 70000 into Go struct field "
                              "TerminalSize.Width of type uint16"), std::string::npos)
      << st.message();
  // 30,000 nested arrays (found by fuzz/resize_fuzz): an error, not a stack overflow.
  ResizeDecoder deep;
  st = deep.Feed("{\"Width\":" + std::string(30000, '[') + std::string(30000, ']') + "}", &out);
  EXPECT_NE(st.message().find("cannot unmarshal array into"), std::string::npos)
      << st.message().substr(0, 200);
}

// ---- WebSocket exec ----

TEST(ExecWebSocketTest, V5Session) {
  ExecWebSocket ws(Ws("v5.channel.k8s.io"), {true, true, false, true});
  EXPECT_FALSE(ws.codec().text_frames());
  EXPECT_EQ(ws.StartMessage(), "\x01"s);
  std::vector<ExecEvent> ev;
  ASSERT_TRUE(ws.Receive("\x00ls\n"s, &ev).ok());
  ASSERT_TRUE(ws.Receive("\x04{\"Width\":80,\"Height\":24}\n"s, &ev).ok());
  ASSERT_TRUE(ws.Receive("\xff\x00"s, &ev).ok());  // close stdin
  ASSERT_TRUE(ws.Receive("\xff\x00"s, &ev).ok());  // second close: no-op
  ASSERT_TRUE(ws.Receive("\x00late"s, &ev).ok());  // after close: dropped
  ASSERT_TRUE(ws.Receive("\xff\x04"s, &ev).ok());  // close resize: nothing to report
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].kind, ExecEvent::Kind::kStdin);
  EXPECT_EQ(ev[0].data, "ls\n");
  EXPECT_EQ(ev[1].kind, ExecEvent::Kind::kResize);
  EXPECT_EQ(ev[1].size, (TerminalSize{80, 24}));
  EXPECT_EQ(ev[2].kind, ExecEvent::Kind::kStdinClosed);
  EXPECT_EQ(*ws.Stdout("hi"), "\x01hi"s);
  EXPECT_FALSE(ws.Stderr("x").has_value());  // stderr not requested (tty)
  EXPECT_EQ(*ws.Finish(ExecResult{}), "\x03{\"metadata\":{},\"status\":\"Success\"}"s);
}

TEST(ExecWebSocketTest, V5CloseSignalErrors) {
  ExecWebSocket ws(Ws("v5.channel.k8s.io"), {true, true, true, false});
  std::vector<ExecEvent> ev;
  Status st = ws.Receive("\xff"s, &ev);
  EXPECT_EQ(st.message(), "Single channel byte should follow stream close signal. Got 0 bytes");
  st = ws.Receive("\xff\x00\x00"s, &ev);
  EXPECT_EQ(st.message(), "Single channel byte should follow stream close signal. Got 2 bytes");
  st = ws.Receive("\xff\x05"s, &ev);
  EXPECT_EQ(st.message(),
            "Close is targeted for a channel 5 that is not valid, possible protocol error");
  EXPECT_TRUE(ev.empty());
}

TEST(ExecWebSocketTest, V4AndOlderIgnoreChannel255) {
  for (std::string_view proto : {"v4.channel.k8s.io", "channel.k8s.io", ""}) {
    ExecWebSocket ws(Ws(proto), {true, true, true, false});
    std::vector<ExecEvent> ev;
    EXPECT_TRUE(ws.Receive("\xff\x00"s, &ev).ok()) << proto;
    EXPECT_TRUE(ws.Receive("\xff"s, &ev).ok());
    EXPECT_TRUE(ev.empty());
    ASSERT_TRUE(ws.Receive("\x00x"s, &ev).ok());
    ASSERT_EQ(ev.size(), 1u);  // stdin still open
    EXPECT_EQ(ws.StartMessage(), "\x01"s);
  }
  ExecWebSocket v4(Ws("v4.channel.k8s.io"), {false, true, true, false});
  EXPECT_EQ(*v4.Finish(ExitedWith({"sh"}, 2)), "\x03"s + StatusJson(ExitedWith({"sh"}, 2)));
  ExecWebSocket v1(Ws("channel.k8s.io"), {false, true, true, false});
  EXPECT_FALSE(v1.Finish(ExecResult{}).has_value());
  EXPECT_EQ(*v1.Finish(ExitedWith({"sh"}, 2)),
            "\x03"
            "command terminated with non-zero exit code: error executing command [sh], "
            "exit code 2"s);
}

TEST(ExecWebSocketTest, Base64Framing) {
  ExecWebSocket ws(Ws("v4.base64.channel.k8s.io"), {true, true, true, false});
  EXPECT_TRUE(ws.codec().text_frames());
  EXPECT_EQ(ws.StartMessage(), "1");
  std::vector<ExecEvent> ev;
  // The example from wsstream's doc comment: "foo\n" on channel '0' is "0Zm9vCg==".
  ASSERT_TRUE(ws.Receive("0Zm9vCg==", &ev).ok());
  ASSERT_TRUE(ws.Receive("0Zm9v\r\nCg==", &ev).ok());  // CR/LF are skipped by Go
  ASSERT_TRUE(ws.Receive("0Zm9vCg", &ev).ok());        // unpadded: invalid, dropped
  ASSERT_TRUE(ws.Receive("0Zm=vCg==", &ev).ok());      // data after padding: dropped
  ASSERT_TRUE(ws.Receive("0!!!!", &ev).ok());
  ASSERT_TRUE(
      ws.Receive("4eyJXaWR0aCI6MTAsIkhlaWdodCI6MjB9", &ev).ok());  // {"Width":10,"Height":20}
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].data, "foo\n");
  EXPECT_EQ(ev[1].data, "foo\n");
  EXPECT_EQ(ev[2].size, (TerminalSize{10, 20}));
  EXPECT_EQ(*ws.Stdout("\n"), "1Cg==");
  EXPECT_EQ(*ws.Stderr("ab"), "2YWI=");
  EXPECT_EQ(*ws.Stdout(""), "1");
  EXPECT_EQ(*ws.Stdout("abc"), "1YWJj");
  EXPECT_EQ(ws.Finish(ExecResult{})->substr(0, 1), "3");
}

TEST(ExecWebSocketTest, BadAndUnexpectedInput) {
  ExecWebSocket ws(Ws("v5.channel.k8s.io"), {false, true, true, true});
  std::vector<ExecEvent> ev;
  EXPECT_TRUE(ws.Receive("", &ev).ok());            // empty message: skipped
  EXPECT_TRUE(ws.Receive("\x00stdin"s, &ev).ok());  // stdin not requested: ignored
  EXPECT_TRUE(ws.Receive("\x01out"s, &ev).ok());    // write-only channel
  EXPECT_TRUE(ws.Receive("\x03"
                         "err"s,
                         &ev)
                  .ok());
  EXPECT_TRUE(ws.Receive("\x05x"s, &ev).ok());  // unknown channel
  EXPECT_TRUE(ws.Receive("\xfe"s, &ev).ok());
  EXPECT_TRUE(ws.Receive("\x04{\"Width\":\"a\"}"s, &ev).ok());  // bad resize: reported once
  EXPECT_TRUE(ws.Receive("\x04{\"Width\":1,\"Height\":1}"s, &ev).ok());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, ExecEvent::Kind::kResizeError);
  EXPECT_FALSE(ev[0].error.empty());
  // Text frames are not distinguished on receipt (x/net's Message.Receive accepts both).
  ExecWebSocket in(Ws("v5.channel.k8s.io"), {true, false, true, false});
  EXPECT_EQ(in.StartMessage(), "\x02"s);
  ExecWebSocket only_stdin(Ws("v5.channel.k8s.io"), {true, false, false, false});
  EXPECT_EQ(only_stdin.StartMessage(), "\x03"s);
}

TEST(ExecWebSocketTest, LargePayloadsAndAllBytes) {
  ExecWebSocket ws(Ws("v4.base64.channel.k8s.io"), {true, true, false, false});
  std::string all;
  for (int i = 0; i < 256 * 40; ++i) all += static_cast<char>(i);
  std::string encoded = *ws.Stdout(all);
  std::vector<ExecEvent> ev;
  encoded[0] = '0';  // echo it back on stdin
  ASSERT_TRUE(ws.Receive(encoded, &ev).ok());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, all);
}

// ---- SPDY exec ----

TEST(ExecSpdyTest, RolesAndExpectedStreams) {
  EXPECT_EQ(ExecStreamRole(4, {{"streamtype", "error"}}), StreamRole::kError);
  EXPECT_EQ(ExecStreamRole(4, {{"streamType", "stdin"}}), StreamRole::kStdin);
  EXPECT_EQ(ExecStreamRole(1, {{"streamtype", "stdout"}}), StreamRole::kStdout);
  EXPECT_EQ(ExecStreamRole(2, {{"streamtype", "stderr"}}), StreamRole::kStderr);
  EXPECT_EQ(ExecStreamRole(3, {{"streamtype", "resize"}}), StreamRole::kResize);
  EXPECT_FALSE(ExecStreamRole(2, {{"streamtype", "resize"}}).has_value());
  EXPECT_FALSE(ExecStreamRole(5, {{"streamtype", "data"}}).has_value());
  EXPECT_FALSE(ExecStreamRole(5, {}).has_value());
  EXPECT_EQ(ExpectedStreams(5, {true, true, false, true}), 4);
  EXPECT_EQ(ExpectedStreams(2, {true, true, false, true}), 3);
  EXPECT_EQ(ExpectedStreams(4, {false, true, true, false}), 3);
}

TEST(ExecSpdyTest, CollectsKubectlStreams) {
  // kubectl v4 with -i: error, stdin, stdout, stderr (no tty, so no resize).
  ExecSpdyStreams s(4, {true, true, true, false});
  EXPECT_TRUE(s.Add(1, {{"streamtype", "error"}}));
  EXPECT_FALSE(s.Add(3, {{"streamtype", "bogus"}}));
  EXPECT_TRUE(s.Add(5, {{"streamtype", "stdin"}}));
  EXPECT_TRUE(s.Add(7, {{"streamtype", "stdout"}}));
  EXPECT_FALSE(s.complete());
  EXPECT_TRUE(s.Add(9, {{"streamtype", "stderr"}}));
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(s.Stream(StreamRole::kError), 1u);
  EXPECT_EQ(s.Stream(StreamRole::kStderr), 9u);
  EXPECT_FALSE(s.Stream(StreamRole::kResize).has_value());
}

TEST(ExecSpdyTest, KubectlV4SessionOverSpdySession) {
  // kubectl's SPDY fallback for `exec -i -- sh -c 'exit 3'` as frames through the real
  // SPDY codec: error (half-closed at once), stdin, stdout, stderr.
  spdy::Codec client;
  spdy::ServerSession server;
  std::string wire;
  uint32_t id = 1;
  for (const char* type : {"error", "stdin", "stdout", "stderr"}) {
    uint8_t flags = std::string_view(type) == "error" ? spdy::kFlagFin : 0;
    ASSERT_TRUE(
        client.Encode(spdy::Frame::SynStream(id, {{"streamtype", type}}, flags), &wire).ok());
    id += 2;
  }
  std::vector<spdy::Event> events;
  ASSERT_TRUE(server.Feed(wire, &events).ok());
  ExecSpdyStreams streams(
      VersionOf(*NegotiateSpdy({"v4.channel.k8s.io"}, SupportedSpdyExecProtocols())),
      {true, true, true, false});
  for (const spdy::Event& e : events) {
    if (e.kind != spdy::Event::Kind::kStreamOpened) continue;
    EXPECT_TRUE(streams.Add(e.stream_id, e.headers));
    ASSERT_TRUE(server.Reply(e.stream_id).ok());
  }
  ASSERT_TRUE(streams.complete());
  uint32_t error_stream = *streams.Stream(StreamRole::kError);
  ExecResult result = ExitedWith({"sh", "-c", "exit 3"}, 3);
  ASSERT_TRUE(server.SendData(error_stream, *ErrorStreamPayload(4, result), true).ok());
  std::vector<spdy::Frame> frames;
  ASSERT_TRUE(client.Feed(server.TakeOutput(), &frames).ok());
  std::string error_data;
  for (const spdy::Frame& f : frames) {
    if (f.type == spdy::FrameType::kData && f.stream_id == error_stream) error_data += f.data;
  }
  EXPECT_EQ(error_data, StatusJson(result));
}

// ---- Port-forward ----

TEST(PortsTest, ParsesQuery) {
  auto p = ParsePortsQuery({"8080,80", "443"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<uint16_t>{8080, 80, 443}));
  EXPECT_EQ(*ParsePortsQuery({"65535"}), (std::vector<uint16_t>{65535}));
  struct Case {
    std::vector<std::string> values;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "query parameter \"ports\" is required"},
           {{""}, "query parameter \"ports\" cannot be empty"},
           {{"80", ""}, "query parameter \"ports\" cannot be empty"},
           {{"http"},
            "unable to parse \"http\" as a port: strconv.ParseUint: parsing \"http\": invalid "
            "syntax"},
           {{"80,x"},
            "unable to parse \"80,x\" as a port: strconv.ParseUint: parsing \"x\": invalid syntax"},
           {{"80,"},
            "unable to parse \"80,\" as a port: strconv.ParseUint: parsing \"\": invalid syntax"},
           {{"-1"},
            "unable to parse \"-1\" as a port: strconv.ParseUint: parsing \"-1\": invalid syntax"},
           {{"65536"},
            "unable to parse \"65536\" as a port: strconv.ParseUint: parsing \"65536\": value out "
            "of range"},
           {{"70000x"},
            "unable to parse \"70000x\" as a port: strconv.ParseUint: parsing \"70000x\": value "
            "out of range"},
           {{"99999999999999999999999999"},
            "unable to parse \"99999999999999999999999999\" as a port: strconv.ParseUint: parsing "
            "\"99999999999999999999999999\": value out of range"},
           {{"0"}, "port \"0\" must be > 0"},
           {{"80,0"}, "port \"80,0\" must be > 0"},
       }) {
    auto r = ParsePortsQuery(c.values);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), Code::kBadRequest);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(PortForwardWebSocketTest, ChannelsAndPortPrefix) {
  auto proto = NegotiatePortForwardWebSocket("v4.channel.k8s.io");
  ASSERT_TRUE(proto.ok());
  PortForwardWebSocket pf(proto->channel, {8080, 53});
  std::vector<std::string> start = pf.StartMessages();
  ASSERT_EQ(start.size(), 4u);
  EXPECT_EQ(start[0], "\x00\x90\x1f"s);  // 8080 = 0x1f90, little-endian
  EXPECT_EQ(start[1], "\x01\x90\x1f"s);
  EXPECT_EQ(start[2], "\x02\x35\x00"s);
  EXPECT_EQ(start[3], "\x03\x35\x00"s);
  auto in = pf.Receive("\x02GET /"s);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->port_index, 1u);
  EXPECT_EQ(in->data, "GET /");
  in = pf.Receive("\x03x"s);  // error channels are write-only
  ASSERT_TRUE(in.ok());
  EXPECT_FALSE(in->port_index.has_value());
  in = pf.Receive("\x04x"s);  // beyond the last port
  ASSERT_TRUE(in.ok());
  EXPECT_FALSE(in->port_index.has_value());
  EXPECT_FALSE(pf.Receive("").value().port_index.has_value());
  EXPECT_EQ(*pf.Data(0, "resp"), "\x00resp"s);
  EXPECT_FALSE(pf.Data(2, "x").has_value());
  std::string text = PortForwardErrorText(53, "web", "u-1", "connection refused");
  EXPECT_EQ(text, "error forwarding port 53 to pod web, uid u-1: connection refused");
  EXPECT_EQ(*pf.Error(1, text), "\x03"s + text);
  EXPECT_FALSE(pf.Error(2, text).has_value());

  auto b64 = NegotiatePortForwardWebSocket("v4.base64.channel.k8s.io");
  ASSERT_TRUE(b64.ok());
  PortForwardWebSocket pf64(b64->channel, {80});
  EXPECT_EQ(pf64.StartMessages(), (std::vector<std::string>{"0UAA=", "1UAA="}));  // 80 0
}

TEST(PortForwardSpdyTest, ParsesStreamHeaders) {
  auto s = ParsePortForwardStream(1, {{"streamtype", "error"}, {"port", "80"}, {"requestid", "0"}});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->is_error);
  EXPECT_EQ(s->port, 80);
  EXPECT_EQ(s->request_id, "0");
  // Old clients: no requestID, derived from the stream id.
  auto e = ParsePortForwardStream(5, {{"streamtype", "error"}, {"port", "80"}});
  auto d = ParsePortForwardStream(7, {{"streamtype", "data"}, {"port", "80"}});
  ASSERT_TRUE(e.ok() && d.ok());
  EXPECT_EQ(e->request_id, "5");
  EXPECT_EQ(d->request_id, "5");
  struct Case {
    spdy::Headers headers;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{{"streamtype", "data"}}, "\"port\" header is required"},
           {{{"port", ""}}, "\"port\" header is required"},
           {{{"port", "abc"}},
            "unable to parse \"abc\" as a port: strconv.ParseUint: parsing \"abc\": invalid "
            "syntax"},
           {{{"port", "65536"}},
            "unable to parse \"65536\" as a port: strconv.ParseUint: parsing \"65536\": value out "
            "of range"},
           {{{"port", "0"}}, "port \"0\" must be > 0"},
           {{{"port", "80"}}, "\"streamType\" header is required"},
           {{{"port", "80"}, {"streamtype", "stdin"}}, "invalid stream type \"stdin\""},
       }) {
    auto r = ParsePortForwardStream(1, c.headers);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(PortForwardSpdyTest, PairsByRequestId) {
  PortForwardPairs pairs;
  auto add = [&](uint32_t id, const char* type, const char* req) {
    auto s =
        ParsePortForwardStream(id, {{"streamtype", type}, {"port", "8080"}, {"requestid", req}});
    EXPECT_TRUE(s.ok());
    return pairs.Add(*s);
  };
  auto r = add(1, "error", "0");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  r = add(3, "error", "1");  // a second connection interleaves
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(pairs.size(), 2u);
  r = add(5, "data", "0");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->request_id, "0");
  EXPECT_EQ((*r)->port, 8080);
  EXPECT_EQ((*r)->error_stream, 1u);
  EXPECT_EQ((*r)->data_stream, 5u);
  EXPECT_EQ(pairs.size(), 1u);
  r = add(7, "error", "1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "error processing stream for request 1: error stream already assigned");
  ASSERT_NE(pairs.pending("1"), nullptr);
  EXPECT_EQ(pairs.pending("1")->error_stream, 3u);
  pairs.Remove("1");
  EXPECT_EQ(pairs.size(), 0u);
  EXPECT_EQ(pairs.pending("1"), nullptr);
}

// ---- Fuzz ----

TEST(FuzzTest, MutatedMessagesNeverCrash) {
  std::mt19937 rng(12345);
  const std::vector<std::string> seeds = {
      "\x00ls\n"s,    "\x04{\"Width\":80,\"Height\":24}\n"s, "\xff\x00"s,
      "0Zm9vCg==",    "4eyJXaWR0aCI6MTAsIkhlaWdodCI6MjB9",   "\x02GET / HTTP/1.1\r\n\r\n"s,
      "{\"width\":1}"};
  const char* protocols[] = {"v5.channel.k8s.io",        "v4.channel.k8s.io",
                             "v4.base64.channel.k8s.io", "channel.k8s.io",
                             "base64.channel.k8s.io",    ""};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string m = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 4) {
        case 0:
          if (!m.empty()) m[rng() % m.size()] = static_cast<char>(rng());
          break;
        case 1:
          m.insert(m.begin() + static_cast<long>(rng() % (m.size() + 1)), static_cast<char>(rng()));
          break;
        case 2:
          if (!m.empty()) m.erase(rng() % m.size(), 1 + rng() % 3);
          break;
        case 3:
          m += m.substr(0, rng() % (m.size() + 1));
          break;
      }
    }
    WebSocketProtocol proto = Ws(protocols[iter % 6]);
    ExecWebSocket ws(proto, {true, true, true, true});
    std::vector<ExecEvent> ev;
    (void)ws.Receive(m, &ev);
    (void)ws.Receive(m, &ev);
    PortForwardWebSocket pf(proto, {80, 443});
    (void)pf.Receive(m);
    ResizeDecoder d;
    std::vector<TerminalSize> sizes;
    (void)d.Feed(m, &sizes);
    (void)ParsePortsQuery({m});
    (void)ParsePortForwardStream(static_cast<uint32_t>(rng()), {{"port", m}, {"streamtype", m}});
    (void)StatusJson(ExitedWith({m}, static_cast<int>(rng() % 256)));
  }
}

}  // namespace
}  // namespace minik::remotecommand
