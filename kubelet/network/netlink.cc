#include "kubelet/network/netlink.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace minik::net {

namespace {

constexpr uint16_t kRequest = NLM_F_REQUEST | NLM_F_ACK;

ifinfomsg LinkHeader(int family, int index, unsigned flags, unsigned change) {
  ifinfomsg h{};
  h.ifi_family = static_cast<unsigned char>(family);
  h.ifi_index = index;
  h.ifi_flags = flags;
  h.ifi_change = change;
  return h;
}

// Walks the rtattrs in [data, data+len) calling fn(type, payload, payload_len).
template <typename Fn>
void ForEachAttr(const uint8_t* data, size_t len, Fn fn) {
  while (len >= sizeof(rtattr)) {
    const auto* a = reinterpret_cast<const rtattr*>(data);
    if (a->rta_len < sizeof(rtattr) || a->rta_len > len) return;
    fn(a->rta_type & NLA_TYPE_MASK, data + RTA_LENGTH(0), a->rta_len - RTA_LENGTH(0));
    size_t step = RTA_ALIGN(a->rta_len);
    if (step >= len) return;
    data += step;
    len -= step;
  }
}

std::string AttrString(const uint8_t* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p),
                     strnlen(reinterpret_cast<const char*>(p), n));
}

uint32_t AttrU32(const uint8_t* p, size_t n) {
  uint32_t v = 0;
  if (n >= 4) std::memcpy(&v, p, 4);
  return v;
}

const char* TypeName(uint16_t type) {
  switch (type) {
    case RTM_NEWLINK:
      return "RTM_NEWLINK";
    case RTM_DELLINK:
      return "RTM_DELLINK";
    case RTM_GETLINK:
      return "RTM_GETLINK";
    case RTM_SETLINK:
      return "RTM_SETLINK";
    case RTM_NEWADDR:
      return "RTM_NEWADDR";
    case RTM_NEWROUTE:
      return "RTM_NEWROUTE";
    default:
      return "netlink request";
  }
}

}  // namespace

// --- NlMessage ------------------------------------------------------------------------------

NlMessage::NlMessage(uint16_t type, uint16_t flags) {
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  Append(&h, sizeof(h));
}

void NlMessage::Append(const void* data, size_t len) {
  if (len == 0) return;
  // resize + memcpy rather than insert: GCC 12 reports a false -Wstringop-overflow for it.
  size_t old = buf_.size();
  buf_.resize(old + len);
  std::memcpy(buf_.data() + old, data, len);
}

void NlMessage::Align() { buf_.resize(NLMSG_ALIGN(buf_.size()), 0); }

void NlMessage::PutAttr(uint16_t type, const void* data, size_t len) {
  Align();
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  a.rta_type = type;
  Append(&a, sizeof(a));
  Append(data, len);
  Align();
}

size_t NlMessage::BeginNested(uint16_t type) {
  Align();
  size_t token = buf_.size();
  rtattr a{};
  a.rta_type = type;
  Append(&a, sizeof(a));
  return token;
}

void NlMessage::EndNested(size_t token) {
  Align();
  auto len = static_cast<unsigned short>(buf_.size() - token);
  std::memcpy(buf_.data() + token + offsetof(rtattr, rta_len), &len, sizeof(len));
}

uint16_t NlMessage::type() const {
  return reinterpret_cast<const nlmsghdr*>(buf_.data())->nlmsg_type;
}

const std::vector<uint8_t>& NlMessage::Finish(uint32_t seq) {
  Align();
  auto* h = reinterpret_cast<nlmsghdr*>(buf_.data());
  h->nlmsg_len = static_cast<uint32_t>(buf_.size());
  h->nlmsg_seq = seq;
  return buf_;
}

// --- parsing --------------------------------------------------------------------------------

StatusOr<LinkInfo> ParseLink(const nlmsghdr* h) {
  if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg)))
    return Internal("netlink: not a link message");
  const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
  LinkInfo link;
  link.index = ifi->ifi_index;
  link.flags = ifi->ifi_flags;
  const auto* attrs = reinterpret_cast<const uint8_t*>(ifi) + NLMSG_ALIGN(sizeof(ifinfomsg));
  size_t len = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(ifinfomsg)));
  ForEachAttr(attrs, len, [&](uint16_t type, const uint8_t* p, size_t n) {
    switch (type) {
      case IFLA_IFNAME:
        link.name = AttrString(p, n);
        break;
      case IFLA_MASTER:
        link.master = static_cast<int>(AttrU32(p, n));
        break;
      case IFLA_LINK:
        link.link = static_cast<int>(AttrU32(p, n));
        break;
      case IFLA_LINKINFO:
        ForEachAttr(p, n, [&](uint16_t t, const uint8_t* q, size_t m) {
          if (t == IFLA_INFO_KIND) link.kind = AttrString(q, m);
        });
        break;
      default:
        break;
    }
  });
  return link;
}

