// The DNS server on 127.0.0.1 over the real registry (in-memory store) and informers: UDP and
// TCP, truncation and the TCP retry, EDNS0, updates, and forwarding to a fake upstream that
// the test runs on 127.0.0.1 (never a real resolver).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "netproxy/dns.h"
#include "netproxy/dns_message.h"
#include "store/store.h"

namespace minik {
namespace {

using namespace netproxy::dns;
using namespace std::chrono_literals;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};

sockaddr_in Loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::string Query(const std::string& name, uint16_t type, uint16_t id = 0x4242,
                  std::optional<Edns> edns = std::nullopt) {
  Message q;
  q.id = id;
  q.rd = true;
  q.questions.push_back({name, type, kClassIn});
  q.edns = edns;
  std::string out;
  EXPECT_TRUE(EncodeMessage(q, &out).ok());
  return out;
}

// One UDP exchange; "" on timeout.
std::string Udp(int port, const std::string& wire, std::chrono::milliseconds timeout = 5000ms) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a = Loopback(port);
  sendto(fd, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  pollfd p{fd, POLLIN, 0};
  std::string out;
  if (poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n > 0) out.assign(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

bool ReadFull(int fd, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return false;
    ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

int TcpConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void TcpSend(int fd, const std::string& wire) {
  std::string framed;
  framed.push_back(static_cast<char>(wire.size() >> 8));
  framed.push_back(static_cast<char>(wire.size() & 0xff));
  framed += wire;
  ASSERT_EQ(send(fd, framed.data(), framed.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(framed.size()));
}

std::string TcpRecv(int fd) {
  char len[2];
  if (!ReadFull(fd, len, 2)) return "";
  std::string out(static_cast<uint8_t>(len[0]) << 8 | static_cast<uint8_t>(len[1]), '\0');
  if (!ReadFull(fd, out.data(), out.size())) return "";
  return out;
}

std::string Tcp(int port, const std::string& wire) {
  int fd = TcpConnect(port);
  if (fd < 0) return "";
  TcpSend(fd, wire);
  std::string out = TcpRecv(fd);
  close(fd);
  return out;
}

Message Parse(const std::string& wire) {
  auto m = ParseMessage(wire);
  EXPECT_TRUE(m.ok()) << (wire.empty() ? "no reply" : m.status().message());
  return m.ok() ? *m : Message{};
}

std::vector<std::string> Answers(const Message& m) {
  std::vector<std::string> out;
  for (const Record& rr : m.answers) out.push_back(RecordToString(rr));
  return out;
}

// A fake upstream resolver on 127.0.0.1 (UDP and TCP on one port):
//   example.com A      -> 93.184.216.34
//   big.example A      -> over UDP: TC and no answers; over TCP: 100 A records
//   slow.example       -> never answers
//   anything else      -> NXDOMAIN
class FakeUpstream {
 public:
  FakeUpstream() {
    udp_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a = Loopback(0);
    bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(udp_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    tcp_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(tcp_, 16);
    thread_ = std::thread([this] { Run(); });
  }
  ~FakeUpstream() {
    stop_ = true;
    thread_.join();
    close(udp_);
    close(tcp_);
  }
  int port() const { return port_; }
  int queries() const { return queries_.load(); }
  int tcp_queries() const { return tcp_queries_.load(); }

 private:
  std::string Answer(const std::string& wire, bool tcp) {
    auto q = ParseMessage(wire);
    if (!q.ok() || q->questions.size() != 1) return "";
    const std::string name = LowerAscii(q->questions[0].name);
    if (name == "slow.example") return "";
    Message r;
    r.id = q->id;
    r.qr = true;
    r.rd = q->rd;
    r.ra = true;
    r.questions = q->questions;
    if (name == "example.com" && q->questions[0].type == kTypeA) {
      r.answers.push_back(MakeA(q->questions[0].name, 300, {93, 184, 216, 34}));
    } else if (name == "big.example") {
      if (tcp) {
        for (int i = 0; i < 100; ++i)
          r.answers.push_back(
              MakeA(q->questions[0].name, 300, {10, 1, 0, static_cast<uint8_t>(i)}));
      } else {
        r.tc = true;
      }
    } else if (name != "example.com") {
      r.rcode = kNxDomain;
    }
    std::string out;
    EXPECT_TRUE(EncodeMessage(r, &out).ok());
    return out;
  }
  void Run() {
    while (!stop_) {
      pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (poll(fds, 2, 20) <= 0) continue;
      if (fds[0].revents) {
        char buf[4096];
        sockaddr_in from{};
        socklen_t len = sizeof(from);
        ssize_t n = recvfrom(udp_, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          ++queries_;
          std::string reply = Answer(std::string(buf, static_cast<size_t>(n)), false);
          if (!reply.empty())
            sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
      if (fds[1].revents) {
        int c = accept(tcp_, nullptr, nullptr);
        if (c < 0) continue;
        std::string q = TcpRecv(c);
        ++queries_;
        ++tcp_queries_;
        std::string reply = Answer(q, true);
        if (!reply.empty()) TcpSend(c, reply);
        close(c);
      }
    }
  }

  int udp_ = -1, tcp_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0}, tcp_queries_{0};
  std::thread thread_;
};

class DnsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}});
    Create(kServices, "default",
           Json{{"metadata", {{"name", "web"}}},
                {"spec",
                 {{"clusterIP", "10.96.0.50"}, {"ports", {{{"name", "http"}, {"port", 80}}}}}}});
    Json db = {{"metadata", {{"name", "db"}}},
               {"spec", {{"clusterIP", "None"}, {"ports", {{{"name", "pg"}, {"port", 5432}}}}}}};
    Create(kServices, "default", db);
    Json endpoints = Json::array();
    for (int i = 0; i < 60; ++i)
      endpoints.push_back(
          {{"addresses", {"10.244.1." + std::to_string(i)}}, {"conditions", {{"ready", true}}}});
    Create(
        kSlices, "default",
        Json{{"metadata", {{"name", "db-x"}, {"labels", {{"kubernetes.io/service-name", "db"}}}}},
             {"addressType", "IPv4"},
             {"endpoints", endpoints},
             {"ports", {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}});
    Create(kServices, "default",
           Json{{"metadata", {{"name", "ext"}}},
                {"spec", {{"type", "ExternalName"}, {"externalName", "example.com"}}}});
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    informers_->Stop();
  }
  void Create(const ResourceRef& ref, const std::string& ns, const Json& obj) {
    auto r = client_->Create(ref, ns, obj);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void StartServer(std::vector<std::string> upstreams) {
    DnsOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.upstreams = std::move(upstreams);
    server_ = NewDnsServer(*informers_, o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.message();
    ASSERT_GT(server_->port(), 0);
  }
  int port() const { return server_->port(); }

  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<DnsServer> server_;
};

TEST_F(DnsServerTest, AnswersOverUdpAndTcp) {
  StartServer({});
  Message m = Parse(Udp(port(), Query("web.default.svc.cluster.local", kTypeA, 7)));
  EXPECT_EQ(m.id, 7);
  EXPECT_TRUE(m.qr);
  EXPECT_TRUE(m.aa);
  EXPECT_TRUE(m.rd);
  EXPECT_EQ(m.rcode, kNoError);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(Answers(m),
            std::vector<std::string>{"web.default.svc.cluster.local. 30 IN A 10.96.0.50"});
  EXPECT_FALSE(m.edns.has_value());

  m = Parse(Tcp(port(), Query("web.default.svc.cluster.local", kTypeA, 8)));
  EXPECT_EQ(m.id, 8);
  EXPECT_EQ(Answers(m).size(), 1u);

  m = Parse(Udp(port(), Query("nope.default.svc.cluster.local", kTypeA)));
  EXPECT_EQ(m.rcode, kNxDomain);
  EXPECT_EQ(m.authority.size(), 1u);
}

TEST_F(DnsServerTest, SeveralQueriesPerTcpConnection) {
  StartServer({});
  int fd = TcpConnect(port());
  ASSERT_GE(fd, 0);
  // Pipelined: three queries in one write, answered in order.
  std::string all;
  for (uint16_t id : {1, 2, 3}) {
    std::string q = Query(
        id == 2 ? "nope.default.svc.cluster.local" : "web.default.svc.cluster.local", kTypeA, id);
    all.push_back(static_cast<char>(q.size() >> 8));
    all.push_back(static_cast<char>(q.size() & 0xff));
    all += q;
  }
  ASSERT_EQ(send(fd, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
  for (uint16_t id : {1, 2, 3}) {
    Message m = Parse(TcpRecv(fd));
    EXPECT_EQ(m.id, id);
    EXPECT_EQ(m.rcode, id == 2 ? kNxDomain : kNoError);
  }
  // And one more later on the same connection, split over two writes.
  std::string q = Query("web.default.svc.cluster.local", kTypeA, 4);
  std::string framed = std::string(1, '\0') + static_cast<char>(q.size()) + q;
  send(fd, framed.data(), 5, 0);
  std::this_thread::sleep_for(20ms);
  send(fd, framed.data() + 5, framed.size() - 5, 0);
  EXPECT_EQ(Parse(TcpRecv(fd)).id, 4);
  close(fd);
}

TEST_F(DnsServerTest, TruncatesUdpAndAnswersInFullOverTcp) {
  StartServer({});
  // 60 addresses do not fit 512 bytes.
  std::string udp = Udp(port(), Query("db.default.svc.cluster.local", kTypeA));
  EXPECT_LE(udp.size(), 512u);
  Message m = Parse(udp);
  EXPECT_TRUE(m.tc);
  EXPECT_LT(m.answers.size(), 60u);
  // The client's retry over TCP gets everything.
  m = Parse(Tcp(port(), Query("db.default.svc.cluster.local", kTypeA)));
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.answers.size(), 60u);
  // So does an EDNS0 client with a large enough buffer, and the reply carries OPT.
  udp = Udp(port(), Query("db.default.svc.cluster.local", kTypeA, 9, Edns{4096, 0, false, ""}));
  m = Parse(udp);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.answers.size(), 60u);
  ASSERT_TRUE(m.edns.has_value());
  EXPECT_EQ(m.edns->udp_size, 4096);
  // An EDNS0 size below 512 counts as 512.
  udp = Udp(port(), Query("db.default.svc.cluster.local", kTypeA, 9, Edns{100, 0, false, ""}));
  EXPECT_LE(udp.size(), 512u);
  EXPECT_GT(udp.size(), 400u);
  EXPECT_TRUE(Parse(udp).tc);
}

TEST_F(DnsServerTest, EdnsVersionsAndMalformedQueries) {
  StartServer({});
  Message m = Parse(
      Udp(port(), Query("web.default.svc.cluster.local", kTypeA, 3, Edns{1232, 1, true, ""})));
  EXPECT_EQ(m.rcode, kBadVers);
  ASSERT_TRUE(m.edns.has_value());
  EXPECT_TRUE(m.edns->dnssec_ok);
  // A readable header with garbage after it: FORMERR with the ID.
  std::string bad = Query("web.default.svc.cluster.local", kTypeA, 0x0505);
  bad.resize(20);
  m = Parse(Udp(port(), bad));
  EXPECT_EQ(m.id, 0x0505);
  EXPECT_EQ(m.rcode, kFormErr);
  // No header at all, or a reply: no answer.
  EXPECT_EQ(Udp(port(), "abc", 300ms), "");
  std::string reply = Query("web.default.svc.cluster.local", kTypeA);
  reply[2] = static_cast<char>(reply[2] | 0x80);
  EXPECT_EQ(Udp(port(), reply, 300ms), "");
  // Still serving.
  EXPECT_EQ(Parse(Udp(port(), Query("web.default.svc.cluster.local", kTypeA))).rcode, kNoError);
}

TEST_F(DnsServerTest, SeesChangesQuickly) {
  StartServer({});
  EXPECT_EQ(Parse(Udp(port(), Query("new.default.svc.cluster.local", kTypeA))).rcode, kNxDomain);
  const auto start = std::chrono::steady_clock::now();
  Create(kServices, "default",
         Json{{"metadata", {{"name", "new"}}},
              {"spec", {{"clusterIP", "10.96.0.77"}, {"ports", {{{"port", 80}}}}}}});
  Message m;
  while (std::chrono::steady_clock::now() - start < 5s) {
    m = Parse(Udp(port(), Query("new.default.svc.cluster.local", kTypeA)));
    if (m.rcode == kNoError) break;
    std::this_thread::sleep_for(2ms);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(Answers(m),
            std::vector<std::string>{"new.default.svc.cluster.local. 30 IN A 10.96.0.77"});
  EXPECT_LT(took, 1s);
  // Namespaces count too.
  EXPECT_EQ(Parse(Udp(port(), Query("team.svc.cluster.local", kTypeA))).rcode, kNxDomain);
  Create(kNamespaces, "", Json{{"metadata", {{"name", "team"}}}});
  bool seen = false;
  for (int i = 0; i < 500 && !seen; ++i) {
    seen = Parse(Udp(port(), Query("team.svc.cluster.local", kTypeA))).rcode == kNoError;
    if (!seen) std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(seen);
}

TEST_F(DnsServerTest, ForwardsOtherNamesToTheUpstream) {
  FakeUpstream upstream;
  StartServer({"127.0.0.1:" + std::to_string(upstream.port())});
  Message m = Parse(Udp(port(), Query("example.com", kTypeA, 0x7777)));
  EXPECT_EQ(m.id, 0x7777);
  EXPECT_EQ(Answers(m), std::vector<std::string>{"example.com. 300 IN A 93.184.216.34"});
  m = Parse(Udp(port(), Query("nothing.example", kTypeA)));
  EXPECT_EQ(m.rcode, kNxDomain);
  // Over TCP as well.
  m = Parse(Tcp(port(), Query("example.com", kTypeAaaa, 0x7778)));
  EXPECT_EQ(m.id, 0x7778);
  EXPECT_EQ(m.rcode, kNoError);
  // Answers are cached (up to 30 s, kubeadm's `cache 30`): asked again, in another spelling,
  // the upstream is not asked again and the TTL is capped by what is left.
  const int asked = upstream.queries();
  m = Parse(Udp(port(), Query("Example.COM", kTypeA, 0x7779)));
  EXPECT_EQ(m.id, 0x7779);
  EXPECT_EQ(m.questions[0].name, "Example.COM");
  EXPECT_EQ(Answers(m).size(), 1u);
  EXPECT_EQ(upstream.queries(), asked);
  // ExternalName: the CNAME and the upstream's addresses for its target.
  m = Parse(Udp(port(), Query("ext.default.svc.cluster.local", kTypeA)));
  EXPECT_EQ(Answers(m),
            (std::vector<std::string>{"ext.default.svc.cluster.local. 30 IN CNAME example.com.",
                                      "example.com. 300 IN A 93.184.216.34"}));
  // Cluster names never reach the upstream.
  const int before = upstream.queries();
  Parse(Udp(port(), Query("web.default.svc.cluster.local", kTypeA)));
  Parse(Udp(port(), Query("web.default.svc.cluster.local.default.svc.cluster.local", kTypeA)));
  EXPECT_EQ(upstream.queries(), before);
}

TEST_F(DnsServerTest, RetriesTruncatedUpstreamAnswersOverTcp) {
  FakeUpstream upstream;
  StartServer({"127.0.0.1:" + std::to_string(upstream.port())});
  // A UDP client gets the truncated answer and retries over TCP itself...
  Message m = Parse(Udp(port(), Query("big.example", kTypeA)));
  EXPECT_TRUE(m.tc);
  EXPECT_EQ(upstream.tcp_queries(), 0);
  // ...where the server asks the upstream over TCP after its truncated UDP answer.
  m = Parse(Tcp(port(), Query("big.example", kTypeA)));
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.answers.size(), 100u);
  EXPECT_EQ(upstream.tcp_queries(), 1);
}

TEST_F(DnsServerTest, ServfailWhenUpstreamsFail) {
  // A port nobody listens on: refused at once.
  int dead = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a = Loopback(0);
  bind(dead, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(dead, reinterpret_cast<sockaddr*>(&a), &len);
  const int dead_port = ntohs(a.sin_port);
  close(dead);
  FakeUpstream upstream;
  StartServer(
      {"127.0.0.1:" + std::to_string(dead_port), "127.0.0.1:" + std::to_string(upstream.port())});
  // The first upstream refuses, the second answers.
  Message m = Parse(Udp(port(), Query("example.com", kTypeA)));
  EXPECT_EQ(Answers(m).size(), 1u);
  // A name nobody answers: SERVFAIL after the timeout, while cluster names stay quick.
  const auto start = std::chrono::steady_clock::now();
  std::string slow;
  std::thread t([&] { slow = Udp(port(), Query("slow.example", kTypeA), 5000ms); });
  std::this_thread::sleep_for(50ms);
  const auto quick_start = std::chrono::steady_clock::now();
  EXPECT_EQ(Parse(Udp(port(), Query("web.default.svc.cluster.local", kTypeA))).rcode, kNoError);
  EXPECT_LT(std::chrono::steady_clock::now() - quick_start, 200ms);
  t.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(Parse(slow).rcode, kServFail);
  EXPECT_GE(took, 1500ms);
  EXPECT_LT(took, 3000ms);
}

TEST_F(DnsServerTest, ServfailWithoutUpstreams) {
  StartServer({});
  Message m = Parse(Udp(port(), Query("example.com", kTypeA, 5)));
  EXPECT_EQ(m.id, 5);
  EXPECT_EQ(m.rcode, kServFail);
  EXPECT_EQ(Parse(Tcp(port(), Query("example.com", kTypeA))).rcode, kServFail);
  // ExternalName without an upstream: the CNAME alone.
  m = Parse(Udp(port(), Query("ext.default.svc.cluster.local", kTypeA)));
  EXPECT_EQ(m.rcode, kNoError);
  EXPECT_EQ(Answers(m),
            std::vector<std::string>{"ext.default.svc.cluster.local. 30 IN CNAME example.com."});
}

TEST_F(DnsServerTest, PortInUseIsServiceUnavailable) {
  StartServer({});
  DnsOptions o;
  o.address = "127.0.0.1";
  o.port = port();
  auto second = NewDnsServer(*informers_, o);
  Status st = second->Start();
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << st.message();
  second->Stop();
  // The first server is unaffected.
  EXPECT_EQ(Parse(Udp(port(), Query("web.default.svc.cluster.local", kTypeA))).rcode, kNoError);
}

TEST_F(DnsServerTest, RejectsBadOptions) {
  DnsOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.upstreams = {"not-an-ip"};
  EXPECT_FALSE(NewDnsServer(*informers_, o)->Start().ok());
  o.upstreams = {"1.2.3.4:99999"};
  EXPECT_FALSE(NewDnsServer(*informers_, o)->Start().ok());
  o.upstreams = {};
  o.address = "nowhere";
  EXPECT_FALSE(NewDnsServer(*informers_, o)->Start().ok());
}

TEST_F(DnsServerTest, BoundsTcpConnections) {
  StartServer({});
  std::vector<int> held;
  for (int i = 0; i < 256; ++i) {
    int fd = TcpConnect(port());
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  // Every held connection is accepted and served...
  TcpSend(held.back(), Query("web.default.svc.cluster.local", kTypeA, 1));
  EXPECT_EQ(Parse(TcpRecv(held.back())).id, 1);
  // ...and the next one is closed at once.
  int extra = TcpConnect(port());
  ASSERT_GE(extra, 0);
  char c;
  pollfd p{extra, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  EXPECT_EQ(recv(extra, &c, 1, 0), 0);
  close(extra);
  // A client leaving makes room.
  close(held.front());
  held.erase(held.begin());
  std::string reply;
  for (int i = 0; i < 100 && reply.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    reply = Tcp(port(), Query("web.default.svc.cluster.local", kTypeA, 2));
  }
  EXPECT_EQ(Parse(reply).id, 2);
  for (int fd : held) close(fd);
}

TEST_F(DnsServerTest, StopsWhileClientsAreConnected) {
  FakeUpstream upstream;
  StartServer({"127.0.0.1:" + std::to_string(upstream.port())});
  int fd = TcpConnect(port());
  ASSERT_GE(fd, 0);
  TcpSend(fd, Query("slow.example", kTypeA));  // pending in the forwarder
  std::this_thread::sleep_for(50ms);
  server_->Stop();
  close(fd);
}

}  // namespace
}  // namespace minik
