#include "text/offset_map.h"

#include <gtest/gtest.h>

#include <random>

namespace tabadul::text {
namespace {

// A map with checkpoints at irregular places, as normalization of Arabic-Indic digits and marks
// leaves behind: every lookup order must give the same answers as the unhinted lookup.
TEST(OffsetMapTest, HintedLookupsAgreeWithUnhintedInAnyOrder) {
  std::mt19937 rng(11);
  OffsetMap map;
  size_t out = 0;
  size_t in = 0;
  for (int k = 0; k < 5000; ++k) {
    out += rng() % 5;
    in += rng() % 9;
    if (in < out) in = out;
    map.Note(out, in);
  }
  const size_t source_size = in + 10;
  const std::string source(source_size, 'x');
  ASSERT_GT(map.checkpoint_count(), 1000u);

  size_t hint = 0;
  for (size_t o = 0; o < out + 5; ++o) {  // ascending, the scan's order
    ASSERT_EQ(map.ToSource(o, hint), map.ToSource(o)) << o;
    ASSERT_EQ(map.ToSourceEnd(o, source.data(), source_size, hint),
              map.ToSourceEnd(o, source.data(), source_size))
        << o;
  }
  for (int k = 0; k < 20000; ++k) {  // random jumps, backwards included
    const size_t o = rng() % (out + 5);
    ASSERT_EQ(map.ToSource(o, hint), map.ToSource(o)) << o;
  }
}

TEST(OffsetMapTest, EmptyMapIsTheIdentityAndClearRestoresIt) {
  OffsetMap map;
  size_t hint = 0;
  EXPECT_EQ(map.ToSource(7, hint), 7u);
  map.Note(3, 6);
  EXPECT_EQ(map.ToSource(5), 8u);
  map.Clear();
  EXPECT_EQ(map.checkpoint_count(), 0u);
  hint = 99;  // a stale hint from a longer map must not matter
  EXPECT_EQ(map.ToSource(5, hint), 5u);
}

}  // namespace
}  // namespace tabadul::text
