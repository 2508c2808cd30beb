#include "ingest/stix_ids.h"

#include <gtest/gtest.h>

namespace tabadul::ingest {
namespace {

TEST(StixIdsTest, ScoIdsFollowTheSpecNamespace) {
  // Same value the OASIS stix2 library computes for DomainName(value="example.com").
  EXPECT_EQ(ScoId("domain-name", "{\"value\":\"example.com\"}"),
            "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
  EXPECT_EQ(ScoId("file", "{\"hashes\":{\"SHA-256\":"
                          "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"}}"),
            "file--d853b6a8-ff74-5fff-9a3f-69101c9562b7");
}

TEST(StixIdsTest, UuidV4HasVersionAndVariantBits) {
  RandomSource zeros = [](uint8_t* out, size_t n) { std::fill(out, out + n, 0xFF); };
  EXPECT_EQ(UuidV4(zeros), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

TEST(StixIdsTest, JcsEscaping) {
  EXPECT_EQ(JcsString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JcsString("نطاق"), "\"نطاق\"");
}

}  // namespace
}  // namespace tabadul::ingest
