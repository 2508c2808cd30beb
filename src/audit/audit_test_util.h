// Helpers shared by the audit module's tests: a temporary folder, a fixed key, disclosures.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "audit/chain.h"
#include "audit/disclosure_log.h"
#include "audit/record_file.h"
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

// MakeVersions(n) as MakeDisclosure(n)'s record decodes them: its agreement_id, one agreement
// for the whole delivery, is every item's agreement.
inline std::vector<store::AuditItem> DecodedVersions(int n) {
  auto out = MakeVersions(n);
  for (auto& it : out) it.agreement = n % 2 ? "agreement-a" : "";
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

// ---- The tamperer's view of the record file (audit/record_file.h), written from its layout
// description rather than with RecordFile, so the tests check the documented bytes. ----------

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline uint32_t U32At(const std::string& s, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
}

inline std::string U32Bytes(uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

// A record file cut into its header and frames (each frame whole: marker, lengths, hash).
struct SplitFile {
  std::string header;
  std::vector<std::string> frames;
  std::string Join() const {
    std::string out = header;
    for (const auto& f : frames) out += f;
    return out;
  }
};

inline SplitFile Split(const std::string& path) {
  const std::string bytes = ReadBytes(path);
  SplitFile out;
  out.header = bytes.substr(0, 16);
  EXPECT_EQ(out.header, "tabadul audit 2\n");
  size_t at = 16;
  while (at < bytes.size()) {
    EXPECT_EQ(bytes.substr(at, 4), "TREC");
    const uint32_t n = U32At(bytes, at + 4);
    EXPECT_EQ(U32At(bytes, at + 8 + n), n);
    out.frames.push_back(bytes.substr(at, 8 + n + 4));
    at += 8 + n + 4;
  }
  return out;
}

// The record a frame holds, and the frame of a record: with `rehash`, the hash is recomputed
// over the new body (a forger who knows the public hash function); else the old one is kept.
inline Record ParseFrame(const std::string& frame) {
  const uint32_t n = U32At(frame, 4);
  Record r;
  Status st = ParseRecordBody(std::string_view(frame).substr(8, n - 32), &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  r.hash = ToHex(frame.substr(8 + n - 32, 32));
  EXPECT_TRUE(store::DecodeAuditItems(r.encoded_items, r.agreement_id, &r.items));
  return r;
}

inline std::string MakeFrame(const Record& r, bool rehash, const std::string& old_frame = "") {
  std::string body;
  AppendRecordBody(r, &body);
  std::string hash;
  if (rehash) {
    hash = RecordHashOfBody(body);
  } else {
    const uint32_t n = U32At(old_frame, 4);
    hash = old_frame.substr(8 + n - 32, 32);
  }
  const auto n = static_cast<uint32_t>(body.size() + 32);
  return "TREC" + U32Bytes(n) + body + hash + U32Bytes(n);
}

// Rewrites record number `index` (0-based) with `edit`, keeping its stored hash or not.
template <typename Edit>
void EditRecord(const std::string& path, size_t index, Edit edit, bool rehash = false) {
  SplitFile f = Split(path);
  ASSERT_LT(index, f.frames.size());
  Record r = ParseFrame(f.frames[index]);
  edit(r);
  f.frames[index] = MakeFrame(r, rehash, f.frames[index]);
  WriteBytes(path, f.Join());
}

// ---- The ring in the lock file (audit/record_file.h): chain offset x lies at
// kLockFileRingOffset + x % kRingBytes of `<record file>.lock`. ------------------------------

inline size_t RingPlace(int64_t chain_offset) {
  return static_cast<size_t>(kLockFileRingOffset + chain_offset % kRingBytes);
}

// The frames (chain offset, length) that follow one another in the ring of the lock file
// `lock_bytes` from chain offset `from`, up to the first place that does not start a frame
// (beyond the last append, a fresh lock file holds zeros). The tests' rings do not wrap.
inline std::vector<std::pair<int64_t, int64_t>> RingFrames(const std::string& lock_bytes,
                                                           int64_t from) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t at = from; lock_bytes.compare(RingPlace(at), 4, "TREC") == 0;) {
    const int64_t len = 8 + U32At(lock_bytes, RingPlace(at) + 4) + 4;
    out.emplace_back(at, len);
    at += len;
  }
  return out;
}

// The record DisclosureLog::Append makes of `d`, timed `time_us`.
inline Record ToRecord(Disclosure d, int64_t time_us) {
  Record r;
  r.time_us = time_us;
  r.org_id = std::move(d.org_id);
  r.user = std::move(d.user);
  r.path = std::move(d.path);
  r.agreement_id = std::move(d.agreement_id);
  r.collection_id = std::move(d.collection_id);
  r.item_count = static_cast<int64_t>(d.versions.size());
  r.encoded_items = d.versions.Release();
  return r;
}

// Appends disclosures first..last (to `org`), each in a commit of its own, to the log whose
// database is `db`, in a child process that then _exits without closing it: the records are
// committed (acknowledged) and lie in the ring of the lock file, not in the record file. Through
// RecordFile itself, which has no writer thread (DisclosureLog's copies a quiet ring into the
// file after 20 ms, which a loaded machine may reach between two appends), so that the records
// are in the ring every time.
inline void AppendToTheRingInAChildThatDies(const std::string& db, int first, int last,
                                            const std::string& org = "identity--" + Uuid(1)) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto file = RecordFile::Open(RecordPath(db), /*fsync_each_append=*/false, 0);
    if (!file.ok()) ::_exit(3);
    for (int i = first; i <= last; ++i) {
      Record r = ToRecord(MakeDisclosure(i, org), 1'700'000'000'000'000 + i);
      if (!(*file)->Append(std::span<Record>(&r, 1)).ok()) ::_exit(4);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace tabadul::audit::testing
