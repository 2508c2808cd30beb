#include "audit/audit_cli.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "audit/disclosure_log.h"
#include "common/timestamp.h"
#include "store/sqlite_store.h"

namespace tabadul::audit {
namespace {

int Fail(std::ostream& err, const Status& st) {
  err << "tabadul audit: " << st.message() << "\n";
  return kAuditExitFailure;
}

std::string DbPath(const std::string& data_dir) { return data_dir + "/" + kDatabaseFileName; }

// Opens the log of an existing data folder; a missing database is an error, not a new log.
Result<std::unique_ptr<DisclosureLog>> OpenExisting(const std::string& data_dir,
                                                    const Clock& clock) {
  const std::string db = DbPath(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    return NotFound("no database at '" + db + "' (is --data the server's data folder?)");
  }
  // The server creates both files when it starts; a database without its record file means the
  // records were removed (opening would start an empty log and hide that).
  if (!std::filesystem::exists(RecordPath(db), ec)) {
    return NotFound("no record file at '" + RecordPath(db) + "' beside '" + db +
                    "': the log's records are missing");
  }
  return DisclosureLog::Open(db, data_dir, clock);
}

// The verdict line, then one line per gap the log knows of (acknowledged ones too: a loss stays
// on record for whoever checks the log later).
int ReportVerdict(const VerifyReport& r, std::string_view ok_text, std::ostream& out) {
  if (r.ok) {
    out << ok_text << " (" << r.records_checked << " records, last seq " << r.last_seq << ")\n";
  } else {
    out << (r.gap ? "GAP at seq " : "TAMPERED at seq ") << r.bad_seq << ": " << r.reason << "\n";
  }
  for (const auto& g : r.gaps) out << "gap " << g.id << ": " << DescribeGap(g) << "\n";
  return r.ok ? kAuditExitOk : kAuditExitFailure;
}

// Who runs the command, for an acknowledgement without --by: the login that sudo was run from,
// else the login.
std::string OperatorName() {
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    if (const char* v = std::getenv(var); v && *v) return v;
  }
  return {};
}

Result<int64_t> TimeArg(const std::string& text, int64_t fallback) {
  if (text.empty()) return fallback;
  auto ts = ParseTimestamp(text);
  if (!ts.ok()) return InvalidArgument("'" + text + "': " + ts.status().message());
  return ts->nanos / 1000;
}

// An organization given by name is looked up in the store; identity ids are taken as they are.
Result<std::string> ResolveOrg(const std::string& data_dir, const std::string& org) {
  if (org.rfind("identity--", 0) == 0) return org;
  TABADUL_ASSIGN_OR_RETURN(auto store,
                           store::SqliteStore::Open(data_dir + "/" + kStoreFileName));
  TABADUL_ASSIGN_OR_RETURN(auto found, store->GetOrganization(org));
  return found.id;
}

// The agreement column is each delivered version's own (a page may mix agreements); empty when
// none applied (the provider's own read) or none was known.
void PrintReceipts(const std::vector<Receipt>& receipts, std::ostream& out) {
  out << "seq\ttime\torg\tuser\tcollection\tagreement\tpath\tversion\n";
  for (const auto& r : receipts) {
    out << r.seq << '\t' << FormatTaxiiTimestamp(r.time_us) << '\t' << r.org_id << '\t' << r.user
        << '\t' << r.collection_id << '\t' << r.agreement_id << '\t' << r.path << '\t'
        << r.version << '\n';
  }
}

void PrintRecords(const std::vector<Record>& records, std::ostream& out) {
  out << "seq\ttime\tuser\tcollection\tagreement\tpath\tobject\tversion\n";
  for (const auto& r : records) {
    for (const auto& it : r.items) {
      out << r.seq << '\t' << FormatTaxiiTimestamp(r.time_us) << '\t' << r.user << '\t'
          << r.collection_id << '\t' << it.agreement << '\t' << r.path << '\t' << it.object_id
          << '\t' << it.version << '\n';
    }
  }
}

struct CommandState {
  const Clock* clock;
  std::ostream* out;
  std::ostream* err;
  ShowQuery show;
  std::string head_output;
  std::string head_file;
  std::string gap_id;
  std::string gap_reason;
  std::string gap_by;
};

// Adds verify/show/head/check-head to `parent`; callbacks read `data_dir` when they run.
void AddSubcommands(CLI::App& parent, std::string& data_dir, int& exit_code,
                    std::shared_ptr<CommandState> s) {
  parent.require_subcommand(1);
  parent.add_subcommand("verify", "check the whole hash chain and the heads the log issued")
      ->callback([&data_dir, &exit_code, s] {
        exit_code = AuditVerify(data_dir, *s->clock, *s->out, *s->err);
      });

  auto* show = parent.add_subcommand("show", "who received an object, or what an org received");
  auto* object = show->add_option("--object", s->show.object_id, "a STIX id: who received it");
  auto* org = show->add_option("--org", s->show.org, "an organization (name or identity id)");
  object->excludes(org);
  show->add_option("--from", s->show.from, "with --org: from this RFC 3339 time (inclusive)")
      ->needs(org);
  show->add_option("--to", s->show.to, "with --org: until this RFC 3339 time (exclusive)")
      ->needs(org);
  show->callback([&data_dir, &exit_code, s] {
    exit_code = AuditShow(data_dir, *s->clock, s->show, *s->out, *s->err);
  });

  auto* head = parent.add_subcommand("head", "sign the log's current head and print it");
  head->add_option("--output", s->head_output, "write the signed head to this file");
  head->callback([&data_dir, &exit_code, s] {
    exit_code = AuditHead(data_dir, *s->clock, s->head_output, *s->out, *s->err);
  });

  auto* check = parent.add_subcommand("check-head", "verify that the log extends a kept head");
  check->add_option("FILE", s->head_file, "a head printed earlier by `audit head`")->required();
  check->callback([&data_dir, &exit_code, s] {
    exit_code = AuditCheckHead(data_dir, *s->clock, s->head_file, *s->out, *s->err);
  });

  auto* ack = parent.add_subcommand(
      "acknowledge-gap", "record that a loss of records `verify` reports has been examined");
  ack->add_option("ID", s->gap_id, "the gap, as `verify` names it (e.g. gap-8)")->required();
  ack->add_option("--reason", s->gap_reason, "what was examined and concluded (recorded)")
      ->required();
  ack->add_option("--by", s->gap_by, "who acknowledges it (default: the login name)");
  ack->callback([&data_dir, &exit_code, s] {
    exit_code = AuditAcknowledgeGap(data_dir, *s->clock, {s->gap_id, s->gap_reason, s->gap_by},
                                    *s->out, *s->err);
  });
}

}  // namespace

