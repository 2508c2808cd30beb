// The property test over entry paths (issue 11, "Tests", first bullet): what a recipient sees
// must not depend on how the data came in. DESIGN.md: "Whatever the path an object takes into
// the store ... it passes through one pipeline"; "whatever the path it takes out ... it passes
// one gate".
//
// The world: four full instances (cli::Services, each in its own temporary folder, with the
// same organizations, users and — per scenario — the same collections and agreements):
//   post    objects come in by TAXII POST (Services::Handle); it is also the sync source,
//           served over real HTTP on 127.0.0.1 (taxii::Server, port 0);
//   import  objects come in by `tabadul import` (cli::Import on a bundle file; it opens its own
//           runtime on the instance's folder beside the open Services);
//   pulled  objects come in by sync pull from `post` (runtime().sync(): one peer per source
//           collection, default_tlp = that collection's default, may_forward, forward_max red),
//           into a collection with the same id and owner; and a second time, from a peer with
//           may_forward = false, into a collection of its own that a wide-open agreement
//           (every other organization, up to RED) covers: only the owner may see those;
//   ingest  a report comes in by POST /tabadul/v1/ingest/ with a random TLP (or none).
// Ingest cannot take an arbitrary bundle (it builds one from text), so it is covered by what it
// produces: the stored report objects are read back from the ingest instance and appended to the
// bundle the other three paths write, so the same report versions exist in all four.
//
// Each scenario: one or two fresh collections (random owner, default TLP); a bundle per
// collection holding marking definitions of its owner (user-defined TLP 1.0/2.0, IEP 2.0,
// statements — variants that conflict with the ones the owner published in earlier scenarios),
// random indicator/malware objects with one to three versions (labels, TLP/user/IEP/unknown
// object markings, granular markings, the last version sometimes revoked) and, for one
// collection, the ingested report; random agreements (scenario.h) on every instance. Then for
// every recipient (one user per organization, over TLS or not), in every instance and
// collection, these read paths are compared with the ORACLE (scenario.h), as (id, version,
// created_by_ref) multisets:
//   objects, all versions, paged by `next` (limit 1-3), and again paged by added_after with
//   X-TAXII-Date-Added-Last; manifest (latest versions) paged by `next`; for three objects
//   (rotating) the object by id (all versions) and its versions, paged; and
//   `tabadul export --as USER --all-versions` (cli::Export into a file; it reads as over TLS).
// Every response is checked against the disclosure log: one that delivered something left
// exactly one record, for that user and collection, naming exactly the objects it delivered;
// one that delivered nothing left none (DisclosureLog::Received over the instant of the
// request: the instances' clock is a FakeClock moved before each request; export records carry
// the system clock's time and are told apart by their path, "cli:export").
// Across instances: `import` and `post` deliver the same multisets; `ingest` delivers exactly
// what `post` delivers of the report's versions; `pulled` delivers a subset of `post` (below).
//
// What cannot be equivalent, and why (docs/design/intake.md, "Pulled objects keep the marking
// their provider meant"): on arrival, the write pipeline appends the peer's default_tlp to every
// pulled object that carries no STANDARD TLP marking — also to one marked only with a
// definition of its provider (the pipeline cannot resolve those: paging does not promise that
// definitions arrive first). Such an object's level becomes max(its provider-defined level,
// default_tlp): an object marked with the owner's own TLP:GREEN definition in an AMBER
// collection is GREEN in `post` and `import` but AMBER in `pulled`, so a recipient under a
// GREEN agreement gets it from `post`/`import` and not from `pulled`. The test therefore gives
// the oracle the versions as `pulled` stores them (with the appended default), requires every
// read path of `pulled` to match that, requires `pulled` never to deliver what `post` withholds,
// and requires every version `post` delivers and `pulled` withholds to be such a version (a
// provider-defined level below the default and no standard TLP marking) — nothing else may
// differ. The count of those versions is printed.
//
// Time. No agreement ends while a scenario is read: the CLI commands (import, export) read the
// system clock, so validity windows are an hour away from the FakeClock (which starts at the
// system time) rather than one microsecond as in visibility_property_test.cc. The reads start
// two seconds (of the FakeClock) after the writes: a server's engine sees what another process
// stored (import's definitions) and the peers the pulling instance added within
// EngineOptions::reload_check_interval_us (1 s), not at once. Within that second the server
// reads by the definitions it knew before, which is stricter for an id it had never seen but
// LOOSER when the import adds a stricter definition of an id the owner had already published
// (the strictest reading counts once it is seen); this test does not read inside that window.
// Each bundle is written in a random order (definitions after the objects that use them, older
// versions after newer ones), the same for every path.
//
// Scale: TABADUL_ENTRY_SCENARIOS (default 40) and TABADUL_ENTRY_SEED (default 20250611); the
// seed is printed with every failure.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "auth/password.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/services.h"
#include "common/timestamp.h"
#include "policy/agreement_service.h"
#include "policy/engine.h"
#include "scenario.h"
#include "sync/peer_registry.h"
#include "taxii/server.h"

