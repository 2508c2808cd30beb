// How the reports services learn what a user may see, without depending on the policy module:
// the caller passes the visibility rule as two functions (the server passes the policy's; the
// defaults below are the stored grants and "every row of a readable collection is visible").
//
// Every result a reports service returns to a user passes both: the collection must be readable
// (CollectionAccess.can_read) and the row visible (RowVisible), checked before any limit.
#pragma once

#include <functional>

#include "auth/authenticator.h"
#include "common/status.h"
#include "store/store.h"

namespace tabadul::reports {

// What `principal` may do with `collection`. Must be thread-safe.
using CollectionAccess =
    std::function<Result<store::Grant>(const auth::Principal&, const store::Collection&)>;
// Whether `principal` may receive this row of `collection` (a readable one). Must be cheap and
// thread-safe; it runs once per candidate during matching. When it passes the row it may note in
// row.disclosed_under the agreement the row is delivered under (store/store.h; the text must
// outlive the function): search hits carry it into their disclosure records.
using RowVisible = std::function<bool(const auth::Principal&, const store::Collection&,
                                      const store::ObjectRow&)>;

// The user's stored grant (store.GetGrant(principal.user, collection.id)). `store` must outlive
// the function.
CollectionAccess StoredGrants(store::Store& store);
// Every row is visible.
RowVisible AllRowsVisible();

// For operator commands run with the data folder's own authority (CLI without --as): every
// collection readable and writable.
CollectionAccess OperatorAccess();

}  // namespace tabadul::reports
