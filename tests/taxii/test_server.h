// A real tabadul TAXII server for black-box tests, and a small synchronous HTTP client.
//
// TestServer owns a temporary data folder, a SqliteStore in it, an Authenticator, a TaxiiApi and
// a taxii::Server bound to 127.0.0.1 on a free port (plain TCP, or TLS with a self-signed
// certificate generated at start with OpenSSL's C API). It seeds two organizations, one
// collection and one user per row of the permission table, all with the password kPassword:
//
//   user      org    role       grant on collection()
//   alice     acme   publisher  read + write
//   adam      acme   admin      read + write
//   rita      acme   reader     read + write   (the role forbids writing whatever the grant says)
//   rob       acme   publisher  read only
//   wendy     acme   publisher  write only
//   nobody    acme   publisher  none
//   olga      other  publisher  read + write
//
// The clock is a FakeClock that tests move explicitly, so date_added values are predictable
// and thousands of objects posted in one request share one clock microsecond.
//
// HttpClient speaks HTTP/1.1 over one kept-alive connection and returns what the server sent:
// status, headers (names lower-cased) and body. Transport failures are a Status, never a throw.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"
#include "taxii/server.h"

namespace tabadul::taxii::testing {

inline constexpr char kPassword[] = "correct horse battery staple";
inline constexpr char kTaxii[] = "application/taxii+json;version=2.1";
// 2024-01-01T00:00:00Z in microseconds.
inline constexpr int64_t kStartMicros = 1704067200000000;

struct TestServerOptions {
  bool tls = false;
  bool public_discovery = false;
  size_t max_content_length = 4u << 20;
  size_t max_page_size = 1000;
  int timeout_seconds = 10;
  int threads = 4;
};

class TestServer {
 public:
  // Builds and starts everything; check ok() (and error()) before use.
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();  // stops the server, removes the data folder
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  bool ok() const { return status_.ok(); }
  const Status& error() const { return status_; }
  uint16_t port() const { return port_; }
  bool tls() const { return options_.tls; }
  const std::string& data_dir() const { return dir_; }

  // The seeded collection's id (a UUID).
  const std::string& collection() const { return collection_id_; }
  // Creates another collection owned by acme; `grants` lists (user, {can_read, can_write}).
  std::string CreateCollection(const std::string& title,
                               const std::vector<std::pair<std::string, store::Grant>>& grants);

  FakeClock& clock() { return clock_; }
  store::SqliteStore& store() { return *store_; }
  TaxiiApi& api() { return *api_; }

 private:
  Status Start();

  TestServerOptions options_;
  Status status_;
  std::string dir_;
  FakeClock clock_{kStartMicros};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<TaxiiApi> api_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::string collection_id_;
  int next_collection_ = 1;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool HasHeader(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

struct Request {
  std::string method = "GET";
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// "Basic base64(user:password)".
std::string BasicAuth(const std::string& user, const std::string& password = kPassword);

// A GET/POST/DELETE with the usual TAXII headers for `user` (no Authorization when empty).
Request Get(const std::string& target, const std::string& user = "alice");
Request Post(const std::string& target, std::string body, const std::string& user = "alice");
Request Delete(const std::string& target, const std::string& user = "alice");

class HttpClient {
 public:
  // Connects lazily to 127.0.0.1:port (TLS without certificate verification when `tls`).
  HttpClient(uint16_t port, bool tls);
  explicit HttpClient(const TestServer& server) : HttpClient(server.port(), server.tls()) {}
  ~HttpClient();

  // Sends one request (Content-Length set from the body) and reads the response. Reconnects
  // when the server closed the previous connection.
  Result<Reply> Send(const Request& request,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Opens a raw TCP connection to 127.0.0.1:port, writes `bytes`, half-closes when `shutdown_send`,
// and returns everything the server sends until it closes or `timeout` passes (then
// `timed_out` is set).
struct RawResult {
  std::string received;
  bool timed_out = false;
  bool closed = false;
};
Result<RawResult> SendRaw(uint16_t port, const std::string& bytes, bool shutdown_send,
                          std::chrono::milliseconds timeout);

// Parses the first HTTP response in `raw` (status and body); nullopt when there is none.
std::optional<Reply> ParseRawResponse(const std::string& raw);

// One TLS connection restricted to protocol versions [min_version, max_version] (OpenSSL's
// TLS1_2_VERSION etc.) that sends `request`. A failed handshake is `handshake_ok = false`, not
// an error. `max_early_data` is what the server's session ticket allows for 0-RTT (0 = none).
struct TlsProbe {
  bool handshake_ok = false;
  std::string protocol;  // "TLSv1.2", "TLSv1.3"
  Reply reply;
  uint32_t max_early_data = 0;
};
Result<TlsProbe> ProbeTls(uint16_t port, int min_version, int max_version, const Request& request);

// ---- Small valid STIX 2.1 objects --------------------------------------------------------------

// A UUIDv4-shaped id suffix unique for `n` (deterministic).
std::string Uuid(int n);
// An indicator "indicator--<Uuid(n)>" with the given created/modified (millisecond timestamps).
std::string Indicator(int n, const std::string& modified = "2024-01-01T00:00:00.000Z",
                      const std::string& created = "2024-01-01T00:00:00.000Z");
std::string IndicatorId(int n);
// An SCO without created/modified (an unversioned object).
std::string Ipv4(int n);
// A malware SDO.
std::string Malware(int n, const std::string& modified = "2024-01-01T00:00:00.000Z");
// {"objects":[...]}.
std::string Envelope(const std::vector<std::string>& objects);

}  // namespace tabadul::taxii::testing
