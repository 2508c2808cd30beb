#include "match/indicator_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "match/match_testing.h"
#include "stix/validator.h"

namespace tabadul::match {
namespace {

using pattern::ObservableKind;
using testing::IndicatorId;
using testing::IndicatorJson;
using testing::IndicatorSpec;
using testing::kIntel;

std::vector<std::string> Ids(const std::vector<IndicatorMatch>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.id);
  return out;
}

class IndicatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(f_.status().ok()) << f_.status().ToString(); }

  IndicatorService::CollectionIndex* CatchUp() {
    auto ci = service_.CatchUp(kIntel);
    EXPECT_TRUE(ci.ok()) << ci.status().ToString();
    return ci.ok() ? *ci : nullptr;
  }
  int64_t NowNs() { return f_.clock().NowMicros() * 1000; }
  std::vector<std::string> MatchIp(IndicatorService::CollectionIndex* ci, const char* ip,
                                   const HitFilter& visible = nullptr) {
    return Ids(service_.MatchValue(*ci, ObservableKind::kIpv4, ip, NowNs(), visible));
  }
  void Put(const IndicatorSpec& spec) {
    Status st = f_.PutIndicator(spec);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  testing::MatchFixture f_;
  IndicatorService service_{f_.store(), f_.clock(),
                            IndicatorServiceOptions{.poll_interval_us = 0, .page_size = 2}};
};

TEST_F(IndicatorServiceTest, LoadsACollectionAndMatchesWithNames) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7']", .name = "C2"});
  Put({.n = 2, .pattern = "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", .name = "Net"});
  Put({.n = 3, .pattern = "[domain-name:value = 'evil.example']"});
  auto* ci = CatchUp();
  ASSERT_NE(ci, nullptr);
  auto hits = service_.MatchValue(*ci, ObservableKind::kIpv4, "198.51.100.7", NowNs(), nullptr);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, IndicatorId(1));
  EXPECT_EQ(hits[0].name, "C2");
  EXPECT_EQ(hits[1].id, IndicatorId(2));
  EXPECT_EQ(hits[1].name, "Net");
  EXPECT_EQ(MatchIp(ci, "198.51.100.9"), std::vector<std::string>{IndicatorId(2)});
  EXPECT_TRUE(MatchIp(ci, "203.0.113.1").empty());
  auto stats = service_.Stats(*ci);
  EXPECT_EQ(stats.indicators, 3u);
  EXPECT_EQ(stats.indexed, 3u);
  EXPECT_EQ(stats.rows_read, 3u);  // page_size 2: read in two pages
}

TEST_F(IndicatorServiceTest, CatchesUpIncrementallyReadingOnlyNewRows) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7']"});
  auto* ci = CatchUp();
  EXPECT_EQ(service_.Stats(*ci).rows_read, 1u);
  Put({.n = 2, .pattern = "[ipv4-addr:value = '198.51.100.8']"});
  // A non-indicator is not read at all.
  ASSERT_TRUE(f_.Put(kIntel, {R"({"type":"malware","spec_version":"2.1",
      "id":"malware--00000000-0000-4000-8000-000000000099","created":"2024-01-01T00:00:00.000Z",
      "modified":"2024-01-01T00:00:00.000Z","name":"x","is_family":false})"}).ok());
  EXPECT_EQ(CatchUp(), ci);
  EXPECT_EQ(service_.Stats(*ci).rows_read, 2u);
  EXPECT_EQ(MatchIp(ci, "198.51.100.8"), std::vector<std::string>{IndicatorId(2)});
  EXPECT_EQ(CatchUp(), ci);
  EXPECT_EQ(service_.Stats(*ci).rows_read, 2u);
}

TEST_F(IndicatorServiceTest, ANewerVersionReplacesAndALateOlderOneChangesNothing) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']", .name = "v1"});
  auto* ci = CatchUp();
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.3']", .name = "v3",
       .modified = "2024-01-03T00:00:00.000Z"});
  CatchUp();
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
  EXPECT_EQ(MatchIp(ci, "198.51.100.3"), std::vector<std::string>{IndicatorId(1)});
  // v2 arrives after v3: it is not the latest, so the index keeps v3.
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.2']", .name = "v2",
       .modified = "2024-01-02T00:00:00.000Z"});
  CatchUp();
  EXPECT_TRUE(MatchIp(ci, "198.51.100.2").empty());
  auto hits = service_.MatchValue(*ci, ObservableKind::kIpv4, "198.51.100.3", NowNs(), nullptr);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].name, "v3");
}

