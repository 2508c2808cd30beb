#include "stix/tlp.h"

#include <gtest/gtest.h>

#include <set>

#include "stix/validator.h"

namespace tabadul::stix {
namespace {

TEST(TlpTest, MarkingIdsMapToLevels) {
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"), Tlp::kClear);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"), Tlp::kGreen);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"), Tlp::kAmber);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), Tlp::kRed);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"), Tlp::kClear);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"), Tlp::kGreen);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"), Tlp::kAmber);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
            Tlp::kAmberStrict);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"), Tlp::kRed);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c2"), std::nullopt);
  EXPECT_EQ(TlpOfMarkingRef(""), std::nullopt);
}

TEST(TlpTest, NamesRoundTripAndParse) {
  for (Tlp t : {Tlp::kClear, Tlp::kGreen, Tlp::kAmber, Tlp::kAmberStrict, Tlp::kRed}) {
    EXPECT_EQ(ParseTlpName(TlpName(t)), t);
    EXPECT_EQ(ParseTlpName("TLP:" + std::string(TlpName(t))), t);
  }
  EXPECT_EQ(ParseTlpName("white"), Tlp::kClear);
  EXPECT_EQ(ParseTlpName("tlp:White"), Tlp::kClear);
  EXPECT_EQ(ParseTlpName("Amber+Strict"), Tlp::kAmberStrict);
  EXPECT_EQ(ParseTlpName("TlP:rEd"), Tlp::kRed);
  for (std::string_view bad : {"", "TLP:", "amber strict", "amber+", "TLP: red", "redd", "TLP"}) {
    EXPECT_EQ(ParseTlpName(bad), std::nullopt) << bad;
  }
}

TEST(TlpTest, OrderingFromClearToRed) {
  EXPECT_LT(Tlp::kClear, Tlp::kGreen);
  EXPECT_LT(Tlp::kGreen, Tlp::kAmber);
  EXPECT_LT(Tlp::kAmber, Tlp::kAmberStrict);
  EXPECT_LT(Tlp::kAmberStrict, Tlp::kRed);
  EXPECT_EQ(MostRestrictive(Tlp::kGreen, Tlp::kAmberStrict), Tlp::kAmberStrict);
  EXPECT_EQ(MostRestrictive(Tlp::kRed, Tlp::kClear), Tlp::kRed);
}

TEST(TlpTest, StandardMarkingObjectsAreValidStix) {
  auto all = StandardTlpMarkings();
  ASSERT_EQ(all.size(), 9u);
  std::set<std::string_view> ids;
  for (const StandardTlpMarking& m : all) {
    ids.insert(m.id);
    Result<StixObject> parsed = ParseObject(m.json);
    ASSERT_TRUE(parsed.ok()) << m.json << "\n" << parsed.status().ToString();
    EXPECT_EQ(parsed->id, m.id);
    EXPECT_EQ(parsed->object_class, ObjectClass::kMeta);
    EXPECT_EQ(TlpOfMarkingRef(m.id), m.tlp);
    if (m.tlp_version == 1) {
      EXPECT_EQ(parsed->created, "2017-01-20T00:00:00.000Z");
      EXPECT_NE(m.json.find("\"definition_type\":\"tlp\""), std::string_view::npos);
    } else {
      EXPECT_EQ(parsed->created, "2022-10-01T00:00:00.000Z");
      EXPECT_NE(m.json.find(kTlp2ExtensionId), std::string_view::npos);
      EXPECT_EQ(Tlp2MarkingId(m.tlp), m.id);
    }
  }
  EXPECT_EQ(ids.size(), 9u);
}

}  // namespace
}  // namespace tabadul::stix
