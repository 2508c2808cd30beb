#include "reports/known_entities.h"

#include <gtest/gtest.h>

#include "reports/testing.h"

namespace tabadul::reports {
namespace {

using testing::Fixture;
using testing::NamedObject;

constexpr char kLazarus[] = "intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542";
constexpr char kSecret[] = "intrusion-set--5f2b0d5e-1c1b-4bb0-8a58-3d6b5e1e9c11";
constexpr char kRevoked[] = "malware--0c1d2e3f-4a5b-4c6d-8e7f-a0b1c2d3e4f5";

class KnownEntitiesTest : public ::testing::Test {
 protected:
  KnownEntitiesTest() : f_("known") {
    f_.Put(testing::kIntel,
           {NamedObject("intrusion-set", kLazarus, "Lazarus Group", {"HIDDEN COBRA"}),
            NamedObject("malware", kRevoked, "OldBot", {}, "", "2024-01-01T00:00:00.000Z", true),
            R"({"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Spearphishing Attachment","external_references":[{"source_name":"mitre-attack","external_id":"T1566.001"}]})",
            R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"})"});
    f_.Put(testing::kOtherCollection, {NamedObject("intrusion-set", kSecret, "Secret Panda")});
  }
  Fixture f_;
};

TEST_F(KnownEntitiesTest, OnlyReadableCollectionsVisibleRowsAndNotRevoked) {
  auto known = LoadKnownObjects(f_.store(), f_.Principal("alice"), StoredGrants(f_.store()),
                                AllRowsVisible());
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  ASSERT_EQ(known->entities.size(), 1u);
  EXPECT_EQ(known->entities[0].stix_id, kLazarus);
  EXPECT_EQ(known->entities[0].names, (std::vector<std::string>{"Lazarus Group", "HIDDEN COBRA"}));
  EXPECT_EQ(known->technique_refs.at("T1566.001"),
            "attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b");

  auto olga = LoadKnownObjects(f_.store(), f_.Principal("olga"), StoredGrants(f_.store()),
                               AllRowsVisible());
  ASSERT_EQ(olga->entities.size(), 1u);
  EXPECT_EQ(olga->entities[0].stix_id, kSecret);

  // The row rule applies too.
  auto none = LoadKnownObjects(
      f_.store(), f_.Principal("alice"), StoredGrants(f_.store()),
      [](const auth::Principal&, const store::Collection&, const store::ObjectRow& row) {
        return row.type != "intrusion-set";
      });
  EXPECT_TRUE(none->entities.empty());
}

TEST_F(KnownEntitiesTest, AccessFailureIsReturned) {
  auto r = LoadKnownObjects(f_.store(), f_.Principal("alice"),
                            [](const auth::Principal&, const store::Collection&) -> Result<store::Grant> {
                              return Internal("policy down");
                            },
                            AllRowsVisible());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(UsableGazetteerTest, DropsLinesAboutInvisibleObjects) {
  std::vector<ingest::KnownEntity> known = {{kLazarus, "intrusion-set", {"Lazarus Group"}}};
  const std::string g = std::string("# comment\n") + "لازاروس\tname:lazarus group\n" +
                        "باندا\tname:Secret Panda\n" + "لازاروس٢\t" + kLazarus + "\n" +
                        "سري\t" + kSecret + "\n" + "الجزائر\tcountry:DZ\n" + "bad line\n";
  EXPECT_EQ(UsableGazetteer(g, known),
            std::string("# comment\n") + "لازاروس\tname:lazarus group\n" + "# (not visible)\n" +
                "لازاروس٢\t" + kLazarus + "\n" + "# (not visible)\n" + "الجزائر\tcountry:DZ\n" +
                "bad line\n");
}

}  // namespace
}  // namespace tabadul::reports
