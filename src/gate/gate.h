// One gate out (DESIGN.md "One way in, one gate out"): the two ports every read path uses to
// deliver stored object versions to someone — a TAXII page, a manifest, an export, a search or
// match hit, a sync push. They sit low in the module graph (store and auth below them) so that
// every module can take them; `policy` implements AccessGate with the visibility rule
// (policy/gate.h) and `audit` implements DisclosureSink with the disclosure log
// (audit/log_sink.h). cli::Runtime builds the two once, for `serve` and the CLI alike.
//
// A deliverer: asks Access() whether the collection exists for the principal; judges each
// candidate row with the RowJudge for its recipient and use, before any limit; rewrites each
// delivered row with Rewrite(); records the delivery with DisclosureSink::Record() and sends
// nothing when that fails. There is no default gate and no default sink: a path that has none
// delivers nothing.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "common/status.h"
#include "store/sqlite_audit.h"
#include "store/store.h"

namespace tabadul::gate {

// What the recipient will do with what it receives. The policy decides what each use needs
// (e.g. matching is an automated use: IEP permitted actions of at least
// internally-visible-actions).
enum class Use {
  kRead,   // TAXII pages, object, manifest, versions; search hits; export; the console
  kMatch,  // a hit of the recipient's observables against an indicator
  kPush,   // sent to a peer's server by sync
};

// Who receives. For a push the organization is the peer's and the user names the peer.
struct Recipient {
  std::string org_id;
  std::string user;
  bool over_tls = false;
  // Export only: keep rows whose IEP permitted actions for this recipient reach this level
  // (an IEP permitted_actions name); empty = no floor. An unknown name delivers nothing.
  std::string min_action;
};

// The judgment on one row: deliver it or not, and under which agreement ("name@vN"; empty for
// the provider's own reads). `agreement` views text the gate keeps for its own lifetime.
struct Verdict {
  bool deliver = false;
  std::string_view agreement;
};

// Judges rows of one collection for one recipient and use. Pure and thread-safe (it may run on
// rows an index shares between threads); it holds its own snapshot of the policy, so one page is
// judged consistently.
using RowJudge = std::function<Verdict(const store::ObjectRow& row)>;

class AccessGate {
 public:
  virtual ~AccessGate() = default;

  // What `principal` may do with `collection`: {false, false} makes it invisible (the same
  // answer as a collection that does not exist). Errors: the store's.
  virtual Result<store::Grant> Access(const auth::Principal& principal,
                                      const store::Collection& collection) = 0;
  // The judge for delivering rows of `collection` to `to` for `use`. Never null.
  virtual RowJudge Judge(const Recipient& to, const store::Collection& collection, Use use) = 0;
  // Rewrites a delivered row (row.json and its fields) as `to` may see it, e.g. the provider's
  // identity replaced where attribution must not be kept. No-op when nothing is to change.
  virtual void Rewrite(const Recipient& to, const store::Collection& collection,
                       store::ObjectRow& row) = 0;
};

class DisclosureSink {
 public:
  virtual ~DisclosureSink() = default;

  // Records that `to` received `items` (id, version, agreement; in delivery order; not empty)
  // of `collection` over `path`. OK once the record is as durable as the sink promises; an
  // error means it was not recorded, and the caller must then not deliver. Thread-safe.
  virtual Status Record(const Recipient& to, std::string_view path,
                        const store::Collection& collection, store::AuditItemList items) = 0;
};

// A store row filter (evaluated before the limit) passing the rows `judge` delivers and noting
// each one's agreement in row.disclosed_under for the record.
store::RowFilter ScanFilter(RowJudge judge);

// The recipient a principal is, for its own requests.
Recipient RecipientOf(const auth::Principal& principal, bool over_tls);

}  // namespace tabadul::gate
