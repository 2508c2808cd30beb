#include "reports/search_service.h"

#include <gtest/gtest.h>

#include <set>

#include "reports/testing.h"
#include "stix/validator.h"

namespace tabadul::reports {
namespace {

using testing::Fixture;
using testing::NamedObject;

std::string Id(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-1111-4111-8111-111111111111", n);
  return buf;
}

std::vector<std::string> Ids(const SearchResponse& r) {
  std::vector<std::string> out;
  for (const SearchHit& h : r.hits) out.push_back(h.id);
  return out;
}
using V = std::vector<std::string>;

class SearchServiceTest : public ::testing::Test {
 protected:
  SearchServiceTest() : f_("search") {}
  std::unique_ptr<SearchService> Service(SearchServiceOptions options = {}) {
    auto s = SearchService::InMemory(f_.store(), std::move(options));
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  SearchResponse Find(SearchService& s, const std::string& user, const std::string& q,
                      SearchRequest request = {}) {
    request.query = q;
    auto r = s.Search(f_.Principal(user), request);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SearchResponse{};
  }
  Fixture f_;
};

TEST_F(SearchServiceTest, IndexesNamesAliasesDescriptionsWithSnippets) {
  const std::string lazarus = "intrusion-set--" + Id(1);
  const std::string report = "report--" + Id(2);
  f_.Put(testing::kIntel,
         {NamedObject("intrusion-set", lazarus, "Lazarus Group", {"HIDDEN COBRA"},
                      "North Korean state actor"),
          R"({"type":"report","spec_version":"2.1","id":")" + report +
              R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"حملة تصيد","published":"2024-01-01T00:00:00Z","description":"رصد الفريق رسائل تصيد احتيالي تستهدف عملاء البنوك المغربية.","object_refs":[")" +
              lazarus + R"("]})",
          R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"})",
          R"({"type":"relationship","spec_version":"2.1","id":"relationship--)" + Id(3) +
              R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","relationship_type":"uses","source_ref":")" +
              lazarus + R"(","target_ref":")" + lazarus + R"("})"});
  auto s = Service();
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_EQ(s->size(), 3u);  // the relationship has nothing to search
  auto r = Find(*s, "alice", "hidden cobra");
  ASSERT_EQ(Ids(r), V{lazarus});
  EXPECT_EQ(r.hits[0].name, "Lazarus Group");
  EXPECT_EQ(r.hits[0].type, "intrusion-set");
  EXPECT_EQ(r.hits[0].collection, testing::kIntel);
  EXPECT_FALSE(r.hits[0].highlights.empty());
  // Arabic: another prefix and diacritics.
  auto ar = Find(*s, "alice", "للبنوك المغربيّة");
  ASSERT_EQ(Ids(ar), V{report});
  EXPECT_NE(ar.hits[0].snippet.find("البنوك"), std::string::npos);
  // Type filter.
  SearchRequest only_reports;
  only_reports.types = {"report"};
  EXPECT_EQ(Ids(Find(*s, "alice", "", only_reports)), V{report});
}

TEST_F(SearchServiceTest, OnlyTheLatestVersionRevokedAndDeletedRemoved) {
  const std::string id = "malware--" + Id(10);
  f_.Put(testing::kIntel, {NamedObject("malware", id, "Alphabot", {}, "", "2024-01-02T00:00:00.000Z")});
  auto s = Service();
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_EQ(Ids(Find(*s, "alice", "alphabot")), V{id});
  // A newer version renames it; an older version arriving later changes nothing.
  f_.Put(testing::kIntel, {NamedObject("malware", id, "Betabot", {}, "", "2024-01-03T00:00:00.000Z")});
  f_.Put(testing::kIntel, {NamedObject("malware", id, "Gammabot", {}, "", "2024-01-01T00:00:00.000Z")});
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_TRUE(Find(*s, "alice", "alphabot").hits.empty());
  EXPECT_TRUE(Find(*s, "alice", "gammabot").hits.empty());
  EXPECT_EQ(Ids(Find(*s, "alice", "betabot")), V{id});
  // Revoked: gone.
  f_.Put(testing::kIntel,
         {NamedObject("malware", id, "Betabot", {}, "", "2024-01-04T00:00:00.000Z", true)});
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_TRUE(Find(*s, "alice", "betabot").hits.empty());
  EXPECT_EQ(s->size(), 0u);

  // Deleted: gone; deleting only the latest version brings the previous one back.
  const std::string tool = "tool--" + Id(11);
  f_.Put(testing::kIntel, {NamedObject("tool", tool, "Firsttool", {}, "", "2024-01-01T00:00:00.000Z"),
                           NamedObject("tool", tool, "Secondtool", {}, "", "2024-01-02T00:00:00.000Z")});
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_EQ(Ids(Find(*s, "alice", "secondtool")), V{tool});
  store::VersionMatch latest;
  ASSERT_EQ(f_.store().DeleteObject(testing::kIntel, tool, latest).value(), 1);
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_TRUE(Find(*s, "alice", "secondtool").hits.empty());
  EXPECT_EQ(Ids(Find(*s, "alice", "firsttool")), V{tool});
  store::VersionMatch all;
  all.all = true;
  ASSERT_EQ(f_.store().DeleteObject(testing::kIntel, tool, all).value(), 1);
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_TRUE(Find(*s, "alice", "firsttool").hits.empty());
}

