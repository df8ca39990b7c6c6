// Fuzzes spdy::ServerSession: the input is a script of operations, one opcode byte each:
// feed raw client bytes, feed a client frame encoded by a client-side Codec (so header
// blocks stay decodable), or call Reply / SendData / Reset / GoAway / Close / Ping on a stream
// the client opened (or on any id). Checks: everything the server writes decodes cleanly as
// SPDY and follows the stream rules a client relies on (SYN_REPLY once, only to streams the
// client opened; DATA only after it and never after the server's FIN or RST; no streams,
// SETTINGS, HEADERS or WINDOW_UPDATE from the server; one GOAWAY); its output stays within a
// bound of what went in; streams stay within max_streams; events are well-formed; after a
// protocol error every call keeps failing.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "apiserver/spdy.h"
#include "fuzz/fuzz_input.h"

namespace minik::spdy {
namespace {

Headers SmallHeaders(fuzz::FuzzInput& in) {
  static const char* const kNames[] = {"streamtype", "port", "requestid", "x", "connection", ""};
  Headers h(in.Below(4));
  for (auto& [name, value] : h) {
    name = kNames[in.Below(6)];
    value = std::string(in.Bytes(in.Below(16)));
  }
  return h;
}

// A client frame chosen by the input; stream ids come from the input, mostly small and odd.
Frame ClientFrame(fuzz::FuzzInput& in) {
  uint32_t id = in.Bool() ? in.U32() : 2 * in.Below(16) + 1;
  switch (in.Below(8)) {
    case 0:
      return Frame::SynStream(id, SmallHeaders(in), in.Byte() & 3);
    case 1:
      return Frame::Data(id, std::string(in.Chunk()), in.Bool());
    case 2:
      return Frame::HeadersFrame(id, SmallHeaders(in), in.Bool());
    case 3:
      return Frame::RstStream(id, static_cast<RstStatus>(1 + in.Below(11)));
    case 4:
      return Frame::Ping(in.U32());
    case 5:
      return Frame::GoAway(id, static_cast<GoAwayStatus>(in.Below(3)));
    case 6:
      return Frame::WindowUpdate(id, in.U32());
    default:
      return Frame::SynReply(id, SmallHeaders(in), in.Bool());
  }
}

// What the client has seen the server do on each stream, from the server's output.
class OutputChecker {
 public:
  void StreamOpened(uint32_t id) { opened_.insert(id); }
  void Check(std::string_view out) {
    std::vector<Frame> frames;
    FUZZ_CHECK(reader_.Feed(out, &frames).ok());
    FUZZ_CHECK(reader_.buffered() == 0);  // whole frames only
    for (const Frame& f : frames) {
      Sent& st = sent_[f.stream_id];
      switch (f.type) {
        case FrameType::kSynReply:
          FUZZ_CHECK(opened_.count(f.stream_id) && !st.replied && !st.reset);
          st.replied = true;
          st.fin = f.fin();
          break;
        case FrameType::kData:
          FUZZ_CHECK(st.replied && !st.fin && !st.reset);
          st.fin = f.fin();
          break;
        case FrameType::kRstStream:
          // PROTOCOL_ERROR and REFUSED_STREAM refuse a SYN_STREAM, which may reuse an open
          // stream's id; other statuses come from Reset()/Close() and end the stream.
          if (f.status != static_cast<uint32_t>(RstStatus::kProtocolError) &&
              f.status != static_cast<uint32_t>(RstStatus::kRefusedStream)) {
            FUZZ_CHECK(opened_.count(f.stream_id) && !st.reset);
            st.reset = true;
          }
          break;
        case FrameType::kGoAway:
          FUZZ_CHECK(++goaways_ == 1);
          break;
        case FrameType::kPing:
          break;
        default:
          FUZZ_CHECK(false && "the server sent a frame type it never sends");
      }
    }
  }

