#include "policy/agreement_cli.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/timestamp.h"
#include "store/sqlite_store.h"

namespace tabadul::policy {
namespace {

int Failed(AgreementCliContext& ctx, const Status& st) {
  ctx.err << "tabadul: " << st.message() << "\n";
  return 1;
}

Result<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read '" + path + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void PrintVersion(std::ostream& out, const store::AgreementVersion& v) {
  out << v.name << "  v" << v.version << (v.ended ? "  ENDED" : "") << "  provider "
      << v.provider_org << "  changed " << FormatTaxiiTimestamp(v.changed_us) << " by "
      << v.changed_by << "\n";
}

struct Session {
  Engine engine;
  AgreementService service;
  explicit Session(AgreementCliContext& ctx)
      : engine(ctx.store, ctx.agreements, ctx.clock), service(engine) {}
};

int AddOrUpdate(AgreementCliContext& ctx, const std::string& file, bool update) {
  auto text = ReadFile(file);
  if (!text.ok()) return Failed(ctx, text.status());
  auto a = ParseAgreementJson(*text);
  if (!a.ok()) return Failed(ctx, a.status());
  Session s(ctx);
  auto v = update ? s.service.Update(std::move(a).value(), ctx.actor)
                  : s.service.Add(std::move(a).value(), ctx.actor);
  if (!v.ok()) return Failed(ctx, v.status());
  PrintVersion(ctx.out, *v);
  return 0;
}

}  // namespace

int AgreementAdd(AgreementCliContext& ctx, const std::string& file) {
  return AddOrUpdate(ctx, file, false);
}
int AgreementUpdate(AgreementCliContext& ctx, const std::string& file) {
  return AddOrUpdate(ctx, file, true);
}

int AgreementList(AgreementCliContext& ctx, bool include_ended) {
  Session s(ctx);
  auto list = s.service.List(include_ended, "");
  if (!list.ok()) return Failed(ctx, list.status());
  for (const auto& v : *list) PrintVersion(ctx.out, v);
  return 0;
}

int AgreementShow(AgreementCliContext& ctx, const std::string& name, bool history) {
  Session s(ctx);
  if (history) {
    auto h = s.service.History(name);
    if (!h.ok()) return Failed(ctx, h.status());
    for (const auto& v : *h) {
      PrintVersion(ctx.out, v);
      ctx.out << "  " << v.body << "\n";
    }
    return 0;
  }
  auto v = s.service.Show(name);
  if (!v.ok()) return Failed(ctx, v.status());
  PrintVersion(ctx.out, *v);
  ctx.out << v->body << "\n";
  return 0;
}

int AgreementEnd(AgreementCliContext& ctx, const std::string& name) {
  Session s(ctx);
  auto v = s.service.End(name, ctx.actor);
  if (!v.ok()) return Failed(ctx, v.status());
  PrintVersion(ctx.out, *v);
  return 0;
}

int AgreementApply(AgreementCliContext& ctx, const std::string& file, bool dry_run) {
  auto text = ReadFile(file);
  if (!text.ok()) return Failed(ctx, text.status());
  auto desired = ParseAgreementSetJson(*text);
  if (!desired.ok()) return Failed(ctx, desired.status());
  Session s(ctx);
  auto report = s.service.Apply(std::move(desired).value(), "", ctx.actor, dry_run);
  if (!report.ok()) return Failed(ctx, report.status());
  auto print = [&](const char* what, const std::vector<std::string>& names) {
    for (const auto& n : names) ctx.out << what << " " << n << "\n";
  };
  print(dry_run ? "would create" : "created", report->created);
  print(dry_run ? "would update" : "updated", report->updated);
  print(dry_run ? "would end" : "ended", report->ended);
  ctx.out << report->unchanged.size() << " unchanged\n";
  return 0;
}

int TokenCreate(AgreementCliContext& ctx, const std::string& user, const std::string& role,
                const std::string& label) {
  std::optional<store::Role> r;
  if (!role.empty()) {
    r = store::ParseRole(role);
    if (!r) return Failed(ctx, InvalidArgument("role: must be reader, publisher or admin"));
  }
  auth::TokenService tokens(ctx.store, ctx.agreements, ctx.clock);
  auto created = tokens.Create(user, r, label);
  if (!created.ok()) return Failed(ctx, created.status());
  ctx.out << created->token << "\n";
  ctx.err << "token " << created->record.id << " for " << user << " ("
          << store::RoleName(created->record.role)
          << "); the token above is shown only once\n";
  return 0;
}

