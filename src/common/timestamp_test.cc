#include "common/timestamp.h"

#include <gtest/gtest.h>

namespace tabadul {
namespace {

TEST(TimestampTest, ParsesMillisecondsAndRoundTrips) {
  auto r = ParseTimestamp("2016-05-12T08:17:27.000Z");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->nanos, 1463041047000000000LL);
  EXPECT_EQ(r->fraction_digits, 3);
  EXPECT_EQ(FormatTimestamp(r->nanos, 3), "2016-05-12T08:17:27.000Z");
  EXPECT_EQ(FormatTaxiiTimestamp(r->nanos / 1000), "2016-05-12T08:17:27.000000Z");
}

TEST(TimestampTest, PrecisionDoesNotChangeTheInstant) {
  EXPECT_EQ(ParseTimestamp("2016-05-12T08:17:27Z")->nanos,
            ParseTimestamp("2016-05-12T08:17:27.000000Z")->nanos);
  EXPECT_EQ(ParseTimestamp("2016-05-12T08:17:27.123456789Z")->nanos % 1000000000, 123456789);
}

TEST(TimestampTest, RefusesMalformedInput) {
  for (const char* bad : {"", "2016-05-12", "2016-05-12T08:17:27", "2016-05-12T08:17:27+00:00",
                          "2016-05-12t08:17:27Z", "2016-13-12T08:17:27Z", "2016-02-30T08:17:27Z",
                          "2016-05-12T08:17:27.Z", "2016-05-12T08:17:27.1234567890Z",
                          "2016-05-12T24:00:00Z", "2016-05-12T08:17:27.12xZ"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
}

TEST(TimestampTest, FormatsBeforeEpoch) {
  EXPECT_EQ(FormatTimestamp(-1, 9), "1969-12-31T23:59:59.999999999Z");
}

}  // namespace
}  // namespace tabadul
