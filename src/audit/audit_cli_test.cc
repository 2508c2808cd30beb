#include "audit/audit_cli.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "audit/audit_test_util.h"
#include "store/sqlite_store.h"

namespace tabadul::audit {
namespace {

constexpr int64_t kStart = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteStore::Open(dir_.Join(kStoreFileName));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->CreateOrganization({acme_, "acme", 0}).ok());
    auto log = DisclosureLog::Open(db_, dir_.path(), clock_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 1; i <= 4; ++i) {
      clock_.Set(kStart + i * 1'000'000);
      ASSERT_TRUE((*log)->Append(testing::MakeDisclosure(i, i % 2 ? acme_ : globex_)).ok());
    }
  }
  int Run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return RunAuditCommand(dir_.path(), args, clock_, out_, err_);
  }

  testing::TempDir dir_;
  std::string db_ = dir_.Join(kDatabaseFileName);
  std::string records_ = RecordPath(db_);
  FakeClock clock_{kStart};
  std::string acme_ = "identity--" + testing::Uuid(1);
  std::string globex_ = "identity--" + testing::Uuid(2);
  std::ostringstream out_, err_;
};

TEST_F(AuditCliTest, VerifyIntactAndTampered) {
  EXPECT_EQ(Run({"verify"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "audit log intact (4 records, last seq 4)\n");
  testing::EditRecord(records_, 1, [](Record& r) { r.user = "eve"; });
  EXPECT_EQ(Run({"verify"}), 1);
  EXPECT_EQ(out_.str().rfind("TAMPERED at seq 2: ", 0), 0u) << out_.str();
}

TEST_F(AuditCliTest, ShowWhoReceivedAnObject) {
  // Disclosure 1 (to acme) and 4 (to globex) both start with indicator 1010/1040; 1010 is in 1.
  const std::string id = testing::MakeVersions(1)[0].object_id;
  EXPECT_EQ(Run({"show", "--object", id}), 0) << err_.str();
  std::string expected = "seq\ttime\torg\tuser\tcollection\tagreement\tpath\tversion\n"
                         "1\t2023-11-14T22:13:21.000000Z\t" + acme_ + "\talice\t" +
                         testing::Uuid(100) + "\tagreement-a\t/api/collections/" +
                         testing::Uuid(100) + "/objects/\t2024-01-01T00:00:00.000Z\n";
  EXPECT_EQ(out_.str(), expected);
}

TEST_F(AuditCliTest, ShowWhatAnOrganizationReceived) {
  // By name (looked up in the store) and by id; the window keeps only seq 3.
  for (const std::string& org : {std::string("acme"), acme_}) {
    EXPECT_EQ(Run({"show", "--org", org, "--from", "2023-11-14T22:13:22Z", "--to",
                   "2023-11-14T22:13:24Z"}), 0) << err_.str();
    std::istringstream lines(out_.str());
    std::string line;
    std::vector<std::string> rows;
    while (std::getline(lines, line)) rows.push_back(line);
    ASSERT_EQ(rows.size(), 2u) << out_.str();  // header + record 3's one version
    EXPECT_EQ(rows[1].rfind("3\t2023-11-14T22:13:23.000000Z\talice\t", 0), 0u) << rows[1];
  }
  EXPECT_EQ(Run({"show", "--org", "acme"}), 0);
  const std::string all = out_.str();
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 1 + 2 + 1);  // seq 1 (2 versions), 3 (1)
  EXPECT_EQ(Run({"show", "--org", "nobody"}), 1);
}

// The agreement column is each delivered version's own: one page may deliver objects under
// different agreements, and some under none.
TEST_F(AuditCliTest, ShowPrintsEachVersionsOwnAgreement) {
  const std::string x = "indicator--" + testing::Uuid(501), y = "malware--" + testing::Uuid(502);
  const std::string z = "indicator--" + testing::Uuid(503);
  {
    auto log = DisclosureLog::Open(db_, dir_.path(), clock_);
    ASSERT_TRUE(log.ok());
    clock_.Set(kStart + 10'000'000);
    Disclosure d = testing::MakeDisclosure(5, "identity--" + testing::Uuid(3));
    d.versions = store::AuditItemList({{x, "2024-01-01T00:00:00.000Z", "cert-to-isac@v2"},
                                       {y, "2024-01-02T00:00:00.000Z", "isac-malware@v1"},
                                       {z, "2024-01-03T00:00:00.000Z", ""}});
    d.agreement_id = d.versions.agreement_table();
    ASSERT_TRUE((*log)->Append(std::move(d)).ok());
  }
  EXPECT_EQ(Run({"show", "--org", "identity--" + testing::Uuid(3)}), 0) << err_.str();
  const std::string prefix = "5\t2023-11-14T22:13:30.000000Z\talice\t" + testing::Uuid(100) + "\t";
  const std::string path = "\t/api/collections/" + testing::Uuid(100) + "/objects/\t";
  EXPECT_EQ(out_.str(),
            "seq\ttime\tuser\tcollection\tagreement\tpath\tobject\tversion\n" +
                prefix + "cert-to-isac@v2" + path + x + "\t2024-01-01T00:00:00.000Z\n" +
                prefix + "isac-malware@v1" + path + y + "\t2024-01-02T00:00:00.000Z\n" +
                prefix + path + z + "\t2024-01-03T00:00:00.000Z\n");
  EXPECT_EQ(Run({"show", "--object", y}), 0) << err_.str();
  EXPECT_NE(out_.str().find("\t" + testing::Uuid(100) + "\tisac-malware@v1\t/api/"),
            std::string::npos) << out_.str();
  EXPECT_EQ(Run({"verify"}), 0) << out_.str();
}

TEST_F(AuditCliTest, HeadAndCheckHead) {
  const std::string file = dir_.Join("kept.head");
  EXPECT_EQ(Run({"head", "--output", file}), 0) << err_.str();
  EXPECT_EQ(Run({"check-head", file}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "the log extends the kept head at seq 4 (4 records, last seq 4)\n");
  EXPECT_EQ(Run({"head"}), 0);
  EXPECT_EQ(out_.str().rfind("tabadul-audit-head v1\nseq 4\n", 0), 0u);

  auto f = testing::Split(records_);
  f.frames.pop_back();
  testing::WriteBytes(records_, f.Join());
  testing::Sql(db_, "DELETE FROM audit_heads");
  EXPECT_EQ(Run({"verify"}), 0);  // the chain alone cannot know
  EXPECT_EQ(Run({"check-head", file}), 1);
  EXPECT_EQ(out_.str().rfind("TAMPERED at seq 4: ", 0), 0u) << out_.str();
}

TEST_F(AuditCliTest, CheckHeadRefusesAnEditedFile) {
  const std::string file = dir_.Join("kept.head");
  ASSERT_EQ(Run({"head", "--output", file}), 0);
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  std::string edited = text.str();
  edited.replace(edited.find("seq 4"), 5, "seq 3");
  std::ofstream(file, std::ios::trunc) << edited;
  EXPECT_EQ(Run({"check-head", file}), 1);
  EXPECT_NE(out_.str().find("invalid signature"), std::string::npos) << out_.str();
  std::ofstream(file, std::ios::trunc) << "garbage\n";
  EXPECT_EQ(Run({"check-head", file}), 1);
  EXPECT_NE(err_.str().find("not a signed audit head"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"check-head", dir_.Join("missing.head")}), 1);
}

// Records 5..7 committed into the ring by a process that died (kill -9 leaves the same), one
// byte of record 6 damaged there: the next command's opening keeps the evidence and records the
// loss; `verify` and `check-head` fail and name the gap until `acknowledge-gap` records an
// operator's acknowledgement in the chain; then both pass, and `verify` still lists the gap.
TEST_F(AuditCliTest, DamagedRingIsAGapUntilAcknowledged) {
  const std::string head = dir_.Join("kept.head");
  ASSERT_EQ(Run({"head", "--output", head}), 0) << err_.str();
  const auto size = static_cast<int64_t>(testing::ReadBytes(records_).size());
  testing::AppendToTheRingInAChildThatDies(db_, 5, 7, acme_);
  std::string lock = testing::ReadBytes(records_ + ".lock");
  const auto frames = testing::RingFrames(lock, size);
  ASSERT_EQ(frames.size(), 3u);
  lock[testing::RingPlace(frames[1].first + 60)] ^= 0x04;  // inside record 6
  testing::WriteBytes(records_ + ".lock", lock);
  const std::string evidence = records_ + ".damage/gap-6";
  constexpr auto npos = std::string::npos;

  EXPECT_EQ(Run({"verify"}), 1);
  EXPECT_EQ(out_.str().rfind("GAP at seq 6: records committed after seq 5 were lost", 0), 0u)
      << out_.str();
  EXPECT_NE(out_.str().find("evidence: " + evidence), npos) << out_.str();
  EXPECT_NE(out_.str().find("run `tabadul audit acknowledge-gap gap-6 --reason TEXT`"), npos);
  EXPECT_NE(out_.str().find("\ngap gap-6: "), npos) << out_.str();
  EXPECT_TRUE(std::filesystem::exists(evidence));
  EXPECT_EQ(Run({"check-head", head}), 1);
  EXPECT_EQ(out_.str().rfind("GAP at seq 6: ", 0), 0u) << out_.str();
  EXPECT_EQ(Run({"verify"}), 1) << "a restart forgot the gap";

  EXPECT_EQ(Run({"acknowledge-gap", "gap-6"}), 2);  // the reason is required
  EXPECT_EQ(Run({"acknowledge-gap", "gap-9", "--reason", "x", "--by", "alice"}), 1);
  EXPECT_NE(err_.str().find("knows no gap 'gap-9'"), npos) << err_.str();
  EXPECT_EQ(Run({"acknowledge-gap", "gap-6", "--reason", "records 6-7 rebuilt from the evidence",
                 "--by", "alice"}),
            0)
      << err_.str();
  EXPECT_EQ(out_.str(),
            "gap gap-6 acknowledged by alice (recorded as seq 7); its evidence is "
            "kept\n");
  EXPECT_EQ(Run({"acknowledge-gap", "gap-6", "--reason", "again", "--by", "bob"}), 1);
  EXPECT_NE(err_.str().find("acknowledged already, at seq 7 by alice"), npos) << err_.str();

  EXPECT_EQ(Run({"verify"}), 0) << out_.str();
  EXPECT_EQ(out_.str().rfind("audit log intact (7 records, last seq 7)\n"
                             "gap gap-6: records committed after seq 5 were lost",
                             0),
            0u)
      << out_.str();
  EXPECT_NE(out_.str().find("; acknowledged at seq 7 by alice: records 6-7 rebuilt from the "
                            "evidence\n"),
            npos)
      << out_.str();
  EXPECT_EQ(Run({"check-head", head}), 0) << out_.str();
  EXPECT_TRUE(std::filesystem::exists(evidence));
  const Record acknowledgement = testing::ParseFrame(testing::Split(records_).frames[6]);
  EXPECT_EQ(acknowledgement.path, kAcknowledgePath);
  EXPECT_EQ(acknowledgement.user, "alice");
  EXPECT_EQ(acknowledgement.collection_id, "gap-6");
  EXPECT_EQ(acknowledgement.note, "records 6-7 rebuilt from the evidence");
}

// Without --by the acknowledgement names the login that ran the command (through sudo: the
// login sudo was run from).
TEST_F(AuditCliTest, AcknowledgementNamesTheLoginByDefault) {
  const auto size = static_cast<int64_t>(testing::ReadBytes(records_).size());
  testing::AppendToTheRingInAChildThatDies(db_, 5, 5, acme_);
  std::string lock = testing::ReadBytes(records_ + ".lock");
  lock[testing::RingPlace(size)] ^= 0x01;  // record 5's marker
  testing::WriteBytes(records_ + ".lock", lock);
  const char* had = std::getenv("SUDO_USER");
  const std::string saved = had ? had : "";
  ::setenv("SUDO_USER", "carol", 1);
  const int rc = Run({"acknowledge-gap", "gap-5", "--reason", "examined"});
  if (had) {
    ::setenv("SUDO_USER", saved.c_str(), 1);
  } else {
    ::unsetenv("SUDO_USER");
  }
  EXPECT_EQ(rc, 0) << err_.str();
  EXPECT_EQ(out_.str(),
            "gap gap-5 acknowledged by carol (recorded as seq 6); its evidence is "
            "kept\n");
}

TEST_F(AuditCliTest, UsageErrors) {
  EXPECT_EQ(Run({}), 2);
  EXPECT_EQ(Run({"frobnicate"}), 2);
  EXPECT_EQ(Run({"show"}), 2);
  EXPECT_EQ(Run({"show", "--object", "x", "--org", "y"}), 2);
  EXPECT_EQ(Run({"show", "--from", "2020-01-01T00:00:00Z"}), 2);  // --from needs --org
  EXPECT_EQ(Run({"show", "--org", "acme", "--from", "yesterday"}), 2);
  EXPECT_EQ(Run({"check-head"}), 2);
  EXPECT_EQ(Run({"acknowledge-gap", "--reason", "x"}), 2);  // no ID
  EXPECT_EQ(Run({"--help"}), 0);
}

TEST_F(AuditCliTest, MissingDatabaseIsAFailure) {
  testing::TempDir empty;
  std::ostringstream out, err;
  EXPECT_EQ(RunAuditCommand(empty.path(), {"verify"}, clock_, out, err), 1);
  EXPECT_NE(err.str().find("no database"), std::string::npos);
  // The records removed wholesale, database left: a failure, not an empty log.
  std::filesystem::remove(records_);
  EXPECT_EQ(Run({"verify"}), 1);
  EXPECT_NE(err_.str().find("records are missing"), std::string::npos) << err_.str();
}

TEST_F(AuditCliTest, RegistersUnderAnApp) {
  CLI::App app{"tabadul"};
  std::string data_dir;
  int code = -1;
  app.add_option("--data", data_dir);
  RegisterAuditCommands(app, data_dir, code);
  // --data parsed after registration is what the command uses.
  std::vector<std::string> args = {"verify", "audit", dir_.path(), "--data"};  // reversed
  ::testing::internal::CaptureStdout();
  app.parse(args);
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  EXPECT_EQ(printed, "audit log intact (4 records, last seq 4)\n");
}

}  // namespace
}  // namespace tabadul::audit
