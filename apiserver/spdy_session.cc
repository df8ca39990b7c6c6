// The server side of a SPDY/3.1 connection: stream bookkeeping over the Codec, mirroring
// what spdystream's Connection (connection.go, stream.go) and k8s' spdy connection do when
// the Go client talks to them. See apiserver/spdy.h for the contract.
#include <algorithm>
#include <string>

#include "apiserver/spdy.h"

namespace minik::spdy {
namespace {

Status StreamNotOpen(uint32_t id) {
  return Status(Code::kNotFound, "spdy stream " + std::to_string(id) + " is not open");
}

Event MakeEvent(Event::Kind kind) {
  Event e;
  e.kind = kind;
  return e;
}

}  // namespace

ServerSession::ServerSession() : ServerSession(Options{}) {}

ServerSession::ServerSession(Options options) : options_(options), codec_(options.limits) {}

std::string ServerSession::TakeOutput() {
  std::string out;
  out.swap(output_);
  return out;
}

Status ServerSession::Send(const Frame& frame) { return codec_.Encode(frame, &output_); }

Status ServerSession::Feed(std::string_view bytes, std::vector<Event>* events) {
  if (!error_.ok()) return error_;
  std::vector<Frame> frames;
  Status s = codec_.Feed(bytes, &frames);
  for (Frame& frame : frames) OnFrame(frame, events);
  if (!s.ok()) {
    error_ = s;
    // The client's compression state is lost; tell it why before the caller hangs up.
    if (!goaway_sent_) {
      (void)Send(Frame::GoAway(last_client_stream_, GoAwayStatus::kProtocolError));
      goaway_sent_ = true;
    }
  }
  return s;
}

void ServerSession::OnFrame(Frame& frame, std::vector<Event>* events) {
  switch (frame.type) {
    case FrameType::kSynStream:
      OnSynStream(frame, events);
      return;
    case FrameType::kData: {
      auto it = streams_.find(frame.stream_id);
      // Unknown, reset, or already half-closed by the client: dropped, as spdystream does.
      if (it == streams_.end() || it->second.remote_fin) return;
      if (!frame.data.empty()) {
        Event e = MakeEvent(Event::Kind::kData);
        e.stream_id = frame.stream_id;
        e.data = std::move(frame.data);
        events->push_back(std::move(e));
      }
      if (frame.fin()) RemoteFin(frame.stream_id, events);
      return;
    }
    case FrameType::kHeaders: {
      auto it = streams_.find(frame.stream_id);
      if (it == streams_.end() || it->second.remote_fin) return;
      Event e = MakeEvent(Event::Kind::kHeaders);
      e.stream_id = frame.stream_id;
      e.headers = std::move(frame.headers);
      events->push_back(std::move(e));
      if (frame.fin()) RemoteFin(frame.stream_id, events);
      return;
    }
    case FrameType::kRstStream: {
      if (streams_.erase(frame.stream_id) == 0) return;
      Event e = MakeEvent(Event::Kind::kStreamReset);
      e.stream_id = frame.stream_id;
      e.status = frame.status;
      events->push_back(std::move(e));
      return;
    }
    case FrameType::kPing:
      // Odd ids are the client's: echo them (spdystream answers pings whose parity differs
      // from its own). Even ids answer ours.
      if (frame.ping_id % 2 == 1) {
        (void)Send(Frame::Ping(frame.ping_id));
      } else {
        Event e = MakeEvent(Event::Kind::kPingReply);
        e.ping_id = frame.ping_id;
        events->push_back(std::move(e));
      }
      return;
    case FrameType::kGoAway: {
      goaway_received_ = true;
      Event e = MakeEvent(Event::Kind::kGoAway);
      e.stream_id = frame.stream_id;
      e.status = frame.status;
      events->push_back(std::move(e));
      return;
    }
    case FrameType::kSynReply:      // we never open streams, so there is nothing to reply to
    case FrameType::kSettings:      // spdystream ignores SETTINGS ...
    case FrameType::kWindowUpdate:  // ... and WINDOW_UPDATE: no flow control on either side
      return;
  }
}

void ServerSession::OnSynStream(Frame& frame, std::vector<Event>* events) {
  const uint32_t id = frame.stream_id;
  // After GOAWAY either way, new streams are ignored without an answer (spdystream's
  // checkStreamFrame with goneAway set).
  if (goaway_sent_ || goaway_received_) return;
  // Client streams are odd and strictly increasing; anything else is refused on its own.
  if (id % 2 == 0 || id <= last_client_stream_) {
    (void)Send(Frame::RstStream(id, RstStatus::kProtocolError));
    return;
  }
  last_client_stream_ = id;
  if (streams_.size() >= options_.max_streams) {
    (void)Send(Frame::RstStream(id, RstStatus::kRefusedStream));
    return;
  }
  StreamState state;
  state.local_fin = (frame.flags & kFlagUnidirectional) != 0;
  streams_[id] = state;
  Event e = MakeEvent(Event::Kind::kStreamOpened);
  e.stream_id = id;
  e.headers = std::move(frame.headers);
  events->push_back(std::move(e));
  if (frame.fin()) RemoteFin(id, events);
}

void ServerSession::RemoteFin(uint32_t stream_id, std::vector<Event>* events) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  it->second.remote_fin = true;
  Event e = MakeEvent(Event::Kind::kRemoteFin);
  e.stream_id = stream_id;
  events->push_back(std::move(e));
  ForgetIfClosed(stream_id);
}

