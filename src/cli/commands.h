// The `tabadul` subcommands. Each takes its parsed options and returns an exit code
// (context.h). Argument parsing lives in app.cc; these functions do the work.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace tabadul::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:8021";
  std::string tls_cert;
  std::string tls_key;
  int threads = 8;
  size_t max_content_length = 64u << 20;
  bool public_discovery = false;
  std::string title = "tabadul";
  std::string hub_org;  // organization whose admins administer every agreement
  int sync_interval_seconds = 300;
};
int Serve(Context& ctx, const ServeOptions& options);

int OrgAdd(Context& ctx, const std::string& name, const std::string& id);
int OrgList(Context& ctx);
int UserAdd(Context& ctx, const std::string& name, const std::string& org,
            const std::string& role, std::istream& password_in);
int UserList(Context& ctx);
int CollectionAdd(Context& ctx, const std::string& title, const std::string& org,
                  const std::string& id, const std::string& alias, const std::string& description,
                  const std::string& default_tlp);
int CollectionList(Context& ctx);
int GrantAccess(Context& ctx, const std::string& user, const std::string& collection,
                const std::string& access);

// Imports bundles (or envelopes) into a collection, in batches, each batch one transaction.
// Refused objects are reported with their reason and the rest is kept; exit 1 if any refusal.
int Import(Context& ctx, const std::vector<std::string>& files, const std::string& collection,
           bool progress);
struct ExportOptions {
  bool all_versions = false;  // every version, not only the latest
  // Export as this user: exactly what the user may receive under the agreements (the policy's
  // visibility rule and attribution rewriting), recorded in the disclosure log. Empty: the
  // operator's full export, not a disclosure.
  std::string as_user;
  // Keep only objects whose IEP permitted actions reach this level for the recipient (e.g.
  // externally-visible-direct-actions for a blocklist feed). Empty: no requirement.
  std::string min_action;
};
// Writes the collection as one STIX bundle, streamed page by page.
int Export(Context& ctx, const std::string& collection, const std::string& output,
           const ExportOptions& options);
// Validates files without storing anything; exit 1 if any object is invalid.
int Validate(Context& ctx, const std::vector<std::string>& files);

}  // namespace tabadul::cli
