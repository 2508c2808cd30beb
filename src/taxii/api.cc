#include "taxii/api.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <cstdio>

#include "auth/password.h"
#include "common/timestamp.h"
#include "stix/object_stream.h"
#include "stix/validator.h"
#include "taxii/errors.h"
#include "taxii/media_type.h"
#include "taxii/query.h"

namespace tabadul::taxii {
namespace {

namespace json = boost::json;

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

// Writes a paged envelope, {"more":...,"next":...,"<list>":[item,...]}, while the page's rows
// are read (Store::ScanObjects), so that each object's JSON is copied once, from the store into
// the body, and nothing is allocated per row.
//
// `more` and `next` come first but are known only once the page has ended. The items are
// therefore written after a gap sized for the header of a full page ("more":true and a cursor
// as long as the first row's), and the header goes into the gap at the end; on a page whose
// header has another length (the last page: "more":false) the items move once. An empty page
// is {} (TAXII's empty envelope).
class EnvelopeWriter {
 public:
  // `limit` (the page size) only sizes the body's allocation.
  EnvelopeWriter(std::string_view list, std::string_view canonical, size_t limit)
      : list_(list), canonical_(canonical), limit_(limit) {}

  // Starts the next item (row `date_added_us` of the page) and returns the body to append it to.
  std::string& AddItem(int64_t date_added_us) {
    if (count_ == 0) {
      first_us_ = date_added_us;
      gap_ = Header(/*more=*/true, date_added_us).size();
      body_.reserve(gap_ + list_.size() + 8 + kFirstItemGuess);
      body_.append(gap_, ' ');
      body_ += ",\"";
      body_ += list_;
      body_ += "\":[";
      items_start_ = body_.size();
    } else {
      if (count_ == 1) ReserveForPage();
      body_ += ',';
    }
    ++count_;
    last_us_ = date_added_us;
    return body_;
  }

  // Ends the envelope and returns it.
  std::string Finish(bool more) && {
    if (count_ == 0) return "{}";
    body_ += "]}";
    const std::string header = Header(more, last_us_);
    if (header.size() == gap_) {
      header.copy(body_.data(), gap_);
    } else {
      body_.replace(0, gap_, header);
    }
    return std::move(body_);
  }

  size_t count() const { return count_; }
  int64_t first_us() const { return first_us_; }
  int64_t last_us() const { return last_us_; }

 private:
  static constexpr size_t kFirstItemGuess = 2048;
  static constexpr size_t kMaxReserve = 4u << 20;  // larger pages grow by doubling

  std::string Header(bool more, int64_t last_us) const {
    if (!more) return "{\"more\":false";
    return "{\"more\":true,\"next\":" + Quote(EncodeCursor(last_us, canonical_));
  }

  // Once the first item is written, allocates the body for the whole page (items of about the
  // first one's size, with a margin) so that it is not copied on its way up by doubling.
  void ReserveForPage() {
    const size_t item = body_.size() - items_start_ + 1;
    const size_t rest = limit_ > 1 ? limit_ - 1 : 1;
    const size_t want = body_.size() + std::min(kMaxReserve, rest * item + rest * item / 4) + 64;
    if (want > body_.capacity()) body_.reserve(want);
  }

