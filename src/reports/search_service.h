// SearchService: the full-text index (search::Index) over the objects in the store, kept up to
// date as objects arrive, and queried under the visibility rule.
//
// Following the store. Per collection, the index remembers (in its own metadata, committed with
// the documents it covers) the last date_added it has read and the last deletion seq. CatchUp
// reads what came after, batch by batch: for every object id touched it asks the store for the
// object's latest version and indexes that (or removes the object when it is revoked, deleted,
// or has nothing to search: no name, description, aliases or value). So only the latest version
// is ever indexed, whatever order versions arrive in, and a crash between a batch and its
// commit only repeats that batch. OnStored (an observer of the write pipeline) catches
// up the one collection at once; StartPolling catches up everything periodically, which also
// covers writers in other processes (tabadul import, another server).
//
// Index documents are keyed "<collection id>/<STIX id>": an object stored in two collections is
// two documents, each found only by readers of its collection. Each document carries the row's
// metadata (type, version, markings, labels, created_by_ref, ...) so that RowVisible runs on
// every candidate during matching, before the limit, without a store lookup.
//
// Thread-safety: every method may be called from any thread; the index (not thread-safe) is
// guarded by one mutex. Access checks run outside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "auth/authenticator.h"
#include "common/status.h"
#include "reports/visibility.h"
#include "search/index.h"
#include "stix/object.h"
#include "store/store.h"

namespace tabadul::reports {

struct SearchServiceOptions {
  CollectionAccess access;  // empty: StoredGrants(store)
  RowVisible visible;       // empty: AllRowsVisible()
  size_t batch = 500;       // store rows read per index commit
};

struct SearchRequest {
  std::string query;                     // words, ANDed; empty lists everything visible
  std::vector<std::string> types;        // empty: any type
  std::vector<std::string> collections;  // ids or aliases; empty: every readable collection
  size_t limit = 20;                     // 1..1000
  size_t offset = 0;
};

struct SearchHit {
  std::string id;  // STIX id
  std::string type;
  std::string collection;  // collection id
  std::string version;     // the indexed version: modified, else created; "" for SCOs
  std::string name;
  // The agreement the hit is delivered under, as RowVisible noted it ("" = none, e.g. the
  // provider's own object): what its disclosure record names (reports/disclosure.h).
  std::string agreement;
  double score = 0;
  std::string snippet;
  std::vector<std::pair<size_t, size_t>> highlights;  // byte ranges in `snippet`
};

struct SearchResponse {
  std::vector<SearchHit> hits;
  size_t estimated_total = 0;  // visible matches (estimate)
  // The collection of every hit, each once, in the order of its first hit (what a disclosure
  // record needs: reports/disclosure.h).
  std::vector<store::Collection> collections;
};

class SearchService {
 public:
  // Opens or creates the index in `folder` (data_dir/search). `store` must outlive the
  // service. Internal when the index cannot be opened (e.g. another process holds its lock).
  static Result<std::unique_ptr<SearchService>> Open(store::Store& store, const std::string& folder,
                                                     SearchServiceOptions options = {});
  // Queries an index another process keeps up to date; CatchUp/OnStored then do nothing.
  // NotFound when there is no index yet.
  static Result<std::unique_ptr<SearchService>> OpenReadOnly(store::Store& store,
                                                             const std::string& folder,
                                                             SearchServiceOptions options = {});
  // For tests and benchmarks.
  static Result<std::unique_ptr<SearchService>> InMemory(store::Store& store,
                                                         SearchServiceOptions options = {});
  ~SearchService();  // stops polling

  // Reads everything stored or deleted since the last catch-up, in every collection. Fails
  // with the first store or index failure (what was committed before it stays).
  Status CatchUp();
  Status CatchUpCollection(std::string_view collection_id);

  // The intake::Observer shape. Catches up that collection; a failure is kept in
  // last_error() and retried by the next CatchUp.
  void OnStored(const store::Collection& collection, const std::vector<stix::StixObject>& objects);
  std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)> OnStoredHook();

  // Calls CatchUp every `interval` on a background thread until StopPolling or destruction.
  void StartPolling(std::chrono::milliseconds interval);
  void StopPolling();

  // Ranked hits the principal may see. InvalidArgument for limit 0 or above 1000; NotFound
  // (the same message for both) when a requested collection does not exist or is not readable.
  Result<SearchResponse> Search(const auth::Principal& principal, const SearchRequest& request);

  // The index alone, without access checks (the benchmark's baseline).
  Result<search::SearchResult> QueryIndex(std::string_view query, const search::SearchFilters& f,
                                          size_t limit);

  size_t size() const;
  Status last_error() const;
  bool read_only() const { return index_->read_only(); }

 private:
  SearchService(store::Store& store, std::unique_ptr<search::Index> index,
                SearchServiceOptions options);
  Status CatchUpLocked(const std::string& collection_id);
  Status FollowAdditions(const std::string& collection_id, bool* changed);
  Status FollowDeletions(const std::string& collection_id, bool* changed);
  Status Refresh(const std::string& collection_id, const std::vector<std::string>& ids);

  store::Store& store_;
  const SearchServiceOptions options_;

  mutable std::mutex mu_;
  std::unique_ptr<search::Index> index_;  // guarded by mu_
  Status last_error_;                     // guarded by mu_

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool polling_ = false;  // guarded by poll_mu_
  std::thread poller_;
};

}  // namespace tabadul::reports
