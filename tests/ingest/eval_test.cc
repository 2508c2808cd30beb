// Precision and recall of indicator extraction and entity linking on the labelled evaluation set
// (tests/ingest/eval/: one report per .txt/.html file, its labels in the .json beside it, written
// for this project). Stored actors are the intrusion sets, malware and tools of MITRE ATT&CK
// Enterprise from ../shared/data (the test skips, saying so, when that file is absent).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "ingest/entity_linker.h"
#include "ingest/markup.h"
#include "text/ioc_extractor.h"

namespace tabadul::ingest {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<KnownEntity> LoadAttack(const fs::path& path) {
  json::value bundle = json::parse(ReadFile(path));
  std::vector<KnownEntity> out;
  for (const json::value& v : bundle.at("objects").as_array()) {
    const json::object& o = v.as_object();
    const std::string type(o.at("type").as_string());
    if (type != "intrusion-set" && type != "malware" && type != "tool") continue;
    if ((o.contains("revoked") && o.at("revoked").as_bool()) ||
        (o.contains("x_mitre_deprecated") && o.at("x_mitre_deprecated").as_bool())) {
      continue;
    }
    KnownEntity k;
    k.stix_id = std::string(o.at("id").as_string());
    k.type = type;
    k.names.emplace_back(o.at("name").as_string());
    for (const char* key : {"aliases", "x_mitre_aliases"}) {
      if (!o.contains(key)) continue;
      for (const json::value& a : o.at(key).as_array()) {
        std::string alias(a.as_string());
        if (std::find(k.names.begin(), k.names.end(), alias) == k.names.end()) k.names.push_back(alias);
      }
    }
    out.push_back(std::move(k));
  }
  return out;
}

struct Counts {
  size_t tp = 0, fp = 0, fn = 0;
  double Precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
  double Recall() const { return tp + fn == 0 ? 1.0 : double(tp) / double(tp + fn); }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
};

void Score(const std::string& report, const std::string& category,
           const std::set<std::string>& expected, const std::set<std::string>& actual,
           Counts& c) {
  for (const auto& e : expected) {
    if (actual.count(e)) ++c.tp;
    else { ++c.fn; std::cout << "  " << report << " " << category << " missed: " << e << "\n"; }
  }
  for (const auto& a : actual) {
    if (!expected.count(a)) { ++c.fp; std::cout << "  " << report << " " << category << " extra: " << a << "\n"; }
  }
}

TEST(IngestEvalTest, PrecisionAndRecallMeetTheGoals) {
  const fs::path attack = fs::path(TABADUL_SHARED_DATA_DIR) / "attack/enterprise-attack-18.1.json";
  if (!fs::exists(attack)) GTEST_SKIP() << "ATT&CK data absent at " << attack << ": eval skipped";
  const fs::path psl_path(text::kDebianPublicSuffixPath);
  if (!fs::exists(psl_path)) GTEST_SKIP() << "public suffix list absent at " << psl_path;

  auto psl = text::PublicSuffixList::Parse(ReadFile(psl_path));
  ASSERT_TRUE(psl.ok());
  text::IndicatorExtractor extractor(*psl);
  const std::vector<KnownEntity> known = LoadAttack(attack);
  ASSERT_GT(known.size(), 500u);
  auto linker = EntityLinker::Create(known, ReadFile(fs::path(TABADUL_EVAL_DIR) / "gazetteer.tsv"));
  ASSERT_TRUE(linker.ok()) << linker.status().ToString();

  std::map<std::string, Counts> by_category;
  std::map<std::string, Counts> by_lang_indicators;
  size_t reports = 0;
  std::vector<fs::path> labels;
  for (const auto& entry : fs::directory_iterator(TABADUL_EVAL_DIR)) {
    if (entry.path().extension() == ".json") labels.push_back(entry.path());
  }
  std::sort(labels.begin(), labels.end());
  for (const fs::path& label_path : labels) {
    const json::object label = json::parse(ReadFile(label_path)).as_object();
    const bool html = label.at("format") == "html";
    fs::path text_path = label_path;
    text_path.replace_extension(html ? ".html" : ".txt");
    const std::string text =
        StripMarkup(ReadFile(text_path), html ? InputFormat::kHtml : InputFormat::kPlain);
    const std::string name = label_path.stem().string();
    const std::string lang(label.at("lang").as_string());
    ++reports;

    std::set<std::string> want_ind, got_ind, want_c, got_c, want_a, got_a;
    for (const auto& i : label.at("indicators").as_array()) {
      want_ind.insert(std::string(i.at("kind").as_string()) + ":" + std::string(i.at("value").as_string()));
    }
    for (const auto& ind : text::Deduplicate(extractor.Extract(text))) {
      got_ind.insert(std::string(text::IndicatorKindName(ind.kind)) + ":" + ind.value);
    }
    for (const auto& c : label.at("countries").as_array()) want_c.emplace(c.as_string());
    for (const auto& a : label.at("actors").as_array()) want_a.emplace(a.as_string());
    for (const EntityMention& m : linker->Link(text)) {
      if (m.kind == MentionKind::kCountry) got_c.insert(m.country_code);
      else got_a.insert(m.name);
    }
    Score(name, "indicator", want_ind, got_ind, by_category["indicators"]);
    Score(name, "indicator", want_ind, got_ind, by_lang_indicators[lang]);
    Score(name, "country", want_c, got_c, by_category["countries"]);
    Score(name, "actor", want_a, got_a, by_category["stored actors"]);
  }
  ASSERT_GE(reports, 30u);
  std::printf("\n%-22s %6s %6s %6s %10s %8s %6s\n", "category", "tp", "fp", "fn", "precision",
              "recall", "f1");
  auto row = [](const std::string& name, const Counts& c) {
    std::printf("%-22s %6zu %6zu %6zu %10.3f %8.3f %6.3f\n", name.c_str(), c.tp, c.fp, c.fn,
                c.Precision(), c.Recall(), c.F1());
  };
  for (const auto& [name, c] : by_category) row(name, c);
  for (const auto& [lang, c] : by_lang_indicators) row("indicators (" + lang + ")", c);
  std::printf("(%zu reports)\n", reports);

  const Counts& ind = by_category["indicators"];
  EXPECT_GE(ind.Precision(), 0.98);
  EXPECT_GE(ind.Recall(), 0.98);
  EXPECT_GE(by_category["countries"].F1(), 0.9);
  EXPECT_GE(by_category["stored actors"].F1(), 0.9);
}

}  // namespace
}  // namespace tabadul::ingest