namespace tabadul {
namespace {
namespace json = boost::json;
using namespace policy_testing;

constexpr int64_t kHour = 3'600'000'000;
constexpr char kTaxii[] = "application/taxii+json;version=2.1";

// One delivered version: (id, version as nanoseconds since the epoch or "" when unversioned,
// created_by_ref or ""). Multisets of these are kept as sorted vectors.
using Item = std::tuple<std::string, std::string, std::string>;
using Items = std::vector<Item>;

Items Sorted(Items v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A STIX timestamp as its instant, so that "...00.000Z" and "...00Z" compare equal.
std::string NormVersion(const std::string& ts) {
  if (ts.empty()) return "";
  auto p = ParseTimestamp(ts);
  return p.ok() ? std::to_string(p->nanos) : "bad:" + ts;
}

// SCOs carry no version of their own (no modified, no created): whatever a manifest or versions
// list says for them depends on when the instance stored them, so only their ids are compared.
bool Unversioned(const std::string& id) {
  static const char* const kScos[] = {"ipv4-addr--",  "ipv6-addr--", "domain-name--",      "url--",
                                      "email-addr--", "file--",      "autonomous-system--"};
  for (const char* p : kScos) {
    if (id.rfind(p, 0) == 0) return true;
  }
  return false;
}

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Item ItemOfObject(const json::object& o) {
  std::string version = Str(o, "modified");
  if (version.empty()) version = Str(o, "created");
  return {Str(o, "id"), NormVersion(version), Str(o, "created_by_ref")};
}

std::string ToString(const Items& items) {
  std::string s;
  for (const auto& [id, version, by] : items) s += "\n    " + id + " " + version + " by " + by;
  return s.empty() ? " (none)" : s;
}

// The oracle's view of a stored version, from its JSON.
OracleVersion VersionOfJson(const std::string& text) {
  const json::object o = json::parse(text).as_object();
  OracleVersion v;
  v.id = Str(o, "id");
  v.type = Str(o, "type");
  v.modified = Str(o, "modified");
  if (v.modified.empty()) v.modified = Str(o, "created");
  v.created_by = Str(o, "created_by_ref");
  if (const json::value* l = o.if_contains("labels")) {
    for (const auto& x : l->as_array()) v.labels.emplace_back(x.as_string());
  }
  if (const json::value* r = o.if_contains("object_marking_refs")) {
    for (const auto& x : r->as_array()) v.refs.emplace_back(x.as_string());
  }
  if (const json::value* g = o.if_contains("granular_markings")) {
    for (const auto& x : g->as_array()) v.granular.push_back(Str(x.as_object(), "marking_ref"));
  }
  if (const json::value* r = o.if_contains("revoked")) v.revoked = r->as_bool();
  return v;
}

// One full instance in a folder of its own.
struct Instance {
  std::string name;
  std::string dir;
  std::unique_ptr<cli::Services> services;
  std::unique_ptr<taxii::Server> server;  // the sync source only
  uint16_t port = 0;

  cli::Runtime& rt() { return services->runtime(); }
  store::SqliteStore& store() { return services->store(); }
};

// What one instance holds for one scenario, as the oracle sees it.
struct View {
  std::vector<OracleCollection> collections;
  std::vector<OracleAgreement> agreements;
  const Published* published = nullptr;
  const std::map<std::string, OracleTerms>* terms = nullptr;
  const Published* pulled = nullptr;  // definitions by the peer they were pulled from
};

// What the objects path gave one user for one collection in one instance (for comparison across
// instances; every other path was compared with the same oracle answer).
using Observed = std::map<std::pair<int, std::string>, Items>;  // (user, collection) -> items

const std::map<std::string, OracleTerms> kNoTerms;

class EntryPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* shm = "/dev/shm";
    root_ = std::filesystem::path(std::filesystem::exists(shm) ? shm : "/tmp") /
            ("tabadul_entry_paths_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    ASSERT_TRUE(auth::InitCrypto().ok());
    auto hash = auth::HashSecret(kPassword);
    ASSERT_TRUE(hash.ok());
    hash_ = *hash;
    for (Instance* in : {&post_, &import_, &pulled_, &ingest_}) {
      in->dir = (root_ / in->name).string();
      std::filesystem::create_directories(in->dir);
      auto opened = cli::Services::Open(
          cli::ServicesOptions{.data_dir = in->dir, .sync_interval_seconds = 0}, clock_);
      ASSERT_TRUE(opened.ok()) << in->name << ": " << opened.status().message();
      in->services = std::move(opened).value();
      for (int i = 0; i < kOrgs; ++i) {
        ASSERT_TRUE(in->store().CreateOrganization({OrgId(i), "org" + std::to_string(i), 1}).ok());
        ASSERT_TRUE(in->store()
                        .CreateUser({UserName(i), OrgId(i), store::Role::kPublisher, hash_, 1})
                        .ok());
      }
    }
    // The sync source: one reader per organization that the pulling instance signs in as (it
    // reads as the owner, so it is given everything).
    for (int i = 0; i < kOrgs; ++i) {
      ASSERT_TRUE(
          post_.store().CreateUser({Puller(i), OrgId(i), store::Role::kReader, hash_, 1}).ok());
    }
    cli::Services* source = post_.services.get();
    taxii::ServerOptions options;
    options.threads = 2;
    options.timeout_seconds = 30;
    post_.server = std::make_unique<taxii::Server>(
        [source](const taxii::HttpRequest& r) { return source->Handle(r); }, options);
    auto port = post_.server->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    post_.port = *port;
  }

  void TearDown() override {
    if (post_.server) post_.server->Stop();
    for (Instance* in : {&post_, &import_, &pulled_, &ingest_}) {
      in->server.reset();
      in->services.reset();
    }
    std::filesystem::remove_all(root_);
  }

  static std::string Puller(int i) { return "puller" + std::to_string(i); }

  // ---- Writing ---------------------------------------------------------------------------------

  // The same collection (id, owner, default, the owner's user may read and write) in every
  // instance; on the source the owner's puller may read it too.
  void CreateEverywhere(const OracleCollection& c) {
    store::Collection row;
    row.id = c.id;
    row.title = "c";
    row.owner_org = c.owner;
    row.default_tlp = c.default_tlp;
    for (Instance* in : {&post_, &import_, &pulled_, &ingest_}) {
      ASSERT_TRUE(in->store().CreateCollection(row).ok());
      ASSERT_TRUE(in->store().SetGrant(UserName(OrgIndex(c.owner)), c.id, {true, true}).ok());
    }
    ASSERT_TRUE(post_.store().SetGrant(Puller(OrgIndex(c.owner)), c.id, {true, false}).ok());
  }

  // A random report by POST /tabadul/v1/ingest/ as the owner's user, with a random TLP (or
  // none); returns the JSON of every version it stored, read back from the store.
  std::vector<std::string> Ingest(std::mt19937_64& rng, const OracleCollection& c) {
    static const char* const kTlps[] = {"", "clear", "green", "amber", "amber+strict", "red"};
    const std::string tlp = kTlps[rng() % 6];
    const std::string tag = Uuid(rng).substr(0, 8);
    const std::string ip = "45." + std::to_string(1 + rng() % 200) + "." +
                           std::to_string(rng() % 256) + "." + std::to_string(1 + rng() % 254);
    const std::string text = "Campaign " + tag + "\n\nThe operators used the server " + ip +
                             " and the domain c2-" + tag + ".com for command and control.";
    json::object body{{"text", text}, {"collection", c.id}, {"lang", "en"}};
    if (!tlp.empty()) body["tlp"] = tlp;
    taxii::HttpRequest r;
    r.method = "POST";
    r.target = "/tabadul/v1/ingest/";
    r.accept = "application/json";
    r.content_type = "application/json";
    r.authorization = BasicAuth(UserName(OrgIndex(c.owner)), kPassword);
    r.body = json::serialize(body);
    taxii::HttpResponse resp = ingest_.services->Handle(r);
    EXPECT_EQ(resp.status, 201) << resp.body;
    std::vector<std::string> stored;
    store::ObjectQuery q;
    q.collection_id = c.id;
    q.versions.all = true;
    q.with_json = true;
    q.limit = 1000;
    auto page = ingest_.store().QueryObjects(q, nullptr);
    EXPECT_TRUE(page.ok());
    if (page.ok()) {
      for (const auto& row : page->rows) stored.push_back(row.json);
    }
    EXPECT_FALSE(stored.empty()) << "ingest stored nothing: " << resp.body;
    return stored;
  }

  void PostBundle(const OracleCollection& c, const std::vector<std::string>& objects) {
    std::string body = "{\"objects\":[";
    for (size_t i = 0; i < objects.size(); ++i) body += (i ? "," : "") + objects[i];
    body += "]}";
    taxii::HttpRequest post{"POST", "/api/collections/" + c.id + "/objects/",          kTaxii,
                            kTaxii, BasicAuth(UserName(OrgIndex(c.owner)), kPassword), body};
    auto resp = post_.services->Handle(post);
    ASSERT_EQ(resp.status, 202) << resp.body;
    const json::object status = json::parse(resp.body).as_object();
    EXPECT_EQ(status.at("success_count").to_number<int64_t>(), static_cast<int64_t>(objects.size()))
        << resp.body;
  }

  void ImportBundle(const OracleCollection& c, const std::vector<std::string>& objects) {
    const std::string file = (root_ / ("bundle-" + c.id + ".json")).string();
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << "{\"type\":\"bundle\",\"id\":\"bundle--" << c.id << "\",\"objects\":[";
      for (size_t i = 0; i < objects.size(); ++i) out << (i ? ",\n" : "\n") << objects[i];
      out << "]}";
    }
    std::ostringstream out, err;
    cli::Context ctx{.data_dir = import_.dir, .out = out, .err = err};
    EXPECT_EQ(cli::Import(ctx, {file}, c.id, /*progress=*/false), cli::kExitOk) << err.str();
    EXPECT_NE(out.str().find(": " + std::to_string(objects.size()) +
                             " added, 0 already present, 0 refused"),
              std::string::npos)
        << out.str() << err.str();
    std::filesystem::remove(file);
  }

