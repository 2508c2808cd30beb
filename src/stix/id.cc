#include "stix/id.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

namespace tabadul::stix {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsValidUuid(std::string_view u) {
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? u[i] != '-' : !IsHex(u[i])) return false;
  }
  int version = HexValue(u[14]);
  int variant = HexValue(u[19]);
  return version >= 1 && version <= 8 && (variant & 0xC) == 0x8;
}

bool IsValidType(std::string_view t) {
  if (t.size() < 3 || t.size() > 250 || t.front() == '-' || t.back() == '-') return false;
  char prev = 0;
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    if (c == '-' && prev == '-') return false;
    prev = c;
  }
  return true;
}

std::string FormatUuid(const uint8_t* b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

// ---- RFC 8785 serialisation --------------------------------------------------------------

// UTF-8 to UTF-16 code units, for JCS key ordering. Input is valid UTF-8 (simdjson checked).
std::u16string Utf16(std::string_view s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    uint32_t cp;
    int len;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1F; len = 2; }
    else if ((c >> 4) == 0xE) { cp = c & 0x0F; len = 3; }
    else { cp = c & 0x07; len = 4; }
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(char16_t(0xD800 + (cp >> 10)));
      out.push_back(char16_t(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(char16_t(cp));
    }
  }
  return out;
}

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

// ECMAScript Number.prototype.toString for a finite double (what JCS prescribes).
void AppendNumber(double d, std::string* out) {
  if (d == 0) { out->push_back('0'); return; }
  if (d < 0) { out->push_back('-'); d = -d; }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);  // "d.ddde+XX" shortest round-trip digits
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) if (c != '.') digits.push_back(c);
  int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // value = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out->append(digits).append(size_t(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits.substr(0, n)).append(".").append(digits.substr(n));
  } else if (-6 < n && n <= 0) {
    out->append("0.").append(size_t(-n), '0').append(digits);
  } else {
    out->push_back(digits[0]);
    if (k > 1) out->append(".").append(digits.substr(1));
    out->append(n - 1 >= 0 ? "e+" : "e-").append(std::to_string(std::abs(n - 1)));
  }
}

Status AppendCanonical(simdjson::dom::element e, std::string* out) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::u16string, std::pair<std::string_view, simdjson::dom::element>>>
          fields;
      for (auto f : simdjson::dom::object(e)) fields.push_back({Utf16(f.key), {f.key, f.value}});
      std::sort(fields.begin(), fields.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out->push_back('{');
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i && fields[i].first == fields[i - 1].first) {
          // RFC 8785 requires unique names (I-JSON); there is no canonical form otherwise.
          return InvalidArgument("duplicate property name '" +
                                 std::string(fields[i].second.first) + "'");
        }
        if (i) out->push_back(',');
        AppendString(fields[i].second.first, out);
        out->push_back(':');
        TABADUL_RETURN_IF_ERROR(AppendCanonical(fields[i].second.second, out));
      }
      out->push_back('}');
      return Status::Ok();
    }
    case element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      for (auto item : simdjson::dom::array(e)) {
        if (!first) out->push_back(',');
        first = false;
        TABADUL_RETURN_IF_ERROR(AppendCanonical(item, out));
      }
      out->push_back(']');
      return Status::Ok();
    }
    case element_type::STRING: AppendString(std::string_view(e), out); break;
    case element_type::INT64: AppendNumber(double(int64_t(e)), out); break;
    case element_type::UINT64: AppendNumber(double(uint64_t(e)), out); break;
    case element_type::DOUBLE: AppendNumber(double(e), out); break;
    case element_type::BOOL: out->append(bool(e) ? "true" : "false"); break;
    case element_type::NULL_VALUE: out->append("null"); break;
  }
  return Status::Ok();
}

Result<simdjson::dom::element> ParseDom(simdjson::dom::parser& parser, std::string_view json) {
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size(), true).get(root)) {
    return InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(err));
  }
  return root;
}

