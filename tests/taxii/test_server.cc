#include "test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>

#include "auth/password.h"

namespace tabadul::taxii::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

constexpr char kAcme[] = "identity--0b6a3d2e-6f1c-4c59-9a57-0c3a8c5e4f01";
constexpr char kOther[] = "identity--7d2f0c1e-2b3a-4e8f-8c1d-5a6b7c8d9e02";

// argon2id is slow on purpose; every seeded user shares one hash of kPassword per process.
const std::string& PasswordHash() {
  static const std::string hash = [] {
    (void)auth::InitCrypto();
    return auth::HashSecret(kPassword).value();
  }();
  return hash;
}

std::string MakeTempDir() {
  static std::atomic<int> counter{0};
  fs::path base = fs::temp_directory_path();
  for (int attempt = 0;; ++attempt) {
    fs::path p = base / ("tabadul-taxii-" + std::to_string(::getpid()) + "-" +
                         std::to_string(counter++));
    std::error_code ec;
    if (fs::create_directory(p, ec)) return p.string();
    if (attempt > 1000) return {};
  }
}

// A self-signed P-256 certificate for 127.0.0.1, written as PEM files.
Status WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return Internal("EVP_EC_gen failed");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* f = ok ? std::fopen(cert_path.c_str(), "w") : nullptr;
  ok = f && PEM_write_X509(f, cert) == 1;
  if (f) std::fclose(f);
  f = ok ? std::fopen(key_path.c_str(), "w") : nullptr;
  ok = f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (f) std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok ? Status::Ok() : Internal("cannot write the test certificate");
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <typename Message>
Reply ToReply(const Message& res) {
  Reply r;
  r.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    r.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
  }
  r.body = res.body();
  return r;
}

http::request<http::string_body> ToBeastRequest(const Request& request) {
  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : request.headers) req.insert(k, v);
  req.body() = request.body;
  if (!request.body.empty() || request.method == "POST") req.prepare_payload();
  return req;
}

}  // namespace

// ---- TestServer ------------------------------------------------------------------------------

TestServer::TestServer(TestServerOptions options) : options_(options) { status_ = Start(); }

