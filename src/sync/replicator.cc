#include "sync/replicator.h"

#include <charconv>
#include <map>
#include <set>

#include "common/timestamp.h"
#include "intake/pipeline.h"
#include "stix/object_stream.h"
#include "stix/tlp.h"
#include "stix/validator.h"

namespace tabadul::sync {
namespace {

constexpr size_t kMaxWarnings = 20;
constexpr int kMaxLimitGrowth = 3;  // a stuck added_after page may grow the limit 2^3 times

void Warn(RunReport& report, std::string message) {
  if (report.warnings.size() < kMaxWarnings) report.warnings.push_back(std::move(message));
}

// The instant of a TAXII timestamp header, or nullopt when it is absent or malformed.
std::optional<int64_t> Nanos(const std::string& ts) {
  if (ts.empty()) return std::nullopt;
  auto p = ParseTimestamp(ts);
  if (!p.ok()) return std::nullopt;
  return p->nanos;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string Envelope(const std::vector<store::ObjectRow>& rows) {
  size_t size = 16;
  for (const auto& r : rows) size += r.json.size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"objects\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += rows[i].json;
  }
  out += "]}";
  return out;
}

}  // namespace


Replicator::Replicator(store::Store& store, intake::Pipeline& pipeline, PeerRegistry& registry,
                       const Clock& clock, SyncHooks hooks, ReplicatorOptions options)
    : store_(store), pipeline_(pipeline), registry_(registry), clock_(clock),
      hooks_(std::move(hooks)), options_(options) {
  if (options_.page_size == 0) options_.page_size = 1000;
}

// Parses one page and stores its objects with the checkpoint in one transaction. A page that
// is not a well-formed envelope is refused whole (nothing stored, cursor unchanged); a single
// invalid object inside a well-formed page is counted as refused and skipped, since fetching
// it again would give the same bytes.
Status Replicator::StorePage(const Peer& peer, const Subscription& sub, std::string_view body,
                             const std::string& checkpoint, RunReport& report, bool* more,
                             std::string* next, size_t* count) {
  auto stream = stix::ObjectStream::Open(body);
  if (!stream.ok()) return InvalidArgument("malformed page: " + stream.status().message());
  *more = (*stream)->more();
  *next = std::string((*stream)->next());
  std::vector<std::string_view> raw_objects;
  while (true) {
    std::string_view raw;
    auto has = (*stream)->Next(&raw);
    if (!has.ok()) return InvalidArgument("malformed page: " + has.status().message());
    if (!*has) break;
    raw_objects.push_back(raw);
  }
  *count = raw_objects.size();
  const std::string key = CheckpointKey(sub.id, "pull");
  if (raw_objects.empty()) {
    if (!checkpoint.empty()) TABADUL_RETURN_IF_ERROR(store_.SetCheckpoint(key, checkpoint));
    return Status::Ok();
  }
  TABADUL_ASSIGN_OR_RETURN(store::Collection local, store_.GetCollection(sub.local_collection));
  intake::WriteOptions write;
  write.origin = peer.name;
  // What the peer's collection implied for unmarked objects becomes explicit here; an
  // unreadable setting counts as RED (the safe mistake).
  write.origin_default_tlp = stix::ParseTlpName(peer.default_tlp).value_or(stix::Tlp::kRed);
  write.checkpoint_key = checkpoint.empty() ? std::string() : key;
  write.checkpoint_value = checkpoint;
  TABADUL_ASSIGN_OR_RETURN(intake::WriteReport written,
                           pipeline_.Write(local, std::span<const std::string_view>(raw_objects), write));
  report.stored += static_cast<int64_t>(written.added);
  report.duplicates += static_cast<int64_t>(written.duplicates);
  report.refused += static_cast<int64_t>(written.refused);
  for (const intake::ItemOutcome& item : written.items) {
    if (item.kind == store::PutOutcome::Kind::kRefused) {
      Warn(report, (item.id.empty() ? std::string("(no id)") : item.id) + ": " + item.message);
    }
  }
  return Status::Ok();
}

Status Replicator::Pull(const Peer& peer, const Subscription& sub, TaxiiClient& client,
                        const std::string& api_root, RunReport& report,
                        const Progress& progress) {
  const std::string key = CheckpointKey(sub.id, "pull");
  std::string cursor;
  if (auto cp = store_.GetCheckpoint(key); cp.ok()) {
    cursor = *cp;
  } else if (cp.status().code() != StatusCode::kNotFound) {
    return cp.status();
  }
  report.cursor = cursor;
  PageRequest req;
  req.added_after = cursor;
  req.limit = options_.page_size;
  int growth = 0;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(ObjectsPage page,
                             client.GetObjects(api_root, sub.remote_collection, req));
    // The cursor moves to the page's Date-Added-Last only when that is later than where we
    // are: a server treating added_after as inclusive repeats the boundary row, and a broken
    // one may send an older or missing header.
    auto last_ns = Nanos(page.date_added_last);
    if (!page.date_added_last.empty() && !last_ns) {
      return InvalidArgument("malformed X-TAXII-Date-Added-Last '" + page.date_added_last + "'");
    }
    auto cursor_ns = Nanos(cursor);
    const bool advanced = last_ns && (!cursor_ns || *last_ns > *cursor_ns);
    std::string new_cursor = advanced ? page.date_added_last : cursor;
    bool more = false;
    std::string next;
    size_t count = 0;
    TABADUL_RETURN_IF_ERROR(StorePage(peer, sub, page.body, advanced ? new_cursor : "", report,
                                      &more, &next, &count));
    ++report.pages;
    cursor = new_cursor;
    report.cursor = cursor;
    if (progress) progress(sub, report);
    if (!more) break;
    if (!next.empty()) {
      req.next = next;  // the original filters stay as they were (TAXII §3.4)
      continue;
    }
    // Paging by added_after (the server gives no `next`).
    if (!advanced) {
      if (count == 0) break;  // an empty page claiming more: try again next run
      if (growth < kMaxLimitGrowth) {
        // Every row of the page shares the cursor's date_added (an inclusive server): ask for
        // a larger page so that the rows after them become reachable.
        ++growth;
        req.limit *= 2;
        req.next.clear();
        continue;
      }
      // Still stuck: step past the instant; manifest repair fetches anything left behind.
      int64_t ns = cursor_ns.value_or(0) + 1000;
      cursor = FormatTimestamp(ns, 6);
      TABADUL_RETURN_IF_ERROR(store_.SetCheckpoint(key, cursor));
      report.cursor = cursor;
      Warn(report, "the remote keeps returning rows added at " + page.date_added_last +
                       "; stepped past it (run a repair to fetch any row left behind)");
    }
    growth = 0;
    req.limit = options_.page_size;
    req.added_after = cursor;
    req.next.clear();
  }
  return Status::Ok();
}

