// The randomized proof that the visibility rule has no leak and no wrongful denial on any read
// path (DESIGN.md: "the test suite proves its absence with randomized scenarios over every read
// path").
//
// Each batch: every organization publishes marking definitions (TLP 1.0/2.0, IEP, statement) in
// two collections of its own, a random choice per id — none, one, or two different ones (a
// conflict within one provider) — by a TAXII POST or by SqliteStore::PutObjects alone (as import
// and sync store them); different organizations define the same ids differently (another
// organization's definition must never count). Each scenario: fresh collections with random
// owners, default TLPs and owner grants; random object versions (types, labels, TLP
// 1.0/2.0/user/IEP/statement/unknown object markings, granular markings), each posted here or
// pulled from a peer (origin), with random terms for the peers (may_forward, forwarding ceiling,
// default TLP) and one origin whose peer is gone; random agreements (scopes, TLP ceilings, RED
// recipients, validity windows in the past/present/future, TLS and attribution terms) applied
// declaratively; then every read path — the collections list, one collection, objects (all
// versions), manifest, one object (all versions) and versions — is queried as every user
// through TaxiiApi::Handle with the policy hooks over a real SqliteStore, paged with small
// limits, over TLS or not. Every answer is compared with the ORACLE (scenario.h), a plain
// restatement of the rule that does not call the policy module's rule; entry_paths_property_test.cc
// uses the same oracle and generators over every way in.
//
// Scale: TABADUL_POLICY_SCENARIOS (default 10000; set 1000000 for the long run) and
// TABADUL_POLICY_SEED (default 20240901).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/password.h"
#include "common/timestamp.h"
#include "policy/agreement_service.h"
#include "policy/engine.h"
#include "policy/hooks.h"
#include "stix/validator.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"
#include "scenario.h"
#include "taxii/api.h"

