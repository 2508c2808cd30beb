// The STIX 2.1 object model as the server needs it: identity, version, markings, and the exact
// JSON text as received. Parsing and validation live in validator.h; reading bundles and TAXII
// envelopes in object_stream.h. This module does no I/O and reads no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabadul::stix {

// Which family of the STIX 2.1 type system an object belongs to.
enum class ObjectClass {
  kDomain,        // SDO (attack-pattern ... vulnerability)
  kRelationship,  // SRO (relationship, sighting)
  kCyberObservable,  // SCO (ipv4-addr, file, ...)
  kMeta,          // SMO: marking-definition, language-content, extension-definition
  kCustom,        // a custom type (x-... or any other well-formed type name)
};

struct GranularMarking {
  std::vector<std::string> selectors;
  std::string marking_ref;  // empty when `lang` is used instead
  std::string lang;
};

// One validated STIX object version. Copyable value type.
struct StixObject {
  std::string id;            // "<type>--<uuid>"
  std::string type;
  std::string spec_version;  // "2.1" (defaulted for SCOs without it)
  ObjectClass object_class = ObjectClass::kCustom;

  // Timestamps exactly as written in the object (empty when absent) and as nanoseconds since
  // the epoch (0 when absent).
  std::string created;
  std::string modified;
  int64_t created_ns = 0;
  int64_t modified_ns = 0;

  bool revoked = false;
  std::string created_by_ref;                 // empty when absent
  std::vector<std::string> labels;            // `labels`, empty when absent
  std::vector<std::string> object_marking_refs;
  std::vector<GranularMarking> granular_markings;

  std::string json;  // the object's JSON text, byte for byte as received

  // The TAXII "version" of this object: `modified`, else `created`, else empty (unversioned
  // SCOs). Versions are compared by their nanosecond value, never as strings.
  const std::string& version() const { return !modified.empty() ? modified : created; }
  int64_t version_ns() const { return !modified.empty() ? modified_ns : created_ns; }
};

}  // namespace tabadul::stix