  // Adds a peer for `post` with the given terms, subscribes `local` to `c`, runs it, and checks
  // every version arrived.
  void Pull(const OracleCollection& c, const std::string& peer_name, const std::string& local,
            bool may_forward, size_t expected) {
    sync::Peer peer;
    peer.name = peer_name;
    peer.url = "http://127.0.0.1:" + std::to_string(post_.port);
    peer.api_root = "/api/";
    peer.org_id = c.owner;
    peer.credentials = {sync::Credentials::Kind::kBasic, Puller(OrgIndex(c.owner)), kPassword};
    peer.default_tlp = c.default_tlp;
    peer.may_forward = may_forward;
    peer.forward_max_tlp = "red";
    ASSERT_TRUE(pulled_.rt().sync().AddPeer(peer).ok());
    sync::Subscription sub;
    sub.peer = peer_name;
    sub.direction = sync::Direction::kPull;
    sub.remote_collection = c.id;
    sub.local_collection = local;
    auto added = pulled_.rt().sync().Subscribe(sub);
    ASSERT_TRUE(added.ok()) << added.status().message();
    auto run = pulled_.rt().sync().Run(peer_name);
    ASSERT_TRUE(run.ok()) << run.status().message();
    ASSERT_EQ(run->size(), 1u);
    const sync::SubscriptionOutcome& outcome = (*run)[0];
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
    EXPECT_EQ(outcome.report.stored, static_cast<int64_t>(expected));
    EXPECT_EQ(outcome.report.refused, 0);
  }

  // ---- Reading ---------------------------------------------------------------------------------

  // One GET as `user`, at an instant of its own, then the records it left in the log: exactly
  // one with `delivered` items when it delivered something, none otherwise.
  struct Response {
    int status = 0;
    json::value body;
    std::string date_added_last;
  };
  Response Get(Instance& in, int user, const std::string& target, bool tls, const char* list_key,
               std::vector<json::value>* items) {
    ++requests_;
    clock_.Advance(1);
    const int64_t at = clock_.NowMicros();
    taxii::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.accept = kTaxii;
    r.authorization = BasicAuth(UserName(user), kPassword);
    r.over_tls = tls;
    taxii::HttpResponse resp = in.services->Handle(r);
    Response out;
    out.status = resp.status;
    std::vector<std::string> delivered;  // the object id of every item, in order
    if (resp.status == 200) {
      out.body = json::parse(resp.body);
      if (const json::value* list = out.body.as_object().if_contains(list_key)) {
        for (const auto& x : list->as_array()) {
          items->push_back(x);
          delivered.push_back(x.is_string() ? PathPart(target, "/objects/")
                                            : Str(x.as_object(), "id"));
        }
      }
      for (const auto& [name, value] : resp.headers) {
        if (name == "X-TAXII-Date-Added-Last") out.date_added_last = value;
      }
    }
    CheckRecords(in, user, at, at + 1, /*export=*/false, PathPart(target, "/collections/"),
                 delivered, in.name + " GET " + target);
    return out;
  }

