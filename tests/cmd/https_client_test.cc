#include "cmd/https_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "cmd/pki.h"

namespace minik {
namespace {

// A one-connection-at-a-time TLS server on 127.0.0.1 that answers every request with `reply`.
class TinyTlsServer {
 public:
  TinyTlsServer(const Pki& pki, std::string reply, bool require_client_cert = false)
      : reply_(std::move(reply)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    BIO* cb = BIO_new_mem_buf(pki.apiserver_cert.data(), -1);
    X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
    BIO_free(cb);
    BIO* kb = BIO_new_mem_buf(pki.apiserver_key.data(), -1);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    BIO_free(kb);
    SSL_CTX_use_certificate(ctx_, cert);
    SSL_CTX_use_PrivateKey(ctx_, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (require_client_cert) {
      BIO* ab = BIO_new_mem_buf(pki.ca_cert.data(), -1);
      X509* ca = PEM_read_bio_X509(ab, nullptr, nullptr, nullptr);
      BIO_free(ab);
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), ca);
      X509_free(ca);
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listen_fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyTlsServer() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  int port() const { return port_; }
  std::string last_client_cn() const { return client_cn_; }

 private:
  void Serve() {
    while (!stop_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) {
        if (X509* peer = SSL_get1_peer_certificate(ssl)) {
          char cn[256] = {};
          X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
          client_cn_ = cn;
          X509_free(peer);
        }
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          int n = SSL_read(ssl, buf, sizeof buf);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        if (reply_ == "HANG") {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        } else {
          SSL_write(ssl, reply_.data(), static_cast<int>(reply_.size()));
          SSL_shutdown(ssl);
        }
      }
      ERR_clear_error();
      SSL_free(ssl);
      close(fd);
    }
  }

  SSL_CTX* ctx_;
  std::string reply_;
  int listen_fd_;
  int port_;
  std::atomic<bool> stop_{false};
  std::string client_cn_;
  std::thread thread_;
};

class HttpsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/minik-https-XXXXXX";
    dir_ = mkdtemp(tmpl);
    ASSERT_TRUE(EnsurePki(dir_ + "/a").ok());
    ASSERT_TRUE(EnsurePki(dir_ + "/b").ok());
    pki_ = new Pki(*LoadPki(dir_ + "/a"));
    other_ = new Pki(*LoadPki(dir_ + "/b"));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(dir_);
    delete pki_;
    delete other_;
  }
  HttpsClientOptions Options(int port) {
    HttpsClientOptions o;
    o.port = port;
    o.ca_pem = pki_->ca_cert;
    o.client_cert_pem = pki_->admin_cert;
    o.client_key_pem = pki_->admin_key;
    o.timeout_ms = 500;
    return o;
  }
  static inline std::string dir_;
  static inline Pki* pki_;
  static inline Pki* other_;
};

TEST_F(HttpsClientTest, GetsWithContentLength) {
  TinyTlsServer server(*pki_, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
  auto client = HttpsClient::New(Options(server.port()));
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto resp = (*client)->Get("/readyz");
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "ok");
  EXPECT_EQ(server.last_client_cn(), "minik-admin");
}

TEST_F(HttpsClientTest, DecodesChunkedBodies) {
  TinyTlsServer server(*pki_,
                       "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n");
  auto client = HttpsClient::New(Options(server.port()));
  auto resp = (*client)->Get("/api/v1/nodes/x");
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status, 404);
  EXPECT_EQ(resp->body, "{\"a\":1}");
}

TEST_F(HttpsClientTest, VerifiesByDnsName) {
  TinyTlsServer server(*pki_, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto o = Options(server.port());
  o.host = "localhost";
  auto client = HttpsClient::New(o);
  auto resp = (*client)->Get("/");
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status, 200);
}

TEST_F(HttpsClientTest, RejectsServerFromAnotherCa) {
  TinyTlsServer server(*other_, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  auto client = HttpsClient::New(Options(server.port()));
  auto resp = (*client)->Get("/readyz");
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kServiceUnavailable);
  EXPECT_NE(resp.status().message().find("TLS"), std::string::npos) << resp.status().message();
}

TEST_F(HttpsClientTest, NothingListening) {
  int port;
  {
    TinyTlsServer server(*pki_, "");
    port = server.port();
  }
  auto client = HttpsClient::New(Options(port));
  auto resp = (*client)->Get("/readyz");
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kServiceUnavailable);
}

TEST_F(HttpsClientTest, TimesOutOnSilentServer) {
  TinyTlsServer server(*pki_, "HANG");
  auto o = Options(server.port());
  o.timeout_ms = 100;
  auto client = HttpsClient::New(o);
  auto start = std::chrono::steady_clock::now();
  auto resp = (*client)->Get("/readyz");
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kTimeout) << resp.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(HttpsClientTest, MalformedResponses) {
  for (const char* reply : {"garbage\r\n\r\n", "HTTP/1.1 abc\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nab"}) {
    TinyTlsServer server(*pki_, reply);
    auto client = HttpsClient::New(Options(server.port()));
    auto resp = (*client)->Get("/");
    EXPECT_FALSE(resp.ok()) << reply;
  }
}

TEST_F(HttpsClientTest, BadCredentials) {
  HttpsClientOptions o;
  o.ca_pem = "not pem";
  EXPECT_EQ(HttpsClient::New(o).status().code(), Code::kBadRequest);
  o.ca_pem = pki_->ca_cert;
  o.client_cert_pem = pki_->admin_cert;
  o.client_key_pem = pki_->apiserver_key;  // mismatched
  EXPECT_EQ(HttpsClient::New(o).status().code(), Code::kBadRequest);
}

}  // namespace
}  // namespace minik
