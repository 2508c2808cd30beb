// `tabadul match` as the CLI runs it: RunMatchCommand on a real database, and the subcommand
// registered on a CLI11 app and parsed from argv.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "match/match_command.h"
#include "match/match_testing.h"

namespace tabadul::match {
namespace {

std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
}

using testing::IndicatorId;

class MatchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.status().ok()) << f_.status().ToString();
    ASSERT_TRUE(f_.PutIndicator({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7']",
                                 .name = "C2"}).ok());
    ASSERT_TRUE(f_.PutIndicator({.n = 2, .pattern = "[url:value = 'http://evil.example/x']",
                                 .name = "Drop"}).ok());
  }
  int Run(const MatchCommandOptions& o, const std::string& input) {
    std::istringstream in(input);
    out_.str("");
    err_.str("");
    return RunMatchCommand(o, f_.data_dir(), in, out_, err_, f_.clock());
  }

  testing::MatchFixture f_;
  std::ostringstream out_, err_;
};

TEST_F(MatchCliTest, PrintsHitsAsText) {
  EXPECT_EQ(Run({.collection = "intel"}, "198.51.100.7\n203.0.113.9\nhttp://evil.example/x\n"), 0)
      << err_.str();
  EXPECT_EQ(out_.str(), "198.51.100.7\t" + IndicatorId(1) + "\tC2\n" + "http://evil.example/x\t" +
                            IndicatorId(2) + "\tDrop\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(MatchCliTest, PrintsHitsAsJsonLines) {
  EXPECT_EQ(Run({.collection = "intel", .json = true}, "\n198.51.100.7"), 0);
  auto o = boost::json::parse(out_.str()).as_object();
  EXPECT_EQ(o.at("line"), 2);
  EXPECT_EQ(o.at("observable"), "198.51.100.7");
  EXPECT_EQ(o.at("kind"), "ipv4");
  EXPECT_EQ(Str(o.at("indicator_id")), IndicatorId(1));
  EXPECT_EQ(o.at("indicator_name"), "C2");
}

TEST_F(MatchCliTest, ReportsBadLinesByNumberAndGoesOn) {
  EXPECT_EQ(Run({.collection = "intel"}, "not a value\n198.51.100.7\n{\"type\":\n"), 1);
  EXPECT_EQ(out_.str(), "198.51.100.7\t" + IndicatorId(1) + "\tC2\n");
  EXPECT_NE(err_.str().find("tabadul: line 1: not an observable"), std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("tabadul: line 3: malformed JSON"), std::string::npos) << err_.str();
}

TEST_F(MatchCliTest, ReadsAFile) {
  const std::string path = f_.data_dir() + "/values.txt";
  std::ofstream(path) << "198.51.100.7\n";
  EXPECT_EQ(Run({.collection = testing::kIntel, .input = path}, ""), 0);
  EXPECT_EQ(out_.str(), "198.51.100.7\t" + IndicatorId(1) + "\tC2\n");
  EXPECT_EQ(Run({.collection = "intel", .input = path + ".missing"}, ""), 1);
  EXPECT_NE(err_.str().find("cannot open"), std::string::npos);
}

TEST_F(MatchCliTest, StoresSightingsForAUser) {
  EXPECT_EQ(Run({.collection = "intel", .sightings = "sightings"}, "198.51.100.7\n"), 2);
  EXPECT_NE(err_.str().find("--sightings needs --user"), std::string::npos);
  EXPECT_EQ(Run({.collection = "intel", .user = "rob", .sightings = "sightings"}, ""), 1);
  EXPECT_EQ(Run({.collection = "intel", .user = "alice", .sightings = "sightings"},
                "198.51.100.7\n198.51.100.7\n"),
            0)
      << err_.str();
  EXPECT_EQ(err_.str(), "tabadul: stored 1 sighting in sightings\n");
  store::ObjectQuery q;
  q.collection_id = testing::kSightings;
  q.with_json = true;
  auto page = f_.store().QueryObjects(q, nullptr);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  auto s = boost::json::parse(page->rows[0].json).as_object();
  EXPECT_EQ(Str(s.at("sighting_of_ref")), IndicatorId(1));
  EXPECT_EQ(s.at("count"), 2);
}

TEST_F(MatchCliTest, AUserSeesOnlyWhatTheUserMaySee) {
  EXPECT_EQ(Run({.collection = "intel", .user = "olga"}, "198.51.100.7\n"), 1);
  EXPECT_EQ(err_.str(), "tabadul: no collection 'intel'\n");
  EXPECT_EQ(Run({.collection = "intel", .user = "nobody-at-all"}, ""), 1);
}

TEST_F(MatchCliTest, FailsWithoutADatabase) {
  std::istringstream in("1.2.3.4\n");
  EXPECT_EQ(RunMatchCommand({.collection = "intel"}, "/nonexistent/tabadul", in, out_, err_,
                            f_.clock()),
            1);
  EXPECT_NE(err_.str().find("no database at"), std::string::npos);
}

TEST_F(MatchCliTest, RegistersASubcommandThatParsesArguments) {
  const std::string path = f_.data_dir() + "/values.txt";
  std::ofstream(path) << "198.51.100.7\n";
  CLI::App app;
  std::string data_dir = f_.data_dir();
  int exit_code = -1;
  RegisterMatchCommands(app, data_dir, exit_code);
  std::vector<std::string> args = {"tabadul", "match", "--collection", "intel", "--json", path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  app.parse(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old);
  EXPECT_EQ(exit_code, 0);
  EXPECT_NE(captured.str().find(IndicatorId(1)), std::string::npos) << captured.str();

  CLI::App usage;
  RegisterMatchCommands(usage, data_dir, exit_code);
  std::vector<std::string> bad = {"tabadul", "match", path};  // --collection is required
  std::vector<char*> bad_argv;
  for (auto& a : bad) bad_argv.push_back(a.data());
  EXPECT_THROW(usage.parse(static_cast<int>(bad_argv.size()), bad_argv.data()), CLI::ParseError);
}

}  // namespace
}  // namespace tabadul::match
