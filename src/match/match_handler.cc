#include "match/match_handler.h"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "match/match_session.h"
#include "taxii/errors.h"

namespace tabadul::match {
namespace {

namespace json = boost::json;
constexpr std::string_view kJson = "application/json";

struct Item {
  std::string text;   // a plain value, a line, or a JSON object's text
  std::string error;  // set when the element can be neither
};

struct ParsedBody {
  MatchRequest request;
  std::vector<Item> items;
};

// The media type without parameters, lower-cased.
std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

Result<std::string> OptionalString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return InvalidArgument("\"" + std::string(key) + "\" must be a string");
  return std::string(v->get_string());
}

Result<ParsedBody> ParseJsonBody(std::string_view body, size_t max_items) {
  boost::system::error_code ec;
  json::value doc = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec || !doc.is_object()) return InvalidArgument("the body is not a JSON object");
  const json::object& o = doc.get_object();
  ParsedBody p;
  TABADUL_ASSIGN_OR_RETURN(p.request.collection, OptionalString(o, "collection"));
  TABADUL_ASSIGN_OR_RETURN(p.request.sightings_collection, OptionalString(o, "sightings"));
  const json::value* list = o.if_contains("observables");
  if (list == nullptr || !list->is_array()) {
    return InvalidArgument("\"observables\" must be an array of strings and objects");
  }
  if (list->get_array().size() > max_items) {
    return ResourceExhausted("more than " + std::to_string(max_items) + " observables");
  }
  for (const json::value& v : list->get_array()) {
    if (v.is_string()) {
      p.items.push_back({std::string(v.get_string()), ""});
    } else if (v.is_object()) {
      p.items.push_back({json::serialize(v), ""});
    } else {
      p.items.push_back({"", "an observable is a string or a JSON object"});
    }
  }
  return p;
}

Result<ParsedBody> ParseTextBody(const std::string& target, std::string_view body,
                                 size_t max_items) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return InvalidArgument("malformed request target");
  ParsedBody p;
  for (const auto& param : url->params()) {
    if (param.key == "collection") {
      p.request.collection = param.value;
    } else if (param.key == "sightings") {
      p.request.sightings_collection = param.value;
    } else {
      return InvalidArgument("unknown query parameter '" + std::string(param.key) + "'");
    }
  }
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    if (p.items.size() == max_items) {
      return ResourceExhausted("more than " + std::to_string(max_items) + " lines");
    }
    p.items.push_back({std::string(body.substr(start, end - start)), ""});
    start = end + 1;
  }
  return p;
}

json::object HitJson(const MatchHit& h) {
  return json::object{{"item", h.item},
                      {"observable", h.observable},
                      {"kind", h.kind},
                      {"indicator_id", h.indicator_id},
                      {"indicator_name", h.indicator_name},
                      {"indicator_version", h.indicator_version}};
}

struct Deps {
  IndicatorService& service;
  store::Store& store;
  intake::Pipeline& pipeline;
  auth::Authenticator& authenticator;
  const Clock& clock;
  Visibility visibility;
  MatchHandlerOptions options;
  RandomBytes random;
};

taxii::HttpResponse Handle(const Deps& d, const taxii::HttpRequest& request) {
  auto error = [](const Status& st) { return taxii::ErrorResponse(st, kJson); };
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path != kMatchPath && path + "/" != kMatchPath) {
    return error(NotFound("no resource at '" + path + "'"));
  }
  auto principal = d.authenticator.Authenticate(request.authorization, request.peer);
  if (!principal.ok()) return error(principal.status());
  if (request.method != "POST") {
    taxii::HttpResponse r =
        error(InvalidArgument("method " + request.method + " is not allowed here; use POST"));
    // No StatusCode maps to 405: the status line, title and http_status must still agree.
    json::object body = json::parse(r.body).as_object();
    body["title"] = "Method not allowed";
    body["http_status"] = "405";
    r.body = json::serialize(body);
    r.status = 405;
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  const std::string media = MediaType(request.content_type);
  Result<ParsedBody> body = Unsupported("");
  if (media == "application/json") {
    if (request.target.find('?') != std::string::npos) {
      return error(InvalidArgument("a JSON request takes no query parameters"));
    }
    body = ParseJsonBody(request.body, d.options.max_items);
  } else if (media == "text/plain" || media == "application/x-ndjson") {
    body = ParseTextBody(request.target, request.body, d.options.max_items);
  } else {
    return error(Unsupported("Content-Type '" + request.content_type +
                             "' is not accepted; send application/json or text/plain"));
  }
  if (!body.ok()) return error(body.status());
  if (body->request.collection.empty()) return error(InvalidArgument("no collection given"));

  auto session = MatchSession::Open(d.service, d.store, d.pipeline, d.clock, d.visibility, &*principal,
                                    body->request, d.random);
  if (!session.ok()) return error(session.status());
  json::array hits, errors;
  std::vector<MatchHit> found;  // every hit, in response order
  for (size_t i = 0; i < body->items.size(); ++i) {
    const size_t before = found.size();
    const Item& item = body->items[i];
    Status st = item.error.empty() ? (*session)->MatchItem(i + 1, item.text, &found)
                                   : InvalidArgument(item.error);
    if (!st.ok()) errors.push_back(json::object{{"item", i + 1}, {"message", st.message()}});
    for (size_t h = before; h < found.size(); ++h) hits.push_back(HitJson(found[h]));
  }
  // Fail closed: hits that could not be recorded are not delivered (nor sighted). The recorder
  // reports the cause where the operator sees it; the client learns only that the server failed.
  if (!RecordMatchDisclosure(d.options.record_disclosure, *principal, kMatchPath,
                             (*session)->collection(), found)
           .ok()) {
    return error(Internal("the response could not be recorded in the disclosure log"));
  }
  json::object out{{"collection", (*session)->collection().id},
                   {"hits", std::move(hits)},
                   {"errors", std::move(errors)}};
  if (!body->request.sightings_collection.empty()) {
    auto ids = (*session)->StoreSightings();
    if (!ids.ok()) return error(ids.status());
    json::array list;
    for (const std::string& id : *ids) list.emplace_back(id);
    out["sightings"] = std::move(list);
  }
  taxii::HttpResponse r;
  r.status = 200;
  r.content_type = std::string(kJson);
  r.body = json::serialize(out);
  return r;
}

}  // namespace

taxii::Handler MakeMatchHandler(IndicatorService& service, store::Store& store,
                                intake::Pipeline& pipeline,
                                auth::Authenticator& authenticator, const Clock& clock,
                                Visibility visibility, MatchHandlerOptions options,
                                RandomBytes random) {
  auto deps = std::make_shared<const Deps>(
      Deps{service, store, pipeline, authenticator, clock, WithDefaults(std::move(visibility), store),
           options, std::move(random)});
  return [deps](const taxii::HttpRequest& request) { return Handle(*deps, request); };
}

}  // namespace tabadul::match
