#include "taxii/errors.h"

#include <boost/json.hpp>

namespace tabadul::taxii {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kUnsupported: return 415;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnprocessable: return 422;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

namespace {
const char* TitleFor(int http) {
  switch (http) {
    case 400: return "Bad request";
    case 401: return "Authentication required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 406: return "Not acceptable";
    case 409: return "Conflict";
    case 413: return "Request too large";
    case 415: return "Unsupported media type";
    case 422: return "Unprocessable content";
    case 431: return "Request header fields too large";
    default: return "Internal server error";
  }
}
}  // namespace

HttpResponse ErrorResponse(const Status& status, std::string_view content_type) {
  // 406 has no StatusCode of its own: kUnsupported with a message about Accept maps here.
  int http = HttpStatusFor(status.code());
  if (status.code() == StatusCode::kUnsupported && status.message().rfind("Accept", 0) == 0) {
    http = 406;
  }
  return ErrorResponse(status, content_type, http);
}

HttpResponse ErrorResponse(const Status& status, std::string_view content_type, int http_status) {
  HttpResponse r;
  r.status = http_status;
  r.content_type = std::string(content_type);
  boost::json::object o;
  o["title"] = TitleFor(r.status);
  // Internal errors are logged by the server; clients get no internals.
  o["description"] = r.status == 500 ? "the server could not complete the request" : status.message();
  o["http_status"] = std::to_string(r.status);
  r.body = boost::json::serialize(o);
  if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tabadul\", charset=\"UTF-8\"");
  return r;
}

}  // namespace tabadul::taxii
