#include "pattern/regex.h"

#include <string>

#include "pattern/nfc.h"

namespace tabadul::pattern {
namespace {

Status Refuse(std::string_view what, size_t offset) {
  return InvalidArgument("MATCHES regex uses " + std::string(what) + " at offset " +
                         std::to_string(offset) +
                         ", which RE2 (our linear-time regex engine) cannot run");
}

}  // namespace

RE2::Options RegexOptions(bool latin1) {
  RE2::Options options;
  options.set_dot_nl(true);
  options.set_log_errors(false);
  options.set_encoding(latin1 ? RE2::Options::EncodingLatin1 : RE2::Options::EncodingUTF8);
  options.set_max_mem(8 << 20);
  return options;
}

Status CheckRegexSupported(std::string_view re) {
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    std::string_view rest = re.substr(i);
    if (c == '\\' && i + 1 < re.size()) {
      char n = re[i + 1];
      if (n >= '1' && n <= '9' && !in_class) return Refuse("a back-reference (\\N)", i);
      if (n == 'g' && !in_class) return Refuse("a back-reference (\\g)", i);
      if (n == 'k' && !in_class) return Refuse("a named back-reference (\\k)", i);
      if (n == 'G') return Refuse("\\G", i);
      if (n == 'Z') return Refuse("\\Z (use \\z or $)", i);
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      // A ']' right after '[' or '[^' is literal.
      if (i + 1 < re.size() && re[i + 1] == '^') ++i;
      if (i + 1 < re.size() && re[i + 1] == ']') ++i;
      continue;
    }
    if (rest.starts_with("(?=") || rest.starts_with("(?!")) return Refuse("lookahead", i);
    if (rest.starts_with("(?<=") || rest.starts_with("(?<!")) return Refuse("lookbehind", i);
    if (rest.starts_with("(?>")) return Refuse("an atomic group", i);
    if (rest.starts_with("(?(")) return Refuse("a conditional group", i);
    if (rest.starts_with("(?R") || rest.starts_with("(?&") || rest.starts_with("(?+") ||
        (rest.size() > 2 && rest.starts_with("(?") && rest[2] >= '0' && rest[2] <= '9')) {
      return Refuse("recursion", i);
    }
    if (rest.starts_with("(?C")) return Refuse("a callout", i);
    if (rest.starts_with("(*")) return Refuse("a backtracking verb", i);
    if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < re.size() && re[i + 1] == '+' &&
        i > 0) {
      return Refuse("a possessive quantifier", i);
    }
  }
  return Status::Ok();
}

std::string LikeToRegex(std::string_view like) {
  std::string out = "^";
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) out += RE2::QuoteMeta(literal);
    literal.clear();
  };
  for (char c : like) {
    if (c == '%') {
      flush();
      out += ".*";
    } else if (c == '_') {
      flush();
      out += ".";
    } else {
      literal.push_back(c);
    }
  }
  flush();
  out += "$";
  return out;
}

Result<std::shared_ptr<const RE2>> CompileMatches(std::string_view pcre, bool latin1) {
  TABADUL_RETURN_IF_ERROR(CheckRegexSupported(pcre));
  std::string source = latin1 ? std::string(pcre) : Nfc(pcre);
  auto re = std::make_shared<const RE2>(source, RegexOptions(latin1));
  if (!re->ok()) return InvalidArgument("MATCHES regex is invalid: " + re->error());
  return std::shared_ptr<const RE2>(re);
}

Result<std::shared_ptr<const RE2>> CompileLike(std::string_view like) {
  auto re = std::make_shared<const RE2>(LikeToRegex(Nfc(like)), RegexOptions(false));
  if (!re->ok()) return InvalidArgument("LIKE pattern is invalid: " + re->error());
  return std::shared_ptr<const RE2>(re);
}

}  // namespace tabadul::pattern
