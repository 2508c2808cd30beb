// Content negotiation for TAXII 2.1 (§1.6.8): what a client's Accept allows us to answer, and
// whether a POST's Content-Type is one we read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tabadul::taxii {

inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";
inline constexpr std::string_view kStixMediaType = "application/stix+json;version=2.1";

// Chooses the Content-Type of a response from the request's Accept header. TAXII clients get
// kTaxiiMediaType (also for a missing Accept, */*, application/*, and taxii+json without a
// version); a client that accepts only application/json or application/stix+json (a browser, curl,
// a STIX tool) gets the same body labelled with the type it asked for, rather than a bare 406.
// nullopt when nothing acceptable is offered (e.g. only taxii+json;version=2.0, or text/html).
std::optional<std::string> NegotiateResponseType(std::string_view accept);

// True when a POST body with this Content-Type can be read as a TAXII envelope: TAXII 2.1 (with
// or without the version parameter), STIX 2.1 bundle media type, or application/json.
bool IsReadableContentType(std::string_view content_type);

}  // namespace tabadul::taxii
