// Agreement versions and API tokens in the SQLite file (store/sqlite_agreements.h)
// and the token service (auth/token.h).
#include <gtest/gtest.h>

#include <filesystem>

#include <sodium.h>

#include "auth/password.h"
#include "auth/token.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"

namespace tabadul {
namespace {

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("policy_storage_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const std::string path = (dir_ / "t.db").string();
    store_ = std::move(store::SqliteStore::Open(path)).value();
    agreements_ = std::move(store::SqliteAgreementStore::Open(path)).value();
    ASSERT_TRUE(store_->CreateOrganization({"identity--o1", "o1", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({"identity--o2", "o2", 1}).ok());
    ASSERT_TRUE(store_->CreateUser({"alice", "identity--o1", store::Role::kPublisher, "x", 1}).ok());
    ASSERT_TRUE(store_->CreateUser({"bob", "identity--o2", store::Role::kAdmin, "x", 1}).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  store::AgreementVersion V(const std::string& name, int64_t version, bool ended = false) {
    return {name, version, "identity--o1", "{\"v\":" + std::to_string(version) + "}", ended,
            version * 10, "t"};
  }

  FakeClock clock_{1'000'000};
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteAgreementStore> agreements_;
};

TEST_F(StorageTest, VersionsAppendAndConflictsAreRefusedWhole) {
  ASSERT_EQ(*agreements_->Generation(), 0);
  std::vector<store::AgreementVersion> first = {V("a", 1), V("b", 1)};
  ASSERT_TRUE(agreements_->AppendAgreementVersions(first).ok());
  ASSERT_EQ(*agreements_->Generation(), 1);
  // b at version 1 again: a conflict; a's version 2 in the same call must not land either.
  std::vector<store::AgreementVersion> bad = {V("a", 2), V("b", 1)};
  Status st = agreements_->AppendAgreementVersions(bad);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(agreements_->AgreementHistory("a")->size(), 1u);
  EXPECT_EQ(*agreements_->Generation(), 1);
  std::vector<store::AgreementVersion> good = {V("a", 2, true)};
  ASSERT_TRUE(agreements_->AppendAgreementVersions(good).ok());
  auto latest = agreements_->LatestAgreements();
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].name, "a");
  EXPECT_EQ((*latest)[0].version, 2);
  EXPECT_TRUE((*latest)[0].ended);
  EXPECT_EQ((*latest)[1].body, "{\"v\":1}");
  auto history = agreements_->AgreementHistory("a");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_FALSE((*history)[0].ended);
  EXPECT_EQ(agreements_->AgreementHistory("zzz").status().code(), StatusCode::kNotFound);
}

TEST_F(StorageTest, TokensAuthenticateOnlyWhileActive) {
  auth::TokenService tokens(*store_, *agreements_, clock_);
  auto t = tokens.Create("alice", std::nullopt, "ci");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->token.substr(0, 4), "tbd_");
  EXPECT_EQ(t->token.size(), 47u);
  EXPECT_EQ(t->record.role, store::Role::kPublisher);
  EXPECT_EQ(t->record.digest_hex, auth::TokenDigestHex(t->token));
  EXPECT_EQ(t->record.digest_hex.find(t->token.substr(4)), std::string::npos);

  auto p = tokens.AuthenticateToken(t->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(p->org_id, "identity--o1");
  auto bearer = tokens.TryAuthenticate("Bearer " + t->token);
  ASSERT_TRUE(bearer.has_value());
  EXPECT_TRUE(bearer->ok());
  // As the password of Basic auth, whatever the user name.
  std::string basic = "anyone:" + t->token;
  char b64[200];
  sodium_bin2base64(b64, sizeof b64, reinterpret_cast<const unsigned char*>(basic.data()),
                    basic.size(), sodium_base64_VARIANT_ORIGINAL);
  auto via_basic = tokens.TryAuthenticate(std::string("Basic ") + b64);
  ASSERT_TRUE(via_basic.has_value());
  EXPECT_TRUE(via_basic->ok());
  // Not a token: the caller falls back to passwords.
  EXPECT_FALSE(tokens.TryAuthenticate("Basic YWxpY2U6c2VjcmV0").has_value());
  EXPECT_FALSE(tokens.TryAuthenticate("").has_value());

  // Wrong or malformed tokens.
  std::string wrong = t->token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(tokens.AuthenticateToken(wrong).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.AuthenticateToken("tbd_short").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.AuthenticateToken("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.TryAuthenticate("Bearer nonsense")->status().code(),
            StatusCode::kUnauthenticated);

  ASSERT_TRUE(tokens.Revoke(t->record.id).ok());
  EXPECT_EQ(tokens.AuthenticateToken(t->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.Revoke("tok_nope").code(), StatusCode::kNotFound);
  auto list = tokens.List("identity--o1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_NE((*list)[0].revoked_us, 0);
  EXPECT_TRUE(tokens.List("identity--o2")->empty());
}

TEST_F(StorageTest, TokenRolesNeverExceedTheUser) {
  auth::TokenService tokens(*store_, *agreements_, clock_);
  EXPECT_EQ(tokens.Create("alice", store::Role::kAdmin, "").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(tokens.Create("nobody", std::nullopt, "").status().code(), StatusCode::kNotFound);
  auto reader = tokens.Create("bob", store::Role::kReader, "");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(tokens.AuthenticateToken(reader->token)->role, store::Role::kReader);
}

}  // namespace
}  // namespace tabadul
