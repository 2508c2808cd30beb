// IPv4 / IPv6 addresses and CIDR prefixes for ISSUBSET / ISSUPERSET and the index's prefix tree.
//
// An address without a prefix length is a full-length prefix (/32 or /128). Host bits beyond the
// prefix length are cleared on parse, so `10.1.2.3/8` denotes 10.0.0.0/8 (STIX allows such
// values and the spec compares networks, not host addresses).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tabadul::pattern {

struct IpPrefix {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  int length = 0;                   // 0..32 or 0..128

  int MaxLength() const { return v6 ? 128 : 32; }
  bool Bit(int i) const { return (bytes[i / 8] >> (7 - i % 8)) & 1; }
};

// Dotted-quad IPv4 (no leading zeros beyond a single "0", each part 0..255) or RFC 4291 IPv6
// text (with `::` compression and an optional embedded dotted quad), optionally followed by
// `/length`. nullopt if malformed.
std::optional<IpPrefix> ParseIpPrefix(std::string_view text);

// True iff `inner` lies within `outer` (same family, outer.length <= inner.length, and the first
// outer.length bits agree).
bool PrefixContains(const IpPrefix& outer, const IpPrefix& inner);

}  // namespace tabadul::pattern
