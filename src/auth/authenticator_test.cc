#include "auth/authenticator.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>

#include "auth/password.h"
#include "store/sqlite_store.h"

namespace tabadul::auth {
namespace {

std::string Basic(const std::string& user_colon_pass) {
  std::string out(sodium_base64_ENCODED_LEN(user_colon_pass.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_colon_pass.data()),
                    user_colon_pass.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return "Basic " + out;
}

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
  ASSERT_TRUE(InitCrypto().ok());
  auto h = HashSecret("s3cret");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifySecret(*h, "s3cret"));
  EXPECT_FALSE(VerifySecret(*h, "s3cret "));
  EXPECT_FALSE(VerifySecret("garbage", "s3cret"));
  EXPECT_NE(*HashSecret("s3cret"), *h);  // salted
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(AuthenticatorTest, BasicAuthAgainstStoredUsers) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("tabadul-auth-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = store::SqliteStore::Open((dir / "t.db").string()).value();
  ASSERT_TRUE(store->CreateOrganization({"identity--00000000-0000-4000-8000-000000000001", "acme", 0}).ok());
  ASSERT_TRUE(store->CreateUser({"alice", "acme", store::Role::kPublisher, HashSecret("pw:with:colons").value(), 0}).ok());
  FakeClock clock(1000);
  Authenticator auth(*store, clock, /*cache_ttl_us=*/100);

  auto ok = auth.Authenticate(Basic("alice:pw:with:colons"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->org_id, "identity--00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(ok->role, store::Role::kPublisher);
  // Cached: still accepted after the stored hash changes, until the TTL passes.
  ASSERT_TRUE(store->SetPassword("alice", HashSecret("new").value()).ok());
  EXPECT_TRUE(auth.Authenticate(Basic("alice:pw:with:colons")).ok());
  clock.Advance(101);
  EXPECT_FALSE(auth.Authenticate(Basic("alice:pw:with:colons")).ok());
  EXPECT_TRUE(auth.Authenticate(Basic("alice:new")).ok());

  for (const std::string& bad : {std::string(""), std::string("Bearer x"), std::string("Basic !!!"),
                                Basic("nocolon"), Basic("bob:new"), Basic("alice:wrong")}) {
    auto r = auth.Authenticate(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  }
  fs::remove_all(dir);
}

// A peer that keeps guessing a user's password is refused without a password check once it has
// failed kMaxFailedSignIns times within the window; the right password from that peer is refused
// too until the window has passed; other peers and other users are unaffected, and a client
// whose credentials are cached is never slowed.
TEST(AuthenticatorTest, PasswordGuessingIsThrottledPerPeerAndUser) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("tabadul-auth-throttle-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = store::SqliteStore::Open((dir / "t.db").string()).value();
  ASSERT_TRUE(store->CreateOrganization({"identity--00000000-0000-4000-8000-000000000001", "acme", 0}).ok());
  ASSERT_TRUE(store->CreateUser({"alice", "acme", store::Role::kReader, HashSecret("right").value(), 0}).ok());
  ASSERT_TRUE(store->CreateUser({"bob", "acme", store::Role::kReader, HashSecret("bobs").value(), 0}).ok());
  FakeClock clock(1'000'000);
  Authenticator auth(*store, clock);
  ASSERT_TRUE(auth.Authenticate(Basic("bob:bobs"), "10.0.0.9").ok());  // bob signed in: cached

  for (int i = 0; i < Authenticator::kMaxFailedSignIns; ++i) {
    auto r = auth.Authenticate(Basic("alice:guess" + std::to_string(i)), "10.0.0.9");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "wrong user name or password") << i;
  }
  auto refused = auth.Authenticate(Basic("alice:right"), "10.0.0.9");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("too many failed sign-ins"), std::string::npos);
  // Unknown names count the same way (no telling which names exist).
  for (int i = 0; i <= Authenticator::kMaxFailedSignIns; ++i) {
    (void)auth.Authenticate(Basic("nobody:x"), "10.0.0.9");
  }
  EXPECT_NE(auth.Authenticate(Basic("nobody:x"), "10.0.0.9").status().message().find("too many"),
            std::string::npos);
  EXPECT_TRUE(auth.Authenticate(Basic("alice:right"), "10.0.0.7").ok());  // another address
  EXPECT_TRUE(auth.Authenticate(Basic("bob:bobs"), "10.0.0.9").ok());     // cached, unaffected
  ASSERT_TRUE(store->CreateUser({"carol", "acme", store::Role::kReader, HashSecret("c").value(), 0}).ok());
  EXPECT_TRUE(auth.Authenticate(Basic("carol:c"), "10.0.0.9").ok());      // another user
  // No address (in-process callers): never throttled.
  EXPECT_EQ(auth.Authenticate(Basic("alice:wrong")).status().message(),
            "wrong user name or password");
  clock.Advance(Authenticator::kFailureWindowUs);
  EXPECT_TRUE(auth.Authenticate(Basic("alice:right"), "10.0.0.9").ok());  // the window is over
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tabadul::auth
