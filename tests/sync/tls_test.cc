// The sync client over TLS against a real tabadul server: a certificate signed by the
// configured CA file is accepted; the same server is refused when the CA is not trusted (system
// store) or when the certificate names another host. Certificates are made at test time with
// the openssl command (scripts/deps.txt).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sync/taxii_client.h"
#include "taxii/server.h"

namespace tabadul::sync {
namespace {

namespace fs = std::filesystem;

class SyncTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tabadul-sync-tls-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A self-signed P-256 certificate whose subjectAltName is `san` (e.g. "IP:127.0.0.1").
  void MakeCert(const std::string& name, const std::string& san) {
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
                      "-subj /CN=tabadul-test -addext subjectAltName=" + san +
                      " -keyout " + (dir_ / (name + ".key")).string() +
                      " -out " + (dir_ / (name + ".pem")).string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  // Serves a fixed discovery document over TLS with the certificate `name`.
  uint16_t Serve(const std::string& name) {
    taxii::ServerOptions o;
    o.threads = 2;
    o.tls_cert_file = (dir_ / (name + ".pem")).string();
    o.tls_key_file = (dir_ / (name + ".key")).string();
    server_ = std::make_unique<taxii::Server>(
        [](const taxii::HttpRequest&) {
          taxii::HttpResponse r;
          r.content_type = "application/taxii+json;version=2.1";
          r.body = R"({"title":"tls peer","default":"/api/","api_roots":["/api/"]})";
          return r;
        },
        o);
    auto port = server_->Start();
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    return port.ok() ? *port : 0;
  }

  Result<DiscoveryInfo> Discover(uint16_t port, const std::string& ca_file) {
    ClientOptions options;
    options.ca_file = ca_file;
    options.max_attempts = 1;
    options.timeout = std::chrono::milliseconds(5000);
    auto client = TaxiiClient::Create("https://127.0.0.1:" + std::to_string(port), options);
    if (!client.ok()) return client.status();
    return (*client)->Discover();
  }

  fs::path dir_;
  std::unique_ptr<taxii::Server> server_;
};

TEST_F(SyncTlsTest, TrustsTheConfiguredCa) {
  MakeCert("good", "IP:127.0.0.1");
  uint16_t port = Serve("good");
  auto d = Discover(port, (dir_ / "good.pem").string());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->title, "tls peer");
}

TEST_F(SyncTlsTest, RefusesAnUntrustedCertificate) {
  MakeCert("good", "IP:127.0.0.1");
  uint16_t port = Serve("good");
  auto d = Discover(port, /*ca_file=*/"");  // the system store does not know our test CA
  ASSERT_FALSE(d.ok());
}

TEST_F(SyncTlsTest, RefusesACertificateForAnotherHost) {
  MakeCert("other", "DNS:partner.example");
  uint16_t port = Serve("other");
  auto d = Discover(port, (dir_ / "other.pem").string());  // trusted, but not for 127.0.0.1
  ASSERT_FALSE(d.ok());
}

}  // namespace
}  // namespace tabadul::sync