TEST_F(IndicatorServiceTest, ARevokedVersionRemovesTheIndicator) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  auto* ci = CatchUp();
  ASSERT_EQ(MatchIp(ci, "198.51.100.1").size(), 1u);
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']",
       .modified = "2024-01-05T00:00:00.000Z", .revoked = true});
  CatchUp();
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
  auto stats = service_.Stats(*ci);
  EXPECT_EQ(stats.revoked, 1u);
  EXPECT_EQ(stats.indexed, 0u);
}

TEST_F(IndicatorServiceTest, ExpiryFollowsTheClockWithoutACatchUp) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']",
       .valid_until = "2024-01-01T01:00:00Z"});
  Put({.n = 2, .pattern = "[ipv4-addr:value = '198.51.100.1']",
       .valid_from = "2024-01-01T02:00:00Z"});
  auto* ci = CatchUp();
  EXPECT_EQ(MatchIp(ci, "198.51.100.1"), std::vector<std::string>{IndicatorId(1)});
  f_.clock().Set(testing::kStartMicros + 90LL * 60 * 1000000);  // 01:30: 1 expired, 2 not yet
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
  f_.clock().Set(testing::kStartMicros + 150LL * 60 * 1000000);  // 02:30
  EXPECT_EQ(MatchIp(ci, "198.51.100.1"), std::vector<std::string>{IndicatorId(2)});
  CatchUp();  // reclaims the expired one
  auto stats = service_.Stats(*ci);
  EXPECT_EQ(stats.indexed, 1u);
  EXPECT_EQ(stats.unindexed, 1u);
}

TEST_F(IndicatorServiceTest, DeletingTheLatestVersionFallsBackToThePreviousOne) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.2']",
       .modified = "2024-01-02T00:00:00.000Z"});
  auto* ci = CatchUp();
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
  store::VersionMatch latest;
  latest.exact_ns = {ParseTimestamp("2024-01-02T00:00:00.000Z")->nanos};
  latest.last = false;
  auto n = f_.store().DeleteObject(kIntel, IndicatorId(1), latest);
  ASSERT_TRUE(n.ok() && *n == 1);
  CatchUp();
  EXPECT_EQ(MatchIp(ci, "198.51.100.1"), std::vector<std::string>{IndicatorId(1)});
  EXPECT_TRUE(MatchIp(ci, "198.51.100.2").empty());
  n = f_.store().DeleteObject(kIntel, IndicatorId(1), store::VersionMatch{.all = true});
  ASSERT_TRUE(n.ok() && *n == 1);
  CatchUp();
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
  EXPECT_EQ(service_.Stats(*ci).indicators, 0u);
}

