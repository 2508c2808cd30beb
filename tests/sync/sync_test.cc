// Federation between real tabadul instances on 127.0.0.1: pull, push, chains, updates,
// revocations, deletions, and recovery from faults (a killed puller, 500s, 429s, cut
// connections, malformed pages, servers that page only by added_after or treat it inclusively).
// Every test ends by checking that both sides hold exactly the same object versions.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <thread>

#include "cli/runtime.h"
#include "common/timestamp.h"
#include "policy/agreement_service.h"
#include "instance.h"
#include "taxii/errors.h"

namespace tabadul::sync::testing {
namespace {

std::vector<std::string> Indicators(int from, int to, const std::string& marking = "") {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(Indicator(i, "2024-01-01T00:00:00.000Z", false, marking));
  return out;
}

void RunOk(Instance& at, const std::string& peer = "", bool repair = false) {
  auto outcomes = at.service().Run(peer, repair);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  for (const auto& o : *outcomes) {
    EXPECT_TRUE(o.status.ok()) << "subscription " << o.subscription.id << ": "
                               << o.status.ToString();
  }
}

TEST(SyncTest, PullCopiesEveryVersionWithProvenanceAndResumes) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("shared"), cb = b.NewCollection("from alpha");
  a.Post(ca, Indicators(0, 120));
  int64_t sub = b.Subscribe(a, Direction::kPull, ca, cb);
  RunOk(b);
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  EXPECT_EQ(b.Count(cb), 120u);
  // Provenance: every pulled version names the peer.
  for (const auto& v : b.Versions(cb, true)) EXPECT_NE(v.find("|from:alpha"), std::string::npos);

  // Updates and revocations arrive as new versions; nothing is fetched twice.
  a.Post(ca, {Indicator(3, "2024-02-01T00:00:00.000Z"), Indicator(4, "2024-02-01T00:00:00.000Z", true)});
  auto again = b.service().Run();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_TRUE((*again)[0].status.ok());
  EXPECT_EQ((*again)[0].report.stored, 2);
  EXPECT_EQ((*again)[0].report.duplicates, 0);
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  EXPECT_TRUE(b.Versions(cb).count(IndicatorId(4) + "|2024-02-01T00:00:00.000Z|revoked"));

  // Status: last success and the cursor are recorded.
  auto st = b.registry().GetStatus(sub);
  ASSERT_TRUE(st.ok());
  EXPECT_GT(st->last_success_us, 0);
  EXPECT_EQ(st->objects_total, 122);
  EXPECT_FALSE(st->cursor.empty());
}

TEST(SyncTest, PushBothWaysAndDeletionsPropagate) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("a-local"), ca_in = a.NewCollection("from bravo");
  std::string cb = b.NewCollection("b-local"), cb_in = b.NewCollection("from alpha");
  a.Post(ca, Indicators(0, 60));
  b.Post(cb, Indicators(1000, 1075));
  a.Subscribe(b, Direction::kPush, cb_in, ca);  // alpha pushes ca -> bravo's cb_in
  b.Subscribe(a, Direction::kPush, ca_in, cb);  // bravo pushes cb -> alpha's ca_in
  RunOk(a);
  RunOk(b);
  EXPECT_EQ(b.Versions(cb_in), a.Versions(ca));
  EXPECT_EQ(a.Versions(ca_in), b.Versions(cb));

  // A deletion at the source is sent to the remote by the next push.
  auto n = a.store().DeleteObject(ca, IndicatorId(5), store::VersionMatch{.all = true});
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, 1);
  a.Post(ca, {Indicator(6, "2024-03-01T00:00:00.000Z")});
  auto outcomes = a.service().Run();
  ASSERT_TRUE(outcomes.ok());
  EXPECT_EQ((*outcomes)[0].report.deletions, 1);
  EXPECT_EQ((*outcomes)[0].report.pushed, 1);
  EXPECT_EQ(b.Versions(cb_in), a.Versions(ca));
}

