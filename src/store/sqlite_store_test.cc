#include "store/sqlite_store.h"

#include "store/sqlite_agreements.h"

#include <gtest/gtest.h>
#include <thread>

#include <filesystem>
#include <set>

namespace tabadul::store {
namespace {

namespace fs = std::filesystem;

stix::StixObject Obj(const std::string& id, int64_t version_ns, bool revoked = false) {
  stix::StixObject o;
  o.id = id;
  o.type = id.substr(0, id.find("--"));
  o.spec_version = "2.1";
  o.created = "2020-01-01T00:00:00.000Z";
  o.created_ns = 1;
  o.modified = "v" + std::to_string(version_ns);
  o.modified_ns = version_ns;
  o.revoked = revoked;
  o.labels = {"a", "b"};
  o.json = "{\"id\":\"" + id + "\",\"v\":" + std::to_string(version_ns) +
           (revoked ? ",\"revoked\":true}" : "}");
  return o;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tabadul-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open((dir_ / "tabadul.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateOrganization({"identity--00000000-0000-4000-8000-000000000001",
                                            "acme", 1}).ok());
    ASSERT_TRUE(store_->CreateCollection({"c1", "One", "", "", "acme", "amber", 1}).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<ObjectRow> All(ObjectQuery q) {
    std::vector<ObjectRow> out;
    while (true) {
      auto page = store_->QueryObjects(q, nullptr);
      EXPECT_TRUE(page.ok());
      for (auto& r : page->rows) out.push_back(r);
      if (!page->more) break;
      q.added_after_us = page->rows.back().date_added_us;
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, MintsStrictlyIncreasingDateAddedWithinOneMicrosecond) {
  std::vector<stix::StixObject> batch;
  for (int i = 0; i < 2000; ++i) {
    batch.push_back(Obj("indicator--00000000-0000-4000-8000-" + std::to_string(100000000000 + i),
                        1000));
  }
  auto out = store_->PutObjects("c1", batch, /*now_us=*/5);
  ASSERT_TRUE(out.ok());
  // A second batch at an earlier clock still comes strictly after the first.
  auto out2 = store_->PutObjects("c1", std::span(batch).first(1), /*now_us=*/1);
  ASSERT_TRUE(out2.ok());
  EXPECT_EQ((*out2)[0].kind, PutOutcome::Kind::kDuplicate);
  std::set<int64_t> seen;
  for (auto& o : *out) {
    EXPECT_EQ(o.kind, PutOutcome::Kind::kAdded);
    EXPECT_TRUE(seen.insert(o.date_added_us).second);
  }
  ObjectQuery q;
  q.collection_id = "c1";
  q.limit = 7;
  auto rows = All(q);
  ASSERT_EQ(rows.size(), 2000u);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_LT(rows[i - 1].date_added_us, rows[i].date_added_us);
}

TEST_F(SqliteStoreTest, VersionsFirstLastAllExact) {
  const std::string id = "malware--00000000-0000-4000-8000-000000000001";
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj(id, 200)}, 10).ok());
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj(id, 300)}, 10).ok());
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj(id, 100)}, 10).ok());  // late arrival
  ObjectQuery q;
  q.collection_id = "c1";
  auto last = All(q);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].version_ns, 300);
  q.versions = {.all = false, .first = true, .last = false, .exact_ns = {}};
  auto first = All(q);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].version_ns, 100);
  q.versions = {.all = true};
  EXPECT_EQ(All(q).size(), 3u);
  q.versions = {.all = false, .first = false, .last = false, .exact_ns = {200, 999}};
  auto exact = All(q);
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact[0].version_ns, 200);
}

TEST_F(SqliteStoreTest, ImmutableVersionsAndRevocation) {
  const std::string id = "indicator--00000000-0000-4000-8000-000000000002";
  auto a = Obj(id, 100);
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{a}, 10).ok());
  auto changed = a;
  changed.json = "{\"different\":true}";
  auto r = store_->PutObjects("c1", std::vector{changed}, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].kind, PutOutcome::Kind::kRefused);
  EXPECT_NE((*r)[0].message.find("immutable"), std::string::npos);

  auto reformatted = a;
  reformatted.json = "{ \"v\": 100,\n  \"id\": \"" + id + "\" }";  // same object, other bytes
  auto same = store_->PutObjects("c1", std::vector{reformatted}, 10);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)[0].kind, PutOutcome::Kind::kDuplicate);

  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj(id, 200, /*revoked=*/true)}, 10).ok());
  auto after = store_->PutObjects("c1", std::vector{Obj(id, 300)}, 10);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].kind, PutOutcome::Kind::kRefused);
  EXPECT_NE((*after)[0].message.find("revoked"), std::string::npos);
}