int AuditVerify(const std::string& data_dir, const Clock& clock, std::ostream& out,
                std::ostream& err) {
  auto log = OpenExisting(data_dir, clock);
  if (!log.ok()) return Fail(err, log.status());
  auto report = (*log)->Verify();
  if (!report.ok()) return Fail(err, report.status());
  return ReportVerdict(*report, "audit log intact", out);
}

int AuditShow(const std::string& data_dir, const Clock& clock, const ShowQuery& q,
              std::ostream& out, std::ostream& err) {
  if (q.object_id.empty() == q.org.empty()) {
    err << "tabadul audit show: give exactly one of --object and --org\n";
    return kAuditExitUsage;
  }
  auto log = OpenExisting(data_dir, clock);
  if (!log.ok()) return Fail(err, log.status());
  if (!q.object_id.empty()) {
    auto receipts = (*log)->WhoReceived(q.object_id);
    if (!receipts.ok()) return Fail(err, receipts.status());
    PrintReceipts(*receipts, out);
    return kAuditExitOk;
  }
  auto from = TimeArg(q.from, 0);
  auto to = TimeArg(q.to, std::numeric_limits<int64_t>::max());
  if (!from.ok() || !to.ok()) {
    err << "tabadul audit show: " << (!from.ok() ? from.status() : to.status()).message() << "\n";
    return kAuditExitUsage;
  }
  auto org_id = ResolveOrg(data_dir, q.org);
  if (!org_id.ok()) return Fail(err, org_id.status());
  auto records = (*log)->Received(*org_id, *from, *to);
  if (!records.ok()) return Fail(err, records.status());
  PrintRecords(*records, out);
  return kAuditExitOk;
}

