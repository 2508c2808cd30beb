#include "cli/context.h"

#include <sodium.h>
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

std::string NewUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace tabadul::cli
