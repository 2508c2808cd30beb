#include "pattern/cidr.h"

#include <gtest/gtest.h>

#include "pattern/binary.h"

namespace tabadul::pattern {
namespace {

TEST(Cidr, ParsesIpv4AndClearsHostBits) {
  auto p = ParseIpPrefix("10.1.2.3/8");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->v6);
  EXPECT_EQ(p->length, 8);
  EXPECT_EQ(p->bytes[0], 10);
  EXPECT_EQ(p->bytes[1], 0);
  EXPECT_EQ(ParseIpPrefix("1.2.3.4")->length, 32);
}

TEST(Cidr, RefusesMalformed) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/33",
                          "1.2.3.4/", "1.2.3.4/x", "a.b.c.d", "1::2::3", "1:2:3:4:5:6:7:8:9",
                          "::/129", "12345::", ":::", "1.2.3.4 "}) {
    EXPECT_FALSE(ParseIpPrefix(bad)) << bad;
  }
}

TEST(Cidr, ParsesIpv6Forms) {
  auto a = ParseIpPrefix("2001:db8::1");
  auto b = ParseIpPrefix("2001:0db8:0:0:0:0:0:1");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->bytes, b->bytes);
  auto mapped = ParseIpPrefix("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->bytes[15], 1);
  EXPECT_EQ(mapped->bytes[10], 0xff);
  EXPECT_TRUE(ParseIpPrefix("::"));
  EXPECT_TRUE(ParseIpPrefix("::/0"));
}

TEST(Cidr, Containment) {
  auto net = *ParseIpPrefix("192.168.0.0/16");
  EXPECT_TRUE(PrefixContains(net, *ParseIpPrefix("192.168.5.5")));
  EXPECT_TRUE(PrefixContains(net, *ParseIpPrefix("192.168.0.0/17")));
  EXPECT_FALSE(PrefixContains(net, *ParseIpPrefix("192.0.0.0/8")));
  EXPECT_FALSE(PrefixContains(net, *ParseIpPrefix("192.169.0.1")));
  EXPECT_FALSE(PrefixContains(net, *ParseIpPrefix("::1")));
  EXPECT_TRUE(PrefixContains(*ParseIpPrefix("2001:db8::/33"), *ParseIpPrefix("2001:db8:7fff::")));
  EXPECT_FALSE(PrefixContains(*ParseIpPrefix("2001:db8::/33"), *ParseIpPrefix("2001:db8:8000::")));
}

TEST(Binary, HexAndBase64) {
  EXPECT_EQ(*DecodeHex("48656C6c6f"), "Hello");
  EXPECT_FALSE(DecodeHex("abc"));
  EXPECT_FALSE(DecodeHex("zz"));
  EXPECT_EQ(*DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(*DecodeBase64("aGk="), "hi");
  EXPECT_EQ(*DecodeBase64("aA=="), "h");
  EXPECT_EQ(*DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("aGk"));
  EXPECT_FALSE(DecodeBase64("a==="));
  EXPECT_FALSE(DecodeBase64("aG=k"));
  EXPECT_FALSE(DecodeBase64("aA==aGk="));
}

}  // namespace
}  // namespace tabadul::pattern
