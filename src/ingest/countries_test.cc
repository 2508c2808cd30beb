#include "ingest/countries.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tabadul::ingest {
namespace {

bool HasName(const Country* c, std::string_view name) {
  return c != nullptr && std::find(c->names.begin(), c->names.end(), name) != c->names.end();
}

TEST(CountriesTest, IcuNamesInArabicAndEnglishPlusAliases) {
  EXPECT_GT(AllCountries().size(), 200u);
  const Country* ir = FindCountry("IR");
  ASSERT_NE(ir, nullptr);
  EXPECT_EQ(ir->english_name, "Iran");
  EXPECT_TRUE(HasName(ir, "إيران"));
  EXPECT_TRUE(HasName(ir, "Iranian"));
  EXPECT_TRUE(HasName(FindCountry("MM"), "Myanmar"));  // "Myanmar (Burma)" split
  EXPECT_FALSE(HasName(FindCountry("ML"), "مالي"));    // removed: also "financial"
  EXPECT_EQ(FindCountry("XX"), nullptr);
}

}  // namespace
}  // namespace tabadul::ingest
