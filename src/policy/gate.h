// The visibility rule behind the gate every read path uses (gate/gate.h): policy::Engine decides,
// and the thresholds each use needs are decided here, nowhere else:
//   - read and push: the rule (agreements, TLP, IEP validity and encryption, exchange terms of
//     what came from elsewhere, attribution);
//   - match: the rule, and IEP permitted actions of at least internally-visible-actions (a hit
//     is an automated use of the intelligence), except for the provider's own indicators;
//   - a recipient's min_action (export --min-action) raises that floor likewise.
// A recipient of no organization (a peer nobody mapped to one) receives nothing.
//
// Thread-safe. `engine` must outlive the gate and every judge it made.
#pragma once

#include "gate/gate.h"
#include "policy/engine.h"

namespace tabadul::policy {

class Gate final : public gate::AccessGate {
 public:
  explicit Gate(Engine& engine) : engine_(engine) {}

  Result<store::Grant> Access(const auth::Principal& principal,
                              const store::Collection& collection) override;
  gate::RowJudge Judge(const gate::Recipient& to, const store::Collection& collection,
                       gate::Use use) override;
  void Rewrite(const gate::Recipient& to, const store::Collection& collection,
               store::ObjectRow& row) override;

 private:
  Engine& engine_;
};

}  // namespace tabadul::policy
