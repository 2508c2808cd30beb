// Match responses as disclosures. A match hit names an indicator (its id, name and version) that
// the requester's observable hit, so each response that returns hits is a delivery of those
// indicator versions and is recorded in the disclosure log (docs/design/audit.md).
//
// The match module does not know the log: the server hands the match handler a
// DisclosureRecorder (cli/services.cc wires it to audit::DisclosureLog::Append), the same way the
// TAXII API gets ApiHooks::on_disclosure.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "common/status.h"
#include "match/match_session.h"
#include "store/sqlite_audit.h"
#include "store/store.h"

namespace tabadul::match {

// Records one delivery to `principal` over `path` (e.g. kMatchPath): the (object id, version,
// agreement) items of `items`, all from `collection`, in response order; `items` is never empty. Returns
// OK once the record is durable as the log promises; any error means it was not recorded, and
// the caller must then not deliver the items. Must be thread-safe. (The same signature as
// reports::DisclosureRecorder, so one function serves both.)
using DisclosureRecorder =
    std::function<Status(const auth::Principal& principal, std::string_view path,
                         const store::Collection& collection, store::AuditItemList items)>;

// Records `hits` (all from `collection`) as one disclosure: each distinct indicator version
// once, in the order of its first hit, under the agreement of that first hit. An indicator hit by many observables is one delivery of
// that indicator; repeating it per observable would make a sensor's stream grow the log by the
// number of its hits, not by what it learned. Nothing is recorded, and OK returned, when `hits`
// is empty or `record` is empty. Errors: those of `record`.
Status RecordMatchDisclosure(const DisclosureRecorder& record, const auth::Principal& principal,
                             std::string_view path, const store::Collection& collection,
                             const std::vector<MatchHit>& hits);

}  // namespace tabadul::match
