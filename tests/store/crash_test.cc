// Crash safety of the embedded store (DESIGN.md: "a crash (kill -9) at any moment loses no
// acknowledged write and leaves no half-written object").
//
// A forked child opens the store and writes batches of objects in a loop; after each
// PutObjects() returns OK it reports the batch number to the parent over a pipe. The parent
// SIGKILLs the child after a random delay (fixed seed), then reopens the store itself and checks:
//   * every acknowledged batch is present, each object's JSON exactly what was written;
//   * every batch is all-or-nothing: a batch the child began but never acknowledged is either
//     complete or absent, never partial.
// Ten rounds, each child continuing in the same database file.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "stix/validator.h"
#include "store/sqlite_store.h"

namespace tabadul::store {
namespace {

namespace fs = std::filesystem;

constexpr char kOrg[] = "identity--3c1d9b2a-5e4f-4a6b-9c8d-7e6f5a4b3c2d";
constexpr char kCollection[] = "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4";
constexpr int64_t kBatchesPerRound = 100000;  // round r writes batches r*1e5, r*1e5+1, ...

// Batch b holds BatchSize(b) objects; object i of batch b has a deterministic id and JSON, so the
// parent can recompute exactly what was written.
int BatchSize(int64_t b) { return 1 + static_cast<int>(b % 37); }

std::string ObjectId(int64_t b, int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--%08llx-%04x-4000-8000-000000000000",
                static_cast<unsigned long long>(b), i);
  return buf;
}

std::string ObjectJson(int64_t b, int i) {
  return R"({"type":"indicator","spec_version":"2.1","id":")" + ObjectId(b, i) +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",)"
         R"("name":"batch )" + std::to_string(b) + " object " + std::to_string(i) +
         R"(","description":")" + std::string(200 + (i * 37) % 500, 'x') +
         R"(","pattern":"[ipv4-addr:value = '192.0.2.)" + std::to_string(i % 256) +
         R"(']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})";
}

// Recovers the batch number from an id written by ObjectId().
int64_t BatchOf(const std::string& id) {
  return static_cast<int64_t>(std::stoull(id.substr(11, 8), nullptr, 16));
}

Status EnsureSchema(Store& store) {
  Status st = store.CreateOrganization({kOrg, "crash-test", 0});
  if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
  Collection c;
  c.id = kCollection;
  c.title = "crash test";
  c.owner_org = kOrg;
  st = store.CreateCollection(c);
  if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
  return Status::Ok();
}

// The child: write batches forever, acknowledging each over `fd`. Never returns.
[[noreturn]] void WriterChild(const std::string& db, int64_t first_batch, int fd) {
  auto store = SqliteStore::Open(db);
  if (!store.ok() || !EnsureSchema(**store).ok()) _exit(3);
  int64_t now = 1704067200000000;
  for (int64_t b = first_batch;; ++b) {
    std::vector<stix::StixObject> objects;
    for (int i = 0; i < BatchSize(b); ++i) {
      auto o = stix::ParseObject(ObjectJson(b, i));
      if (!o.ok()) _exit(4);
      objects.push_back(std::move(o).value());
    }
    auto out = (*store)->PutObjects(kCollection, objects, now++);
    if (!out.ok()) _exit(5);
    for (const auto& o : *out) {
      if (o.kind != PutOutcome::Kind::kAdded) _exit(6);
    }
    if (write(fd, &b, sizeof b) != sizeof b) _exit(7);
  }
}

// Everything stored in the collection: id -> json.
std::map<std::string, std::string> ReadAll(Store& store) {
  std::map<std::string, std::string> out;
  ObjectQuery q;
  q.collection_id = kCollection;
  q.versions.all = true;
  q.with_json = true;
  q.limit = 5000;
  while (true) {
    auto page = store.QueryObjects(q, nullptr);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    for (const auto& row : page->rows) {
      EXPECT_TRUE(out.emplace(row.id, row.json).second) << "stored twice: " << row.id;
    }
    if (!page->more) break;
    q.added_after_us = page->rows.back().date_added_us;
  }
  return out;
}

TEST(StoreCrashTest, KillNineLosesNoAcknowledgedBatchAndLeavesNoHalfBatch) {
  const fs::path dir = fs::temp_directory_path() / ("tabadul-crash-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "store.db").string();
  std::mt19937 rng(424242);
  std::set<int64_t> acknowledged;
  std::set<int64_t> possibly_started;  // the batch after each round's last acknowledgement
  constexpr int kRounds = 10;

  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const int64_t first = (round + 1) * kBatchesPerRound;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      WriterChild(db, first, fds[1]);
    }
    close(fds[1]);
    // Wait for the first acknowledgement (so every round writes something), then a random delay.
    pollfd p{fds[0], POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 30000), 1) << "the writer never acknowledged a batch";
    const int delay_ms = std::uniform_int_distribution<int>(1, 250)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the writer exited by itself with "
                                      << WEXITSTATUS(wstatus);
    // Everything acknowledged before the kill is in the pipe.
    int64_t b = 0;
    int64_t last = first - 1;
    while (read(fds[0], &b, sizeof b) == sizeof b) {
      EXPECT_EQ(b, last + 1) << "acknowledgements in order";
      acknowledged.insert(b);
      last = b;
    }
    close(fds[0]);
    possibly_started.insert(last + 1);

    // Reopen (recovery) and check after every round.
    auto store = SqliteStore::Open(db);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto stored = ReadAll(**store);
    std::map<int64_t, int> per_batch;
    for (const auto& [id, json] : stored) {
      const int64_t batch = BatchOf(id);
      const int i = std::stoi(id.substr(20, 4), nullptr, 16);
      EXPECT_EQ(json, ObjectJson(batch, i)) << "object " << id << " is not what was written";
      ++per_batch[batch];
    }
    for (int64_t a : acknowledged) {
      EXPECT_EQ(per_batch[a], BatchSize(a)) << "acknowledged batch " << a << " lost objects";
    }
    for (const auto& [batch, n] : per_batch) {
      EXPECT_TRUE(acknowledged.count(batch) || possibly_started.count(batch))
          << "batch " << batch << " was never written";
      EXPECT_TRUE(n == 0 || n == BatchSize(batch))
          << "batch " << batch << " is half stored: " << n << " of " << BatchSize(batch);
    }
    std::printf("round %d: killed after %d ms, %zu batches acknowledged in total, %zu objects\n",
                round, delay_ms, acknowledged.size(), stored.size());
  }
  EXPECT_GE(acknowledged.size(), static_cast<size_t>(kRounds));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tabadul::store
