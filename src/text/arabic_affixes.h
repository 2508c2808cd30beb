// Arabic clitics and derivational suffixes, for matching words whatever their attached prefixes.
//
// Arabic writes conjunctions (و ف), prepositions (ب ك ل) and the article (ال) as part of the word:
// "والجزائر" is "and + the + Algeria", "للمغرب" is "to + the + Morocco" (ل + ال with the alef
// dropped). Snowball's Arabic stemmer strips only some of these and leaves e.g. "والمعلومات"
// whole, so we peel clitics first. Because a word may also simply begin with one of these
// letters ("بريطانيا", "لبنان"), stripping is not decided here: callers get every plausible
// reading and match or index all of them. Input must already be normalized with
// NormalizeMode::kMatch (alef forms folded, taa marbuta as haa). Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabadul::text {

// The token itself followed by each distinct reading with a proclitic sequence removed
// (conjunction? preposition? article?), keeping at least two letters of stem. Examples:
// "والجزاير" -> {"والجزاير", "الجزاير", "جزاير"}; "للمغرب" -> {"للمغرب", "لمغرب", "مغرب"}.
// A token without Arabic letters yields just itself.
std::vector<std::string> ProcliticReadings(std::string_view token);

// The stem of an adjective of relation (nisba) or its inflections: "ايرانيه" -> "ايران",
// "مصري" -> "مصر", "الجزايريين" minus the article -> "جزاير". nullopt when the word does not end in
// a nisba suffix or the stem would keep fewer than `min_stem_letters` letters.
std::optional<std::string> StripNisba(std::string_view word, size_t min_stem_letters = 3);

}  // namespace tabadul::text
