#include "taxii/query.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "common/timestamp.h"

namespace tabadul::taxii {
namespace {

struct ParamName {
  const char* name;
  Param bit;
};
constexpr ParamName kParams[] = {
    {"added_after", kAddedAfter},       {"limit", kLimit},
    {"next", kNext},                    {"match[id]", kMatchId},
    {"match[type]", kMatchType},        {"match[version]", kMatchVersion},
    {"match[spec_version]", kMatchSpecVersion},
};

std::vector<std::string> SplitComma(std::string_view v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t c = v.find(',', start);
    out.emplace_back(v.substr(start, c == v.npos ? v.npos : c - start));
    if (c == std::string_view::npos) break;
    start = c + 1;
  }
  return out;
}

bool IsTypeName(std::string_view t) {
  if (t.size() < 3 || t.size() > 250 || t.front() == '-' || t.back() == '-') return false;
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return t.find("--") == std::string_view::npos;
}

Status Bad(std::string_view param, std::string_view why) {
  return InvalidArgument("query parameter '" + std::string(param) + "': " + std::string(why));
}

std::string Base64Url(std::string_view in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view in) {
  std::string out(in.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

// Applies one filter parameter (not limit/next) to `f`.
Status ApplyFilter(const std::string& name, const std::string& value, ObjectFilters* f) {
  if (value.empty()) return Bad(name, "empty value");
  if (name == "added_after") {
    auto ts = ParseTimestamp(value);
    if (!ts.ok()) return Bad(name, ts.status().message());
    f->after_us = std::max(f->after_us, ts->nanos / 1000 - (ts->nanos % 1000 < 0 ? 1 : 0));
    return Status::Ok();
  }
  auto items = SplitComma(value);
  for (const auto& item : items) {
    if (item.empty()) return Bad(name, "empty item in comma-separated list");
  }
  if (name == "match[id]") {
    for (const auto& id : items) {
      size_t sep = id.find("--");
      if (sep == std::string::npos || !IsTypeName(id.substr(0, sep)) || id.size() != sep + 2 + 36) {
        return Bad(name, "'" + id + "' is not a STIX identifier");
      }
    }
    f->ids = items;
  } else if (name == "match[type]") {
    for (const auto& t : items) {
      if (!IsTypeName(t)) return Bad(name, "'" + t + "' is not a STIX type name");
    }
    f->types = items;
  } else if (name == "match[spec_version]") {
    for (const auto& v : items) {
      if (v != "2.0" && v != "2.1") return Bad(name, "'" + v + "' is not a STIX spec version (2.0, 2.1)");
    }
    f->spec_versions = items;
  } else if (name == "match[version]") {
    store::VersionMatch m;
    m.last = false;
    for (const auto& v : items) {
      if (v == "all") {
        if (items.size() > 1) return Bad(name, "'all' cannot be combined with other values");
        m.all = true;
      } else if (v == "first") {
        m.first = true;
      } else if (v == "last") {
        m.last = true;
      } else {
        auto ts = ParseTimestamp(v);
        if (!ts.ok()) return Bad(name, "'" + v + "' is neither first, last, all nor a timestamp");
        m.exact_ns.push_back(ts->nanos);
      }
    }
    f->versions = m;
    f->versions_given = true;
  } else {
    // Only reachable through a forged cursor: the query string itself is checked against kParams.
    return Bad(name, "not a filter parameter");
  }
  return Status::Ok();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one query component ('+' stays '+': TAXII values never contain spaces).
Result<std::string> Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) {
      return InvalidArgument("malformed percent-encoding in the query string");
    }
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return InvalidArgument("malformed percent-encoding in the query string");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Splits "a=1&b=2" into decoded pairs. Raw '[' and ']' are accepted, since many clients send
// match[type] unencoded even though RFC 3986 reserves them.
Status SplitQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out) {
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    std::string_view item = query.substr(start, amp == query.npos ? query.npos : amp - start);
    start = amp == std::string_view::npos ? query.size() : amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    TABADUL_ASSIGN_OR_RETURN(std::string key, Decode(item.substr(0, eq)));
    std::string value;
    if (eq != std::string_view::npos) {
      TABADUL_ASSIGN_OR_RETURN(value, Decode(item.substr(eq + 1)));
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  return Status::Ok();
}

}  // namespace

Result<ObjectFilters> ParseObjectQuery(std::string_view query, unsigned allowed) {
  std::map<std::string, std::string> seen;  // ordered: gives the canonical form
  std::vector<std::pair<std::string, std::string>> params;
  TABADUL_RETURN_IF_ERROR(SplitQuery(query, &params));
  for (const auto& p : params) {
    const std::string& key = p.first;
    unsigned bit = 0;
    for (const auto& known : kParams) {
      if (key == known.name) bit = known.bit;
    }
    if (bit == 0 || !(allowed & bit)) {
      return Bad(key, "not supported on this endpoint");
    }
    if (seen.count(key)) return Bad(key, "given more than once");
    if (p.second.find('\n') != std::string::npos) return Bad(key, "contains a line break");
    seen[key] = p.second;
  }

  ObjectFilters f;
  std::string canonical;
  for (const auto& [k, v] : seen) {
    if (k == "limit" || k == "next") continue;
    canonical += k + "=" + v + "\n";
  }
  if (auto it = seen.find("next"); it != seen.end()) {
    auto raw = FromBase64Url(it->second);
    if (!raw || raw->rfind("v1\n", 0) != 0) return Bad("next", "not a cursor issued by this server");
    size_t eol = raw->find('\n', 3);
    if (eol == std::string::npos) return Bad("next", "not a cursor issued by this server");
    int64_t after = 0;
    auto [ptr, ec] = std::from_chars(raw->data() + 3, raw->data() + eol, after);
    if (ec != std::errc() || ptr != raw->data() + eol) {
      return Bad("next", "not a cursor issued by this server");
    }
    std::string carried = raw->substr(eol + 1);
    if (!canonical.empty() && canonical != carried) {
      return Bad("next", "the cursor was issued for different filters; repeat the original "
                         "filters or send only next (and limit)");
    }
    // Re-apply the filters the cursor carries.
    std::string_view rest = carried;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) return Bad("next", "not a cursor issued by this server");
      std::string k(line.substr(0, eq)), v(line.substr(eq + 1));
      TABADUL_RETURN_IF_ERROR(ApplyFilter(k, v, &f));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    f.canonical = carried;
    f.after_us = std::max(f.after_us, after);
  } else {
    for (const auto& [k, v] : seen) {
      if (k == "limit") continue;
      TABADUL_RETURN_IF_ERROR(ApplyFilter(k, v, &f));
    }
    f.canonical = canonical;
  }
  if (auto it = seen.find("limit"); it != seen.end()) {
    const std::string& v = it->second;
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size() || n == 0) {
      return Bad("limit", "must be a positive integer");
    }
    f.limit = static_cast<size_t>(std::min<uint64_t>(n, 1u << 30));
  }
  return f;
}

std::string EncodeCursor(int64_t last_us, std::string_view canonical_filters) {
  return Base64Url("v1\n" + std::to_string(last_us) + "\n" + std::string(canonical_filters));
}

}  // namespace tabadul::taxii
