#include "audit/disclosure_hook.h"

namespace tabadul::audit {

Status DisclosureHook::Record(const std::string& org_id, const std::string& user,
                              const std::string& path, const store::Collection& collection,
                              const std::vector<store::ObjectRow>& delivered) const {
  if (delivered.empty()) return Status::Ok();
  store::AuditItemList items;
  items.Reserve(delivered.size());
  for (const auto& row : delivered) items.Add(row.id, row.version, row.disclosed_under);
  return Record(org_id, user, path, collection, std::move(items));
}

Status DisclosureHook::Record(const std::string& org_id, const std::string& user,
                              const std::string& path, const store::Collection& collection,
                              store::AuditItemList delivered) const {
  if (delivered.empty()) return Status::Ok();
  Disclosure d;
  d.org_id = org_id;
  d.user = user;
  d.path = path;
  d.collection_id = collection.id;
  // The items' own agreements when they name any; else one answer for the whole delivery.
  if (!delivered.agreement_table().empty()) {
    d.agreement_id = delivered.agreement_table();
  } else if (agreement_) {
    d.agreement_id = agreement_(org_id, collection);
  }
  d.versions = std::move(delivered);
  return log_->Append(std::move(d));
}

}  // namespace tabadul::audit