  // The path segment after `prefix` in `target` ("" when absent).
  static std::string PathPart(const std::string& target, const std::string& prefix) {
    const size_t at = target.find(prefix);
    if (at == std::string::npos) return "";
    const size_t from = at + prefix.size();
    return target.substr(from, target.find('/', from) - from);
  }

  void CheckRecords(Instance& in, int user, int64_t from, int64_t to, bool is_export,
                    const std::string& collection, std::vector<std::string> delivered,
                    const std::string& what) {
    auto records = in.rt().log().Received(OrgId(user), from, to);
    ASSERT_TRUE(records.ok()) << records.status().message();
    std::vector<const store::AuditRecord*> mine;
    for (const auto& r : *records) {
      if ((r.path == "cli:export") == is_export && r.user == UserName(user)) mine.push_back(&r);
    }
    if (delivered.empty()) {
      EXPECT_TRUE(mine.empty()) << what << ": a response that delivered nothing left "
                                << mine.size() << " disclosure records";
      return;
    }
    ++disclosures_;
    ASSERT_EQ(mine.size(), 1u) << what << ": delivered " << delivered.size() << " items";
    EXPECT_EQ(mine[0]->collection_id, collection) << what;
    EXPECT_EQ(mine[0]->item_count, static_cast<int64_t>(delivered.size())) << what;
    std::vector<std::string> recorded;
    for (const auto& item : mine[0]->items) recorded.push_back(item.object_id);
    std::sort(recorded.begin(), recorded.end());
    std::sort(delivered.begin(), delivered.end());
    EXPECT_EQ(recorded, delivered) << what << ": the record names other objects";
  }

  // Follows `next` until `more` is false.
  std::optional<std::vector<json::value>> PagedNext(Instance& in, int user, const std::string& base,
                                                    bool tls, const char* list_key, int* status) {
    std::vector<json::value> items;
    std::string next;
    for (int guard = 0; guard < 200; ++guard) {
      const std::string sep = base.find('?') == std::string::npos ? "?" : "&";
      Response r =
          Get(in, user, base + (next.empty() ? "" : sep + "next=" + next), tls, list_key, &items);
      *status = r.status;
      if (r.status != 200) return std::nullopt;
      const json::value* more = r.body.as_object().if_contains("more");
      if (!more || !more->as_bool()) return items;
      next = Str(r.body.as_object(), "next");
    }
    ADD_FAILURE() << "paging by next did not end: " << base;
    return items;
  }

  // Follows X-TAXII-Date-Added-Last as added_after until `more` is false.
  std::optional<std::vector<json::value>> PagedAddedAfter(Instance& in, int user,
                                                          const std::string& base, bool tls,
                                                          int* status) {
    std::vector<json::value> items;
    std::string after;
    for (int guard = 0; guard < 200; ++guard) {
      Response r = Get(in, user, base + (after.empty() ? "" : "&added_after=" + after), tls,
                       "objects", &items);
      *status = r.status;
      if (r.status != 200) return std::nullopt;
      const json::value* more = r.body.as_object().if_contains("more");
      if (!more || !more->as_bool()) return items;
      EXPECT_FALSE(r.date_added_last.empty());
      after = r.date_added_last;
    }
    ADD_FAILURE() << "paging by added_after did not end: " << base;
    return items;
  }

