// `GET pods/<name>/log?follow=true` through the router: the node's FollowPodLogs stream
// becomes a chunked text/plain response (apiserver/node_output_stream.h) that ends at the
// stream's EOF, and Cancel destroys the node's stream.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/fake_clock.h"
#include "apiserver/node_output_stream.h"
#include "apiserver/router.h"
#include "router_test_util.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;

// A followed log the test writes through a pipe.
class PipeStream : public NodeStream {
 public:
  explicit PipeStream(std::atomic<int>* alive) : alive_(alive) {
    if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
    ++*alive_;
  }
  ~PipeStream() override {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
    --*alive_;
  }
  int stdin_fd() const override { return -1; }
  int stdout_fd() const override { return fds_[0]; }
  int stderr_fd() const override { return -1; }
  void CloseStdin() override {}
  Status Resize(uint16_t, uint16_t) override { return Status::Ok(); }
  StatusOr<int> Wait(int) override { return 0; }
  int writer() const { return fds_[1]; }
  void CloseWriter() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  std::atomic<int>* alive_;
  int fds_[2];
};

class FollowNode : public NodeConnector {
 public:
  StatusOr<std::string> PodLogs(const std::string&, const std::string&,
                                const PodLogOptions&) override {
    return std::string("not followed\n");
  }
  StatusOr<std::unique_ptr<NodeStream>> FollowPodLogs(const std::string& ns, const std::string& pod,
                                                      const PodLogOptions& options) override {
    last_ns = ns;
    last_pod = pod;
    last = options;
    if (pod == "waiting") {
      return Status(Code::kBadRequest,
                    "container \"c\" in pod \"waiting\" is waiting to start: ContainerCreating");
    }
    auto s = std::make_unique<PipeStream>(&alive);
    stream = s.get();
    return std::unique_ptr<NodeStream>(std::move(s));
  }
  std::string last_ns, last_pod;
  PodLogOptions last;
  PipeStream* stream = nullptr;
  std::atomic<int> alive{0};
};

class LogFollowRouterTest : public ::testing::Test {
 protected:
  LogFollowRouterTest() : client_(resources_) {
    minik::testing::AddTestResources(resources_);
    minik::testing::AddTestSchemas(schemas_);
    config_.node_connector = &slot_;
    router_ = NewRouter(client_, resources_, schemas_, clock_, nullptr, config_);
  }
  HttpResponse Get(const std::string& path, const std::string& query) {
    HttpRequest r;
    r.method = "GET";
    r.target = path + "?" + query;
    r.path = path;
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      std::string kv =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      auto eq = kv.find('=');
      if (!kv.empty())
        r.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    PeerCertificate admin;
    admin.common_name = "admin";
    admin.organizations = {"system:masters"};
    admin.sha256_hex = "ab12";
    r.client_cert = admin;
    return router_->Handle(r);
  }

  FollowNode node_;
  std::atomic<NodeConnector*> slot_{&node_};
  ResourceRegistry resources_;
  SchemaRegistry schemas_;
  FakeClock clock_;
  ApiServerConfig config_;
  minik::testing::FakeClient client_;
  std::unique_ptr<HttpHandler> router_;
};

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST_F(LogFollowRouterTest, FollowStreamsTheNodesOutputUntilItsEnd) {
  HttpResponse r = Get("/api/v1/namespaces/ns1/pods/web/log",
                       "follow=true&container=c&tailLines=3&timestamps=true&limitBytes=100");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.stream);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(node_.last_ns, "ns1");
  EXPECT_EQ(node_.last_pod, "web");
  EXPECT_EQ(node_.last.container, "c");
  EXPECT_EQ(node_.last.tail_lines, 3);
  EXPECT_EQ(node_.last.limit_bytes, 100);  // the node applies it to the whole stream
  EXPECT_TRUE(node_.last.timestamps);

  std::atomic<int> notified{0};
  r.stream->SetNotify([&] { ++notified; });
  std::string got;
  ASSERT_EQ(::write(node_.stream->writer(), "line 1\n", 7), 7);
  ASSERT_TRUE(Eventually([&] {
    EXPECT_TRUE(r.stream->Pull(got));
    return got == "line 1\n";
  }));
  EXPECT_GE(notified.load(), 1);
  // A few MB go through (the reader stops at its buffer bound until pulled).
  std::string big(3 << 20, 'x');
  std::thread writer([&] {
    size_t off = 0;
    while (off < big.size()) {
      ssize_t n = ::write(node_.stream->writer(), big.data() + off, big.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    node_.stream->CloseWriter();
  });
  got.clear();
  bool more = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (more && std::chrono::steady_clock::now() < deadline) {
    more = r.stream->Pull(got);
    if (more) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  writer.join();
  EXPECT_FALSE(more);
  EXPECT_EQ(got.size(), big.size());
  r.stream->Cancel();
  EXPECT_EQ(node_.alive.load(), 0);
}

TEST_F(LogFollowRouterTest, CancelStopsTheNodeStream) {
  HttpResponse r = Get("/api/v1/namespaces/ns1/pods/web/log", "follow=true");
  ASSERT_TRUE(r.stream);
  r.stream->SetNotify([] {});
  EXPECT_EQ(node_.alive.load(), 1);
  auto t0 = std::chrono::steady_clock::now();
  r.stream->Cancel();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
  EXPECT_EQ(node_.alive.load(), 0);
  // Dropping a stream that was never cancelled cleans up too.
  r = Get("/api/v1/namespaces/ns1/pods/web/log", "follow=true");
  ASSERT_TRUE(r.stream);
  EXPECT_EQ(node_.alive.load(), 1);
  r.stream.reset();
  EXPECT_EQ(node_.alive.load(), 0);
}

TEST_F(LogFollowRouterTest, NodeErrorsAndBadOptionsAreStatuses) {
  HttpResponse r = Get("/api/v1/namespaces/ns1/pods/waiting/log", "follow=true");
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.stream);
  EXPECT_NE(r.body.find("is waiting to start: ContainerCreating"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/namespaces/ns1/pods/web/log", "follow=true&tailLines=-1").status, 422);
  EXPECT_EQ(Get("/api/v1/namespaces/ns1/pods/web/log", "follow=true&limitBytes=x").status, 400);
  EXPECT_EQ(node_.alive.load(), 0);
  r = Get("/api/v1/namespaces/ns1/pods/web/log", "follow=false");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "not followed\n");
}

}  // namespace
}  // namespace minik
