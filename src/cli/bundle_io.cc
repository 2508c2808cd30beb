// import, export and validate: STIX bundles between files and the store.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "audit/audit_cli.h"
#include "audit/disclosure_log.h"
#include "cli/commands.h"
#include "cli/runtime.h"
#include "intake/pipeline.h"
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
  // The server's runtime: objects go in through the same pipeline as a TAXII POST.
  auto runtime = Runtime::Open({.data_dir = ctx.data_dir}, ctx.clock);
  if (!runtime.ok()) return Fail(ctx, runtime.status());
  store::Store* store = &(*runtime)->store();
  auto c = store->GetCollection(collection);
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
    std::vector<std::string_view> batch;
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status::Ok();
      auto written = (*runtime)->pipeline().Write(*c, std::span<const std::string_view>(batch));
      if (!written.ok()) return written.status();
      counts.added += written->added;
      counts.duplicates += written->duplicates;
      counts.refused += written->refused;
      for (const intake::ItemOutcome& o : written->items) {
        if (o.kind != store::PutOutcome::Kind::kRefused) continue;
        ctx.err << (progress ? "\n" : "") << file << ": " << (o.id.empty() ? "(no id)" : o.id)
                << ": " << o.message << "\n";
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
      batch.push_back(raw);  // a view into `text`, which outlives the batch
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
  // A recipient's export goes through the same policy engine and disclosure log as the server.
  auto runtime = Runtime::Open({.data_dir = ctx.data_dir}, ctx.clock);
  if (!runtime.ok()) return Fail(ctx, runtime.status());
  store::Store* store = &(*runtime)->store();
  auto c = store->GetCollection(collection);
  if (!c.ok()) return Fail(ctx, c.status());
  // Without --as the data folder's operator exports everything, unrecorded (no one else
  // receives it); with --as the user's organization receives what the gate lets it, recorded.
  std::optional<gate::Recipient> to;
  if (!options.min_action.empty()) {
    if (!policy::ParsePermittedAction(options.min_action)) {
      return Fail(ctx, InvalidArgument("--min-action: unknown permitted action '" +
                                       options.min_action + "'"));
    }
    if (options.as_user.empty()) return Fail(ctx, InvalidArgument("--min-action needs --as"));
  }
  gate::AccessGate& gate = (*runtime)->gate();
  if (!options.as_user.empty()) {
    auto user = store->GetUser(options.as_user);
    if (!user.ok()) return Fail(ctx, user.status());
    const auth::Principal principal{user->name, user->org_id, user->role};
    auto access = gate.Access(principal, *c);
    if (!access.ok()) return Fail(ctx, access.status());
    if (!access->can_read) return Fail(ctx, NotFound("no collection '" + collection + "'"));
    to = gate::RecipientOf(principal, /*over_tls=*/true);
    to->min_action = options.min_action;
  }
  const store::RowFilter filter =
      to ? gate::ScanFilter(gate.Judge(*to, *c, gate::Use::kRead)) : store::RowFilter();

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
  while (true) {
    auto page = store->QueryObjects(q, filter);
    if (!page.ok()) return Fail(ctx, page.status());
    if (to && !page->rows.empty()) {
      // Recorded before any of the page is written: nothing leaves without its record.
      store::AuditItemList items;
      items.Reserve(page->rows.size());
      for (auto& row : page->rows) {
        gate.Rewrite(*to, *c, row);
        items.Add(row.id, row.version, row.disclosed_under);
      }
      Status st = (*runtime)->sink().Record(*to, "cli:export", *c, std::move(items));
      if (!st.ok()) return Fail(ctx, st);
    }
    for (const auto& row : page->rows) out << (n++ ? ",\n" : "\n") << row.json;
    if (!page->more) break;
    q.added_after_us = page->rows.back().date_added_us;
  }
  out << "\n]}\n";
  out.flush();
  if (!out) return Fail(ctx, Internal("write failed"));
  if (to) {
    if (Status st = (*runtime)->log().Flush(); !st.ok()) return Fail(ctx, st);
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
      auto object = intake::Validate(raw);  // exactly what import would refuse
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