// --- requests -------------------------------------------------------------------------------

NlMessage BuildNewBridge(const std::string& name, const uint8_t mac[6]) {
  NlMessage m(RTM_NEWLINK, kRequest | NLM_F_CREATE | NLM_F_EXCL);
  m.PutHeader(LinkHeader(AF_UNSPEC, 0, IFF_UP, IFF_UP));
  m.PutString(IFLA_IFNAME, name);
  m.PutAttr(IFLA_ADDRESS, mac, 6);
  size_t info = m.BeginNested(IFLA_LINKINFO);
  m.PutString(IFLA_INFO_KIND, "bridge");
  m.EndNested(info);
  return m;
}

NlMessage BuildNewVeth(const std::string& host_name, int master_index, const std::string& peer_name,
                       int netns_fd) {
  NlMessage m(RTM_NEWLINK, kRequest | NLM_F_CREATE | NLM_F_EXCL);
  m.PutHeader(LinkHeader(AF_UNSPEC, 0, IFF_UP, IFF_UP));
  m.PutString(IFLA_IFNAME, host_name);
  m.PutU32(IFLA_MASTER, static_cast<uint32_t>(master_index));
  size_t info = m.BeginNested(IFLA_LINKINFO);
  m.PutString(IFLA_INFO_KIND, "veth");
  size_t data = m.BeginNested(IFLA_INFO_DATA);
  // VETH_INFO_PEER's payload is a whole ifinfomsg followed by the peer's attributes.
  size_t peer = m.BeginNested(VETH_INFO_PEER);
  // Not IFF_UP: the kernel configures the peer before the pair is linked, and opening a
  // veth without its peer fails with ENOTCONN. The pod side brings eth0 up afterwards.
  m.PutHeader(LinkHeader(AF_UNSPEC, 0, 0, 0));
  m.PutString(IFLA_IFNAME, peer_name);
  m.PutU32(IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
  m.EndNested(peer);
  m.EndNested(data);
  m.EndNested(info);
  return m;
}

NlMessage BuildSetLinkUp(int index) {
  NlMessage m(RTM_NEWLINK, kRequest);
  m.PutHeader(LinkHeader(AF_UNSPEC, index, IFF_UP, IFF_UP));
  return m;
}

NlMessage BuildSetHairpin(int index, bool on) {
  NlMessage m(RTM_SETLINK, kRequest);
  m.PutHeader(LinkHeader(AF_BRIDGE, index, 0, 0));
  // Without NLA_F_NESTED the bridge reads IFLA_PROTINFO as the old one-byte port state.
  size_t protinfo = m.BeginNested(IFLA_PROTINFO | NLA_F_NESTED);
  m.PutU8(IFLA_BRPORT_MODE, on ? 1 : 0);
  m.EndNested(protinfo);
  return m;
}

NlMessage BuildNewAddr(int index, uint32_t ip, int prefix, uint32_t broadcast) {
  NlMessage m(RTM_NEWADDR, kRequest | NLM_F_CREATE | NLM_F_REPLACE);
  ifaddrmsg h{};
  h.ifa_family = AF_INET;
  h.ifa_prefixlen = static_cast<unsigned char>(prefix);
  h.ifa_scope = RT_SCOPE_UNIVERSE;
  h.ifa_index = static_cast<uint32_t>(index);
  m.PutHeader(h);
  uint32_t local = htonl(ip), brd = htonl(broadcast);
  m.PutAttr(IFA_LOCAL, &local, 4);
  m.PutAttr(IFA_ADDRESS, &local, 4);
  m.PutAttr(IFA_BROADCAST, &brd, 4);
  return m;
}

NlMessage BuildDefaultRoute(int index, uint32_t gateway) {
  NlMessage m(RTM_NEWROUTE, kRequest | NLM_F_CREATE | NLM_F_REPLACE);
  rtmsg h{};
  h.rtm_family = AF_INET;
  h.rtm_table = RT_TABLE_MAIN;
  h.rtm_protocol = RTPROT_BOOT;
  h.rtm_scope = RT_SCOPE_UNIVERSE;
  h.rtm_type = RTN_UNICAST;
  m.PutHeader(h);
  uint32_t gw = htonl(gateway);
  m.PutAttr(RTA_GATEWAY, &gw, 4);
  m.PutU32(RTA_OIF, static_cast<uint32_t>(index));
  return m;
}

NlMessage BuildDelLink(const std::string& name) {
  NlMessage m(RTM_DELLINK, kRequest);
  m.PutHeader(LinkHeader(AF_UNSPEC, 0, 0, 0));
  m.PutString(IFLA_IFNAME, name);
  return m;
}

NlMessage BuildGetLink(const std::string& name) {
  NlMessage m(RTM_GETLINK, kRequest);
  m.PutHeader(LinkHeader(AF_UNSPEC, 0, 0, 0));
  m.PutString(IFLA_IFNAME, name);
  m.PutU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return m;
}

NlMessage BuildDumpLinks() {
  NlMessage m(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  m.PutHeader(LinkHeader(AF_UNSPEC, 0, 0, 0));
  m.PutU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return m;
}

// --- NetlinkSocket --------------------------------------------------------------------------

NetlinkSocket::~NetlinkSocket() {
  if (fd_ >= 0) ::close(fd_);
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept
    : fd_(other.fd_), seq_(other.seq_), last_error_(std::move(other.last_error_)) {
  other.fd_ = -1;
}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    seq_ = other.seq_;
    last_error_ = std::move(other.last_error_);
    other.fd_ = -1;
  }
  return *this;
}

StatusOr<NetlinkSocket> NetlinkSocket::Open() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return Internal(std::string("netlink socket: ") + std::strerror(errno));
  NetlinkSocket s(fd);
  int one = 1;
  // Extended acks carry the kernel's reason ("Unknown device type"); capped acks keep them
  // short. Both are best effort: older kernels just give the errno.
  ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  ::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  timeval tv{10, 0};  // the kernel answers at once; this only bounds a lost message
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0)
    return Internal(std::string("netlink bind: ") + std::strerror(errno));
  return s;
}

