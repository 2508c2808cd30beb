#include "match/visibility.h"

namespace tabadul::match {

CollectionAccess StoredGrants(store::Store& store) {
  return [&store](const auth::Principal& principal, const store::Collection& collection) {
    return store.GetGrant(principal.user, collection.id);
  };
}

Visibility WithDefaults(Visibility visibility, store::Store& store) {
  if (!visibility.access) visibility.access = StoredGrants(store);
  if (!visibility.row_visible) {
    visibility.row_visible = [](const auth::Principal&, const store::Collection&,
                                const store::ObjectRow&, std::string_view*) { return true; };
  }
  return visibility;
}

}  // namespace tabadul::match