void ServerSession::ForgetIfClosed(uint32_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it != streams_.end() && it->second.local_fin && it->second.remote_fin) {
    streams_.erase(it);
  }
}

Status ServerSession::Reply(uint32_t stream_id, const Headers& headers, bool fin) {
  if (!error_.ok()) return error_;
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return StreamNotOpen(stream_id);
  if (it->second.replied) {
    return BadRequest("spdy stream " + std::to_string(stream_id) + " was already replied to");
  }
  Status s = Send(Frame::SynReply(stream_id, headers, fin));
  if (!s.ok()) return s;
  it->second.replied = true;
  if (fin) {
    it->second.local_fin = true;
    ForgetIfClosed(stream_id);
  }
  return Status::Ok();
}

Status ServerSession::SendData(uint32_t stream_id, std::string_view data, bool fin) {
  if (!error_.ok()) return error_;
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return StreamNotOpen(stream_id);
  if (!it->second.replied) {
    // spdystream's client drops DATA that arrives before the SYN_REPLY.
    return BadRequest("spdy stream " + std::to_string(stream_id) + " not replied to yet");
  }
  if (it->second.local_fin) {
    return BadRequest("spdy stream " + std::to_string(stream_id) + " already half-closed");
  }
  if (data.empty() && !fin) return Status::Ok();
  size_t pos = 0;
  do {
    size_t n = std::min(data.size() - pos, kMaxFrameLength);
    bool last = pos + n == data.size();
    Status s =
        codec_.EncodeData(stream_id, data.substr(pos, n), fin && last ? kFlagFin : 0, &output_);
    if (!s.ok()) return s;
    pos += n;
  } while (pos < data.size());
  if (fin) {
    it->second.local_fin = true;
    ForgetIfClosed(stream_id);
  }
  return Status::Ok();
}

Status ServerSession::Reset(uint32_t stream_id, RstStatus status) {
  if (!error_.ok()) return error_;
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return StreamNotOpen(stream_id);
  Status s = Send(Frame::RstStream(stream_id, status));
  if (!s.ok()) return s;
  streams_.erase(it);
  return Status::Ok();
}

Status ServerSession::GoAway(GoAwayStatus status) {
  if (!error_.ok()) return error_;
  if (goaway_sent_) return Status::Ok();
  Status s = Send(Frame::GoAway(last_client_stream_, status));
  if (!s.ok()) return s;
  goaway_sent_ = true;
  return Status::Ok();
}

Status ServerSession::Close() {
  if (!error_.ok()) return error_;
  for (const auto& [id, state] : streams_) {
    Status s = Send(Frame::RstStream(id, RstStatus::kCancel));
    if (!s.ok()) return s;
  }
  streams_.clear();
  return GoAway(GoAwayStatus::kOk);
}

StatusOr<uint32_t> ServerSession::Ping() {
  if (!error_.ok()) return error_;
  uint32_t id = next_ping_id_;
  // Even ids only, wrapping like spdystream's Connection.Ping.
  next_ping_id_ = next_ping_id_ > 0x7ffffffd ? 2 : next_ping_id_ + 2;
  Status s = Send(Frame::Ping(id));
  if (!s.ok()) return s;
  return id;
}

}  // namespace minik::spdy