int NetlinkSocket::Transact(NlMessage& msg, std::vector<LinkInfo>* links) {
  last_error_.clear();
  if (fd_ < 0) return EBADF;
  const uint32_t seq = ++seq_;
  const std::vector<uint8_t>& out = msg.Finish(seq);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errno;
  std::vector<uint8_t> buf(64 * 1024);
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = ::recvmsg(fd_, &mh, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN ? ETIMEDOUT : errno;
    if (mh.msg_flags & MSG_TRUNC) return EMSGSIZE;
    auto len = static_cast<unsigned>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
         h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq) continue;  // a late answer to an earlier request
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return EPROTO;
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (e->error != 0 && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
          size_t off = NLMSG_LENGTH(sizeof(nlmsgerr));
          if (!(h->nlmsg_flags & NLM_F_CAPPED)) off += e->msg.nlmsg_len - NLMSG_HDRLEN;
          if (off < h->nlmsg_len) {
            ForEachAttr(reinterpret_cast<const uint8_t*>(h) + off, h->nlmsg_len - off,
                        [&](uint16_t type, const uint8_t* p, size_t m) {
                          if (type == NLMSGERR_ATTR_MSG) last_error_ = AttrString(p, m);
                        });
          }
        }
        return -e->error;
      }
      if (h->nlmsg_type == RTM_NEWLINK && links != nullptr) {
        StatusOr<LinkInfo> link = ParseLink(h);
        if (link.ok()) links->push_back(std::move(*link));
      }
    }
  }
}

Status NetlinkSocket::Do(NlMessage& msg, const std::string& what) {
  int err = Transact(msg);
  if (err == 0) return Status::Ok();
  std::string message = std::string(TypeName(msg.type())) + " " + what + ": " + std::strerror(err);
  if (!last_error_.empty()) message += " (" + last_error_ + ")";
  return Status(err == EEXIST   ? Code::kAlreadyExists
                : err == ENODEV ? Code::kNotFound
                                : Code::kInternal,
                message);
}

StatusOr<LinkInfo> NetlinkSocket::GetLink(const std::string& name) {
  NlMessage m = BuildGetLink(name);
  std::vector<LinkInfo> links;
  int err = Transact(m, &links);
  if (err == ENODEV) return Status(Code::kNotFound, "link " + name + " not found");
  if (err != 0) return Internal("RTM_GETLINK " + name + ": " + std::strerror(err));
  if (links.size() != 1) return Internal("RTM_GETLINK " + name + ": no answer");
  return links[0];
}

StatusOr<std::vector<LinkInfo>> NetlinkSocket::ListLinks() {
  NlMessage m = BuildDumpLinks();
  std::vector<LinkInfo> links;
  int err = Transact(m, &links);
  if (err != 0) return Internal(std::string("RTM_GETLINK dump: ") + std::strerror(err));
  return links;
}

}  // namespace minik::net
