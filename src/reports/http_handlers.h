// tabadul's own HTTP endpoints for reports, mounted by the server's taxii::Router:
//
//   POST /tabadul/v1/ingest/   Content-Type application/json, body
//        {"collection": "<id or alias>", "text": "...", "format": "plain|html|markdown",
//         "lang": "ar|en|auto", "tlp": "green", "name": "...", "dry_run": false,
//         "include_flagged": false}
//        -> 201 (200 for a dry run) {"report_id", "objects", "added", "duplicates",
//           "refused": [{"id","message"}], "indicators": [{"kind","value","defanged","flags"}],
//           "flagged": [...], "linked": [{"id"|"country","type","name"}],
//           "bundle": {...} (dry run only)}
//   GET  /tabadul/v1/search/?q=...&type=T[,T]&collection=C[,C]&limit=N&offset=N
//        -> 200 {"total": n, "hits": [{"id","type","collection","version","name","score",
//                                      "snippet","highlights": [[begin,end],...]}]}
//        (`type` and `collection` may also be repeated; limit defaults to 20, at most 1000;
//        `version` is the version the hit shows: modified, else created, "" for SCOs)
//        A response with hits is a disclosure: with a DisclosureRecorder, its hits are recorded
//        (one record per collection, reports/disclosure.h) before the response is sent, and
//        when recording fails the answer is 500 without hits (fail closed).
//
// Every request needs HTTP Basic credentials (auth::Authenticator); errors are the TAXII error
// resource as application/json (taxii::ErrorResponse): 400 bad parameters or body, 401, 403
// (role or write access), 404 (unknown or unreadable collection), 405 wrong method, 422 (the
// text names nothing a report could reference), 500 (store, index, or disclosure log failure).
//
// The handlers are thread-safe; the services and the authenticator must outlive them.
#pragma once

#include "auth/authenticator.h"
#include "reports/disclosure.h"
#include "reports/ingest_service.h"
#include "reports/search_service.h"
#include "taxii/server.h"

namespace tabadul::reports {

inline constexpr char kIngestPath[] = "/tabadul/v1/ingest/";
inline constexpr char kSearchPath[] = "/tabadul/v1/search/";

taxii::Handler MakeIngestHandler(IngestService& service, auth::Authenticator& authenticator);
// `record` empty: responses are not recorded (tests, tools without a log). The server always
// passes one.
taxii::Handler MakeSearchHandler(SearchService& service, auth::Authenticator& authenticator,
                                 DisclosureRecorder record = nullptr);

}  // namespace tabadul::reports
