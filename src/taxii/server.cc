#include "taxii/server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "taxii/errors.h"
#include "taxii/media_type.h"

namespace tabadul::taxii {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Takes the body over (it can be as large as max_body) rather than copying it.
HttpRequest ToRequest(http::request<http::string_body>& req, bool tls, std::string peer) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.accept = std::string(req[http::field::accept]);
  out.content_type = std::string(req[http::field::content_type]);
  out.authorization = std::string(req[http::field::authorization]);
  out.body = std::move(req.body());
  out.over_tls = tls;
  out.peer = std::move(peer);
  return out;
}

http::response<http::string_body> ToBeast(HttpResponse r, unsigned version, bool keep_alive,
                                          bool head) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "tabadul");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  const size_t length = r.body.size();
  if (!head) res.body() = std::move(r.body);
  res.content_length(length);
  return res;
}

}  // namespace

struct Server::Impl {
  Handler handler;
  ServerOptions options;
  asio::io_context ioc;
  std::optional<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::condition_variable stopped_cv;
  bool stopped = false;

  Impl(Handler h, ServerOptions o)
      : handler(std::move(h)), options(std::move(o)), ioc(options.threads) {}

  // After a request is refused with its body unread (413), reads and discards what the client
  // is still sending, for a bounded time and amount, before the connection is closed. Closing a
  // socket with unread bytes makes the kernel answer with a reset, which destroys the 413 in
  // flight before a client that is still writing its body gets to read it ("lingering close").
  template <typename Stream>
  asio::awaitable<void> DiscardUnread(Stream& stream, beast::tcp_stream& tcp_layer) {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      boost::system::error_code ignored;
      tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    constexpr size_t kMaxDiscard = 8u << 20;
    std::vector<char> sink(16 * 1024);
    size_t total = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (total < kMaxDiscard && std::chrono::steady_clock::now() < deadline) {
      tcp_layer.expires_after(std::chrono::seconds(1));
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
      if (ec) break;
      total += n;
    }
  }

  // Answers a request that could not be parsed, then closes.
  template <typename Stream>
  asio::awaitable<void> Refuse(Stream& stream, beast::tcp_stream& tcp_layer, int status,
                               const std::string& why) {
    auto err = ErrorResponse(InvalidArgument("malformed HTTP request: " + why), kTaxiiMediaType,
                             status);
    auto res = ToBeast(std::move(err), 11, false, false);
    tcp_layer.expires_after(std::chrono::seconds(options.timeout_seconds));
    auto [wec, wn] = co_await http::async_write(stream, res, kUseTuple);
    if (!wec) co_await DiscardUnread(stream, tcp_layer);
  }

  // Serves one connection until it closes, errs or times out.
  template <typename Stream>
  asio::awaitable<void> Serve(Stream& stream, beast::tcp_stream& tcp_layer, bool over_tls,
                              std::string peer) {
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(options.max_body);
      tcp_layer.expires_after(std::chrono::seconds(options.timeout_seconds));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
      auto too_large = [&]() -> asio::awaitable<void> {
        auto err = ErrorResponse(
            ResourceExhausted("the request body exceeds max_content_length (" +
                              std::to_string(options.max_body) + " bytes)"),
            kTaxiiMediaType);
        auto res = ToBeast(std::move(err), parser.get().version(), false, false);
        auto [wec, wn] = co_await http::async_write(stream, res, kUseTuple);
        if (!wec) co_await DiscardUnread(stream, tcp_layer);
      };
      // Beast refuses a Content-Length above body_limit while reading the header.
      if (ec == http::error::body_limit) {
        co_await too_large();
        co_return;
      }
      if (ec) {
        // Closed or timed out: nothing to answer. A request that is not HTTP gets a 400 (431 for
        // oversized headers) before the connection is closed, so a client learns why.
        if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
          co_await Refuse(stream, tcp_layer, ec == http::error::header_limit ? 431 : 400,
                          ec.message());
        }
        co_return;
      }
      if (parser.content_length() && *parser.content_length() > options.max_body) {
        co_await too_large();
        co_return;
      }
      auto [ec2, n2] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      if (ec2 == http::error::body_limit) {
        co_await too_large();
        co_return;
      }
      if (ec2) co_return;
      auto& req = parser.get();
      const bool keep_alive = req.keep_alive();
      const bool head = req.method() == http::verb::head;
      HttpResponse out;
      try {
        out = handler(ToRequest(req, over_tls, peer));
      } catch (const std::exception& e) {
        // A handler must not throw; if one does, the client gets a 500, not a dropped socket.
        out = ErrorResponse(Internal(e.what()), kTaxiiMediaType);
      }
      auto res = ToBeast(std::move(out), req.version(), keep_alive, head);
      auto [ec3, n3] = co_await http::async_write(stream, res, kUseTuple);
      if (ec3 || !keep_alive) co_return;
    }
  }

  asio::awaitable<void> Connection(tcp::socket socket) {
    std::string peer;
    boost::system::error_code pec;
    auto ep = socket.remote_endpoint(pec);
    if (!pec) peer = ep.address().to_string();
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(options.timeout_seconds));
      auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
      if (ec) co_return;
      co_await Serve(stream, beast::get_lowest_layer(stream), true, peer);
      auto [ec2] = co_await stream.async_shutdown(kUseTuple);
      (void)ec2;
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await Serve(stream, stream, false, peer);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor->async_accept(kUseTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;  // e.g. too many open files: keep serving the connections we have
      }
      asio::co_spawn(ioc, Connection(std::move(socket)), asio::detached);
    }
  }
};

Server::Server(Handler handler, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(options))) {}

Server::~Server() { Stop(); }

Result<uint16_t> Server::Start() {
  auto& o = impl_->options;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return InvalidArgument("TLS needs both a certificate file and a key file");
    }
    impl_->tls.emplace(ssl::context::tls_server);
    auto& ctx = *impl_->tls;
    // TLS 1.2 and 1.3 only (TAXII §1.6.1); no compression, no renegotiation.
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::no_compression);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) return InvalidArgument("cannot load TLS certificate '" + o.tls_cert_file + "': " + ec.message());
    ctx.use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) return InvalidArgument("cannot load TLS key '" + o.tls_key_file + "': " + ec.message());
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) return InvalidArgument("'" + o.host + "' is not an IP address");
  tcp::endpoint endpoint(address, o.port);
  impl_->acceptor.emplace(impl_->ioc);
  auto& acc = *impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Internal("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                    ec.message());
  }
  const uint16_t port = acc.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
  for (int i = 0; i < std::max(1, o.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return port;
}

void Server::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->stopped_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace tabadul::taxii
