#include "reports/visibility.h"

namespace tabadul::reports {

CollectionAccess StoredGrants(store::Store& store) {
  return [&store](const auth::Principal& principal,
                  const store::Collection& collection) -> Result<store::Grant> {
    return store.GetGrant(principal.user, collection.id);
  };
}

RowVisible AllRowsVisible() {
  return [](const auth::Principal&, const store::Collection&, const store::ObjectRow&) {
    return true;
  };
}

CollectionAccess OperatorAccess() {
  return [](const auth::Principal&, const store::Collection&) -> Result<store::Grant> {
    return store::Grant{true, true};
  };
}

}  // namespace tabadul::reports
