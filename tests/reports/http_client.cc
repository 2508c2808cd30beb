#include "http_client.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace tabadul::reports::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct HttpClient::Impl {
  uint16_t port;
  asio::io_context io;
  std::unique_ptr<beast::tcp_stream> stream;
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
HttpClient::~HttpClient() = default;

Result<HttpReply> HttpClient::Send(const std::string& method, const std::string& target,
                                   const std::string& authorization,
                                   const std::string& content_type, const std::string& body) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->stream) {
      impl_->stream = std::make_unique<beast::tcp_stream>(impl_->io);
      impl_->stream->connect(
          asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
      if (ec) {
        impl_->stream.reset();
        return Internal("connect: " + ec.message());
      }
    }
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    impl_->stream->expires_after(std::chrono::seconds(60));
    http::write(*impl_->stream, req, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    if (!ec) http::read(*impl_->stream, buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();  // the server may have closed a kept-alive connection: retry once
      if (attempt == 0) continue;
      return Internal("http: " + ec.message());
    }
    auto res = parser.release();
    HttpReply reply;
    reply.status = res.result_int();
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    if (!res.keep_alive()) impl_->stream.reset();
    return reply;
  }
  return Internal("http: unreachable");
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string out(beast::detail::base64::encoded_size(plain.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), plain.data(), plain.size()));
  return "Basic " + out;
}

std::string UrlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace tabadul::reports::testing
