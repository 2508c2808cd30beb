// `tabadul ingest` and `tabadul search` through CLI11 parsing, as app.cc registers them.
#include "cli/services.h"
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "reports/commands.h"
#include "reports/testing.h"

namespace tabadul::reports {
namespace {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Parses argv like main() does and runs the command with stdout/stderr captured.
CliRun RunCli(std::string data_dir, std::vector<std::string> args, const std::string& stdin_text = "") {
  CLI::App app{"tabadul"};
  app.require_subcommand(1);
  CliRun run;
  static SystemClock clock;
  // The wiring `tabadul` itself uses: `--as` applies the policy engine's rule.
  RegisterReportsCommands(app, data_dir, run.code, nullptr,
                          cli::PolicyUserVisibility(data_dir, clock));
  std::vector<const char*> argv = {"tabadul"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  std::istringstream in(stdin_text);
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  auto* old_in = std::cin.rdbuf(in.rdbuf());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    run.code = 2;
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  std::cin.rdbuf(old_in);
  run.out = out.str();
  run.err = err.str();
  return run;
}

class ReportsCliTest : public ::testing::Test {
 protected:
  ReportsCliTest() : f_("cli") {
    f_.Put(testing::kIntel, {testing::NamedObject(
                                "intrusion-set", "intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542",
                                "Lazarus Group")});
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = f_.dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  testing::Fixture f_;
};

TEST_F(ReportsCliTest, IngestThenSearch) {
  const std::string md = Write("bulletin.md",
                               "# Lazarus Group phishing wave\n\n"
                               "The actor used **hxxp://evil-update[.]com/gate** against banks.\n");
  CliRun ingest = RunCli(f_.dir(), {"ingest", md, "--collection", "intel", "--tlp", "green"});
  ASSERT_EQ(ingest.code, 0) << ingest.err;
  EXPECT_EQ(ingest.out.rfind("report--", 0), 0u) << ingest.out;
  EXPECT_NE(ingest.out.find("1 entities linked"), std::string::npos) << ingest.out;

  CliRun found = RunCli(f_.dir(), {"search", "phishing", "--type", "report"});
  ASSERT_EQ(found.code, 0) << found.err;
  EXPECT_NE(found.out.find("Lazarus Group phishing wave"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("1 shown"), std::string::npos) << found.out;

  CliRun as_json = RunCli(f_.dir(), {"search", "lazarus", "--json", "--as", "rita"});
  ASSERT_EQ(as_json.code, 0) << as_json.err;
  EXPECT_EQ(boost::json::parse(as_json.out).at("hits").as_array().size(), 2u);  // actor + report

  CliRun olga = RunCli(f_.dir(), {"search", "lazarus", "--as", "olga"});
  ASSERT_EQ(olga.code, 0);
  EXPECT_NE(olga.out.find("0 shown"), std::string::npos);
}

TEST_F(ReportsCliTest, DryRunFromStdinPrintsABundle) {
  CliRun run = RunCli(f_.dir(), {"ingest", "-", "--collection", "intel", "--dry-run", "--lang", "en"},
                   "Beacon to 185.220.101.4 seen today");
  ASSERT_EQ(run.code, 0) << run.err;
  boost::json::value bundle = boost::json::parse(run.out);
  EXPECT_EQ(bundle.at("type"), "bundle");
  CliRun search = RunCli(f_.dir(), {"search", "beacon"});
  EXPECT_NE(search.out.find("0 shown"), std::string::npos) << search.out;
}

TEST_F(ReportsCliTest, ExitCodes) {
  const std::string txt = Write("a.txt", "C2 evil-update.com");
  // Usage errors.
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", txt}).code, 2);  // --collection missing
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", txt, "--collection", "intel", "--lang", "fr"}).code, 2);
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", txt, "--collection", "intel", "--tlp", "purple"}).code, 2);
  EXPECT_EQ(RunCli(f_.dir(), {"search", "x", "--limit", "0"}).code, 2);
  // Failures.
  CliRun reader = RunCli(f_.dir(), {"ingest", txt, "--collection", "intel", "--as", "rita"});
  EXPECT_EQ(reader.code, 1);
  EXPECT_EQ(reader.err.rfind("tabadul: ", 0), 0u) << reader.err;
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", txt, "--collection", "nope"}).code, 1);
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", f_.dir() + "/missing.txt", "--collection", "intel"}).code, 1);
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", Write("b.txt", "nothing"), "--collection", "intel"}).code, 1);
  EXPECT_EQ(RunCli(f_.dir(), {"search", "x", "--collection", "nope"}).code, 1);
  EXPECT_EQ(RunCli(f_.dir(), {"search", "x", "--as", "ghost"}).code, 1);
  EXPECT_EQ(RunCli(f_.dir(), {"ingest", txt, "--collection", "intel", "--as", "alice"}).code, 0);
}

}  // namespace
}  // namespace tabadul::reports
