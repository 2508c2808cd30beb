// Who may match against what. The policy module will provide the real rule; until the lead
// wires it in, the defaults are the stored grants and "every row of a readable collection is
// visible". Every hit this module returns to a user has passed both functions.
#pragma once

#include <functional>
#include <string_view>

#include "auth/authenticator.h"
#include "common/status.h"
#include "store/store.h"

namespace tabadul::match {

// What `principal` may do with `collection`. Must be thread-safe.
using CollectionAccess =
    std::function<Result<store::Grant>(const auth::Principal&, const store::Collection&)>;
// Whether `principal` may see `row` (an indicator version stored in `collection`). Called for
// every candidate hit while an index is read-locked: must be cheap, thread-safe, and must not
// call back into the match module. `row` is shared by concurrent matches and must not be
// written to; when the row is visible, `*under` may be set to the agreement the hit is delivered
// under (its text must outlive the function), which the hit's disclosure record names.
using RowVisible = std::function<bool(const auth::Principal&, const store::Collection&,
                                      const store::ObjectRow&, std::string_view* under)>;

struct Visibility {
  CollectionAccess access;   // null: StoredGrants(store)
  RowVisible row_visible;    // null: every row visible
};

// The user's stored grant on the collection (store.GetGrant(principal.user, collection.id)).
// `store` must outlive the returned function.
CollectionAccess StoredGrants(store::Store& store);

// `visibility` with its null members replaced by the defaults above.
Visibility WithDefaults(Visibility visibility, store::Store& store);

}  // namespace tabadul::match
