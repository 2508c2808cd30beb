#include "audit/signed_head.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "audit/chain.h"

namespace tabadul::audit {
namespace {

SignedHead Signed(int64_t seq, const std::string& hash, int64_t time_us, char key_fill = '\x01') {
  auto key = testing::FixedKey(key_fill);
  SignedHead h{seq, hash, time_us, key.PublicKeyHex(), ""};
  h.signature = ToHex(key.Sign(HeadMessage(seq, hash, time_us)));
  return h;
}

const std::string kHash = std::string(62, 'a') + "0f";

TEST(SignedHeadTest, FormatsAndParsesBack) {
  SignedHead h = Signed(42, kHash, 1'700'000'000'123'456);
  std::string text = FormatSignedHead(h);
  EXPECT_EQ(text.rfind("tabadul-audit-head v1\nseq 42\nhash " + kHash +
                           "\ntime 2023-11-14T22:13:20.123456Z\npublic-key ", 0), 0u) << text;
  auto parsed = ParseSignedHead(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, h);
  EXPECT_TRUE(SignatureValid(*parsed));
}

TEST(SignedHeadTest, ParsesCrLfAndUppercaseHex) {
  SignedHead h = Signed(1, kHash, 5);
  std::string text = FormatSignedHead(h);
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  size_t at = crlf.find("hash ") + 5;
  for (size_t i = at; i < at + 64; ++i) crlf[i] = static_cast<char>(std::toupper(crlf[i]));
  auto parsed = ParseSignedHead(crlf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, h);
}

TEST(SignedHeadTest, RefusesMalformedText) {
  const std::string good = FormatSignedHead(Signed(3, kHash, 5));
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  for (const std::string& bad :
       {std::string(""), std::string("hello\n"), replace("seq 3", "seq -3"),
        replace("seq 3", "seq 3x"), replace("seq 3", "sequence 3"), replace("hash ", "hash 0"),
        replace("time 1970-01-01T00:00:00.000005Z", "time yesterday"),
        replace("public-key ", "public-key zz"), replace("signature ", "signature 00"),
        good + "extra line\n"}) {
    auto parsed = ParseSignedHead(bad);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SignedHeadTest, AnyChangedFieldInvalidatesTheSignature) {
  const SignedHead h = Signed(9, kHash, 77);
  EXPECT_TRUE(SignatureValid(h));
  SignedHead t = h;
  t.seq = 8;
  EXPECT_FALSE(SignatureValid(t));
  t = h;
  t.hash[5] = 'b';
  EXPECT_FALSE(SignatureValid(t));
  t = h;
  t.time_us = 78;
  EXPECT_FALSE(SignatureValid(t));
  t = h;
  t.public_key = Signed(9, kHash, 77, '\x02').public_key;  // another key's public half
  EXPECT_FALSE(SignatureValid(t));
  t = h;
  t.signature = "00";
  EXPECT_FALSE(SignatureValid(t));
}

}  // namespace
}  // namespace tabadul::audit
