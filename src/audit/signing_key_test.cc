#include "audit/signing_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "audit/audit_test_util.h"

namespace tabadul::audit {
namespace {

using testing::TempDir;

TEST(SigningKeyTest, CreatedOnceWithOwnerOnlyMode) {
  TempDir dir;
  const std::string data = dir.Join("data");
  auto key = SigningKey::LoadOrCreate(data);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  struct stat sb;
  ASSERT_EQ(::stat((data + "/" + kKeyFileName).c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  auto again = SigningKey::LoadOrCreate(data);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), key->public_key());
  EXPECT_EQ(key->public_key().size(), 32u);
  EXPECT_EQ(key->PublicKeyHex().size(), 64u);
}

TEST(SigningKeyTest, LoadWithoutKeyIsNotFound) {
  TempDir dir;
  EXPECT_EQ(SigningKey::Load(dir.path()).status().code(), StatusCode::kNotFound);
}

TEST(SigningKeyTest, RefusesAKeyOthersCanRead) {
  TempDir dir;
  ASSERT_TRUE(SigningKey::LoadOrCreate(dir.path()).ok());
  ::chmod(dir.Join(kKeyFileName).c_str(), 0644);
  auto key = SigningKey::LoadOrCreate(dir.path());
  EXPECT_EQ(key.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos);
}

TEST(SigningKeyTest, RefusesAMalformedKeyFile) {
  TempDir dir;
  {
    std::ofstream f(dir.Join(kKeyFileName));
    f << "not a key\n";
  }
  ::chmod(dir.Join(kKeyFileName).c_str(), 0600);
  EXPECT_EQ(SigningKey::Load(dir.path()).status().code(), StatusCode::kInvalidArgument);
}

TEST(SigningKeyTest, SeedMustHave32Bytes) {
  EXPECT_EQ(SigningKey::FromSeed("short").status().code(), StatusCode::kInvalidArgument);
}

TEST(SigningKeyTest, SignaturesVerifyOnlyWithTheRightKeyAndMessage) {
  auto a = testing::FixedKey('\x01');
  auto b = testing::FixedKey('\x02');
  EXPECT_EQ(testing::FixedKey('\x01').public_key(), a.public_key());  // deterministic from seed
  const std::string sig = a.Sign("hello");
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(VerifySignature(a.public_key(), "hello", sig));
  EXPECT_FALSE(VerifySignature(b.public_key(), "hello", sig));
  EXPECT_FALSE(VerifySignature(a.public_key(), "hellp", sig));
  std::string flipped = sig;
  flipped[10] ^= 1;
  EXPECT_FALSE(VerifySignature(a.public_key(), "hello", flipped));
  EXPECT_FALSE(VerifySignature("short", "hello", sig));
  EXPECT_FALSE(VerifySignature(a.public_key(), "hello", "short"));
}

}  // namespace
}  // namespace tabadul::audit
