// Writes the seed corpora of the fuzz targets to fuzz/corpus/<target>/ (run once; the files
// are committed): real SPDY frames made with spdy::Codec, channel.k8s.io messages as kubectl
// and client libraries send them, resize JSON and port-forward headers, each wrapped in the
// target's input layout (see the header comment of each fuzz/<target>_fuzz.cc).
//   make_corpus DIR   (DIR = fuzz/corpus)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "apiserver/spdy.h"

namespace {

using minik::spdy::Codec;
using minik::spdy::Frame;
using minik::spdy::GoAwayStatus;
using minik::spdy::RstStatus;

std::filesystem::path root;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary) << bytes;
}

std::string Chunk(const std::string& s) {  // FuzzInput::Chunk's layout
  if (s.size() < 0xff) return std::string(1, static_cast<char>(s.size())) + s;
  return std::string("\xff") + static_cast<char>(s.size() >> 8) + static_cast<char>(s.size()) + s;
}

std::string Encode(Codec& codec, const Frame& frame) {
  std::string out;
  if (!codec.Encode(frame, &out).ok()) std::abort();
  return out;
}

// What kubectl sends for `exec -i -t`, then stdin data, a ping, a half-close and a reset.
std::string ExecClientWire(Codec& c) {
  std::string w;
  w += Encode(c, Frame::SynStream(1, {{"streamtype", "error"}}));
  w += Encode(c, Frame::SynStream(3, {{"streamtype", "stdin"}}));
  w += Encode(c, Frame::SynStream(5, {{"streamtype", "stdout"}}));
  w += Encode(c, Frame::SynStream(7, {{"streamtype", "resize"}}));
  w += Encode(c, Frame::Data(3, "echo hi\n"));
  w += Encode(c, Frame::Data(7, R"({"Width":80,"Height":24})"));
  w += Encode(c, Frame::Ping(1));
  w += Encode(c, Frame::Data(3, "", true));
  w += Encode(c, Frame::RstStream(7, RstStatus::kCancel));
  return w;
}

std::string PortForwardClientWire(Codec& c) {
  std::string w;
  w +=
      Encode(c, Frame::SynStream(1, {{"streamtype", "error"}, {"port", "80"}, {"requestid", "0"}}));
  w += Encode(c, Frame::SynStream(3, {{"streamtype", "data"}, {"port", "80"}, {"requestid", "0"}}));
  w += Encode(c, Frame::Data(3, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false));
  w += Encode(c, Frame::HeadersFrame(3, {{"x", "a"}, {"x", "b"}}));
  w += Encode(c, Frame::GoAway(3, GoAwayStatus::kOk));
  return w;
}

void SpdyCodec() {
  Codec c1, c2, c3;
  Write("spdy_codec", "exec", std::string(2, '\0') + ExecClientWire(c1));
  Write("spdy_codec", "portforward-split",
        std::string("\0\3\0\5\0\x20\0\x40", 8) + PortForwardClientWire(c2));
  std::string misc = Encode(c3, Frame::SynReply(1, {}, false));
  misc += Encode(c3, Frame::WindowUpdate(0, 65536));
  Frame settings;
  settings.type = minik::spdy::FrameType::kSettings;
  settings.settings.push_back({0, 7, 65536});
  misc += Encode(c3, settings);
  misc += Encode(c3, Frame::Data(1, "hello", true));
  Write("spdy_codec", "misc", std::string(2, '\0') + misc);
  // Small limits: max frame 0x40, header block 0x40, 4 headers.
  Codec c4;
  Write("spdy_codec", "small-limits", std::string("\1\0\x3f\0\x3f\4\0", 7) + ExecClientWire(c4));
}

void SpdySession() {
  Codec c1;
  std::string s(1, '\7');                                 // max_streams 8
  s += '\0' + Chunk(ExecClientWire(c1));                  // feed
  s += std::string("\4\0\0\0\0", 5);                      // Reply(opened[0]), no headers, no fin
  s += std::string("\5\0\1", 3) + Chunk("out") + '\0';    // SendData(opened[1]) -> not replied
  s += std::string("\4\0\2\1\0\1x\0", 8);                 // Reply(opened[2], {streamtype: x})
  s += std::string("\5\0\2", 3) + Chunk("hello") + '\1';  // SendData + fin
  s += '\x09';                                            // drain
  s += std::string("\6\0\0\5", 4);                        // Reset(opened[0], CANCEL)
  s += '\x08';                                            // Ping
  s += std::string("\7\0", 2);                            // Close
  s += '\x09';
  Write("spdy_session", "exec", s);

  Codec c2;
  std::string p(1, '\1');  // max_streams 2
  p += '\0' + Chunk(PortForwardClientWire(c2));
  p += std::string("\4\0\0\0\1", 5);  // Reply(opened[0], fin)
  p += std::string("\7\1", 2);        // GoAway
  p += '\x09';
  Write("spdy_session", "portforward", p);

  // Structured client frames (op 2): SYN_STREAM 1, DATA 1 fin, PING 5, SYN_STREAM 3 ...
  std::string f(1, '\3');
  f += std::string("\2\0\0\0\2\0\1a\1", 9);                // SynStream(1, {port: a}, flags 1)
  f += std::string("\2\0\0\1", 4) + Chunk("data") + '\1';  // Data(1, "data", fin)
  f += std::string("\2\0\1\4\0\0\0\5", 8);                 // Ping(5)
  f += std::string("\2\0\1\0\0\0", 6);                     // SynStream(3, {}, 0)
  f += std::string("\4\0\0\0\0", 5);                       // Reply(opened[0])
  f += std::string("\2\0\1\3\4", 5);                       // RstStream(3, CANCEL)
  f += '\x09';
  Write("spdy_session", "frames", f);
}

