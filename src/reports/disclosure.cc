#include "reports/disclosure.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace tabadul::reports {

Status RecordSearchDisclosures(const DisclosureRecorder& record, const auth::Principal& principal,
                               std::string_view path, const SearchResponse& response) {
  if (!record || response.hits.empty()) return Status::Ok();
  // One item list per collection, indexed like response.collections.
  std::unordered_map<std::string_view, size_t> slot;
  for (size_t i = 0; i < response.collections.size(); ++i) {
    slot.emplace(response.collections[i].id, i);
  }
  std::vector<store::AuditItemList> items(response.collections.size());
  for (const SearchHit& hit : response.hits) {
    auto it = slot.find(hit.collection);
    // SearchService::Search lists the collection of every hit.
    if (it == slot.end()) return Internal("search hit from an unlisted collection");
    items[it->second].Add(hit.id, hit.version, hit.agreement);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty()) continue;
    TABADUL_RETURN_IF_ERROR(record(principal, path, response.collections[i], std::move(items[i])));
  }
  return Status::Ok();
}

}  // namespace tabadul::reports
