// A tiny synchronous HTTP/1.1 client over Boost.Beast for the match integration tests: one
// request per connection to 127.0.0.1:port, the response's status, Allow header and body.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string>

#include "auth/authenticator.h"
#include "common/status.h"

namespace tabadul::match::testing {

struct HttpReply {
  int status = 0;
  std::string allow;
  std::string content_type;
  std::string body;
};

inline std::string Basic(const std::string& user, const std::string& password) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return "Basic " + out;
}

inline Result<HttpReply> Send(uint16_t port, const std::string& method, const std::string& target,
                              const std::string& authorization, const std::string& content_type,
                              const std::string& body, const std::string& accept = "") {
  namespace http = boost::beast::http;
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    if (!accept.empty()) req.set(http::field::accept, accept);
    req.body() = body;
    req.prepare_payload();
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    boost::system::error_code ec;
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.allow = std::string(res[http::field::allow]);
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    return reply;
  } catch (const std::exception& e) {
    return Internal(std::string("HTTP transport: ") + e.what());
  }
}

}  // namespace tabadul::match::testing
