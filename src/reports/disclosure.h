// Search responses as disclosures. A search hit shows an object's id, type, name and a snippet of
// its text, so each response that returns hits is a delivery of those object versions and is
// recorded in the disclosure log (docs/design/audit.md) like a TAXII page.
//
// The reports module does not know the log: the server hands the search handler a
// DisclosureRecorder (cli/services.cc wires it to audit::DisclosureLog::Append), the same way the
// TAXII API gets ApiHooks::on_disclosure.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "common/status.h"
#include "reports/search_service.h"
#include "store/sqlite_audit.h"
#include "store/store.h"

namespace tabadul::reports {

// Records one delivery to `principal` over `path` (e.g. kSearchPath): the (object id, version,
// agreement) items of `items`, all from `collection`, in response order; `items` is never empty. Returns
// OK once the record is durable as the log promises; any error means it was not recorded, and
// the caller must then not deliver the items. Must be thread-safe.
using DisclosureRecorder =
    std::function<Status(const auth::Principal& principal, std::string_view path,
                         const store::Collection& collection, store::AuditItemList items)>;

// Opens whatever a DisclosureRecorder writes to, for a command run on the data folder
// `data_dir` (the CLI's counterpart of the server's recorder). The recorder it returns owns what
// it opened. Errors: whatever opening failed with; the command then delivers nothing.
using DisclosureRecorderFactory =
    std::function<Result<DisclosureRecorder>(const std::string& data_dir)>;

// Records the hits of `response` as one disclosure per collection (collections in the order of
// their first hit, items in response order). Nothing is recorded, and OK returned, when there
// are no hits or `record` is empty. Stops at the first failure and returns it: the records made
// before it stay (a response that is then refused was recorded in part, which over-states what
// was delivered, never under-states it).
Status RecordSearchDisclosures(const DisclosureRecorder& record, const auth::Principal& principal,
                               std::string_view path, const SearchResponse& response);

}  // namespace tabadul::reports
