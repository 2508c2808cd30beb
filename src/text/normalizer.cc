#include "text/normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <bitset>
#include <memory>

#include "text/internal/utf8.h"

namespace tabadul::text {
namespace {

using internal::AppendUtf8;
using internal::DecodeUtf8;

// Marks removed before composition in every mode: tashkeel and Quranic annotation marks. They
// never compose with a base letter into a precomposed character, so dropping them first is
// equivalent to dropping them after NFKC, and it keeps common vowelled text on the fast path.
bool IsTashkeel(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06DC) ||
         (c >= 0x06DF && c <= 0x06E4) || c == 0x06E7 || c == 0x06E8 ||
         (c >= 0x06EA && c <= 0x06ED) || (c >= 0x08D3 && c <= 0x08E1) ||
         (c >= 0x08E3 && c <= 0x08FF);
}

// Characters dropped after NFKC: bidi controls, zero-width characters, BOM, soft hyphen, Arabic
// letter mark and tatweel. NFKC_Casefold already drops most of them; NFKC does not.
bool IsDropped(char32_t c) {
  return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF ||
         c == 0x00AD || c == 0x061C || c == 0x0640 || c == 0x180E;
}

// The per-code-point mapping applied after NFKC. Returns 0 to drop the code point.
char32_t MapCodePoint(char32_t c, NormalizeMode mode) {
  if (c < 0x80) {
    if (mode == NormalizeMode::kMatch && c >= 'A' && c <= 'Z') return c + 32;
    return c;
  }
  if (IsDropped(c) || IsTashkeel(c)) return 0;
  if (c >= 0x0660 && c <= 0x0669) return U'0' + (c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9) return U'0' + (c - 0x06F0);
  if (c == 0x066B) return U'.';  // Arabic decimal separator
  if (c == 0x066C) return U',';  // Arabic thousands separator
  if (c == 0x066A) return U'%';  // Arabic percent sign
  if (mode == NormalizeMode::kMatch) {
    switch (c) {
      case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672: case 0x0673:
        return 0x0627;  // alef forms -> bare alef
      case 0x0649: case 0x06CC: case 0x0626: case 0x06D2:
        return 0x064A;  // alef maqsura, Persian yeh, yeh with hamza -> yaa
      case 0x0629: case 0x06C0:
        return 0x0647;  // taa marbuta -> haa
      case 0x0624:
        return 0x0648;  // waw with hamza -> waw
      case 0x06A9:
        return 0x0643;  // keheh -> kaf
      default:
        break;
    }
  }
  return c;
}

// For every BMP code point: true when the code point is its own normalization whenever the next
// code point starts a new normalization segment (no decomposition mapping, boundary before).
struct FastTable {
  const icu::Normalizer2* norm = nullptr;
  std::bitset<0x10000> self_mapped;
  std::bitset<0x10000> boundary_before;
  // For the two-byte UTF-8 code points (U+0080..U+07FF, which hold Arabic): true when the code
  // point is copied through unchanged whatever surrounds it, provided the next code point has a
  // boundary before it — self-mapped, boundary before, not dropped or folded in this mode. Runs
  // of such code points are copied without decoding each one.
  std::bitset<0x800> plain2;
};

const FastTable& TableFor(NormalizeMode mode) {
  static const auto build = [](bool casefold) {
    auto t = std::make_unique<FastTable>();
    UErrorCode err = U_ZERO_ERROR;
    t->norm = casefold ? icu::Normalizer2::getNFKCCasefoldInstance(err)
                       : icu::Normalizer2::getNFKCInstance(err);
    if (U_FAILURE(err)) t->norm = nullptr;  // ICU data missing: fall back to no NFKC
    for (char32_t c = 0; c < 0x10000; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      if (t->norm == nullptr) {
        t->self_mapped[c] = true;
        t->boundary_before[c] = true;
        continue;
      }
      icu::UnicodeString decomposition;
      t->self_mapped[c] = !t->norm->getDecomposition(static_cast<UChar32>(c), decomposition);
      t->boundary_before[c] = t->norm->hasBoundaryBefore(static_cast<UChar32>(c));
    }
    const NormalizeMode mode = casefold ? NormalizeMode::kMatch : NormalizeMode::kExtract;
    for (char32_t c = 0x80; c < 0x800; ++c) {
      t->plain2[c] = t->self_mapped[c] && t->boundary_before[c] && !IsTashkeel(c) &&
                     MapCodePoint(c, mode) == c;
    }
    return t;
  };
  static const std::unique_ptr<FastTable> extract = build(false);
  static const std::unique_ptr<FastTable> match = build(true);
  return mode == NormalizeMode::kMatch ? *match : *extract;
}

bool HasBoundaryBefore(const FastTable& t, char32_t c) {
  if (c < 0x10000) return t.boundary_before[c];
  return t.norm == nullptr || t.norm->hasBoundaryBefore(static_cast<UChar32>(c));
}

class Normalizer {
 public:
  Normalizer(std::string_view in, NormalizeMode mode, NormalizedText& out)
      : in_(in), mode_(mode), table_(TableFor(mode)), out_(out) {
    out_.text.clear();
    out_.offsets.Clear();
    out_.text.reserve(in.size());
  }

  void Run() {
    size_t i = 0;
    while (i < in_.size()) {
      i = CopyPlainRun(i);
      if (i >= in_.size()) break;
      i = Step(i);
    }
    Flush();
    out_.offsets.Note(out_.text.size(), in_.size());
  }

