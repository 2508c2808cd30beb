#include "ingest/report_builder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <set>

namespace tabadul::ingest {
namespace {

namespace json = boost::json;

constexpr std::string_view kPsl = "com\nnet\norg\nru\n";
constexpr int64_t kNow = 1718000000123456;  // 2024-06-10T06:13:20.123456Z

class ReportBuilderTest : public ::testing::Test {
 protected:
  ReportBuilderTest()
      : psl_(text::PublicSuffixList::Parse(kPsl).value()),
        extractor_(psl_),
        linker_(EntityLinker::Create({{"intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542",
                                       "intrusion-set", {"Lazarus Group"}}},
                                     "")
                    .value()),
        builder_(extractor_, linker_) {
    options_.now_micros = kNow;
    options_.random = [this](uint8_t* out, size_t n) {
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(rng_());
    };
    options_.tlp_marking_id = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
  }

  text::PublicSuffixList psl_;
  text::IndicatorExtractor extractor_;
  EntityLinker linker_;
  ReportBuilder builder_;
  ReportOptions options_;
  std::mt19937 rng_{42};
};

TEST_F(ReportBuilderTest, BuildsAValidBundle) {
  auto r = builder_.Build(
      "نشرة: Lazarus Group تستهدف إيران\nC2 hxxp://evil[.]com/gate و ١٨٥.٢٢٠.١٠١.٤ "
      "وCVE-2024-3400 وT1566.001 وAS13335 و10.0.0.1 sha256 "
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
      options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  json::value bundle = json::parse(r->bundle_json);
  EXPECT_EQ(bundle.at("type"), "bundle");
  const json::array& objects = bundle.at("objects").as_array();
  std::set<std::string> ids;
  std::map<std::string, int> types;
  for (const auto& v : objects) {
    const json::object& o = v.as_object();
    ids.insert(std::string(o.at("id").as_string()));
    types[std::string(o.at("type").as_string())]++;
    EXPECT_EQ(o.at("spec_version"), "2.1");
    EXPECT_EQ(o.at("object_marking_refs").as_array().size(), 1u);
    if (o.contains("created")) {
      EXPECT_EQ(o.at("created"), "2024-06-10T06:13:20.123Z");
      EXPECT_EQ(o.at("modified"), "2024-06-10T06:13:20.123Z");
    }
  }
  EXPECT_EQ(types["report"], 1);
  EXPECT_EQ(types["url"], 1);
  EXPECT_EQ(types["ipv4-addr"], 1);  // the private 10.0.0.1 is left out
  EXPECT_EQ(types["file"], 1);
  EXPECT_EQ(types["autonomous-system"], 1);
  EXPECT_EQ(types["vulnerability"], 1);
  EXPECT_EQ(types["attack-pattern"], 1);
  EXPECT_EQ(types["location"], 1);
  EXPECT_EQ(types["indicator"], 3);  // url, ipv4, file
  const json::object& report = objects[0].as_object();
  EXPECT_EQ(report.at("lang"), "ar");
  EXPECT_EQ(report.at("name"), "نشرة: Lazarus Group تستهدف إيران");
  const json::array& refs = report.at("object_refs").as_array();
  EXPECT_EQ(refs.size(), objects.size() - 1 + 1);  // every object but the report + the actor
  bool has_actor = false;
  for (const auto& ref : refs) {
    const std::string id(ref.as_string());
    if (id.rfind("intrusion-set--", 0) == 0) has_actor = true;
    else EXPECT_TRUE(ids.count(id)) << id;
  }
  EXPECT_TRUE(has_actor);
  ASSERT_EQ(r->flagged.size(), 1u);
  EXPECT_EQ(r->flagged[0].value, "10.0.0.1");
  for (const auto& v : objects) {
    if (v.at("type") == "indicator" && v.at("name") == "185.220.101.4") {
      EXPECT_EQ(v.at("pattern"), "[ipv4-addr:value = '185.220.101.4']");
    }
  }
}

TEST_F(ReportBuilderTest, SameInputsSameOutput) {
  ReportOptions o = options_;
  std::mt19937 a(7);
  std::mt19937 b(7);
  o.random = [&a](uint8_t* out, size_t n) { for (size_t i = 0; i < n; ++i) out[i] = a(); };
  auto r1 = builder_.Build("evil.com", o);
  o.random = [&b](uint8_t* out, size_t n) { for (size_t i = 0; i < n; ++i) out[i] = b(); };
  auto r2 = builder_.Build("evil.com", o);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->bundle_json, r2->bundle_json);
}

TEST_F(ReportBuilderTest, Errors) {
  EXPECT_EQ(builder_.Build("nothing here", options_).status().code(),
            StatusCode::kFailedPrecondition);
  ReportOptions o = options_;
  o.random = nullptr;
  EXPECT_EQ(builder_.Build("evil.com", o).status().code(), StatusCode::kInvalidArgument);
  o = options_;
  o.tlp_marking_id = "tlp:amber";
  EXPECT_EQ(builder_.Build("evil.com", o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReportBuilderTest, InvalidUtf8StillGivesValidJson) {
  auto r = builder_.Build(std::string("evil.com \xFF\xFE"), options_);
  ASSERT_TRUE(r.ok());
  EXPECT_NO_THROW(json::parse(r->bundle_json));
}

TEST_F(ReportBuilderTest, HtmlInput) {
  options_.format = InputFormat::kHtml;
  auto r = builder_.Build("<h1>Alert</h1><p>evil&#46;com</p>", options_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->indicators.size(), 1u);
  EXPECT_EQ(r->indicators[0].value, "evil.com");
  EXPECT_EQ(json::parse(r->bundle_json).at("objects").at(0).at("lang"), "en");
}

TEST(PatternStringTest, Escapes) { EXPECT_EQ(PatternString("a'b\\c"), "'a\\'b\\\\c'"); }

}  // namespace
}  // namespace tabadul::ingest
