#include "sync/commands.h"

#include <unistd.h>

#include <iomanip>
#include <memory>

#include "common/clock.h"
#include "common/timestamp.h"
#include "store/sqlite_store.h"
#include "sync/sync_service.h"

namespace tabadul::sync {
namespace {

struct Options {
  std::string name, url, api_root, org, user, ca_file;
  std::string default_tlp, may_forward, forward_max_tlp;  // exchange terms; "" = not given
  bool password_stdin = false, token_stdin = false;
  std::string peer, remote, local;
  bool pull = false, push = false;
  int64_t id = 0;
  bool repair = false, no_progress = false;
};

using Env = SyncEnv;

// --may-forward as given: alone ("true"), or =true / =false.
Result<bool> ParseMayForward(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return InvalidArgument("--may-forward: '" + text + "' must be true or false");
}

class Commands {
 public:
  Commands(std::string& data_dir, int& exit_code, SyncEnvFactory open, std::istream& in,
           std::ostream& out, std::ostream& err)
      : data_dir_(data_dir), code_(exit_code), open_(std::move(open)), in_(in), out_(out),
        err_(err) {}

  // Runs `fn` with an opened environment and maps its Status to the exit code.
  template <typename Fn>
  void Run(Fn fn) {
    auto env = open_(data_dir_);
    Status st = env.ok() ? fn(*env) : env.status();
    if (!st.ok()) {
      err_ << "tabadul: " << st.message() << std::endl;
      code_ = 1;
    } else {
      code_ = 0;
    }
  }

  Status PeerAdd(Env& env) {
    Peer p;
    p.name = o.name;
    p.url = o.url;
    p.api_root = o.api_root;
    p.ca_file = o.ca_file;
    if (!o.org.empty()) {
      TABADUL_ASSIGN_OR_RETURN(store::Organization org, env.store->GetOrganization(o.org));
      p.org_id = org.id;
    }
    if (o.password_stdin && o.token_stdin) {
      return InvalidArgument("give --password-stdin or --token-stdin, not both");
    }
    if (o.password_stdin || o.token_stdin) {
      std::string secret;
      std::getline(in_, secret);
      if (secret.empty()) return InvalidArgument("an empty secret was read from stdin");
      p.credentials.secret = secret;
      p.credentials.kind = o.token_stdin ? Credentials::Kind::kToken : Credentials::Kind::kBasic;
    }
    p.credentials.user = o.user;
    if (o.password_stdin && o.user.empty()) return InvalidArgument("--password-stdin needs --user");
    if (!o.default_tlp.empty()) p.default_tlp = o.default_tlp;
    if (!o.forward_max_tlp.empty()) p.forward_max_tlp = o.forward_max_tlp;
    if (!o.may_forward.empty()) {
      TABADUL_ASSIGN_OR_RETURN(p.may_forward, ParseMayForward(o.may_forward));
    }
    TABADUL_RETURN_IF_ERROR(env.service->AddPeer(p));
    out_ << p.name << std::endl;
    return Status::Ok();
  }

  Status PeerSet(Env& env) {
    PeerTermsChange change;
    if (!o.default_tlp.empty()) change.default_tlp = o.default_tlp;
    if (!o.forward_max_tlp.empty()) change.forward_max_tlp = o.forward_max_tlp;
    if (!o.may_forward.empty()) {
      TABADUL_ASSIGN_OR_RETURN(change.may_forward, ParseMayForward(o.may_forward));
    }
    if (!change.default_tlp && !change.forward_max_tlp && !change.may_forward) {
      return InvalidArgument("give at least one of --default-tlp, --may-forward, --forward-max-tlp");
    }
    TABADUL_RETURN_IF_ERROR(env.registry->ChangeTerms(o.name, change));
    TABADUL_ASSIGN_OR_RETURN(Peer p, env.registry->GetPeer(o.name));
    out_ << p.name << "\t" << Terms(p) << std::endl;
    return Status::Ok();
  }

