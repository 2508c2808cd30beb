#include "reports/search_service.h"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

namespace tabadul::reports {
namespace {

namespace json = boost::json;

constexpr size_t kRefreshChunk = 200;  // ids per "latest version" store query
constexpr size_t kMaxLimit = 1000;

std::string DocKey(std::string_view collection_id, std::string_view id) {
  std::string key(collection_id);
  key += '/';
  key += id;
  return key;
}

std::string_view IdOfKey(std::string_view key) {
  const size_t slash = key.find('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

int64_t ParseInt(const std::string& s, int64_t fallback) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty() ? v : fallback;
}

json::array ToArray(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

// The row's metadata (everything RowVisible may look at) plus the name, for hits.
std::string EncodeMeta(const store::ObjectRow& row, std::string_view name) {
  json::object o;
  o["n"] = name;
  o["t"] = row.type;
  o["s"] = row.spec_version;
  o["v"] = row.version;
  o["vn"] = row.version_ns;
  o["d"] = row.date_added_us;
  o["r"] = row.revoked;
  o["c"] = row.created_by_ref;
  o["l"] = ToArray(row.labels);
  o["m"] = ToArray(row.marking_refs);
  o["g"] = row.has_granular_markings;
  o["o"] = row.origin;
  return json::serialize(o);
}

std::vector<std::string> StringsOf(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(key); v && v->is_array()) {
    for (const json::value& s : v->as_array()) {
      if (s.is_string()) out.emplace_back(s.as_string());
    }
  }
  return out;
}

std::string StringOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t IntOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

bool BoolOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

// False when the meta is unreadable: an object we cannot judge is not shown.
bool DecodeMeta(std::string_view meta, std::string_view collection_id, std::string_view id,
                store::ObjectRow& row, std::string* name) {
  json::error_code ec;
  json::value v = json::parse(meta, ec);
  if (ec || !v.is_object()) return false;
  const json::object& o = v.as_object();
  row.collection_id = std::string(collection_id);
  row.id = std::string(id);
  row.type = StringOf(o, "t");
  row.spec_version = StringOf(o, "s");
  row.version = StringOf(o, "v");
  row.version_ns = IntOf(o, "vn");
  row.date_added_us = IntOf(o, "d");
  row.revoked = BoolOf(o, "r");
  row.created_by_ref = StringOf(o, "c");
  row.labels = StringsOf(o, "l");
  row.marking_refs = StringsOf(o, "m");
  row.has_granular_markings = BoolOf(o, "g");
  row.origin = StringOf(o, "o");
  if (name) *name = StringOf(o, "n");
  return true;
}

// The searchable text of a stored object; nullopt when it has none.
std::optional<search::Document> DocumentOf(const store::ObjectRow& row) {
  json::error_code ec;
  json::value v = json::parse(row.json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  search::Document doc;
  doc.id = DocKey(row.collection_id, row.id);
  doc.type = row.type;
  doc.collection = row.collection_id;
  doc.name = StringOf(o, "name");
  if (doc.name.empty()) doc.name = StringOf(o, "value");  // SCOs: "evil.example", an address
  doc.aliases = StringsOf(o, "aliases");
  for (std::string& a : StringsOf(o, "x_mitre_aliases")) {
    if (std::find(doc.aliases.begin(), doc.aliases.end(), a) == doc.aliases.end()) {
      doc.aliases.push_back(std::move(a));
    }
  }
  doc.description = StringOf(o, "description");
  if (doc.name.empty() && doc.aliases.empty() && doc.description.empty()) return std::nullopt;
  doc.meta = EncodeMeta(row, doc.name);
  return doc;
}

Status RemoveIfPresent(search::Index& index, const std::string& key) {
  Status st = index.Remove(key);
  return st.code() == StatusCode::kNotFound ? Status::Ok() : st;
}

}  // namespace

SearchService::SearchService(store::Store& store, std::unique_ptr<search::Index> index,
                             SearchServiceOptions options)
    : store_(store), options_([&] {
        if (!options.access) options.access = StoredGrants(store);
        if (!options.visible) options.visible = AllRowsVisible();
        if (options.batch == 0) options.batch = 500;
        return options;
      }()),
      index_(std::move(index)) {}

SearchService::~SearchService() { StopPolling(); }

Result<std::unique_ptr<SearchService>> SearchService::Open(store::Store& store,
                                                           const std::string& folder,
                                                           SearchServiceOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto index, search::Index::Open(folder));
  return std::unique_ptr<SearchService>(new SearchService(store, std::move(index), std::move(options)));
}

Result<std::unique_ptr<SearchService>> SearchService::OpenReadOnly(store::Store& store,
                                                                   const std::string& folder,
                                                                   SearchServiceOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto index, search::Index::OpenReadOnly(folder));
  return std::unique_ptr<SearchService>(new SearchService(store, std::move(index), std::move(options)));
}

Result<std::unique_ptr<SearchService>> SearchService::InMemory(store::Store& store,
                                                               SearchServiceOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto index, search::Index::InMemory());
  return std::unique_ptr<SearchService>(new SearchService(store, std::move(index), std::move(options)));
}