// ID-contributing properties per SCO type (STIX 2.1 §6).
const std::vector<std::string_view>* ContributingProperties(std::string_view type) {
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> kTable = {
      {"artifact", {"hashes", "payload_bin"}},
      {"autonomous-system", {"number"}},
      {"directory", {"path"}},
      {"domain-name", {"value"}},
      {"email-addr", {"value"}},
      {"email-message", {"from_ref", "subject", "body"}},
      {"file", {"hashes", "name", "extensions", "parent_directory_ref"}},
      {"ipv4-addr", {"value"}},
      {"ipv6-addr", {"value"}},
      {"mac-addr", {"value"}},
      {"mutex", {"name"}},
      {"network-traffic",
       {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"}},
      {"software", {"name", "cpe", "swid", "vendor", "version"}},
      {"url", {"value"}},
      {"user-account", {"account_type", "user_id", "account_login"}},
      {"windows-registry-key", {"key", "values"}},
      {"x509-certificate", {"hashes", "serial_number"}},
  };
  for (const auto& [t, props] : kTable) {
    if (t == type) return &props;
  }
  return nullptr;
}

}  // namespace

bool IsValidId(std::string_view id) {
  size_t sep = id.find("--");
  // The type itself has no "--", so the first "--" is the separator.
  if (sep == std::string_view::npos) return false;
  return IsValidType(id.substr(0, sep)) && IsValidUuid(id.substr(sep + 2));
}

std::string NewId(std::string_view type, const std::array<uint8_t, 16>& random_bytes) {
  std::array<uint8_t, 16> b = random_bytes;
  b[6] = (b[6] & 0x0F) | 0x40;  // version 4
  b[8] = (b[8] & 0x3F) | 0x80;  // RFC 4122 variant
  return std::string(type) + "--" + FormatUuid(b.data());
}

Result<std::string> UuidV5(std::string_view namespace_uuid, std::string_view name) {
  if (namespace_uuid.size() != 36) return InvalidArgument("namespace is not a UUID");
  std::string input;
  input.reserve(16 + name.size());
  for (size_t i = 0; i < namespace_uuid.size();) {
    if (namespace_uuid[i] == '-') { ++i; continue; }
    if (i + 1 >= namespace_uuid.size() || !IsHex(namespace_uuid[i]) ||
        !IsHex(namespace_uuid[i + 1])) {
      return InvalidArgument("namespace is not a UUID");
    }
    input.push_back(char(HexValue(namespace_uuid[i]) * 16 + HexValue(namespace_uuid[i + 1])));
    i += 2;
  }
  if (input.size() != 16) return InvalidArgument("namespace is not a UUID");
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha1(), nullptr) != 1) {
    return Internal("SHA-1 failed");
  }
  digest[6] = (digest[6] & 0x0F) | 0x50;  // version 5
  digest[8] = (digest[8] & 0x3F) | 0x80;  // RFC 4122 variant
  return FormatUuid(digest);
}

Result<std::string> CanonicalJson(std::string_view json) {
  simdjson::dom::parser parser;
  TABADUL_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseDom(parser, json));
  std::string out;
  out.reserve(json.size());
  TABADUL_RETURN_IF_ERROR(AppendCanonical(root, &out));
  return out;
}

Result<std::string> ScoIdFromContributing(std::string_view type,
                                          std::string_view contributing_json) {
  simdjson::dom::parser parser;
  TABADUL_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseDom(parser, contributing_json));
  if (!root.is_object()) return InvalidArgument("contributing properties must be a JSON object");
  if (simdjson::dom::object(root).size() == 0) {
    return InvalidArgument("no ID-contributing property: use a UUIDv4");
  }
  std::string canonical;
  TABADUL_RETURN_IF_ERROR(AppendCanonical(root, &canonical));
  TABADUL_ASSIGN_OR_RETURN(std::string uuid, UuidV5(kScoNamespace, canonical));
  return std::string(type) + "--" + uuid;
}

Result<std::string> DeterministicScoId(std::string_view sco_json) {
  simdjson::dom::parser parser;
  TABADUL_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseDom(parser, sco_json));
  std::string_view type;
  if (!root.is_object() || root["type"].get_string().get(type)) {
    return InvalidArgument("an SCO must be a JSON object with a string 'type'");
  }
  const std::vector<std::string_view>* props = ContributingProperties(type);
  if (props == nullptr) return NotFound(std::string(type) + " has no deterministic id");
  // Assemble {"prop": <value>, ...} from the raw values, then canonicalise it as a whole.
  std::string contributing = "{";
  for (std::string_view prop : *props) {
    simdjson::dom::element v;
    if (simdjson::dom::object(root).at_key(prop).get(v)) continue;
    if (contributing.size() > 1) contributing.push_back(',');
    AppendString(prop, &contributing);
    contributing.push_back(':');
    if (prop == "hashes" && v.is_object()) {
      // Only one hash contributes: the first present of MD5, SHA-1, SHA-256, SHA-512, else
      // the first (in key order) of the others.
      simdjson::dom::object hashes(v);
      std::string_view chosen;
      for (std::string_view algo : {"MD5", "SHA-1", "SHA-256", "SHA-512"}) {
        if (!hashes.at_key(algo).error()) { chosen = algo; break; }
      }
      if (chosen.empty() && hashes.size() > 0) chosen = (*hashes.begin()).key;
      contributing.push_back('{');
      if (!chosen.empty()) {
        AppendString(chosen, &contributing);
        contributing.push_back(':');
        TABADUL_RETURN_IF_ERROR(AppendCanonical(hashes.at_key(chosen).value(), &contributing));
      }
      contributing.push_back('}');
    } else {
      TABADUL_RETURN_IF_ERROR(AppendCanonical(v, &contributing));
    }
  }
  contributing.push_back('}');
  if (contributing == "{}") return NotFound("no ID-contributing property present");
  return ScoIdFromContributing(type, contributing);
}

}  // namespace tabadul::stix
