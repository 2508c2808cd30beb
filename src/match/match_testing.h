// Test support shared by the match module's unit tests (src/match) and its integration tests
// (tests/match): a real SqliteStore in a temporary folder with two organizations, users,
// collections and grants, and builders for indicator JSON. Not part of the library.
//
//   user   org    role       intel (indicators)   sightings
//   alice  acme   publisher  read + write         read + write
//   rita   acme   reader     read                 read + write (the role forbids writing)
//   rob    acme   publisher  read                 read only
//   olga   other  publisher  none                 none
#pragma once

#include <unistd.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <tuple>
#include <random>
#include <string>
#include <vector>

#include "auth/password.h"
#include "common/clock.h"
#include "common/timestamp.h"
#include "match/sighting.h"
#include "stix/validator.h"
#include "store/sqlite_store.h"

namespace tabadul::match::testing {

inline constexpr char kPassword[] = "correct horse battery staple";
inline constexpr char kAcme[] = "identity--0a1b2c3d-0000-4000-8000-00000000acee";
inline constexpr char kOther[] = "identity--0a1b2c3d-0000-4000-8000-0000000000e2";
inline constexpr char kIntel[] = "11111111-1111-4111-8111-111111111111";
inline constexpr char kSightings[] = "22222222-2222-4222-8222-222222222222";
// 2024-01-01T00:00:00Z in microseconds.
inline constexpr int64_t kStartMicros = 1704067200000000;

// "indicator--<uuid>" with a recognizable last group.
inline std::string IndicatorId(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

struct IndicatorSpec {
  int n = 0;
  std::string pattern;
  std::string name;
  std::string modified = "2024-01-01T00:00:00.000Z";
  std::string valid_from = "2023-01-01T00:00:00Z";
  std::string valid_until;   // "" = none
  bool revoked = false;
  std::string pattern_type = "stix";
  std::string labels_json;   // e.g. R"(["malicious-activity"])"; "" = none
};

// Escapes a string for a JSON string literal (quotes and backslashes are all patterns need).
inline std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

inline std::string IndicatorJson(const IndicatorSpec& s) {
  std::string j = "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + IndicatorId(s.n) +
                  "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"" + s.modified +
                  "\",\"created_by_ref\":\"" + kAcme + "\",\"pattern\":\"" +
                  JsonEscape(s.pattern) + "\",\"pattern_type\":\"" + s.pattern_type +
                  "\",\"valid_from\":\"" + s.valid_from + "\"";
  if (!s.name.empty()) j += ",\"name\":\"" + JsonEscape(s.name) + "\"";
  if (!s.valid_until.empty()) j += ",\"valid_until\":\"" + s.valid_until + "\"";
  if (s.revoked) j += ",\"revoked\":true";
  if (!s.labels_json.empty()) j += ",\"labels\":" + s.labels_json;
  return j + "}";
}

// Deterministic UUID bytes for sightings.
inline RandomBytes SeededRandom(uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  auto mu = std::make_shared<std::mutex>();
  return [engine, mu] {
    std::lock_guard lock(*mu);
    std::array<uint8_t, 16> b;
    for (auto& x : b) x = static_cast<uint8_t>((*engine)() & 0xff);
    return b;
  };
}

class MatchFixture {
 public:
  MatchFixture() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("tabadul-match-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::SqliteStore::Open((dir_ / "tabadul.db").string());
    if (!s.ok()) {
      status_ = s.status();
      return;
    }
    store_ = std::move(s).value();
    status_ = Seed();
  }
  ~MatchFixture() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  const Status& status() const { return status_; }
  std::string data_dir() const { return dir_.string(); }
  store::SqliteStore& store() { return *store_; }
  FakeClock& clock() { return clock_; }

  // Posts objects (validated JSON) into a collection at the clock's time.
  Status Put(const std::string& collection, const std::vector<std::string>& jsons) {
    std::vector<stix::StixObject> objects;
    for (const auto& j : jsons) {
      auto o = stix::ParseObject(j);
      if (!o.ok()) return o.status();
      objects.push_back(std::move(o).value());
    }
    auto out = store_->PutObjects(collection, objects, clock_.NowMicros());
    if (!out.ok()) return out.status();
    for (const auto& o : *out) {
      if (o.kind == store::PutOutcome::Kind::kRefused) return InvalidArgument(o.message);
    }
    clock_.Advance(1000);
    return Status::Ok();
  }
  Status PutIndicator(const IndicatorSpec& spec, const std::string& collection = kIntel) {
    return Put(collection, {IndicatorJson(spec)});
  }

 private:
  Status Seed() {
    TABADUL_RETURN_IF_ERROR(auth::InitCrypto());
    TABADUL_RETURN_IF_ERROR(store_->CreateOrganization({kAcme, "acme", 1}));
    TABADUL_RETURN_IF_ERROR(store_->CreateOrganization({kOther, "other", 1}));
    // argon2id is slow on purpose: hash once per process (the users log in over HTTP for real).
    static const Result<std::string> kHash = auth::HashSecret(kPassword);
    TABADUL_ASSIGN_OR_RETURN(std::string hash, kHash);
    for (auto [name, org, role] : {std::tuple{"alice", kAcme, store::Role::kPublisher},
                                   std::tuple{"rita", kAcme, store::Role::kReader},
                                   std::tuple{"rob", kAcme, store::Role::kPublisher},
                                   std::tuple{"olga", kOther, store::Role::kPublisher}}) {
      TABADUL_RETURN_IF_ERROR(store_->CreateUser({name, org, role, hash, 1}));
    }
    TABADUL_RETURN_IF_ERROR(
        store_->CreateCollection({kIntel, "Intel", "", "intel", kAcme, "amber", 1}));
    TABADUL_RETURN_IF_ERROR(
        store_->CreateCollection({kSightings, "Sightings", "", "sightings", kAcme, "amber", 1}));
    TABADUL_RETURN_IF_ERROR(store_->SetGrant("alice", kIntel, {true, true}));
    TABADUL_RETURN_IF_ERROR(store_->SetGrant("alice", kSightings, {true, true}));
    TABADUL_RETURN_IF_ERROR(store_->SetGrant("rita", kIntel, {true, false}));
    TABADUL_RETURN_IF_ERROR(store_->SetGrant("rita", kSightings, {true, true}));
    TABADUL_RETURN_IF_ERROR(store_->SetGrant("rob", kIntel, {true, false}));
    TABADUL_RETURN_IF_ERROR(store_->SetGrant("rob", kSightings, {true, false}));
    return Status::Ok();
  }

  Status status_;
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  FakeClock clock_{kStartMicros};
};

}  // namespace tabadul::match::testing
