#include "ingest/markup.h"

#include <charconv>

#include "text/internal/utf8.h"

namespace tabadul::ingest {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

size_t IFind(std::string_view hay, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (IEquals(hay.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// Decodes "&amp;" style references at s[i] ('&'); returns bytes consumed, 0 if not a reference.
size_t DecodeEntity(std::string_view s, size_t i, std::string& out) {
  const size_t semi = s.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  std::string_view name = s.substr(i + 1, semi - i - 1);
  static constexpr std::pair<std::string_view, char32_t> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", ' '},
      {"rlm", 0x200F}, {"lrm", 0x200E}, {"zwnj", 0x200C}, {"zwj", 0x200D}};
  for (auto [n, cp] : kNamed) {
    if (name == n) {
      text::internal::AppendUtf8(out, cp);
      return semi - i + 1;
    }
  }
  if (name.size() > 1 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    std::string_view digits = name.substr(hex ? 2 : 1);
    uint32_t cp = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
    if (ec != std::errc() || p != digits.data() + digits.size() || cp == 0 || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    text::internal::AppendUtf8(out, cp);
    return semi - i + 1;
  }
  return 0;
}

bool IsBlockTag(std::string_view tag) {
  static constexpr std::string_view kBlocks[] = {"p", "br", "div", "li", "tr", "td", "th", "h1",
                                                 "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                                                 "table", "pre", "blockquote", "hr", "section"};
  for (std::string_view b : kBlocks) if (IEquals(tag, b)) return true;
  return false;
}

std::string StripHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '&') {
      const size_t used = DecodeEntity(s, i, out);
      if (used > 0) {
        i += used;
        continue;
      }
      out.push_back(c);
      ++i;
      continue;
    }
    if (c != '<') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (s.substr(i, 4) == "<!--") {
      const size_t end = s.find("-->", i + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    const size_t close = s.find('>', i);
    if (close == std::string_view::npos) break;
    std::string_view tag = s.substr(i + 1, close - i - 1);
    if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
    tag = tag.substr(0, tag.find_first_of(" \t\r\n/"));
    i = close + 1;
    if (IEquals(tag, "script") || IEquals(tag, "style")) {
      const size_t end = IFind(s, std::string("</") + std::string(tag), i);
      i = end == std::string_view::npos ? s.size() : s.find('>', end) + 1;
      if (i == 0) i = s.size();
      continue;
    }
    out.push_back(IsBlockTag(tag) ? '\n' : ' ');
  }
  return out;
}

std::string StripMarkdownLine(std::string_view line) {
  size_t k = 0;
  while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
  while (k < line.size() && (line[k] == '#' || line[k] == '>')) ++k;
  if (k + 1 < line.size() && (line[k] == '-' || line[k] == '*' || line[k] == '+') &&
      line[k + 1] == ' ') {
    k += 2;
  }
  std::string out;
  for (size_t i = k; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '*' || c == '`') continue;
    if (c == '!' && i + 1 < line.size() && line[i + 1] == '[') continue;
    if (c == '[') {
      // "[text](target)" -> "text (target)"; anything else (e.g. "evil[.]com") is kept.
      const size_t close = line.find(']', i);
      if (close != std::string_view::npos && close + 1 < line.size() && line[close + 1] == '(') {
        const size_t end = line.find(')', close);
        if (end != std::string_view::npos) {
          out.append(line.substr(i + 1, close - i - 1));
          out.append(" (");
          out.append(line.substr(close + 2, end - close - 2));
          out.append(")");
          i = end;
          continue;
        }
      }
    }
    out.push_back(c);
  }
  return out;
}

std::string StripMarkdown(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
    if (line.substr(0, 3) == "```" || line.substr(0, 3) == "---") {
      out.push_back('\n');
      continue;
    }
    out += StripMarkdownLine(line);
    if (nl != std::string_view::npos) out.push_back('\n');
  }
  return out;
}

}  // namespace

std::string StripMarkup(std::string_view input, InputFormat format) {
  switch (format) {
    case InputFormat::kPlain: return std::string(input);
    case InputFormat::kHtml: return StripHtml(input);
    case InputFormat::kMarkdown: return StripMarkdown(input);
  }
  return std::string(input);
}

}  // namespace tabadul::ingest