TEST(SyncTest, RepairRemovesWhatTheRemoteDeletedAndFetchesWhatIsMissing) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("shared"), cb = b.NewCollection("from alpha");
  std::string local = b.NewCollection("unrelated");
  a.Post(ca, Indicators(0, 40));
  b.Subscribe(a, Direction::kPull, ca, cb);
  RunOk(b);
  // Alpha deletes two versions; bravo loses one (a divergence only repair can see).
  ASSERT_TRUE(a.store().DeleteObject(ca, IndicatorId(1), store::VersionMatch{.all = true}).ok());
  ASSERT_TRUE(a.store().DeleteObject(ca, IndicatorId(2), store::VersionMatch{.all = true}).ok());
  ASSERT_TRUE(b.store().DeleteObject(cb, IndicatorId(3), store::VersionMatch{.all = true}).ok());
  // A version bravo posted itself into the pulled collection is not the peer's to remove.
  b.Post(cb, {Indicator(7000)});
  b.Post(local, {Indicator(7001)});
  auto outcomes = b.service().Run("", /*repair=*/true);
  ASSERT_TRUE(outcomes.ok());
  ASSERT_TRUE((*outcomes)[0].status.ok()) << (*outcomes)[0].status.ToString();
  EXPECT_EQ((*outcomes)[0].report.repair_removed, 2);
  EXPECT_EQ((*outcomes)[0].report.repair_fetched, 1);
  auto expected = a.Versions(ca);
  expected.insert(IndicatorId(7000) + "|2024-01-01T00:00:00.000Z");
  EXPECT_EQ(b.Versions(cb), expected);
  auto st = b.registry().GetStatus((*outcomes)[0].subscription.id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->repaired_total, 3);
}

// Bravo runs on the runtime that `tabadul serve` and `tabadul sync` both open (cli::Runtime):
// its pushes pass the visibility rule for the peer's organization and are recorded.
TEST(SyncTest, PushesPassTheGateAndWhatCameFromAPeerIsNotForwarded) {
  Instance a("alpha"), b("bravo"), c("charlie");
  std::string ca = a.NewCollection("alpha intel");           // AMBER by default, unmarked objects
  std::string cb = b.NewCollection("bravo hub", "clear");    // bravo's default: CLEAR
  std::string cc = c.NewCollection("from bravo");
  a.Post(ca, Indicators(0, 30));
  b.Post(cb, Indicators(100, 110));                     // bravo's own, CLEAR by default
  b.Post(cb, Indicators(200, 203, TlpRed()));           // bravo's own, RED: never pushed
  b.Post(cb, Indicators(300, 302, TlpGreen()));
  b.Subscribe(a, Direction::kPull, ca, cb);
  b.Subscribe(c, Direction::kPush, cc, cb);
  auto opened = cli::Runtime::Open({.data_dir = b.dir()}, b.clock());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  cli::Runtime& rt = **opened;
  auto pulled = rt.sync().Run("alpha");
  ASSERT_TRUE(pulled.ok() && (*pulled)[0].status.ok());
  EXPECT_EQ(b.Count(cb), 30u + 10 + 3 + 2);

  // No agreement from bravo to charlie's organization: nothing goes, whatever the subscription.
  auto none = rt.sync().Run("charlie");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)[0].report.pushed, 0);
  EXPECT_TRUE(c.Versions(cc).empty());

  // An agreement up to GREEN: bravo's own CLEAR and GREEN objects go; its RED ones do not, nor
  // alpha's, which arrived unmarked from an AMBER collection and were made AMBER on arrival
  // (and came from a peer whose terms do not let bravo pass them on).
  ASSERT_TRUE(b.store().CreateOrganization({c.org_id(), "charlie-org", kStartMicros}).ok());
  policy::AgreementService agreements(rt.engine());
  policy::Agreement g;
  g.name = "bravo-to-charlie";
  g.provider_org = b.org_id();
  g.recipients = {c.org_id()};
  g.collections = {cb};
  g.max_tlp = stix::Tlp::kGreen;
  ASSERT_TRUE(agreements.Add(g, "test").ok());
  auto outcomes = rt.sync().Run("charlie");
  ASSERT_TRUE(outcomes.ok());
  ASSERT_TRUE((*outcomes)[0].status.ok()) << (*outcomes)[0].status.ToString();
  std::set<std::string> expected;
  for (int i = 100; i < 110; ++i) expected.insert(IndicatorId(i) + "|2024-01-01T00:00:00.000Z");
  for (int i = 300; i < 302; ++i) expected.insert(IndicatorId(i) + "|2024-01-01T00:00:00.000Z");
  EXPECT_EQ(c.Versions(cc), expected);
  // Every pushed version is in bravo's disclosure log, under the agreement.
  ASSERT_TRUE(rt.log().Flush().ok());
  auto who = rt.log().WhoReceived(IndicatorId(100));
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  ASSERT_EQ(who->size(), 1u);
  auto red = rt.log().WhoReceived(IndicatorId(200));
  ASSERT_TRUE(red.ok());
  EXPECT_TRUE(red->empty());

  // Deleting a RED object (never delivered) sends nothing; deleting a delivered one does.
  ASSERT_TRUE(b.store().DeleteObject(cb, IndicatorId(200), store::VersionMatch{.all = true}).ok());
  ASSERT_TRUE(b.store().DeleteObject(cb, IndicatorId(100), store::VersionMatch{.all = true}).ok());
  int64_t before = c.requests();
  auto again = rt.sync().Run("charlie");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].report.deletions, 1);
  // Discovery, then exactly one DELETE: no request ever names the RED object.
  EXPECT_EQ(c.requests() - before, 2);
  expected.erase(IndicatorId(100) + "|2024-01-01T00:00:00.000Z");
  EXPECT_EQ(c.Versions(cc), expected);
}

