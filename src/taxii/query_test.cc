#include "taxii/query.h"

#include <gtest/gtest.h>

namespace tabadul::taxii {
namespace {

constexpr unsigned kAll = kAddedAfter | kLimit | kNext | kMatchId | kMatchType | kMatchVersion |
                          kMatchSpecVersion;

TEST(QueryTest, ParsesFiltersAndLists) {
  auto f = ParseObjectQuery(
      "added_after=2024-01-01T00:00:00.000001Z&match[type]=indicator,malware&limit=5"
      "&match%5Bversion%5D=first,2020-01-01T00:00:00.000Z",
      kAll);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->after_us, 1704067200000001);
  EXPECT_EQ(f->types, (std::vector<std::string>{"indicator", "malware"}));
  EXPECT_EQ(*f->limit, 5u);
  EXPECT_TRUE(f->versions.first);
  EXPECT_FALSE(f->versions.last);
  ASSERT_EQ(f->versions.exact_ns.size(), 1u);
  EXPECT_TRUE(f->versions_given);
}

TEST(QueryTest, DefaultsToLastVersion) {
  auto f = ParseObjectQuery("", kAll);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->versions.last);
  EXPECT_FALSE(f->versions_given);
  EXPECT_EQ(f->after_us, -1);
}

TEST(QueryTest, RefusesBadParameters) {
  for (const char* bad : {"limit=0", "limit=-1", "limit=abc", "limit=1&limit=2", "foo=bar",
                          "added_after=yesterday", "match[version]=all,last",
                          "match[version]=newest", "match[id]=indicator--x",
                          "match[type]=Indicator", "match[spec_version]=3.0", "next=garbage",
                          "match[type]=", "match[type]=a,,b", "next=djIK", "match[type]=%zz"}) {
    auto f = ParseObjectQuery(bad, kAll);
    EXPECT_FALSE(f.ok()) << bad;
    if (!f.ok()) EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(ParseObjectQuery("match[version]=last", kLimit).ok());
}

TEST(QueryTest, CursorCarriesTheFilters) {
  auto f = ParseObjectQuery("match[type]=indicator&limit=2", kAll);
  ASSERT_TRUE(f.ok());
  std::string next = EncodeCursor(42, f->canonical);
  auto g = ParseObjectQuery("next=" + next, kAll);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->after_us, 42);
  EXPECT_EQ(g->types, (std::vector<std::string>{"indicator"}));
  // Repeating the same filters is fine, different ones are refused.
  EXPECT_TRUE(ParseObjectQuery("match[type]=indicator&next=" + next, kAll).ok());
  EXPECT_FALSE(ParseObjectQuery("match[type]=malware&next=" + next, kAll).ok());
}

}  // namespace
}  // namespace tabadul::taxii
