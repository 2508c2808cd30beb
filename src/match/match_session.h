// MatchSession: one stream of observables, from one user (or the local operator), matched
// against one collection's indicators, with sightings of the hits optionally stored in a
// collection of the user's choice. The CLI (match_command.h) and the HTTP endpoint
// (match_handler.h) are thin shells around it.
//
// Input items are lines (or JSON array elements) of three kinds:
//   - a plain value, auto-detected (pattern::DetectObservable): IPv4/IPv6 address or CIDR,
//     domain name, URL, e-mail address, MD5/SHA-1/SHA-256/SHA-512 hash;
//   - a JSON object starting with '{': an observed-data object (with the deprecated embedded
//     `objects`), a bundle holding observed-data and the SCOs it refers to, or one SCO
//     (e.g. {"type":"ipv4-addr","value":"198.51.100.7"}) observed now;
//   - blank lines and lines starting with '#', which are skipped.
// A bad item is reported (InvalidArgument naming what is wrong) and the stream goes on.
//
// Visibility: the collection must be readable by the principal (Visibility::access), and every
// hit passes Visibility::row_visible for the indicator's stored row, before it is returned or
// sighted. A collection the principal may not read is NotFound, like one that does not exist.
//
// Thread-safety: one session is used by one thread at a time; sessions on one IndicatorService
// may run concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "common/status.h"
#include "match/indicator_service.h"
#include "match/sighting.h"
#include "match/visibility.h"
#include "intake/pipeline.h"
#include "store/store.h"

namespace tabadul::match {

struct MatchRequest {
  std::string collection;            // id or alias of the collection whose indicators match
  std::string sightings_collection;  // id or alias; "" = store no sightings
};

struct MatchHit {
  size_t item = 0;             // 1-based line / element number of the input
  std::string observable;      // the plain value (trimmed), or the JSON item's id (else its value)
  std::string kind;            // "ipv4", "ipv6", "domain", "url", "email", "md5", "sha1",
                               // "sha256", "sha512", "observed-data", "bundle" or an SCO type
  std::string indicator_id;
  std::string indicator_name;  // "" when the indicator has no name
  std::string indicator_version;  // the version that matched (its `modified`)
  // The agreement the hit is delivered under, as Visibility::row_visible named it ("" = none,
  // e.g. the operator or the provider): what the disclosure record names (match/disclosure.h).
  std::string agreement;
};

class MatchSession {
 public:
  // Resolves the collections and checks access. `principal` null means the local operator
  // (the CLI without --user): no access checks, and no sightings, which need an organization.
  // Errors: NotFound for a collection that does not exist or that the principal may not read;
  // PermissionDenied when the principal may read but not write the sightings collection, or is
  // a reader; InvalidArgument for sightings without a principal; the index's errors (Internal).
  // All references must outlive the session.
  // Sightings are written through `pipeline` (the one way in, writing into `store`).
  static Result<std::unique_ptr<MatchSession>> Open(IndicatorService& service,
                                                    store::Store& store,
                                                    intake::Pipeline& pipeline, const Clock& clock,
                                                    const Visibility& visibility,
                                                    const auth::Principal* principal,
                                                    const MatchRequest& request,
                                                    RandomBytes random = SystemRandom());

  // Matches one item (see above) and appends its visible hits, sorted by indicator id.
  // InvalidArgument for an item that is neither a recognized value nor usable JSON;
  // ResourceExhausted when an observed-data item exceeds the evaluator's limits.
  Status MatchItem(size_t item, std::string_view text, std::vector<MatchHit>* hits);

  // Stores, in one transaction, one sighting per indicator hit since the last call (count = the
  // items that hit it; first_seen / last_seen = when they were seen, or the observed-data's
  // first_observed / last_observed) and returns their ids. Nothing (and OK) when the request
  // has no sightings collection. On failure nothing is stored and the hits are kept.
  Result<std::vector<std::string>> StoreSightings();

  const store::Collection& collection() const { return collection_; }
  size_t hits() const { return hit_count_; }

 private:
  struct Seen {
    int64_t count = 0;
    int64_t first_ns = 0;
    int64_t last_ns = 0;
  };

  MatchSession(IndicatorService& service, store::Store& store, intake::Pipeline& pipeline,
               const Clock& clock)
      : service_(service), store_(store), pipeline_(pipeline), clock_(clock) {}
  Status MatchJson(size_t item, std::string_view text, int64_t now_ns,
                   std::vector<MatchHit>* hits);
  void Record(size_t item, std::string_view observable, std::string_view kind,
              std::vector<IndicatorMatch> matches, int64_t first_ns, int64_t last_ns,
              std::vector<MatchHit>* hits);

  IndicatorService& service_;
  store::Store& store_;
  intake::Pipeline& pipeline_;
  const Clock& clock_;
  std::optional<auth::Principal> principal_;
  store::Collection collection_;
  std::optional<store::Collection> sightings_;
  const IndicatorService::CollectionIndex* index_ = nullptr;
  HitFilter visible_;  // null for the operator
  RandomBytes random_;
  std::map<std::string, Seen> seen_;  // by indicator id, only with sightings
  size_t hit_count_ = 0;
};

}  // namespace tabadul::match