TEST(SyncTest, ACustomPushFilterAndDisclosureAreHonoured) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("a"), cb = b.NewCollection("b");
  a.Post(ca, Indicators(0, 20));
  Instance::TestGate gate([](const store::ObjectRow& r) {
    // The agreement a row goes under reaches the sink's record.
    return gate::Verdict{r.id < IndicatorId(10), r.id < IndicatorId(5) ? "first-five@v1" : ""};
  });
  Instance::TestSink sink;
  SyncHooks hooks{&gate, &sink};
  SyncService service(a.store(), a.pipeline(), a.registry(), a.clock(), hooks,
                      Instance::FastOptions(4));
  a.Subscribe(b, Direction::kPush, cb, ca);
  auto outcomes = service.Run();
  ASSERT_TRUE(outcomes.ok());
  ASSERT_TRUE((*outcomes)[0].status.ok()) << (*outcomes)[0].status.ToString();
  EXPECT_EQ(b.Count(cb), 10u);
  ASSERT_EQ(sink.received.size(), 10u);
  EXPECT_EQ(sink.received[0], b.org_id() + " " + IndicatorId(0) + " first-five@v1");
  EXPECT_EQ(sink.received[9], b.org_id() + " " + IndicatorId(9) + " ");
}

// The puller is a forked child killed at a seeded random moment; the parent resumes. Repeated
// with several seeds: after each resume the two collections hold exactly the same versions,
// and the pulled collection holds no version twice.
TEST(SyncTest, KilledPullerResumesWithoutLossOrDuplicates) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("big"), cb = b.NewCollection("copy");
  std::vector<std::string> objs = Indicators(0, 2000);
  a.Post(ca, objs);
  b.Subscribe(a, Direction::kPull, ca, cb);
  {
    // Warm alpha's credential cache (argon2 is slow) so the child's run starts at once.
    ClientOptions o = Instance::FastOptions().client;
    o.credentials = {Credentials::Kind::kBasic, "sync", kPassword};
    ASSERT_TRUE(TaxiiClient::Create(a.url(), o).value()->Discover().ok());
  }
  std::mt19937 rng(20240601);
  for (int round = 0; round < 3; ++round) {
    // New versions for the next round, so every round has work to interrupt.
    if (round > 0) {
      std::vector<std::string> updates;
      for (int i = 0; i < 500; ++i) {
        updates.push_back(Indicator(i * 3 + round, "2024-0" + std::to_string(round + 1) +
                                                       "-01T00:00:00.000Z"));
      }
      a.Post(ca, updates);
    }
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child opens its own connections to bravo's database and pulls with small pages.
      auto store = store::SqliteStore::Open(b.dir() + "/tabadul.db");
      auto registry = PeerRegistry::Open(b.dir() + "/tabadul.db");
      if (!store.ok() || !registry.ok()) _exit(3);
      FakeClock clock(kStartMicros);
      intake::Pipeline pipeline(**store, clock);
      SyncService child(**store, pipeline, **registry, clock, {}, Instance::FastOptions(25));
      auto r = child.Run();
      _exit(r.ok() ? 0 : 4);
    }
    int delay_ms = std::uniform_int_distribution<int>(10, 150)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    size_t partial = b.Count(cb);
    std::printf("  round %d: puller killed after %d ms holding %zu of %zu rows\n", round,
                delay_ms, partial, a.Count(ca));
    RunOk(b);
    EXPECT_EQ(b.Versions(cb), a.Versions(ca)) << "round " << round << " killed after "
                                              << delay_ms << " ms with " << partial << " rows";
    EXPECT_EQ(b.Count(cb), a.Count(ca));
  }
}

