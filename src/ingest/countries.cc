#include "ingest/countries.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>

namespace tabadul::ingest {

extern const std::string_view kCountryAliasesData;

namespace {

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

void AddName(std::vector<std::string>& names, std::string name) {
  if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) return;
  names.push_back(std::move(name));
}

// "Myanmar (Burma)" -> "Myanmar (Burma)", "Myanmar", "Burma"; "Congo - Kinshasa" is kept whole.
void AddDisplayName(std::vector<std::string>& names, const std::string& display) {
  AddName(names, display);
  const size_t open = display.find(" (");
  if (open != std::string::npos && display.back() == ')') {
    AddName(names, display.substr(0, open));
    AddName(names, display.substr(open + 2, display.size() - open - 3));
  }
}

std::vector<Country> Build() {
  std::map<std::string, Country> by_code;
  const icu::Locale arabic("ar");
  const icu::Locale english("en");
  for (const char* const* code = icu::Locale::getISOCountries(); *code != nullptr; ++code) {
    const icu::Locale region("", *code);
    icu::UnicodeString ar;
    icu::UnicodeString en;
    region.getDisplayCountry(arabic, ar);
    region.getDisplayCountry(english, en);
    Country c;
    c.code = *code;
    c.english_name = ToUtf8(en);
    if (c.english_name == c.code) continue;  // ICU has no name: not a real region
    AddDisplayName(c.names, c.english_name);
    AddDisplayName(c.names, ToUtf8(ar));
    by_code.emplace(c.code, std::move(c));
  }
  std::vector<std::string> removed;
  std::string_view data = kCountryAliasesData;
  while (!data.empty()) {
    const size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
    const size_t tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string_view::npos) continue;
    const std::string code(line.substr(0, tab));
    const std::string name(line.substr(tab + 1));
    if (code == "-") {
      removed.push_back(name);
    } else if (auto it = by_code.find(code); it != by_code.end()) {
      AddName(it->second.names, name);
    }
  }
  std::vector<Country> out;
  for (auto& [code, c] : by_code) {
    std::erase_if(c.names, [&](const std::string& n) {
      return std::find(removed.begin(), removed.end(), n) != removed.end();
    });
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

const std::vector<Country>& AllCountries() {
  static const std::vector<Country> kCountries = Build();
  return kCountries;
}

const Country* FindCountry(std::string_view code) {
  const auto& all = AllCountries();
  auto it = std::lower_bound(all.begin(), all.end(), code,
                             [](const Country& c, std::string_view k) { return c.code < k; });
  return it != all.end() && it->code == code ? &*it : nullptr;
}

}  // namespace tabadul::ingest
