#include "taxii/media_type.h"

#include <gtest/gtest.h>

namespace tabadul::taxii {
namespace {

TEST(MediaTypeTest, TaxiiClientsGetTaxii) {
  for (const char* accept : {"", "application/taxii+json;version=2.1", "application/taxii+json",
                             "*/*", "application/*", "application/taxii+json; version=\"2.1\"",
                             "text/html, application/taxii+json;version=2.1;q=0.5"}) {
    EXPECT_EQ(NegotiateResponseType(accept).value_or("none"), kTaxiiMediaType) << accept;
  }
}

TEST(MediaTypeTest, JsonAndStixClientsGetAUsefulAnswer) {
  EXPECT_EQ(*NegotiateResponseType("application/json"), "application/json");
  EXPECT_EQ(*NegotiateResponseType("application/stix+json;version=2.1"), kStixMediaType);
}

TEST(MediaTypeTest, RefusesWhatWeCannotServe) {
  EXPECT_FALSE(NegotiateResponseType("application/taxii+json;version=2.0"));
  EXPECT_FALSE(NegotiateResponseType("text/html"));
  EXPECT_FALSE(NegotiateResponseType("application/taxii+json;version=2.1;q=0"));
}

TEST(MediaTypeTest, ContentTypes) {
  EXPECT_TRUE(IsReadableContentType("application/taxii+json;version=2.1"));
  EXPECT_TRUE(IsReadableContentType("application/taxii+json"));
  EXPECT_TRUE(IsReadableContentType("application/json; charset=utf-8"));
  EXPECT_FALSE(IsReadableContentType("application/taxii+json;version=2.0"));
  EXPECT_FALSE(IsReadableContentType("text/plain"));
  EXPECT_FALSE(IsReadableContentType(""));
}

}  // namespace
}  // namespace tabadul::taxii
