// IndicatorIndex: lifecycle (add, replace, remove, expiry) and each anchor table. Agreement with
// the matcher on many patterns is tested in tests/pattern/.
#include "pattern/indicator_index.h"

#include <gtest/gtest.h>

namespace tabadul::pattern {
namespace {

using Ids = std::vector<std::string_view>;
constexpr int64_t kT = 1'700'000'000'000'000'000;

TEST(IndicatorIndex, AddMatchRemove) {
  IndicatorIndex index;
  ASSERT_TRUE(index.Add("i1", "[ipv4-addr:value = '1.2.3.4']", 0).ok());
  ASSERT_TRUE(index.Add("i2", "[ipv4-addr:value = '1.2.3.4' OR domain-name:value = 'x.test']", 0).ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.2.3.4", kT), (Ids{"i1", "i2"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "x.test", kT), (Ids{"i2"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.2.3.5", kT), Ids{});
  ASSERT_TRUE(index.Remove("i1").ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.2.3.4", kT), (Ids{"i2"}));
  EXPECT_EQ(index.Remove("i1").code(), StatusCode::kNotFound);
  EXPECT_EQ(index.size(), 1u);
}

TEST(IndicatorIndex, InvalidPatternLeavesIndexUnchanged) {
  IndicatorIndex index;
  ASSERT_TRUE(index.Add("i1", "[url:value = 'http://a/']", 0).ok());
  Status st = index.Add("i1", "[url:value = ", 0);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("position 13"), std::string::npos);
  EXPECT_EQ(index.MatchValue(ObservableKind::kUrl, "http://a/", kT), (Ids{"i1"}));
  EXPECT_EQ(index.Add("i2", "[url:value = 'x']", 10, 10).code(), StatusCode::kInvalidArgument);
}

TEST(IndicatorIndex, ReplaceIsANewVersion) {
  IndicatorIndex index;
  ASSERT_TRUE(index.Add("i1", "[domain-name:value = 'old.test']", 0).ok());
  ASSERT_TRUE(index.Add("i1", "[domain-name:value = 'new.test']", 0).ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "old.test", kT), Ids{});
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "new.test", kT), (Ids{"i1"}));
  EXPECT_EQ(index.size(), 1u);
}

TEST(IndicatorIndex, ValidityWindowAndExpiry) {
  IndicatorIndex index;
  ASSERT_TRUE(index.Add("i1", "[ipv4-addr:value = '1.1.1.1']", 100, 200).ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.1.1.1", 99), Ids{});
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.1.1.1", 100), (Ids{"i1"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.1.1.1", 199), (Ids{"i1"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.1.1.1", 200), Ids{});
  EXPECT_EQ(index.RemoveExpired(199), 0u);
  EXPECT_EQ(index.RemoveExpired(200), 1u);
  EXPECT_EQ(index.size(), 0u);
}

TEST(IndicatorIndex, SharedKeysAndOverflowLists) {
  IndicatorIndex index;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(index.Add("i" + std::to_string(i), "[url:value = 'http://same/']", 0).ok());
  }
  EXPECT_EQ(index.MatchValue(ObservableKind::kUrl, "http://same/", kT).size(), 5u);
  ASSERT_TRUE(index.Remove("i0").ok());
  ASSERT_TRUE(index.Remove("i3").ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kUrl, "http://same/", kT), (Ids{"i1", "i2", "i4"}));
  EXPECT_EQ(index.stats().equality_keys, 1u);
}

TEST(IndicatorIndex, CidrAndRegexTables) {
  IndicatorIndex index;
  ASSERT_TRUE(index.Add("net8", "[ipv4-addr:value ISSUBSET '10.0.0.0/8']", 0).ok());
  ASSERT_TRUE(index.Add("net24", "[ipv4-addr:value ISSUBSET '10.1.2.0/24']", 0).ok());
  ASSERT_TRUE(index.Add("all6", "[ipv6-addr:value ISSUBSET '::/0']", 0).ok());
  ASSERT_TRUE(index.Add("like", "[domain-name:value LIKE '%.evil.test']", 0).ok());
  ASSERT_TRUE(index.Add("re", "[url:value MATCHES '^https?://[^/]*\\\\.zip/']", 0).ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "10.1.2.3", kT), (Ids{"net24", "net8"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "10.9.9.9", kT), (Ids{"net8"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "10.0.0.0/7", kT), Ids{});
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv6, "2001:db8::5", kT), (Ids{"all6"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "a.evil.test", kT), (Ids{"like"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "evil.test", kT), Ids{});
  EXPECT_EQ(index.MatchValue(ObservableKind::kUrl, "https://x.zip/a", kT), (Ids{"re"}));
  ASSERT_TRUE(index.Remove("net8").ok());
  ASSERT_TRUE(index.Remove("re").ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "10.1.2.3", kT), (Ids{"net24"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kUrl, "https://x.zip/a", kT), Ids{});
}

TEST(IndicatorIndex, ManyRegexesGoThroughTheSetAndSurviveChurn) {
  IndicatorIndex index;
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(index.Add("r" + std::to_string(i),
                          "[domain-name:value MATCHES '^host" + std::to_string(i) + "\\\\.']", 0)
                    .ok());
  }
  for (int i = 0; i < 300; i += 2) ASSERT_TRUE(index.Remove("r" + std::to_string(i)).ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "host7.x", kT), (Ids{"r7"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "host8.x", kT), Ids{});
  ASSERT_TRUE(index.Add("r8", "[domain-name:value MATCHES '^host8\\\\.']", 0).ok());
  EXPECT_EQ(index.MatchValue(ObservableKind::kDomain, "host8.x", kT), (Ids{"r8"}));
  EXPECT_EQ(index.stats().regexes, 151u);
}

TEST(IndicatorIndex, StrategiesAreClassified) {
  IndicatorIndex index;
  ASSERT_TRUE(index.Add("exact", "[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2')]", 0).ok());
  ASSERT_TRUE(index.Add("verified", "[ipv4-addr:value = '1.1.1.1' AND ipv4-addr:x_n > 3]", 0).ok());
  ASSERT_TRUE(index.Add("residual", "[ipv4-addr:value != '1.1.1.1']", 0).ok());
  ASSERT_TRUE(index.Add("twice", "[ipv4-addr:value = '1.1.1.1'] REPEATS 2 TIMES", 0).ok());
  IndicatorIndexStats s = index.stats();
  EXPECT_EQ(s.exact, 1u);
  EXPECT_EQ(s.verified, 2u);
  EXPECT_EQ(s.residual, 1u);
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "1.1.1.1", kT), (Ids{"exact"}));
  EXPECT_EQ(index.MatchValue(ObservableKind::kIpv4, "3.3.3.3", kT), (Ids{"residual"}));
}

}  // namespace
}  // namespace tabadul::pattern
