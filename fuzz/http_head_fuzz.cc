// Fuzzes the request side of the HTTP server without sockets: Beast's request parser with the
// server's header and body limits, fed in pieces as reads deliver them, then ParseTarget (path
// and query decoding) on what it accepts. Input: [cut count][cuts u16...] then the bytes.
// Checks: a request parsed whole or split the same; an accepted request has an absolute
// decoded path or a BadRequest; nothing throws.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "apiserver/http.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

namespace http = boost::beast::http;

struct Outcome {
  bool done = false;
  bool failed = false;
  std::string target;
  std::string body;
};

// Feeds `pieces` to a fresh parser as Session::ReadRequest configures it.
Outcome Parse(const std::vector<std::string_view>& pieces) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(256 * 1024);
  parser.eager(true);
  std::string pending;
  Outcome out;
  for (std::string_view piece : pieces) {
    if (piece.empty()) continue;  // as a read loop, which only parses again with new bytes
    pending.append(piece);
    while (!pending.empty() && !parser.is_done()) {
      boost::beast::error_code ec;
      size_t used = parser.put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);  // also with need_more: the start line may have been taken
      if (ec == http::error::need_more) break;
      if (ec) {
        out.failed = true;
        return out;
      }
      if (used == 0) break;
    }
    if (parser.is_done()) break;
  }
  if (!parser.is_done()) return out;
  out.done = true;
  out.target = std::string(parser.get().target());
  out.body = parser.get().body();
  return out;
}

void Run(fuzz::FuzzInput& in) {
  std::vector<size_t> cuts(in.Below(6));
  for (size_t& c : cuts) c = in.U16();
  const std::string_view bytes = in.Rest();
  for (size_t& c : cuts) c %= bytes.size() + 1;
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(bytes.size());
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  for (size_t c : cuts) {
    pieces.push_back(bytes.substr(pos, c - pos));
    pos = c;
  }
  Outcome split = Parse(pieces);
  Outcome whole = Parse({bytes});
  // Beast checks the start line of a first read before the header is whole, and later reads
  // only once it is: an incomplete head may fail whole and still wait when split. What does
  // complete must not depend on the split.
  FUZZ_CHECK(!(split.done && whole.failed) && !(split.failed && whole.done));
  if (!whole.done || !split.done) return;
  FUZZ_CHECK(split.target == whole.target && split.body == whole.body);

  HttpRequest request;
  request.method = "GET";
  request.target = whole.target;
  Status parsed = ParseTarget(request);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.code() == Code::kBadRequest);
    return;
  }
  FUZZ_CHECK(!request.path.empty() && request.path[0] == '/');
  (void)request.Query("watch");
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
