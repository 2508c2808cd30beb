// Markup removal: HTML and Markdown reports become the plain text that extraction and linking
// read. Tags, comments, <script>/<style> bodies and Markdown syntax go; text, link targets (they
// may be indicators) and line structure stay; HTML character references are decoded.
// Pure; never fails (unclosed tags run to the end of the input).
#pragma once

#include <string>
#include <string_view>

namespace tabadul::ingest {

enum class InputFormat { kPlain, kHtml, kMarkdown };

std::string StripMarkup(std::string_view input, InputFormat format);

}  // namespace tabadul::ingest
