#include "audit/log_sink.h"

namespace tabadul::audit {

Status LogSink::Record(const gate::Recipient& to, std::string_view path,
                       const store::Collection& collection, store::AuditItemList items) {
  if (items.empty()) return Status::Ok();
  std::string agreements = items.agreement_table();  // the items' own (store/sqlite_audit.h)
  Status st = log_.Append({.org_id = to.org_id,
                           .user = to.user,
                           .path = std::string(path),
                           .agreement_id = std::move(agreements),
                           .collection_id = collection.id,
                           .versions = std::move(items)});
  if (!st.ok() && on_error_) on_error_(st);
  return st;
}

}  // namespace tabadul::audit
