// `tabadul serve`: wires the store, the authenticator, the TAXII API and the HTTP server, then
// waits for SIGINT/SIGTERM.
#include <csignal>
#include <pthread.h>

#include "auth/password.h"
#include "cli/commands.h"
#include "cli/services.h"
#include "taxii/server.h"

namespace tabadul::cli {
namespace {

Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--listen must be HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) return InvalidArgument("--listen port must be 0..65535");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

}  // namespace

int Serve(Context& ctx, const ServeOptions& options) {
  auto listen = SplitListen(options.listen);
  if (!listen.ok()) return Fail(ctx, listen.status());
  if (Status st = auth::InitCrypto(); !st.ok()) return Fail(ctx, st);
  if (auto st = ctx.OpenStore(); !st.ok()) return Fail(ctx, st.status());  // creates the folder
  ServicesOptions services_options;
  services_options.data_dir = ctx.data_dir;
  services_options.api.title = options.title;
  services_options.api.max_content_length = options.max_content_length;
  services_options.api.public_discovery = options.public_discovery;
  services_options.hub_org = options.hub_org;
  services_options.over_tls = !options.tls_cert.empty();
  services_options.sync_interval_seconds = options.sync_interval_seconds;
  auto services = Services::Open(services_options, ctx.clock);
  if (!services.ok()) return Fail(ctx, services.status());

  taxii::ServerOptions server_options;
  server_options.host = listen->first;
  server_options.port = listen->second;
  server_options.threads = options.threads;
  server_options.max_body = options.max_content_length;
  server_options.tls_cert_file = options.tls_cert;
  server_options.tls_key_file = options.tls_key;

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Services& wired = **services;
  taxii::Server server([&wired](const taxii::HttpRequest& r) { return wired.Handle(r); },
                       server_options);
  auto port = server.Start();
  if (!port.ok()) return Fail(ctx, port.status());
  const bool tls = !options.tls_cert.empty();
  ctx.out << "tabadul: serving TAXII 2.1 on " << (tls ? "https" : "http") << "://"
          << (listen->first.find(':') != std::string::npos ? "[" + listen->first + "]"
                                                            : listen->first)
          << ":" << *port << "/taxii2/ (data: " << ctx.data_dir << ")" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  ctx.out << "tabadul: stopping" << std::endl;
  server.Stop();
  return kExitOk;
}

}  // namespace tabadul::cli
