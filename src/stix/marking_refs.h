// Object-level marking references as data that arrives from elsewhere needs them: whether an
// object already carries a standard TLP marking, and a copy of an object with one more
// object_marking_refs entry. Used by the write pipeline (intake/pipeline.h) to make the TLP a
// peer's collection implied explicit on a pulled object (docs/design/intake.md).
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "stix/object.h"

namespace tabadul::stix {

// True when some object_marking_refs entry is one of the nine standard TLP 1.0/2.0 ids.
bool HasStandardTlpRef(const StixObject& object);

// `object` with `marking_id` appended to object_marking_refs (the property is created when
// absent; nothing changes when the id is already there). The JSON is re-serialized minified,
// every other property kept with its value; the result is validated like any object
// (ParseObject), so InvalidArgument when `object.json` or `marking_id` is not valid STIX.
Result<StixObject> WithObjectMarkingRef(const StixObject& object, std::string_view marking_id);

}  // namespace tabadul::stix
