#include "cli/context.h"

#include "auth/password.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace tabadul::cli {

Result<std::unique_ptr<store::SqliteStore>> Context::OpenStore() const {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Internal("cannot create data folder '" + data_dir + "': " + ec.message());
  // The folder holds password hashes and the server's keys: owner-only.
  ::chmod(data_dir.c_str(), 0700);
  auto store = store::SqliteStore::Open(data_dir + "/tabadul.db");
  if (!store.ok()) return store.status();
  return std::move(store).value();
}

int Fail(const Context& ctx, const Status& status) {
  ctx.err << "tabadul: " << status.message() << "\n";
  return kExitFailure;
}

std::string NewUuid() { return auth::RandomUuid(); }

}  // namespace tabadul::cli
