// The one place where a Status becomes an HTTP status and a TAXII error resource (§3.6.1).
#pragma once

#include <string_view>

#include "common/status.h"
#include "taxii/http_types.h"

namespace tabadul::taxii {

int HttpStatusFor(StatusCode code);

// A TAXII error response for `status` (never OK): the error resource with title, description
// and http_status (a string equal to the HTTP status). 401 carries WWW-Authenticate.
HttpResponse ErrorResponse(const Status& status, std::string_view content_type);

// The same with an HTTP status that no StatusCode maps to (405, 431): the status line, the title
// and the body's http_status all say `http_status`, as §3.6.1 requires them to agree.
HttpResponse ErrorResponse(const Status& status, std::string_view content_type, int http_status);

}  // namespace tabadul::taxii
