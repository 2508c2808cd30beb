// The HTTP request/response shapes the TAXII API handles, independent of the network library:
// the server (server.h) converts Beast messages to and from these, and tests can call the API
// directly as well as over a real socket.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tabadul::taxii {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/api/collections/x/objects/?limit=5"
  std::string accept;
  std::string content_type;
  std::string authorization;
  std::string body;
  bool over_tls = false;
  std::string peer;  // remote address, for logs
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace tabadul::taxii