  Status PeerList(Env& env) {
    TABADUL_ASSIGN_OR_RETURN(auto peers, env.registry->ListPeers());
    for (const auto& p : peers) {
      const char* kind = p.credentials.kind == Credentials::Kind::kBasic   ? "basic"
                         : p.credentials.kind == Credentials::Kind::kToken ? "token"
                                                                           : "none";
      out_ << p.name << "\t" << p.url << "\t" << (p.api_root.empty() ? "(discover)" : p.api_root)
           << "\t" << (p.org_id.empty() ? "-" : p.org_id) << "\t" << kind
           << (p.credentials.user.empty() ? "" : ":" + p.credentials.user) << "\t" << Terms(p)
           << std::endl;
    }
    return Status::Ok();
  }

  static std::string Terms(const Peer& p) {
    return "default_tlp=" + p.default_tlp + " may_forward=" + (p.may_forward ? "true" : "false") +
           " forward_max_tlp=" + p.forward_max_tlp;
  }

  Status SubscriptionAdd(Env& env) {
    if (o.pull == o.push) return InvalidArgument("give exactly one of --pull or --push");
    Subscription s;
    s.peer = o.peer;
    s.direction = o.pull ? Direction::kPull : Direction::kPush;
    s.remote_collection = o.remote;
    s.local_collection = o.local;
    TABADUL_ASSIGN_OR_RETURN(Subscription added, env.service->Subscribe(s));
    out_ << added.id << std::endl;
    return Status::Ok();
  }

  Status SubscriptionList(Env& env) {
    TABADUL_ASSIGN_OR_RETURN(auto subs, env.registry->ListSubscriptions(o.peer));
    for (const auto& s : subs) {
      out_ << s.id << "\t" << s.peer << "\t" << DirectionName(s.direction) << "\t"
           << (s.direction == Direction::kPull ? s.remote_collection + " -> " + s.local_collection
                                               : s.local_collection + " -> " + s.remote_collection)
           << std::endl;
    }
    return Status::Ok();
  }

  Status Sync(Env& env) {
    const bool tty = !o.no_progress && isatty(STDERR_FILENO);
    Progress progress;
    if (tty) {
      progress = [this](const Subscription& s, const RunReport& r) {
        err_ << "\r" << s.peer << " #" << s.id << " " << DirectionName(s.direction) << ": "
             << r.pages << " pages, " << (r.stored + r.pushed) << " objects" << std::flush;
      };
    }
    TABADUL_ASSIGN_OR_RETURN(auto outcomes, env.service->Run(o.peer, o.repair, progress));
    if (tty) err_ << std::endl;
    Status worst;
    for (const auto& oc : outcomes) {
      const auto& r = oc.report;
      out_ << oc.subscription.peer << " #" << oc.subscription.id << " "
           << DirectionName(oc.subscription.direction) << ": ";
      if (oc.subscription.direction == Direction::kPull) {
        out_ << r.stored << " stored, " << r.duplicates << " already held";
        if (o.repair) out_ << ", repair fetched " << r.repair_fetched << " removed " << r.repair_removed;
      } else {
        out_ << r.pushed << " pushed, " << r.deletions << " deletions";
      }
      if (r.refused) out_ << ", " << r.refused << " refused";
      out_ << (oc.status.ok() ? "" : " — FAILED: " + oc.status.message()) << std::endl;
      for (const auto& w : r.warnings) out_ << "  " << w << std::endl;
      if (!oc.status.ok() && worst.ok()) worst = oc.status;
    }
    return worst;
  }

  Status SyncStatus(Env& env) {
    TABADUL_ASSIGN_OR_RETURN(auto states, env.service->States());
    for (const auto& s : states) {
      out_ << s.subscription.id << "\t" << s.subscription.peer << "\t"
           << DirectionName(s.subscription.direction) << "\t"
           << (s.status.last_success_us ? FormatTaxiiTimestamp(s.status.last_success_us)
                                        : std::string("never"))
           << "\tlag " << std::fixed << std::setprecision(0) << s.lag_us / 1e6 << "s\t"
           << s.status.objects_total << " objects\t" << s.status.consecutive_errors
           << " errors" << (s.status.last_error.empty() ? "" : "\t" + s.status.last_error)
           << std::endl;
    }
    return Status::Ok();
  }

  Options o;

