#include "stix/validator.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace tabadul::stix {
namespace {

constexpr std::string_view kIndicator = R"({
  "type": "indicator",
  "spec_version": "2.1",
  "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
  "created": "2016-04-06T20:03:48.000Z",
  "modified": "2016-04-06T20:03:48.123Z",
  "indicator_types": ["malicious-activity"],
  "name": "Poison Ivy Malware",
  "pattern": "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
  "pattern_type": "stix",
  "valid_from": "2016-01-01T00:00:00Z",
  "labels": ["a", "b"],
  "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
  "granular_markings": [{"selectors": ["name"], "lang": "en"}]
})";

// Rule and property of a refusal, "ok" when accepted.
std::string Verdict(std::string_view json) {
  Result<StixObject> r = ParseObject(json);
  if (r.ok()) return "ok";
  auto refusal = ParseRefusal(r.status());
  EXPECT_TRUE(refusal.has_value()) << r.status().message();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return refusal ? refusal->rule + " " + refusal->property : r.status().message();
}

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

TEST(ParseObjectTest, FillsEveryField) {
  Result<StixObject> r = ParseObject(kIndicator);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const StixObject& o = *r;
  EXPECT_EQ(o.id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_EQ(o.type, "indicator");
  EXPECT_EQ(o.spec_version, "2.1");
  EXPECT_EQ(o.object_class, ObjectClass::kDomain);
  EXPECT_EQ(o.created, "2016-04-06T20:03:48.000Z");
  EXPECT_EQ(o.modified, "2016-04-06T20:03:48.123Z");
  EXPECT_EQ(o.created_ns, 1459973028000000000);
  EXPECT_EQ(o.modified_ns, 1459973028123000000);
  EXPECT_EQ(o.version(), o.modified);
  EXPECT_EQ(o.version_ns(), o.modified_ns);
  EXPECT_FALSE(o.revoked);
  EXPECT_EQ(o.created_by_ref, "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff");
  EXPECT_EQ(o.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.object_marking_refs,
            (std::vector<std::string>{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"}));
  ASSERT_EQ(o.granular_markings.size(), 1u);
  EXPECT_EQ(o.granular_markings[0].selectors, (std::vector<std::string>{"name"}));
  EXPECT_EQ(o.granular_markings[0].lang, "en");
  EXPECT_EQ(o.granular_markings[0].marking_ref, "");
  EXPECT_EQ(o.json, kIndicator);
}

TEST(ParseObjectTest, ScoDefaultsSpecVersionAndIsUnversioned) {
  Result<StixObject> r = ParseObject(
      R"({"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec_version, "2.1");
  EXPECT_EQ(r->object_class, ObjectClass::kCyberObservable);
  EXPECT_EQ(r->version(), "");
  EXPECT_EQ(r->version_ns(), 0);
}

TEST(ParseObjectTest, RevokedAndCustomClass) {
  std::string custom = R"({"type":"x-mitre-tactic","spec_version":"2.1",
    "id":"x-mitre-tactic--daa4cbb1-b4f4-4723-a824-7f1efd6e0592","created":"2018-10-17T00:14:20.652Z",
    "modified":"2018-10-17T00:14:20.652Z","revoked":true,"x_mitre_shortname":"execution"})";
  Result<StixObject> r = ParseObject(custom);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->object_class, ObjectClass::kCustom);
  EXPECT_TRUE(r->revoked);
  EXPECT_EQ(Verdict(Replace(custom, R"("modified":"2018-10-17T00:14:20.652Z",)", "")),
            "required-property modified");
}

TEST(ParseObjectTest, MessageNamesRuleAndProperty) {
  Result<StixObject> r = ParseObject(Replace(kIndicator, R"("pattern_type": "stix",)", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "[required-property] pattern_type: indicator requires property 'pattern_type'");
}

TEST(ParseObjectTest, EachRuleRefuses) {
  EXPECT_EQ(Verdict("{"), "json $");
  EXPECT_EQ(Verdict("[1]"), "json $");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("type": "indicator")", R"("type": "Indicator")")),
            "type-syntax type");
  EXPECT_EQ(Verdict(Replace(kIndicator, "--8e2e2d2b", "--8e2e2d2")), "id-syntax id");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("spec_version": "2.1")", R"("spec_version": "2.0")")),
            "spec-version spec_version");
  EXPECT_EQ(Verdict(Replace(kIndicator, "48.000Z", "48Z")), "timestamp created");
  EXPECT_EQ(Verdict(Replace(kIndicator, "48.123Z", "47.999Z")), "modified-before-created modified");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("pattern":)", R"("x":1, "pattern":)")),
            "property-name x");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"(["a", "b"])", "[]")), "empty-list labels");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("pattern":)", R"("x_n": 9007199254740993, "pattern":)")),
            "integer-range x_n");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("identity--f431)", R"("identity-f431)")),
            "reference created_by_ref");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("pattern":)", R"("confidence": 101, "pattern":)")),
            "property-value confidence");
  EXPECT_EQ(Verdict(Replace(kIndicator, R"("lang": "en")", R"("lang": "en", "marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da")")),
            "marking granular_markings[0]");
}

TEST(ParseObjectTest, DepthLimit) {
  std::string deep = R"({"type":"x-deep","x_v":)" + std::string(64, '[') + "1" + std::string(64, ']') + "}";
  EXPECT_EQ(Verdict(deep), "json $");
  std::string ok_depth = std::string(kIndicator);
  ok_depth.replace(ok_depth.rfind('}'), 1, R"(,"x_v":)" + std::string(62, '[') + "1" + std::string(62, ']') + "}");
  EXPECT_EQ(Verdict(ok_depth), "ok");
  // Far deeper than simdjson's own limit: still a clean refusal.
  std::string hostile = R"({"a":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  EXPECT_EQ(Verdict(hostile), "json $");
}

TEST(ParseObjectTest, ConcurrentCallsAgree) {
  // Each thread has its own parser: results must not bleed between threads.
  std::string bad = Replace(kIndicator, R"("pattern_type": "stix",)", "");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        bool good = (i + t) % 2 == 0;
        Result<StixObject> r = ParseObject(good ? std::string(kIndicator) : bad);
        if (r.ok() != good || (good && r->json != kIndicator)) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, (std::vector<int>{0, 0, 0, 0}));
}

TEST(ExtractIdTest, FromGoodAndBrokenJson) {
  EXPECT_EQ(ExtractId(kIndicator), "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_EQ(ExtractId(R"({"type":"x", "id" : "x--1", "a": [)"), "x--1");
  EXPECT_EQ(ExtractId("nonsense"), "");
  EXPECT_EQ(ExtractId(R"({"id": 5})"), "");
}

TEST(ParseRefusalTest, OnlyForRefusals) {
  EXPECT_FALSE(ParseRefusal(Status::Ok()).has_value());
  EXPECT_FALSE(ParseRefusal(InvalidArgument("plain")).has_value());
  auto r = ParseRefusal(InvalidArgument("[reference] a.b[0]: text: more"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, "reference");
  EXPECT_EQ(r->property, "a.b[0]");
}

}  // namespace
}  // namespace tabadul::stix