void Channel() {
  // RunExec (1), direct protocol (0) v5 (4) raw (0), stdin|stdout|tty (0x0b), messages.
  std::string v5("\1\0\4\0\x0b", 5);
  v5 += Chunk(std::string("\0hello\n", 7)) + '\0';
  v5 += Chunk(std::string("\4{\"Width\":80,\"Height\":24}")) + '\1';
  v5 += Chunk(std::string("\4{\"width\":100,")) + '\4';
  v5 += Chunk(std::string("\4\"height\":50}")) + '\4';
  v5 += Chunk(std::string("\xff\0", 2)) + '\0';
  v5 += Chunk(std::string("\0late", 5)) + '\0';
  Write("channel", "exec-v5", v5);
  // Negotiated (1, table 1) v4.base64.channel.k8s.io (index 2), stdin|stdout|stderr (0x07).
  std::string b64("\1\1\0\2\x07", 5);
  b64 += Chunk("0aGVsbG8=") + '\0';
  b64 += Chunk("4eyJXaWR0aCI6MTAsIkhlaWdodCI6MjB9") + '\4';
  b64 += Chunk("0!!") + '\0';
  Write("channel", "exec-v4-base64", b64);
  // Negotiated from a header in the input.
  std::string hdr("\1\1\1", 3);
  hdr += Chunk("foo, v4.channel.k8s.io , channel.k8s.io") + '\x13';
  hdr += Chunk(std::string("\0abc", 4)) + '\2';
  Write("channel", "exec-header", hdr);
  // RunCodec (0), direct v5 raw, 4 channels: read, write, readwrite, ignore.
  std::string codec("\0\0\4\0\4\1\2\3\0", 9);
  codec += Chunk(std::string("\0in", 3)) + '\2';
  codec += Chunk(std::string("\2rw", 3)) + '\2';
  codec += Chunk(std::string("\xff\7", 2)) + '\0';
  codec += Chunk(std::string("\xff\1\2", 3)) + '\0';
  Write("channel", "codec-v5", codec);
}

void Resize() {
  Write("resize", "one", std::string(1, '\0') + R"({"Width":80,"Height":24})");
  Write("resize", "split",
        std::string("\3\0\5\0\x12\0\x20", 7) +
            "{\"width\":100,\"height\":50}\n{\"Width\":1} null {\"x\":[1,{}]}");
  Write("resize", "bad", std::string(1, '\0') + R"({"Width":-1})");
  Write("resize", "string", std::string(1, '\0') + R"("{\"Width\":1}" {"Height":70000})");
}

void PortForward() {
  // RunSpdy (0): id 1, 3 headers, port 80 / streamType data / requestID 0; id 3 error.
  std::string spdy(1, '\0');
  spdy += std::string("\0\1\3", 3) + '\0' + Chunk("80") + '\4' + Chunk("data") + '\4' + Chunk("0") +
          '\0';
  spdy += std::string("\0\3\3", 3) + '\0' + Chunk("80") + '\3' + Chunk("error") + '\2' +
          Chunk("0") + '\0';
  spdy += std::string("\0\5\2", 3) + '\0' + Chunk("x") + '\1' + Chunk("data") + '\0';
  spdy += std::string("\0\7\2", 3) + '\5' + Chunk("0") + '\1' + Chunk("bogus") + '\x42';
  Write("portforward", "spdy-pair", spdy);
  std::string query("\1\3", 2);
  query += Chunk("80,443") + Chunk("8080") + Chunk("");
  Write("portforward", "ports-query", query);
  Write("portforward", "ports-bad", std::string("\1\1", 2) + Chunk("80,x"));
  // RunWebSocket (2): header v4.channel.k8s.io, 2 ports (80, 443), messages.
  std::string ws("\2\1", 2);
  ws += Chunk("v4.channel.k8s.io") + '\1';
  ws += std::string("\0\x4f\x01\xba", 4);
  ws += Chunk(std::string("\0GET /", 6)) + '\0';
  ws += Chunk(std::string("\2data", 5)) + '\1';
  ws += Chunk(std::string("\1err", 4)) + '\2';
  Write("portforward", "websocket", ws);
  std::string b64("\2\1", 2);
  b64 += Chunk("v4.base64.channel.k8s.io") + '\0';
  b64 += std::string("\0\x4f", 2);
  b64 += Chunk("0R0VUIC8=") + '\0';
  Write("portforward", "websocket-base64", b64);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  root = argv[1];
  SpdyCodec();
  SpdySession();
  Channel();
  Resize();
  PortForward();
  return 0;
}