int TokenList(AgreementCliContext& ctx, const std::string& org) {
  std::string org_id;
  if (!org.empty()) {
    auto o = ctx.store.GetOrganization(org);
    if (!o.ok()) return Failed(ctx, o.status());
    org_id = o->id;
  }
  auth::TokenService tokens(ctx.store, ctx.agreements, ctx.clock);
  auto list = tokens.List(org_id);
  if (!list.ok()) return Failed(ctx, list.status());
  for (const auto& t : *list) {
    ctx.out << t.id << "  " << t.user_name << "  " << store::RoleName(t.role) << "  "
            << (t.revoked_us ? "revoked" : "active") << "  " << t.label << "\n";
  }
  return 0;
}

int TokenRevoke(AgreementCliContext& ctx, const std::string& id) {
  auth::TokenService tokens(ctx.store, ctx.agreements, ctx.clock);
  Status st = tokens.Revoke(id);
  if (!st.ok()) return Failed(ctx, st);
  ctx.out << "revoked " << id << "\n";
  return 0;
}

void RegisterAgreementCommands(CLI::App& app, const std::string& data_dir, const Clock& clock,
                               std::ostream& out, std::ostream& err, int& exit_code) {
  // Opens the stores when a command runs, then calls `fn` with a context.
  auto run = [&data_dir, &clock, &out, &err, &exit_code](auto fn) {
    return [&data_dir, &clock, &out, &err, &exit_code, fn] {
      const std::string path = data_dir + "/tabadul.db";
      auto objects = store::SqliteStore::Open(path);
      if (!objects.ok()) {
        err << "tabadul: " << objects.status().message() << "\n";
        exit_code = 1;
        return;
      }
      auto agreements = store::SqliteAgreementStore::Open(path);
      if (!agreements.ok()) {
        err << "tabadul: " << agreements.status().message() << "\n";
        exit_code = 1;
        return;
      }
      AgreementCliContext ctx{**objects, **agreements, clock, out, err};
      exit_code = fn(ctx);
    };
  };
  // Option values live as long as the app: keep them in a heap block the callbacks share.
  struct Args {
    std::string file, name, user, role, label, org, id;
    bool ended = false, history = false, dry_run = false;
  };
  auto args = std::make_shared<Args>();

  auto* ag = app.add_subcommand("agreement", "manage sharing agreements");
  ag->require_subcommand(1);
  auto* add = ag->add_subcommand("add", "add an agreement from a JSON file ('-' = stdin)");
  add->add_option("file", args->file)->required();
  add->callback(run([args](AgreementCliContext& c) { return AgreementAdd(c, args->file); }));
  auto* upd = ag->add_subcommand("update", "replace an agreement with a new version");
  upd->add_option("file", args->file)->required();
  upd->callback(run([args](AgreementCliContext& c) { return AgreementUpdate(c, args->file); }));
  auto* list = ag->add_subcommand("list", "list agreements");
  list->add_flag("--ended", args->ended, "include ended agreements");
  list->callback(run([args](AgreementCliContext& c) { return AgreementList(c, args->ended); }));
  auto* show = ag->add_subcommand("show", "show an agreement");
  show->add_option("name", args->name)->required();
  show->add_flag("--history", args->history, "every version");
  show->callback(run([args](AgreementCliContext& c) {
    return AgreementShow(c, args->name, args->history);
  }));
  auto* end = ag->add_subcommand("end", "end an agreement now");
  end->add_option("name", args->name)->required();
  end->callback(run([args](AgreementCliContext& c) { return AgreementEnd(c, args->name); }));
  auto* apply = ag->add_subcommand("apply", "make the stored agreements equal a file");
  apply->add_option("file", args->file)->required();
  apply->add_flag("--dry-run", args->dry_run, "only show what would change");
  apply->callback(run([args](AgreementCliContext& c) {
    return AgreementApply(c, args->file, args->dry_run);
  }));

  auto* tok = app.add_subcommand("token", "manage API tokens");
  tok->require_subcommand(1);
  auto* create = tok->add_subcommand("create", "create a token for a user (printed once)");
  create->add_option("user", args->user)->required();
  create->add_option("--role", args->role, "reader, publisher or admin (default: the user's)");
  create->add_option("--label", args->label, "what the token is for");
  create->callback(run([args](AgreementCliContext& c) {
    return TokenCreate(c, args->user, args->role, args->label);
  }));
  auto* tlist = tok->add_subcommand("list", "list tokens");
  tlist->add_option("--org", args->org, "only this organization's");
  tlist->callback(run([args](AgreementCliContext& c) { return TokenList(c, args->org); }));
  auto* revoke = tok->add_subcommand("revoke", "revoke a token by id");
  revoke->add_option("id", args->id)->required();
  revoke->callback(run([args](AgreementCliContext& c) { return TokenRevoke(c, args->id); }));
}

}  // namespace tabadul::policy
