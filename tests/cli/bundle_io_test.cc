// `tabadul validate` and `tabadul import` judge objects exactly as the write pipeline does
// (issue 11, finding 7: an indicator whose pattern does not parse was "1 valid", "1 added").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/runtime.h"

namespace tabadul::cli {
namespace {

namespace fs = std::filesystem;

std::string Indicator(int n, const std::string& pattern) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return std::string(R"({"type":"indicator","spec_version":"2.1","id":")") + id +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",)"
         R"("pattern":")" + pattern + R"(","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})";
}

class BundleIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tabadul-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    SystemClock clock;
    auto rt = Runtime::Open({.data_dir = dir_.string()}, clock);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    ASSERT_TRUE((*rt)->store().CreateOrganization({kOrg, "acme", 1}).ok());
    store::Collection c;
    c.id = kCollection;
    c.title = "feed";
    c.owner_org = kOrg;
    ASSERT_TRUE((*rt)->store().CreateCollection(c).ok());
    bundle_ = (dir_ / "bundle.json").string();
    std::ofstream(bundle_) << R"({"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[)"
                           << Indicator(1, "[ipv4-addr:value = '198.51.100.1']") << ","
                           << Indicator(2, "[ipv4-addr:value = ") << "]}";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static constexpr char kOrg[] = "identity--a0000000-0000-4000-8000-000000000001";
  static constexpr char kCollection[] = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
  fs::path dir_;
  std::string bundle_;
  std::ostringstream out_, err_;
};

TEST_F(BundleIoTest, ValidateRefusesWhatImportWouldRefuse) {
  Context ctx{.data_dir = dir_.string(), .clock = {}, .out = out_, .err = err_};
  EXPECT_EQ(Validate(ctx, {bundle_}), kExitFailure);
  EXPECT_NE(out_.str().find("1 valid, 1 invalid"), std::string::npos) << out_.str();
  EXPECT_NE(err_.str().find("indicator--00000000-0000-4000-8000-000000000002"), std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("pattern"), std::string::npos) << err_.str();
}

TEST_F(BundleIoTest, ImportStoresTheValidObjectAndRefusesTheBadPattern) {
  Context ctx{.data_dir = dir_.string(), .clock = {}, .out = out_, .err = err_};
  EXPECT_EQ(Import(ctx, {bundle_}, kCollection, false), kExitFailure);
  EXPECT_NE(out_.str().find("1 added, 0 already present, 1 refused"), std::string::npos)
      << out_.str();
  EXPECT_NE(err_.str().find("indicator--00000000-0000-4000-8000-000000000002"), std::string::npos)
      << err_.str();
  SystemClock clock;
  auto rt = Runtime::Open({.data_dir = dir_.string()}, clock);
  ASSERT_TRUE(rt.ok());
  store::ObjectQuery q;
  q.collection_id = kCollection;
  auto page = (*rt)->store().QueryObjects(q, nullptr);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].id, "indicator--00000000-0000-4000-8000-000000000001");
}

}  // namespace
}  // namespace tabadul::cli