  // `tabadul export --as USER --all-versions` into a file; nullopt when it failed (exit 1).
  std::optional<Items> Export(Instance& in, int user, const std::string& collection) {
    ++exports_;
    const std::string file = (root_ / "export.json").string();
    std::ostringstream out, err;
    cli::Context ctx{.data_dir = in.dir, .out = out, .err = err};
    const int64_t from = ctx.clock.NowMicros();
    const int code = cli::Export(
        ctx, collection, file, cli::ExportOptions{.all_versions = true, .as_user = UserName(user)});
    const int64_t to = ctx.clock.NowMicros() + 1;
    Items items;
    if (code == cli::kExitOk) {
      std::ifstream f(file, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      const json::value bundle = json::parse(ss.str());
      for (const auto& o : bundle.as_object().at("objects").as_array()) {
        items.push_back(ItemOfObject(o.as_object()));
      }
    }
    std::filesystem::remove(file);
    std::vector<std::string> delivered;
    for (const auto& item : items) delivered.push_back(std::get<0>(item));
    CheckRecords(in, user, from, to, /*export=*/true, collection, delivered,
                 in.name + " export of " + collection);
    if (code != cli::kExitOk) return std::nullopt;
    return Sorted(std::move(items));
  }

  // What the oracle allows `user` in `c`: every visible version, the latest of each object if
  // visible, and each object's visible versions.
  struct Expected {
    std::optional<store::Grant> access;
    Items all, latest;
    std::map<std::string, Items> per_object;
    std::vector<std::string> ids;  // every object id, in first-stored order
  };
  Expected Expect(const View& view, const OracleCollection& c, int user, bool tls) const {
    const Oracle oracle(*view.published, view.pulled);
    Expected e;
    e.access = oracle.Access(UserName(user), OrgId(user), c, now_, view.agreements);
    std::map<std::string, const OracleVersion*> latest;
    for (const auto& v : c.versions) {
      auto& slot = latest[v.id];
      if (!slot) e.ids.push_back(v.id);
      if (!slot || NormVersion(v.modified) > NormVersion(slot->modified)) slot = &v;
    }
    for (const auto& v : c.versions) {
      bool anonymize = false;
      if (!oracle.Visible(OrgId(user), c, v, now_, tls, view.agreements, *view.terms, &anonymize)) {
        continue;
      }
      const std::string by = v.created_by.empty() ? "" : anonymize ? anonymous_ : v.created_by;
      Item item{v.id, Unversioned(v.id) ? "" : NormVersion(v.modified), by};
      e.all.push_back(item);
      e.per_object[v.id].push_back(item);
      if (latest[v.id] == &v) e.latest.push_back({v.id, std::get<1>(item), ""});
    }
    e.all = Sorted(std::move(e.all));
    e.latest = Sorted(std::move(e.latest));
    for (auto& [id, items] : e.per_object) items = Sorted(std::move(items));
    return e;
  }

  std::string Describe(const View& view, const OracleCollection& c, int user, bool tls) const {
    std::string s = "seed " + std::to_string(seed_) + " scenario " + std::to_string(scenario_) +
                    "\nuser" + std::to_string(user) + " tls=" + (tls ? "1" : "0") + " collection " +
                    c.id + " owner " + c.owner + " default " + c.default_tlp + "\nagreements:";
    for (const auto& a : view.agreements) {
      s += "\n  " + a.provider + " -> {";
      for (const auto& r : a.recipients) s += r.substr(r.size() - 2) + " ";
      s += "} red {";
      for (const auto& r : a.red) s += r.substr(r.size() - 2) + " ";
      s += "} max " + std::string(kLevelNames[a.max_tlp]) + " valid " +
           std::to_string(a.from_us <= now_ && now_ < a.until_us) + " enc " +
           std::to_string(a.must_encrypt) + " anon " + std::to_string(a.must_not_attribute) +
           " covers " + std::to_string(a.collections.count(c.id)) + " types";
      for (const auto& t : a.types) s += " " + t;
      s += " labels";
      for (const auto& l : a.labels) s += " " + l;
    }
    s += "\nversions:";
    for (const auto& v : c.versions) {
      s += "\n  " + v.id + " " + v.modified + " origin '" + v.origin + "' labels";
      for (const auto& l : v.labels) s += " " + l;
      s += " refs";
      for (const auto& r : v.refs) s += " " + r.substr(r.size() - 4);
      s += " granular";
      for (const auto& r : v.granular) s += " " + r.substr(r.size() - 4);
    }
    return s;
  }

  // Every read path of `user` on `c` in `in`, each compared with the oracle; returns the
  // objects path's multiset.
  Items CheckCollection(Instance& in, const View& view, const OracleCollection& c, int user,
                        bool tls) {
    const Expected e = Expect(view, c, user, tls);
    const std::string why = in.name + " instance\n" + Describe(view, c, user, tls);
    const int denied = !e.access ? 404 : (!e.access->can_read ? 403 : 200);
    const std::string base = "/api/collections/" + c.id + "/";
    const std::string lim = "limit=" + std::to_string(1 + rng_() % 3);
    int status = 0;
    Items objects;

    auto by_next =
        PagedNext(in, user, base + "objects/?match[version]=all&" + lim, tls, "objects", &status);
    if (denied != 200) {
      EXPECT_EQ(status, denied) << "objects path\n" << why;
    } else if (by_next) {
      for (const auto& o : *by_next) objects.push_back(ItemOfObject(o.as_object()));
      objects = Sorted(std::move(objects));
      EXPECT_EQ(objects, e.all) << "objects path (next): got" << ToString(objects) << "\n  want"
                                << ToString(e.all) << "\n"
                                << why;
    } else {
      ADD_FAILURE() << "objects path answered " << status << "\n" << why;
    }

    auto by_after =
        PagedAddedAfter(in, user, base + "objects/?match[version]=all&" + lim, tls, &status);
    if (denied != 200) {
      EXPECT_EQ(status, denied) << "objects path (added_after)\n" << why;
    } else if (by_after) {
      Items got;
      for (const auto& o : *by_after) got.push_back(ItemOfObject(o.as_object()));
      got = Sorted(std::move(got));
      EXPECT_EQ(got, e.all) << "objects path (added_after): got" << ToString(got) << "\n" << why;
    }

    auto manifest = PagedNext(in, user, base + "manifest/?" + lim, tls, "objects", &status);
    if (denied != 200) {
      EXPECT_EQ(status, denied) << "manifest path\n" << why;
    } else if (manifest) {
      Items got;
      for (const auto& m : *manifest) {
        const std::string id = Str(m.as_object(), "id");
        got.emplace_back(id, Unversioned(id) ? "" : NormVersion(Str(m.as_object(), "version")), "");
      }
      got = Sorted(std::move(got));
      EXPECT_EQ(got, e.latest) << "manifest path: got" << ToString(got) << "\n  want"
                               << ToString(e.latest) << "\n"
                               << why;
    }

    // The per-object paths for three objects, rotating.
    for (size_t k = 0; k < std::min<size_t>(3, e.ids.size()); ++k) {
      const std::string& id = e.ids[(rotation_ + k) % e.ids.size()];
      auto it = e.per_object.find(id);
      auto one = PagedNext(in, user, base + "objects/" + id + "/?match[version]=all&" + lim, tls,
                           "objects", &status);
      const int one_status = status;
      auto versions = PagedNext(in, user, base + "objects/" + id + "/versions/?" + lim, tls,
                                "versions", &status);
      if (denied != 200) {
        EXPECT_EQ(one_status, denied) << "object path " << id << "\n" << why;
        EXPECT_EQ(status, denied) << "versions path " << id << "\n" << why;
        continue;
      }
      if (it == e.per_object.end()) {
        EXPECT_EQ(one_status, 404) << "object path leaks " << id << "\n" << why;
        EXPECT_EQ(status, 404) << "versions path leaks " << id << "\n" << why;
        continue;
      }
      if (!one || !versions) {
        ADD_FAILURE() << "object/versions path denies " << id << " (" << one_status << ", "
                      << status << ")\n"
                      << why;
        continue;
      }
      Items got;
      for (const auto& o : *one) got.push_back(ItemOfObject(o.as_object()));
      got = Sorted(std::move(got));
      EXPECT_EQ(got, it->second) << "object path " << id << ": got" << ToString(got) << "\n" << why;
      Items got_versions, want_versions;
      for (const auto& v : *versions) {
        got_versions.emplace_back(
            id, Unversioned(id) ? "" : NormVersion(std::string(v.as_string())), "");
      }
      for (const auto& [vid, version, by] : it->second)
        want_versions.emplace_back(vid, version, "");
      EXPECT_EQ(Sorted(got_versions), want_versions) << "versions path " << id << "\n" << why;
    }

    // export --as reads as over TLS: compare it with the oracle's TLS answer.
    const Expected over_tls = tls ? e : Expect(view, c, user, true);
    auto exported = Export(in, user, c.id);
    if (!over_tls.access || !over_tls.access->can_read) {
      EXPECT_FALSE(exported.has_value()) << "export of an invisible collection\n" << why;
    } else if (!exported) {
      ADD_FAILURE() << "export failed\n" << why;
    } else {
      EXPECT_EQ(*exported, over_tls.all)
          << "export: got" << ToString(*exported) << "\n  want" << ToString(over_tls.all) << "\n"
          << why;
      if (tls && denied == 200) {
        EXPECT_EQ(*exported, objects) << "export vs objects path\n" << why;
      }
    }
    versions_compared_ += e.all.size();
    return objects;
  }

  // Every user on every collection of `view` in `in`.
  Observed CheckInstance(Instance& in, const View& view, const std::vector<bool>& tls) {
    Observed observed;
    for (int user = 0; user < kOrgs; ++user) {
      for (const auto& c : view.collections) {
        observed[{user, c.id}] = CheckCollection(in, view, c, user, tls[user]);
        if (HasFatalFailure()) return observed;
      }
    }
    return observed;
  }

  FakeClock clock_{SystemClock().NowMicros()};
  // What the runtime writes in place of a hidden provider (it keeps the engine's default).
  const std::string anonymous_ = policy::EngineOptions{}.anonymous_identity_id;
  std::filesystem::path root_;
  std::string hash_;
  Instance post_{"post"}, import_{"import"}, pulled_{"pulled"}, ingest_{"ingest"};
  std::mt19937_64 rng_;
  uint64_t seed_ = 0;
  int64_t scenario_ = 0;
  int64_t now_ = 0;
  size_t rotation_ = 0;
  int64_t requests_ = 0, exports_ = 0, disclosures_ = 0, versions_compared_ = 0;
};

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

// The version as `pulled` stores it: from the peer named `origin`, and with the peer's default
// made explicit when no standard TLP marking is among its object markings (intake/pipeline.h).
OracleVersion AsPulled(OracleVersion v, const std::string& origin, Level default_tlp) {
  v.origin = origin;
  if (v.type == "marking-definition") return v;
  const bool standard = std::any_of(v.refs.begin(), v.refs.end(),
                                    [](const std::string& r) { return kStandardTlp.count(r) > 0; });
  if (!standard) v.refs.push_back(Tlp2Id(default_tlp));
  return v;
}

TEST_F(EntryPathsTest, EveryRecipientSeesTheSameWhateverTheWayIn) {
  const int64_t scenarios = EnvInt("TABADUL_ENTRY_SCENARIOS", 40);
  seed_ = static_cast<uint64_t>(EnvInt("TABADUL_ENTRY_SEED", 20250611));
  rng_.seed(seed_);
  std::mt19937_64& rng = rng_;
  const auto markings = UserMarkings();
  std::vector<std::string> ref_pool;
  for (const auto& [id, level] : kStandardTlp) ref_pool.push_back(id);
  for (const auto& m : markings) ref_pool.push_back(m.id);
  ref_pool.push_back(kUnknownMarkingId);

  Published published;                       // by post and import (by owner)
  Published pulled_definitions;              // by the peer they were pulled from
  const Published none;                      // ingest stores no definitions
  std::map<std::string, OracleTerms> terms;  // the pulling instance's peers
  int64_t explained_differences = 0, not_forwarded_checked = 0;

  for (scenario_ = 0; scenario_ < scenarios; ++scenario_) {
    SCOPED_TRACE("seed " + std::to_string(seed_) + ", scenario " + std::to_string(scenario_) +
                 " (rerun with TABADUL_ENTRY_SEED=" + std::to_string(seed_) + ")");
    clock_.Advance(1'000'000);
    now_ = clock_.NowMicros();
    rotation_ = static_cast<size_t>(scenario_);

    // Collections, the same everywhere.
    std::vector<OracleCollection> posted;
    const int ncoll = 1 + rng() % 2;
    for (int ci = 0; ci < ncoll; ++ci) {
      OracleCollection c;
      c.id = Uuid(rng);
      c.owner = OrgId(rng() % kOrgs);
      c.default_tlp = kLevelNames[rng() % 5];
      c.grants[UserName(OrgIndex(c.owner))] = {true, true};
      CreateEverywhere(c);
      posted.push_back(std::move(c));
    }
    if (HasFatalFailure()) return;

    // The ingested report, first: its versions go into the other paths' bundle too.
    const size_t ingested_at = rng() % posted.size();
    std::vector<OracleCollection> ingested = posted;
    for (auto& c : ingested) c.versions.clear();
    const std::vector<std::string> report = Ingest(rng, posted[ingested_at]);
    for (const auto& j : report) ingested[ingested_at].versions.push_back(VersionOfJson(j));

    // The bundles, written by POST, import and sync pull.
    std::vector<OracleCollection> pulled, not_forwarded;
    for (size_t ci = 0; ci < posted.size(); ++ci) {
      OracleCollection& c = posted[ci];
      std::vector<std::string> objects;
      for (const auto& m : markings) {
        if (rng() % 2) continue;
        const MarkingVariant& variant = m.variants[rng() % m.variants.size()];
        objects.push_back(variant.json);
        c.versions.push_back(VersionOfJson(variant.json));
        auto& defs = published[c.owner][m.id];
        if (std::none_of(defs.begin(), defs.end(),
                         [&](const MarkingVariant& d) { return d.json == variant.json; })) {
          defs.push_back(variant);
        }
        // The pulled copies read only what came from the same peer (policy::MarkingScope).
        const std::string tag = std::to_string(scenario_) + "-" + std::to_string(ci);
        for (const std::string origin : {"fwd-" + tag, "nf-" + tag}) {
          auto& from_peer = pulled_definitions[origin][m.id];
          if (std::none_of(from_peer.begin(), from_peer.end(),
                           [&](const MarkingVariant& d) { return d.json == variant.json; })) {
            from_peer.push_back(variant);
          }
        }
      }
      const int nobj = 1 + rng() % 4;
      for (int oi = 0; oi < nobj; ++oi) {
        const std::string type = kTypes[rng() % 2];
        const std::string id = type + "--" + Uuid(rng);
        const int nver = 1 + rng() % 3;
        const bool revoke = rng() % 4 == 0;
        for (int vi = 0; vi < nver; ++vi) {
          OracleVersion v;
          v.id = id;
          v.type = type;
          v.modified = "2024-01-01T00:00:0" + std::to_string(vi) + ".000Z";
          v.created_by = c.owner;
          for (const char* l : kLabels) {
            if (rng() % 3 == 0) v.labels.push_back(l);
          }
          v.refs = PickRefs(rng, ref_pool, 2);
          if (rng() % 4 == 0) v.granular = PickRefs(rng, ref_pool, 1);
          v.revoked = revoke && vi == nver - 1;
          objects.push_back(ObjectJson(v, "2024-01-01T00:00:00.000Z"));
          c.versions.push_back(std::move(v));
        }
      }
      if (ci == ingested_at) {
        for (const auto& j : report) {
          objects.push_back(j);
          c.versions.push_back(VersionOfJson(j));
        }
      }
      // In a random order: definitions after the objects that use them, older versions after
      // newer ones (the same order for every path).
      std::shuffle(objects.begin(), objects.end(), rng);
      PostBundle(c, objects);
      ImportBundle(c, objects);
      if (HasFatalFailure()) return;

      // Pulled twice: under terms that let everything go on, and under may_forward = false.
      const Level default_tlp = Oracle::DefaultOf(c);
      const std::string tag = std::to_string(scenario_) + "-" + std::to_string(ci);
      OracleCollection p = c, nf = c;
      nf.id = Uuid(rng);
      p.versions.clear();
      nf.versions.clear();
      for (const auto& v : c.versions) {
        p.versions.push_back(AsPulled(v, "fwd-" + tag, default_tlp));
        nf.versions.push_back(AsPulled(v, "nf-" + tag, default_tlp));
      }
      terms["fwd-" + tag] = {default_tlp, true, kRed};
      terms["nf-" + tag] = {default_tlp, false, kRed};
      store::Collection row{
          .id = nf.id, .title = "nf", .owner_org = nf.owner, .default_tlp = nf.default_tlp};
      ASSERT_TRUE(pulled_.store().CreateCollection(row).ok());
      ASSERT_TRUE(pulled_.store().SetGrant(UserName(OrgIndex(nf.owner)), nf.id, {true, true}).ok());
      Pull(c, "fwd-" + tag, c.id, true, objects.size());
      Pull(c, "nf-" + tag, nf.id, false, objects.size());
      if (HasFatalFailure()) return;
      pulled.push_back(std::move(p));
      not_forwarded.push_back(std::move(nf));
    }

    // The same agreements everywhere; in `pulled` also one that would give every other
    // organization everything of the not-forwarded copies, were it not for the peer's terms.
    std::vector<std::pair<std::string, std::string>> ids;
    for (const auto& c : posted) ids.emplace_back(c.id, c.owner);
    std::vector<policy::Agreement> desired;
    std::vector<OracleAgreement> agreements;
    for (auto& g : RandomAgreements(rng, ids, now_, kHour)) {
      desired.push_back(std::move(g.agreement));
      agreements.push_back(std::move(g.oracle));
    }
    std::vector<policy::Agreement> desired_pulled = desired;
    std::vector<OracleAgreement> agreements_pulled = agreements;
    for (size_t ci = 0; ci < not_forwarded.size(); ++ci) {
      const OracleCollection& nf = not_forwarded[ci];
      OracleAgreement o{.provider = nf.owner,
                        .collections = {nf.id},
                        .max_tlp = kRed,
                        .from_us = now_ - kHour,
                        .until_us = policy::kOpenEnded,
                        .must_encrypt = false,
                        .must_not_attribute = false};
      for (int k = 0; k < kOrgs; ++k) {
        if (OrgId(k) != nf.owner) o.recipients.insert(OrgId(k));
      }
      o.red = o.recipients;
      policy::Agreement a;
      a.name = "nf" + o.provider.substr(o.provider.size() - 2) + "-" + std::to_string(ci);
      a.provider_org = o.provider;
      a.recipients.assign(o.recipients.begin(), o.recipients.end());
      a.red_recipients = a.recipients;
      a.collections = {nf.id};
      a.max_tlp = stix::Tlp::kRed;
      a.valid_from_us = o.from_us;
      desired_pulled.push_back(std::move(a));
      agreements_pulled.push_back(std::move(o));
    }
    for (Instance* in : {&post_, &import_, &ingest_}) {
      auto applied =
          policy::AgreementService(in->rt().engine()).Apply(desired, "", "entry-paths", false);
      ASSERT_TRUE(applied.ok()) << in->name << ": " << applied.status().message();
    }
    auto applied = policy::AgreementService(pulled_.rt().engine())
                       .Apply(desired_pulled, "", "entry-paths", false);
    ASSERT_TRUE(applied.ok()) << applied.status().message();

    // Another process (import) stored definitions and the pulling instance added peers: past
    // the engines' reload check interval, every instance has seen them.
    clock_.Advance(2'000'000);
    now_ = clock_.NowMicros();

    std::vector<bool> tls;
    for (int user = 0; user < kOrgs; ++user) tls.push_back(rng() % 2 == 0);
    const View post_view{posted, agreements, &published, &kNoTerms};
    std::vector<OracleCollection> pulled_all = pulled;
    pulled_all.insert(pulled_all.end(), not_forwarded.begin(), not_forwarded.end());
    const View pulled_view{pulled_all, agreements_pulled, &published, &terms, &pulled_definitions};
    const View ingest_view{ingested, agreements, &none, &kNoTerms};

    const Observed by_post = CheckInstance(post_, post_view, tls);
    if (HasFailure()) return;
    const Observed by_import = CheckInstance(import_, post_view, tls);
    if (HasFailure()) return;
    const Observed by_pull = CheckInstance(pulled_, pulled_view, tls);
    if (HasFailure()) return;
    const Observed by_ingest = CheckInstance(ingest_, ingest_view, tls);
    if (HasFailure()) return;

    // Across instances.
    EXPECT_EQ(by_import, by_post) << "import and TAXII POST disagree";
    for (int user = 0; user < kOrgs; ++user) {
      for (size_t ci = 0; ci < posted.size(); ++ci) {
        const OracleCollection& c = posted[ci];
        const Items& p = by_post.at({user, c.id});
        const Items& q = by_pull.at({user, c.id});
        Items extra, missing;
        std::set_difference(q.begin(), q.end(), p.begin(), p.end(), std::back_inserter(extra));
        std::set_difference(p.begin(), p.end(), q.begin(), q.end(), std::back_inserter(missing));
        // The pulled copy reads only the definitions this peer sent (policy::MarkingScope): a ref
        // the owner defined elsewhere is unknown there, i.e. RED without the owner's IEP terms, so
        // a RED recipient may get a version that the owner's own (e.g. expired) IEP definition
        // withholds as posted. Any other extra is a leak. (The pulled instance is checked
        // against its own oracle above, which models the scope exactly.)
        const auto& from_peer =
            pulled_definitions["fwd-" + std::to_string(scenario_) + "-" + std::to_string(ci)];
        auto out_of_scope = [&](const OracleVersion& v) {
          std::vector<std::string> refs = v.refs;
          refs.insert(refs.end(), v.granular.begin(), v.granular.end());
          return std::any_of(refs.begin(), refs.end(), [&](const auto& r) {
            return kStandardTlp.count(r) == 0 && from_peer.count(r) == 0;
          });
        };
        auto version_of = [&](const std::string& id, const std::string& version) {
          const OracleVersion* v = nullptr;
          for (const auto& x : c.versions) {
            if (x.id == id && (Unversioned(id) ? "" : NormVersion(x.modified)) == version) v = &x;
          }
          return v;
        };
        Items leaked;
        for (const auto& item : extra) {
          const OracleVersion* v = version_of(std::get<0>(item), std::get<1>(item));
          if (v == nullptr || !out_of_scope(*v)) leaked.push_back(item);
        }
        EXPECT_TRUE(leaked.empty()) << "sync pull delivers what TAXII POST withholds, user" << user
                                    << ToString(leaked) << "\n"
                                    << Describe(post_view, c, user, tls[user]);
        // Withheld only where the appended default raised a provider-defined lower level.
        const Oracle oracle(published);
        for (const auto& [id, version, by] : missing) {
          const OracleVersion* v = nullptr;
          for (const auto& x : c.versions) {
            if (x.id == id && (Unversioned(id) ? "" : NormVersion(x.modified)) == version) v = &x;
          }
          ASSERT_NE(v, nullptr);
          const bool standard = std::any_of(v->refs.begin(), v->refs.end(), [](const auto& r) {
            return kStandardTlp.count(r) > 0;
          });
          const Level as_posted = oracle.TlpOf(c, *v, Oracle::DefaultOf(c));
          // Or a ref the owner defined elsewhere than in what this peer sent: the pulled copy
          // reads only the peer's definitions (policy::MarkingScope), so it is RED there.
          EXPECT_TRUE(out_of_scope(*v) || (!standard && v->type != "marking-definition" &&
                                       as_posted < Oracle::DefaultOf(c)))
              << "sync pull withholds " << id << " " << version << " from user" << user
              << " for no documented reason\n"
              << Describe(post_view, c, user, tls[user]);
          ++explained_differences;
        }
        // The not-forwarded copy: the owner sees every version, nobody else any.
        const OracleCollection& nf = not_forwarded[ci];
        const Items& n = by_pull.at({user, nf.id});
        if (OrgId(user) == c.owner) {
          EXPECT_EQ(n.size(), nf.versions.size()) << "the owner misses pulled versions";
        } else {
          EXPECT_TRUE(n.empty()) << "may_forward=false, yet user" << user << " received"
                                 << ToString(n);
          ++not_forwarded_checked;
        }
        // The report, as ingested and as written by the other paths.
        const Items& i = by_ingest.at({user, c.id});
        Items report_in_post;
        for (const auto& item : p) {
          for (const auto& v : ingested[ci].versions) {
            if (std::get<0>(item) == v.id) {
              report_in_post.push_back(item);
              break;
            }
          }
        }
        EXPECT_EQ(i, report_in_post)
            << "ingest and TAXII POST disagree on the report, user" << user;
      }
    }
    if (HasFailure()) return;
  }
  std::printf(
      "%lld scenarios (seed %llu): %lld versions compared with the oracle, %lld requests, "
      "%lld exports, %lld disclosure records checked, %lld pulled versions withheld for the "
      "documented reason, %lld not-forwarded reads\n",
      static_cast<long long>(scenarios), static_cast<unsigned long long>(seed_),
      static_cast<long long>(versions_compared_), static_cast<long long>(requests_),
      static_cast<long long>(exports_), static_cast<long long>(disclosures_),
      static_cast<long long>(explained_differences), static_cast<long long>(not_forwarded_checked));
}

}  // namespace
}  // namespace tabadul
