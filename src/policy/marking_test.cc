#include "policy/marking.h"

#include <gtest/gtest.h>

namespace tabadul::policy {
namespace {

constexpr const char* kP = "identity--p";
constexpr const char* kX = "identity--x";
const std::string kId1 = "marking-definition--11111111-1111-4111-8111-111111111111";
const std::string kId2 = "marking-definition--22222222-2222-4222-8222-222222222222";
const std::string kId3 = "marking-definition--33333333-3333-4333-8333-333333333333";
const std::string kRedStd = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

std::string TlpDef(const std::string& id, const std::string& level) {
  return R"({"type":"marking-definition","id":")" + id +
         R"(","definition_type":"tlp","definition":{"tlp":")" + level + R"("}})";
}
std::string Tlp2Def(const std::string& id, const std::string& level) {
  return R"({"type":"marking-definition","id":")" + id +
         R"(","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":)"
         R"({"extension_type":"property-extension","tlp_2_0":")" + level + R"("}}})";
}
std::string StatementDef(const std::string& id) {
  return R"({"type":"marking-definition","id":")" + id +
         R"(","definition_type":"statement","definition":{"statement":"(c) p"}})";
}
std::string IepDef(const std::string& id, const std::string& fields) {
  return R"({"type":"marking-definition","id":")" + id +
         R"(","extensions":{"extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a":{)"
         R"("extension_type":"property-extension","iep_version":"2.0")" +
         (fields.empty() ? "" : "," + fields) + "}}}";
}

