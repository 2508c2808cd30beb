// STIX identifiers for objects that ingest emits (ingest writes its own JSON and does not depend
// on the stix module).
//   - SCOs: UUIDv5 in the STIX namespace 00abedb4-aa42-466c-9c01-fed23315a9b7 over the RFC 8785
//     (JCS) serialization of the object's ID contributing properties (STIX 2.1 §2.9), so the same
//     observable always gets the same id, whoever extracts it.
//   - SDOs, bundles: UUIDv4 from the caller's random source (no hidden global randomness: tests
//     pass a seeded generator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tabadul::ingest {

// Fills `size` bytes with random data; must be cryptographically strong in production.
using RandomSource = std::function<void(uint8_t* out, size_t size)>;

std::string UuidV4(const RandomSource& random);
// UUIDv5 of `name` in namespace `namespace_uuid` (text form "xxxxxxxx-xxxx-...").
std::string UuidV5(std::string_view namespace_uuid, std::string_view name);
// "<type>--" + UuidV5(STIX namespace, contributing_json).
std::string ScoId(std::string_view type, std::string_view contributing_json);
// A JSON string literal per RFC 8785 (JCS) escaping rules.
std::string JcsString(std::string_view s);

}  // namespace tabadul::ingest
