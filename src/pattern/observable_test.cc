#include "pattern/observable.h"

#include <gtest/gtest.h>

namespace tabadul::pattern {
namespace {

ObservableKind Kind(std::string_view s) {
  auto d = DetectObservable(s);
  EXPECT_TRUE(d) << s;
  return d ? d->kind : ObservableKind::kIpv4;
}

TEST(DetectObservable, Kinds) {
  EXPECT_EQ(Kind("198.51.100.7"), ObservableKind::kIpv4);
  EXPECT_EQ(Kind("10.0.0.0/8"), ObservableKind::kIpv4);
  EXPECT_EQ(Kind("2001:db8::1"), ObservableKind::kIpv6);
  EXPECT_EQ(Kind("example.com"), ObservableKind::kDomain);
  EXPECT_EQ(Kind("sub_1.exa-mple.co.uk."), ObservableKind::kDomain);
  EXPECT_EQ(Kind("http://evil.test/a?b=c"), ObservableKind::kUrl);
  EXPECT_EQ(Kind("hxxp://evil.test/"), ObservableKind::kUrl);
  EXPECT_EQ(Kind("alice@example.com"), ObservableKind::kEmail);
  EXPECT_EQ(Kind("d41d8cd98f00b204e9800998ecf8427e"), ObservableKind::kMd5);
  EXPECT_EQ(Kind(std::string(40, 'a')), ObservableKind::kSha1);
  EXPECT_EQ(Kind(std::string(64, 'B')), ObservableKind::kSha256);
  EXPECT_EQ(Kind(std::string(128, '0')), ObservableKind::kSha512);
  auto d = DetectObservable("  example.com \r\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "example.com");
}

TEST(DetectObservable, Rejects) {
  for (const char* s : {"", "   ", "hello", "1.2.3.256", "-bad.com", "bad-.com", "a..b",
                        "1.2.3", "a@b", "two@@x.com", "http://", "has space.com", "12.34"}) {
    EXPECT_FALSE(DetectObservable(s)) << s;
  }
}

TEST(ObservableKind, NamesRoundTrip) {
  for (int k = 0; k < kObservableKindCount; ++k) {
    auto kind = static_cast<ObservableKind>(k);
    EXPECT_EQ(ParseObservableKind(ObservableKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseObservableKind("sha3"));
  EXPECT_EQ(TargetOf(ObservableKind::kSha256).path, "file:hashes.'SHA-256'");
}

}  // namespace
}  // namespace tabadul::pattern