 private:
  // Copies a run of ASCII bytes and plain two-byte code points (FastTable::plain2) up to, not
  // including, the run's last code point, which Step() handles because what follows the run (a
  // combining mark, say) may compose with it or require dropping it. Every code point inside the
  // run is followed by one with a boundary before it, so it is its own normalization.
  size_t CopyPlainRun(size_t i) {
    const size_t n = in_.size();
    const auto* s = reinterpret_cast<const unsigned char*>(in_.data());
    size_t j = i;
    size_t last = i;  // start of the run's last code point
    while (j < n) {
      const unsigned char b = s[j];
      if (b < 0x80) {
        last = j++;
        continue;
      }
      if (b < 0xC2 || b > 0xDF || j + 1 >= n || (s[j + 1] & 0xC0) != 0x80) break;
      if (!table_.plain2[((b & 0x1Fu) << 6) | (s[j + 1] & 0x3Fu)]) break;
      last = j;
      j += 2;
    }
    if (j == n) {
      Append(i, j);
      return j;
    }
    if (last > i) {
      Append(i, last);
      return last;
    }
    return i;
  }

  // Identity copies are batched into one append per run of unchanged input: most Arabic text is
  // copied through character by character, and one memcpy per character dominated the profile.
  void CopyIdentity(size_t from, size_t to) {
    if (run_begin_ != kNone && run_end_ == from) {
      run_end_ = to;
      return;
    }
    Flush();
    run_begin_ = from;
    run_end_ = to;
  }

  void Flush() {
    if (run_begin_ == kNone) return;
    out_.offsets.Note(out_.text.size(), run_begin_);
    out_.text.append(in_.data() + run_begin_, run_end_ - run_begin_);
    run_begin_ = kNone;
  }

  void Append(size_t from, size_t to) {
    if (mode_ == NormalizeMode::kExtract) return CopyIdentity(from, to);
    Flush();
    out_.offsets.Note(out_.text.size(), from);
    if (mode_ == NormalizeMode::kMatch) {
      for (size_t k = from; k < to; ++k) {
        char c = in_[k];
        out_.text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      }
    } else {
      out_.text.append(in_.data() + from, to - from);
    }
  }

  // Normalizes the segment (one or more code points) starting at i; returns the next offset.
  size_t Step(size_t i) {
    const auto d = DecodeUtf8(in_, i);
    if (IsTashkeel(d.cp)) return i + d.len;  // dropped; offsets noted by the next append
    const size_t next = i + d.len;
    const bool next_starts_segment =
        next >= in_.size() || HasBoundaryBefore(table_, DecodeUtf8(in_, next).cp);
    const bool self = d.cp < 0x10000 ? table_.self_mapped[d.cp] : false;
    if (self && next_starts_segment) {
      Emit(d.cp, i, next, /*identity=*/true);
      return next;
    }
    return SlowSegment(i);
  }

  // Collects code points until the next one with a boundary before it, normalizes them with ICU
  // and emits the result mapped to the segment's start.
  size_t SlowSegment(size_t i) {
    icu::UnicodeString segment;
    size_t j = i;
    bool first = true;
    while (j < in_.size()) {
      const auto d = DecodeUtf8(in_, j);
      if (!first && HasBoundaryBefore(table_, d.cp)) break;
      first = false;
      if (!IsTashkeel(d.cp)) segment.append(static_cast<UChar32>(d.cp));
      j += d.len;
    }
    Flush();
    icu::UnicodeString normalized;
    if (table_.norm != nullptr) {
      UErrorCode err = U_ZERO_ERROR;
      table_.norm->normalize(segment, normalized, err);
      if (U_FAILURE(err)) normalized = segment;
    } else {
      normalized = segment;
    }
    out_.offsets.Note(out_.text.size(), i);
    for (int32_t k = 0; k < normalized.length();) {
      const UChar32 c = normalized.char32At(k);
      k += U16_LENGTH(c);
      const char32_t mapped = MapCodePoint(static_cast<char32_t>(c), mode_);
      if (mapped != 0) AppendUtf8(out_.text, mapped);
    }
    out_.offsets.Note(out_.text.size(), j);
    return j;
  }

  void Emit(char32_t cp, size_t from, size_t to, bool identity) {
    const char32_t mapped = MapCodePoint(cp, mode_);
    if (mapped == cp && identity && cp != internal::kReplacementChar) return CopyIdentity(from, to);
    Flush();
    out_.offsets.Note(out_.text.size(), from);
    if (mapped != 0) AppendUtf8(out_.text, mapped);
    out_.offsets.Note(out_.text.size(), to);
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);
  size_t run_begin_ = kNone;  // pending identity copy [run_begin_, run_end_) of the input
  size_t run_end_ = 0;
  std::string_view in_;
  NormalizeMode mode_;
  const FastTable& table_;
  NormalizedText& out_;
};

}  // namespace

NormalizedText Normalize(std::string_view original, NormalizeMode mode) {
  NormalizedText out;
  NormalizeInto(original, mode, out);
  return out;
}

void NormalizeInto(std::string_view original, NormalizeMode mode, NormalizedText& out) {
  Normalizer(original, mode, out).Run();
}

std::string NormalizeForMatch(std::string_view s) {
  return Normalize(s, NormalizeMode::kMatch).text;
}

}  // namespace tabadul::text