namespace tabadul {
namespace {
namespace json = boost::json;

using namespace policy_testing;  // the oracle and the generators (scenario.h)

struct Batch {
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<store::SqliteAgreementStore> agreements;
  std::unique_ptr<policy::Engine> engine;
  std::unique_ptr<policy::AgreementService> service;
  std::unique_ptr<intake::Pipeline> pipeline;
  std::unique_ptr<taxii::TaxiiApi> api;
  std::vector<OracleCollection> collections;  // every collection of this batch
  Published published;                        // the marking definitions each org published
  // The peers' terms the engine's loader reads (set per scenario, then the engine reloads).
  std::shared_ptr<std::vector<policy::OriginTerms>> terms =
      std::make_shared<std::vector<policy::OriginTerms>>();
};

class PropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* shm = "/dev/shm";
    dir_ = std::filesystem::path(std::filesystem::exists(shm) ? shm : "/tmp") /
           ("tabadul_policy_property_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(auth::InitCrypto().ok());
    auto hash = auth::HashSecret(kPassword);
    ASSERT_TRUE(hash.ok());
    hash_ = *hash;
    // Users authenticate against a store of their own, so the (slow, cached) argon2id check
    // runs once per user for the whole test, not once per batch.
    users_ = std::move(store::SqliteStore::Open((dir_ / "users.db").string())).value();
    AddOrgsAndUsers(*users_);
    auth_ = std::make_unique<auth::Authenticator>(*users_, clock_, int64_t{1} << 60);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void AddOrgsAndUsers(store::Store& s) {
    for (int i = 0; i < kOrgs; ++i) {
      ASSERT_TRUE(s.CreateOrganization({OrgId(i), "org" + std::to_string(i), 1}).ok());
      ASSERT_TRUE(s.CreateUser({UserName(i), OrgId(i), store::Role::kPublisher, hash_, 1}).ok());
    }
  }

  // A fresh database; every organization publishes marking definitions in two collections of
  // its own (a random choice per id), by a TAXII POST or by PutObjects alone.
  Batch NewBatch(int n, std::mt19937_64& rng, const std::vector<UserMarking>& markings) {
    Batch b;
    const std::string path = (dir_ / ("batch" + std::to_string(n) + ".db")).string();
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    b.store = std::move(store::SqliteStore::Open(path)).value();
    b.agreements = std::move(store::SqliteAgreementStore::Open(path)).value();
    AddOrgsAndUsers(*b.store);
    policy::EngineOptions options;
    options.reload_check_interval_us = 0;
    options.anonymous_identity_id = kAnonymous;
    options.origin_terms = [terms = b.terms]() -> Result<std::vector<policy::OriginTerms>> {
      return *terms;
    };
    b.engine = std::make_unique<policy::Engine>(*b.store, *b.agreements, clock_, options);
    b.service = std::make_unique<policy::AgreementService>(*b.engine);
    auto hooks = policy::MakeHooks(*b.engine);
    EXPECT_TRUE(hooks.ok());
    b.pipeline = std::make_unique<intake::Pipeline>(*b.store, clock_);
    b.api = std::make_unique<taxii::TaxiiApi>(*b.store, *b.pipeline, *auth_, clock_, taxii::ApiConfig{},
                                              std::move(hooks).value());
    for (int org = 0; org < kOrgs; ++org) {
      std::vector<std::string> in[2];  // the JSON published in each of the two collections
      for (const auto& m : markings) {
        const size_t v0 = rng() % m.variants.size(), v1 = rng() % m.variants.size();
        switch (rng() % 6) {
          case 0: case 1: continue;  // not published by this organization
          case 2: in[0].push_back(m.variants[v0].json); break;
          case 3: in[1].push_back(m.variants[v0].json); break;
          default:  // in both: the same or (a conflict) different contents
            in[0].push_back(m.variants[v0].json);
            in[1].push_back(m.variants[v1].json);
            b.published[OrgId(org)][m.id].push_back(m.variants[v1]);
            break;
        }
        b.published[OrgId(org)][m.id].push_back(m.variants[v0]);
      }
      for (int k = 0; k < 2; ++k) PublishDefinitions(b, org, k, in[k], rng() % 2 == 0);
    }
    return b;
  }

  void PublishDefinitions(Batch& b, int org, int k, const std::vector<std::string>& objects,
                          bool through_taxii) {
    store::Collection defs;
    defs.id = "00000000-0000-4000-8000-0000000d0d" + std::to_string(org) + std::to_string(k);
    defs.title = "definitions";
    defs.owner_org = OrgId(org);
    EXPECT_TRUE(b.store->CreateCollection(defs).ok());
    EXPECT_TRUE(b.store->SetGrant(UserName(org), defs.id, {false, true}).ok());
    OracleCollection od;
    od.id = defs.id;
    od.owner = defs.owner_org;
    od.default_tlp = "amber";
    od.grants[UserName(org)] = {false, true};
    b.collections.push_back(od);
    if (objects.empty()) return;
    if (!through_taxii) {  // as `tabadul import` and sync pull store them
      std::vector<stix::StixObject> parsed;
      for (const auto& o : objects) parsed.push_back(std::move(stix::ParseObject(o)).value());
      auto outcomes = b.store->PutObjects(defs.id, parsed, clock_.NowMicros());
      EXPECT_TRUE(outcomes.ok());
      return;
    }
    std::string body = "{\"objects\":[";
    for (size_t i = 0; i < objects.size(); ++i) body += (i ? "," : "") + objects[i];
    body += "]}";
    taxii::HttpRequest post{"POST", "/api/collections/" + defs.id + "/objects/",
                            "application/taxii+json;version=2.1",
                            "application/taxii+json;version=2.1",
                            BasicAuth(UserName(org), kPassword), body};
    auto resp = b.api->Handle(post);
    EXPECT_EQ(resp.status, 202) << resp.body;
    EXPECT_NE(resp.body.find("\"success_count\":" + std::to_string(objects.size())),
              std::string::npos) << resp.body;
  }

  FakeClock clock_{1'700'000'000'000'000};
  std::filesystem::path dir_;
  std::string hash_;
  std::unique_ptr<store::SqliteStore> users_;
  std::unique_ptr<auth::Authenticator> auth_;
};

// ---- Scenario generation ---------------------------------------------------------------------

const char* const kOrigins[] = {"peer-a", "peer-b", "peer-gone"};  // peer-gone has no terms

struct Scenario {
  std::vector<size_t> collections;  // indexes into Batch::collections
  std::vector<OracleAgreement> agreements;
  std::map<std::string, OracleTerms> terms;  // by origin
  int64_t now = 0;
};

void MakeCollections(std::mt19937_64& rng, Batch& b, Scenario& sc,
                     const std::vector<std::string>& ref_pool, int64_t now) {
  const int ncoll = 1 + rng() % 2;
  const char* defaults[] = {"clear", "green", "amber", "amber+strict", "red"};
  for (int ci = 0; ci < ncoll; ++ci) {
    OracleCollection c;
    c.id = Uuid(rng);
    c.owner = OrgId(rng() % kOrgs);
    c.default_tlp = defaults[rng() % 5];
    store::Collection sc_row;
    sc_row.id = c.id;
    sc_row.title = "c";
    sc_row.owner_org = c.owner;
    sc_row.default_tlp = c.default_tlp;
    ASSERT_TRUE(b.store->CreateCollection(sc_row).ok());
    const int owner_index = std::stoi(c.owner.substr(c.owner.size() - 2)) - 10;
    store::Grant g{rng() % 4 != 0, rng() % 2 == 0};
    ASSERT_TRUE(b.store->SetGrant(UserName(owner_index), c.id, g).ok());
    c.grants[UserName(owner_index)] = g;
    // A grant on someone else's collection must not open it (only owners' grants count).
    const int stranger = (owner_index + 1) % kOrgs;
    ASSERT_TRUE(b.store->SetGrant(UserName(stranger), c.id, {true, true}).ok());
    // Objects, each with one or two versions, each posted here or pulled from a peer (one
    // PutObjects per object, with the origin of all its versions).
    const int nobj = 1 + rng() % 4;
    for (int oi = 0; oi < nobj; ++oi) {
      const std::string type = kTypes[rng() % 2];
      const std::string id = type + "--" + Uuid(rng);
      const int nver = 1 + rng() % 2;
      const size_t first = c.versions.size();
      const std::string origin = rng() % 2 ? "" : kOrigins[rng() % 3];
      std::vector<stix::StixObject> objects;
      for (int vi = 0; vi < nver; ++vi) {
        OracleVersion v;
        v.id = id;
        v.type = type;
        v.origin = origin;
        v.modified = "2024-01-01T00:00:0" + std::to_string(vi) + ".000Z";
        v.created_by = c.owner;
        for (const char* l : kLabels) {
          if (rng() % 3 == 0) v.labels.push_back(l);
        }
        v.refs = PickRefs(rng, ref_pool, 2);
        if (rng() % 4 == 0) v.granular = PickRefs(rng, ref_pool, 1);
        auto parsed = stix::ParseObject(ObjectJson(v, "2024-01-01T00:00:00.000Z"));
        ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n"
                                 << ObjectJson(v, "2024-01-01T00:00:00.000Z");
        objects.push_back(std::move(parsed).value());
        c.versions.push_back(v);
      }
      store::PutOptions put;
      put.origin = origin;
      auto outcomes = b.store->PutObjects(c.id, objects, now, put);
      ASSERT_TRUE(outcomes.ok());
      for (size_t i = 0; i < objects.size(); ++i) {
        ASSERT_EQ((*outcomes)[i].kind, store::PutOutcome::Kind::kAdded) << (*outcomes)[i].message;
        c.versions[first + i].date_added_us = (*outcomes)[i].date_added_us;
      }
    }
    sc.collections.push_back(b.collections.size());
    b.collections.push_back(std::move(c));
  }
}


// Random terms for the peers (peer-gone has none), handed to the engine through its loader.
void MakeTerms(std::mt19937_64& rng, Batch& b, Scenario& sc) {
  b.terms->clear();
  for (const char* origin : {kOrigins[0], kOrigins[1]}) {
    OracleTerms t{static_cast<Level>(rng() % 5), rng() % 3 != 0, static_cast<Level>(rng() % 5)};
    sc.terms[origin] = t;
    b.terms->push_back({origin, static_cast<stix::Tlp>(t.default_tlp), t.may_forward,
                        static_cast<stix::Tlp>(t.forward_max)});
  }
  // The terms live outside the store here, so no generation announces them: reload.
  ASSERT_TRUE(b.engine->Reload().ok());
}

// Random agreements among the scenario's collections, applied declaratively (which also ends the
// previous scenario's agreements: the names are reused).
void MakeAgreements(std::mt19937_64& rng, Batch& b, Scenario& sc) {
  std::vector<std::pair<std::string, std::string>> collections;  // (id, owner)
  for (size_t ci : sc.collections) {
    collections.emplace_back(b.collections[ci].id, b.collections[ci].owner);
  }
  std::vector<policy::Agreement> desired;
  for (auto& g : RandomAgreements(rng, collections, sc.now, /*ends_after_us=*/1)) {
    desired.push_back(std::move(g.agreement));
    sc.agreements.push_back(std::move(g.oracle));
  }
  auto report = b.service->Apply(desired, "", "property-test", false);
  ASSERT_TRUE(report.ok()) << report.status().message();
}

// ---- Reading through the API and comparing -------------------------------------------------

struct Checker {
  Batch& b;
  const Oracle& oracle;
  const Scenario& sc;
  int64_t now;
  int64_t checks = 0;

  taxii::HttpResponse Get(int user, const std::string& target, bool tls) {
    taxii::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.accept = "application/taxii+json;version=2.1";
    r.authorization = BasicAuth(UserName(user), kPassword);
    r.over_tls = tls;
    ++checks;
    return b.api->Handle(r);
  }

  // Follows `next` until `more` is false; collects (id, version, created_by_ref) triples.
  using Triple = std::tuple<std::string, std::string, std::string>;
  std::optional<std::vector<Triple>> Paged(int user, const std::string& base, bool tls,
                                           const char* list_key, int* status) {
    std::vector<Triple> out;
    std::string next;
    for (int guard = 0; guard < 100; ++guard) {
      const std::string sep = base.find('?') == std::string::npos ? "?" : "&";
      auto resp = Get(user, base + (next.empty() ? "" : sep + "next=" + next), tls);
      *status = resp.status;
      if (resp.status != 200) return std::nullopt;
      json::value v = json::parse(resp.body);
      const json::object& o = v.as_object();
      if (const json::value* items = o.if_contains(list_key)) {
        for (const auto& item : items->as_array()) {
          if (item.is_string()) {
            out.emplace_back("", std::string(item.as_string()), "");
            continue;
          }
          const json::object& io = item.as_object();
          std::string version = io.contains("modified") ? std::string(io.at("modified").as_string())
                                                        : std::string(io.at("version").as_string());
          std::string by = io.contains("created_by_ref")
                               ? std::string(io.at("created_by_ref").as_string()) : "";
          out.emplace_back(std::string(io.at("id").as_string()), version, by);
        }
      }
      const json::value* more = o.if_contains("more");
      if (!more || !more->as_bool()) return out;
      next = std::string(o.at("next").as_string());
    }
    ADD_FAILURE() << "paging did not end: " << base;
    return out;
  }

  std::string Describe(int user, bool tls, const OracleCollection& c) const {
    std::string s = "user" + std::to_string(user) + " tls=" + (tls ? "1" : "0") + " collection " +
                    c.id + " owner " + c.owner + " default " + c.default_tlp + " now " +
                    std::to_string(now) + "\nagreements:";
    for (const auto& a : sc.agreements) {
      s += "\n  " + a.provider + " -> {";
      for (const auto& r : a.recipients) s += r + " ";
      s += "} red {";
      for (const auto& r : a.red) s += r + " ";
      s += "} max " + std::string(kLevelNames[a.max_tlp]) + " window [" +
           std::to_string(a.from_us) + "," + std::to_string(a.until_us) + ") enc " +
           std::to_string(a.must_encrypt) + " colls " + std::to_string(a.collections.size());
    }
    s += "\nterms:";
    for (const auto& [origin, t] : sc.terms) {
      s += "\n  " + origin + ": default " + kLevelNames[t.default_tlp] + " may_forward " +
           std::to_string(t.may_forward) + " max " + kLevelNames[t.forward_max];
    }
    s += "\nversions:";
    for (const auto& v : c.versions) {
      s += "\n  " + v.id + " " + v.modified + " origin '" + v.origin + "' refs";
      for (const auto& r : v.refs) s += " " + r.substr(r.size() - 4);
      s += " granular";
      for (const auto& r : v.granular) s += " " + r.substr(r.size() - 4);
    }
    return s;
  }

  void CheckUser(int user, bool tls) {
    const std::string org = OrgId(user);
    // The collections list: exactly the visible ones of this batch, with the right flags.
    auto list = Get(user, "/api/collections/", tls);
    ASSERT_EQ(list.status, 200);
    std::map<std::string, std::pair<bool, bool>> listed;
    json::value lv = json::parse(list.body);
    if (const json::value* cs = lv.as_object().if_contains("collections")) {
      for (const auto& c : cs->as_array()) {
        const json::object& o = c.as_object();
        listed[std::string(o.at("id").as_string())] = {o.at("can_read").as_bool(),
                                                       o.at("can_write").as_bool()};
      }
    }
    std::map<std::string, std::pair<bool, bool>> expected_list;
    for (const auto& c : b.collections) {
      if (auto g = oracle.Access(UserName(user), org, c, now, sc.agreements)) {
        expected_list[c.id] = {g->can_read, g->can_write};
      }
    }
    ASSERT_EQ(listed, expected_list) << "collections list for user" << user;

    for (size_t ci : sc.collections) CheckCollection(user, tls, b.collections[ci]);
  }

  void CheckCollection(int user, bool tls, const OracleCollection& c) {
    const std::string org = OrgId(user);
    const std::string base = "/api/collections/" + c.id + "/";
    auto access = oracle.Access(UserName(user), org, c, now, sc.agreements);
    const int denied = !access ? 404 : (!access->can_read ? 403 : 200);
    EXPECT_EQ(Get(user, base, tls).status, access ? 200 : 404) << Describe(user, tls, c);

    // Expected visible versions and their delivered creator.
    std::vector<Triple> all_expected, latest_expected;
    std::map<std::string, const OracleVersion*> latest;
    for (const auto& v : c.versions) {
      auto& slot = latest[v.id];
      if (!slot || v.modified > slot->modified) slot = &v;
    }
    std::map<std::string, std::vector<Triple>> per_object;
    for (const auto& v : c.versions) {
      bool anonymize = false;
      if (!oracle.Visible(org, c, v, now, tls, sc.agreements, sc.terms, &anonymize)) continue;
      Triple t{v.id, v.modified, anonymize ? kAnonymous : v.created_by};
      all_expected.push_back(t);
      per_object[v.id].push_back(t);
      if (latest[v.id] == &v) latest_expected.push_back({v.id, v.modified, ""});
    }
    const int limit = 1 + static_cast<int>(checks % 3);
    const std::string lim = "limit=" + std::to_string(limit);
    int status = 0;

    auto objects = Paged(user, base + "objects/?match[version]=all&" + lim, tls, "objects", &status);
    if (denied != 200) {
      EXPECT_EQ(status, denied) << Describe(user, tls, c);
    } else {
      ASSERT_TRUE(objects.has_value()) << status;
      EXPECT_EQ(*objects, all_expected) << "objects path\n" << Describe(user, tls, c);
    }
    auto manifest = Paged(user, base + "manifest/?" + lim, tls, "objects", &status);
    if (denied != 200) {
      EXPECT_EQ(status, denied);
    } else {
      ASSERT_TRUE(manifest.has_value());
      std::vector<Triple> got;
      for (auto& [id, version, by] : *manifest) got.emplace_back(id, version, "");
      // The manifest's version is the TAXII timestamp form; compare ids and order only, and
      // versions through the objects path above.
      std::vector<std::string> got_ids, want_ids;
      for (auto& t : got) got_ids.push_back(std::get<0>(t));
      for (auto& t : latest_expected) want_ids.push_back(std::get<0>(t));
      EXPECT_EQ(got_ids, want_ids) << "manifest path\n" << Describe(user, tls, c);
    }
    // The per-object paths for two of the objects (rotating), to keep the run short.
    size_t k = 0;
    const size_t start = static_cast<size_t>(checks) % latest.size();
    for (const auto& [id, v] : latest) {
      const size_t pos = k++;
      if ((pos + latest.size() - start) % latest.size() >= 2) continue;
      const auto it = per_object.find(id);
      auto one = Paged(user, base + "objects/" + id + "/?match[version]=all&" + lim, tls,
                       "objects", &status);
      auto versions = Paged(user, base + "objects/" + id + "/versions/?" + lim, tls, "versions",
                            &status);
      if (denied != 200) {
        EXPECT_EQ(status, denied);
        continue;
      }
      if (it == per_object.end()) {
        EXPECT_FALSE(one.has_value()) << "object path leaks " << id << "\n" << Describe(user, tls, c);
        EXPECT_EQ(status, 404);
        continue;
      }
      ASSERT_TRUE(one.has_value()) << "object path denies " << id << "\n" << Describe(user, tls, c);
      EXPECT_EQ(*one, it->second) << "object path\n" << Describe(user, tls, c);
      ASSERT_TRUE(versions.has_value());
      EXPECT_EQ(versions->size(), it->second.size()) << "versions path\n" << Describe(user, tls, c);
    }
  }
};

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

TEST_F(PropertyTest, NoLeakNoWrongfulDenialOnAnyReadPath) {
  const int64_t scenarios = EnvInt("TABADUL_POLICY_SCENARIOS", 10000);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("TABADUL_POLICY_SEED", 20240901));
  constexpr int kScenariosPerBatch = 25;
  std::mt19937_64 rng(seed);
  const auto markings = UserMarkings();
  std::vector<std::string> ref_pool;
  for (const auto& [id, level] : kStandardTlp) ref_pool.push_back(id);
  for (const auto& m : markings) ref_pool.push_back(m.id);
  ref_pool.push_back("marking-definition--a0000000-0000-4000-8000-0000000000ff");  // nobody's

  int64_t requests = 0;
  std::optional<Batch> batch;
  std::optional<Oracle> oracle;
  for (int64_t s = 0; s < scenarios; ++s) {
    if (s % kScenariosPerBatch == 0) {
      oracle.reset();
      batch.reset();
      batch.emplace(NewBatch(static_cast<int>((s / kScenariosPerBatch) % 2), rng, markings));
      if (HasFatalFailure() || HasFailure()) return;
      oracle.emplace(batch->published);
    }
    clock_.Advance(1'000'000);
    Scenario sc;
    sc.now = clock_.NowMicros();
    MakeCollections(rng, *batch, sc, ref_pool, sc.now);
    MakeTerms(rng, *batch, sc);
    MakeAgreements(rng, *batch, sc);
    if (HasFatalFailure()) return;
    Checker checker{*batch, *oracle, sc, sc.now};
    for (int user = 0; user < kOrgs; ++user) {
      checker.CheckUser(user, rng() % 2 == 0);
      if (HasFailure()) {
        FAIL() << "scenario " << s << " (seed " << seed << ") failed; rerun with "
               << "TABADUL_POLICY_SEED=" << seed;
      }
    }
    requests += checker.checks;
  }
  std::printf("%lld scenarios, %lld requests compared with the oracle\n",
              static_cast<long long>(scenarios), static_cast<long long>(requests));
}

}  // namespace
}  // namespace tabadul
