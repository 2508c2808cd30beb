#include "text/arabic_affixes.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "text/normalizer.h"

namespace tabadul::text {
namespace {

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ArabicAffixesTest, IssueExamplesReachTheirBase) {
  EXPECT_TRUE(Has(ProcliticReadings(NormalizeForMatch("للمغرب")), "مغرب"));
  EXPECT_TRUE(Has(ProcliticReadings(NormalizeForMatch("والجزائر")), NormalizeForMatch("جزائر")));
  EXPECT_TRUE(Has(ProcliticReadings(NormalizeForMatch("باسرائيل")), NormalizeForMatch("إسرائيل")));
  EXPECT_TRUE(Has(ProcliticReadings(NormalizeForMatch("والمعلومات")), "معلومات"));
  EXPECT_TRUE(Has(ProcliticReadings(NormalizeForMatch("فبالهجوم")), "هجوم"));
  EXPECT_TRUE(Has(ProcliticReadings(NormalizeForMatch("وكالشركات")), "شركات"));
}

TEST(ArabicAffixesTest, TheWordItselfIsAlwaysFirst) {
  auto r = ProcliticReadings("بريطانيا");
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r[0], "بريطانيا");
  EXPECT_TRUE(Has(r, "ريطانيا"));  // a reading, not a decision
}

TEST(ArabicAffixesTest, KeepsAtLeastTwoLetters) {
  auto r = ProcliticReadings("وال");
  EXPECT_FALSE(Has(r, ""));
  for (const auto& s : r) EXPECT_GE(s.size(), 4u);  // two Arabic letters
}

TEST(ArabicAffixesTest, LatinTokensHaveOneReading) {
  EXPECT_EQ(ProcliticReadings("lazarus").size(), 1u);
}

TEST(ArabicAffixesTest, NisbaStripping) {
  EXPECT_EQ(StripNisba(NormalizeForMatch("إيرانية")).value_or(""), "ايران");
  EXPECT_EQ(StripNisba("مصري").value_or(""), "مصر");
  EXPECT_EQ(StripNisba(NormalizeForMatch("جزائريين")).value_or(""), "جزاير");
  EXPECT_FALSE(StripNisba("في").has_value());
  EXPECT_FALSE(StripNisba("هجوم").has_value());
}

}  // namespace
}  // namespace tabadul::text
