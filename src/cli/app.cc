#include "cli/app.h"

#include <CLI/CLI.hpp>

#include "audit/audit_cli.h"
#include "audit/disclosure_log.h"
#include "audit/log_sink.h"
#include "cli/commands.h"
#include "cli/runtime.h"
#include "cli/services.h"
#include "match/match_command.h"
#include "reports/commands.h"
#include "sync/commands.h"
#include "policy/agreement_cli.h"

namespace tabadul::cli {

int RunCli(int argc, char** argv) {
  Context ctx;
  CLI::App app{"tabadul: exchange STIX 2.1 intelligence over TAXII 2.1 under sharing agreements"};
  app.require_subcommand(1);
  app.set_config("--config", "", "TOML file with the same options (sections per subcommand)");
  ctx.data_dir = "./data";
  app.add_option("--data", ctx.data_dir, "data folder (database, keys)")
      ->envname("TABADUL_DATA")
      ->capture_default_str();

  int code = kExitOk;
  auto run = [&code](auto fn) { return [&code, fn] { code = fn(); }; };

  ServeOptions serve;
  auto* s = app.add_subcommand("serve", "run the TAXII 2.1 server");
  s->add_option("--listen", serve.listen, "HOST:PORT")->envname("TABADUL_LISTEN")->capture_default_str();
  s->add_option("--tls-cert", serve.tls_cert, "PEM certificate chain (enables HTTPS)")->envname("TABADUL_TLS_CERT");
  s->add_option("--tls-key", serve.tls_key, "PEM private key")->envname("TABADUL_TLS_KEY");
  s->add_option("--threads", serve.threads, "worker threads")->check(CLI::Range(1, 256))->capture_default_str();
  s->add_option("--max-content-length", serve.max_content_length, "largest accepted request body, bytes")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 32))->capture_default_str();
  s->add_flag("--public-discovery", serve.public_discovery, "serve /taxii2/ without authentication");
  s->add_option("--title", serve.title, "server title in discovery")->capture_default_str();
  s->add_option("--hub-org", serve.hub_org, "organization whose admins administer all agreements")
      ->envname("TABADUL_HUB_ORG");
  s->add_option("--sync-interval", serve.sync_interval_seconds,
                "seconds between scheduled syncs of every subscription (0: never)")
      ->check(CLI::Range(0, 86400 * 7))->capture_default_str();
  s->callback(run([&] { return Serve(ctx, serve); }));

  auto* org = app.add_subcommand("org", "manage organizations");
  org->require_subcommand(1);
  std::string org_name, org_id;
  auto* org_add = org->add_subcommand("add", "add an organization; prints its identity id");
  org_add->add_option("NAME", org_name, "unique name")->required();
  org_add->add_option("--id", org_id, "identity--<uuid> (default: random)");
  org_add->callback(run([&] { return OrgAdd(ctx, org_name, org_id); }));
  org->add_subcommand("list", "list organizations")->callback(run([&] { return OrgList(ctx); }));

  auto* user = app.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  std::string user_name, user_org, user_role = "reader";
  bool password_stdin = false;
  auto* user_add = user->add_subcommand("add", "add a user; the password is read from stdin");
  user_add->add_option("NAME", user_name, "login name")->required();
  user_add->add_option("--org", user_org, "organization name or id")->required();
  user_add->add_option("--role", user_role, "reader, publisher or admin")->capture_default_str();
  user_add->add_flag("--password-stdin", password_stdin, "read the password from standard input")
      ->required();
  user_add->callback(run([&] { return UserAdd(ctx, user_name, user_org, user_role, std::cin); }));
  user->add_subcommand("list", "list users")->callback(run([&] { return UserList(ctx); }));

  auto* coll = app.add_subcommand("collection", "manage collections");
  coll->require_subcommand(1);
  std::string c_title, c_org, c_id, c_alias, c_description, c_tlp = "amber";
  auto* coll_add = coll->add_subcommand("add", "add a collection; prints its id");
  coll_add->add_option("TITLE", c_title, "title")->required();
  coll_add->add_option("--org", c_org, "owning organization")->required();
  coll_add->add_option("--id", c_id, "UUID (default: random)");
  coll_add->add_option("--alias", c_alias, "unique alias");
  coll_add->add_option("--description", c_description, "description");
  coll_add->add_option("--default-tlp", c_tlp, "marking for unmarked objects")->capture_default_str();
  coll_add->callback(run([&] {
    return CollectionAdd(ctx, c_title, c_org, c_id, c_alias, c_description, c_tlp);
  }));
  coll->add_subcommand("list", "list collections")->callback(run([&] { return CollectionList(ctx); }));

  std::string g_user, g_collection, g_access;
  auto* grant = app.add_subcommand("grant", "give a user read and/or write access to a collection");
  grant->add_option("USER", g_user)->required();
  grant->add_option("COLLECTION", g_collection, "collection id or alias")->required();
  grant->add_option("ACCESS", g_access, "read, write, read-write or none")->required();
  grant->callback(run([&] { return GrantAccess(ctx, g_user, g_collection, g_access); }));

  std::vector<std::string> files;
  std::string i_collection;
  bool no_progress = false;
  auto* imp = app.add_subcommand("import", "import STIX bundles into a collection");
  imp->add_option("FILE", files, "bundle files ('-' for stdin)")->required();
  imp->add_option("--collection", i_collection, "collection id or alias")->required();
  imp->add_flag("--no-progress", no_progress, "no progress line");
  imp->callback(run([&] { return Import(ctx, files, i_collection, !no_progress); }));

  std::string e_collection, e_output = "-";
  ExportOptions e_options;
  auto* exp = app.add_subcommand("export", "write a collection as a STIX bundle");
  exp->add_option("--collection", e_collection, "collection id or alias")->required();
  exp->add_option("--output,-o", e_output, "file ('-' for stdout)")->capture_default_str();
  exp->add_flag("--all-versions", e_options.all_versions, "every version, not only the latest");
  exp->add_option("--as", e_options.as_user,
                  "export what this user may receive (agreements applied, disclosure logged)");
  exp->add_option("--min-action", e_options.min_action,
                  "keep objects whose IEP permitted actions reach this level for the recipient");
  exp->callback(run([&] { return Export(ctx, e_collection, e_output, e_options); }));

  auto* val = app.add_subcommand("validate", "check STIX 2.1 files without storing them");
  val->add_option("FILE", files, "bundle files ('-' for stdin)")->required();
  val->callback(run([&] { return Validate(ctx, files); }));

  audit::RegisterAuditCommands(app, ctx.data_dir, code);
  // `search --as` and `match --user` deliver object content to a named user: recorded in the
  // disclosure log like the server's responses (the recorder owns the log it opens).
  using Recorder = std::function<Status(const auth::Principal&, std::string_view,
                                        const store::Collection&, store::AuditItemList)>;
  auto open_recorder = [&ctx](const std::string& dir) -> Result<Recorder> {
    TABADUL_ASSIGN_OR_RETURN(auto opened, audit::DisclosureLog::Open(
                                              dir + "/" + audit::kDatabaseFileName, dir, ctx.clock));
    // The sink writes the record; the recorder owns the log it writes into.
    std::shared_ptr<audit::DisclosureLog> log = std::move(opened);
    auto sink = std::make_shared<audit::LogSink>(*log);
    return Recorder([log, sink](const auth::Principal& who, std::string_view path,
                           const store::Collection& collection, store::AuditItemList items) {
      return sink->Record(gate::Recipient{who.org_id, who.user, false, {}}, path, collection,
                          std::move(items));
    });
  };
  // `search --as` and `ingest --as` apply the server's visibility rule (agreements, TLP, IEP),
  // not the user's stored grants alone.
  auto search_visibility = PolicyUserVisibility(ctx.data_dir, ctx.clock);
  reports::RegisterReportsCommands(app, ctx.data_dir, code, open_recorder, search_visibility);
  // `tabadul sync` runs on the server's runtime: pulls through the write pipeline, pushes
  // through the gate and into the disclosure log (cli/runtime.h).
  sync::RegisterSyncCommands(app, ctx.data_dir, code, [&ctx](const std::string& dir)
                                 -> Result<sync::SyncEnv> {
    TABADUL_ASSIGN_OR_RETURN(auto opened, Runtime::Open({.data_dir = dir}, ctx.clock));
    std::shared_ptr<Runtime> runtime = std::move(opened);
    return sync::SyncEnv{&runtime->store(), &runtime->peers(), &runtime->sync(), runtime};
  });
  // `tabadul match --user U` sees exactly what U would see over HTTP: the policy engine is
  // opened on the same database when the command runs.
  std::unique_ptr<store::SqliteAgreementStore> cli_agreements;
  std::unique_ptr<policy::Engine> cli_engine;
  match::RegisterMatchCommands(app, ctx.data_dir, code, [&](store::Store& store) {
    auto agreements = store::SqliteAgreementStore::Open(ctx.data_dir + "/tabadul.db");
    if (!agreements.ok()) {
      // Fail closed: without the policy tables nobody but the owners' grants sees anything.
      match::Visibility none;
      none.row_visible = [](const auth::Principal&, const store::Collection& c,
                            const store::ObjectRow&, std::string_view*) { return false; };
      return none;
    }
    cli_agreements = std::move(agreements).value();
    cli_engine = std::make_unique<policy::Engine>(store, *cli_agreements, ctx.clock);
    (void)cli_engine->Reload();
    return MatchVisibility(*cli_engine, /*over_tls=*/true);
  }, open_recorder);
  policy::RegisterAgreementCommands(app, ctx.data_dir, ctx.clock, ctx.out, ctx.err, code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return code;
}

}  // namespace tabadul::cli
