// The JSON shapes of ingest and search results, shared by the HTTP endpoints and the CLI's
// output (one definition, so both speak the same language). Documented in http_handlers.h.
#pragma once

#include <boost/json/value.hpp>

#include "reports/ingest_service.h"
#include "reports/search_service.h"

namespace tabadul::reports {

// With `with_bundle`, "bundle" holds the bundle itself (parsed, not a string).
boost::json::value IngestResultJson(const IngestResult& result, bool with_bundle);
boost::json::value SearchResponseJson(const SearchResponse& response);

}  // namespace tabadul::reports
