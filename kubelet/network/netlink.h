// Raw rtnetlink (NETLINK_ROUTE): the few link, address and route requests the pod network
// needs, built by hand instead of spawning `ip` (an order of magnitude faster).
//
// Building a request (Build*) is pure and tested byte by byte; NetlinkSocket sends one and
// waits for its ACK (or dump). A socket acts in the network namespace it was created in:
// to configure a pod, open one there (netns.h) and use it from any thread.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik::net {

// A netlink request under construction: nlmsghdr, the family header, then attributes.
class NlMessage {
 public:
  NlMessage(uint16_t type, uint16_t flags);

  // Appends the fixed family header (ifinfomsg, ifaddrmsg, rtmsg); call once, first.
  template <typename T>
  void PutHeader(const T& h) {
    Append(&h, sizeof(h));
  }
  void PutAttr(uint16_t type, const void* data, size_t len);
  void PutU8(uint16_t type, uint8_t v) { PutAttr(type, &v, 1); }
  void PutU32(uint16_t type, uint32_t v) { PutAttr(type, &v, 4); }
  void PutString(uint16_t type, const std::string& s) { PutAttr(type, s.c_str(), s.size() + 1); }
  // Nested attributes: BeginNested returns a token for EndNested, which fixes the length.
  size_t BeginNested(uint16_t type);
  void EndNested(size_t token);

  uint16_t type() const;
  // The wire bytes, with nlmsg_len and nlmsg_seq set.
  const std::vector<uint8_t>& Finish(uint32_t seq);
  const std::vector<uint8_t>& bytes() const { return buf_; }

 private:
  void Append(const void* data, size_t len);
  void Align();
  std::vector<uint8_t> buf_;
};

// What we read back about a link.
struct LinkInfo {
  int index = 0;
  std::string name;
  unsigned flags = 0;  // IFF_*
  int master = 0;      // IFLA_MASTER, 0 if none
  int link = 0;        // IFLA_LINK: a veth's peer index (in the peer's namespace)
  std::string kind;    // IFLA_INFO_KIND: "bridge", "veth", ... ("" for lo, physical)
};

// Parses an RTM_NEWLINK message (from a GETLINK reply or dump).
StatusOr<LinkInfo> ParseLink(const nlmsghdr* h);

// --- requests -------------------------------------------------------------------------------
// A bridge with a fixed MAC (so it does not change as ports come and go), up.
NlMessage BuildNewBridge(const std::string& name, const uint8_t mac[6]);
// A veth pair: `host_name` attached to bridge `master_index`, up; its peer `peer_name`
// created directly in the namespace `netns_fd`, down (see netlink.cc).
NlMessage BuildNewVeth(const std::string& host_name, int master_index, const std::string& peer_name,
                       int netns_fd);
NlMessage BuildSetLinkUp(int index);
// The bridge port's hairpin mode (IFLA_PROTINFO / IFLA_BRPORT_MODE, as `bridge link set
// dev X hairpin on`): frames may leave by the port they came in, which a pod reaching itself
// through a NATed address needs.
NlMessage BuildSetHairpin(int index, bool on);
// `ip` (host order) / prefix on link `index`, replacing an existing one.
NlMessage BuildNewAddr(int index, uint32_t ip, int prefix, uint32_t broadcast);
// Default route via `gateway` (host order) out of link `index`, replacing an existing one.
NlMessage BuildDefaultRoute(int index, uint32_t gateway);
NlMessage BuildDelLink(const std::string& name);
NlMessage BuildGetLink(const std::string& name);
NlMessage BuildDumpLinks();

// A NETLINK_ROUTE socket. Not thread-safe: one per thread (they are cheap).
class NetlinkSocket {
 public:
  NetlinkSocket() = default;
  ~NetlinkSocket();
  NetlinkSocket(NetlinkSocket&& other) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&& other) noexcept;

  // A socket in the calling thread's network namespace.
  static StatusOr<NetlinkSocket> Open();

  // Sends `msg` with NLM_F_ACK and waits for the answer. Returns 0 or the kernel's errno
  // (EEXIST, ENODEV, ...); a local failure (send, timeout) is returned as that errno too.
  // For dumps and GETLINK the RTM_NEWLINK replies are appended to `links`.
  int Transact(NlMessage& msg, std::vector<LinkInfo>* links = nullptr);

  // Convenience: Transact and turn an errno into a Status naming `what`.
  Status Do(NlMessage& msg, const std::string& what);
  // The link called `name`: NotFound if none.
  StatusOr<LinkInfo> GetLink(const std::string& name);
  StatusOr<std::vector<LinkInfo>> ListLinks();
  // The kernel's explanation of the last failure, if it gave one.
  const std::string& last_error() const { return last_error_; }

 private:
  explicit NetlinkSocket(int fd) : fd_(fd) {}
  int fd_ = -1;
  uint32_t seq_ = 0;
  std::string last_error_;  // the kernel's extended-ack message for the last request
};

}  // namespace minik::net
