// Full-text search over stored STIX objects (names, aliases, descriptions, report texts), with
// Arabic and English analysis (analyzer.h), ranked hits (BM25) and snippets.
//
// Visibility: the index knows nothing of agreements. The caller restricts a query with
// SearchFilters: `collections` (the collections the reader may see; turned into index terms, so
// it costs nothing) and/or `visible` (any predicate over id and collection, run by Xapian for each
// candidate during matching). Both act BEFORE ranking cuts the page: `limit` and `offset` count
// only visible hits, so pagination never leaks or skips.
//
// Storage: a Xapian database in the folder the caller gives (Open) or in memory (for tests).
// Not thread-safe: one writer; serialize calls (the server wraps it in a mutex or gives each
// reader thread its own read-only handle in a later version).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace tabadul::search {

struct Document {
  std::string id;                    // STIX id, unique in the index
  std::string type;                  // STIX type ("report", "intrusion-set", ...)
  std::string collection;            // TAXII collection id
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  std::string text;                  // e.g. a report's full text
  // Opaque bytes kept with the document (not indexed), returned in hits and given to
  // SearchFilters::visible_meta: e.g. what a visibility rule needs to know of the object.
  std::string meta;
};

struct SearchFilters {
  std::vector<std::string> types;        // empty: any type
  std::vector<std::string> collections;  // empty: any collection
  // Optional: false hides the object. Called during matching, before limit/offset apply.
  std::function<bool(std::string_view id, std::string_view collection)> visible;
  // Optional, the same with the document's `meta` as well; both may be set (both must pass).
  std::function<bool(std::string_view id, std::string_view collection, std::string_view meta)>
      visible_meta;
};

struct Hit {
  std::string id;
  std::string type;
  std::string collection;
  double score = 0;
  std::string snippet;                                // plain text around the first match
  std::vector<std::pair<size_t, size_t>> highlights;  // byte ranges of matches in `snippet`
  std::string meta;                                   // Document::meta as added
};

struct SearchResult {
  std::vector<Hit> hits;
  size_t estimated_total = 0;  // visible matches, Xapian's estimate
};

class Index {
 public:
  // Opens or creates the index in `folder`. Fails with Internal when Xapian cannot.
  static Result<std::unique_ptr<Index>> Open(const std::string& folder);
  static Result<std::unique_ptr<Index>> InMemory();
  // Opens an existing index for queries only, at its last commit (another process may hold the
  // writer). Add/Remove/Commit/SetMetadata then fail with FailedPrecondition. NotFound when no
  // index exists in `folder`, Internal for other Xapian failures.
  static Result<std::unique_ptr<Index>> OpenReadOnly(const std::string& folder);
  ~Index();

  // Add and Update both replace any document with the same id. InvalidArgument for an empty id.
  Status Add(const Document& doc);
  Status Update(const Document& doc) { return Add(doc); }
  // NotFound when no document has that id.
  Status Remove(std::string_view id);
  // Makes changes durable (on-disk indexes); queries already see uncommitted changes.
  Status Commit();
  size_t size() const;
  bool read_only() const;

  // Small key/value pairs kept in the index and committed with its documents (e.g. how far a
  // follower has read its source, so a restart resumes exactly where the last commit stopped).
  // Keys are non-empty (InvalidArgument). GetMetadata returns "" for an absent key.
  Status SetMetadata(std::string_view key, std::string_view value);
  Result<std::string> GetMetadata(std::string_view key) const;

  // Words are ANDed (each word matching any of its readings). An empty query lists everything
  // that passes the filters. limit is capped at 1000.
  Result<SearchResult> Query(std::string_view query, const SearchFilters& filters, size_t limit,
                             size_t offset) const;

  struct Impl;

 private:
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tabadul::search