TEST_F(SqliteStoreTest, FilterAppliesBeforeLimit) {
  std::vector<stix::StixObject> batch;
  for (int i = 0; i < 50; ++i) {
    batch.push_back(Obj("indicator--00000000-0000-4000-8000-" + std::to_string(100000000000 + i), 1));
  }
  ASSERT_TRUE(store_->PutObjects("c1", batch, 1).ok());
  ObjectQuery q;
  q.collection_id = "c1";
  q.limit = 5;
  int calls = 0;
  RowFilter odd = [&](const ObjectRow& r) { ++calls; return (r.id.back() - '0') % 2 == 1; };
  auto page = store_->QueryObjects(q, odd);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows.size(), 5u);
  EXPECT_TRUE(page->more);
  for (auto& r : page->rows) EXPECT_EQ((r.id.back() - '0') % 2, 1);
}

// ScanObjects hands over the same page as QueryObjects, row by row: same rows and fields, the
// JSON as a view, the filter before the limit, and `more`. Rows are read into one reused
// ObjectRow, so lists that shrink and fields the visitor changed must not leak into the next row.
TEST_F(SqliteStoreTest, ScanObjectsHandsOverTheSamePageAsQueryObjects) {
  std::vector<stix::StixObject> batch;
  for (int i = 0; i < 30; ++i) {
    auto o = Obj("indicator--00000000-0000-4000-8000-" + std::to_string(100000000000 + i), 1);
    o.labels.assign(static_cast<size_t>(i % 4), "label-" + std::to_string(i));
    if (i % 3 == 0) o.object_marking_refs = {"marking-definition--x", "marking-definition--y"};
    if (i % 5 == 0) o.created_by_ref = "identity--00000000-0000-4000-8000-00000000000" +
                                       std::to_string(i % 10);
    batch.push_back(std::move(o));
  }
  ASSERT_TRUE(store_->PutObjects("c1", batch, 1).ok());
  RowFilter not_seven = [](const ObjectRow& r) {
    EXPECT_TRUE(r.json.empty());  // filters never see JSON (it is read after them)
    return r.id.back() != '7';
  };
  for (bool with_json : {true, false}) {
    for (size_t limit : {1u, 7u, 27u, 28u, 100u}) {
      ObjectQuery q;
      q.collection_id = "c1";
      q.with_json = with_json;
      q.limit = limit;
      auto page = store_->QueryObjects(q, not_seven);
      ASSERT_TRUE(page.ok());
      std::vector<ObjectRow> scanned;
      auto more = store_->ScanObjects(q, not_seven, [&](ObjectRow& row, std::string_view json) {
        EXPECT_TRUE(row.json.empty());
        scanned.push_back(row);
        scanned.back().json = std::string(json);
        // A visitor may change the row; the next row must not see it.
        row.labels.push_back("changed");
        row.created_by_ref = "identity--changed";
        row.json = "changed";
      });
      ASSERT_TRUE(more.ok());
      EXPECT_EQ(*more, page->more) << limit;
      ASSERT_EQ(scanned.size(), page->rows.size()) << limit;
      EXPECT_EQ(scanned.size(), std::min<size_t>(limit, 27));
      for (size_t i = 0; i < scanned.size(); ++i) {
        const ObjectRow& a = scanned[i];
        const ObjectRow& b = page->rows[i];
        EXPECT_EQ(a.collection_id, "c1");
        EXPECT_EQ(a.collection_id, b.collection_id);
        EXPECT_EQ(a.date_added_us, b.date_added_us);
        EXPECT_EQ(a.id, b.id);
        EXPECT_EQ(a.type, b.type);
        EXPECT_EQ(a.spec_version, b.spec_version);
        EXPECT_EQ(a.version, b.version);
        EXPECT_EQ(a.version_ns, b.version_ns);
        EXPECT_EQ(a.revoked, b.revoked);
        EXPECT_EQ(a.created_by_ref, b.created_by_ref);
        EXPECT_EQ(a.labels, b.labels);
        EXPECT_EQ(a.marking_refs, b.marking_refs);
        EXPECT_EQ(a.has_granular_markings, b.has_granular_markings);
        EXPECT_EQ(a.origin, b.origin);
        EXPECT_EQ(a.json, b.json);
        EXPECT_EQ(a.json.empty(), !with_json);
        const size_t n = std::stoul(a.id.substr(a.id.size() - 2));
        EXPECT_EQ(a.labels.size(), n % 4) << a.id;
        EXPECT_EQ(a.marking_refs.size(), n % 3 == 0 ? 2u : 0u) << a.id;
        EXPECT_EQ(a.created_by_ref.empty(), n % 5 != 0) << a.id;
      }
    }
  }
  // An unknown collection scans nothing.
  ObjectQuery none;
  none.collection_id = "nope";
  int visits = 0;
  auto more = store_->ScanObjects(none, nullptr, [&](ObjectRow&, std::string_view) { ++visits; });
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(visits, 0);
}

