// The disclosure log behind the gate every read path uses (gate/gate.h): one record per
// delivery, appended before anything is sent. A failed append is passed to `on_error` (the
// server logs it) and returned, and the deliverer then sends nothing (no disclosure without its
// record). Thread-safe; `log` must outlive the sink.
#pragma once

#include <functional>

#include "audit/disclosure_log.h"
#include "gate/gate.h"

namespace tabadul::audit {

class LogSink final : public gate::DisclosureSink {
 public:
  explicit LogSink(DisclosureLog& log, std::function<void(const Status&)> on_error = {})
      : log_(log), on_error_(std::move(on_error)) {}

  Status Record(const gate::Recipient& to, std::string_view path,
                const store::Collection& collection, store::AuditItemList items) override;

 private:
  DisclosureLog& log_;
  std::function<void(const Status&)> on_error_;
};

}  // namespace tabadul::audit
