// Test fixture shared by the reports tests and benchmarks: a real SqliteStore in a temporary
// folder with two organizations, users with each role, and collections with grants:
//
//   user   org    role       intel (acme)   other (other org)
//   alice  acme   publisher  read+write     -
//   rita   acme   reader     read           -
//   rob    acme   publisher  read           -
//   olga   other  publisher  -              read+write
//
// Passwords are kTestPassword (hashed only when `with_passwords`, argon2 being slow).
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "store/sqlite_store.h"

namespace tabadul::reports::testing {

inline constexpr char kTestPassword[] = "s3cret pass";
inline constexpr int64_t kStart = 1718000000000000;  // 2024-06-10T06:13:20Z
inline constexpr char kAcme[] = "identity--0b7a0ef6-2f6a-4d3a-9d7b-5b7f2c1a0001";
inline constexpr char kOther[] = "identity--0b7a0ef6-2f6a-4d3a-9d7b-5b7f2c1a0002";
inline constexpr char kIntel[] = "9a5e0c7e-6d6b-4c53-9f1a-000000000001";
inline constexpr char kOtherCollection[] = "9a5e0c7e-6d6b-4c53-9f1a-000000000002";

class Fixture {
 public:
  explicit Fixture(const std::string& name, bool with_passwords = false);
  ~Fixture();

  store::SqliteStore& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  const std::string& dir() const { return dir_; }
  auth::Principal Principal(const std::string& user) const;

  // Validates and stores `json` objects; asserts they are all added.
  void Put(const std::string& collection, const std::vector<std::string>& json);

  // A deterministic random source.
  std::function<void(uint8_t*, size_t)> Random();

 private:
  std::string dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<store::SqliteStore> store_;
  std::mt19937 rng_{1234};
};

// A named SDO: {"type": type, "id": id, "name": name, "aliases": aliases, ...} valid STIX 2.1.
std::string NamedObject(const std::string& type, const std::string& id, const std::string& name,
                        const std::vector<std::string>& aliases = {},
                        const std::string& description = "",
                        const std::string& modified = "2024-01-01T00:00:00.000Z",
                        bool revoked = false);

}  // namespace tabadul::reports::testing
