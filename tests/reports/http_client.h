// A tiny synchronous HTTP/1.1 client for the reports tests and benchmark (Boost.Beast, plain
// TCP, one kept-alive connection). Transport failures are a Status, never a throw.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace tabadul::reports::testing {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  Result<HttpReply> Send(const std::string& method, const std::string& target,
                         const std::string& authorization, const std::string& content_type = "",
                         const std::string& body = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "Basic base64(user:password)".
std::string BasicAuth(const std::string& user, const std::string& password);
// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view s);

}  // namespace tabadul::reports::testing
