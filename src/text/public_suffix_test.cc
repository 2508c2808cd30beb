#include "text/public_suffix.h"

#include <gtest/gtest.h>

namespace tabadul::text {
namespace {

constexpr std::string_view kList = R"(// comment
com
uk
co.uk
*.ck
!www.ck
)";

TEST(PublicSuffixTest, RulesWildcardsAndExceptions) {
  auto psl = PublicSuffixList::Parse(kList);
  ASSERT_TRUE(psl.ok());
  EXPECT_EQ(psl->PublicSuffixLength("evil.com"), 3u);
  EXPECT_EQ(psl->PublicSuffixLength("a.b.co.uk"), 5u);
  EXPECT_EQ(psl->PublicSuffixLength("x.foo.ck"), 6u);
  EXPECT_EQ(psl->PublicSuffixLength("www.ck"), 2u);
  EXPECT_EQ(psl->PublicSuffixLength("file.exe"), 0u);
  EXPECT_TRUE(psl->IsRegistrableOrBelow("evil.co.uk"));
  EXPECT_FALSE(psl->IsRegistrableOrBelow("co.uk"));
  EXPECT_FALSE(psl->IsRegistrableOrBelow("com"));
  EXPECT_FALSE(psl->IsRegistrableOrBelow("foo.ck"));
  EXPECT_TRUE(psl->IsRegistrableOrBelow("www.ck"));
}

TEST(PublicSuffixTest, EmptyListIsAnError) {
  EXPECT_FALSE(PublicSuffixList::Parse("// nothing\n").ok());
}

}  // namespace
}  // namespace tabadul::text
