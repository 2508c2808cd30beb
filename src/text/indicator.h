// Indicators of compromise found in text: their kinds, flags and positions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tabadul::text {

enum class IndicatorKind {
  kIpv4,             // "203.0.113.7" or a CIDR "198.51.100.0/24"
  kIpv6,             // canonical RFC 5952 text, optionally "/prefix"
  kDomain,           // lower-case, with an explicitly listed public suffix
  kUrl,              // scheme (lower-cased) :// host ...
  kEmail,            // local part as written @ lower-case domain
  kMd5,              // 32 lower-case hex digits
  kSha1,             // 40
  kSha256,           // 64
  kSha512,           // 128
  kCve,              // "CVE-2024-3400"
  kAttackTechnique,  // "T1566" or "T1566.001"
  kAsn,              // "AS13335"
};

std::string_view IndicatorKindName(IndicatorKind kind);  // "ipv4", "domain", "sha256", ...

// Why an indicator should not be treated as a threat without a second look. Several may be set.
enum IndicatorFlag : uint32_t {
  kFlagNone = 0,
  kFlagPrivate = 1u << 0,        // RFC 1918, RFC 6598 shared space, IPv6 ULA fc00::/7
  kFlagLoopback = 1u << 1,       // 127/8, ::1
  kFlagLinkLocal = 1u << 2,      // 169.254/16, fe80::/10
  kFlagDocumentation = 1u << 3,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32,
                                 // 3fff::/20, example.com/.net/.org
  kFlagReserved = 1u << 4,       // 0/8, 240/4, broadcast, 192.0.0/24, 198.18/15, 100::/64, ::
  kFlagMulticast = 1u << 5,      // 224/4, ff00::/8
};

std::string FlagNames(uint32_t flags);  // "private,documentation" or "" for none

struct Indicator {
  IndicatorKind kind = IndicatorKind::kDomain;
  std::string value;     // canonical form (see IndicatorKind)
  size_t begin = 0;      // byte span in the original text
  size_t end = 0;
  uint32_t flags = kFlagNone;
  bool defanged = false; // written in a defanged form in the text
};

}  // namespace tabadul::text
