#include "audit/chain.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <functional>
#include <set>

namespace tabadul::audit {
namespace {

std::vector<store::AuditItem> Items(int n) {
  std::vector<store::AuditItem> out;
  for (int i = 0; i < n; ++i) out.push_back({"indicator--" + std::to_string(i), "v" + std::to_string(i)});
  return out;
}

TEST(HexTest, RoundTripsAndRefusesMalformed) {
  std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(ToHex(bytes), "0001abff");
  EXPECT_EQ(FromHex("0001ABff"), bytes);
  EXPECT_FALSE(FromHex("abc").has_value());
  EXPECT_FALSE(FromHex("zz").has_value());
  EXPECT_EQ(FromHex(""), std::string());
}

store::AuditRecord SampleRecord(int items = 3) {
  store::AuditRecord r;
  r.seq = 7;
  r.time_us = 1'700'000'000'000'000;
  r.org_id = "identity--1";
  r.user = "alice";
  r.path = "/api/collections/c/objects/";
  r.agreement_id = "agr";
  r.collection_id = "c";
  r.items = Items(items);
  r.encoded_items = store::EncodeAuditItems(r.items);
  r.item_count = items;
  r.prev_hash = kGenesisHash;
  return r;
}

std::string U64(uint64_t v) {
  std::string out;
  for (int i = 7; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}
std::string Str(const std::string& s) {
  const auto n = static_cast<uint32_t>(s.size());
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)} + s;
}

// The body and hash built by hand from the bytes chain.h documents, hashed with libsodium's
// SHA-256 (an implementation independent of the OpenSSL one the chain uses).
TEST(RecordHashTest, IsTheDocumentedBytes) {
  const store::AuditRecord r = SampleRecord();
  const std::string body = std::string(1, '\x01') + U64(7) + U64(1'700'000'000'000'000) +
                           Str("identity--1") + Str("alice") + Str("/api/collections/c/objects/") +
                           Str("agr") + Str("c") + U64(3) + Str(r.encoded_items) +
                           std::string(32, '\0');
  std::string built;
  AppendRecordBody(r, &built);
  EXPECT_EQ(built, body);
  const std::string message = std::string("tabadul.audit.record.v2", 24) + body;  // with its NUL
  unsigned char digest[crypto_hash_sha256_BYTES];
  ASSERT_EQ(sodium_init() >= 0, true);
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  const std::string expected(reinterpret_cast<const char*>(digest), sizeof digest);
  EXPECT_EQ(RecordHashOfBody(body), expected);
  EXPECT_EQ(RecordHash(r), ToHex(expected));
  EXPECT_EQ(Sha256("abc"), *FromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST(RecordHashTest, CoversEveryField) {
  const store::AuditRecord base = SampleRecord();
  const std::string h = RecordHash(base);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(RecordHash(base), h);
  std::vector<std::function<void(store::AuditRecord&)>> changes = {
      [](auto& r) { r.seq++; },
      [](auto& r) { r.time_us++; },
      [](auto& r) { r.org_id += "x"; },
      [](auto& r) { r.user += "x"; },
      [](auto& r) { r.path += "x"; },
      [](auto& r) { r.agreement_id += "x"; },
      [](auto& r) { r.collection_id += "x"; },
      [](auto& r) { r.item_count++; },
      [](auto& r) { r.encoded_items = store::EncodeAuditItems(Items(2)); },
      [](auto& r) { r.prev_hash[63] = '1'; },
      [](auto& r) { r.prev_hash = "not hex"; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    auto r = base;
    changes[i](r);
    EXPECT_NE(RecordHash(r), h) << "change " << i;
  }
}

// The hash covers each delivered (id, version) and their order.
TEST(RecordHashTest, DependsOnEveryItemAndTheirOrder) {
  std::set<std::string> hashes;
  for (int n = 0; n <= 9; ++n) hashes.insert(RecordHash(SampleRecord(n)));
  EXPECT_EQ(hashes.size(), 10u);
  const auto base = SampleRecord(5);
  const std::string h = RecordHash(base);
  for (size_t i = 0; i < 5; ++i) {
    auto r = base;
    r.items[i].version += "x";
    r.encoded_items = store::EncodeAuditItems(r.items);
    EXPECT_NE(RecordHash(r), h) << i;
    r = base;
    std::swap(r.items[i], r.items[(i + 1) % 5]);
    r.encoded_items = store::EncodeAuditItems(r.items);
    EXPECT_NE(RecordHash(r), h) << i;
  }
  // The boundary between an id and its version is part of what is hashed.
  auto a = base, b = base;
  a.items = {{"ab", "c"}};
  b.items = {{"a", "bc"}};
  a.encoded_items = store::EncodeAuditItems(a.items);
  b.encoded_items = store::EncodeAuditItems(b.items);
  EXPECT_NE(RecordHash(a), RecordHash(b));
}

TEST(RecordBodyTest, RoundTripsAndRefusesMalformed) {
  const store::AuditRecord r = SampleRecord();
  std::string body;
  AppendRecordBody(r, &body);
  store::AuditRecord back;
  ASSERT_TRUE(ParseRecordBody(body, &back).ok());
  EXPECT_EQ(back.seq, r.seq);
  EXPECT_EQ(back.time_us, r.time_us);
  EXPECT_EQ(back.org_id, r.org_id);
  EXPECT_EQ(back.user, r.user);
  EXPECT_EQ(back.path, r.path);
  EXPECT_EQ(back.agreement_id, r.agreement_id);
  EXPECT_EQ(back.collection_id, r.collection_id);
  EXPECT_EQ(back.item_count, r.item_count);
  EXPECT_EQ(back.encoded_items, r.encoded_items);
  EXPECT_EQ(back.prev_hash, r.prev_hash);
  for (size_t cut = 0; cut < body.size(); ++cut) {
    store::AuditRecord partial;
    EXPECT_FALSE(ParseRecordBody(std::string_view(body).substr(0, cut), &partial).ok()) << cut;
  }
  EXPECT_NE(ParseRecordBody(body + "x", &back).message().find("after its last field"),
            std::string::npos);
  std::string v3 = body;
  v3[0] = '\x03';
  EXPECT_NE(ParseRecordBody(v3, &back).message().find("body version 3"), std::string::npos);
}

// A note (only records the log writes about itself have one) makes the body version 2; without
// one the bytes are exactly version 1's, so disclosures and old logs are unchanged.
TEST(RecordBodyTest, NoteIsCoveredAndOnlyItsRecordsChangeVersion) {
  store::AuditRecord r = SampleRecord();
  std::string plain;
  AppendRecordBody(r, &plain);
  EXPECT_EQ(plain[0], '\x01');
  r.note = "lost-after-seq 7";
  std::string noted;
  AppendRecordBody(r, &noted);
  EXPECT_EQ(noted[0], '\x02');
  store::AuditRecord back;
  ASSERT_TRUE(ParseRecordBody(noted, &back).ok());
  EXPECT_EQ(back.note, r.note);
  EXPECT_EQ(back.prev_hash, r.prev_hash);
  EXPECT_NE(RecordHashOfBody(noted), RecordHashOfBody(plain));
  ASSERT_TRUE(ParseRecordBody(plain, &back).ok());
  EXPECT_EQ(back.note, "");  // a reused record does not keep the previous note
  for (size_t cut = 0; cut < noted.size(); ++cut) {
    EXPECT_FALSE(ParseRecordBody(std::string_view(noted).substr(0, cut), &back).ok()) << cut;
  }
  // Version 2 with an empty note would be a second encoding of a version-1 record.
  std::string empty_note = plain.substr(0, plain.size() - kHashBytes) + std::string(4, '\0') +
                           plain.substr(plain.size() - kHashBytes);
  empty_note[0] = '\x02';
  EXPECT_NE(ParseRecordBody(empty_note, &back).message().find("without a note"), std::string::npos);
}

TEST(HeadMessageTest, CoversSeqHashAndTime) {
  const std::string m = HeadMessage(5, kGenesisHash, 10);
  EXPECT_NE(HeadMessage(6, kGenesisHash, 10), m);
  EXPECT_NE(HeadMessage(5, std::string(63, '0') + "1", 10), m);
  EXPECT_NE(HeadMessage(5, kGenesisHash, 11), m);
  EXPECT_EQ(HeadMessage(5, kGenesisHash, 10), m);
  EXPECT_NE(HeadMessage(5, "not hex", 10), HeadMessage(5, "not hex!", 10));
}

}  // namespace
}  // namespace tabadul::audit
