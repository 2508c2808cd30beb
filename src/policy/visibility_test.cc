#include "policy/visibility.h"

#include <gtest/gtest.h>

namespace tabadul::policy {
namespace {

constexpr const char* kP = "identity--p";
constexpr const char* kR = "identity--r";
constexpr const char* kQ = "identity--q";
const std::string kAmberRef = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
const std::string kRedRef = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
const std::string kGreenRef = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";

class VisibilityTest : public ::testing::Test {
 protected:
  VisibilityTest() {
    collection_.id = "c1";
    collection_.owner_org = kP;
    collection_.default_tlp = "amber";
    Agreement a;
    a.name = "a";
    a.provider_org = kP;
    a.recipients = {kQ, kR};
    a.red_recipients = {kR};
    a.collections = {"c1"};
    a.max_tlp = stix::Tlp::kRed;
    a.valid_from_us = 100;
    a.valid_until_us = 200;
    index_.active.push_back(a);
    index_.Build();
  }
  Decision Ask(const char* org, int64_t now, const std::vector<std::string>& refs,
               const std::vector<std::string>& granular = {}, const std::string& type = "indicator",
               const std::vector<std::string>& labels = {}) {
    return MayReceive(tables_, Viewer{org, now, false}, collection_,
                      ObjectFacts{type, labels, refs, granular});
  }
  store::Collection collection_;
  PolicyTables tables_;
  AgreementIndex& index_ = tables_.agreements;
  MarkingRegistry& markings_ = tables_.markings;
};

TEST_F(VisibilityTest, ProviderAlwaysSees) {
  EXPECT_TRUE(Ask(kP, 0, {kRedRef}).visible);
  EXPECT_FALSE(Ask(kP, 0, {}).anonymize);
}

TEST_F(VisibilityTest, ValidityWindowIsHalfOpen) {
  EXPECT_FALSE(Ask(kR, 99, {kAmberRef}).visible);
  EXPECT_TRUE(Ask(kR, 100, {kAmberRef}).visible);
  EXPECT_TRUE(Ask(kR, 199, {kAmberRef}).visible);
  EXPECT_FALSE(Ask(kR, 200, {kAmberRef}).visible);
}

TEST_F(VisibilityTest, RedOnlyToNamedRecipients) {
  EXPECT_TRUE(Ask(kR, 150, {kRedRef}).visible);
  EXPECT_FALSE(Ask(kQ, 150, {kRedRef}).visible);
  EXPECT_TRUE(Ask(kQ, 150, {kGreenRef}).visible);
}

TEST_F(VisibilityTest, UnmarkedTakesCollectionDefault) {
  collection_.default_tlp = "red";
  EXPECT_FALSE(Ask(kQ, 150, {}).visible);
  EXPECT_TRUE(Ask(kR, 150, {}).visible);
  collection_.default_tlp = "garbage";  // unparseable: the conservative AMBER
  EXPECT_EQ(CollectionDefaultTlp(collection_), stix::Tlp::kAmber);
  EXPECT_EQ(EffectiveTlp(markings_.Of(kP), CollectionDefaultTlp(collection_),
                         ObjectFacts{"x", {}, {}, {}}), stix::Tlp::kAmber);
}

TEST_F(VisibilityTest, GranularRedWithholdsTheWholeObject) {
  EXPECT_TRUE(Ask(kQ, 150, {kGreenRef}, {kGreenRef}).visible);
  EXPECT_FALSE(Ask(kQ, 150, {kGreenRef}, {kRedRef}).visible);
  EXPECT_TRUE(Ask(kR, 150, {kGreenRef}, {kRedRef}).visible);
}

TEST_F(VisibilityTest, ScopeTypesAndLabels) {
  index_.active[0].object_types = {"malware"};
  index_.active[0].labels = {"b", "x"};
  index_.Build();
  EXPECT_FALSE(Ask(kR, 150, {kGreenRef}, {}, "indicator", {"x"}).visible);
  EXPECT_TRUE(Ask(kR, 150, {kGreenRef}, {}, "malware", {"a", "x"}).visible);
  EXPECT_FALSE(Ask(kR, 150, {kGreenRef}, {}, "malware", {"a"}).visible);
  EXPECT_FALSE(Ask(kR, 150, {kGreenRef}, {}, "malware", {}).visible);
}

TEST_F(VisibilityTest, OtherCollectionAndStrangers) {
  collection_.id = "c2";
  EXPECT_FALSE(Ask(kR, 150, {kGreenRef}).visible);
  collection_.id = "c1";
  EXPECT_FALSE(Ask("identity--stranger", 150, {kGreenRef}).visible);
}

TEST_F(VisibilityTest, IepTermsOfTheObject) {
  ASSERT_TRUE(markings_.Add(kP, "marking-definition--iep",
      R"({"type":"marking-definition","id":"marking-definition--iep",)"
      R"("extensions":{"extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a":{)"
      R"("start_date":"1970-01-01T00:00:00.000120Z","encrypt_in_transit":"must",)"
      R"("provider_attribution":"must-not","permitted_actions":"none"}}})").ok());
  const std::vector<std::string> refs = {kGreenRef, "marking-definition--iep"};
  // Before the IEP policy starts: nothing.
  EXPECT_FALSE(MayReceive(tables_, Viewer{kR, 110, true}, collection_,
                          ObjectFacts{"indicator", {}, refs, {}}).visible);
  // Without TLS: nothing.
  EXPECT_FALSE(MayReceive(tables_, Viewer{kR, 150, false}, collection_,
                          ObjectFacts{"indicator", {}, refs, {}}).visible);
  Decision d = MayReceive(tables_, Viewer{kR, 150, true}, collection_,
                          ObjectFacts{"indicator", {}, refs, {}});
  EXPECT_TRUE(d.visible);
  EXPECT_TRUE(d.anonymize);
  EXPECT_EQ(d.permitted_actions, PermittedAction::kNone);
}

TEST_F(VisibilityTest, AgreementTermsEncryptAndAttribution) {
  index_.active[0].terms.encrypt_in_transit = EncryptInTransit::kMust;
  index_.active[0].terms.attribution = Attribution::kMustNot;
  index_.Build();
  EXPECT_FALSE(Ask(kR, 150, {kGreenRef}).visible);
  Decision d = MayReceive(tables_, Viewer{kR, 150, true}, collection_,
                          ObjectFacts{"indicator", {}, {kGreenRef}, {}});
  EXPECT_TRUE(d.visible);
  EXPECT_TRUE(d.anonymize);
}

// Where attribution must not be kept, the provider's own identity object is withheld from the
// recipient (it would name the provider); other identities, and the provider itself, see it.
TEST_F(VisibilityTest, ProvidersIdentityIsWithheldWhenAttributionMustNotBeKept) {
  const std::vector<std::string> none, refs{kGreenRef};
  auto ask = [&](const char* org, std::string_view id) {
    return MayReceive(tables_, Viewer{org, 150, false}, collection_,
                      ObjectFacts{"identity", none, refs, none, id});
  };
  EXPECT_TRUE(ask(kR, kP).visible);  // attribution may be kept: delivered
  index_.active[0].terms.attribution = Attribution::kMustNot;
  index_.Build();
  EXPECT_FALSE(ask(kR, kP).visible);
  EXPECT_TRUE(ask(kR, "identity--someone-else").visible);
  EXPECT_TRUE(ask(kP, kP).visible);
}

// Two agreements P→R: "a" (every type, up to RED, valid 100-200) and "b" (malware and
// indicators labelled "x", up to GREEN, open-ended). A delivery names the first matching one in
// the index's order (by name); the provider's own read names none.
TEST_F(VisibilityTest, DecisionNamesTheFirstMatchingAgreement) {
  Agreement b;
  b.name = "b";
  b.provider_org = kP;
  b.recipients = {kR};
  b.collections = {"c1"};
  b.object_types = {"indicator", "malware"};
  b.labels = {"x"};
  b.max_tlp = stix::Tlp::kGreen;
  index_.active.push_back(b);
  index_.refs = {"a@v1", "b@v3"};
  index_.Build();
  // Both match (overlapping scopes): the first by name.
  EXPECT_EQ(Ask(kR, 150, {kGreenRef}, {}, "indicator", {"x"}).agreement, "a@v1");
  // Only "a" matches (no label x / an AMBER object).
  EXPECT_EQ(Ask(kR, 150, {kGreenRef}, {}, "indicator", {}).agreement, "a@v1");
  EXPECT_EQ(Ask(kR, 150, {kAmberRef}, {}, "malware", {"x"}).agreement, "a@v1");
  // Only "b" matches ("a" is not valid at 300).
  Decision d = Ask(kR, 300, {kGreenRef}, {}, "malware", {"x"});
  EXPECT_TRUE(d.visible);
  EXPECT_EQ(d.agreement, "b@v3");
  // Neither: not visible, no agreement.
  d = Ask(kR, 300, {kAmberRef}, {}, "malware", {"x"});
  EXPECT_FALSE(d.visible);
  EXPECT_EQ(d.agreement, "");
  // The provider: visible, under no agreement.
  d = Ask(kP, 150, {kGreenRef}, {}, "indicator", {"x"});
  EXPECT_TRUE(d.visible);
  EXPECT_EQ(d.agreement, "");
  // An index built without refs names no agreement (Build pads).
  index_.refs.clear();
  index_.Build();
  ASSERT_EQ(index_.refs.size(), 2u);
  d = Ask(kR, 150, {kGreenRef});
  EXPECT_TRUE(d.visible);
  EXPECT_EQ(d.agreement, "");
}

// A ref the provider never published means RED: withheld from a recipient without RED, shown to
// a RED recipient and to the provider. A ref the provider published as a statement does not.
TEST_F(VisibilityTest, UnknownRefsFailClosed) {
  const std::string unknown = "marking-definition--0000000a-0000-4000-8000-000000000000";
  EXPECT_FALSE(Ask(kQ, 150, {unknown}).visible);
  EXPECT_FALSE(Ask(kQ, 150, {kGreenRef, unknown}).visible);
  EXPECT_FALSE(Ask(kQ, 150, {kGreenRef}, {unknown}).visible);  // granular too
  EXPECT_TRUE(Ask(kR, 150, {unknown}).visible);
  EXPECT_TRUE(Ask(kP, 150, {unknown}).visible);
  // Published by another organization only: still unknown to P's objects.
  ASSERT_TRUE(markings_.Add(kQ, unknown,
      R"({"type":"marking-definition","id":")" + unknown +
      R"(","definition_type":"tlp","definition":{"tlp":"white"}})").ok());
  EXPECT_FALSE(Ask(kQ, 150, {unknown}).visible);
  // Published by P as a statement: known, no level; the collection default (AMBER) applies.
  ASSERT_TRUE(markings_.Add(kP, unknown,
      R"({"type":"marking-definition","id":")" + unknown +
      R"(","definition_type":"statement","definition":{"statement":"(c) P"}})").ok());
  EXPECT_TRUE(Ask(kQ, 150, {unknown}).visible);
  EXPECT_EQ(EffectiveTlp(markings_.Of(kP), stix::Tlp::kAmber, ObjectFacts{"x", {}, {unknown}, {}}),
            stix::Tlp::kAmber);
}