TestServer::~TestServer() {
  if (server_) server_->Stop();
  server_.reset();
  api_.reset();
  auth_.reset();
  store_.reset();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Status TestServer::Start() {
  dir_ = MakeTempDir();
  if (dir_.empty()) return Internal("cannot create a temporary folder");
  TABADUL_ASSIGN_OR_RETURN(store_, store::SqliteStore::Open(dir_ + "/tabadul.db"));
  TABADUL_RETURN_IF_ERROR(store_->CreateOrganization({kAcme, "acme", kStartMicros}));
  TABADUL_RETURN_IF_ERROR(store_->CreateOrganization({kOther, "other", kStartMicros}));
  struct Seed {
    const char* name;
    const char* org;
    store::Role role;
  };
  const Seed users[] = {
      {"alice", kAcme, store::Role::kPublisher}, {"adam", kAcme, store::Role::kAdmin},
      {"rita", kAcme, store::Role::kReader},     {"rob", kAcme, store::Role::kPublisher},
      {"wendy", kAcme, store::Role::kPublisher}, {"nobody", kAcme, store::Role::kPublisher},
      {"olga", kOther, store::Role::kPublisher},
  };
  for (const auto& u : users) {
    TABADUL_RETURN_IF_ERROR(store_->CreateUser({u.name, u.org, u.role, PasswordHash(), 0}));
  }
  collection_id_ = CreateCollection("Shared indicators", {{"alice", {true, true}},
                                                          {"adam", {true, true}},
                                                          {"rita", {true, true}},
                                                          {"rob", {true, false}},
                                                          {"wendy", {false, true}},
                                                          {"olga", {true, true}}});
  if (collection_id_.empty()) return Internal("cannot create the seeded collection");

  // A long credential cache: the fake clock jumps, and argon2id per request would be slow.
  auth_ = std::make_unique<auth::Authenticator>(*store_, clock_, int64_t{1} << 60);
  ApiConfig config;
  config.max_content_length = options_.max_content_length;
  config.max_page_size = options_.max_page_size;
  config.public_discovery = options_.public_discovery;
  pipeline_ = std::make_unique<intake::Pipeline>(*store_, clock_);
  api_ = std::make_unique<TaxiiApi>(*store_, *pipeline_, *auth_, clock_, config);

  ServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  so.threads = options_.threads;
  so.max_body = options_.max_content_length;
  so.timeout_seconds = options_.timeout_seconds;
  if (options_.tls) {
    so.tls_cert_file = dir_ + "/cert.pem";
    so.tls_key_file = dir_ + "/key.pem";
    TABADUL_RETURN_IF_ERROR(WriteSelfSignedCert(so.tls_cert_file, so.tls_key_file));
  }
  TaxiiApi* api = api_.get();
  server_ = std::make_unique<Server>([api](const HttpRequest& r) { return api->Handle(r); }, so);
  TABADUL_ASSIGN_OR_RETURN(port_, server_->Start());
  return Status::Ok();
}

std::string TestServer::CreateCollection(
    const std::string& title, const std::vector<std::pair<std::string, store::Grant>>& grants) {
  char id[37];
  // Deterministic, well-formed v4 UUIDs: 9e0c1a2b-0000-4000-8000-<counter>.
  std::snprintf(id, sizeof id, "9e0c1a2b-0000-4000-8000-%012d", next_collection_++);
  store::Collection c;
  c.id = id;
  c.title = title;
  c.owner_org = kAcme;
  c.created_us = clock_.NowMicros();
  if (!store_->CreateCollection(c).ok()) return {};
  for (const auto& [user, grant] : grants) {
    if (!store_->SetGrant(user, c.id, grant).ok()) return {};
  }
  return c.id;
}

// ---- Requests --------------------------------------------------------------------------------

std::string BasicAuth(const std::string& user, const std::string& password) {
  std::string plain = user + ":" + password;
  std::string out(sodium_base64_ENCODED_LEN(plain.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(plain.data()),
                    plain.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return "Basic " + out;
}

Request Get(const std::string& target, const std::string& user) {
  Request r;
  r.method = "GET";
  r.target = target;
  r.headers.push_back({"Accept", kTaxii});
  if (!user.empty()) r.headers.push_back({"Authorization", BasicAuth(user)});
  return r;
}

Request Post(const std::string& target, std::string body, const std::string& user) {
  Request r = Get(target, user);
  r.method = "POST";
  r.headers.push_back({"Content-Type", kTaxii});
  r.body = std::move(body);
  return r;
}

Request Delete(const std::string& target, const std::string& user) {
  Request r = Get(target, user);
  r.method = "DELETE";
  return r;
}

// ---- HttpClient ------------------------------------------------------------------------------

struct HttpClient::Impl {
  uint16_t port;
  bool tls;
  asio::io_context ioc;
  asio::ssl::context ssl_ctx{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  Impl(uint16_t p, bool t) : port(p), tls(t) { ssl_ctx.set_verify_mode(asio::ssl::verify_none); }

  bool connected() const { return plain.has_value() || secure.has_value(); }
  void Reset() {
    plain.reset();
    secure.reset();
    buffer.clear();
  }
  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs the io_context until `done` or the deadline; false on timeout.
  bool RunUntil(const bool& done, std::chrono::milliseconds timeout) {
    ioc.restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      ioc.run_one_for(std::chrono::milliseconds(50));
      if (ioc.stopped()) ioc.restart();
    }
    return done;
  }

  Status Connect(std::chrono::milliseconds timeout) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    beast::tcp_stream stream(ioc);
    beast::error_code ec;
    bool done = false;
    stream.expires_after(timeout);
    stream.async_connect(ep, [&](beast::error_code e) { ec = e; done = true; });
    if (!RunUntil(done, timeout) || ec) return Internal("connect failed: " + ec.message());
    if (!tls) {
      plain.emplace(std::move(stream));
      return Status::Ok();
    }
    secure.emplace(std::move(stream), ssl_ctx);
    done = false;
    secure->async_handshake(asio::ssl::stream_base::client,
                            [&](beast::error_code e) { ec = e; done = true; });
    if (!RunUntil(done, timeout) || ec) {
      Reset();
      return Internal("TLS handshake failed: " + ec.message());
    }
    return Status::Ok();
  }

  template <typename Stream>
  Result<Reply> Exchange(Stream& stream, const Request& request,
                         std::chrono::milliseconds timeout) {
    auto req = ToBeastRequest(request);
    beast::error_code ec;
    bool done = false;
    Lowest().expires_after(timeout);
    http::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; done = true; });
    if (!RunUntil(done, timeout) || ec) return Internal("write failed: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 30);
    if (request.method == "HEAD") parser.skip(true);
    done = false;
    http::async_read(stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; done = true; });
    if (!RunUntil(done, timeout)) return Internal("timed out reading the response");
    if (ec) return Internal("read failed: " + ec.message());
    Reply reply = ToReply(parser.get());
    if (!parser.get().keep_alive()) Reset();
    return reply;
  }
};

