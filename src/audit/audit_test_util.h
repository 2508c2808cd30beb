// Helpers shared by the audit module's tests: a temporary folder, a fixed key, disclosures.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audit/chain.h"
#include "audit/disclosure_log.h"
#include "audit/signing_key.h"
#include "store/sqlite.h"

namespace tabadul::audit::testing {

// A fresh folder under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-audit-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline SigningKey FixedKey(char fill = '\x01') {
  auto key = SigningKey::FromSeed(std::string(32, fill));
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

inline std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

// The versions disclosure number `n` delivers: n % 3 + 1 indicator versions.
inline std::vector<store::AuditItem> MakeVersions(int n) {
  std::vector<store::AuditItem> out;
  for (int i = 0; i <= n % 3; ++i) {
    out.push_back({"indicator--" + Uuid(1000 + n * 10 + i),
                   "2024-01-0" + std::to_string(i + 1) + "T00:00:00.000Z"});
  }
  return out;
}

// Disclosure number `n` to `org`, delivering MakeVersions(n).
inline Disclosure MakeDisclosure(int n, const std::string& org = "identity--" + Uuid(1),
                                 const std::string& user = "alice") {
  Disclosure d;
  d.org_id = org;
  d.user = user;
  d.path = "/api/collections/" + Uuid(100) + "/objects/";
  d.agreement_id = n % 2 ? "agreement-a" : "";
  d.collection_id = Uuid(100);
  d.versions = store::AuditItemList(MakeVersions(n));
  return d;
}

// Runs SQL on the file with a connection of its own (the tamperer's).
inline void Sql(const std::string& db_path, const std::string& sql) {
  auto db = store::Database::Open(db_path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Status st = (*db)->Exec(sql);
  ASSERT_TRUE(st.ok()) << st.ToString() << " in " << sql;
}

// The tamperer rewrites record `seq`'s delivered versions (in the stored form) and, when
// `item_count` >= 0, its item count.
inline void SetItems(const std::string& db_path, int64_t seq,
                     const std::vector<store::AuditItem>& items, int64_t item_count = -1) {
  std::string sql = "UPDATE audit_records SET items = X'" + ToHex(store::EncodeAuditItems(items)) + "'";
  if (item_count >= 0) sql += ", item_count = " + std::to_string(item_count);
  Sql(db_path, sql + " WHERE seq = " + std::to_string(seq));
}

}  // namespace tabadul::audit::testing
