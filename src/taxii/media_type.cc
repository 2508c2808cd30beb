#include "taxii/media_type.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace tabadul::taxii {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct MediaRange {
  std::string type;  // "application/taxii+json"
  std::string version;  // the `version` parameter, empty when absent
  double q = 1.0;
};

MediaRange ParseRange(std::string_view text) {
  MediaRange r;
  size_t semi = text.find(';');
  r.type = Lower(Trim(text.substr(0, semi)));
  while (semi != std::string_view::npos) {
    text = text.substr(semi + 1);
    semi = text.find(';');
    std::string_view param = Trim(text.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name = Lower(Trim(param.substr(0, eq)));
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (name == "version") r.version = std::string(value);
    if (name == "q") r.q = std::atof(std::string(value).c_str());
  }
  return r;
}

std::vector<MediaRange> ParseList(std::string_view header) {
  std::vector<MediaRange> out;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string_view item = Trim(header.substr(start, comma == header.npos ? header.npos : comma - start));
    if (!item.empty()) out.push_back(ParseRange(item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> NegotiateResponseType(std::string_view accept) {
  if (Trim(accept).empty()) return std::string(kTaxiiMediaType);
  std::optional<std::string> fallback;
  for (const auto& r : ParseList(accept)) {
    if (r.q <= 0) continue;
    if (r.type == "application/taxii+json" && (r.version.empty() || r.version == "2.1")) {
      return std::string(kTaxiiMediaType);
    }
    if (r.type == "*/*" || r.type == "application/*") return std::string(kTaxiiMediaType);
    if (!fallback && r.type == "application/stix+json" && (r.version.empty() || r.version == "2.1")) {
      fallback = std::string(kStixMediaType);
    }
    if (!fallback && r.type == "application/json") fallback = "application/json";
  }
  return fallback;
}

bool IsReadableContentType(std::string_view content_type) {
  auto list = ParseList(content_type);
  if (list.size() != 1) return false;
  const auto& r = list[0];
  if (r.type == "application/taxii+json" || r.type == "application/stix+json") {
    return r.version.empty() || r.version == "2.1";
  }
  return r.type == "application/json";
}

}  // namespace tabadul::taxii