HttpClient::HttpClient(uint16_t port, bool tls) : impl_(std::make_unique<Impl>(port, tls)) {}
HttpClient::~HttpClient() = default;

Result<Reply> HttpClient::Send(const Request& request, std::chrono::milliseconds timeout) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->connected();
    if (!reused) TABADUL_RETURN_IF_ERROR(impl_->Connect(timeout));
    auto reply = impl_->tls ? impl_->Exchange(*impl_->secure, request, timeout)
                            : impl_->Exchange(*impl_->plain, request, timeout);
    if (reply.ok()) return reply;
    impl_->Reset();
    // A kept-alive connection the server closed in between: retry once on a fresh one.
    if (!reused) return reply;
  }
  return Internal("unreachable");
}

// ---- Raw sockets -----------------------------------------------------------------------------

Result<RawResult> SendRaw(uint16_t port, const std::string& bytes, bool shutdown_send,
                          std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Internal("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return Internal("connect() failed");
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (e.g. 413): read what it said
    sent += static_cast<size_t>(n);
  }
  if (shutdown_send) ::shutdown(fd, SHUT_WR);
  RawResult out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r == 0) {
      out.timed_out = true;
      break;
    }
    if (r < 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.received.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<Reply> ParseRawResponse(const std::string& raw) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  beast::error_code ec;
  size_t used = parser.put(asio::buffer(raw), ec);
  (void)used;
  if (ec && ec != http::error::need_more) return std::nullopt;
  if (!parser.is_header_done()) return std::nullopt;
  if (!parser.is_done()) {
    parser.put_eof(ec);
  }
  return ToReply(parser.get());
}

// ---- TLS probe -------------------------------------------------------------------------------

Result<TlsProbe> ProbeTls(uint16_t port, int min_version, int max_version, const Request& request) {
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), min_version);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
  // TLS 1.0/1.1 are disabled at OpenSSL's default security level; lower it so that the refusal
  // we observe is the server's, not our own client's.
  SSL_CTX_set_security_level(ctx.native_handle(), 0);
  SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_CLIENT);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return Internal("connect failed: " + ec.message());
  TlsProbe probe;
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return probe;
  probe.handshake_ok = true;
  probe.protocol = SSL_get_version(stream.native_handle());
  auto req = ToBeastRequest(request);
  http::write(stream, req, ec);
  if (ec) return Internal("write failed: " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return Internal("read failed: " + ec.message());
  probe.reply = ToReply(res);
  // TLS 1.3 session tickets arrive after the handshake; by now the response has been read.
  if (SSL_SESSION* s = SSL_get1_session(stream.native_handle())) {
    probe.max_early_data = SSL_SESSION_get_max_early_data(s);
    SSL_SESSION_free(s);
  }
  stream.shutdown(ec);
  return probe;
}

}  // namespace tabadul::taxii::testing

namespace tabadul::taxii::testing {

std::string Uuid(int n) {
  char buf[37];
  std::snprintf(buf, sizeof buf, "6f1e2d3c-4b5a-4978-8a6b-%012d", n);
  return buf;
}

std::string IndicatorId(int n) { return "indicator--" + Uuid(n); }

std::string Indicator(int n, const std::string& modified, const std::string& created) {
  return R"({"type":"indicator","spec_version":"2.1","id":")" + IndicatorId(n) +
         R"(","created":")" + created + R"(","modified":")" + modified +
         R"(","name":"Malicious host )" + std::to_string(n) +
         R"(","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.)" +
         std::to_string(n % 256) +
         R"(']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})";
}

std::string Ipv4(int n) {
  return R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--)" + Uuid(n) +
         R"(","value":"203.0.113.)" + std::to_string(n % 256) + R"("})";
}

std::string Malware(int n, const std::string& modified) {
  return R"({"type":"malware","spec_version":"2.1","id":"malware--)" + Uuid(n) +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":")" + modified +
         R"(","name":"Family )" + std::to_string(n) + R"(","is_family":true})";
}

std::string Envelope(const std::vector<std::string>& objects) {
  std::string out = "{\"objects\":[";
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i) out += ',';
    out += objects[i];
  }
  return out + "]}";
}

}  // namespace tabadul::taxii::testing
