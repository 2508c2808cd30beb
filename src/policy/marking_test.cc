#include "policy/marking.h"

#include <gtest/gtest.h>

namespace tabadul::policy {
namespace {

TEST(MarkingRegistryTest, StandardIdsNeedNoRegistration) {
  MarkingRegistry r;
  EXPECT_EQ(r.Lookup("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed").tlp,
            stix::Tlp::kRed);
  EXPECT_EQ(r.Lookup("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003").tlp,
            stix::Tlp::kAmberStrict);
  EXPECT_FALSE(r.Lookup("marking-definition--00000000-0000-4000-8000-000000000000").tlp);
}

TEST(MarkingRegistryTest, UserTlpDefinitionsBothForms) {
  MarkingRegistry r;
  auto v1 = r.Add(R"({"type":"marking-definition","id":"marking-definition--11111111-1111-4111-8111-111111111111",)"
                  R"("definition_type":"tlp","definition":{"tlp":"red"}})");
  ASSERT_TRUE(v1.ok());
  EXPECT_TRUE(*v1);
  auto v2 = r.Add(R"({"type":"marking-definition","id":"marking-definition--22222222-2222-4222-8222-222222222222",)"
                  R"("extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":)"
                  R"({"extension_type":"property-extension","tlp_2_0":"amber+strict"}}})");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(r.Lookup("marking-definition--11111111-1111-4111-8111-111111111111").tlp,
            stix::Tlp::kRed);
  EXPECT_EQ(r.Lookup("marking-definition--22222222-2222-4222-8222-222222222222").tlp,
            stix::Tlp::kAmberStrict);
  // First definition wins: a later post cannot re-grade.
  auto again = r.Add(R"({"type":"marking-definition","id":"marking-definition--11111111-1111-4111-8111-111111111111",)"
                     R"("definition_type":"tlp","definition":{"tlp":"white"}})");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(r.Lookup("marking-definition--11111111-1111-4111-8111-111111111111").tlp,
            stix::Tlp::kRed);
  // A statement marking is not a TLP.
  auto statement = r.Add(R"({"type":"marking-definition","id":"marking-definition--33333333-3333-4333-8333-333333333333",)"
                         R"("definition_type":"statement","definition":{"statement":"c"}})");
  ASSERT_TRUE(statement.ok());
  EXPECT_FALSE(*statement);
}

TEST(MarkingRegistryTest, RefusesBadTlpValues) {
  MarkingRegistry r;
  EXPECT_FALSE(r.Add("{").ok());
  EXPECT_FALSE(r.Add(R"({"type":"indicator","id":"indicator--1"})").ok());
  EXPECT_FALSE(r.Add(R"({"type":"marking-definition","id":"marking-definition--44444444-4444-4444-8444-444444444444",)"
                     R"("definition_type":"tlp","definition":{"tlp":"purple"}})").ok());
}

TEST(MarkingRegistryTest, ParsesIep) {
  MarkingRegistry r;
  auto ok = r.Add(
      R"({"type":"marking-definition","id":"marking-definition--55555555-5555-4555-8555-555555555555",)"
      R"("extensions":{"extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a":{)"
      R"("extension_type":"property-extension","iep_version":"2.0","name":"x",)"
      R"("start_date":"2024-01-01T00:00:00Z","end_date":"2024-06-01T00:00:00Z",)"
      R"("encrypt_in_transit":"must","permitted_actions":"internally-visible-actions",)"
      R"("provider_attribution":"must-not","tlp":"amber","unmodified_resale":"must-not"}}})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  auto m = r.Lookup("marking-definition--55555555-5555-4555-8555-555555555555");
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
}

}  // namespace
}  // namespace tabadul::policy
