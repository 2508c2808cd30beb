#include "match/indicator_service.h"

#include <shared_mutex>

#include "intake/indicator_fields.h"

namespace tabadul::match {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// A stored version prepared outside the index lock: its row and, when it can be indexed, the
// fields the index needs.
struct Prepared {
  store::ObjectRow row;
  std::optional<intake::IndicatorFields> fields;  // nullopt: revoked, not stix, or unreadable
};

Prepared Prepare(store::ObjectRow row, std::string_view json) {
  Prepared p;
  if (!row.revoked) {
    auto fields = intake::ReadIndicatorFields(json);
    if (fields.ok() && fields->pattern_type == "stix") p.fields = std::move(fields).value();
  }
  row.json.clear();
  p.row = std::move(row);
  return p;
}

store::ObjectRow RowOf(const store::Collection& collection, const stix::StixObject& object) {
  store::ObjectRow row;
  row.collection_id = collection.id;
  row.id = object.id;
  row.type = object.type;
  row.spec_version = object.spec_version;
  row.version = object.version();
  row.version_ns = object.version_ns();
  row.revoked = object.revoked;
  row.created_by_ref = object.created_by_ref;
  row.labels = object.labels;
  row.marking_refs = object.object_marking_refs;
  row.has_granular_markings = !object.granular_markings.empty();
  return row;
}

}  // namespace

class IndicatorService::CollectionIndex {
 public:
  explicit CollectionIndex(std::string id) : collection_id(std::move(id)) {}

  struct Entry {
    store::ObjectRow row;  // the latest version known (json not kept)
    std::string name;
    int64_t valid_until_ns = pattern::kNoExpiry;
    bool indexed = false;
  };

  // Applies one version: replaces the entry if the version is newer (or, with `force`, whatever
  // its version: the newer one was deleted). Needs `mu` held exclusively.
  void Apply(Prepared p, bool force) {
    auto it = entries.find(p.row.id);
    if (it != entries.end() && !force) {
      Entry& old = it->second;
      if (p.row.version_ns < old.row.version_ns) return;
      if (p.row.version_ns == old.row.version_ns) {
        // The same version seen again (OnStored, then the poll): only learn its date_added.
        if (old.row.date_added_us == 0) old.row.date_added_us = p.row.date_added_us;
        return;
      }
    }
    Entry e;
    if (p.fields) {
      e.name = std::move(p.fields->name);
      e.valid_until_ns = p.fields->valid_until_ns;
      e.indexed = index.Add(p.row.id, p.fields->pattern, p.fields->valid_from_ns,
                            p.fields->valid_until_ns).ok();
    }
    // A failed Add leaves the previous version indexed: it is superseded all the same.
    if (!e.indexed && it != entries.end() && it->second.indexed) (void)index.Remove(p.row.id);
    e.row = std::move(p.row);
    if (it == entries.end()) {
      std::string id = e.row.id;
      entries.emplace(std::move(id), std::move(e));
    } else {
      it->second = std::move(e);
    }
  }

  // Forgets `id` entirely (its last version was deleted). Needs `mu` held exclusively.
  void Erase(const std::string& id) {
    auto it = entries.find(id);
    if (it == entries.end()) return;
    if (it->second.indexed) (void)index.Remove(id);
    entries.erase(it);
  }

  void ReclaimExpired(int64_t now_ns) {
    if (index.RemoveExpired(now_ns) == 0) return;
    for (auto& [id, e] : entries) {
      if (e.indexed && e.valid_until_ns <= now_ns) e.indexed = false;
    }
  }

  const std::string collection_id;

  std::mutex poll_mu;         // one catch-up at a time; guards the four members below
  bool loaded = false;        // a first catch-up has completed
  int64_t last_poll_us = 0;
  int64_t cursor_us = -1;     // the last date_added read
  int64_t deletion_seq = 0;   // the last deletion read
  std::atomic<uint64_t> rows_read{0};
  std::atomic<uint64_t> catch_ups{0};

  mutable std::shared_mutex mu;  // guards index and entries
  pattern::IndicatorIndex index;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries;
};

IndicatorService::IndicatorService(store::Store& store, const Clock& clock,
                                   IndicatorServiceOptions options)
    : store_(store), clock_(clock), options_(options) {}

IndicatorService::~IndicatorService() = default;

Result<IndicatorService::CollectionIndex*> IndicatorService::Refresh(
    const std::string& collection_id) {
  return Get(collection_id, false);
}

Result<IndicatorService::CollectionIndex*> IndicatorService::CatchUp(
    const std::string& collection_id) {
  return Get(collection_id, true);
}

Result<IndicatorService::CollectionIndex*> IndicatorService::Get(const std::string& collection_id,
                                                                  bool force_poll) {
  CollectionIndex* ci = nullptr;
  {
    std::lock_guard lock(mu_);
    auto& slot = indexes_[collection_id];
    if (!slot) slot = std::make_unique<CollectionIndex>(collection_id);
    ci = slot.get();
  }
  std::unique_lock poll(ci->poll_mu, std::defer_lock);
  if (force_poll) {
    poll.lock();
  } else if (!poll.try_lock()) {
    // Someone is polling. Once loaded, matching against the current state is fine.
    if (ci->loaded) return ci;
    poll.lock();
  }
  const int64_t now = clock_.NowMicros();
  if (force_poll || !ci->loaded || now - ci->last_poll_us >= options_.poll_interval_us) {
    TABADUL_RETURN_IF_ERROR(Poll(*ci));
    ci->loaded = true;
    ci->last_poll_us = now;
  }
  return ci;
}

