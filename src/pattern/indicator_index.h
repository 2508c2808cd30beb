// IndicatorIndex: many indicators' STIX patterns compiled into one structure that answers
// "which indicators match this observable / these observed-data?" (design:
// docs/design/pattern-index.md).
//
// Every pattern is split, at Add(), into ANCHORS — comparisons at least one of which must hold
// for the pattern to match — stored in per-object-path tables:
//   equality  `path = 'v'`, `path IN ('a','b')`   hash table value -> indicators
//   CIDR      `path ISSUBSET 'net/len'`            binary prefix tree per address family
//   regex     `path LIKE '..'`, `path MATCHES '..'` RE2::Set (plus a small pending list);
//             tiers of >= 32 regexes behind a literal prefilter (RE2's FilteredRE2)
// A query resolves each table's path on each observed object, looks the values up, and gets
// candidates. Patterns that are one bracketed OR of anchors are EXACT: a hit is a match. Other
// candidates are confirmed with the plain Matcher. Patterns with no anchor (only !=, <, NOT,
// EXISTS, ...) are RESIDUAL, evaluated with the Matcher whenever an object of one of their types
// is observed. The index therefore answers exactly what Matcher::Matches() answers, for every
// pattern (the conformance corpus and a randomized differential test check this).
//
// Indicators change without rebuilds: Add / Remove update the tables in place (a regex set is
// recompiled only when its pending list or its dead entries grow past a fraction of its size,
// amortized O(1) per change). Expiry is evaluated against the time the caller passes in.
//
// Thread-safety: const methods may run concurrently with each other; Add / Remove /
// RemoveExpired need exclusive access (e.g. a shared_mutex in the server, or a copy-on-write
// swap).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/unordered/unordered_flat_map.hpp>
#include <vector>

#include "common/status.h"
#include "pattern/matcher.h"
#include "pattern/observable.h"
#include "pattern/observation.h"

namespace tabadul::pattern {

inline constexpr int64_t kNoExpiry = std::numeric_limits<int64_t>::max();

struct IndicatorIndexStats {
  size_t indicators = 0;
  size_t exact = 0;        // anchors decide alone
  size_t verified = 0;     // anchors give candidates, the matcher confirms
  size_t residual = 0;     // no anchor: matcher on every observation of their types
  size_t equality_keys = 0;
  size_t prefixes = 0;
  size_t regexes = 0;
  size_t slots = 0;        // distinct anchored object paths
};

class IndicatorIndex {
 public:
  IndicatorIndex();
  ~IndicatorIndex();
  IndicatorIndex(const IndicatorIndex&) = delete;
  IndicatorIndex& operator=(const IndicatorIndex&) = delete;

  // Adds the indicator, or replaces the one with the same id (a new version). It matches at
  // times t with valid_from_ns <= t < valid_until_ns (kNoExpiry: no end). InvalidArgument (the
  // parser's message) if the pattern is invalid, or if valid_until_ns <= valid_from_ns; the
  // index is then unchanged (a replaced indicator stays as it was).
  Status Add(std::string_view indicator_id, std::string_view pattern, int64_t valid_from_ns,
             int64_t valid_until_ns = kNoExpiry);

  // Removes the indicator (revoked or deleted). NotFound if the id is not in the index.
  Status Remove(std::string_view indicator_id);

  // Drops every indicator whose valid_until <= now_ns; returns how many. Queries already ignore
  // expired indicators; this only reclaims their memory.
  size_t RemoveExpired(int64_t now_ns);

  size_t size() const { return by_id_.size(); }
  IndicatorIndexStats stats() const;

  // Ids of the indicators valid at now_ns whose pattern matches ONE observation, seen at now_ns,
  // of the plain value `value` of `kind` (e.g. an ipv4-addr with that value). Sorted by id.
  // The views stay valid until the next Add / Remove / RemoveExpired.
  std::vector<std::string_view> MatchValue(ObservableKind kind, std::string_view value,
                                           int64_t now_ns) const;

  // Ids of the indicators valid at now_ns that match `observations`, sorted by id.
  // ResourceExhausted if some candidate's evaluation exceeds kMaxBindings.
  Result<std::vector<std::string_view>> MatchObservedData(const ObservationSet& observations,
                                                          int64_t now_ns) const;

 private:
  struct Record;
  struct Slot;
  struct Anchor;

  static bool ComparisonAnchors(const ComparisonExpr& e, std::vector<Anchor>* out);
  static bool LeafAnchors(const ComparisonExpr& e, std::vector<Anchor>* out);
  static bool ObservationAnchors(const ObservationExpr& e, std::vector<Anchor>* out);
  static bool IsExact(const Pattern& p);
  uint32_t SlotFor(const ObjectPath& path);
  void RebuildRegexes(Slot* slot, bool full = false);
  void QuerySlot(const Slot& slot, std::string_view value, std::vector<uint32_t>* hits) const;
  void Link(uint32_t record, const std::vector<Anchor>& anchors);
  void Unlink(uint32_t record, const std::vector<Anchor>& anchors);
  void RemoveRecord(uint32_t record);
  bool Valid(const Record& r, int64_t now_ns) const;
  // Filters sorted-unique candidates by validity, confirms non-exact ones on the observations
  // `get_observations()` returns (called at most once, only if needed), appends ids to `out`.
  Status Confirm(const std::vector<uint32_t>& candidates,
                 const std::function<const ObservationSet&()>& get_observations, int64_t now_ns,
                 std::vector<std::string_view>* out) const;

  std::deque<Record> records_;   // deque: records never move, so ids can be viewed
  std::vector<uint32_t> free_records_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, Hash, Eq>;

  boost::unordered_flat_map<std::string_view, uint32_t> by_id_;  // keys view records_[i].id
  std::vector<std::unique_ptr<Slot>> slots_;
  StringMap<uint32_t> slot_by_path_;
  StringMap<std::vector<uint32_t>> slots_by_type_;
  StringMap<std::vector<uint32_t>> residual_by_type_;  // node-based: pointers below stay valid
  uint32_t kind_slot_[kObservableKindCount];
  const std::vector<uint32_t>* kind_residual_[kObservableKindCount];
};

}  // namespace tabadul::pattern
