#include "text/public_suffix.h"

namespace tabadul::text {

Result<PublicSuffixList> PublicSuffixList::Parse(std::string_view list_text) {
  PublicSuffixList psl;
  while (!list_text.empty()) {
    const size_t nl = list_text.find('\n');
    std::string_view line = list_text.substr(0, nl);
    list_text = nl == std::string_view::npos ? std::string_view() : list_text.substr(nl + 1);
    // A rule is the first whitespace-delimited word of a line; "//" starts a comment.
    const size_t end = line.find_first_of(" \t\r");
    line = line.substr(0, end);
    if (line.empty() || line.substr(0, 2) == "//") continue;
    std::string rule;
    for (char c : line) rule.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    if (rule[0] == '!') {
      psl.exceptions_.insert(rule.substr(1));
    } else if (rule.size() > 2 && rule[0] == '*' && rule[1] == '.') {
      psl.wildcards_.insert(rule.substr(2));
    } else {
      psl.rules_.insert(std::move(rule));
    }
  }
  if (psl.rule_count() == 0) return InvalidArgument("public suffix list has no rules");
  return psl;
}

size_t PublicSuffixList::PublicSuffixLength(std::string_view domain) const {
  // Walk suffixes from the longest ("a.b.co.uk") to the shortest ("uk"); the first (longest)
  // match wins, exceptions beat wildcards.
  size_t start = 0;
  std::string key;
  while (true) {
    std::string_view suffix = domain.substr(start);
    key.assign(suffix);
    if (exceptions_.count(key)) {
      const size_t dot = suffix.find('.');
      return dot == std::string_view::npos ? 0 : suffix.size() - dot - 1;
    }
    if (rules_.count(key)) return suffix.size();
    // "*.ck" makes "x.ck" a public suffix: check whether the parent of this suffix is wildcarded.
    const size_t dot = suffix.find('.');
    if (dot != std::string_view::npos) {
      key.assign(suffix.substr(dot + 1));
      if (wildcards_.count(key)) return suffix.size();
    }
    if (dot == std::string_view::npos) return 0;
    start += dot + 1;
  }
}

bool PublicSuffixList::IsRegistrableOrBelow(std::string_view domain) const {
  const size_t suffix = PublicSuffixLength(domain);
  return suffix > 0 && suffix + 1 < domain.size() && domain[domain.size() - suffix - 1] == '.';
}

}  // namespace tabadul::text
