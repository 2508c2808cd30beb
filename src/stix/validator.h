// Parsing and validating one STIX 2.1 object (STIX 2.1 OS + Errata 01).
//
// ParseObject() checks everything a server must refuse (see the rule names below) and, when the
// object passes, returns the StixObject with its JSON kept byte for byte. A refusal is
// InvalidArgument whose message begins with "[rule] property: ", e.g.
//   "[required-property] pattern: indicator requires property 'pattern'"
//   "[id-syntax] id: 'indicator--1234' is not <type>--<RFC 4122 UUID>"
// Rule names (stable; tests and clients may rely on them):
//   json                 not a JSON object / malformed JSON
//   type-syntax          type is 3-250 chars of [a-z0-9-], no leading/trailing/double '-'
//   id-syntax            id is <type>--<UUID> and its prefix equals `type`
//   spec-version         spec_version is "2.1" (required on SDO/SRO/SMO, optional on SCO)
//   timestamp            created/modified/valid_from/... are RFC 3339 UTC ('Z'); created and
//                        modified carry at least millisecond precision
//   modified-before-created   modified >= created
//   required-property    each type's required properties (SDO, SRO, SCO, marking-definition,
//                        language-content, extension-definition)
//   property-name        custom property names are [a-z0-9_] and 3-250 chars
//   empty-list           no list anywhere in the object is empty
//   integer-range        integers fit in 54 bits (|n| <= 2^53)
//   reference            *_ref / *_refs values are STIX ids
//   property-value       enumerated / bounded values (confidence 0-100, revoked is a boolean,
//                        lists where a list is required, ...)
//   marking              object_marking_refs does not reference the object itself; granular
//                        markings have selectors and exactly one of marking_ref / lang; each
//                        selector selects content present in the object
// Thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "stix/object.h"

namespace tabadul::stix {

Result<StixObject> ParseObject(std::string_view json);

// Best effort: the value of a top-level "id" string in `json`, or empty. Used to name an object
// in a failure report when ParseObject refused it.
std::string ExtractId(std::string_view json);

// The rule and property named by a refusal of ParseObject() ("[rule] property: text"), or
// nullopt when `status` is OK or not such a refusal. For clients that map rules to their own
// codes (e.g. the TAXII status resource's failure messages) and for the conformance tests.
// Nested properties are named by a path such as "external_references[0].source_name"; a
// whole-document problem (rule json) is named "$".
struct Refusal {
  std::string rule;
  std::string property;
};
std::optional<Refusal> ParseRefusal(const Status& status);

}  // namespace tabadul::stix