Status IndicatorService::Poll(CollectionIndex& ci) {
  if (!ci.loaded) {
    // NotFound for an unknown collection, rather than an empty index that hides a typo.
    TABADUL_RETURN_IF_ERROR(store_.GetCollection(ci.collection_id).status());
  }
  ci.catch_ups.fetch_add(1, std::memory_order_relaxed);
  TABADUL_RETURN_IF_ERROR(PollObjects(ci));
  TABADUL_RETURN_IF_ERROR(PollDeletions(ci));
  std::unique_lock lock(ci.mu);
  ci.ReclaimExpired(clock_.NowMicros() * 1000);
  return Status::Ok();
}

Status IndicatorService::PollObjects(CollectionIndex& ci) {
  store::ObjectQuery q;
  q.collection_id = ci.collection_id;
  q.types = {"indicator"};
  q.with_json = true;
  q.limit = options_.page_size;  // versions: latest only (the default)
  while (true) {
    q.added_after_us = ci.cursor_us;
    TABADUL_ASSIGN_OR_RETURN(store::Page page, store_.QueryObjects(q, nullptr));
    if (page.rows.empty()) break;
    std::vector<Prepared> prepared;
    prepared.reserve(page.rows.size());
    for (auto& row : page.rows) {
      std::string json = std::move(row.json);
      prepared.push_back(Prepare(std::move(row), json));
    }
    {
      std::unique_lock lock(ci.mu);
      for (auto& p : prepared) ci.Apply(std::move(p), false);
    }
    ci.cursor_us = page.rows.back().date_added_us;
    ci.rows_read.fetch_add(page.rows.size(), std::memory_order_relaxed);
    if (!page.more) break;
  }
  return Status::Ok();
}

Status IndicatorService::PollDeletions(CollectionIndex& ci) {
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto deletions,
                             store_.QueryDeletions(ci.collection_id, ci.deletion_seq,
                                                   options_.page_size));
    for (const store::DeletionRow& d : deletions) {
      ci.deletion_seq = d.seq;
      {
        std::shared_lock lock(ci.mu);
        auto it = ci.entries.find(d.id);
        if (it == ci.entries.end() || it->second.row.version_ns != d.version_ns) continue;
      }
      // The indexed version is gone: fall back to the latest remaining one, if any.
      store::ObjectQuery q;
      q.collection_id = ci.collection_id;
      q.ids = {d.id};
      q.with_json = true;
      q.limit = 1;
      TABADUL_ASSIGN_OR_RETURN(store::Page page, store_.QueryObjects(q, nullptr));
      std::optional<Prepared> p;
      if (!page.rows.empty()) {
        std::string json = std::move(page.rows[0].json);
        p = Prepare(std::move(page.rows[0]), json);
        ci.rows_read.fetch_add(1, std::memory_order_relaxed);
      }
      std::unique_lock lock(ci.mu);
      auto it = ci.entries.find(d.id);
      // OnStored may have brought a newer version meanwhile; then it stands.
      if (it == ci.entries.end() || it->second.row.version_ns != d.version_ns) continue;
      if (p) {
        ci.Apply(std::move(*p), true);
      } else {
        ci.Erase(d.id);
      }
    }
    if (deletions.size() < options_.page_size) break;
  }
  return Status::Ok();
}

void IndicatorService::OnStored(const store::Collection& collection,
                                const std::vector<stix::StixObject>& objects) {
  CollectionIndex* ci = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = indexes_.find(collection.id);
    if (it == indexes_.end()) return;
    ci = it->second.get();
  }
  std::vector<Prepared> prepared;
  for (const stix::StixObject& object : objects) {
    if (object.type != "indicator") continue;
    prepared.push_back(Prepare(RowOf(collection, object), object.json));
  }
  if (prepared.empty()) return;
  std::unique_lock lock(ci->mu);
  for (auto& p : prepared) ci->Apply(std::move(p), false);
}

std::vector<IndicatorMatch> IndicatorService::MatchValue(const CollectionIndex& ci,
                                                         pattern::ObservableKind kind,
                                                         std::string_view value, int64_t now_ns,
                                                         const HitFilter& visible) const {
  std::vector<IndicatorMatch> out;
  std::shared_lock lock(ci.mu);
  for (std::string_view id : ci.index.MatchValue(kind, value, now_ns)) {
    auto it = ci.entries.find(id);
    assert(it != ci.entries.end());  // the index holds only ids of entries
    std::string_view under;
    if (visible && !visible(it->second.row, &under)) continue;
    out.push_back({std::string(id), it->second.name, it->second.row.version, std::string(under)});
  }
  return out;
}

Result<std::vector<IndicatorMatch>> IndicatorService::MatchObservedData(
    const CollectionIndex& ci, const pattern::ObservationSet& set, int64_t now_ns,
    const HitFilter& visible) const {
  std::vector<IndicatorMatch> out;
  std::shared_lock lock(ci.mu);
  TABADUL_ASSIGN_OR_RETURN(auto ids, ci.index.MatchObservedData(set, now_ns));
  for (std::string_view id : ids) {
    auto it = ci.entries.find(id);
    assert(it != ci.entries.end());
    std::string_view under;
    if (visible && !visible(it->second.row, &under)) continue;
    out.push_back({std::string(id), it->second.name, it->second.row.version, std::string(under)});
  }
  return out;
}

CollectionIndexStats IndicatorService::Stats(const CollectionIndex& ci) const {
  CollectionIndexStats s;
  std::shared_lock lock(ci.mu);
  s.indicators = ci.entries.size();
  for (const auto& [id, e] : ci.entries) {
    if (e.indexed) {
      ++s.indexed;
    } else if (e.row.revoked) {
      ++s.revoked;
    } else {
      ++s.unindexed;
    }
  }
  s.rows_read = ci.rows_read.load();
  s.catch_ups = ci.catch_ups.load();
  return s;
}

}  // namespace tabadul::match
