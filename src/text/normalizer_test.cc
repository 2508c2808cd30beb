#include "text/normalizer.h"

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <random>

#include "text/internal/utf8.h"

namespace tabadul::text {
namespace {

std::string Extract(std::string_view s) { return Normalize(s, NormalizeMode::kExtract).text; }
std::string Match(std::string_view s) { return Normalize(s, NormalizeMode::kMatch).text; }

TEST(NormalizerTest, AsciiIsUnchangedInExtractModeAndLowerCasedInMatchMode) {
  EXPECT_EQ(Extract("Hello APT28 1.2.3.4"), "Hello APT28 1.2.3.4");
  EXPECT_EQ(Match("Hello APT28 1.2.3.4"), "hello apt28 1.2.3.4");
}

TEST(NormalizerTest, ArabicIndicDigitsBecomeAscii) {
  EXPECT_EQ(Extract("١٩٢.١٦٨.١.١"), "192.168.1.1");
  EXPECT_EQ(Extract("۱۲۳۴"), "1234");          // Eastern Arabic-Indic (Persian/Urdu)
  EXPECT_EQ(Extract("٣٫١٤"), "3.14");          // Arabic decimal separator
}

TEST(NormalizerTest, BidiControlsAndZeroWidthCharactersAreRemoved) {
  EXPECT_EQ(Extract("evil\u200F.com"), "evil.com");
  EXPECT_EQ(Extract("\u202Bex\u200Bample\u202C\u2066.org\u2069\uFEFF"), "example.org");
  EXPECT_EQ(Extract("a\u061Cb\u00ADc"), "abc");
}

TEST(NormalizerTest, TashkeelAndTatweelAreRemoved) {
  EXPECT_EQ(Extract("مُـــحَمَّدٌ"), "محمد");
  EXPECT_EQ(Extract("ev\u0640il.com"), "evil.com");  // tatweel inside a Latin run
}

TEST(NormalizerTest, NfkcFoldsCompatibilityForms) {
  EXPECT_EQ(Extract("ｅｖｉｌ．ｃｏｍ"), "evil.com");  // full-width forms
  EXPECT_EQ(Extract("\uFEFB"), "\u0644\u0627");       // lam-alef ligature
  EXPECT_EQ(Extract("\uFE8D\uFEDF"), "\u0627\u0644");  // presentation forms
  EXPECT_EQ(Extract("e\u0301"), "\u00E9");            // composition
}

TEST(NormalizerTest, MatchModeFoldsAlefYaaTaaMarbutaAndHamzaSeats) {
  EXPECT_EQ(Match("أإآٱا"), "ااااا");
  EXPECT_EQ(Match("مستشفى"), "مستشفي");
  EXPECT_EQ(Match("المملكة"), "المملكه");
  EXPECT_EQ(Match("إسرائيل"), "اسراييل");
  EXPECT_EQ(Match("مُؤْتَمَر"), "موتمر");
  EXPECT_EQ(Match("الإِمَارَات"), "الامارات");
  EXPECT_EQ(Match("ÉCOLE"), "école");
}

TEST(NormalizerTest, ExtractModeKeepsLetterIdentity) {
  EXPECT_EQ(Extract("إسرائيل"), "إسرائيل");
}

TEST(NormalizerTest, InvalidUtf8BecomesReplacementCharacter) {
  const std::string bad = std::string("a\xFF") + "b\xE2\x82";
  EXPECT_EQ(Extract(bad), "a\uFFFDb\uFFFD\uFFFD");
}

TEST(NormalizerTest, OffsetsPointIntoTheOriginal) {
  const std::string original = "IP \u200F١٩٢.٠.٢.١\u200F here";
  NormalizedText n = Normalize(original, NormalizeMode::kExtract);
  ASSERT_EQ(n.text, "IP 192.0.2.1 here");
  const size_t b = n.text.find("192");
  const size_t e = b + std::string("192.0.2.1").size();
  const size_t ob = n.offsets.ToSource(b);
  const size_t oe = n.offsets.ToSourceEnd(e, original.data(), original.size());
  EXPECT_EQ(original.substr(ob, oe - ob), "١٩٢.٠.٢.١");
  const size_t h = n.text.find("here");
  EXPECT_EQ(original.substr(n.offsets.ToSource(h), 4), "here");
}

TEST(NormalizerTest, OffsetsSurviveTashkeel) {
  const std::string original = "في مَدِينَةِ الرِّيَاض";
  NormalizedText n = Normalize(original, NormalizeMode::kMatch);
  const size_t b = n.text.find("الرياض");
  ASSERT_NE(b, std::string::npos);
  const size_t ob = n.offsets.ToSource(b);
  const size_t oe = n.offsets.ToSourceEnd(n.text.size(), original.data(), original.size());
  EXPECT_EQ(original.substr(ob, oe - ob), "الرِّيَاض");
}

TEST(NormalizerTest, PlainTextNeedsNoCheckpoints) {
  NormalizedText n = Normalize("plain ascii and عربي بدون تشكيل", NormalizeMode::kExtract);
  EXPECT_EQ(n.offsets.checkpoint_count(), 0u);
}

TEST(NormalizerTest, OffsetsInsideAnExpandedSegmentStayInIt) {
  // Fuzzer regression: "¾" becomes "3⁄4" (5 bytes from 2) right after an identity prefix.
  const std::string in("\xd9\xbe\x0b\xc2\xbe");
  NormalizedText n = Normalize(in, NormalizeMode::kExtract);
  ASSERT_EQ(n.text.size(), 8u);
  for (size_t i = 3; i < n.text.size(); ++i) {
    EXPECT_GE(n.offsets.ToSource(i), 3u) << i;
    EXPECT_LE(n.offsets.ToSource(i), in.size()) << i;
  }
  EXPECT_EQ(n.offsets.ToSource(8), in.size());
}

TEST(NormalizerTest, NormalizeIntoAReusedBufferEqualsAFreshNormalize) {
  // The first text leaves many checkpoints and a long buffer behind; the second must not see them.
  const std::string first = "\u202B١٩٢.١٦٨.١.١\u200F مُـحَمَّد ｅｖｉｌ．ｃｏｍ e\u0301 and more";
  const std::string second = "evil\u200F.com ٣٫١٤";
  NormalizedText reused;
  for (NormalizeMode mode : {NormalizeMode::kExtract, NormalizeMode::kMatch}) {
    for (const std::string* text : {&first, &second, &first}) {
      NormalizeInto(*text, mode, reused);
      const NormalizedText fresh = Normalize(*text, mode);
      ASSERT_EQ(reused.text, fresh.text);
      ASSERT_EQ(reused.offsets.checkpoint_count(), fresh.offsets.checkpoint_count());
      for (size_t k = 0; k <= fresh.text.size(); ++k) {
        ASSERT_EQ(reused.offsets.ToSource(k), fresh.offsets.ToSource(k)) << k;
      }
    }
  }
}

// Reference for kExtract straight from the definition: drop tashkeel, NFKC the whole string with
// ICU, then drop bidi/zero-width/tatweel and map Arabic digits and separators. The implementation
// takes shortcuts (runs copied without decoding, per-segment ICU calls); they must not show.
std::string ReferenceExtract(const std::u32string& cps) {
  icu::UnicodeString in;
  for (char32_t c : cps) {
    const bool tashkeel = (c >= 0x064B && c <= 0x065F) || c == 0x0670;
    if (!tashkeel) in.append(static_cast<UChar32>(c));
  }
  UErrorCode err = U_ZERO_ERROR;
  icu::UnicodeString nfkc = icu::Normalizer2::getNFKCInstance(err)->normalize(in, err);
  std::string out;
  for (int32_t k = 0; k < nfkc.length();) {
    char32_t c = static_cast<char32_t>(nfkc.char32At(k));
    k += U16_LENGTH(c);
    if ((c >= 0x200B && c <= 0x200F) || c == 0x0640 || c == 0x061C) continue;
    if (c >= 0x0660 && c <= 0x0669) c = U'0' + (c - 0x0660);
    if (c == 0x066B) c = U'.';
    internal::AppendUtf8(out, c);
  }
  return out;
}

TEST(NormalizerTest, RandomMixedTextMatchesTheReferenceDefinition) {
  // Letters that compose or decompose (alef with madda, e + acute, lam-alef ligature, full-width),
  // marks that are dropped, controls, digits: the cases where a shortcut could go wrong.
  const std::u32string alphabet = {
      U'a', U'E', U'.', U' ', U'1', 0x0627, 0x0644, 0x0645, 0x0622, 0x0623, 0x0653, 0x0654,
      0x064E, 0x0651, 0x0670, 0x0301, 0x0308, 0x00E9, 0x00C5, 0x212B, 0x200F, 0x200B, 0x0640,
      0x061C, 0x0663, 0x066B, 0xFEFB, 0xFF45, 0x0410, 0x0306, 0x1100, 0x1161, 0x06C1, 0x0654};
  std::mt19937 rng(7);
  for (int round = 0; round < 5000; ++round) {
    std::u32string cps;
    const size_t len = rng() % 24;
    for (size_t k = 0; k < len; ++k) cps.push_back(alphabet[rng() % alphabet.size()]);
    std::string utf8;
    for (char32_t c : cps) internal::AppendUtf8(utf8, c);
    ASSERT_EQ(Extract(utf8), ReferenceExtract(cps)) << "round " << round;
  }
}

TEST(NormalizerTest, EmptyInput) {
  EXPECT_EQ(Extract(""), "");
  EXPECT_EQ(NormalizeForMatch(""), "");
}

}  // namespace
}  // namespace tabadul::text
