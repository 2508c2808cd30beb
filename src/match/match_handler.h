// The HTTP face of matching: POST /tabadul/v1/match/ (tabadul's own path, outside every TAXII
// API root). Mount the handler on kMatchPath with a taxii::Router.
//
// Request (HTTP Basic credentials as for TAXII), one of:
//   Content-Type: application/json
//     {"collection": "<id or alias>",
//      "observables": ["198.51.100.7", "evil.example", {...observed-data, bundle or SCO...}],
//      "sightings": "<id or alias>"}                                  (optional)
//   Content-Type: text/plain or application/x-ndjson
//     POST /tabadul/v1/match/?collection=<id or alias>[&sightings=<id or alias>]
//     one item per line, as the `tabadul match` command reads them (match_session.h).
// Response 200, application/json:
//   {"collection": "<id>",
//    "hits": [{"item": 1, "observable": "198.51.100.7", "kind": "ipv4",
//              "indicator_id": "indicator--...", "indicator_name": "...",
//              "indicator_version": "<its modified>"}, ...],
//    "errors": [{"item": 2, "message": "..."}],             (bad items; the rest is matched)
//    "sightings": ["sighting--...", ...]}                    (with "sightings" only)
// Errors (TAXII error resources, application/json): 401 bad credentials; 404 unknown or
// unreadable collection; 403 no write access / reader role for sightings; 400 malformed body or
// parameters; 413 more than max_items items; 415 another Content-Type; 405 another method
// (Allow: POST); 500 store failures, or the disclosure could not be recorded.
//
// A response with hits is a disclosure of the indicators it names: with a DisclosureRecorder,
// they are recorded (match/disclosure.h) before sightings are stored and before the response is
// sent; when recording fails the answer is 500 without hits and no sightings are stored (fail
// closed; a client retrying then does not store them twice).
#pragma once

#include <cstddef>
#include <string_view>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "match/disclosure.h"
#include "match/indicator_service.h"
#include "match/sighting.h"
#include "match/visibility.h"
#include "intake/pipeline.h"
#include "store/store.h"
#include "taxii/server.h"

namespace tabadul::match {

inline constexpr std::string_view kMatchPath = "/tabadul/v1/match/";

struct MatchHandlerOptions {
  size_t max_items = 100'000;  // items per request
  // Empty: responses are not recorded (tests, tools without a log). The server always sets it.
  DisclosureRecorder record_disclosure;
};

// Every reference must outlive the handler. The handler is thread-safe.
taxii::Handler MakeMatchHandler(IndicatorService& service, store::Store& store,
                                intake::Pipeline& pipeline,
                                auth::Authenticator& authenticator, const Clock& clock,
                                Visibility visibility = {}, MatchHandlerOptions options = {},
                                RandomBytes random = SystemRandom());

}  // namespace tabadul::match