  const std::string_view list_;
  const std::string_view canonical_;
  const size_t limit_;
  std::string body_;
  size_t gap_ = 0;
  size_t items_start_ = 0;
  size_t count_ = 0;
  int64_t first_us_ = 0;
  int64_t last_us_ = 0;
};

// The TAXII "version" of a row: its STIX version, or date_added for unversioned objects (SCOs
// without created/modified), see docs/design/taxii-reading.md.
std::string VersionOf(const store::ObjectRow& r) {
  return r.version.empty() ? FormatTaxiiTimestamp(r.date_added_us) : r.version;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

struct TaxiiApi::Context {
  const HttpRequest& request;
  std::string path;
  std::string query;
  std::string response_type;
  std::optional<auth::Principal> principal;
};

TaxiiApi::TaxiiApi(store::Store& store, intake::Pipeline& pipeline, auth::Authenticator& auth,
                   const Clock& clock, ApiConfig config, ApiHooks hooks)
    : store_(store), pipeline_(pipeline), auth_(auth), clock_(clock), config_(std::move(config)),
      hooks_(std::move(hooks)) {}

HttpResponse TaxiiApi::Json(Context& ctx, int status, std::string body) const {
  HttpResponse r;
  r.status = status;
  r.content_type = ctx.response_type;
  r.body = std::move(body);
  return r;
}

HttpResponse TaxiiApi::Error(Context& ctx, const Status& st) const {
  return ErrorResponse(st, ctx.response_type);
}

HttpResponse TaxiiApi::Handle(const HttpRequest& request) {
  Context ctx{request, {}, {}, std::string(kTaxiiMediaType), std::nullopt};
  auto negotiated = NegotiateResponseType(request.accept);
  if (!negotiated) {
    return Error(ctx, Unsupported("Accept: none of '" + request.accept +
                                  "' is served here; send Accept: " + std::string(kTaxiiMediaType)));
  }
  ctx.response_type = *negotiated;
  // Split by hand: Boost.URL's strict RFC 3986 grammar refuses the raw '[' ']' that many TAXII
  // clients send in match[...] parameters.
  const std::string& t = request.target;
  if (t.empty() || t.front() != '/') return Error(ctx, InvalidArgument("malformed request target"));
  size_t q = t.find('?');
  ctx.path = t.substr(0, q);
  if (q != std::string::npos) ctx.query = t.substr(q + 1);
  for (char c : ctx.path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') {
      return Error(ctx, InvalidArgument("malformed request target"));
    }
  }
  return Route(ctx);
}

HttpResponse TaxiiApi::Route(Context& ctx) {
  const std::string& method = ctx.request.method;
  if (ctx.path.empty() || ctx.path.back() != '/') {
    return Error(ctx, NotFound("no resource at '" + ctx.path + "' (TAXII paths end with '/')"));
  }
  const bool is_discovery = ctx.path == "/taxii2/";
  if (!(is_discovery && config_.public_discovery)) {
    auto principal = auth_.Authenticate(ctx.request.authorization, ctx.request.peer);
    if (!principal.ok()) return Error(ctx, principal.status());
    ctx.principal = std::move(principal).value();
  }
  // A read shares one store transaction (one snapshot, one set of file locks) for its
  // collection, grant and page lookups; writes open their own.
  const auto read_scope =
      method == "GET" || method == "HEAD" ? store_.BeginRead() : std::unique_ptr<store::ReadScope>();
  auto only_get = [&]() -> std::optional<HttpResponse> {
    if (method == "GET" || method == "HEAD") return std::nullopt;
    return ErrorResponse(InvalidArgument("method " + method + " is not allowed here"),
                         ctx.response_type, 405);
  };
  if (is_discovery) {
    if (auto r = only_get()) return *r;
    return Discovery(ctx);
  }
  if (ctx.path.rfind(config_.api_root, 0) != 0) {
    return Error(ctx, NotFound("no resource at '" + ctx.path + "'"));
  }
  auto seg = Segments(std::string_view(ctx.path).substr(config_.api_root.size() - 1));
  if (seg.empty()) {
    if (auto r = only_get()) return *r;
    return ApiRoot(ctx);
  }
  if (seg[0] == "status" && seg.size() == 2) {
    if (auto r = only_get()) return *r;
    return GetStatus(ctx, seg[1]);
  }
  if (seg[0] != "collections") return Error(ctx, NotFound("no resource at '" + ctx.path + "'"));
  if (seg.size() == 1) {
    if (auto r = only_get()) return *r;
    return ListCollections(ctx);
  }
  // Every path below names a collection: resolve it and the caller's grant once.
  const std::string collection_id(seg[1]);
  auto hidden = [&] { return Error(ctx, NotFound("no collection '" + collection_id + "'")); };
  if (!IsUuid(collection_id)) return hidden();
  auto collection = store_.GetCollection(collection_id);
  if (!collection.ok()) {
    if (collection.status().code() == StatusCode::kNotFound) return hidden();
    return Error(ctx, collection.status());
  }
  auto grant = AccessTo(ctx, *collection);
  if (!grant.ok()) return Error(ctx, grant.status());
  if (!grant->can_read && !grant->can_write) return hidden();

  if (seg.size() == 2) {
    if (auto r = only_get()) return *r;
    return GetCollection(ctx, *collection, *grant);
  }
  const bool reading = method == "GET" || method == "HEAD";
  if (seg.size() == 3 && seg[2] == "manifest") {
    if (auto r = only_get()) return *r;
    if (!grant->can_read) return Error(ctx, PermissionDenied("no read access to this collection"));
    return GetObjects(ctx, *collection, /*manifest=*/true);
  }
  if (seg.size() == 3 && seg[2] == "objects") {
    if (method == "POST") return PostObjects(ctx, *collection, *grant);
    if (auto r = only_get()) return *r;
    if (!grant->can_read) return Error(ctx, PermissionDenied("no read access to this collection"));
    return GetObjects(ctx, *collection, /*manifest=*/false);
  }
  if ((seg.size() == 4 || (seg.size() == 5 && seg[4] == "versions")) && seg[2] == "objects") {
    const std::string object_id(seg[3]);
    if (seg.size() == 4 && method == "DELETE") {
      return DeleteObject(ctx, *collection, *grant, object_id);
    }
    if (!reading) {
      return ErrorResponse(InvalidArgument("method " + method + " is not allowed here"),
                           ctx.response_type, 405);
    }
    if (!grant->can_read) return Error(ctx, PermissionDenied("no read access to this collection"));
    return GetObject(ctx, *collection, object_id, /*versions_only=*/seg.size() == 5);
  }
  return Error(ctx, NotFound("no resource at '" + ctx.path + "'"));
}

HttpResponse TaxiiApi::Discovery(Context& ctx) {
  json::object o;
  o["title"] = config_.title;
  if (!config_.description.empty()) o["description"] = config_.description;
  if (!config_.contact.empty()) o["contact"] = config_.contact;
  o["default"] = config_.api_root;
  o["api_roots"] = json::array{json::string(config_.api_root)};
  return Json(ctx, 200, json::serialize(o));
}

HttpResponse TaxiiApi::ApiRoot(Context& ctx) {
  json::object o;
  o["title"] = config_.title;
  if (!config_.description.empty()) o["description"] = config_.description;
  o["versions"] = json::array{json::string(kTaxiiMediaType)};
  o["max_content_length"] = config_.max_content_length;
  return Json(ctx, 200, json::serialize(o));
}

HttpResponse TaxiiApi::GetStatus(Context& ctx, std::string_view id) {
  auto st = store_.GetStatus(id);
  // Only the poster's organization may read a status; to anyone else it does not exist.
  if (!st.ok() || st->org_id != ctx.principal->org_id) {
    if (!st.ok() && st.status().code() != StatusCode::kNotFound) return Error(ctx, st.status());
    return Error(ctx, NotFound("no status '" + std::string(id) + "'"));
  }
  json::object o;
  o["id"] = st->id;
  o["status"] = st->pendings.empty() ? "complete" : "pending";
  o["request_timestamp"] = FormatTaxiiTimestamp(st->request_timestamp_us);
  o["total_count"] = st->successes.size() + st->failures.size() + st->pendings.size();
  o["success_count"] = st->successes.size();
  o["failure_count"] = st->failures.size();
  o["pending_count"] = st->pendings.size();
  auto list = [](const std::vector<store::StatusItem>& items) {
    json::array a;
    for (const auto& i : items) {
      json::object d;
      d["id"] = i.id;
      d["version"] = i.version;
      if (!i.message.empty()) d["message"] = i.message;
      a.push_back(std::move(d));
    }
    return a;
  };
  if (!st->successes.empty()) o["successes"] = list(st->successes);
  if (!st->failures.empty()) o["failures"] = list(st->failures);
  if (!st->pendings.empty()) o["pendings"] = list(st->pendings);
  return Json(ctx, 200, json::serialize(o));
}

namespace {
json::object CollectionResource(const store::Collection& c, store::Grant g) {
  json::object o;
  o["id"] = c.id;
  o["title"] = c.title;
  if (!c.description.empty()) o["description"] = c.description;
  if (!c.alias.empty()) o["alias"] = c.alias;
  o["can_read"] = g.can_read;
  o["can_write"] = g.can_write;
  o["media_types"] = json::array{json::string(kStixMediaType)};
  return o;
}
}  // namespace

HttpResponse TaxiiApi::ListCollections(Context& ctx) {
  auto all = store_.ListCollections();
  if (!all.ok()) return Error(ctx, all.status());
  json::array list;
  for (const auto& c : *all) {
    auto g = AccessTo(ctx, c);
    if (!g.ok()) return Error(ctx, g.status());
    if (g->can_read || g->can_write) list.push_back(CollectionResource(c, *g));
  }
  json::object o;
  if (!list.empty()) o["collections"] = std::move(list);  // no empty lists (§3.2)
  return Json(ctx, 200, json::serialize(o));
}

HttpResponse TaxiiApi::GetCollection(Context& ctx, const store::Collection& c, store::Grant g) {
  return Json(ctx, 200, json::serialize(CollectionResource(c, g)));
}

RequestInfo TaxiiApi::Info(const Context& ctx) const {
  return RequestInfo{*ctx.principal, ctx.request.over_tls, ctx.path};
}

Result<store::Grant> TaxiiApi::AccessTo(const Context& ctx, const store::Collection& c) const {
  if (hooks_.access) return hooks_.access(Info(ctx), c);
  return store_.GetGrant(ctx.principal->user, c.id);
}

store::RowFilter TaxiiApi::FilterFor(const Context& ctx, const store::Collection& c) const {
  if (!hooks_.read_filter) return nullptr;
  return hooks_.read_filter(Info(ctx), c);
}

namespace {

// The X-TAXII-Date-Added-First/Last headers. An empty page repeats the lower bound it was asked
// for (or the epoch), so a client resuming from Last neither skips nor loops.
void AddDateHeaders(HttpResponse* r, const EnvelopeWriter& page, int64_t after_us) {
  const int64_t floor = std::max<int64_t>(after_us, 0);
  const bool empty = page.count() == 0;
  r->headers.emplace_back("X-TAXII-Date-Added-First",
                          FormatTaxiiTimestamp(empty ? floor : page.first_us()));
  r->headers.emplace_back("X-TAXII-Date-Added-Last",
                          FormatTaxiiTimestamp(empty ? floor : page.last_us()));
}

// One manifest record (§5.3) of a row.
void AppendManifestRecord(const store::ObjectRow& r, std::string* body) {
  *body += "{\"id\":";
  *body += Quote(r.id);
  *body += ",\"date_added\":\"";
  *body += FormatTaxiiTimestamp(r.date_added_us);
  *body += "\",\"version\":";
  *body += Quote(VersionOf(r));
  *body += ",\"media_type\":\"application/stix+json;version=";
  *body += r.spec_version;
  *body += "\"}";
}

}  // namespace

HttpResponse TaxiiApi::ServePage(Context& ctx, const store::Collection& c,
                                 const store::ObjectQuery& q, const store::RowFilter& visible,
                                 const ObjectFilters& filters, PageItem item) {
  const bool objects = item == PageItem::kObject;
  const bool rewrite = objects && hooks_.rewrite;
  // Every page that names object versions is a disclosure: objects, manifest records (ids,
  // versions, date_added) and versions lists alike (DESIGN.md "Disclosure").
  const bool record = static_cast<bool>(hooks_.on_disclosure);
  const RequestInfo info = Info(ctx);
  EnvelopeWriter envelope(item == PageItem::kVersion ? "versions" : "objects", filters.canonical,
                          q.limit);
  // What on_disclosure records: (id, version, agreement) items, compactly.
  store::AuditItemList delivered;
  if (record) delivered.Reserve(q.limit);
  auto more = store_.ScanObjects(q, visible, [&](store::ObjectRow& row, std::string_view json) {
    std::string& body = envelope.AddItem(row.date_added_us);
    switch (item) {
      case PageItem::kObject:
        if (rewrite) {
          row.json.assign(json);
          hooks_.rewrite(info, c, row);
          body += row.json;
          row.json.clear();  // the disclosure record does not carry the JSON
        } else {
          body += json;
        }
        break;
      case PageItem::kManifestRecord:
        AppendManifestRecord(row, &body);
        break;
      case PageItem::kVersion:
        body += Quote(VersionOf(row));
        break;
    }
    // The read filter noted the agreement this row is delivered under (empty: none).
    if (record) delivered.Add(row.id, row.version, row.disclosed_under);
  });
  if (!more.ok()) return Error(ctx, more.status());
  const EnvelopeWriter& page = envelope;
  HttpResponse resp;
  resp.status = 200;
  resp.content_type = ctx.response_type;
  AddDateHeaders(&resp, page, filters.after_us);
  resp.body = std::move(envelope).Finish(*more);
  if (record && !delivered.empty()) {
    if (Status st = hooks_.on_disclosure(info, c, std::move(delivered)); !st.ok()) {
      // Fail closed: the objects are not sent without their record (the cause went to the
      // hook's error sink; the client learns only that the server failed).
      return Error(ctx, Internal("the delivery could not be recorded; no objects were sent"));
    }
  }
  return resp;
}

HttpResponse TaxiiApi::GetObjects(Context& ctx, const store::Collection& c, bool manifest) {
  auto filters = ParseObjectQuery(ctx.query, kAddedAfter | kLimit | kNext | kMatchId | kMatchType |
                                                 kMatchVersion | kMatchSpecVersion);
  if (!filters.ok()) return Error(ctx, filters.status());
  store::ObjectQuery q;
  q.collection_id = c.id;
  q.added_after_us = filters->after_us;
  q.ids = filters->ids;
  q.types = filters->types;
  q.spec_versions = filters->spec_versions;
  q.versions = filters->versions;
  q.with_json = !manifest;
  q.limit = std::min(filters->limit.value_or(config_.default_page_size), config_.max_page_size);
  return ServePage(ctx, c, q, FilterFor(ctx, c), *filters,
                   manifest ? PageItem::kManifestRecord : PageItem::kObject);
}

HttpResponse TaxiiApi::GetObject(Context& ctx, const store::Collection& c, const std::string& id,
                                 bool versions_only) {
  unsigned allowed = kAddedAfter | kLimit | kNext | kMatchSpecVersion;
  if (!versions_only) allowed |= kMatchVersion;
  auto filters = ParseObjectQuery(ctx.query, allowed);
  if (!filters.ok()) return Error(ctx, filters.status());
  const store::RowFilter visible = FilterFor(ctx, c);

  // 404 when no visible version of the object exists at all; an empty 200 when it exists but
  // the filters exclude every version.
  store::ObjectQuery exists;
  exists.collection_id = c.id;
  exists.ids = {id};
  exists.versions.all = true;
  exists.limit = 1;
  bool found = false;
  auto any = store_.ScanObjects(exists, visible,
                                [&found](store::ObjectRow&, std::string_view) { found = true; });
  if (!any.ok()) return Error(ctx, any.status());
  if (!found) return Error(ctx, NotFound("no object '" + id + "' in this collection"));

  store::ObjectQuery q;
  q.collection_id = c.id;
  q.ids = {id};
  q.added_after_us = filters->after_us;
  q.spec_versions = filters->spec_versions;
  q.versions = versions_only ? store::VersionMatch{.all = true} : filters->versions;
  q.with_json = !versions_only;
  q.limit = std::min(filters->limit.value_or(config_.default_page_size), config_.max_page_size);
  return ServePage(ctx, c, q, visible, *filters,
                   versions_only ? PageItem::kVersion : PageItem::kObject);
}

HttpResponse TaxiiApi::DeleteObject(Context& ctx, const store::Collection& c, store::Grant g,
                                    const std::string& id) {
  if (!g.can_read || !g.can_write) {
    return Error(ctx, PermissionDenied("deleting needs both read and write access"));
  }
  if (ctx.principal->role == store::Role::kReader) {
    return Error(ctx, PermissionDenied("readers cannot delete objects"));
  }
  auto filters = ParseObjectQuery(ctx.query, kMatchVersion | kMatchSpecVersion);
  if (!filters.ok()) return Error(ctx, filters.status());
  // Without match[version], every version is deleted (§5.7).
  store::VersionMatch versions =
      filters->versions_given ? filters->versions : store::VersionMatch{.all = true};
  auto n = store_.DeleteObject(c.id, id, versions);
  if (!n.ok()) return Error(ctx, n.status());
  if (*n == 0) return Error(ctx, NotFound("no object '" + id + "' matching the filters"));
  return Json(ctx, 200, "");
}

HttpResponse TaxiiApi::PostObjects(Context& ctx, const store::Collection& c, store::Grant g) {
  if (!g.can_write) return Error(ctx, PermissionDenied("no write access to this collection"));
  if (ctx.principal->role == store::Role::kReader) {
    return Error(ctx, PermissionDenied("readers cannot publish objects"));
  }
  if (!ctx.query.empty()) return Error(ctx, InvalidArgument("POST takes no query parameters"));
  if (!IsReadableContentType(ctx.request.content_type)) {
    return Error(ctx, Unsupported("Content-Type '" + ctx.request.content_type +
                                  "' is not accepted; send " + std::string(kTaxiiMediaType)));
  }
  if (ctx.request.body.size() > config_.max_content_length) {
    return Error(ctx, ResourceExhausted("the body exceeds max_content_length (" +
                                        std::to_string(config_.max_content_length) + " bytes)"));
  }
  const int64_t now = clock_.NowMicros();
  auto stream = stix::ObjectStream::Open(ctx.request.body);
  if (!stream.ok()) return Error(ctx, stream.status());

  store::StatusRecord status;
  status.id = auth::RandomUuid();
  status.collection_id = c.id;
  status.user_name = ctx.principal->user;
  status.org_id = ctx.principal->org_id;
  status.request_timestamp_us = now;
  std::vector<std::string_view> raw_objects;
  while (true) {
    std::string_view raw;
    auto next = (*stream)->Next(&raw);
    // A structural error (malformed JSON, an element that is not an object, nesting too deep)
    // means the body is not a well-formed envelope: the whole request is refused with 400 and
    // nothing is stored, rather than storing a prefix and reporting a failure without an id.
    if (!next.ok()) return Error(ctx, next.status());
    if (!*next) break;
    raw_objects.push_back(raw);
  }
  if (raw_objects.empty()) return Error(ctx, Unprocessable("the envelope holds no objects"));
  intake::WriteOptions options;
  options.refuse_batch_on_malformed_json = true;
  auto report = pipeline_.Write(c, std::span<const std::string_view>(raw_objects), options);
  if (!report.ok()) return Error(ctx, report.status());
  for (const intake::ItemOutcome& o : report->items) {
    std::string version = !o.version.empty() ? o.version
                          : FormatTaxiiTimestamp(o.date_added_us ? o.date_added_us : now);
    if (o.kind == store::PutOutcome::Kind::kRefused) {
      status.failures.push_back({o.id, std::move(version), o.message});
    } else {
      status.successes.push_back({o.id, std::move(version), {}});
    }
  }
  if (Status st = store_.PutStatus(status); !st.ok()) return Error(ctx, st);
  // The status resource, as GET .../status/{id}/ will show it.
  HttpResponse resp = GetStatus(ctx, status.id);
  resp.status = 202;
  return resp;
}

}  // namespace tabadul::taxii
