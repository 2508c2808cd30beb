// The HTTP(S) server: Boost.Beast over Asio with C++20 coroutines. It knows sockets, TLS and
// HTTP framing, and nothing of TAXII: each request is handed to a Handler.
//
// Limits enforced before the handler runs: header size (16 KiB), body size (a Content-Length
// above max_body gets 413 without the body being read; a chunked body is cut off at the limit),
// and an idle/read timeout per connection. Handlers run on the server's threads and may block
// (SQLite), so the pool has several threads per core.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "taxii/http_types.h"

namespace tabadul::taxii {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = any free port (tests)
  int threads = 4;
  size_t max_body = 64u << 20;
  std::string tls_cert_file;  // PEM; TLS is on when both files are set
  std::string tls_key_file;
  int timeout_seconds = 60;
};

class Server {
 public:
  Server(Handler handler, ServerOptions options);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on background threads. Returns the bound port. Fails with
  // InvalidArgument for a bad address or TLS files, Internal when the port cannot be bound.
  Result<uint16_t> Start();
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void Stop();
  // Blocks until Stop() is called from another thread or a signal handler.
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tabadul::taxii