int AuditHead(const std::string& data_dir, const Clock& clock, const std::string& output_file,
              std::ostream& out, std::ostream& err) {
  auto log = OpenExisting(data_dir, clock);
  if (!log.ok()) return Fail(err, log.status());
  auto head = (*log)->Head();
  if (!head.ok()) return Fail(err, head.status());
  const std::string text = FormatSignedHead(*head);
  if (output_file.empty()) {
    out << text;
    return kAuditExitOk;
  }
  std::ofstream f(output_file, std::ios::binary | std::ios::trunc);
  if (!(f << text) || !f.flush()) return Fail(err, Internal("cannot write '" + output_file + "'"));
  out << "signed head for seq " << head->seq << " written to " << output_file << "\n";
  return kAuditExitOk;
}

int AuditCheckHead(const std::string& data_dir, const Clock& clock, const std::string& head_file,
                   std::ostream& out, std::ostream& err) {
  std::ifstream f(head_file, std::ios::binary);
  if (!f) return Fail(err, NotFound("cannot read '" + head_file + "'"));
  std::stringstream text;
  text << f.rdbuf();
  auto head = ParseSignedHead(text.str());
  if (!head.ok()) return Fail(err, InvalidArgument(head_file + ": " + head.status().message()));
  auto log = OpenExisting(data_dir, clock);
  if (!log.ok()) return Fail(err, log.status());
  auto report = (*log)->CheckHead(*head);
  if (!report.ok()) return Fail(err, report.status());
  return ReportVerdict(*report, "the log extends the kept head at seq " + std::to_string(head->seq),
                       out);
}

int AuditAcknowledgeGap(const std::string& data_dir, const Clock& clock,
                        const GapAcknowledgement& ack, std::ostream& out, std::ostream& err) {
  const std::string by = ack.by.empty() ? OperatorName() : ack.by;
  if (by.empty()) {
    err << "tabadul audit acknowledge-gap: say who acknowledges it with --by NAME\n";
    return kAuditExitUsage;
  }
  if (ack.reason.empty()) {
    err << "tabadul audit acknowledge-gap: give a --reason\n";
    return kAuditExitUsage;
  }
  auto log = OpenExisting(data_dir, clock);
  if (!log.ok()) return Fail(err, log.status());
  auto seq = (*log)->AcknowledgeGap(ack.id, by, ack.reason);
  if (!seq.ok()) return Fail(err, seq.status());
  out << "gap " << ack.id << " acknowledged by " << by << " (recorded as seq " << *seq
      << "); its evidence is kept\n";
  return kAuditExitOk;
}

int RunAuditCommand(const std::string& data_dir, const std::vector<std::string>& args,
                    const Clock& clock, std::ostream& out, std::ostream& err) {
  CLI::App app{"tabadul audit: the disclosure log", "tabadul audit"};
  std::string dir = data_dir;
  int exit_code = kAuditExitOk;
  auto state = std::make_shared<CommandState>();
  state->clock = &clock;
  state->out = &out;
  state->err = &err;
  AddSubcommands(app, dir, exit_code, state);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e, out, err);
    return rc == 0 ? kAuditExitOk : kAuditExitUsage;
  }
  return exit_code;
}

int RunAuditCommand(const std::string& data_dir, const std::vector<std::string>& args,
                    std::ostream& out, std::ostream& err) {
  static const SystemClock clock;
  return RunAuditCommand(data_dir, args, clock, out, err);
}

void RegisterAuditCommands(CLI::App& app, std::string& data_dir, int& exit_code) {
  static const SystemClock clock;
  auto state = std::make_shared<CommandState>();
  state->clock = &clock;
  state->out = &std::cout;
  state->err = &std::cerr;
  auto* audit = app.add_subcommand("audit", "verify and query the disclosure log");
  AddSubcommands(*audit, data_dir, exit_code, state);
}

}  // namespace tabadul::audit
