#include "match/disclosure.h"

#include <string>
#include <unordered_set>

namespace tabadul::match {

Status RecordMatchDisclosure(const DisclosureRecorder& record, const auth::Principal& principal,
                             std::string_view path, const store::Collection& collection,
                             const std::vector<MatchHit>& hits) {
  if (!record || hits.empty()) return Status::Ok();
  store::AuditItemList items;
  // Keyed "<id>\n<version>": a pair whose id holds a newline could collide with another, but
  // the log refuses control characters, so such a response is refused anyway.
  std::unordered_set<std::string> seen;
  for (const MatchHit& h : hits) {
    if (!seen.insert(h.indicator_id + '\n' + h.indicator_version).second) continue;
    items.Add(h.indicator_id, h.indicator_version, h.agreement);
  }
  return record(principal, path, collection, std::move(items));
}

}  // namespace tabadul::match
