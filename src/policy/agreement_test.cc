#include "policy/agreement.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace tabadul::policy {
namespace {

class AgreementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("policy_agreement_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::SqliteStore::Open((dir_ / "t.db").string())).value();
    ASSERT_TRUE(store_->CreateOrganization({kP, "prov", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kR, "recip", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kX, "other", 1}).ok());
    ASSERT_TRUE(store_->CreateCollection({kC, "c", "", "feed", kP, "amber", 1}).ok());
    ASSERT_TRUE(store_->CreateCollection({kD, "d", "", "", kX, "amber", 1}).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Parses then resolves; returns the first failure's message ("" when both succeed).
  std::string Check(const std::string& json) {
    auto a = ParseAgreementJson(json);
    if (!a.ok()) return a.status().message();
    Status st = ResolveAndValidate(*store_, *a);
    return st.ok() ? "" : st.message();
  }

  static constexpr const char* kP = "identity--00000000-0000-4000-8000-000000000001";
  static constexpr const char* kR = "identity--00000000-0000-4000-8000-000000000002";
  static constexpr const char* kX = "identity--00000000-0000-4000-8000-000000000003";
  static constexpr const char* kC = "00000000-0000-4000-8000-0000000000c1";
  static constexpr const char* kD = "00000000-0000-4000-8000-0000000000d1";
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

constexpr const char* kGood =
    R"({"name":"a1","provider":"prov","recipients":["recip"],"collections":["feed"],)"
    R"("max_tlp":"amber","object_types":["indicator","indicator"],"labels":["x"],)"
    R"("valid_from":"2024-01-01T00:00:00Z","valid_until":"2025-01-01T00:00:00Z",)"
    R"("terms":{"attribution":"must-not","encrypt_in_transit":"must","may_forward":true,)"
    R"("permitted_actions":"none"}})";

TEST_F(AgreementTest, ResolvesNamesAndRoundTrips) {
  auto a = ParseAgreementJson(kGood);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(ResolveAndValidate(*store_, *a).ok());
  EXPECT_EQ(a->provider_org, kP);
  EXPECT_EQ(a->recipients, std::vector<std::string>{kR});
  EXPECT_EQ(a->collections, std::vector<std::string>{kC});
  EXPECT_EQ(a->object_types, std::vector<std::string>{"indicator"});
  EXPECT_EQ(a->terms.attribution, Attribution::kMustNot);
  EXPECT_EQ(a->terms.permitted_actions, PermittedAction::kNone);
  auto again = ParseAgreementJson(AgreementToJson(*a));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, *a);
}

struct BadCase {
  const char* json;
  const char* expected_fragment;
};

TEST_F(AgreementTest, RefusesMalformedAgreementsNamingTheField) {
  const BadCase cases[] = {
      {"not json", "malformed JSON"},
      {"[]", "must be a JSON object"},
      {R"({"provider":"prov"})", "name: required"},
      {R"({"name":"bad name!"})", "name: required"},
      {R"({"name":"a","recipients":["recip"],"collections":["feed"],"max_tlp":"amber"})",
       "'a': provider: required"},
      {R"({"name":"a","provider":"prov","collections":["feed"],"max_tlp":"amber"})",
       "recipients: required"},
      {R"({"name":"a","provider":"prov","recipients":[],"collections":["feed"],"max_tlp":"amber"})",
       "recipients: required"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"max_tlp":"amber"})",
       "collections: required"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"]})",
       "max_tlp: required"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"purple"})",
       "max_tlp: unknown TLP 'purple'"},
      {R"({"name":"a","provider":"nobody","recipients":["recip"],"collections":["feed"],"max_tlp":"amber"})",
       "provider: unknown organization 'nobody'"},
      {R"({"name":"a","provider":"prov","recipients":["ghost"],"collections":["feed"],"max_tlp":"amber"})",
       "recipients: unknown organization 'ghost'"},
      {R"({"name":"a","provider":"prov","recipients":["prov"],"collections":["feed"],"max_tlp":"amber"})",
       "recipients: the provider cannot be its own recipient"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["nope"],"max_tlp":"amber"})",
       "collections: no collection 'nope' owned by the provider"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["00000000-0000-4000-8000-0000000000d1"],"max_tlp":"amber"})",
       "collections: no collection '00000000-0000-4000-8000-0000000000d1' owned by the provider"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","valid_from":"2025-01-01T00:00:00Z","valid_until":"2024-01-01T00:00:00Z"})",
       "valid_until: must be after valid_from"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","valid_from":"yesterday"})",
       "valid_from:"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"red"})",
       "red_recipients: max_tlp red needs"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"red_recipients":["recip"],"collections":["feed"],"max_tlp":"amber"})",
       "red_recipients: only allowed when max_tlp is red"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"red_recipients":["other"],"collections":["feed"],"max_tlp":"red"})",
       "red_recipients: '" "identity--00000000-0000-4000-8000-000000000003" "' is not among"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","colections":[]})",
       "colections: unknown field"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","terms":{"attribution":"never"}})",
       "terms.attribution: must be one of"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","terms":{"permitted_actions":"all"}})",
       "terms.permitted_actions"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","terms":{"encrypt_in_transit":true}})",
       "terms.encrypt_in_transit"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","terms":{"may_forward":"yes"}})",
       "terms.may_forward"},
      {R"({"name":"a","provider":"prov","recipients":["recip"],"collections":["feed"],"max_tlp":"amber","terms":{"x":1}})",
       "terms.x: unknown field"},
      {R"({"name":"a","provider":"prov","recipients":"recip","collections":["feed"],"max_tlp":"amber"})",
       "recipients: must be a list"},
      {R"({"name":"a","provider":"prov","recipients":[""],"collections":["feed"],"max_tlp":"amber"})",
       "recipients: must be a list of non-empty strings"},
  };
  for (const auto& c : cases) {
    const std::string message = Check(c.json);
    EXPECT_NE(message.find(c.expected_fragment), std::string::npos)
        << "input: " << c.json << "\nmessage: " << message;
  }
}

TEST_F(AgreementTest, SetFileRefusesDuplicatesAndWrongShape) {
  EXPECT_FALSE(ParseAgreementSetJson(R"({"agreement":[]})").ok());
  EXPECT_FALSE(ParseAgreementSetJson(R"({"agreements":[],"x":1})").ok());
  auto dup = ParseAgreementSetJson(
      R"({"agreements":[{"name":"a","provider":"p","recipients":["r"],"collections":["c"],"max_tlp":"green"},)"
      R"({"name":"a","provider":"p","recipients":["r"],"collections":["c"],"max_tlp":"green"}]})");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("agreements[1] 'a': name: appears twice"),
            std::string::npos);
  auto empty = ParseAgreementSetJson(R"({"agreements":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace tabadul::policy
