// The bridge from the TAXII API's `ApiHooks::on_disclosure` to the disclosure log.
//
//   hooks.on_disclosure = audit::MakeDisclosureHook(*log);
//
// The audit module comes before `taxii` in the module order, so it cannot name
// taxii::RequestInfo; the hook is a callable whose call operator takes any request type with
// `principal.user`, `principal.org_id` and `path` members, and so converts to the
// std::function that ApiHooks::on_disclosure declares.
//
// A failed append is passed to `on_error` (the server logs it) and returned, and the TAXII API
// then answers 500 instead of sending the objects: no disclosure without its record. With
// LogOptions::wait_for_commit the hook returns only after the record is written, i.e. before
// the response is sent.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "audit/disclosure_log.h"
#include "store/store.h"

namespace tabadul::audit {

// The agreement a delivery to `org_id` from collection `collection` falls under ("" = unknown),
// for deliveries whose items do not name their own (see DisclosureHook::Record). Must be
// thread-safe; its answer must not contain a space (it is read as an agreement table of one
// entry, store/sqlite_audit.h).
using AgreementResolver =
    std::function<std::string(const std::string& org_id, const store::Collection& collection)>;
using ErrorSink = std::function<void(const Status&)>;

class DisclosureHook {
 public:
  // `log` must outlive the hook and every copy of it.
  DisclosureHook(DisclosureLog& log, AgreementResolver agreement, ErrorSink on_error)
      : log_(&log), agreement_(std::move(agreement)), on_error_(std::move(on_error)) {}

  // The TAXII API's form: the delivered (id, version) pairs already in their stored form.
  template <typename RequestInfo>
  Status operator()(const RequestInfo& info, const store::Collection& collection,
                    store::AuditItemList delivered) const {
    Status st = Record(info.principal.org_id, info.principal.user, info.path, collection,
                       std::move(delivered));
    if (!st.ok() && on_error_) on_error_(st);
    return st;
  }

  // Appends one record for `delivered` (in order, as (id, version, disclosed_under) items: each
  // row's agreement is the note its read filter left, store::ObjectRow::disclosed_under); an
  // empty delivery records nothing and returns OK. Errors as DisclosureLog::Append.
  Status Record(const std::string& org_id, const std::string& user, const std::string& path,
                const store::Collection& collection,
                const std::vector<store::ObjectRow>& delivered) const;
  // The same with the items already encoded. The record's agreement_id is the list's agreement
  // table when some item named an agreement, else the resolver's answer (if any).
  Status Record(const std::string& org_id, const std::string& user, const std::string& path,
                const store::Collection& collection, store::AuditItemList delivered) const;

 private:
  DisclosureLog* log_;
  AgreementResolver agreement_;
  ErrorSink on_error_;
};

inline DisclosureHook MakeDisclosureHook(DisclosureLog& log, AgreementResolver agreement = {},
                                         ErrorSink on_error = {}) {
  return DisclosureHook(log, std::move(agreement), std::move(on_error));
}

}  // namespace tabadul::audit
