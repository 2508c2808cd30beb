// STIX 2.1 identifiers (§2.9): `<type>--<UUID>`, random (UUIDv4) for most objects and
// deterministic (UUIDv5 over the ID-contributing properties) for cyber-observable objects.
// Pure functions: randomness is passed in, nothing here does I/O. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul::stix {

// True when `id` is `<type>--<UUID>`: a type of 3-250 chars [a-z0-9-] (no leading, trailing or
// double '-'), then "--", then 8-4-4-4-12 hex digits (either case) whose version nibble is
// 1-8 and whose variant bits are RFC 4122's (10xx). Does not check that the type is known.
bool IsValidId(std::string_view id);

// "<type>--<UUIDv4>" built from the caller's 16 random bytes (the version and variant bits are
// overwritten). `type` is not checked; pass a valid type name.
std::string NewId(std::string_view type, const std::array<uint8_t, 16>& random_bytes);

// The STIX namespace for SCO identifiers, 00abedb4-aa42-466c-9c01-fed23315a9b7.
inline constexpr std::string_view kScoNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7";

// RFC 4122 UUIDv5 (SHA-1) of `name` in namespace `namespace_uuid` (canonical text form).
// InvalidArgument if the namespace is not a UUID.
Result<std::string> UuidV5(std::string_view namespace_uuid, std::string_view name);

// RFC 8785 (JCS) canonical form of a JSON text: object keys sorted by UTF-16 code units, no
// insignificant whitespace, minimal string escapes, numbers in ECMAScript form. InvalidArgument
// for malformed JSON and for an object with a duplicate key (which has no canonical form).
Result<std::string> CanonicalJson(std::string_view json);

// The deterministic id of an SCO: "<type>--" + UUIDv5(kScoNamespace, JCS(contributing)), where
// `contributing_json` is a JSON object holding only the ID-contributing properties, e.g.
//   ScoIdFromContributing("ipv4-addr", R"({"value":"198.51.100.3"})")
// InvalidArgument if it is not a JSON object or is empty ({} means the SCO has no contributing
// property and must get a UUIDv4 instead).
Result<std::string> ScoIdFromContributing(std::string_view type, std::string_view contributing_json);

// The deterministic id of a whole SCO given as JSON: picks its ID-contributing properties per
// STIX 2.1 §6 (for `file` and other `hashes` holders only one hash, preferring MD5, SHA-1,
// SHA-256, SHA-512 in that order) and calls ScoIdFromContributing. NotFound when the type has
// no contributing property present or is not an SCO this function knows; InvalidArgument for
// malformed JSON.
Result<std::string> DeterministicScoId(std::string_view sco_json);

}  // namespace tabadul::stix
