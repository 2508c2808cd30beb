// import, export and validate: STIX bundles between files and the store.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "audit/audit_cli.h"
#include "audit/disclosure_hook.h"
#include "audit/disclosure_log.h"
#include "cli/commands.h"
#include "policy/agreement.h"
#include "policy/engine.h"
#include "store/sqlite_agreements.h"
#include "common/timestamp.h"
#include "stix/object_stream.h"
#include "stix/validator.h"

namespace tabadul::cli {
namespace {

// Reads a whole file ("-" = standard input) with spare capacity for the JSON parser's padding.
Result<std::string> ReadInput(const std::string& path) {
  std::string data;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    data = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return InvalidArgument("cannot open '" + path + "'");
    const auto size = static_cast<size_t>(in.tellg());
    data.reserve(size + 64);
    data.resize(size);
    in.seekg(0);
    if (!in.read(data.data(), static_cast<std::streamsize>(size))) {
      return InvalidArgument("cannot read '" + path + "'");
    }
  }
  data.reserve(data.size() + 64);
  return data;
}

struct Counts {
  size_t added = 0, duplicates = 0, refused = 0;
};

void Progress(bool on, const std::string& file, const Counts& c, size_t done_bytes,
              size_t total_bytes) {
  if (!on) return;
  std::fprintf(stderr, "\r%s: %zu added, %zu already present, %zu refused (%zu%%)   ",
               file.c_str(), c.added, c.duplicates, c.refused,
               total_bytes ? done_bytes * 100 / total_bytes : 100);
}

}  // namespace

int Import(Context& ctx, const std::vector<std::string>& files, const std::string& collection,
           bool progress) {
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  auto c = (*store)->GetCollection(collection);
  if (!c.ok()) return Fail(ctx, c.status());
  progress = progress && ::isatty(STDERR_FILENO);
  Counts total;
  bool failed = false;
  constexpr size_t kBatch = 2000;
  for (const auto& file : files) {
    auto text = ReadInput(file);
    if (!text.ok()) {
      failed = true;
      Fail(ctx, text.status());
      continue;
    }
    auto stream = stix::ObjectStream::Open(*text);
    if (!stream.ok()) {
      failed = true;
      ctx.err << "tabadul: " << file << ": " << stream.status().message() << "\n";
      continue;
    }
    Counts counts;
    std::vector<stix::StixObject> batch;
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status::Ok();
      auto outcomes = (*store)->PutObjects(c->id, batch, ctx.clock.NowMicros());
      if (!outcomes.ok()) return outcomes.status();
      for (size_t i = 0; i < batch.size(); ++i) {
        const auto& o = (*outcomes)[i];
        switch (o.kind) {
          case store::PutOutcome::Kind::kAdded: ++counts.added; break;
          case store::PutOutcome::Kind::kDuplicate: ++counts.duplicates; break;
          case store::PutOutcome::Kind::kRefused:
            ++counts.refused;
            ctx.err << (progress ? "\n" : "") << file << ": " << batch[i].id << ": " << o.message
                    << "\n";
            break;
        }
      }
      batch.clear();
      return Status::Ok();
    };
    while (true) {
      std::string_view raw;
      auto next = (*stream)->Next(&raw);
      if (!next.ok()) {
        ++counts.refused;
        ctx.err << (progress ? "\n" : "") << file << ": " << next.status().message() << "\n";
        break;
      }
      if (!*next) break;
      auto object = stix::ParseObject(raw);
      if (!object.ok()) {
        ++counts.refused;
        std::string id = stix::ExtractId(raw);
        ctx.err << (progress ? "\n" : "") << file << ": " << (id.empty() ? "(no id)" : id) << ": "
                << object.status().message() << "\n";
        continue;
      }
      batch.push_back(std::move(object).value());
      if (batch.size() == kBatch) {
        if (Status st = flush(); !st.ok()) return Fail(ctx, st);
        Progress(progress, file, counts, static_cast<size_t>(raw.data() - text->data()),
                 text->size());
      }
    }
    if (Status st = flush(); !st.ok()) return Fail(ctx, st);
    Progress(progress, file, counts, text->size(), text->size());
    if (progress) std::fputc('\n', stderr);
    ctx.out << file << ": " << counts.added << " added, " << counts.duplicates
            << " already present, " << counts.refused << " refused\n";
    total.added += counts.added;
    total.refused += counts.refused;
    failed |= counts.refused > 0;
  }
  return failed ? kExitFailure : kExitOk;
}