Status SearchService::CatchUp() {
  TABADUL_ASSIGN_OR_RETURN(auto collections, store_.ListCollections());
  for (const store::Collection& c : collections) {
    TABADUL_RETURN_IF_ERROR(CatchUpCollection(c.id));
  }
  return Status::Ok();
}

Status SearchService::CatchUpCollection(std::string_view collection_id) {
  std::lock_guard lock(mu_);
  if (index_->read_only()) return Status::Ok();
  Status st = CatchUpLocked(std::string(collection_id));
  last_error_ = st;
  return st;
}

Status SearchService::CatchUpLocked(const std::string& collection_id) {
  bool changed = false;
  Status st = FollowAdditions(collection_id, &changed);
  if (st.ok()) st = FollowDeletions(collection_id, &changed);
  return st;
}

Status SearchService::FollowAdditions(const std::string& collection_id, bool* changed) {
  const std::string cursor_key = "added:" + collection_id;
  TABADUL_ASSIGN_OR_RETURN(std::string cursor_text, index_->GetMetadata(cursor_key));
  store::ObjectQuery q;
  q.collection_id = collection_id;
  q.added_after_us = ParseInt(cursor_text, -1);
  q.versions.all = true;
  q.limit = options_.batch;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(store::Page page, store_.QueryObjects(q, nullptr));
    if (page.rows.empty()) break;
    std::vector<std::string> ids;
    std::unordered_set<std::string> seen;
    for (const store::ObjectRow& row : page.rows) {
      if (seen.insert(row.id).second) ids.push_back(row.id);
    }
    TABADUL_RETURN_IF_ERROR(Refresh(collection_id, ids));
    q.added_after_us = page.rows.back().date_added_us;
    TABADUL_RETURN_IF_ERROR(index_->SetMetadata(cursor_key, std::to_string(q.added_after_us)));
    TABADUL_RETURN_IF_ERROR(index_->Commit());
    *changed = true;
    if (!page.more) break;
  }
  return Status::Ok();
}

Status SearchService::FollowDeletions(const std::string& collection_id, bool* changed) {
  const std::string cursor_key = "deleted:" + collection_id;
  TABADUL_ASSIGN_OR_RETURN(std::string cursor_text, index_->GetMetadata(cursor_key));
  int64_t seq = ParseInt(cursor_text, 0);
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto deletions,
                             store_.QueryDeletions(collection_id, seq, options_.batch));
    if (deletions.empty()) break;
    std::vector<std::string> ids;
    std::unordered_set<std::string> seen;
    for (const store::DeletionRow& d : deletions) {
      if (seen.insert(d.id).second) ids.push_back(d.id);
    }
    TABADUL_RETURN_IF_ERROR(Refresh(collection_id, ids));
    seq = deletions.back().seq;
    TABADUL_RETURN_IF_ERROR(index_->SetMetadata(cursor_key, std::to_string(seq)));
    TABADUL_RETURN_IF_ERROR(index_->Commit());
    *changed = true;
    if (deletions.size() < options_.batch) break;
  }
  return Status::Ok();
}

// Indexes the latest stored version of each id, or removes the id.
Status SearchService::Refresh(const std::string& collection_id, const std::vector<std::string>& ids) {
  for (size_t from = 0; from < ids.size(); from += kRefreshChunk) {
    store::ObjectQuery q;
    q.collection_id = collection_id;
    q.ids.assign(ids.begin() + from, ids.begin() + std::min(ids.size(), from + kRefreshChunk));
    q.versions.last = true;
    q.with_json = true;
    q.limit = kMaxLimit;
    TABADUL_ASSIGN_OR_RETURN(store::Page page, store_.QueryObjects(q, nullptr));
    std::unordered_set<std::string> present;
    for (const store::ObjectRow& row : page.rows) {
      present.insert(row.id);
      std::optional<search::Document> doc;
      if (!row.revoked) doc = DocumentOf(row);
      if (doc) {
        TABADUL_RETURN_IF_ERROR(index_->Add(*doc));
      } else {
        TABADUL_RETURN_IF_ERROR(RemoveIfPresent(*index_, DocKey(collection_id, row.id)));
      }
    }
    for (const std::string& id : q.ids) {
      if (!present.count(id)) {
        TABADUL_RETURN_IF_ERROR(RemoveIfPresent(*index_, DocKey(collection_id, id)));
      }
    }
  }
  return Status::Ok();
}

