#include "audit/disclosure_hook.h"

#include <gtest/gtest.h>

#include <functional>

#include "audit/audit_test_util.h"

namespace tabadul::audit {
namespace {

// The shape of taxii::RequestInfo (audit cannot depend on taxii; tests/audit checks the real one
// when the taxii module is built).
struct FakePrincipal {
  std::string user;
  std::string org_id;
};
struct FakeRequestInfo {
  const FakePrincipal& principal;
  bool over_tls;
  const std::string& path;
};
using OnDisclosure = std::function<Status(const FakeRequestInfo&, const store::Collection&,
                                          store::AuditItemList)>;

store::ObjectRow Row(const std::string& id, const std::string& version) {
  store::ObjectRow r;
  r.id = id;
  r.version = version;
  r.json = "{\"id\":\"" + id + "\"}";  // the hook must not care about the JSON
  return r;
}

// The delivered pairs of `rows`, as the TAXII API hands them to the hook.
store::AuditItemList ListOf(const std::vector<store::ObjectRow>& rows) {
  store::AuditItemList list;
  for (const auto& r : rows) list.Add(r.id, r.version);
  return list;
}

class DisclosureHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = DisclosureLog::Open(dir_.Join("tabadul.db"), testing::FixedKey(), clock_);
    ASSERT_TRUE(log.ok());
    log_ = std::move(log).value();
    collection_.id = testing::Uuid(100);
  }
  testing::TempDir dir_;
  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<DisclosureLog> log_;
  store::Collection collection_;
  FakePrincipal alice_{"alice", "identity--acme"};
  std::string path_ = "/api/collections/" + testing::Uuid(100) + "/objects/";
};

TEST_F(DisclosureHookTest, RecordsExactlyTheDeliveredVersions) {
  OnDisclosure hook = MakeDisclosureHook(*log_);
  std::vector<store::ObjectRow> delivered = {
      Row("indicator--" + testing::Uuid(1), "2024-01-01T00:00:00.000Z"),
      Row("indicator--" + testing::Uuid(1), "2024-02-01T00:00:00.000Z"),  // two versions
      Row("ipv4-addr--" + testing::Uuid(2), ""),                          // unversioned SCO
      Row("malware--" + testing::Uuid(3), "2023-05-05T05:05:05.5Z"),
  };
  EXPECT_TRUE(hook(FakeRequestInfo{alice_, true, path_}, collection_, ListOf(delivered)).ok());
  auto recs = log_->Received("identity--acme", 0, INT64_MAX);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  const Record& r = (*recs)[0];
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.path, path_);
  EXPECT_EQ(r.collection_id, collection_.id);
  EXPECT_EQ(r.agreement_id, "");
  EXPECT_EQ(r.time_us, 1'700'000'000'000'000);
  ASSERT_EQ(r.items.size(), delivered.size());
  for (size_t i = 0; i < delivered.size(); ++i) {
    EXPECT_EQ(r.items[i].object_id, delivered[i].id);
    EXPECT_EQ(r.items[i].version, delivered[i].version);
  }
  EXPECT_TRUE(log_->Verify()->ok);
}

TEST_F(DisclosureHookTest, EmptyDeliveryRecordsNothing) {
  OnDisclosure hook = MakeDisclosureHook(*log_);
  EXPECT_TRUE(hook(FakeRequestInfo{alice_, false, path_}, collection_, {}).ok());
  EXPECT_EQ(log_->Verify()->records_checked, 0);
}

TEST_F(DisclosureHookTest, AgreementComesFromTheResolver) {
  OnDisclosure hook = MakeDisclosureHook(
      *log_, [](const std::string& org, const store::Collection& c) {
        return "agreement-for-" + org + "-" + c.id.substr(0, 4);
      });
  ASSERT_TRUE(hook(FakeRequestInfo{alice_, true, path_}, collection_, ListOf({Row("tool--x", "v")})).ok());
  auto recs = *log_->Received("identity--acme", 0, INT64_MAX);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].agreement_id, "agreement-for-identity--acme-0000");
}

// Rows carry the agreement their read filter noted (ObjectRow::disclosed_under): the record's
// items name them, and the resolver is not asked; the resolver answers only for a delivery whose
// items name none, and then applies to every item.
TEST_F(DisclosureHookTest, ItemsNameTheirOwnAgreementsBeforeTheResolver) {
  int asked = 0;
  auto hook = MakeDisclosureHook(*log_, [&asked](const std::string&, const store::Collection&) {
    ++asked;
    return std::string("resolved@v1");
  });
  std::vector<store::ObjectRow> rows = {Row("indicator--" + testing::Uuid(1), "v1"),
                                        Row("malware--" + testing::Uuid(2), "v1"),
                                        Row("tool--" + testing::Uuid(3), "v1")};
  rows[0].disclosed_under = "isac@v2";
  rows[1].disclosed_under = "cert@v1";
  ASSERT_TRUE(hook.Record("identity--acme", "alice", path_, collection_, rows).ok());
  for (auto& r : rows) r.disclosed_under = {};
  ASSERT_TRUE(hook.Record("identity--acme", "alice", path_, collection_, rows).ok());
  EXPECT_EQ(asked, 1);
  auto recs = *log_->Received("identity--acme", 0, INT64_MAX);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].agreement_id, "isac@v2 cert@v1 ");
  ASSERT_EQ(recs[0].items.size(), 3u);
  EXPECT_EQ(recs[0].items[0].agreement, "isac@v2");
  EXPECT_EQ(recs[0].items[1].agreement, "cert@v1");
  EXPECT_EQ(recs[0].items[2].agreement, "");
  EXPECT_EQ(recs[1].agreement_id, "resolved@v1");
  for (const auto& it : recs[1].items) EXPECT_EQ(it.agreement, "resolved@v1");
  EXPECT_TRUE(log_->Verify()->ok);
}

TEST_F(DisclosureHookTest, FailuresGoToTheErrorSink) {
  std::vector<Status> errors;
  OnDisclosure hook = MakeDisclosureHook(*log_, {}, [&](const Status& st) { errors.push_back(st); });
  Status st = hook(FakeRequestInfo{alice_, true, path_}, collection_,
                   ListOf({Row("tool--x\x1e", "v")}));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);  // returned too: the API fails closed
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tabadul::audit
