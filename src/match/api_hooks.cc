#include "match/api_hooks.h"


namespace tabadul::match {

std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)> OnStoredHook(
    IndicatorService& service) {
  return [&service](const store::Collection& collection,
                    const std::vector<stix::StixObject>& objects) {
    service.OnStored(collection, objects);
  };
}

}  // namespace tabadul::match
