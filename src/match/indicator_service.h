// IndicatorService: one pattern::IndicatorIndex per collection that follows the store.
//
// The index of a collection is built on first use and then caught up incrementally, never
// rebuilt from scratch:
//   - new objects: QueryObjects(added_after = the last date_added seen, type indicator, latest
//     versions), page by page. A version replaces the indexed one only if it is newer (by
//     `modified`), so a late-arriving old version changes nothing;
//   - revoked: a revoked latest version removes the indicator and is kept as a tombstone;
//   - deletions: QueryDeletions(after the last seq seen); when the indexed version of an id is
//     deleted, the id's remaining latest version (if any) is re-read and indexed instead;
//   - expiry: queries pass the clock's time, so an indicator stops matching at its valid_until;
//     catch-ups also reclaim expired entries (IndicatorIndex::RemoveExpired);
//   - immediacy: OnStored() applies objects as soon as a TAXII POST stored them (ApiHooks
//     the write pipeline's observer), without waiting for the next poll.
// Indicators whose pattern_type is not "stix", or whose pattern does not parse (an import may
// bypass validation), are remembered but not indexed (stats().unindexed).
//
// Thread-safety: every method may be called concurrently. Each collection's index is guarded by
// a shared_mutex (matches share it, catch-ups take it exclusively only to apply a page already
// read from the store); one catch-up at a time runs per collection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "pattern/indicator_index.h"
#include "pattern/observation.h"
#include "store/store.h"

namespace tabadul::match {

struct IndicatorServiceOptions {
  // Refresh() polls the store at most this often per collection (OnStored covers posts made
  // through this process in between). 0: poll on every Refresh().
  int64_t poll_interval_us = 1'000'000;
  size_t page_size = 2000;  // rows per QueryObjects / QueryDeletions call
};

// One indicator that matched, as returned to callers (copied out of the index).
struct IndicatorMatch {
  std::string id;
  std::string name;
  std::string version;  // the matching version's `modified` (the latest known of the id)
  std::string agreement;  // what the HitFilter named it delivered under ("" = none)
};

// Whether a candidate hit may be returned (row = the indicator's latest stored version). The row
// is shared by concurrent matches: the filter must not write to it, not even its
// disclosed_under note; instead it may name in `*under` the agreement the hit is delivered under
// (left empty otherwise). Called with the collection's index read-locked.
using HitFilter = std::function<bool(const store::ObjectRow& row, std::string_view* under)>;

struct CollectionIndexStats {
  size_t indicators = 0;    // ids known (latest versions, including revoked and unindexed)
  size_t indexed = 0;       // in the pattern index
  size_t revoked = 0;
  size_t unindexed = 0;     // not pattern_type stix, or a pattern that does not parse
  uint64_t rows_read = 0;   // object rows read from the store since the index was created
  uint64_t catch_ups = 0;   // polls of the store
};

class IndicatorService {
 public:
  class CollectionIndex;  // owned by the service, lives as long as it

  // `store` and `clock` must outlive the service.
  IndicatorService(store::Store& store, const Clock& clock, IndicatorServiceOptions options = {});
  ~IndicatorService();
  IndicatorService(const IndicatorService&) = delete;
  IndicatorService& operator=(const IndicatorService&) = delete;

  // The index of `collection_id` (a collection id, not an alias), created and caught up on first
  // use, then polled again when the last poll is older than poll_interval_us. Errors of the store
  // (Internal, NotFound for an unknown collection) are returned; the index then keeps the state
  // of the last successful page.
  Result<CollectionIndex*> Refresh(const std::string& collection_id);
  // Like Refresh() but always polls.
  Result<CollectionIndex*> CatchUp(const std::string& collection_id);

  // Applies newly stored objects (an intake::Observer). Objects other than indicators are
  // ignored, and so are collections whose index has not been created yet (their first use
  // reads everything).
  void OnStored(const store::Collection& collection, const std::vector<stix::StixObject>& objects);

  // Indicators of `index` valid at now_ns that match one observation of the plain value, for
  // which `visible` holds (null: every one), sorted by id.
  std::vector<IndicatorMatch> MatchValue(const CollectionIndex& index, pattern::ObservableKind kind,
                                         std::string_view value, int64_t now_ns,
                                         const HitFilter& visible) const;
  // The same for observed-data. ResourceExhausted from the pattern evaluator's limits.
  Result<std::vector<IndicatorMatch>> MatchObservedData(const CollectionIndex& index,
                                                        const pattern::ObservationSet& set,
                                                        int64_t now_ns,
                                                        const HitFilter& visible) const;

  CollectionIndexStats Stats(const CollectionIndex& index) const;

 private:
  Result<CollectionIndex*> Get(const std::string& collection_id, bool force_poll);
  Status Poll(CollectionIndex& index);
  Status PollObjects(CollectionIndex& index);
  Status PollDeletions(CollectionIndex& index);

  store::Store& store_;
  const Clock& clock_;
  const IndicatorServiceOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<CollectionIndex>> indexes_;  // guarded by mu_
};

}  // namespace tabadul::match