// P's definitions of one id disagree (GREEN and a statement): the strictest reading counts, so
// the object may take the collection default where every ref may be levelless.
TEST_F(VisibilityTest, DisagreeingDefinitionsTakeTheStrictestReading) {
  const std::string id = "marking-definition--0000000b-0000-4000-8000-000000000000";
  ASSERT_TRUE(markings_.Add(kP, id,
      R"({"type":"marking-definition","id":")" + id +
      R"(","definition_type":"statement","definition":{"statement":"s"}})").ok());
  ASSERT_TRUE(markings_.Add(kP, id,
      R"({"type":"marking-definition","id":")" + id +
      R"(","definition_type":"tlp","definition":{"tlp":"green"}})").ok());
  const ProviderMarkings& p = markings_.Of(kP);
  const std::vector<std::string> none, only{id}, with_clear{id, "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"};
  EXPECT_EQ(EffectiveTlp(p, stix::Tlp::kRed, ObjectFacts{"x", none, only, none}), stix::Tlp::kRed);
  EXPECT_EQ(EffectiveTlp(p, stix::Tlp::kClear, ObjectFacts{"x", none, only, none}),
            stix::Tlp::kGreen);
  // Another ref that always carries a level: the default no longer counts.
  EXPECT_EQ(EffectiveTlp(p, stix::Tlp::kRed, ObjectFacts{"x", none, with_clear, none}),
            stix::Tlp::kGreen);
}