TEST(MarkingRegistryTest, StandardIdsNeedNoRegistrationAndCannotBeRedefined) {
  MarkingRegistry r;
  EXPECT_EQ(r.Lookup(kP, kRedStd).tlp, stix::Tlp::kRed);
  EXPECT_TRUE(r.Lookup(kP, kRedStd).known);
  EXPECT_EQ(r.Lookup(kP, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003").tlp,
            stix::Tlp::kAmberStrict);
  // A provider that stores a definition under the standard RED id does not make it CLEAR.
  ASSERT_TRUE(r.Add(kP, kRedStd, TlpDef(kRedStd, "white")).ok());
  EXPECT_EQ(r.Lookup(kP, kRedStd).tlp, stix::Tlp::kRed);
  EXPECT_EQ(r.size(), 0u);
}

TEST(MarkingRegistryTest, UnknownRefsMeanRed) {
  MarkingRegistry r;
  const MarkingMeaning m = r.Lookup(kP, kId1);
  EXPECT_FALSE(m.known);
  EXPECT_EQ(m.tlp, stix::Tlp::kRed);
  EXPECT_FALSE(m.levelless);
}

TEST(MarkingRegistryTest, UserTlpDefinitionsBothForms) {
  MarkingRegistry r;
  ASSERT_TRUE(r.Add(kP, kId1, TlpDef(kId1, "red")).ok());
  ASSERT_TRUE(r.Add(kP, kId2, Tlp2Def(kId2, "amber+strict")).ok());
  EXPECT_EQ(r.Lookup(kP, kId1).tlp, stix::Tlp::kRed);
  EXPECT_EQ(r.Lookup(kP, kId2).tlp, stix::Tlp::kAmberStrict);
  EXPECT_FALSE(r.Lookup(kP, kId2).levelless);
}

// Definitions count only for the organization that published them.
TEST(MarkingRegistryTest, DefinitionsAreScopedToTheirProvider) {
  MarkingRegistry r;
  ASSERT_TRUE(r.Add(kX, kId1, TlpDef(kId1, "white")).ok());  // X first, as CLEAR
  ASSERT_TRUE(r.Add(kP, kId1, TlpDef(kId1, "red")).ok());
  EXPECT_EQ(r.Lookup(kP, kId1).tlp, stix::Tlp::kRed);
  EXPECT_EQ(r.Lookup(kX, kId1).tlp, stix::Tlp::kClear);
  // P never published kId2; X's definition of it does not make it known to P.
  ASSERT_TRUE(r.Add(kX, kId2, TlpDef(kId2, "white")).ok());
  EXPECT_FALSE(r.Lookup(kP, kId2).known);
  EXPECT_EQ(r.Lookup(kP, kId2).tlp, stix::Tlp::kRed);
  EXPECT_EQ(r.size(), 3u);
}

// Every other kind of definition is known, without a level.
TEST(MarkingRegistryTest, StatementsAreKnownWithoutALevel) {
  MarkingRegistry r;
  ASSERT_TRUE(r.Add(kP, kId3, StatementDef(kId3)).ok());
  const MarkingMeaning m = r.Lookup(kP, kId3);
  EXPECT_TRUE(m.known);
  EXPECT_FALSE(m.tlp.has_value());
  EXPECT_TRUE(m.levelless);
  EXPECT_EQ(m.iep, nullptr);
}

// Conflicting definitions of one id by one provider: the strictest, whatever the order.
TEST(MarkingRegistryTest, ConflictingDefinitionsNeverLowerTheLevel) {
  for (bool red_first : {true, false}) {
    MarkingRegistry r;
    const std::vector<std::string> order =
        red_first ? std::vector<std::string>{"red", "white"} : std::vector<std::string>{"white", "red"};
    for (const auto& level : order) ASSERT_TRUE(r.Add(kP, kId1, TlpDef(kId1, level)).ok());
    EXPECT_EQ(r.Lookup(kP, kId1).tlp, stix::Tlp::kRed);
    EXPECT_FALSE(r.Lookup(kP, kId1).levelless);
  }
  // A level and no level: the level, and "may be levelless" (the default may count too).
  MarkingRegistry r;
  ASSERT_TRUE(r.Add(kP, kId2, StatementDef(kId2)).ok());
  ASSERT_TRUE(r.Add(kP, kId2, Tlp2Def(kId2, "green")).ok());
  EXPECT_EQ(r.Lookup(kP, kId2).tlp, stix::Tlp::kGreen);
  EXPECT_TRUE(r.Lookup(kP, kId2).levelless);
}

TEST(MarkingRegistryTest, UnreadableGradedDefinitionsMeanRed) {
  MarkingRegistry r;
  EXPECT_EQ(r.Add(kP, kId1, TlpDef(kId1, "purple")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Lookup(kP, kId1).tlp, stix::Tlp::kRed);
  EXPECT_TRUE(r.Lookup(kP, kId1).known);
  EXPECT_EQ(r.Add(kP, kId2, "{").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Lookup(kP, kId2).tlp, stix::Tlp::kRed);
  EXPECT_EQ(r.Add(kP, kId3, IepDef(kId3, R"("encrypt_in_transit":"maybe")")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Lookup(kP, kId3).tlp, stix::Tlp::kRed);
  EXPECT_EQ(ParseMarkingDefinition(R"({"type":"indicator","id":"indicator--1"})").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MarkingRegistryTest, ParsesIep) {
  MarkingRegistry r;
  const std::string id = "marking-definition--55555555-5555-4555-8555-555555555555";
  ASSERT_TRUE(r.Add(kP, id, IepDef(id,
      R"("name":"x","start_date":"2024-01-01T00:00:00Z","end_date":"2024-06-01T00:00:00Z",)"
      R"("encrypt_in_transit":"must","permitted_actions":"internally-visible-actions",)"
      R"("provider_attribution":"must-not","tlp":"amber","unmodified_resale":"must-not")")).ok());
  auto m = r.Lookup(kP, id);
  ASSERT_NE(m.iep, nullptr);
  EXPECT_EQ(m.tlp, stix::Tlp::kAmber);
  EXPECT_EQ(m.iep->encrypt_in_transit, EncryptInTransit::kMust);
  EXPECT_EQ(m.iep->attribution, Attribution::kMustNot);
  EXPECT_EQ(m.iep->permitted_actions, PermittedAction::kInternallyVisible);
  EXPECT_FALSE(m.iep->unmodified_resale);
  EXPECT_EQ(m.iep->start_us, 1704067200000000);
  EXPECT_FALSE(ParseIepExtension("x", R"({"end_date":"2020-01-01T00:00:00Z","start_date":"2021-01-01T00:00:00Z"})").ok());
  EXPECT_FALSE(ParseIepExtension("x", R"({"encrypt_in_transit":"maybe"})").ok());
  EXPECT_FALSE(ParseIepExtension("x", R"({"tlp":"blue"})").ok());
  // An IEP policy without a tlp gives no level.
  ASSERT_TRUE(r.Add(kP, kId1, IepDef(kId1, "")).ok());
  EXPECT_FALSE(r.Lookup(kP, kId1).tlp.has_value());
  EXPECT_NE(r.Lookup(kP, kId1).iep, nullptr);
}

// Two IEP definitions of one id by one provider combine into the strictest of every term.
TEST(MarkingRegistryTest, ConflictingIepDefinitionsCombineTheStrictestTerms) {
  MarkingRegistry r;
  ASSERT_TRUE(r.Add(kP, kId1, IepDef(kId1,
      R"("start_date":"2024-01-01T00:00:00Z","end_date":"2025-01-01T00:00:00Z",)"
      R"("encrypt_in_transit":"must","permitted_actions":"externally-visible-indirect-actions",)"
      R"("provider_attribution":"must","tlp":"green","affected_party_notifications":"may")")).ok());
  ASSERT_TRUE(r.Add(kP, kId1, IepDef(kId1,
      R"("start_date":"2024-03-01T00:00:00Z","end_date":"2026-01-01T00:00:00Z",)"
      R"("encrypt_in_transit":"may","permitted_actions":"contact-for-instruction",)"
      R"("provider_attribution":"may","tlp":"amber","affected_party_notifications":"must-not",)"
      R"("unmodified_resale":"must-not")")).ok());
  // A third, plain TLP definition of the same id adds its level.
  ASSERT_TRUE(r.Add(kP, kId1, TlpDef(kId1, "white")).ok());
  const MarkingMeaning m = r.Lookup(kP, kId1);
  ASSERT_NE(m.iep, nullptr);
  EXPECT_EQ(m.tlp, stix::Tlp::kAmber);
  EXPECT_FALSE(m.levelless);
  EXPECT_EQ(m.iep->start_us, 1709251200000000);  // 2024-03-01: the latest start
  EXPECT_EQ(m.iep->end_us, 1735689600000000);    // 2025-01-01: the earliest end
  EXPECT_EQ(m.iep->encrypt_in_transit, EncryptInTransit::kMust);
  EXPECT_EQ(m.iep->permitted_actions, PermittedAction::kContactForInstruction);
  EXPECT_EQ(m.iep->attribution, Attribution::kMust);
  EXPECT_FALSE(m.iep->affected_party_notifications);
  EXPECT_FALSE(m.iep->unmodified_resale);
  // Attribution must-not wins over must; windows that do not overlap are never valid.
  IepPolicy a, b;
  a.attribution = Attribution::kMust;
  b.attribution = Attribution::kMustNot;
  a.start_us = 0;
  a.end_us = 10;
  b.start_us = 20;
  const IepPolicy s = Strictest(a, b);
  EXPECT_EQ(s.attribution, Attribution::kMustNot);
  for (int64_t t : {0, 5, 10, 20, 30}) EXPECT_FALSE(s.ValidAt(t));
}

}  // namespace
}  // namespace tabadul::policy
