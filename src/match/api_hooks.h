// What the TAXII API needs from the match module (taxii::ApiHooks members), as plain functions.
#pragma once

#include <functional>
#include <vector>

#include "match/indicator_service.h"
#include "store/store.h"
#include "stix/object.h"
#include "taxii/api.h"

namespace tabadul::match {

// For ApiHooks::validate_object: ValidateIndicator() on every posted object, so an indicator
// with pattern_type stix and a pattern the parser refuses (or valid_until <= valid_from) is
// reported in the status resource with the parser's message and not stored.
std::function<Status(const taxii::RequestInfo&, const store::Collection&,
                     const stix::StixObject&)>
ValidateObjectHook();

// For ApiHooks::on_stored: service.OnStored(), so posted indicators match at once. `service`
// must outlive the returned function.
std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)> OnStoredHook(
    IndicatorService& service);

}  // namespace tabadul::match
