// The floor for bench/taxii/paging.sh: the same Beast server (taxii::Server, same options) answering
// every request with one fixed body of the size of a page of 100 objects, without touching the
// store, authentication or JSON. The server's CPU per request here is what HTTP over loopback
// costs; the TAXII endpoint's figure divided by this one is the ratio to report.
//   taxii_static_server PORT BYTES THREADS      (serves until killed)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/allocator.h"
#include "taxii/media_type.h"
#include "taxii/server.h"

int main(int argc, char** argv) {
  tabadul::TuneAllocatorForServing();  // as tabadul's main() does
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PORT BYTES THREADS\n", argv[0]);
    return 2;
  }
  const std::string body = [&] {
    std::string b = "{\"more\":true,\"objects\":[";
    const size_t want = std::strtoul(argv[2], nullptr, 10);
    while (b.size() + 2 < want) b += b.size() % 600 == 0 ? ',' : 'x';
    return b + "]}";
  }();
  tabadul::taxii::ServerOptions options;
  options.port = static_cast<uint16_t>(std::atoi(argv[1]));
  options.threads = std::atoi(argv[3]);
  tabadul::taxii::Server server(
      [&body](const tabadul::taxii::HttpRequest&) {
        tabadul::taxii::HttpResponse r;
        r.content_type = std::string(tabadul::taxii::kTaxiiMediaType);
        r.body = body;
        return r;
      },
      options);
  auto port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.status().message().c_str());
    return 1;
  }
  server.Wait();
  return 0;
}
