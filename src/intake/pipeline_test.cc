#include "intake/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "stix/tlp.h"
#include "store/sqlite_store.h"

namespace tabadul::intake {
namespace {

namespace fs = std::filesystem;
using Kind = store::PutOutcome::Kind;

std::string Indicator(int n, const std::string& pattern, const std::string& extra = "") {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return std::string(R"({"type":"indicator","spec_version":"2.1","id":")") + id +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",)"
         R"("pattern":")" + pattern + R"(","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z")" +
         extra + "}";
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tabadul-intake-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::SqliteStore::Open((dir_ / "tabadul.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateOrganization({"identity--a0000000-0000-4000-8000-000000000001", "acme", 1}).ok());
    collection_.id = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
    collection_.title = "feed";
    collection_.owner_org = "identity--a0000000-0000-4000-8000-000000000001";
    ASSERT_TRUE(store_->CreateCollection(collection_).ok());
    pipeline_ = std::make_unique<Pipeline>(*store_, clock_);
    pipeline_->AddObserver([this](const store::Collection& c, const std::vector<stix::StixObject>& added) {
      for (const auto& o : added) observed_.push_back(o.id);
    });
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<store::ObjectRow> Stored() {
    store::ObjectQuery q;
    q.collection_id = collection_.id;
    q.with_json = true;
    q.limit = 100;
    auto page = store_->QueryObjects(q, nullptr);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->rows : std::vector<store::ObjectRow>{};
  }

  fs::path dir_;
  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<store::SqliteStore> store_;
  store::Collection collection_;
  std::unique_ptr<Pipeline> pipeline_;
  std::vector<std::string> observed_;
};

TEST_F(PipelineTest, RefusesAnUnparsablePatternAndKeepsTheValidNeighbours) {
  const std::string good = Indicator(1, "[ipv4-addr:value = '198.51.100.1']");
  const std::string bad = Indicator(2, "[ipv4-addr:value = ");
  const std::string not_stix = R"({"type":"indicator","id":"indicator--x"})";
  std::vector<std::string_view> raw{good, bad, not_stix};
  auto report = pipeline_->Write(collection_, std::span<const std::string_view>(raw));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->items.size(), 3u);
  EXPECT_EQ(report->items[0].kind, Kind::kAdded);
  EXPECT_EQ(report->items[1].kind, Kind::kRefused);
  EXPECT_EQ(report->items[1].id, "indicator--00000000-0000-4000-8000-000000000002");
  EXPECT_NE(report->items[1].message.find("pattern"), std::string::npos) << report->items[1].message;
  EXPECT_EQ(report->items[2].kind, Kind::kRefused);
  EXPECT_EQ(report->added, 1u);
  EXPECT_EQ(report->refused, 2u);
  ASSERT_EQ(Stored().size(), 1u);
  EXPECT_EQ(observed_, std::vector<std::string>{"indicator--00000000-0000-4000-8000-000000000001"});
}

TEST_F(PipelineTest, ObserversHearOnlyOfAddedVersions) {
  const std::string good = Indicator(1, "[ipv4-addr:value = '198.51.100.1']");
  std::vector<std::string_view> raw{good};
  ASSERT_TRUE(pipeline_->Write(collection_, std::span<const std::string_view>(raw)).ok());
  auto again = pipeline_->Write(collection_, std::span<const std::string_view>(raw));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->items[0].kind, Kind::kDuplicate);
  EXPECT_EQ(observed_.size(), 1u);
}

TEST_F(PipelineTest, MalformedJsonRefusesTheWholeBatchWhenAsked) {
  const std::string good = Indicator(1, "[ipv4-addr:value = '198.51.100.1']");
  const std::string broken = R"({"type":"indicator",)";
  std::vector<std::string_view> raw{good, broken};
  WriteOptions strict;
  strict.refuse_batch_on_malformed_json = true;
  auto report = pipeline_->Write(collection_, std::span<const std::string_view>(raw), strict);
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Stored().empty());
  auto lenient = pipeline_->Write(collection_, std::span<const std::string_view>(raw));
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->added, 1u);
  EXPECT_EQ(lenient->refused, 1u);
}

TEST_F(PipelineTest, PulledObjectsWithoutATlpMarkingCarryThePeersDefault) {
  const std::string unmarked = Indicator(1, "[ipv4-addr:value = '198.51.100.1']");
  const std::string green = Indicator(
      2, "[ipv4-addr:value = '198.51.100.2']",
      std::string(R"(,"object_marking_refs":[")") + std::string(stix::Tlp2MarkingId(stix::Tlp::kGreen)) + "\"]");
  std::vector<std::string_view> raw{unmarked, green};
  WriteOptions pulled;
  pulled.origin = "partner";
  pulled.origin_default_tlp = stix::Tlp::kAmber;
  pulled.checkpoint_key = "sync:1:pull";
  pulled.checkpoint_value = "cursor-1";
  auto report = pipeline_->Write(collection_, std::span<const std::string_view>(raw), pulled);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->added, 2u);
  auto rows = Stored();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) EXPECT_EQ(r.origin, "partner");
  EXPECT_EQ(rows[0].marking_refs,
            std::vector<std::string>{std::string(stix::Tlp2MarkingId(stix::Tlp::kAmber))});
  EXPECT_NE(rows[0].json.find(stix::Tlp2MarkingId(stix::Tlp::kAmber)), std::string::npos);
  EXPECT_EQ(rows[1].marking_refs,
            std::vector<std::string>{std::string(stix::Tlp2MarkingId(stix::Tlp::kGreen))});
  auto cp = store_->GetCheckpoint("sync:1:pull");
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(*cp, "cursor-1");
  // The same pull again is a duplicate (the same explicit marking is made again).
  auto again = pipeline_->Write(collection_, std::span<const std::string_view>(raw), pulled);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 2u);
}

TEST_F(PipelineTest, LocalPostsKeepTheirJsonUntouched) {
  const std::string unmarked = Indicator(1, "[ipv4-addr:value = '198.51.100.1']");
  std::vector<std::string_view> raw{unmarked};
  ASSERT_TRUE(pipeline_->Write(collection_, std::span<const std::string_view>(raw)).ok());
  auto rows = Stored();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].json, unmarked);
  EXPECT_TRUE(rows[0].marking_refs.empty());
}

}  // namespace
}  // namespace tabadul::intake
