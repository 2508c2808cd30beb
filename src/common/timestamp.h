// RFC 3339 timestamps as STIX and TAXII use them.
//
// Internally a point in time is an int64 count of nanoseconds since the Unix epoch (UTC), which
// covers 1677..2262 and every STIX timestamp precision that occurs in practice. STIX permits any
// number of fractional digits; digits past the ninth are refused rather than silently dropped,
// because two versions whose `modified` differ only there would otherwise collide.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul {

struct ParsedTimestamp {
  int64_t nanos = 0;           // since the epoch, UTC
  int fraction_digits = 0;     // digits after the '.', 0 when there is none
};

// Parses `YYYY-MM-DDTHH:MM:SS[.f+]Z` (upper-case T and Z, UTC only, as STIX §3.2 requires).
// Fails with InvalidArgument naming what is wrong.
Result<ParsedTimestamp> ParseTimestamp(std::string_view text);

// Formats with exactly `fraction_digits` digits (0, 3, 6 or 9 are typical).
std::string FormatTimestamp(int64_t nanos, int fraction_digits);

// TAXII 2.1 timestamps carry exactly microsecond precision: "2024-01-02T03:04:05.123456Z".
inline std::string FormatTaxiiTimestamp(int64_t micros) {
  return FormatTimestamp(micros * 1000, 6);
}

}  // namespace tabadul