int Export(Context& ctx, const std::string& collection, const std::string& output,
           const ExportOptions& options) {
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  auto c = (*store)->GetCollection(collection);
  if (!c.ok()) return Fail(ctx, c.status());

  // A recipient's export goes through the same policy engine and disclosure log as the server.
  std::unique_ptr<store::SqliteAgreementStore> agreements;
  std::unique_ptr<policy::Engine> engine;
  std::unique_ptr<audit::DisclosureLog> log;
  std::optional<auth::Principal> principal;
  std::optional<policy::PermittedAction> min_action;
  if (!options.min_action.empty()) {
    min_action = policy::ParsePermittedAction(options.min_action);
    if (!min_action) return Fail(ctx, InvalidArgument("--min-action: unknown permitted action '" +
                                                      options.min_action + "'"));
    if (options.as_user.empty()) return Fail(ctx, InvalidArgument("--min-action needs --as"));
  }
  if (!options.as_user.empty()) {
    auto user = (*store)->GetUser(options.as_user);
    if (!user.ok()) return Fail(ctx, user.status());
    principal = auth::Principal{user->name, user->org_id, user->role};
    auto opened = store::SqliteAgreementStore::Open(ctx.data_dir + "/tabadul.db");
    if (!opened.ok()) return Fail(ctx, opened.status());
    agreements = std::move(opened).value();
    engine = std::make_unique<policy::Engine>(**store, *agreements, ctx.clock);
    if (Status st = engine->Reload(); !st.ok()) return Fail(ctx, st);
    auto access = engine->Access(*principal, *c);
    if (!access.ok()) return Fail(ctx, access.status());
    if (!access->can_read) return Fail(ctx, NotFound("no collection '" + collection + "'"));
    auto opened_log = audit::DisclosureLog::Open(
        ctx.data_dir + "/" + audit::kDatabaseFileName, ctx.data_dir, ctx.clock);
    if (!opened_log.ok()) return Fail(ctx, opened_log.status());
    log = std::move(opened_log).value();
  }
  store::RowFilter filter;
  if (principal) {
    store::RowFilter visible = engine->ReadFilter(*principal, /*over_tls=*/true, *c);
    filter = [&, visible](const store::ObjectRow& row) {
      if (visible && !visible(row)) return false;
      if (!min_action || principal->org_id == c->owner_org) return true;
      return engine->Decide(principal->org_id, true, *c, row).permitted_actions >= *min_action;
    };
  }

  std::ofstream file;
  if (output != "-") {
    file.open(output, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(ctx, InvalidArgument("cannot write '" + output + "'"));
  }
  std::ostream& out = output == "-" ? ctx.out : file;
  // Streamed page by page: memory stays flat whatever the collection's size.
  out << "{\"type\":\"bundle\",\"id\":\"bundle--" << NewUuid() << "\",\"objects\":[";
  store::ObjectQuery q;
  q.collection_id = c->id;
  q.with_json = true;
  q.limit = 1000;
  q.versions.all = options.all_versions;
  size_t n = 0;
  std::optional<audit::DisclosureHook> disclosure;
  if (log) disclosure.emplace(audit::MakeDisclosureHook(*log));
  while (true) {
    auto page = (*store)->QueryObjects(q, filter);
    if (!page.ok()) return Fail(ctx, page.status());
    for (auto& row : page->rows) {
      if (principal) engine->Rewrite(*principal, true, *c, row);
      out << (n++ ? ",\n" : "\n") << row.json;
    }
    if (log && !page->rows.empty()) {
      // Recorded before the next page is read: nothing leaves without its record.
      Status st = disclosure->Record(principal->org_id, principal->user, "cli:export", *c, page->rows);
      if (!st.ok()) return Fail(ctx, st);
    }
    if (!page->more) break;
    q.added_after_us = page->rows.back().date_added_us;
  }
  out << "\n]}\n";
  out.flush();
  if (!out) return Fail(ctx, Internal("write failed"));
  if (log) {
    if (Status st = log->Flush(); !st.ok()) return Fail(ctx, st);
  }
  ctx.err << "exported " << n << " objects\n";
  return kExitOk;
}

int Validate(Context& ctx, const std::vector<std::string>& files) {
  bool failed = false;
  for (const auto& file : files) {
    auto text = ReadInput(file);
    if (!text.ok()) {
      failed = true;
      Fail(ctx, text.status());
      continue;
    }
    auto stream = stix::ObjectStream::Open(*text);
    if (!stream.ok()) {
      failed = true;
      ctx.err << file << ": " << stream.status().message() << "\n";
      continue;
    }
    size_t valid = 0, invalid = 0;
    while (true) {
      std::string_view raw;
      auto next = (*stream)->Next(&raw);
      if (!next.ok()) {
        ++invalid;
        ctx.err << file << ": " << next.status().message() << "\n";
        break;
      }
      if (!*next) break;
      auto object = stix::ParseObject(raw);
      if (object.ok()) {
        ++valid;
      } else {
        ++invalid;
        std::string id = stix::ExtractId(raw);
        ctx.err << file << ": " << (id.empty() ? "(no id)" : id) << ": "
                << object.status().message() << "\n";
      }
    }
    ctx.out << file << ": " << valid << " valid, " << invalid << " invalid\n";
    failed |= invalid > 0;
  }
  return failed ? kExitFailure : kExitOk;
}

}  // namespace tabadul::cli
