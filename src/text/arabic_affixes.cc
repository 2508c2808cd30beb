#include "text/arabic_affixes.h"

#include <algorithm>
#include <array>

#include "text/internal/utf8.h"

namespace tabadul::text {
namespace {

// Each Arabic letter used here is two bytes in UTF-8.
constexpr std::string_view kWaw = "\u0648";
constexpr std::string_view kFa = "\u0641";
constexpr std::string_view kBa = "\u0628";
constexpr std::string_view kKaf = "\u0643";
constexpr std::string_view kLam = "\u0644";
constexpr std::string_view kAl = "\u0627\u0644";

bool HasArabic(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto d = internal::DecodeUtf8(s, i);
    if (internal::IsArabicLetter(d.cp)) return true;
    i += d.len;
  }
  return false;
}

void AddReading(std::vector<std::string>& out, std::string_view stem) {
  if (internal::CodePointCount(stem) < 2) return;
  if (std::find(out.begin(), out.end(), stem) == out.end()) out.emplace_back(stem);
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::vector<std::string> ProcliticReadings(std::string_view token) {
  std::vector<std::string> out;
  out.emplace_back(token);
  if (!HasArabic(token)) return out;
  // conjunction? then preposition? then article? Every combination that is present.
  std::array<std::string_view, 2> conjunctions = {kWaw, kFa};
  std::array<std::string_view, 3> prepositions = {kBa, kKaf, kLam};
  for (int c = -1; c < 2; ++c) {
    std::string_view rest = token;
    if (c >= 0) {
      if (!StartsWith(rest, conjunctions[c])) continue;
      rest.remove_prefix(conjunctions[c].size());
      AddReading(out, rest);
    }
    for (int p = -1; p < 3; ++p) {
      std::string_view after_prep = rest;
      if (p >= 0) {
        if (!StartsWith(after_prep, prepositions[p])) continue;
        after_prep.remove_prefix(prepositions[p].size());
        AddReading(out, after_prep);
        // ل + ال is written "لل": the article's alef is dropped.
        if (p == 2 && StartsWith(after_prep, kLam)) AddReading(out, after_prep.substr(kLam.size()));
      }
      if (StartsWith(after_prep, kAl)) AddReading(out, after_prep.substr(kAl.size()));
    }
  }
  return out;
}

std::optional<std::string> StripNisba(std::string_view word, size_t min_stem_letters) {
  // Longest first: -يين -يون -يات -يان (plural, dual), -يه (feminine, taa marbuta folded), -ي.
  static constexpr std::array<std::string_view, 6> kSuffixes = {
      "\u064A\u064A\u0646", "\u064A\u0648\u0646", "\u064A\u0627\u062A",
      "\u064A\u0627\u0646", "\u064A\u0647",       "\u064A"};
  for (std::string_view suffix : kSuffixes) {
    if (word.size() > suffix.size() && word.substr(word.size() - suffix.size()) == suffix) {
      std::string_view stem = word.substr(0, word.size() - suffix.size());
      if (internal::CodePointCount(stem) < min_stem_letters) return std::nullopt;
      return std::string(stem);
    }
  }
  return std::nullopt;
}

}  // namespace tabadul::text