Status Replicator::Push(const Peer& peer, const Subscription& sub, TaxiiClient& client,
                        const std::string& api_root, RunReport& report,
                        const Progress& progress) {
  TABADUL_ASSIGN_OR_RETURN(store::Collection collection,
                           store_.GetCollection(sub.local_collection));
  const std::string key = CheckpointKey(sub.id, "push");
  int64_t cursor = -1;
  if (auto cp = store_.GetCheckpoint(key); cp.ok()) {
    auto v = ParseInt(*cp);
    if (!v) return Internal("push checkpoint '" + *cp + "' is not a number");
    cursor = *v;
  } else if (cp.status().code() != StatusCode::kNotFound) {
    return cp.status();
  }
  report.cursor = std::to_string(cursor);
  // No gate or no record, no delivery.
  if (!hooks_.gate || !hooks_.sink) return FailedPrecondition("no gate: nothing is pushed");
  // A peer's organization receives what the rule lets it receive, over TLS when the URL says so.
  const gate::Recipient to{peer.org_id, "peer:" + peer.name, peer.url.rfind("https://", 0) == 0, {}};
  const store::RowFilter filter =
      gate::ScanFilter(hooks_.gate->Judge(to, collection, gate::Use::kPush));
  while (true) {
    store::ObjectQuery q;
    q.collection_id = collection.id;
    q.added_after_us = cursor;
    q.versions = store::VersionMatch{.all = true};
    q.with_json = true;
    q.limit = options_.page_size;
    TABADUL_ASSIGN_OR_RETURN(store::Page page, store_.QueryObjects(q, filter));
    if (page.rows.empty()) break;
    // What the recipient may not learn (e.g. the provider's identity) is rewritten first, and
    // nothing is sent that the disclosure log has not recorded.
    store::AuditItemList items;
    items.Reserve(page.rows.size());
    for (store::ObjectRow& row : page.rows) {
      hooks_.gate->Rewrite(to, collection, row);
      items.Add(row.id, row.version, row.disclosed_under);
    }
    TABADUL_RETURN_IF_ERROR(hooks_.sink->Record(to, "sync:push", collection, std::move(items)));
    TABADUL_ASSIGN_OR_RETURN(RemoteStatus st,
                             client.PostAndWait(api_root, sub.remote_collection,
                                                Envelope(page.rows), options_.status_wait));
    // Objects the remote refused (its validation, or a version after a revocation) would be
    // refused again on every retry; they are reported, and the cursor moves on.
    report.refused += st.failure_count;
    for (const auto& [id, message] : st.failures) Warn(report, "remote refused " + id + ": " + message);
    std::vector<std::pair<std::string, std::string>> sent;
    sent.reserve(page.rows.size());
    for (const auto& r : page.rows) sent.emplace_back(r.id, r.version);
    TABADUL_RETURN_IF_ERROR(registry_.RecordPushed(sub.id, sent));
    cursor = page.rows.back().date_added_us;
    TABADUL_RETURN_IF_ERROR(store_.SetCheckpoint(key, std::to_string(cursor)));
    report.pushed += st.success_count;
    ++report.pages;
    report.cursor = std::to_string(cursor);
    if (progress) progress(sub, report);
    if (!page.more) break;
  }
  return PushDeletions(sub, client, api_root, report);
}

