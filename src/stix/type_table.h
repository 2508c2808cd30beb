// The one table of STIX 2.1 object types this server knows (STIX 2.1 OS + Errata 01, §4-§7):
// for each type its class, its required properties, the "at least one of" groups, and the
// properties whose values it checks (timestamps, booleans, bounded integers, enumerations).
// validator.cc applies the table; adding a type or a property check means adding one row here,
// never an `if` in the validator. Types absent from the table are custom types.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "stix/object.h"

namespace tabadul::stix {

// How a checked property's value must look. Failures are rule `timestamp` for kTimestamp and
// `property-value` for the rest.
enum class ValueKind {
  kString,      // a JSON string
  kBoolean,     // true / false
  kInteger,     // an integer in [min, max]
  kNumber,      // any JSON number in [min, max]
  kTimestamp,   // RFC 3339 UTC ('Z'), any precision
  kStringList,  // a list of strings
  kObject,      // a JSON object (dictionary)
  kEnum,        // a string from `values`
  kEnumList,    // a list of strings, each from `values`
};

struct PropertySpec {
  std::string_view name;
  ValueKind kind = ValueKind::kString;
  double min = 0;
  double max = 0;
  std::vector<std::string_view> values;  // for kEnum / kEnumList
};

// Conditional requirements that a flat list cannot express, still declared per row.
enum class TypeRule {
  kNone,
  kMalwareNameIfFamily,     // malware: is_family true => name required
  kLocationLatLong,         // location: latitude and longitude come together
  kMarkingDefinitionBody,   // marking-definition: definition_type+definition unless extensions
  kArtifactPayloadOrUrl,    // artifact: not both payload_bin and url; url => hashes
  kAtLeastOneOwnProperty,   // process, user-account, ...: some property besides the common ones
};

struct TypeSpec {
  std::string_view type;
  ObjectClass object_class;
  // Required beyond those of the class (id, created, modified, spec_version; see validator.cc).
  std::vector<std::string_view> required;
  // Each entry is a group "a|b|c": at least one of them must be present.
  std::vector<std::string_view> any_of;
  std::vector<PropertySpec> properties;
  TypeRule rule = TypeRule::kNone;
};

// The row for `type`, or nullptr for a type STIX 2.1 does not define (a custom type).
const TypeSpec* FindTypeSpec(std::string_view type);

// All rows, in the order of the specification (for tests and documentation).
const std::vector<TypeSpec>& AllTypeSpecs();

}  // namespace tabadul::stix