TEST_F(SearchServiceTest, VisibilityCollectionsAndRowsBeforeTheLimit) {
  const std::string shared = "identity--" + Id(20);
  std::vector<std::string> intel;
  for (int i = 0; i < 6; ++i) {
    intel.push_back(NamedObject("tool", "tool--" + Id(30 + i), "Sharedword tool " + std::to_string(i)));
  }
  intel.push_back(NamedObject("identity", shared, "Sharedword Org"));
  f_.Put(testing::kIntel, intel);
  f_.Put(testing::kOtherCollection, {NamedObject("identity", shared, "Sharedword Org")});
  // Rows of tools 0-3 are hidden by the row rule.
  SearchServiceOptions options;
  options.visible = [](const auth::Principal&, const store::Collection&, const store::ObjectRow& row) {
    return !(row.type == "tool" && row.id < "tool--" + Id(34));
  };
  auto s = Service(options);
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_EQ(s->size(), 8u);  // the identity once per collection

  SearchRequest two;
  two.limit = 2;
  auto alice = Find(*s, "alice", "sharedword", two);
  ASSERT_EQ(alice.hits.size(), 2u);  // full page although most candidates are hidden
  std::set<std::string> seen;
  for (int page = 0; page < 3; ++page) {
    two.offset = page * 2;
    for (const SearchHit& h : Find(*s, "alice", "sharedword", two).hits) {
      EXPECT_EQ(h.collection, testing::kIntel);
      seen.insert(h.id);
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{"tool--" + Id(34), "tool--" + Id(35), shared}));

  // olga reads only her collection: the identity, from it.
  auto olga = Find(*s, "olga", "sharedword");
  ASSERT_EQ(Ids(olga), V{shared});
  EXPECT_EQ(olga.hits[0].collection, testing::kOtherCollection);

  // A collection filter: by alias; an unreadable one reads as unknown.
  SearchRequest in_intel;
  in_intel.collections = {"intel"};
  EXPECT_EQ(Find(*s, "rita", "sharedword org", in_intel).hits.size(), 1u);
  in_intel.query = "sharedword";
  auto denied = s->Search(f_.Principal("olga"), in_intel);
  auto unknown = [&] {
    SearchRequest r;
    r.collections = {"nope"};
    return s->Search(f_.Principal("olga"), r);
  }();
  EXPECT_EQ(denied.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(denied.status().message().find("intel") != std::string::npos, true);

  // A user without any readable collection sees nothing (not everything).
  ASSERT_TRUE(f_.store().SetGrant("olga", testing::kOtherCollection, {false, true}).ok());
  EXPECT_TRUE(Find(*s, "olga", "").hits.empty());
}

TEST_F(SearchServiceTest, BadLimitAndAccessFailure) {
  auto s = Service();
  SearchRequest r;
  r.limit = 0;
  EXPECT_EQ(s->Search(f_.Principal("alice"), r).status().code(), StatusCode::kInvalidArgument);
  r.limit = 1001;
  EXPECT_EQ(s->Search(f_.Principal("alice"), r).status().code(), StatusCode::kInvalidArgument);
  SearchServiceOptions failing;
  failing.access = [](const auth::Principal&, const store::Collection&) -> Result<store::Grant> {
    return Internal("policy unavailable");
  };
  auto s2 = Service(failing);
  EXPECT_EQ(s2->Search(f_.Principal("alice"), {}).status().code(), StatusCode::kInternal);
}

TEST_F(SearchServiceTest, OnStoredIndexesAtOnceAndPollingFollowsOtherWriters) {
  auto s = Service();
  auto hook = s->OnStoredHook();
  const std::string id = "campaign--" + Id(40);
  f_.Put(testing::kIntel, {NamedObject("campaign", id, "Operation Sandstorm")});
  hook(f_.store().GetCollection(testing::kIntel).value(), {});
  EXPECT_TRUE(s->last_error().ok());
  EXPECT_EQ(Ids(Find(*s, "alice", "sandstorm")), V{id});
}

TEST_F(SearchServiceTest, ResumesFromTheCommittedCursorAfterReopen) {
  const std::string folder = f_.dir() + "/search";
  f_.Put(testing::kIntel, {NamedObject("malware", "malware--" + Id(50), "Firstworm")});
  {
    auto s = SearchService::Open(f_.store(), folder);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE((*s)->CatchUp().ok());
    // While it holds the index, a second writer cannot open it, but a reader can.
    EXPECT_FALSE(SearchService::Open(f_.store(), folder).ok());
    auto reader = SearchService::OpenReadOnly(f_.store(), folder);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(Ids(Find(**reader, "alice", "firstworm")).size(), 1u);
    EXPECT_TRUE((*reader)->CatchUp().ok());  // a no-op
  }
  f_.Put(testing::kIntel, {NamedObject("malware", "malware--" + Id(51), "Secondworm")});
  store::VersionMatch all;
  all.all = true;
  ASSERT_EQ(f_.store().DeleteObject(testing::kIntel, "malware--" + Id(50), all).value(), 1);
  auto s = SearchService::Open(f_.store(), folder);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->size(), 1u);
  ASSERT_TRUE((*s)->CatchUp().ok());
  EXPECT_EQ((*s)->size(), 1u);
  EXPECT_EQ(Ids(Find(**s, "alice", "secondworm")), V{"malware--" + Id(51)});
  EXPECT_TRUE(Find(**s, "alice", "firstworm").hits.empty());
}

TEST_F(SearchServiceTest, PollingThreadCatchesUp) {
  auto s = Service();
  const std::string id = "tool--" + Id(60);
  f_.Put(testing::kIntel, {NamedObject("tool", id, "Pollfinder")});
  s->StartPolling(std::chrono::milliseconds(5));
  // Wait (bounded) for the background catch-up; the poller is the thing under test here.
  for (int i = 0; i < 400 && s->size() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s->StopPolling();
  EXPECT_EQ(Ids(Find(*s, "alice", "pollfinder")), V{id});
}

}  // namespace
}  // namespace tabadul::reports
