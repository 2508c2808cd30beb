#include "ingest/entity_linker.h"

#include <gtest/gtest.h>

namespace tabadul::ingest {
namespace {

const std::vector<KnownEntity> kKnown = {
    {"intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542", "intrusion-set",
     {"Lazarus Group", "HIDDEN COBRA", "ZINC"}},
    {"intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c", "intrusion-set",
     {"APT28", "Fancy Bear", "Sofacy"}},
    {"malware--b4b7f2a8-2a2c-4f1e-9f4b-1a2b3c4d5e6f", "malware", {"Page"}},
    {"tool--03342581-f790-4f03-ba41-e82e67392e23", "tool", {"net", "Net"}},
};

std::vector<std::string> Targets(const EntityLinker& l, std::string_view text) {
  std::vector<std::string> out;
  for (const auto& m : l.Link(text)) {
    out.push_back(m.kind == MentionKind::kCountry ? "country:" + m.country_code : m.name);
  }
  return out;
}
using V = std::vector<std::string>;

class LinkerTest : public ::testing::Test {
 protected:
  LinkerTest()
      : linker_(EntityLinker::Create(kKnown, "لازاروس\tname:Lazarus Group\nالدب الفاخر\tname:APT28\n"
                                             "فارس\tcountry:IR\n")
                    .value()) {}
  EntityLinker linker_;
};

TEST_F(LinkerTest, ArabicCountriesInGrammaticalForms) {
  EXPECT_EQ(Targets(linker_, "هجمات على المغرب وللمغرب والجزائر وباسرائيل"),
            (V{"country:MA", "country:MA", "country:DZ", "country:IL"}));
  EXPECT_EQ(Targets(linker_, "جهات إيرانية ومجموعة روسية والقراصنة الكوريين الشماليين"),
            (V{"country:IR", "country:RU", "country:KP"}));
  EXPECT_EQ(Targets(linker_, "في الإمارات العربية المتحدة والمملكة العربية السعودية"),
            (V{"country:AE", "country:SA"}));
  EXPECT_EQ(Targets(linker_, "القطاع المالي والمصرفي"), V{});  // "مالي" is not Mali here
}

TEST_F(LinkerTest, EnglishCountriesAndDemonyms) {
  EXPECT_EQ(Targets(linker_, "Iranian actors hit Saudi Arabia, the UAE and North Korea."),
            (V{"country:IR", "country:SA", "country:AE", "country:KP"}));
}

TEST_F(LinkerTest, KnownEntitiesAndAliases) {
  EXPECT_EQ(Targets(linker_, "Lazarus Group (aka HIDDEN COBRA) and fancy bear"),
            (V{"Lazarus Group", "Lazarus Group", "APT28"}));
  EXPECT_EQ(Targets(linker_, "نسبت الهجمات إلى مجموعة لازاروس وإلى الدب الفاخر"),
            (V{"Lazarus Group", "APT28"}));
}

TEST_F(LinkerTest, CommonWordNamesNeedExactCase) {
  EXPECT_EQ(Targets(linker_, "see page 4; the Page malware; net use; Net tool"),
            (V{"Page", "net"}));
}

TEST_F(LinkerTest, MentionSpansPointIntoTheText) {
  const std::string text = "هجوم على الإِمَارَات";
  auto m = linker_.Link(text);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(text.substr(m[0].begin, m[0].end - m[0].begin), "الإِمَارَات");
}

TEST(LinkerErrorsTest, GazetteerErrors) {
  EXPECT_EQ(EntityLinker::Create({}, "no tab\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EntityLinker::Create({}, "x\tcountry:QQ\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EntityLinker::Create({}, "x\tname:Nobody\n").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(EntityLinker::Create({}, "x\tnot-an-id\n").status().code(),
            StatusCode::kInvalidArgument);
  auto ok = EntityLinker::Create({}, "# c\nAcme\tidentity--0b9c4a47-3c0c-4b7a-9a5e-2c7a3f7d8e01\n",
                                 /*link_countries=*/false);
  ASSERT_TRUE(ok.ok());
  auto m = ok->Link("ACME said");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].type, "identity");
}

}  // namespace
}  // namespace tabadul::ingest
