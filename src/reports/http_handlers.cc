#include "reports/http_handlers.h"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <charconv>

#include "reports/report_json.h"
#include "taxii/errors.h"

namespace tabadul::reports {
namespace {

namespace json = boost::json;
namespace urls = boost::urls;

constexpr char kJson[] = "application/json";

taxii::HttpResponse Error(const Status& st) { return taxii::ErrorResponse(st, kJson); }

taxii::HttpResponse JsonResponse(int status, const json::value& body) {
  taxii::HttpResponse r;
  r.status = status;
  r.content_type = kJson;
  r.body = json::serialize(body);
  return r;
}

taxii::HttpResponse MethodNotAllowed(const char* allowed) {
  json::object body;
  body["title"] = "Method Not Allowed";
  body["description"] = std::string("this endpoint accepts ") + allowed;
  body["http_status"] = "405";
  taxii::HttpResponse r = JsonResponse(405, body);
  r.headers.emplace_back("Allow", allowed);
  return r;
}

// The path part of a request target, without the query.
std::string_view PathOf(std::string_view target) {
  return target.substr(0, target.find('?'));
}

Result<size_t> ParseCount(std::string_view name, std::string_view value, size_t max) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size() || n > max) {
    return InvalidArgument(std::string(name) + " must be an integer 0.." + std::to_string(max));
  }
  return n;
}

void AppendList(std::string_view value, std::vector<std::string>& out) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
  }
}

Result<SearchRequest> ParseSearchQuery(std::string_view target) {
  auto parsed = urls::parse_origin_form(target);
  if (!parsed) return InvalidArgument("malformed request target");
  SearchRequest request;
  bool have_q = false;
  for (const auto& param : parsed->params()) {
    const std::string key = param.key;
    const std::string value = param.has_value ? std::string(param.value) : std::string();
    if (key == "q") {
      request.query = value;
      have_q = true;
    } else if (key == "type") {
      AppendList(value, request.types);
    } else if (key == "collection") {
      AppendList(value, request.collections);
    } else if (key == "limit") {
      TABADUL_ASSIGN_OR_RETURN(request.limit, ParseCount("limit", value, 1000));
      if (request.limit == 0) return InvalidArgument("limit must be 1..1000");
    } else if (key == "offset") {
      TABADUL_ASSIGN_OR_RETURN(request.offset, ParseCount("offset", value, 100000));
    } else {
      return InvalidArgument("unknown parameter '" + key + "'");
    }
  }
  if (!have_q) return InvalidArgument("parameter q is required (it may be empty)");
  return request;
}

Result<IngestRequest> ParseIngestBody(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return InvalidArgument("the body must be a JSON object");
  IngestRequest request;
  bool have_text = false;
  for (const auto& [key, value] : v.as_object()) {
    auto string_field = [&](std::string& out) -> Status {
      if (!value.is_string()) return InvalidArgument(std::string(key) + " must be a string");
      out = std::string(value.as_string());
      return Status::Ok();
    };
    auto bool_field = [&](bool& out) -> Status {
      if (!value.is_bool()) return InvalidArgument(std::string(key) + " must be true or false");
      out = value.as_bool();
      return Status::Ok();
    };
    if (key == "text") {
      TABADUL_RETURN_IF_ERROR(string_field(request.text));
      have_text = true;
    } else if (key == "collection") {
      TABADUL_RETURN_IF_ERROR(string_field(request.collection));
    } else if (key == "lang") {
      TABADUL_RETURN_IF_ERROR(string_field(request.lang));
    } else if (key == "tlp") {
      TABADUL_RETURN_IF_ERROR(string_field(request.tlp));
    } else if (key == "name") {
      TABADUL_RETURN_IF_ERROR(string_field(request.name));
    } else if (key == "format") {
      std::string format;
      TABADUL_RETURN_IF_ERROR(string_field(format));
      auto f = ParseInputFormat(format);
      if (!f) return InvalidArgument("format must be plain, html or markdown");
      request.format = *f;
    } else if (key == "dry_run") {
      TABADUL_RETURN_IF_ERROR(bool_field(request.dry_run));
    } else if (key == "include_flagged") {
      TABADUL_RETURN_IF_ERROR(bool_field(request.include_flagged));
    } else {
      return InvalidArgument("unknown field '" + std::string(key) + "'");
    }
  }
  if (!have_text) return InvalidArgument("field text is required");
  return request;
}

}  // namespace

taxii::Handler MakeIngestHandler(IngestService& service, auth::Authenticator& authenticator) {
  return [&service, &authenticator](const taxii::HttpRequest& request) -> taxii::HttpResponse {
    auto principal = authenticator.Authenticate(request.authorization, request.peer);
    if (!principal.ok()) return Error(principal.status());
    if (PathOf(request.target) != kIngestPath) return Error(NotFound("no such endpoint"));
    if (request.method != "POST") return MethodNotAllowed("POST");
    if (request.content_type.rfind(kJson, 0) != 0) {
      return Error(Unsupported("the body must be application/json"));
    }
    auto parsed = ParseIngestBody(request.body);
    if (!parsed.ok()) return Error(parsed.status());
    auto result = service.Ingest(*principal, *parsed);
    if (!result.ok()) {
      // "Nothing to report" is the text's fault, not a server state: 422.
      if (result.status().code() == StatusCode::kFailedPrecondition) {
        return Error(Unprocessable(result.status().message()));
      }
      return Error(result.status());
    }
    return JsonResponse(parsed->dry_run ? 200 : 201, IngestResultJson(*result, parsed->dry_run));
  };
}

taxii::Handler MakeSearchHandler(SearchService& service, auth::Authenticator& authenticator,
                                 DisclosureRecorder record) {
  return [&service, &authenticator, record = std::move(record)](
             const taxii::HttpRequest& request) -> taxii::HttpResponse {
    auto principal = authenticator.Authenticate(request.authorization, request.peer);
    if (!principal.ok()) return Error(principal.status());
    if (PathOf(request.target) != kSearchPath) return Error(NotFound("no such endpoint"));
    if (request.method != "GET") return MethodNotAllowed("GET");
    auto parsed = ParseSearchQuery(request.target);
    if (!parsed.ok()) return Error(parsed.status());
    auto result = service.Search(*principal, *parsed);
    if (!result.ok()) return Error(result.status());
    // Fail closed: hits that could not be recorded are not delivered. The recorder reports the
    // cause where the operator sees it; the client learns only that the server failed.
    if (!RecordSearchDisclosures(record, *principal, kSearchPath, *result).ok()) {
      return Error(Internal("the response could not be recorded in the disclosure log"));
    }
    return JsonResponse(200, SearchResponseJson(*result));
  };
}

}  // namespace tabadul::reports
