// One way in (DESIGN.md "One way in, one gate out"): every path that stores STIX objects — a
// TAXII POST, `tabadul import`, a sync pull, report ingestion, match's sightings, the console —
// hands the objects to Pipeline::Write, and nothing else in tabadul calls Store::PutObjects.
// The pipeline, in one place and in this order:
//   1. validates each object: STIX 2.1 (stix::ParseObject) and, for indicators, the pattern
//      (intake/indicator_fields.h: a STIX pattern the parser accepts, valid_until after
//      valid_from). A refused object is reported with its id and reason; the valid objects next
//      to it are still stored.
//   2. for objects that arrived from a peer (WriteOptions::origin), makes the TLP the peer's
//      collection implied explicit: an object without a standard TLP marking gets
//      WriteOptions::origin_default_tlp appended to object_marking_refs (docs/design/intake.md).
//   3. stores the batch in ONE transaction (with the checkpoint, if any). Marking definitions
//      need no separate learning step: the policy engine rebuilds its per-provider registry
//      from the stored objects, and storing one bumps the policy generation in that same
//      transaction (store/sqlite_store.cc).
//   4. tells every registered observer (indexes that follow the store, the policy engine) of the
//      versions newly added, after the commit.
// and returns one outcome per submitted object, in order.
//
// Authorization is the caller's (TAXII grants, the CLI's operator authority); the pipeline
// guards content. Thread-safety: Write may be called concurrently once observers are registered.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "stix/object.h"
#include "stix/tlp.h"
#include "store/store.h"

namespace tabadul::intake {

// Step 1 alone, for `tabadul validate` and anything else that must judge an object exactly as
// the pipeline will: the parsed object, or InvalidArgument naming the rule and property.
Result<stix::StixObject> Validate(std::string_view raw_json);

// Where a batch comes from and what is committed with it.
struct WriteOptions {
  // "" for objects posted or imported here; else the name of the peer they were pulled from
  // (stored as store::ObjectRow::origin; the visibility rule then applies the peer's terms).
  std::string origin;
  // For pulled objects: the TLP of the peer's collection, made explicit on arrival on objects
  // that carry no standard TLP marking. Ignored when `origin` is empty.
  stix::Tlp origin_default_tlp = stix::Tlp::kAmber;
  // A checkpoint committed in the same transaction as the objects (empty key = none).
  std::string checkpoint_key;
  std::string checkpoint_value;
  // Refuse the whole batch, storing nothing, when an element is not well-formed JSON (a TAXII
  // envelope with a malformed object is a bad request, not a per-object failure).
  bool refuse_batch_on_malformed_json = false;
};

// What happened to one submitted object.
struct ItemOutcome {
  store::PutOutcome::Kind kind = store::PutOutcome::Kind::kRefused;
  std::string id;       // best effort for an object that did not parse ("" when none)
  std::string version;  // `modified`/`created`; "" when unversioned or unparsed
  int64_t date_added_us = 0;  // for kAdded and kDuplicate
  std::string message;        // for kRefused: why, naming the rule and property
};

struct WriteReport {
  std::vector<ItemOutcome> items;  // one per submitted object, in order
  size_t added = 0, duplicates = 0, refused = 0;
};

// Told of the versions a batch added to `collection`, after they were committed.
using Observer = std::function<void(const store::Collection& collection,
                                    const std::vector<stix::StixObject>& added)>;

class Pipeline {
 public:
  // `store` and `clock` must outlive the pipeline.
  Pipeline(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Registers an observer; call before the first Write (not thread-safe against Write).
  void AddObserver(Observer observer) { observers_.push_back(std::move(observer)); }

  // Validates, stores and reports the objects of `raw` (each one object's JSON text). Errors:
  // InvalidArgument when refuse_batch_on_malformed_json and an element is malformed (nothing
  // stored); Internal when the store fails (nothing stored). Otherwise OK, with refusals in the
  // report.
  Result<WriteReport> Write(const store::Collection& collection,
                            std::span<const std::string_view> raw, const WriteOptions& options = {});

  // The same for objects built in this process (ingest's report, match's sightings): their JSON
  // goes through the same validation as any other object's.
  Result<WriteReport> Write(const store::Collection& collection,
                            std::span<const stix::StixObject> objects,
                            const WriteOptions& options = {});

 private:
  store::Store& store_;
  const Clock& clock_;
  std::vector<Observer> observers_;
};

}  // namespace tabadul::intake
