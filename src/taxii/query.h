// Query parameters of the TAXII object endpoints (§3.4-3.5) and the `next` cursor.
//
// The cursor is opaque to clients: base64url of "v1", the date_added (µs) of the last row
// returned, and the page's filter parameters in canonical order. A request that presents `next`
// uses the filters the cursor carries; if it also repeats filters they must be the same ones, so
// a page can never silently change what the listing means (STANDARDS-NOTES F4). date_added
// values are unique per collection, so "after this date_added" loses and repeats nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace tabadul::taxii {

// Which parameters an endpoint accepts; any other parameter is a 400.
enum Param : unsigned {
  kAddedAfter = 1u << 0,
  kLimit = 1u << 1,
  kNext = 1u << 2,
  kMatchId = 1u << 3,
  kMatchType = 1u << 4,
  kMatchVersion = 1u << 5,
  kMatchSpecVersion = 1u << 6,
};

struct ObjectFilters {
  int64_t after_us = -1;  // from added_after or the cursor: rows with date_added > this
  std::vector<std::string> ids;
  std::vector<std::string> types;
  std::vector<std::string> spec_versions;
  store::VersionMatch versions;
  bool versions_given = false;  // match[version] was present
  std::optional<size_t> limit;
  std::string canonical;  // the filter parameters, canonical, for cursors
};

// Parses the query string (without '?'). InvalidArgument naming the parameter for: an unknown
// or repeated parameter, a malformed value, `all` combined with other versions, a limit that is
// not a positive integer, a bad or mismatched `next`.
Result<ObjectFilters> ParseObjectQuery(std::string_view query, unsigned allowed);

// The cursor for the page that follows a row with date_added `last_us`.
std::string EncodeCursor(int64_t last_us, std::string_view canonical_filters);

}  // namespace tabadul::taxii
