#include "text/refang.h"

#include <gtest/gtest.h>

namespace tabadul::text {
namespace {

std::string Refang(std::string_view s) { return Refanger::Default().Apply(s).text; }

TEST(RefangTest, DefaultTableParses) { EXPECT_GT(Refanger::Default().rule_count(), 20u); }

TEST(RefangTest, CommonDefangedForms) {
  EXPECT_EQ(Refang("hxxp://evil[.]com"), "http://evil.com");
  EXPECT_EQ(Refang("HXXPS://evil(.)com"), "httpS://evil.com");  // the extractor lower-cases schemes
  EXPECT_EQ(Refang("1.2.3{.}4"), "1.2.3.4");
  EXPECT_EQ(Refang("evil[dot]com"), "evil.com");
  EXPECT_EQ(Refang("evil dot com"), "evil.com");
  EXPECT_EQ(Refang("user[at]mail[.]ru"), "user@mail.ru");
  EXPECT_EQ(Refang("http[:]//x[.]org"), "http://x.org");
  EXPECT_EQ(Refang("evil\\.com"), "evil.com");
}

TEST(RefangTest, ArabicForms) {
  EXPECT_EQ(Refang("evil نقطة com"), "evil.com");
  EXPECT_EQ(Refang("evil[نقطة]com"), "evil.com");
  EXPECT_EQ(Refang("evil(نقطه)net"), "evil.net");
}

TEST(RefangTest, EditsAndOffsetsAreRecorded) {
  const std::string in = "go hxxp://a[.]b now";
  RefangedText r = Refanger::Default().Apply(in);
  ASSERT_EQ(r.text, "go http://a.b now");
  EXPECT_TRUE(r.EditedWithin(3, 13));
  EXPECT_FALSE(r.EditedWithin(14, 17));
  EXPECT_EQ(in.substr(r.offsets.ToSource(14), 3), "now");
}

TEST(RefangTest, ParseErrors) {
  EXPECT_FALSE(Refanger::Parse("no tab here\n").ok());
  EXPECT_FALSE(Refanger::Parse("\t.\n").ok());
  EXPECT_FALSE(Refanger::Parse("a\\q\tb\n").ok());
  auto custom = Refanger::Parse("# comment\n(punkt)\t.\n");
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->Apply("a(PUNKT)de").text, "a.de");
}

TEST(RefangTest, ApplyIntoAReusedBufferEqualsAFreshApply) {
  const std::string first = "hxxp://a[.]b[.]c user[at]x(.)org evil نقطة com";
  const std::string second = "plain text, then 1.2.3[.]4";
  RefangedText reused;
  for (const std::string* text : {&first, &second, &first, &second}) {
    Refanger::Default().ApplyInto(*text, reused);
    const RefangedText fresh = Refanger::Default().Apply(*text);
    ASSERT_EQ(reused.text, fresh.text);
    ASSERT_EQ(reused.edit_offsets, fresh.edit_offsets);
    for (size_t k = 0; k <= fresh.text.size(); ++k) {
      ASSERT_EQ(reused.offsets.ToSource(k), fresh.offsets.ToSource(k)) << k;
    }
  }
}

}  // namespace
}  // namespace tabadul::text
