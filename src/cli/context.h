// What every CLI command shares: the data folder, the store in it, the clock, and the output
// streams. Commands return an exit code: 0 success, 1 bad input or a failed operation, 2 usage.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite_store.h"

namespace tabadul::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Context {
  std::string data_dir;
  SystemClock clock;
  std::ostream& out = std::cout;
  std::ostream& err = std::cerr;

  // Opens (creating the folder and database if needed) the store in data_dir.
  Result<std::unique_ptr<store::SqliteStore>> OpenStore() const;
};

// Prints "tabadul: <message>" to err and returns kExitFailure.
int Fail(const Context& ctx, const Status& status);

// A random RFC 4122 version 4 UUID.
std::string NewUuid();

}  // namespace tabadul::cli
