#include "match/api_hooks.h"

#include "match/indicator_fields.h"

namespace tabadul::match {

std::function<Status(const taxii::RequestInfo&, const store::Collection&,
                     const stix::StixObject&)>
ValidateObjectHook() {
  return [](const taxii::RequestInfo&, const store::Collection&, const stix::StixObject& object) {
    return ValidateIndicator(object);
  };
}

std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)> OnStoredHook(
    IndicatorService& service) {
  return [&service](const store::Collection& collection,
                    const std::vector<stix::StixObject>& objects) {
    service.OnStored(collection, objects);
  };
}

}  // namespace tabadul::match