// Inside a read scope every read of the thread shares one connection. A lookup made while a
// page is being scanned (a hook checking something) must neither disturb the scan (the same
// query again, the same cached statement) nor end the scope's snapshot; and the scope really is
// one snapshot: a write committed meanwhile by another thread is not seen until it ends.
TEST_F(SqliteStoreTest, ReadScopeSharesOneSnapshotAndSurvivesNestedReads) {
  std::vector<stix::StixObject> batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back(Obj("indicator--00000000-0000-4000-8000-" + std::to_string(100000000000 + i), 1));
  }
  ASSERT_TRUE(store_->PutObjects("c1", batch, 1).ok());
  ObjectQuery q;
  q.collection_id = "c1";
  q.limit = 100;
  {
    auto scope = store_->BeginRead();
    ASSERT_NE(scope, nullptr);
    auto nested = store_->BeginRead();  // scopes nest
    std::vector<std::string> seen;
    auto more = store_->ScanObjects(q, nullptr, [&](ObjectRow& row, std::string_view) {
      seen.push_back(row.id);
      auto again = store_->QueryObjects(q, nullptr);  // the very same statement, re-entered
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(again->rows.size(), 20u);
      EXPECT_TRUE(store_->GetCollection("c1").ok());
    });
    ASSERT_TRUE(more.ok());
    EXPECT_EQ(seen.size(), 20u);  // each row once: the scan was not restarted
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 20u);
    nested.reset();
    std::thread writer([&] {
      std::vector<stix::StixObject> one = {Obj("indicator--00000000-0000-4000-8000-200000000000", 1)};
      ASSERT_TRUE(store_->PutObjects("c1", one, 2).ok());
    });
    writer.join();
    EXPECT_EQ(store_->QueryObjects(q, nullptr)->rows.size(), 20u);  // still the scope's snapshot
  }
  EXPECT_EQ(store_->QueryObjects(q, nullptr)->rows.size(), 21u);  // after it: the new object
}

TEST_F(SqliteStoreTest, DeleteRemovesVersionsAndFixesFlags) {
  const std::string id = "tool--00000000-0000-4000-8000-000000000003";
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj(id, 1), Obj(id, 2)}, 10).ok());
  auto n = store_->DeleteObject("c1", id, VersionMatch{.all = false, .first = false,
                                                       .last = true, .exact_ns = {}});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  ObjectQuery q;
  q.collection_id = "c1";
  auto rows = All(q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].version_ns, 1);  // the remaining version became the latest
  EXPECT_EQ(*store_->DeleteObject("c1", "tool--nope", VersionMatch{.all = true}), 0);
  auto deletions = store_->QueryDeletions("c1", 0, 10);
  ASSERT_TRUE(deletions.ok());
  ASSERT_EQ(deletions->size(), 1u);
  EXPECT_EQ((*deletions)[0].id, id);
  EXPECT_EQ((*deletions)[0].version_ns, 2);
  EXPECT_TRUE(store_->QueryDeletions("c1", (*deletions)[0].seq, 10)->empty());
}

TEST_F(SqliteStoreTest, UsersGrantsAndStatus) {
  ASSERT_TRUE(store_->CreateUser({"alice", "acme", Role::kPublisher, "hash", 1}).ok());
  EXPECT_EQ(store_->CreateUser({"alice", "acme", Role::kReader, "h", 1}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateUser({"bob", "nope", Role::kReader, "h", 1}).code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->GetGrant("alice", "c1")->can_read);
  ASSERT_TRUE(store_->SetGrant("alice", "c1", {true, false}).ok());
  EXPECT_TRUE(store_->GetGrant("alice", "c1")->can_read);
  EXPECT_FALSE(store_->GetGrant("alice", "c1")->can_write);
  EXPECT_EQ(store_->SetGrant("alice", "c9", {true, true}).code(), StatusCode::kNotFound);

  StatusRecord s{"s1", "c1", "alice", "identity--00000000-0000-4000-8000-000000000001", 7,
                 {{"x--1", "v1", ""}}, {{"x--2", "", "bad"}}, {}};
  ASSERT_TRUE(store_->PutStatus(s).ok());
  auto got = store_->GetStatus("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->successes.size(), 1u);
  ASSERT_EQ(got->failures.size(), 1u);
  EXPECT_EQ(got->failures[0].message, "bad");
  EXPECT_EQ(store_->GetStatus("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, CheckpointAndOriginCommitWithTheBatch) {
  EXPECT_EQ(store_->GetCheckpoint("peer/x").status().code(), StatusCode::kNotFound);
  PutOptions options{.origin = "peer-a", .checkpoint_key = "peer/x", .checkpoint_value = "cursor-1"};
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj("tool--00000000-0000-4000-8000-000000000010", 5)},
                                 10, options).ok());
  EXPECT_EQ(*store_->GetCheckpoint("peer/x"), "cursor-1");
  // A failing batch (unknown collection) leaves the checkpoint untouched.
  options.checkpoint_value = "cursor-2";
  EXPECT_FALSE(store_->PutObjects("nope", std::vector{Obj("tool--00000000-0000-4000-8000-000000000011", 5)},
                                  10, options).ok());
  EXPECT_EQ(*store_->GetCheckpoint("peer/x"), "cursor-1");
  ASSERT_TRUE(store_->SetCheckpoint("peer/x", "cursor-3").ok());
  EXPECT_EQ(*store_->GetCheckpoint("peer/x"), "cursor-3");
  ObjectQuery q;
  q.collection_id = "c1";
  auto rows = All(q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].origin, "peer-a");
}