void SearchService::OnStored(const store::Collection& collection,
                             const std::vector<stix::StixObject>& objects) {
  (void)CatchUpCollection(collection.id);  // kept in last_error_
}

std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)>
SearchService::OnStoredHook() {
  return [this](const store::Collection& c, const std::vector<stix::StixObject>& objects) {
    OnStored(c, objects);
  };
}

void SearchService::StartPolling(std::chrono::milliseconds interval) {
  std::lock_guard lock(poll_mu_);
  if (polling_) return;
  polling_ = true;
  poller_ = std::thread([this, interval] {
    std::unique_lock lock(poll_mu_);
    while (polling_) {
      lock.unlock();
      (void)CatchUp();
      lock.lock();
      poll_cv_.wait_for(lock, interval, [this] { return !polling_; });
    }
  });
}

void SearchService::StopPolling() {
  {
    std::lock_guard lock(poll_mu_);
    polling_ = false;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

Result<SearchResponse> SearchService::Search(const auth::Principal& principal,
                                             const SearchRequest& request) {
  if (request.limit == 0 || request.limit > kMaxLimit) {
    return InvalidArgument("limit must be 1.." + std::to_string(kMaxLimit));
  }
  // The readable collections, by id.
  std::unordered_map<std::string, store::Collection> readable;
  if (request.collections.empty()) {
    TABADUL_ASSIGN_OR_RETURN(auto all, store_.ListCollections());
    for (store::Collection& c : all) {
      TABADUL_ASSIGN_OR_RETURN(store::Grant g, options_.access(principal, c));
      if (g.can_read) readable.emplace(c.id, std::move(c));
    }
  } else {
    for (const std::string& wanted : request.collections) {
      auto c = store_.GetCollection(wanted);
      const Status not_found = NotFound("no collection '" + wanted + "'");
      if (!c.ok()) {
        if (c.status().code() == StatusCode::kNotFound) return not_found;
        return c.status();
      }
      TABADUL_ASSIGN_OR_RETURN(store::Grant g, options_.access(principal, *c));
      if (!g.can_read) return not_found;
      readable.emplace(c->id, std::move(*c));
    }
  }
  SearchResponse response;
  if (readable.empty()) return response;  // an empty filter would mean "any collection"

  search::SearchFilters filters;
  filters.types = request.types;
  for (const auto& [id, c] : readable) filters.collections.push_back(id);
  // The agreement each visible candidate is delivered under (RowVisible's note), by key; only
  // candidates that were found visible become hits.
  std::unordered_map<std::string, std::string> under;
  filters.visible_meta = [&](std::string_view key, std::string_view collection_id,
                             std::string_view meta) {
    auto it = readable.find(std::string(collection_id));
    if (it == readable.end()) return false;
    store::ObjectRow row;
    if (!DecodeMeta(meta, collection_id, IdOfKey(key), row, nullptr)) return false;
    if (!options_.visible(principal, it->second, row)) return false;
    if (!row.disclosed_under.empty()) under[std::string(key)] = row.disclosed_under;
    return true;
  };
  Result<search::SearchResult> result = [&] {
    std::lock_guard lock(mu_);
    return index_->Query(request.query, filters, request.limit, request.offset);
  }();
  if (!result.ok()) return result.status();
  response.estimated_total = result->estimated_total;
  for (search::Hit& h : result->hits) {
    SearchHit hit;
    if (auto u = under.find(h.id); u != under.end()) hit.agreement = u->second;
    hit.id = std::string(IdOfKey(h.id));
    hit.type = std::move(h.type);
    hit.collection = std::move(h.collection);
    store::ObjectRow row;
    (void)DecodeMeta(h.meta, hit.collection, hit.id, row, &hit.name);
    hit.version = std::move(row.version);
    if (std::none_of(response.collections.begin(), response.collections.end(),
                     [&](const store::Collection& c) { return c.id == hit.collection; })) {
      auto it = readable.find(hit.collection);
      if (it != readable.end()) response.collections.push_back(it->second);
    }
    hit.score = h.score;
    hit.snippet = std::move(h.snippet);
    hit.highlights = std::move(h.highlights);
    response.hits.push_back(std::move(hit));
  }
  return response;
}

Result<search::SearchResult> SearchService::QueryIndex(std::string_view query,
                                                       const search::SearchFilters& f,
                                                       size_t limit) {
  std::lock_guard lock(mu_);
  return index_->Query(query, f, limit, 0);
}

size_t SearchService::size() const {
  std::lock_guard lock(mu_);
  return index_->size();
}

Status SearchService::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace tabadul::reports