// What came from elsewhere goes on only where its origin's terms allow (and never under the
// local collection's default).
TEST_F(VisibilityTest, PulledVersionsKeepTheirOriginsTerms) {
  collection_.default_tlp = "clear";
  const std::vector<std::string> none, green{kGreenRef}, amber{kAmberRef};
  auto ask = [&](const char* org, const std::vector<std::string>& refs, std::string_view origin) {
    return MayReceive(tables_, Viewer{org, 150, false}, collection_,
                      ObjectFacts{"indicator", none, refs, none, "indicator--1", origin});
  };
  // No terms for the origin (no loader, or a removed peer): the provider only.
  EXPECT_FALSE(ask(kR, green, "peer-a").visible);
  EXPECT_TRUE(ask(kP, green, "peer-a").visible);
  EXPECT_TRUE(ask(kR, green, "").visible);  // posted here: the agreement decides
  tables_.origins.Add({"peer-a", stix::Tlp::kAmber, false, stix::Tlp::kRed});
  EXPECT_FALSE(ask(kR, green, "peer-a").visible);  // may not forward
  tables_.origins.Add({"peer-b", stix::Tlp::kAmber, true, stix::Tlp::kGreen});
  EXPECT_TRUE(ask(kR, green, "peer-b").visible);
  EXPECT_FALSE(ask(kR, amber, "peer-b").visible);  // above the forwarding ceiling
  // Unmarked: the peer's default (AMBER), not the collection's (CLEAR): above the ceiling.
  EXPECT_FALSE(ask(kR, none, "peer-b").visible);
  EXPECT_TRUE(ask(kR, none, "").visible);
  tables_.origins.Add({"peer-c", stix::Tlp::kGreen, true, stix::Tlp::kGreen});
  EXPECT_TRUE(ask(kR, none, "peer-c").visible);
  EXPECT_TRUE(ask(kP, amber, "peer-b").visible);
}

}  // namespace
}  // namespace tabadul::policy
