#include "stix/id.h"

#include <gtest/gtest.h>

#include "stix/validator.h"

namespace tabadul::stix {
namespace {

TEST(IsValidIdTest, AcceptsRfc4122Ids) {
  EXPECT_TRUE(IsValidId("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"));
  EXPECT_TRUE(IsValidId("file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d"));    // v5
  EXPECT_TRUE(IsValidId("x-mitre-tactic--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F"));  // upper hex
  EXPECT_TRUE(IsValidId("x-foo--017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));  // v7 (RFC 9562)
}

TEST(IsValidIdTest, RefusesMalformedIds) {
  for (std::string_view id : {
           "", "indicator", "indicator--", "--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
           "indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
           "indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f",
           "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3",
           "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3ff",
           "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g",
           "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f",  // version 0
           "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f",  // variant 110x
           "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f",  // variant 0xxx
           "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
           "in--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
           "ind--icator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
           "-indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
       }) {
    EXPECT_FALSE(IsValidId(id)) << id;
  }
}

TEST(NewIdTest, FormatsUuidV4FromCallerBytes) {
  std::array<uint8_t, 16> zeros{};
  EXPECT_EQ(NewId("indicator", zeros), "indicator--00000000-0000-4000-8000-000000000000");
  std::array<uint8_t, 16> ones;
  ones.fill(0xFF);
  EXPECT_EQ(NewId("report", ones), "report--ffffffff-ffff-4fff-bfff-ffffffffffff");
  std::array<uint8_t, 16> seq;
  for (int i = 0; i < 16; ++i) seq[i] = uint8_t(i * 17);
  std::string id = NewId("grouping", seq);
  EXPECT_EQ(id, "grouping--00112233-4455-4677-8899-aabbccddeeff");
  EXPECT_TRUE(IsValidId(id));
}

TEST(UuidV5Test, Rfc4122DnsExample) {
  // Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"), a widely published value.
  auto r = UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_FALSE(UuidV5("not-a-uuid", "x").ok());
  EXPECT_FALSE(UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430cz", "x").ok());
}

TEST(CanonicalJsonTest, SortsKeysByUtf16AndFormatsNumbers) {
  auto r = CanonicalJson(
      R"({"b":[1.5,1e21,1e-7,100,0.000001,-0.0,-3],"a":"\u20ac\n\u0001\"\\/","\u00e9":1, "z" : true, "n":null})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{\"a\":\"\xE2\x82\xAC\\n\\u0001\\\"\\\\/\",\"b\":[1.5,1e+21,1e-7,100,0.000001,0,-3],"
                "\"n\":null,\"z\":true,\"\xC3\xA9\":1}");
  // U+10000 (surrogate pair D800 DC00) sorts before U+FFFD in UTF-16 order, after it in UTF-8.
  auto s = CanonicalJson("{\"\xEF\xBF\xBD\":1,\"\xF0\x90\x80\x80\":2}");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "{\"\xF0\x90\x80\x80\":2,\"\xEF\xBF\xBD\":1}");
  EXPECT_FALSE(CanonicalJson("{").ok());
  // ECMAScript prints doubles below 1e21 without exponent (found by the fuzzer).
  EXPECT_EQ(*CanonicalJson("444444444444444444440.1"), "444444444444444460000");
  // Duplicate names have no canonical form (found by the fuzzer: sorting made it unstable).
  EXPECT_EQ(CanonicalJson(R"({"a":1,"b":[{"k":1,"k":2}]})").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ScoIdTest, MatchesOasisExampleIds) {
  // The OASIS example "sighting-of-observed-data" carries this file with this id.
  auto file = DeterministicScoId(
      R"({"type": "file", "id": "file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d", "spec_version": "2.1",
          "hashes": {"MD5": "1717b7fff97d37a1e1a0029d83492de1",
                     "SHA-1": "c79a326f8411e9488bdc3779753e1e3489aaedea"},
          "size": 83968, "name": "resume.pdf"})");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(*file, "file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d");
  // The same, from the contributing properties given directly (key order does not matter).
  auto direct = ScoIdFromContributing(
      "file", R"({"name":"resume.pdf","hashes":{"MD5":"1717b7fff97d37a1e1a0029d83492de1"}})");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(*direct, *file);
  // The python-stix2 documentation's DomainName(value="example.com").
  auto domain = ScoIdFromContributing("domain-name", R"({"value":"example.com"})");
  ASSERT_TRUE(domain.ok());
  EXPECT_EQ(*domain, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
}

TEST(ScoIdTest, EveryMatchingTypeGetsAValidVersion5Id) {
  for (std::string_view json : {
           R"({"type":"ipv4-addr","value":"198.51.100.3"})",
           R"({"type":"ipv6-addr","value":"2001:db8::1"})",
           R"({"type":"domain-name","value":"example.com"})",
           R"({"type":"url","value":"https://example.com/"})",
           R"({"type":"email-addr","value":"a@example.com","display_name":"ignored"})",
           R"({"type":"file","hashes":{"SHA-256":"aa"}})", R"({"type":"file","name":"a.exe"})"}) {
    auto id = DeterministicScoId(json);
    ASSERT_TRUE(id.ok()) << json << ": " << id.status().ToString();
    EXPECT_TRUE(IsValidId(*id)) << *id;
    EXPECT_EQ((*id)[id->find("--") + 2 + 14], '5') << *id;
    // A full object with that id passes the validator.
    std::string obj(json);
    obj.insert(1, "\"id\":\"" + *id + "\",");
    EXPECT_TRUE(ParseObject(obj).ok()) << obj;
  }
  // Non-contributing properties do not change the id.
  EXPECT_EQ(*DeterministicScoId(R"({"type":"email-addr","value":"a@example.com"})"),
            *DeterministicScoId(R"({"type":"email-addr","value":"a@example.com","display_name":"x"})"));
  // MD5 is preferred over SHA-256 whatever the order.
  EXPECT_EQ(*DeterministicScoId(R"({"type":"file","hashes":{"SHA-256":"bb","MD5":"aa"}})"),
            *ScoIdFromContributing("file", R"({"hashes":{"MD5":"aa"}})"));
}

TEST(ScoIdTest, Errors) {
  EXPECT_EQ(DeterministicScoId(R"({"type":"process","pid":1})").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(DeterministicScoId(R"({"type":"url"})").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DeterministicScoId("[").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DeterministicScoId("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ScoIdFromContributing("url", "{}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ScoIdFromContributing("url", "[]").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tabadul::stix
