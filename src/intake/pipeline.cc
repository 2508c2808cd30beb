#include "intake/pipeline.h"

#include "intake/indicator_fields.h"
#include "stix/marking_refs.h"
#include "stix/validator.h"

namespace tabadul::intake {
namespace {

// Step 2 for one valid object; the refusal is the status.
Result<stix::StixObject> Admit(stix::StixObject object, const WriteOptions& options) {
  if (!options.origin.empty() && object.type != "marking-definition" &&
      !stix::HasStandardTlpRef(object)) {
    return stix::WithObjectMarkingRef(object, stix::Tlp2MarkingId(options.origin_default_tlp));
  }
  return object;
}

}  // namespace

Result<stix::StixObject> Validate(std::string_view raw_json) {
  TABADUL_ASSIGN_OR_RETURN(stix::StixObject object, stix::ParseObject(raw_json));
  TABADUL_RETURN_IF_ERROR(ValidateIndicator(object));
  return object;
}

Result<WriteReport> Pipeline::Write(const store::Collection& collection,
                                    std::span<const std::string_view> raw,
                                    const WriteOptions& options) {
  std::vector<stix::StixObject> parsed;
  std::vector<Status> refusals(raw.size());
  parsed.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    auto object = Validate(raw[i]);
    if (!object.ok() && options.refuse_batch_on_malformed_json) {
      auto refusal = stix::ParseRefusal(object.status());
      if (refusal && refusal->rule == "json") {
        return InvalidArgument("malformed JSON in the envelope: " + object.status().message());
      }
    }
    if (!object.ok()) {
      refusals[i] = object.status();
      parsed.emplace_back().id = stix::ExtractId(raw[i]);
      continue;
    }
    parsed.push_back(std::move(object).value());
  }
  // Objects that did not parse travel as placeholders marked by their refusal.
  struct Batch {
    std::vector<stix::StixObject> admitted;
    std::vector<size_t> index;  // admitted[k] is submission index[k]
  } batch;
  WriteReport report;
  report.items.resize(raw.size());
  for (size_t i = 0; i < parsed.size(); ++i) {
    ItemOutcome& item = report.items[i];
    item.id = parsed[i].id;
    if (!refusals[i].ok()) {
      item.message = refusals[i].message();
      continue;
    }
    item.version = parsed[i].version();
    auto admitted = Admit(std::move(parsed[i]), options);
    if (!admitted.ok()) {
      item.message = admitted.status().message();
      continue;
    }
    batch.admitted.push_back(std::move(admitted).value());
    batch.index.push_back(i);
  }
  store::PutOptions put;
  put.origin = options.origin;
  put.checkpoint_key = options.checkpoint_key;
  put.checkpoint_value = options.checkpoint_value;
  std::vector<store::PutOutcome> outcomes;
  if (!batch.admitted.empty()) {
    TABADUL_ASSIGN_OR_RETURN(outcomes, store_.PutObjects(collection.id, batch.admitted,
                                                         clock_.NowMicros(), put));
  } else if (!options.checkpoint_key.empty()) {
    TABADUL_RETURN_IF_ERROR(store_.SetCheckpoint(options.checkpoint_key, options.checkpoint_value));
  }
  std::vector<stix::StixObject> added;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    ItemOutcome& item = report.items[batch.index[k]];
    item.kind = outcomes[k].kind;
    item.date_added_us = outcomes[k].date_added_us;
    item.message = outcomes[k].message;
    if (item.kind == store::PutOutcome::Kind::kAdded) added.push_back(std::move(batch.admitted[k]));
  }
  for (const ItemOutcome& item : report.items) {
    switch (item.kind) {
      case store::PutOutcome::Kind::kAdded: ++report.added; break;
      case store::PutOutcome::Kind::kDuplicate: ++report.duplicates; break;
      case store::PutOutcome::Kind::kRefused: ++report.refused; break;
    }
  }
  if (!added.empty()) {
    for (const Observer& observe : observers_) observe(collection, added);
  }
  return report;
}

Result<WriteReport> Pipeline::Write(const store::Collection& collection,
                                    std::span<const stix::StixObject> objects,
                                    const WriteOptions& options) {
  std::vector<std::string_view> raw;
  raw.reserve(objects.size());
  for (const stix::StixObject& o : objects) raw.push_back(o.json);
  return Write(collection, std::span<const std::string_view>(raw), options);
}

}  // namespace tabadul::intake
