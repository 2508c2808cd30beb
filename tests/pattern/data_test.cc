// Real data: every indicator pattern in the OASIS example bundles of ../shared/data/examples
// parses, loads into an IndicatorIndex, and the index agrees with the matcher on the observed-data
// bundles there. Skips (with a message) when the data folder is absent.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pattern/indicator_index.h"

namespace tabadul::pattern {
namespace {

std::string g_data_dir;

TEST(PatternData, ExampleBundles) {
  std::filesystem::path dir = std::filesystem::path(g_data_dir) / "examples";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no STIX example data at " << dir;
  IndicatorIndex index;
  std::vector<std::unique_ptr<Matcher>> matchers;
  std::vector<std::string> ids;
  std::vector<std::string> bundles;
  int patterns = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    bundles.push_back(ss.str());
    boost::system::error_code ec;
    auto doc = boost::json::parse(bundles.back(), ec);
    ASSERT_FALSE(ec) << e.path();
    const auto* objects = doc.as_object().if_contains("objects");
    if (!objects) continue;
    for (const auto& o : objects->as_array()) {
      const auto& obj = o.as_object();
      if (!obj.contains("pattern")) continue;
      std::string id(obj.at("id").as_string());
      std::string pattern(obj.at("pattern").as_string());
      auto m = Matcher::Compile(pattern);
      ASSERT_TRUE(m.ok()) << e.path() << " " << id << ": " << pattern << "\n"
                          << m.status().ToString();
      Status st = index.Add(id, pattern, 0);
      ASSERT_TRUE(st.ok()) << st.ToString();
      matchers.push_back(std::make_unique<Matcher>(std::move(*m)));
      ids.push_back(id);
      ++patterns;
    }
  }
  EXPECT_GT(patterns, 0);
  for (const std::string& b : bundles) {
    auto set = ObservationSet::FromJson(b);
    if (!set.ok() || set->observations().empty()) continue;
    std::set<std::string> expected;
    for (size_t i = 0; i < matchers.size(); ++i) {
      if (*matchers[i]->Matches(*set)) expected.insert(ids[i]);
    }
    auto got = index.MatchObservedData(*set, 0);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(std::set<std::string>(got->begin(), got->end()), expected);
  }
  std::printf("example data: %d patterns parsed and indexed\n", patterns);
}

}  // namespace
}  // namespace tabadul::pattern

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  tabadul::pattern::g_data_dir = argc > 1 ? argv[1] : "../shared/data";
  return RUN_ALL_TESTS();
}
