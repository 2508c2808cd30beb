// What the write pipeline needs from the match module (an intake::Observer), as a plain function.
#pragma once

#include <functional>
#include <vector>

#include "match/indicator_service.h"
#include "store/store.h"
#include "stix/object.h"

namespace tabadul::match {

// For the write pipeline's observers: service.OnStored(), so stored indicators match at once. `service`
// must outlive the returned function.
std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)> OnStoredHook(
    IndicatorService& service);

}  // namespace tabadul::match
