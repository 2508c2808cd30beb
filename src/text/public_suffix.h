// The Public Suffix List (https://publicsuffix.org), used to tell a real domain name
// ("evil-update.co.uk") from a dotted word ("e.g", "file.exe", "v1.2").
//
// The caller reads the list (Debian's `publicsuffix` package installs it at
// kDebianPublicSuffixPath) and passes its text to Parse: this module does no I/O. Rules are the
// ICANN and private sections, with wildcards ("*.ck") and exceptions ("!www.ck"). Internationalized
// rules are kept in Unicode, so "xn--" ASCII forms of IDN suffixes are not recognized (a known
// gap). Immutable after Parse; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "common/status.h"

namespace tabadul::text {

inline constexpr std::string_view kDebianPublicSuffixPath =
    "/usr/share/publicsuffix/public_suffix_list.dat";

class PublicSuffixList {
 public:
  // Fails with InvalidArgument when the text holds no rule at all (an empty or wrong file).
  static Result<PublicSuffixList> Parse(std::string_view list_text);

  // Length in bytes of the public suffix of `domain` (lower-case ASCII, no trailing dot) when an
  // explicit rule matches it, else 0 (the implicit "*" rule is not counted: "foo.exe" has none).
  size_t PublicSuffixLength(std::string_view domain) const;

  // True when `domain` is a registrable name or a name below one: it has an explicitly listed
  // public suffix and at least one label before it.
  bool IsRegistrableOrBelow(std::string_view domain) const;

  size_t rule_count() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  std::unordered_set<std::string> rules_;       // "co.uk"
  std::unordered_set<std::string> wildcards_;   // "ck" for "*.ck"
  std::unordered_set<std::string> exceptions_;  // "www.ck" for "!www.ck"
};

}  // namespace tabadul::text
