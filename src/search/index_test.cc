#include "search/index.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tabadul::search {
namespace {

std::vector<std::string> Ids(const SearchResult& r) {
  std::vector<std::string> out;
  for (const Hit& h : r.hits) out.push_back(h.id);
  return out;
}
using V = std::vector<std::string>;

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = std::move(Index::InMemory()).value();
    ASSERT_TRUE(index_->Add({"report--1", "report", "c1", "حملة تصيد تستهدف البنوك في المغرب", {},
                             "", "رصد الفريق رسائل تصيد احتيالي تستهدف عملاء البنوك المغربية."}).ok());
    ASSERT_TRUE(index_->Add({"intrusion-set--2", "intrusion-set", "c2", "Lazarus Group",
                             {"HIDDEN COBRA"}, "North Korean group targeting banks.", ""}).ok());
    ASSERT_TRUE(index_->Add({"report--3", "report", "c2", "Phishing wave against Moroccan banks",
                             {}, "", "Attackers sent phishing mail to customers of banks."}).ok());
  }
  std::unique_ptr<Index> index_;
};

TEST_F(IndexTest, ArabicQueryFindsInflectedForms) {
  auto r = index_->Query("للبنوك المغربيّة", {}, 10, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Ids(*r), V{"report--1"});
  auto r2 = index_->Query("والتَّصَيُّد", {}, 10, 0);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(Ids(*r2), V{"report--1"});
}

TEST_F(IndexTest, EnglishQueryRankedWithSnippet) {
  auto r = index_->Query("banks", {}, 10, 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  for (const Hit& h : r->hits) {
    ASSERT_FALSE(h.highlights.empty()) << h.id;
    auto [b, e] = h.highlights[0];
    EXPECT_EQ(h.snippet.substr(b, e - b).substr(0, 4), "bank");
  }
  auto alias = index_->Query("hidden cobra", {}, 10, 0);
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(Ids(*alias), V{"intrusion-set--2"});
}

TEST_F(IndexTest, FiltersApplyBeforeLimit) {
  SearchFilters only_reports;
  only_reports.types = {"report"};
  auto r = index_->Query("banks", only_reports, 1, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Ids(*r), V{"report--3"});

  SearchFilters c1;
  c1.collections = {"c1"};
  EXPECT_EQ(Ids(index_->Query("", c1, 10, 0).value()), V{"report--1"});

  // A predicate hiding the best hit: the page of one still holds the next visible one.
  SearchFilters hide;
  hide.visible = [](std::string_view id, std::string_view) { return id != "report--3"; };
  auto h = index_->Query("banks", hide, 1, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(Ids(*h), V{"intrusion-set--2"});
  EXPECT_EQ(Ids(index_->Query("banks", hide, 1, 1).value()), V{});
}

TEST_F(IndexTest, UpdateAndRemove) {
  ASSERT_TRUE(index_->Update({"report--3", "report", "c2", "Ransomware in Jordan", {}, "", ""}).ok());
  EXPECT_EQ(Ids(index_->Query("phishing", {}, 10, 0).value()), V{});
  EXPECT_EQ(Ids(index_->Query("ransomware", {}, 10, 0).value()), V{"report--3"});
  ASSERT_TRUE(index_->Remove("report--3").ok());
  EXPECT_EQ(index_->Remove("report--3").code(), StatusCode::kNotFound);
  EXPECT_EQ(index_->size(), 2u);
  EXPECT_EQ(index_->Add({"", "report", "c", "x", {}, "", ""}).code(), StatusCode::kInvalidArgument);
}

TEST(IndexDiskTest, PersistsInTheGivenFolder) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tabadul_search_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto index = Index::Open(dir.string());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    ASSERT_TRUE((*index)->Add({"malware--1", "malware", "c", "Emotet", {}, "", ""}).ok());
    ASSERT_TRUE((*index)->Commit().ok());
  }
  auto reopened = Index::Open(dir.string());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(Ids((*reopened)->Query("emotet", {}, 10, 0).value()), V{"malware--1"});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(Index::Open("/proc/no/such/dir").status().code(), StatusCode::kInternal);
}

TEST_F(IndexTest, VisibleMetaSeesTheStoredMetaBeforeTheLimit) {
  ASSERT_TRUE(index_->Add({"malware--m1", "malware", "c3", "Banker one", {}, "", "", "hide"}).ok());
  ASSERT_TRUE(index_->Add({"malware--m2", "malware", "c3", "Banker two", {}, "", "", "show"}).ok());
  SearchFilters f;
  f.visible_meta = [](std::string_view, std::string_view, std::string_view meta) {
    return meta != "hide";
  };
  auto r = index_->Query("banker", f, 1, 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Ids(*r), V{"malware--m2"});
  EXPECT_EQ(r->hits[0].meta, "show");
  // Both predicates must pass.
  f.visible = [](std::string_view id, std::string_view) { return id != "malware--m2"; };
  EXPECT_TRUE(index_->Query("banker", f, 10, 0)->hits.empty());
}

TEST(IndexMetadataTest, CommittedWithDocumentsAndReadableReadOnly) {
  const auto dir = std::filesystem::temp_directory_path() / "tabadul_index_meta_test";
  std::filesystem::remove_all(dir);
  EXPECT_EQ(Index::OpenReadOnly(dir.string()).status().code(), StatusCode::kNotFound);
  auto writer = Index::Open(dir.string());
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->GetMetadata("cursor").value(), "");
  EXPECT_EQ((*writer)->SetMetadata("", "x").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->SetMetadata("cursor", "42").ok());
  ASSERT_TRUE((*writer)->Add({"tool--1", "tool", "c", "Mimikatz", {}, "", ""}).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  // A reader beside the live writer (another process in production) sees the last commit.
  auto reader = Index::OpenReadOnly(dir.string());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->read_only());
  EXPECT_EQ((*reader)->GetMetadata("cursor").value(), "42");
  EXPECT_EQ(Ids((*reader)->Query("mimikatz", {}, 10, 0).value()), V{"tool--1"});
  EXPECT_EQ((*reader)->Add({"tool--2", "tool", "c", "x", {}, "", ""}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*reader)->Remove("tool--1").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*reader)->SetMetadata("k", "v").code(), StatusCode::kFailedPrecondition);
  // Later commits become visible to the reader's next query.
  ASSERT_TRUE((*writer)->Add({"tool--3", "tool", "c", "Mimikatz fork", {}, "", ""}).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ((*reader)->Query("mimikatz", {}, 10, 0)->hits.size(), 2u);
  writer->reset();
  reader->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tabadul::search
