#include "reports/testing.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/password.h"
#include "stix/validator.h"

namespace tabadul::reports::testing {

Fixture::Fixture(const std::string& name, bool with_passwords) {
  dir_ = (std::filesystem::temp_directory_path() /
          ("tabadul_reports_" + name + "_" + std::to_string(::getpid())))
             .string();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  store_ = std::move(store::SqliteStore::Open(dir_ + "/tabadul.db")).value();
  std::string hash = "unused";
  if (with_passwords) {
    EXPECT_TRUE(auth::InitCrypto().ok());
    hash = auth::HashSecret(kTestPassword).value();
  }
  EXPECT_TRUE(store_->CreateOrganization({kAcme, "acme", kStart}).ok());
  EXPECT_TRUE(store_->CreateOrganization({kOther, "other", kStart}).ok());
  const std::pair<const char*, const char*> users[] = {
      {"alice", kAcme}, {"rita", kAcme}, {"rob", kAcme}, {"olga", kOther}};
  for (auto [user, org] : users) {
    store::Role role = std::string(user) == "rita" ? store::Role::kReader : store::Role::kPublisher;
    EXPECT_TRUE(store_->CreateUser({user, org, role, hash, kStart}).ok());
  }
  store::Collection intel{kIntel, "Intel", "", "intel", kAcme, "amber", kStart};
  store::Collection other{kOtherCollection, "Other", "", "other", kOther, "amber", kStart};
  EXPECT_TRUE(store_->CreateCollection(intel).ok());
  EXPECT_TRUE(store_->CreateCollection(other).ok());
  EXPECT_TRUE(store_->SetGrant("alice", kIntel, {true, true}).ok());
  EXPECT_TRUE(store_->SetGrant("rita", kIntel, {true, false}).ok());
  EXPECT_TRUE(store_->SetGrant("rob", kIntel, {true, false}).ok());
  EXPECT_TRUE(store_->SetGrant("olga", kOtherCollection, {true, true}).ok());
}

Fixture::~Fixture() {
  store_.reset();
  std::filesystem::remove_all(dir_);
}

auth::Principal Fixture::Principal(const std::string& user) const {
  auto u = store_->GetUser(user).value();
  return {u.name, u.org_id, u.role};
}

void Fixture::Put(const std::string& collection, const std::vector<std::string>& json) {
  std::vector<stix::StixObject> objects;
  for (const std::string& j : json) {
    auto o = stix::ParseObject(j);
    ASSERT_TRUE(o.ok()) << o.status().ToString() << "\n" << j;
    objects.push_back(std::move(*o));
  }
  clock_.Advance(1000);
  auto outcomes = store_->PutObjects(collection, objects, clock_.NowMicros());
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  for (const auto& o : *outcomes) {
    ASSERT_EQ(o.kind, store::PutOutcome::Kind::kAdded) << o.message;
  }
}

std::function<void(uint8_t*, size_t)> Fixture::Random() {
  return [this](uint8_t* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(rng_());
  };
}

std::string NamedObject(const std::string& type, const std::string& id, const std::string& name,
                        const std::vector<std::string>& aliases, const std::string& description,
                        const std::string& modified, bool revoked) {
  boost::json::object o;
  o["type"] = type;
  o["spec_version"] = "2.1";
  o["id"] = id;
  o["created"] = "2024-01-01T00:00:00.000Z";
  o["modified"] = modified;
  o["name"] = name;
  if (type == "malware") o["is_family"] = true;
  if (type == "identity") o["identity_class"] = "organization";
  if (!aliases.empty()) {
    boost::json::array a;
    for (const auto& s : aliases) a.emplace_back(s);
    o["aliases"] = std::move(a);
  }
  if (!description.empty()) o["description"] = description;
  if (revoked) o["revoked"] = true;
  return boost::json::serialize(o);
}

}  // namespace tabadul::reports::testing
