// STIX 2.1 `sighting` objects that tell a provider its indicator was seen (STIX 2.1 §5.2).
// Pure: identifiers and times are passed in. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "stix/object.h"

namespace tabadul::match {

struct SightingFacts {
  std::string indicator_id;  // sighting_of_ref
  std::string org_id;        // created_by_ref and where_sighted_refs: the sighting organization
  int64_t count = 1;         // 1..999,999,999 (clamped)
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;  // >= first_seen_ns
  int64_t created_ns = 0;    // created = modified
};

// 16 random bytes for a UUIDv4. Must be thread-safe when shared.
using RandomBytes = std::function<std::array<uint8_t, 16>()>;
// Random bytes from the operating system (std::random_device).
RandomBytes SystemRandom();

// The sighting as a validated StixObject (stix::ParseObject of its JSON) with a fresh
// "sighting--<UUIDv4>" id: spec_version 2.1, created = modified (millisecond precision),
// created_by_ref, sighting_of_ref, where_sighted_refs = [org], count, first_seen, last_seen.
// InvalidArgument (the validator's message) if the facts make an invalid object, e.g. an
// org_id that is not an identity id.
Result<stix::StixObject> MakeSighting(const SightingFacts& facts, const RandomBytes& random);

}  // namespace tabadul::match
