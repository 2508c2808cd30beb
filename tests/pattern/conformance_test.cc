// Runs the pattern conformance corpus: every *.txt under the corpus folder (argv[1]).
//
// Corpus format, one directive per line ('#' starts a comment line):
//   fixture NAME            then JSON lines (a bundle / array / observed-data) up to `end`
//   match NAME :: PATTERN   the pattern parses and matches fixture NAME
//   nomatch NAME :: PATTERN the pattern parses and does not match fixture NAME
//   error POS TEXT :: PATTERN
//                           parsing fails at byte offset POS with a message containing TEXT
// Fixtures are shared by all files (fixtures.txt is read first).
//
// Besides each verdict, the driver loads every valid pattern of the corpus into one
// IndicatorIndex and checks that, for every fixture, the index returns exactly the cases the
// plain matcher matched: the index and the matcher agree on every case.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "pattern/indicator_index.h"
#include "pattern/matcher.h"
#include "pattern/parser.h"

namespace tabadul::pattern {
namespace {

std::string g_corpus_dir;

struct Case {
  std::string where;  // file:line
  std::string kind;   // match, nomatch, error
  std::string fixture;
  size_t position = 0;
  std::string text;
  std::string pattern;
};

struct Corpus {
  std::map<std::string, std::string> fixtures;
  std::vector<Case> cases;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

void LoadFile(const std::filesystem::path& path, Corpus* corpus) {
  std::ifstream in(path);
  std::string line;
  int line_no = 0;
  std::string fixture_name, fixture_json;
  bool in_fixture = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (in_fixture) {
      if (Trim(line) == "end") {
        corpus->fixtures[fixture_name] = fixture_json;
        in_fixture = false;
      } else {
        fixture_json += line + "\n";
      }
      continue;
    }
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.rfind("fixture ", 0) == 0) {
      fixture_name = Trim(t.substr(8));
      fixture_json.clear();
      in_fixture = true;
      continue;
    }
    size_t sep = t.find(" :: ");
    if (sep == std::string::npos && t.size() >= 3 && t.compare(t.size() - 3, 3, " ::") == 0) {
      t += " ";  // an empty pattern
      sep = t.size() - 4;
    }
    ASSERT_NE(sep, std::string::npos) << path << ":" << line_no << ": no ' :: ' in " << t;
    Case c;
    c.where = path.filename().string() + ":" + std::to_string(line_no);
    c.pattern = t.substr(sep + 4);
    std::string head = t.substr(0, sep);
    size_t sp = head.find(' ');
    c.kind = head.substr(0, sp);
    std::string rest = sp == std::string::npos ? "" : Trim(head.substr(sp + 1));
    if (c.kind == "error") {
      size_t sp2 = rest.find(' ');
      c.position = std::stoul(rest.substr(0, sp2));
      c.text = sp2 == std::string::npos ? "" : Trim(rest.substr(sp2 + 1));
    } else {
      ASSERT_TRUE(c.kind == "match" || c.kind == "nomatch") << c.where << ": bad kind " << c.kind;
      c.fixture = rest;
    }
    corpus->cases.push_back(std::move(c));
  }
  ASSERT_FALSE(in_fixture) << path << ": fixture " << fixture_name << " has no `end`";
}

Corpus LoadCorpus() {
  Corpus corpus;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(g_corpus_dir)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) LoadFile(f, &corpus);
  return corpus;
}

constexpr int64_t kNow = 1'800'000'000'000'000'000;  // 2027-01-15, after every fixture

TEST(PatternConformance, Corpus) {
  Corpus corpus = LoadCorpus();
  ASSERT_GE(corpus.cases.size(), 300u) << "the corpus must hold at least 300 cases";
  std::map<std::string, ObservationSet> sets;
  for (const auto& [name, json] : corpus.fixtures) {
    auto set = ObservationSet::FromJson(json);
    ASSERT_TRUE(set.ok()) << "fixture " << name << ": " << set.status().ToString();
    sets.emplace(name, std::move(*set));
  }

  IndicatorIndex index;
  std::map<std::string, std::set<std::string>> expected_by_fixture;
  std::map<std::string, int> counts;
  for (const Case& c : corpus.cases) {
    ++counts[c.kind];
    SCOPED_TRACE(c.where + "  " + c.pattern);
    ParseErrorDetail detail;
    auto parsed = ParsePattern(c.pattern, &detail);
    if (c.kind == "error") {
      if (parsed.ok()) {
        ADD_FAILURE() << "expected a parse error";
        continue;
      }
      EXPECT_EQ(detail.position, c.position) << detail.message;
      EXPECT_NE(detail.message.find(c.text), std::string::npos)
          << "message: " << detail.message << "\nexpected to contain: " << c.text;
      EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(parsed.status().message(), detail.message);
      continue;
    }
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.status().ToString();
      continue;
    }
    ASSERT_TRUE(sets.count(c.fixture)) << "unknown fixture " << c.fixture;
    auto matcher = Matcher::Compile(c.pattern);
    ASSERT_TRUE(matcher.ok()) << matcher.status().ToString();
    auto verdict = matcher->Matches(sets.at(c.fixture));
    ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
    EXPECT_EQ(*verdict, c.kind == "match");

    // Every valid pattern goes into the index; record which fixtures it matches (by verdict).
    ASSERT_TRUE(index.Add(c.where, c.pattern, 0).ok());
    for (const auto& [name, set] : sets) {
      auto m = matcher->Matches(set);
      ASSERT_TRUE(m.ok());
      if (*m) expected_by_fixture[name].insert(c.where);
    }
  }
  for (const auto& [name, set] : sets) {
    SCOPED_TRACE("index on fixture " + name);
    auto got = index.MatchObservedData(set, kNow);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::set<std::string> got_set(got->begin(), got->end());
    EXPECT_EQ(got_set, expected_by_fixture[name]);
  }
  std::printf("corpus: %zu cases (%d match, %d nomatch, %d error), %zu fixtures\n",
              corpus.cases.size(), counts["match"], counts["nomatch"], counts["error"],
              corpus.fixtures.size());
}

}  // namespace
}  // namespace tabadul::pattern

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  tabadul::pattern::g_corpus_dir = argc > 1 ? argv[1] : "tests/pattern/corpus";
  return RUN_ALL_TESTS();
}
