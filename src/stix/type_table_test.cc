#include "stix/type_table.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace tabadul::stix {
namespace {

TEST(TypeTableTest, HoldsEveryStix21Type) {
  std::map<ObjectClass, int> per_class;
  std::set<std::string_view> names;
  for (const TypeSpec& spec : AllTypeSpecs()) {
    EXPECT_TRUE(names.insert(spec.type).second) << "duplicate row " << spec.type;
    ++per_class[spec.object_class];
    EXPECT_EQ(FindTypeSpec(spec.type), &spec);
  }
  EXPECT_EQ(per_class[ObjectClass::kDomain], 19);
  EXPECT_EQ(per_class[ObjectClass::kRelationship], 2);
  EXPECT_EQ(per_class[ObjectClass::kCyberObservable], 18);
  EXPECT_EQ(per_class[ObjectClass::kMeta], 3);
  EXPECT_EQ(per_class[ObjectClass::kCustom], 0);
}

TEST(TypeTableTest, CustomAndUnknownTypesAreAbsent) {
  EXPECT_EQ(FindTypeSpec("x-mitre-tactic"), nullptr);
  EXPECT_EQ(FindTypeSpec("bundle"), nullptr);
  EXPECT_EQ(FindTypeSpec(""), nullptr);
  EXPECT_EQ(FindTypeSpec("Indicator"), nullptr);
}

TEST(TypeTableTest, RowsAreWellFormed) {
  auto valid_name = [](std::string_view n) {
    if (n.size() < 3) return false;
    for (char c : n) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  };
  for (const TypeSpec& spec : AllTypeSpecs()) {
    for (std::string_view r : spec.required) EXPECT_TRUE(valid_name(r)) << spec.type << " " << r;
    for (std::string_view group : spec.any_of) {
      EXPECT_NE(group.find('|'), std::string_view::npos) << spec.type << " " << group;
    }
    std::set<std::string_view> props;
    for (const PropertySpec& p : spec.properties) {
      EXPECT_TRUE(valid_name(p.name)) << spec.type << " " << p.name;
      EXPECT_TRUE(props.insert(p.name).second) << spec.type << " lists " << p.name << " twice";
      bool enumerated = p.kind == ValueKind::kEnum || p.kind == ValueKind::kEnumList;
      EXPECT_EQ(enumerated, !p.values.empty()) << spec.type << " " << p.name;
      if (p.kind == ValueKind::kInteger || p.kind == ValueKind::kNumber) {
        EXPECT_LE(p.min, p.max) << spec.type << " " << p.name;
      }
    }
  }
}

TEST(TypeTableTest, SpotChecksAgainstTheSpec) {
  const TypeSpec* indicator = FindTypeSpec("indicator");
  ASSERT_NE(indicator, nullptr);
  EXPECT_EQ(indicator->required,
            (std::vector<std::string_view>{"pattern", "pattern_type", "valid_from"}));
  const TypeSpec* relationship = FindTypeSpec("relationship");
  ASSERT_NE(relationship, nullptr);
  EXPECT_EQ(relationship->object_class, ObjectClass::kRelationship);
  EXPECT_EQ(relationship->required,
            (std::vector<std::string_view>{"relationship_type", "source_ref", "target_ref"}));
  const TypeSpec* file = FindTypeSpec("file");
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->required.empty());
  EXPECT_EQ(file->any_of, (std::vector<std::string_view>{"hashes|name"}));
  EXPECT_EQ(FindTypeSpec("marking-definition")->rule, TypeRule::kMarkingDefinitionBody);
}

}  // namespace
}  // namespace tabadul::stix