// Marking definitions are listed with the owner of the collection they are stored in, whatever
// path stored them (here PutObjects alone), and every insert or delete of one bumps the policy
// generation in its own transaction; other objects and duplicates do not.
TEST_F(SqliteStoreTest, MarkingDefinitionsAreListedWithTheirOwnerAndBumpThePolicyGeneration) {
  auto agreements = SqliteAgreementStore::Open((dir_ / "tabadul.db").string());
  ASSERT_TRUE(agreements.ok());
  auto generation = [&] { return *(*agreements)->Generation(); };
  const std::string other = "identity--00000000-0000-4000-8000-000000000002";
  ASSERT_TRUE(store_->CreateOrganization({other, "other", 1}).ok());
  ASSERT_TRUE(store_->CreateCollection({"c2", "Two", "", "", other, "amber", 1}).ok());
  const std::string md = "marking-definition--00000000-0000-4000-8000-000000000001";
  const int64_t g0 = generation();
  auto definition = Obj(md, 0);
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{definition, Obj("indicator--00000000-0000-4000-8000-000000000003", 5)}, 10).ok());
  EXPECT_EQ(generation(), g0 + 1);
  auto others = definition;
  others.json = "{\"id\":\"" + md + "\",\"theirs\":true}";
  ASSERT_TRUE(store_->PutObjects("c2", std::vector{others}, 10).ok());
  EXPECT_EQ(generation(), g0 + 2);
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{definition}, 10).ok());  // a duplicate
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj("tool--00000000-0000-4000-8000-000000000004", 5)}, 10).ok());
  EXPECT_EQ(generation(), g0 + 2);

  auto list = store_->ListMarkingDefinitions();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].owner_org, "identity--00000000-0000-4000-8000-000000000001");
  EXPECT_EQ((*list)[0].collection_id, "c1");
  EXPECT_EQ((*list)[0].id, md);
  EXPECT_EQ((*list)[0].json, definition.json);
  EXPECT_EQ((*list)[1].owner_org, other);
  EXPECT_EQ((*list)[1].json, others.json);

  ASSERT_EQ(*store_->DeleteObject("c2", md, VersionMatch{.all = true}), 1);
  EXPECT_EQ(generation(), g0 + 3);
  ASSERT_EQ(store_->ListMarkingDefinitions()->size(), 1u);

  // Inside a read scope the list is still the latest (the scope keeps its snapshot for the rest).
  auto scope = store_->BeginRead();
  ASSERT_NE(scope, nullptr);
  ObjectQuery q;
  q.collection_id = "c2";
  EXPECT_EQ(store_->QueryObjects(q, nullptr)->rows.size(), 0u);
  std::thread writer([&] { ASSERT_TRUE(store_->PutObjects("c2", std::vector{others}, 20).ok()); });
  writer.join();
  EXPECT_EQ(store_->ListMarkingDefinitions()->size(), 2u);
  EXPECT_EQ(store_->QueryObjects(q, nullptr)->rows.size(), 0u);  // the scope's snapshot
}

TEST_F(SqliteStoreTest, ReopenSeesCommittedData) {
  ASSERT_TRUE(store_->PutObjects("c1", std::vector{Obj("tool--00000000-0000-4000-8000-000000000009", 5)}, 10).ok());
  store_.reset();
  auto s = SqliteStore::Open((dir_ / "tabadul.db").string());
  ASSERT_TRUE(s.ok());
  ObjectQuery q;
  q.collection_id = "c1";
  q.with_json = true;
  auto page = (*s)->QueryObjects(q, nullptr);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].json, "{\"id\":\"tool--00000000-0000-4000-8000-000000000009\",\"v\":5}");
}

}  // namespace
}  // namespace tabadul::store