TEST(SyncTest, RecoversFrom500sAnd429sCutConnectionsAndAMalformedPage) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("flaky"), cb = b.NewCollection("copy");
  a.Post(ca, Indicators(0, 400));
  b.Subscribe(a, Direction::kPull, ca, cb);
  std::atomic<int> n{0};
  Faults f;
  f.before = [&](const taxii::HttpRequest& r) -> std::optional<taxii::HttpResponse> {
    int i = n++;
    if (i % 7 == 2) return taxii::ErrorResponse(Internal("injected"), "application/json");
    if (i % 7 == 4) {
      auto resp = taxii::ErrorResponse(ResourceExhausted("slow down"), "application/json");
      resp.status = 429;
      resp.headers.emplace_back("Retry-After", "1");
      return resp;
    }
    if (i % 11 == 6) {
      // Longer than the client's timeout: the client gives up on this connection and retries.
      std::this_thread::sleep_for(std::chrono::milliseconds(2300));
    }
    return std::nullopt;
  };
  f.after = [&](const taxii::HttpRequest& r, taxii::HttpResponse& resp) {
    // One page cut in the middle of its JSON: refused whole, cursor unchanged.
    static std::atomic<bool> done{false};
    if (r.target.find("/objects/") != std::string::npos && resp.body.size() > 100 &&
        !done.exchange(true)) {
      resp.body.resize(resp.body.size() / 2);
    }
  };
  a.set_faults(f);
  // Runs until one succeeds completely (the scheduler would do the same).
  bool ok = false;
  for (int attempt = 0; attempt < 20 && !ok; ++attempt) {
    auto outcomes = b.service().Run();
    ASSERT_TRUE(outcomes.ok());
    ok = (*outcomes)[0].status.ok();
  }
  EXPECT_TRUE(ok);
  a.set_faults({});
  RunOk(b);
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  auto st = b.registry().GetStatus(1);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->consecutive_errors, 0);
}

TEST(SyncTest, PushSurvivesARemoteThatFailsMidway) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("src"), cb = b.NewCollection("dst");
  a.Post(ca, Indicators(0, 300));
  a.Subscribe(b, Direction::kPush, cb, ca);
  std::atomic<int> posts{0};
  Faults f;
  f.before = [&](const taxii::HttpRequest& r) -> std::optional<taxii::HttpResponse> {
    if (r.method == "POST" && ++posts >= 3) {
      return taxii::ErrorResponse(Internal("remote down"), "application/json");
    }
    return std::nullopt;
  };
  b.set_faults(f);
  auto outcomes = a.service().Run();
  ASSERT_TRUE(outcomes.ok());
  EXPECT_FALSE((*outcomes)[0].status.ok());
  size_t partial = b.Count(cb);
  EXPECT_GT(partial, 0u);
  EXPECT_LT(partial, 300u);
  b.set_faults({});
  RunOk(a);
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  auto states = a.service().States();
  ASSERT_TRUE(states.ok());
  EXPECT_TRUE((*states)[0].status.last_error.empty());
}