 private:
  struct Sent {
    bool replied = false, fin = false, reset = false;
  };
  Codec reader_;
  std::set<uint32_t> opened_;
  std::map<uint32_t, Sent> sent_;
  int goaways_ = 0;
};

// Reset() statuses other than the two the session uses to refuse streams.
RstStatus ResetStatus(fuzz::FuzzInput& in) {
  static const RstStatus kStatuses[] = {RstStatus::kCancel, RstStatus::kInternalError,
                                        RstStatus::kInvalidStream, RstStatus::kFlowControlError,
                                        RstStatus::kStreamAlreadyClosed};
  return kStatuses[in.Below(5)];
}

void Run(fuzz::FuzzInput& in) {
  ServerSession::Options options;
  options.max_streams = 1 + in.Below(8);
  ServerSession session(options);
  Codec client;  // encodes what the "client" sends
  OutputChecker checker;
  std::vector<uint32_t> opened;
  uint32_t last_opened = 0;
  size_t fed = 0, data_sent = 0, ops = 0, output = 0;
  bool failed = false;

  auto pick_stream = [&]() -> uint32_t {
    if (!opened.empty() && !in.Bool()) return opened[in.Below(opened.size())];
    return in.Below(64);
  };
  auto feed = [&](std::string_view bytes) {
    fed += bytes.size();
    std::vector<Event> events;
    Status s = session.Feed(bytes, &events);
    for (const Event& e : events) {
      switch (e.kind) {
        case Event::Kind::kStreamOpened:
          FUZZ_CHECK(e.stream_id % 2 == 1 && e.stream_id > last_opened);
          last_opened = e.stream_id;
          opened.push_back(e.stream_id);
          checker.StreamOpened(e.stream_id);
          break;
        case Event::Kind::kData:
          FUZZ_CHECK(!e.data.empty());
          break;
        case Event::Kind::kPingReply:
          FUZZ_CHECK(e.ping_id % 2 == 0);
          break;
        case Event::Kind::kStreamReset:
          FUZZ_CHECK(!session.IsOpen(e.stream_id));
          break;
        default:
          break;
      }
    }
    if (!s.ok()) {
      FUZZ_CHECK(s.code() == Code::kBadRequest || s.code() == Code::kInternal);
      failed = true;
    }
  };

  while (!in.empty()) {
    ++ops;
    const bool was_failed = failed;
    const size_t op = in.Below(10);
    Status s;
    switch (op) {
      case 0:
      case 1:
        feed(in.Chunk());
        break;
      case 2:
      case 3: {
        std::string bytes;
        if (client.Encode(ClientFrame(in), &bytes).ok()) feed(bytes);
        break;
      }
      case 4: {
        uint32_t id = pick_stream();
        s = session.Reply(id, SmallHeaders(in), in.Bool());
        break;
      }
      case 5: {
        uint32_t id = pick_stream();
        std::string_view data = in.Chunk();
        s = session.SendData(id, data, in.Bool());
        if (s.ok()) data_sent += data.size();
        break;
      }
      case 6:
        s = session.Reset(pick_stream(), ResetStatus(in));
        break;
      case 7:
        s = in.Bool() ? session.GoAway() : session.Close();
        if (s.ok()) FUZZ_CHECK(session.goaway_sent());
        break;
      case 8:
        s = session.Ping().status();
        break;
      default: {
        // Like a transport: drain the output and check that it is valid SPDY.
        std::string out = session.TakeOutput();
        FUZZ_CHECK(!session.HasOutput() && session.output_bytes() == 0);
        output += out.size();
        checker.Check(out);
        break;
      }
    }
    // After a protocol error the session is dead: every call reports it.
    if (was_failed && op >= 4 && op <= 8) FUZZ_CHECK(!s.ok() && s.code() != Code::kNotFound);
    FUZZ_CHECK(session.open_streams() <= options.max_streams);
    // Echoes, refusals and GOAWAY cost at most twice the input; replies and resets at most
    // a few hundred bytes per call (small headers); data as much as was sent.
    FUZZ_CHECK(output + session.output_bytes() <= 2 * fed + data_sent + 512 * ops);
  }
  checker.Check(session.TakeOutput());
}

}  // namespace
}  // namespace minik::spdy

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::spdy::Run(in);
  return 0;
}
