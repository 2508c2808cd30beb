#include "text/refang.h"

#include <algorithm>

namespace tabadul::text {

extern const std::string_view kRefangRulesData;  // generated from data/refang_rules.tsv

namespace {

unsigned char Lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Keys of the case-folded first two (three) bytes at p in Refanger::pairs_ (triples_).
size_t PairKey(const char* p) {
  return (size_t{Lower(static_cast<unsigned char>(p[0]))} << 8) |
         Lower(static_cast<unsigned char>(p[1]));
}
size_t TripleKey(const char* p) {
  const size_t h = PairKey(p) * 131 + Lower(static_cast<unsigned char>(p[2]));
  return (h ^ (h >> 16)) & 0xFFFF;
}

Result<std::string> Unescape(std::string_view s, size_t line_no) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    const char e = s[++i];
    if (e == 's') out.push_back(' ');
    else if (e == 't') out.push_back('\t');
    else if (e == '\\') out.push_back('\\');
    else if (e == '.' || e == '/' || e == '[' || e == ']') { out.push_back('\\'); out.push_back(e); }
    else return InvalidArgument("refang rules line " + std::to_string(line_no) + ": bad escape \\" + e);
  }
  return out;
}

bool MatchesAt(std::string_view text, size_t i, std::string_view form) {
  if (text.size() - i < form.size()) return false;
  for (size_t k = 0; k < form.size(); ++k) {
    if (Lower(static_cast<unsigned char>(text[i + k])) != Lower(static_cast<unsigned char>(form[k]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool RefangedText::EditedWithin(size_t begin, size_t end) const {
  auto it = std::lower_bound(edit_offsets.begin(), edit_offsets.end(), begin);
  return it != edit_offsets.end() && *it < end;
}

Result<Refanger> Refanger::Parse(std::string_view table) {
  std::vector<RefangRule> rules;
  size_t line_no = 0;
  while (!table.empty()) {
    ++line_no;
    const size_t nl = table.find('\n');
    std::string_view line = table.substr(0, nl);
    table = nl == std::string_view::npos ? std::string_view() : table.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return InvalidArgument("refang rules line " + std::to_string(line_no) + ": no tab");
    }
    TABADUL_ASSIGN_OR_RETURN(std::string from, Unescape(line.substr(0, tab), line_no));
    TABADUL_ASSIGN_OR_RETURN(std::string to, Unescape(line.substr(tab + 1), line_no));
    if (from.empty()) {
      return InvalidArgument("refang rules line " + std::to_string(line_no) + ": empty form");
    }
    rules.push_back({std::move(from), std::move(to)});
  }
  return Refanger(std::move(rules));
}

const Refanger& Refanger::Default() {
  static const Refanger kDefault = [] {
    auto parsed = Parse(kRefangRulesData);
    assert(parsed.ok());  // checked by refang_test
    return std::move(parsed).value();
  }();
  return kDefault;
}

Refanger::Refanger(std::vector<RefangRule> rules) : rules_(std::move(rules)) {
  std::stable_sort(rules_.begin(), rules_.end(), [](const RefangRule& a, const RefangRule& b) {
    return a.from.size() > b.from.size();
  });
  for (uint32_t r = 0; r < rules_.size(); ++r) {
    const std::string& from = rules_[r].from;
    const unsigned char first = Lower(static_cast<unsigned char>(from[0]));
    by_first_byte_[first].push_back(r);
    if (from.size() == 1) {
      single_byte_[first] = true;
    } else if (from.size() == 2) {
      pairs_.set(PairKey(from.data()));
    } else {
      triples_.set(TripleKey(from.data()));
    }
  }
  for (int b = 0; b < 256; ++b) {
    const unsigned char lower = Lower(static_cast<unsigned char>(b));
    is_first_[b] = !by_first_byte_[lower].empty();
    single_byte_[b] = single_byte_[lower];
  }
}

RefangedText Refanger::Apply(std::string_view text) const {
  RefangedText out;
  ApplyInto(text, out);
  return out;
}

void Refanger::ApplyInto(std::string_view text, RefangedText& out) const {
  out.text.clear();
  out.offsets.Clear();
  out.edit_offsets.clear();
  out.text.reserve(text.size());
  size_t i = 0;
  size_t copied_from = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (!is_first_[b]) {
      ++i;
      continue;
    }
    const char* p = text.data() + i;
    const bool candidate = single_byte_[b] || (i + 2 <= n && pairs_.test(PairKey(p))) ||
                           (i + 3 <= n && triples_.test(TripleKey(p)));
    if (!candidate) {
      ++i;
      continue;
    }
    const RefangRule* hit = nullptr;
    for (uint32_t r : by_first_byte_[Lower(b)]) {
      if (MatchesAt(text, i, rules_[r].from)) {
        hit = &rules_[r];
        break;
      }
    }
    if (hit == nullptr) {
      ++i;
      continue;
    }
    out.text.append(text.data() + copied_from, i - copied_from);
    out.offsets.Note(out.text.size(), i);
    out.edit_offsets.push_back(out.text.size());
    out.text.append(hit->to);
    i += hit->from.size();
    out.offsets.Note(out.text.size(), i);
    copied_from = i;
  }
  out.text.append(text.data() + copied_from, text.size() - copied_from);
}

}  // namespace tabadul::text