TEST_F(IndicatorServiceTest, OnStoredTakesEffectBeforeTheNextPoll) {
  IndicatorService lazy(f_.store(), f_.clock(), {.poll_interval_us = 3'600'000'000LL});
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  auto ci = lazy.Refresh(kIntel);
  ASSERT_TRUE(ci.ok());
  const std::string json = IndicatorJson({.n = 2, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  Put({.n = 2, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  auto collection = f_.store().GetCollection(kIntel);
  ASSERT_TRUE(collection.ok());
  ASSERT_EQ(Ids(lazy.MatchValue(**ci, ObservableKind::kIpv4, "198.51.100.1", NowNs(), nullptr))
                .size(),
            1u);  // the poll interval has not passed
  lazy.OnStored(*collection, {*stix::ParseObject(json)});
  EXPECT_EQ(Ids(lazy.MatchValue(**ci, ObservableKind::kIpv4, "198.51.100.1", NowNs(), nullptr)),
            (std::vector<std::string>{IndicatorId(1), IndicatorId(2)}));
  // The poll then sees the same version again and changes nothing.
  ASSERT_TRUE(lazy.CatchUp(kIntel).ok());
  EXPECT_EQ(lazy.Stats(**ci).indicators, 2u);
  EXPECT_EQ(lazy.Stats(**ci).indexed, 2u);
}

TEST_F(IndicatorServiceTest, OnStoredIgnoresCollectionsNotLoadedYet) {
  auto collection = f_.store().GetCollection(kIntel);
  service_.OnStored(*collection, {*stix::ParseObject(IndicatorJson(
                                     {.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']"}))});
  auto* ci = CatchUp();  // reads the store: the object was never stored there
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
}

TEST_F(IndicatorServiceTest, KeepsButDoesNotIndexOtherLanguagesAndBadPatterns) {
  Put({.n = 1, .pattern = "alert tcp any any", .pattern_type = "snort"});
  // Stored behind validation's back (as an import without the hook could).
  Put({.n = 2, .pattern = "[ipv4-addr:value = "});
  Put({.n = 3, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  auto* ci = CatchUp();
  auto stats = service_.Stats(*ci);
  EXPECT_EQ(stats.indicators, 3u);
  EXPECT_EQ(stats.indexed, 1u);
  EXPECT_EQ(stats.unindexed, 2u);
  // A bad new version supersedes a good one.
  Put({.n = 3, .pattern = "[ipv4-addr:value = ", .modified = "2024-01-02T00:00:00.000Z"});
  CatchUp();
  EXPECT_TRUE(MatchIp(ci, "198.51.100.1").empty());
}

TEST_F(IndicatorServiceTest, TheVisibilityFilterSeesTheStoredRow) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']", .labels_json = R"(["red"])"});
  Put({.n = 2, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  auto* ci = CatchUp();
  std::vector<std::string> seen;
  auto hits = MatchIp(ci, "198.51.100.1", [&seen](const store::ObjectRow& row, std::string_view*) {
    seen.push_back(row.id);
    EXPECT_EQ(row.collection_id, kIntel);
    EXPECT_EQ(row.created_by_ref, testing::kAcme);
    return row.labels.empty();
  });
  EXPECT_EQ(hits, std::vector<std::string>{IndicatorId(2)});
  EXPECT_EQ(seen, (std::vector<std::string>{IndicatorId(1), IndicatorId(2)}));
}

TEST_F(IndicatorServiceTest, MatchesObservedData) {
  Put({.n = 1, .pattern = "[file:hashes.'SHA-256' = '" + std::string(64, 'a') +
                          "' AND file:name = 'x.exe']"});
  auto* ci = CatchUp();
  auto set = pattern::ObservationSet::FromJson(R"({"type":"observed-data","spec_version":"2.1",
      "id":"observed-data--00000000-0000-4000-8000-000000000001",
      "first_observed":"2024-01-01T00:00:00Z","last_observed":"2024-01-01T00:00:00Z",
      "number_observed":1,"objects":{"0":{"type":"file","name":"x.exe",
      "hashes":{"SHA-256":")" + std::string(64, 'a') + R"("}}}})");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  auto hits = service_.MatchObservedData(*ci, *set, NowNs(), nullptr);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(Ids(*hits), std::vector<std::string>{IndicatorId(1)});
}

TEST_F(IndicatorServiceTest, MatchesRunWhileTheIndexCatchesUp) {
  Put({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.1']"});
  auto* ci = CatchUp();
  auto collection = f_.store().GetCollection(kIntel);
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        // Indicator 1 never changes: every match, at any moment, must find it.
        auto ids = Ids(service_.MatchValue(*ci, ObservableKind::kIpv4, "198.51.100.1",
                                           testing::kStartMicros * 1000, nullptr));
        if (ids.empty() || ids[0] != IndicatorId(1)) ++wrong;
      }
    });
  }
  for (int n = 2; n < 60; ++n) {
    const IndicatorSpec spec{.n = n, .pattern = "[ipv4-addr:value = '198.51.100.2']"};
    Put(spec);
    if (n % 2 == 0) {
      service_.OnStored(*collection, {*stix::ParseObject(IndicatorJson(spec))});
    } else {
      ASSERT_TRUE(service_.CatchUp(kIntel).ok());
    }
  }
  ASSERT_TRUE(service_.CatchUp(kIntel).ok());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(MatchIp(ci, "198.51.100.2").size(), 58u);
  EXPECT_EQ(service_.Stats(*ci).indexed, 59u);
}

TEST_F(IndicatorServiceTest, UnknownCollectionIsNotFound) {
  auto ci = service_.Refresh("no-such-collection");
  ASSERT_FALSE(ci.ok());
  EXPECT_EQ(ci.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tabadul::match
