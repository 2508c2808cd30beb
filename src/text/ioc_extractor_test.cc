#include "text/ioc_extractor.h"

#include <gtest/gtest.h>

#include <thread>

namespace tabadul::text {
namespace {

constexpr std::string_view kList = "com\nnet\norg\nru\nuk\nco.uk\nzip\nio\ninfo\ntop\nin\nsa\n";

class ExtractorTest : public ::testing::Test {
 protected:
  ExtractorTest() : psl_(PublicSuffixList::Parse(kList).value()), extractor_(psl_) {}

  std::vector<std::string> Values(std::string_view text) {
    std::vector<std::string> out;
    for (const Indicator& i : extractor_.Extract(text)) {
      out.push_back(std::string(IndicatorKindName(i.kind)) + ":" + i.value);
    }
    return out;
  }
  using V = std::vector<std::string>;

  PublicSuffixList psl_;
  IndicatorExtractor extractor_;
};

TEST_F(ExtractorTest, Ipv4AndCidr) {
  EXPECT_EQ(Values("C2 at 185.220.101.4, range 45.9.148.0/24."),
            (V{"ipv4:185.220.101.4", "ipv4:45.9.148.0/24"}));
  EXPECT_EQ(Values("1.2.3.4.5 and 256.1.1.1 and 1.2.3 are not"), V{});
  EXPECT_EQ(Values("host 91.92.93.94:8443"), V{"ipv4:91.92.93.94"});
}

TEST_F(ExtractorTest, Ipv6) {
  EXPECT_EQ(Values("addr 2a03:2880:F10C:83::25, net 2a03:2880::/32"),
            (V{"ipv6:2a03:2880:f10c:83::25", "ipv6:2a03:2880::/32"}));
  EXPECT_EQ(Values("at 10:30:00 std::string"), V{});
}

TEST_F(ExtractorTest, DomainsNeedAPublicSuffix) {
  EXPECT_EQ(Values("Visit update-check.co.uk and e.g. file.exe or v1.2 now"),
            V{"domain:update-check.co.uk"});
  EXPECT_EQ(Values("Evil-Domain.COM."), V{"domain:evil-domain.com"});
  EXPECT_EQ(Values("the end.In the"), V{});
}

TEST_F(ExtractorTest, FileExtensionTldsCountOnlyWhenDefanged) {
  EXPECT_EQ(Values("opened invoice.zip then"), V{});
  EXPECT_EQ(Values("contacted invoice[.]zip then"), V{"domain:invoice.zip"});
  EXPECT_EQ(Values("cdn.invoice.zip"), V{"domain:cdn.invoice.zip"});
}

TEST_F(ExtractorTest, Urls) {
  EXPECT_EQ(Values("see (hxxps://evil[.]com/a/b.php?id=1&x=2)."),
            V{"url:https://evil.com/a/b.php?id=1&x=2"});
  EXPECT_EQ(Values("http://185.220.101.4:8080/gate"), V{"url:http://185.220.101.4:8080/gate"});
  EXPECT_EQ(Values("http://[2001:db8::1]/x"), V{"url:http://[2001:db8::1]/x"});
  EXPECT_EQ(Values("mailto://x and http://localhost/"), V{});
}

TEST_F(ExtractorTest, Emails) {
  EXPECT_EQ(Values("from hr.dept+jobs@mail-service.ru, or admin[at]evil[.]top"),
            (V{"email:hr.dept+jobs@mail-service.ru", "email:admin@evil.top"}));
}

TEST_F(ExtractorTest, Hashes) {
  EXPECT_EQ(Values("md5 5D41402ABC4B2A76B9719D911017C592 sha1 "
                   "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
            (V{"md5:5d41402abc4b2a76b9719d911017c592",
               "sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}));
  EXPECT_EQ(Values("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
            V{"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"});
  EXPECT_EQ(Values("5d41402abc4b2a76b9719d911017c5921"), V{});  // 33 digits
}

TEST_F(ExtractorTest, CveTechniqueAsn) {
  EXPECT_EQ(Values("CVE-2024-3400, cve-2023-23397; T1566.001 and T1059 via AS13335 / ASN 9009"),
            (V{"cve:CVE-2024-3400", "cve:CVE-2023-23397", "attack-technique:T1566.001",
               "attack-technique:T1059", "asn:AS13335", "asn:AS9009"}));
  EXPECT_EQ(Values("T12345 AS0 as 13335"), V{});
}

TEST_F(ExtractorTest, ArabicTextWithDigitsBidiAndDefanging) {
  const std::string text =
      "رصد الفريق اتصالات بالعنوان \u200F١٨٥.٢٢٠.١٠١.٤\u200F والنطاق evil نقطة com، "
      "والبريد admin[at]evil[.]top.";
  EXPECT_EQ(Values(text), (V{"ipv4:185.220.101.4", "domain:evil.com", "email:admin@evil.top"}));
  auto inds = extractor_.Extract(text);
  ASSERT_EQ(inds.size(), 3u);
  EXPECT_EQ(text.substr(inds[0].begin, inds[0].end - inds[0].begin), "١٨٥.٢٢٠.١٠١.٤");
  EXPECT_FALSE(inds[0].defanged);
  EXPECT_EQ(text.substr(inds[1].begin, inds[1].end - inds[1].begin), "evil نقطة com");
  EXPECT_TRUE(inds[1].defanged);
}

TEST_F(ExtractorTest, FlagsForPrivateDocumentationAndReserved) {
  auto inds = extractor_.Extract(
      "10.1.2.3 192.0.2.5 127.0.0.1 8.8.8.8 fe80::1 2001:db8::5 www.example.com 0.0.0.0 224.0.0.1");
  ASSERT_EQ(inds.size(), 9u);
  EXPECT_EQ(inds[0].flags, kFlagPrivate);
  EXPECT_EQ(inds[1].flags, kFlagDocumentation);
  EXPECT_EQ(inds[2].flags, kFlagLoopback);
  EXPECT_EQ(inds[3].flags, kFlagNone);
  EXPECT_EQ(inds[4].flags, kFlagLinkLocal);
  EXPECT_EQ(inds[5].flags, kFlagDocumentation);
  EXPECT_EQ(inds[6].flags, kFlagDocumentation);
  EXPECT_EQ(inds[7].flags, kFlagReserved);
  EXPECT_EQ(inds[8].flags, kFlagMulticast);
  EXPECT_EQ(FlagNames(kFlagPrivate | kFlagDocumentation), "private,documentation");
}

TEST_F(ExtractorTest, DeduplicateKeepsFirstOccurrence) {
  auto d = Deduplicate(extractor_.Extract("evil.com then EVIL.com then evil[.]com"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].begin, 0u);
  EXPECT_TRUE(d[0].defanged);
}

// Extract keeps its intermediate buffers per thread: a call must not see the previous one's text,
// offsets or edits. A fresh thread (fresh buffers) is the reference.
TEST_F(ExtractorTest, ReusedBuffersGiveTheSameResultAsFreshOnes) {
  const std::string long_text =
      "رصد ١٨٥.٢٢٠.١٠١.٤ والنطاق evil-update[.]com \u200F hxxps://cdn[.]net/gate.php "
      "admin[at]mail-service[.]ru CVE-2024-3400 then 2a03:2880::/32 and AS 13335.";
  const std::string short_text = "c2 evil[.]io, 10.0.0.1";
  auto fingerprint = [](const std::vector<Indicator>& inds) {
    std::vector<std::string> out;
    for (const Indicator& i : inds) {
      out.push_back(std::string(IndicatorKindName(i.kind)) + ":" + i.value + "@" +
                    std::to_string(i.begin) + "-" + std::to_string(i.end) + "/" +
                    std::to_string(i.flags) + (i.defanged ? "d" : ""));
    }
    return out;
  };
  auto in_fresh_thread = [&](const std::string& text) {
    std::vector<std::string> out;
    std::thread([&] { out = fingerprint(extractor_.Extract(text)); }).join();
    return out;
  };
  const V long_fresh = in_fresh_thread(long_text);
  const V short_fresh = in_fresh_thread(short_text);
  EXPECT_EQ(long_fresh,
            (V{"ipv4:185.220.101.4@7-30/0", "domain:evil-update.com@46-63/0d",
               "url:https://cdn.net/gate.php@68-94/0d", "email:admin@mail-service.ru@95-121/0d",
               "cve:CVE-2024-3400@122-135/0", "ipv6:2a03:2880::/32@141-155/0",
               "asn:AS13335@160-168/0"}));
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(fingerprint(extractor_.Extract(long_text)), long_fresh);
    EXPECT_EQ(fingerprint(extractor_.Extract(short_text)), short_fresh);
  }
  EXPECT_EQ(fingerprint(extractor_.Extract("")), V{});
}

TEST_F(ExtractorTest, HostileInputDoesNotCrash) {
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) % 256);
  (void)extractor_.Extract(junk);
  (void)extractor_.Extract(std::string(10000, '.'));
  (void)extractor_.Extract("http://" + std::string(5000, '['));
  (void)extractor_.Extract("a@" + std::string(3000, '@'));
}

}  // namespace
}  // namespace tabadul::text
