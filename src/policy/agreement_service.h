// Managing agreements: the one implementation behind the CLI (`tabadul agreement ...`), the admin
// HTTP API (/tabadul/v1/admin/) and declarative files (`apply`), so the three stay consistent.
//
// Every change appends a version (store/sqlite_agreements.h); nothing is ever overwritten, so the
// history of an agreement can be listed. Ending an agreement appends a version marked ended; the
// name can later be added again (a new version). Every write validates first (agreement.h) and
// writes all its versions in one transaction: nothing is half-applied. After a write the engine
// reloads, so reads in this process see the change at once.
//
// Authorization is the caller's job (the admin handler checks roles); this class trusts `actor`.
// Thread-safety: methods may be called concurrently (conflicting writes fail cleanly with
// FailedPrecondition instead of losing an update).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/agreement.h"
#include "policy/engine.h"
#include "store/sqlite_agreements.h"

namespace tabadul::policy {

struct ApplyReport {
  std::vector<std::string> created;
  std::vector<std::string> updated;
  std::vector<std::string> ended;
  std::vector<std::string> unchanged;
};

class AgreementService {
 public:
  explicit AgreementService(Engine& engine) : engine_(engine) {}

  // Creates a new agreement (or revives an ended name). AlreadyExists when an active agreement
  // has the name; InvalidArgument (naming the field) when it does not validate.
  Result<store::AgreementVersion> Add(Agreement a, std::string_view actor);
  // Replaces an active agreement with a new version. NotFound when no active one has the name;
  // InvalidArgument when it does not validate; FailedPrecondition when the provider changes.
  Result<store::AgreementVersion> Update(Agreement a, std::string_view actor);
  // Ends an active agreement now. NotFound when no active one has the name.
  Result<store::AgreementVersion> End(std::string_view name, std::string_view actor);

  // The latest version of each agreement; ended ones only when `include_ended`. When
  // `party_org` is non-empty, only agreements where it is provider or recipient.
  Result<std::vector<store::AgreementVersion>> List(bool include_ended, std::string_view party_org);
  // The latest version of one agreement (ended or not). NotFound.
  Result<store::AgreementVersion> Show(std::string_view name);
  // Every version, oldest first. NotFound.
  Result<std::vector<store::AgreementVersion>> History(std::string_view name);

  // Makes the stored set equal `desired`: creates what is new, updates what differs, ends active
  // agreements absent from `desired`. When `provider_scope` is non-empty, only agreements of that
  // provider are considered and every desired one must have it (else InvalidArgument). All
  // entries are validated before anything is written; then all changes go in one transaction.
  // With `dry_run`, reports what would change and writes nothing.
  Result<ApplyReport> Apply(std::vector<Agreement> desired, std::string_view provider_scope,
                            std::string_view actor, bool dry_run);

 private:
  Result<store::AgreementVersion> Write(std::vector<store::AgreementVersion> versions);

  Engine& engine_;
};

// Parses a stored version's body (ids already resolved).
Result<Agreement> AgreementOf(const store::AgreementVersion& v);

}  // namespace tabadul::policy