// A fake remote backed by a real store: pages by added_after only (never a `next`), and
// optionally treats added_after as inclusive (>=), repeating the boundary row.
taxii::Handler AddedAfterOnlyRemote(store::Store* store, bool inclusive, size_t max_limit) {
  return [=](const taxii::HttpRequest& r) {
    taxii::HttpResponse resp;
    resp.content_type = "application/taxii+json;version=2.1";
    size_t q = r.target.find('?');
    std::string path = r.target.substr(0, q);
    std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
    if (path.find("/objects/") == std::string::npos) {
      resp.status = 404;
      return resp;
    }
    std::string coll = path.substr(path.find("collections/") + 12, 36);
    int64_t after = -1;
    size_t limit = max_limit;
    for (size_t pos = 0; pos < query.size();) {
      size_t amp = query.find('&', pos);
      if (amp == std::string::npos) amp = query.size();
      std::string kv = query.substr(pos, amp - pos);
      if (kv.rfind("added_after=", 0) == 0) {
        std::string v = kv.substr(12);
        for (size_t i; (i = v.find("%3A")) != std::string::npos;) v.replace(i, 3, ":");
        after = ParseTimestamp(v).value().nanos / 1000;
        if (inclusive) after -= 1;
      } else if (kv.rfind("limit=", 0) == 0) {
        limit = std::min<size_t>(limit, std::stoul(kv.substr(6)));
      }
      pos = amp + 1;
    }
    store::ObjectQuery oq;
    oq.collection_id = coll;
    oq.added_after_us = after;
    oq.versions = store::VersionMatch{.all = true};
    oq.with_json = true;
    oq.limit = limit;
    auto page = store->QueryObjects(oq, nullptr);
    std::string body = std::string("{\"more\":") + (page->more ? "true" : "false") + ",\"objects\":[";
    for (size_t i = 0; i < page->rows.size(); ++i) body += (i ? "," : "") + page->rows[i].json;
    body += "]}";
    int64_t last = page->rows.empty() ? std::max<int64_t>(after, 0) : page->rows.back().date_added_us;
    resp.headers.emplace_back("X-TAXII-Date-Added-Last", FormatTaxiiTimestamp(last));
    resp.body = body;
    return resp;
  };
}

TEST(SyncTest, PagesByAddedAfterWhenTheServerGivesNoNext) {
  store::SqliteStore* backing = nullptr;
  Instance a("alpha", [&](const taxii::HttpRequest& r) {
    return AddedAfterOnlyRemote(backing, false, 1000)(r);
  });
  backing = &a.store();
  Instance b("bravo");
  std::string ca = a.NewCollection("x"), cb = b.NewCollection("y");
  a.Post(ca, Indicators(0, 230));
  Peer p = b.PeerFor(a, "alpha");
  p.api_root = "/api/";
  ASSERT_TRUE(b.service().AddPeer(p).ok());
  ASSERT_TRUE(b.service().Subscribe({0, "alpha", Direction::kPull, ca, cb, 0}).ok());
  RunOk(b);
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  a.Post(ca, Indicators(230, 260));
  RunOk(b);
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
}

TEST(SyncTest, AnInclusiveServerNeitherLoopsNorLosesRows) {
  store::SqliteStore* backing = nullptr;
  Instance a("alpha", [&](const taxii::HttpRequest& r) {
    return AddedAfterOnlyRemote(backing, true, 60)(r);
  });
  backing = &a.store();
  Instance b("bravo");
  std::string ca = a.NewCollection("x"), cb = b.NewCollection("y");
  a.Post(ca, Indicators(0, 230));
  Peer p = b.PeerFor(a, "alpha");
  p.api_root = "/api/";
  ASSERT_TRUE(b.service().AddPeer(p).ok());
  ASSERT_TRUE(b.service().Subscribe({0, "alpha", Direction::kPull, ca, cb, 0}).ok());
  int64_t before = a.requests();
  auto outcomes = b.service().Run();
  ASSERT_TRUE(outcomes.ok());
  ASSERT_TRUE((*outcomes)[0].status.ok()) << (*outcomes)[0].status.ToString();
  EXPECT_LT(a.requests() - before, 20);  // 230 rows / 50 per page, plus the repeats
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  EXPECT_EQ((*outcomes)[0].report.stored, 230);
  // The repeated boundary rows are duplicates, never second copies.
  EXPECT_GT((*outcomes)[0].report.duplicates, 0);
  EXPECT_EQ(b.Count(cb), 230u);
  // A second run finds nothing new and terminates.
  before = a.requests();
  RunOk(b);
  EXPECT_LE(a.requests() - before, 2);
}

}  // namespace
}  // namespace tabadul::sync::testing