 private:
  std::string& data_dir_;
  int& code_;
  std::istream& in_;
  SyncEnvFactory open_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace

void RegisterSyncCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                          SyncEnvFactory open, std::istream& in, std::ostream& out,
                          std::ostream& err) {
  auto c = std::make_shared<Commands>(data_dir, exit_code, std::move(open), in, out, err);
  auto& o = c->o;
  // Keep the command object alive as long as the app: CLI11 copies the callbacks.
  auto bind = [c](Status (Commands::*fn)(Env&)) {
    return [c, fn] { c->Run([&](Env& env) { return (c.get()->*fn)(env); }); };
  };

  auto* peer = app.add_subcommand("peer", "manage TAXII peers (other servers to sync with)");
  peer->require_subcommand(1);
  auto* add = peer->add_subcommand("add", "add a peer");
  add->add_option("NAME", o.name, "unique name; also the provenance of pulled objects")->required();
  add->add_option("--url", o.url, "server URL, e.g. https://partner.example:8021")->required();
  add->add_option("--api-root", o.api_root, "API root path (default: discovered)");
  add->add_option("--org", o.org, "the remote organization as known here (name or id)");
  add->add_option("--user", o.user, "user for HTTP Basic authentication");
  add->add_flag("--password-stdin", o.password_stdin, "read the Basic password from stdin");
  add->add_flag("--token-stdin", o.token_stdin, "read a bearer token from stdin");
  add->add_option("--ca-file", o.ca_file, "PEM file of CAs trusted for this peer");
  // The exchange terms of what is pulled from the peer (the same options for add and set).
  auto terms = [&o](CLI::App* cmd) {
    cmd->add_option("--default-tlp", o.default_tlp,
                    "TLP given on arrival to pulled objects without one (default amber)");
    cmd->add_flag("--may-forward", o.may_forward,
                  "pulled objects may go on to third organizations (--may-forward=false: not)");
    cmd->add_option("--forward-max-tlp", o.forward_max_tlp,
                    "highest TLP that may go on when forwarding is allowed (default green)");
  };
  terms(add);
  add->callback(bind(&Commands::PeerAdd));
  auto* set = peer->add_subcommand("set", "change a peer's exchange terms");
  set->add_option("NAME", o.name)->required();
  terms(set);
  set->callback(bind(&Commands::PeerSet));
  peer->add_subcommand("list", "list peers")->callback(bind(&Commands::PeerList));
  auto* remove = peer->add_subcommand("remove", "remove a peer and its subscriptions");
  remove->add_option("NAME", o.name)->required();
  remove->callback([c] {
    c->Run([&](Env& env) { return env.registry->RemovePeer(c->o.name); });
  });

  auto* sub = app.add_subcommand("subscription", "map remote collections to local ones");
  sub->require_subcommand(1);
  auto* sadd = sub->add_subcommand("add", "add a pull or push subscription; prints its id");
  sadd->add_option("PEER", o.peer)->required();
  sadd->add_flag("--pull", o.pull, "copy the remote collection into the local one");
  sadd->add_flag("--push", o.push, "copy the local collection into the remote one");
  sadd->add_option("--remote", o.remote, "remote collection id")->required();
  sadd->add_option("--local", o.local, "local collection id or alias")->required();
  sadd->callback(bind(&Commands::SubscriptionAdd));
  auto* slist = sub->add_subcommand("list", "list subscriptions");
  slist->add_option("PEER", o.peer, "only this peer's");
  slist->callback(bind(&Commands::SubscriptionList));
  auto* sremove = sub->add_subcommand("remove", "remove a subscription");
  sremove->add_option("ID", o.id)->required();
  sremove->callback([c] {
    c->Run([&](Env& env) { return env.registry->RemoveSubscription(c->o.id); });
  });

  auto* sync = app.add_subcommand("sync", "run subscriptions once (all, or one peer's)");
  sync->add_option("PEER", o.peer, "only this peer's subscriptions");
  sync->add_flag("--repair", o.repair, "compare manifests and repair divergence (pull)");
  sync->add_flag("--no-progress", o.no_progress, "no progress line");
  auto* status = sync->add_subcommand("status", "per-subscription status");
  status->callback(bind(&Commands::SyncStatus));
  sync->callback([c, status] {
    if (status->parsed()) return;
    c->Run([&](Env& env) { return c->Sync(env); });
  });
}

}  // namespace tabadul::sync
