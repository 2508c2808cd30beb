// What matching needs from a STIX indicator, read from its JSON, and the check a server applies
// to an indicator before storing it (the write pipeline's validation, intake/pipeline.h).
//
// Pure functions of their input; no I/O, no clock. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pattern/indicator_index.h"
#include "stix/object.h"

namespace tabadul::intake {

struct IndicatorFields {
  std::string name;          // "" when absent
  std::string pattern;
  std::string pattern_type;  // "stix", "snort", "yara", ...
  int64_t valid_from_ns = 0;
  int64_t valid_until_ns = pattern::kNoExpiry;  // kNoExpiry when absent
};

// Reads name, pattern, pattern_type, valid_from and valid_until from an indicator's JSON.
// InvalidArgument when the JSON is malformed, when pattern / pattern_type / valid_from is
// missing or not a string, or when a timestamp does not parse. Does not parse the pattern.
Result<IndicatorFields> ReadIndicatorFields(std::string_view json);

// For an object of type `indicator`: its fields read (as above), valid_until later than
// valid_from, and, when pattern_type is "stix", a pattern the STIX pattern parser accepts.
// Other types are OK. Failures are InvalidArgument in the validator's "[rule] property: text"
// shape, the pattern's failure carrying the parser's own message, e.g.
//   "[pattern] pattern: pattern error at position 12: expected ']', found end of input"
//   "[property-value] valid_until: must be later than valid_from"
Status ValidateIndicator(const stix::StixObject& object);

}  // namespace tabadul::intake
