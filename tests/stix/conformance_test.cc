// The STIX conformance driver: every tests/stix/cases/*.json file is one case
//   {"object": <object, or its raw text as a string>, "valid": bool,
//    "rule": "<rule>", "property": "<property>"}        (rule/property when invalid)
// and ParseObject must accept it, or refuse it with exactly that rule and property.
// Cases are produced by tests/stix/make_cases.py; a new case is a new file.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "stix/type_table.h"
#include "stix/validator.h"

namespace tabadul::stix {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::string object_text;
  bool valid = false;
  std::string rule;
  std::string property;
};

std::vector<Case> LoadCases() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(TABADUL_STIX_CASES_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  simdjson::dom::parser parser;
  for (const fs::path& path : files) {
    Case c;
    c.name = path.stem().string();
    simdjson::padded_string text;
    simdjson::dom::element root;
    if (simdjson::padded_string::load(path.string()).get(text) || parser.parse(text).get(root)) {
      ADD_FAILURE() << "unreadable case file " << path;
      continue;
    }
    simdjson::dom::element object;
    std::string_view s;
    if (root["object"].get(object) || root["valid"].get_bool().get(c.valid)) {
      ADD_FAILURE() << "case " << path << " needs 'object' and 'valid'";
      continue;
    }
    c.object_text = object.is_string() ? std::string(std::string_view(object))
                                       : simdjson::minify(object);
    if (!root["rule"].get_string().get(s)) c.rule = std::string(s);
    if (!root["property"].get_string().get(s)) c.property = std::string(s);
    if (!c.valid && (c.rule.empty() || c.property.empty())) {
      ADD_FAILURE() << "invalid case " << path << " must name its rule and property";
      continue;
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = LoadCases();
  return cases;
}

TEST(StixConformanceTest, EveryCase) {
  ASSERT_GE(Cases().size(), 120u);
  for (const Case& c : Cases()) {
    Result<StixObject> r = ParseObject(c.object_text);
    if (c.valid) {
      EXPECT_TRUE(r.ok()) << c.name << ": " << r.status().message();
      if (r.ok()) {
        EXPECT_EQ(r->json, c.object_text) << c.name;
      }
      continue;
    }
    if (r.ok()) {
      ADD_FAILURE() << c.name << ": accepted, expected [" << c.rule << "] " << c.property;
      continue;
    }
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    std::optional<Refusal> refusal = ParseRefusal(r.status());
    ASSERT_TRUE(refusal.has_value()) << c.name << ": " << r.status().message();
    EXPECT_EQ(refusal->rule, c.rule) << c.name << ": " << r.status().message();
    EXPECT_EQ(refusal->property, c.property) << c.name << ": " << r.status().message();
  }
}

// The suite covers every rule of validator.h and every type of the table.
TEST(StixConformanceTest, CoversEveryRuleAndType) {
  std::set<std::string> rules;
  std::set<std::string> valid_types;
  for (const Case& c : Cases()) {
    if (!c.valid) rules.insert(c.rule);
    if (c.valid && c.name.starts_with("valid--")) valid_types.insert(c.name.substr(7));
  }
  for (std::string_view rule :
       {"json", "type-syntax", "id-syntax", "spec-version", "timestamp", "modified-before-created",
        "required-property", "property-name", "empty-list", "integer-range", "reference",
        "property-value", "marking"}) {
    EXPECT_TRUE(rules.count(std::string(rule))) << "no case for rule " << rule;
  }
  for (const TypeSpec& spec : AllTypeSpecs()) {
    EXPECT_TRUE(valid_types.count(std::string(spec.type))) << "no valid case for " << spec.type;
  }
}

}  // namespace
}  // namespace tabadul::stix
