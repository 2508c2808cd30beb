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
// Writes the collection as one STIX bundle (latest versions, or all with `all_versions`).
int Export(Context& ctx, const std::string& collection, const std::string& output,
           bool all_versions);
// Validates files without storing anything; exit 1 if any object is invalid.
int Validate(Context& ctx, const std::vector<std::string>& files);

}  // namespace tabadul::cli
