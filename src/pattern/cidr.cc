#include "pattern/cidr.h"

#include <string>

namespace tabadul::pattern {
namespace {

bool ParseDecimal(std::string_view s, int max, int* out) {
  if (s.empty() || s.size() > 3) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

bool ParseIpv4(std::string_view s, uint8_t* out) {
  for (int part = 0; part < 4; ++part) {
    size_t dot = s.find('.');
    if ((part < 3) != (dot != std::string_view::npos)) return false;
    std::string_view piece = part < 3 ? s.substr(0, dot) : s;
    int v;
    if (!ParseDecimal(piece, 255, &v)) return false;
    out[part] = static_cast<uint8_t>(v);
    if (part < 3) s.remove_prefix(dot + 1);
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses groups separated by ':' into 16-bit words; the last group may be a dotted quad.
bool ParseGroups(std::string_view s, uint16_t* words, int* count, bool allow_ipv4_tail) {
  *count = 0;
  if (s.empty()) return true;
  while (true) {
    size_t colon = s.find(':');
    std::string_view group = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_ipv4_tail &&
        group.find('.') != std::string_view::npos) {
      uint8_t v4[4];
      if (*count > 6 || !ParseIpv4(group, v4)) return false;
      words[(*count)++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      words[(*count)++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      return true;
    }
    if (group.empty() || group.size() > 4 || *count >= 8) return false;
    int v = 0;
    for (char c : group) {
      int d = HexValue(c);
      if (d < 0) return false;
      v = v * 16 + d;
    }
    words[(*count)++] = static_cast<uint16_t>(v);
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

bool ParseIpv6(std::string_view s, uint8_t* out) {
  uint16_t head[8], tail[8];
  int head_count = 0, tail_count = 0;
  size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    if (!ParseGroups(s, head, &head_count, true) || head_count != 8) return false;
  } else {
    if (s.find("::", gap + 1) != std::string_view::npos) return false;
    if (!ParseGroups(s.substr(0, gap), head, &head_count, false)) return false;
    if (!ParseGroups(s.substr(gap + 2), tail, &tail_count, true)) return false;
    if (head_count + tail_count > 7) return false;
  }
  uint16_t words[8] = {0};
  for (int i = 0; i < head_count; ++i) words[i] = head[i];
  for (int i = 0; i < tail_count; ++i) words[8 - tail_count + i] = tail[i];
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(words[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(words[i] & 0xff);
  }
  return true;
}

}  // namespace

std::optional<IpPrefix> ParseIpPrefix(std::string_view text) {
  IpPrefix p;
  std::string_view addr = text;
  std::string_view len_text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    len_text = text.substr(slash + 1);
  }
  p.v6 = addr.find(':') != std::string_view::npos;
  if (p.v6 ? !ParseIpv6(addr, p.bytes.data()) : !ParseIpv4(addr, p.bytes.data())) {
    return std::nullopt;
  }
  p.length = p.MaxLength();
  if (slash != std::string_view::npos && !ParseDecimal(len_text, p.MaxLength(), &p.length)) {
    return std::nullopt;
  }
  // Clear host bits so equal networks compare equal bit for bit.
  for (int i = p.length; i < p.MaxLength(); ++i) {
    p.bytes[i / 8] &= static_cast<uint8_t>(~(1u << (7 - i % 8)));
  }
  return p;
}

bool PrefixContains(const IpPrefix& outer, const IpPrefix& inner) {
  if (outer.v6 != inner.v6 || outer.length > inner.length) return false;
  int full = outer.length / 8;
  for (int i = 0; i < full; ++i) {
    if (outer.bytes[i] != inner.bytes[i]) return false;
  }
  int rest = outer.length % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (outer.bytes[full] & mask) == (inner.bytes[full] & mask);
}

}  // namespace tabadul::pattern
