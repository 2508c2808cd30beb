// Dispatches a request to the handler mounted on the longest matching path prefix, else to the
// fallback (the TAXII API). tabadul's own endpoints are mounted under /tabadul/v1/..., outside
// every TAXII API root. Mount everything before serving; Handle() is then thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "taxii/server.h"

namespace tabadul::taxii {

class Router {
 public:
  explicit Router(Handler fallback) : fallback_(std::move(fallback)) {}
  void Mount(std::string prefix, Handler handler) {
    mounts_.emplace_back(std::move(prefix), std::move(handler));
  }
  HttpResponse Handle(const HttpRequest& request) const {
    const Handler* best = &fallback_;
    size_t best_len = 0;
    for (const auto& [prefix, handler] : mounts_) {
      if (prefix.size() > best_len && request.target.compare(0, prefix.size(), prefix) == 0) {
        best = &handler;
        best_len = prefix.size();
      }
    }
    return (*best)(request);
  }

 private:
  Handler fallback_;
  std::vector<std::pair<std::string, Handler>> mounts_;
};

}  // namespace tabadul::taxii
