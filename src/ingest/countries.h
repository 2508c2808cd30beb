// Countries by ISO 3166 code with their Arabic and English names, from ICU's localized display
// names (icu::Locale::getDisplayCountry with "ar" and "en" for every ISO 3166 region) plus the
// short forms and demonyms in data/country_aliases.tsv. Pure (ICU data is compiled in).
#pragma once

#include <string>
#include <vector>

namespace tabadul::ingest {

struct Country {
  std::string code;                // "IR"
  std::string english_name;        // "Iran", ICU's English display name
  std::vector<std::string> names;  // every name and alias, Arabic and English
};

// Built once, then shared; thread-safe.
const std::vector<Country>& AllCountries();
const Country* FindCountry(std::string_view code);

}  // namespace tabadul::ingest