Status Replicator::PushDeletions(const Subscription& sub, TaxiiClient& client,
                                 const std::string& api_root, RunReport& report) {
  const std::string key = CheckpointKey(sub.id, "push-deletions");
  int64_t seq = 0;
  if (auto cp = store_.GetCheckpoint(key); cp.ok()) {
    seq = ParseInt(*cp).value_or(0);
  } else if (cp.status().code() != StatusCode::kNotFound) {
    return cp.status();
  }
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto rows, store_.QueryDeletions(sub.local_collection, seq, 500));
    if (rows.empty()) break;
    for (const auto& d : rows) {
      // Only what this subscription delivered: a DELETE for anything else would tell the
      // remote that an object it may not know of exists here.
      TABADUL_ASSIGN_OR_RETURN(bool delivered, registry_.TakePushed(sub.id, d.id, d.version));
      if (delivered) {
        Status st = client.DeleteObject(api_root, sub.remote_collection, d.id, d.version);
        if (!st.ok() && st.code() != StatusCode::kNotFound) {
          // Put the record back so that the next run retries this deletion.
          TABADUL_RETURN_IF_ERROR(registry_.RecordPushed(sub.id, {{d.id, d.version}}));
          return st;
        }
        ++report.deletions;
      }
      seq = d.seq;
      TABADUL_RETURN_IF_ERROR(store_.SetCheckpoint(key, std::to_string(seq)));
    }
  }
  return Status::Ok();
}

Status Replicator::Repair(const Peer& peer, const Subscription& sub, TaxiiClient& client,
                          const std::string& api_root, RunReport& report) {
  // The remote's versions: id -> version instants.
  std::map<std::string, std::set<int64_t>> remote;
  PageRequest req;
  req.limit = options_.page_size;
  std::string after;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(ManifestPage page,
                             client.GetManifest(api_root, sub.remote_collection, req));
    for (const auto& e : page.entries) {
      auto ns = Nanos(e.version);
      remote[e.id].insert(ns.value_or(0));
    }
    if (!page.more) break;
    if (!page.next.empty()) {
      req.next = page.next;
      continue;
    }
    auto last = Nanos(page.date_added_last);
    if (!last || (Nanos(after) && *last <= *Nanos(after))) {
      return FailedPrecondition("the remote manifest does not page forward; repair skipped");
    }
    after = page.date_added_last;
    req.added_after = after;
  }

  // The local versions: every row (to know what is present) and those pulled from this peer
  // (the only ones repair may remove).
  std::map<std::string, std::set<int64_t>> local;
  std::vector<store::ObjectRow> from_peer;
  store::ObjectQuery q;
  q.collection_id = sub.local_collection;
  q.versions = store::VersionMatch{.all = true};
  q.limit = 10000;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(store::Page page, store_.QueryObjects(q, nullptr));
    for (auto& r : page.rows) {
      local[r.id].insert(r.version_ns);
      if (r.origin == peer.name) from_peer.push_back(std::move(r));
    }
    if (!page.more || page.rows.empty()) break;
    q.added_after_us = page.rows.back().date_added_us;
  }

  // Missing locally: an id we do not hold, or a version instant we do not hold (an
  // unversioned SCO is keyed by id alone: the remote lists its date_added as the version).
  std::vector<std::string> fetch;
  for (const auto& [id, versions] : remote) {
    auto it = local.find(id);
    if (it == local.end()) {
      fetch.push_back(id);
      continue;
    }
    if (it->second.count(0)) continue;
    for (int64_t v : versions) {
      if (!it->second.count(v)) {
        fetch.push_back(id);
        break;
      }
    }
  }
  for (const auto& id : fetch) {
    PageRequest one;
    one.limit = options_.page_size;
    while (true) {
      TABADUL_ASSIGN_OR_RETURN(ObjectsPage page,
                               client.GetObjects(api_root, sub.remote_collection, one, id));
      RunReport part;
      bool more = false;
      std::string next;
      size_t count = 0;
      TABADUL_RETURN_IF_ERROR(StorePage(peer, sub, page.body, "", part, &more, &next, &count));
      report.repair_fetched += part.stored;
      report.refused += part.refused;
      if (!more || next.empty()) break;
      one.next = next;
    }
  }
  // Extra locally: versions pulled from this peer that the remote no longer lists.
  for (const auto& r : from_peer) {
    auto it = remote.find(r.id);
    bool present = it != remote.end() && (r.version_ns == 0 || it->second.count(r.version_ns));
    if (present) continue;
    store::VersionMatch match;
    if (r.version_ns == 0) {
      match.all = true;
    } else {
      match.last = false;
      match.exact_ns = {r.version_ns};
    }
    TABADUL_ASSIGN_OR_RETURN(int removed, store_.DeleteObject(sub.local_collection, r.id, match));
    report.repair_removed += removed;
  }
  return Status::Ok();
}

}  // namespace tabadul::sync
