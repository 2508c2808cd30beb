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

TEST(MerkleRootTest, DependsOnEveryItemAndTheirOrder) {
  std::set<std::string> roots;
  for (int n = 0; n <= 9; ++n) roots.insert(MerkleRoot(Items(n)));
  EXPECT_EQ(roots.size(), 10u);  // every size gives a different root
  for (int n : {1, 2, 3, 5, 8, 100}) {
    auto items = Items(n);
    const std::string root = MerkleRoot(items);
    EXPECT_EQ(root.size(), 64u);
    EXPECT_EQ(MerkleRoot(items), root);  // deterministic
    for (int i = 0; i < n; ++i) {
      auto changed = items;
      changed[i].version += "x";
      EXPECT_NE(MerkleRoot(changed), root) << n << " " << i;
    }
    if (n >= 2) {
      auto swapped = items;
      std::swap(swapped[0], swapped[n - 1]);
      EXPECT_NE(MerkleRoot(swapped), root);
    }
  }
}

TEST(MerkleRootTest, IdAndVersionBoundaryMatters) {
  std::vector<store::AuditItem> a{{"ab", "c"}}, b{{"a", "bc"}};
  EXPECT_NE(MerkleRoot(a), MerkleRoot(b));
}

TEST(MerkleRootTest, TwoLevelTreeIsNotASingleLeafList) {
  // A 2-item tree and a 1-item "list" whose version holds both items' text must differ.
  std::vector<store::AuditItem> two{{"x", "1"}, {"y", "2"}}, one{{"x", "1y2"}};
  EXPECT_NE(MerkleRoot(two), MerkleRoot(one));
}

store::AuditRecord SampleRecord() {
  store::AuditRecord r;
  r.seq = 7;
  r.time_us = 1'700'000'000'000'000;
  r.org_id = "identity--1";
  r.user = "alice";
  r.path = "/api/collections/c/objects/";
  r.agreement_id = "agr";
  r.collection_id = "c";
  r.items = Items(3);
  r.item_count = 3;
  r.merkle_root = MerkleRoot(r.items);
  r.prev_hash = kGenesisHash;
  return r;
}

// Items in the compact stored form (typed ids, timestamp versions) the TAXII hook produces.
std::vector<store::AuditItem> TypedItems(int n) {
  std::vector<store::AuditItem> out;
  for (int i = 0; i < n; ++i) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "6ba7b810-9dad-41d1-80b4-%012d", i);
    out.push_back({std::string(i % 3 ? "indicator" : "malware") + "--" + uuid,
                   "2024-01-01T00:00:" + std::to_string(10 + i % 50) + ".000Z"});
  }
  return out;
}

TEST(MerkleRootTest, CompactFormsCoverTypeUuidInstantAndPrecision) {
  const auto base = TypedItems(40);
  const std::string root = MerkleRoot(base);
  int64_t count = 0;
  EXPECT_EQ(MerkleRoot(store::EncodeAuditItems(base), &count), root);  // text or stored form
  EXPECT_EQ(count, 40);
  std::vector<std::function<void(std::vector<store::AuditItem>&)>> changes = {
      [](auto& v) { v[17].object_id[0] = 'x'; },                        // type
      [](auto& v) { v[17].object_id.back() ^= 1; },                     // UUID
      [](auto& v) { v[17].version = "2024-01-01T00:00:27.001Z"; },      // instant
      [](auto& v) { v[17].version = "2024-01-01T00:00:27Z"; },          // same instant, 0 digits
      [](auto& v) { v[17].version = "2024-01-01T00:00:27.000000Z"; },   // same instant, 6 digits
      [](auto& v) { v[17].version.clear(); },                           // unversioned
      [](auto& v) { v[17].object_id[12] = 'A'; },                       // upper case: raw form
      [](auto& v) { std::swap(v[15], v[16]); },                         // order across leaves
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    auto changed = base;
    changes[i](changed);
    EXPECT_NE(MerkleRoot(changed), root) << "change " << i;
  }
}

// The leaf of one item, built by hand from the bytes chain.h documents.
TEST(MerkleRootTest, OneItemLeafIsTheDocumentedBytes) {
  const std::string id = "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  const std::string version = "2024-01-01T00:00:00.123Z";  // 1704067200.123 s
  std::string msg("tabadul.audit.leaf.v2", 22);            // with its NUL
  msg += std::string("\0\0\0\0\0\0\0\x01", 8);          // u64 k = 1
  msg += static_cast<char>(0x02 | 3 << 3);                 // typed id, timestamp, 3 digits
  msg += static_cast<char>(9);
  msg += "indicator";
  msg += *FromHex("6ba7b8109dad41d180b400c04fd430c8");
  const uint64_t ns = 1'704'067'200'123'000'000;
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((ns >> (8 * i)) & 0xff);
  std::string leaf(kHashBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(leaf.data()), leaf.size(),
                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), nullptr, 0);
  EXPECT_EQ(MerkleRoot(std::vector<store::AuditItem>{{id, version}}), ToHex(leaf));
  // A raw id and a raw version: str() is a u32 length and the bytes.
  std::string raw("tabadul.audit.leaf.v2", 22);
  raw += std::string("\0\0\0\0\0\0\0\x01", 8);
  raw += static_cast<char>(0x01 | 0x04);
  raw += std::string("\0\0\0\x03", 4) + "a-b" + std::string("\0\0\0\x02", 4) + "v1";
  crypto_generichash(reinterpret_cast<unsigned char*>(leaf.data()), leaf.size(),
                     reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), nullptr, 0);
  EXPECT_EQ(MerkleRoot(std::vector<store::AuditItem>{{"a-b", "v1"}}), ToHex(leaf));
}

TEST(MerkleRootTest, MalformedStoredFormHasNoRoot) {
  std::string encoded = store::EncodeAuditItems(TypedItems(3));
  EXPECT_FALSE(MerkleRoot(encoded).empty());
  EXPECT_TRUE(MerkleRoot(encoded.substr(0, encoded.size() - 1)).empty());
  EXPECT_TRUE(MerkleRoot("").empty());
  EXPECT_EQ(MerkleRoot(std::string(1, char{store::kAuditItemsFormat})),
            MerkleRoot(std::vector<store::AuditItem>{}));
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
      [](auto& r) { r.merkle_root[0] = r.merkle_root[0] == 'a' ? 'b' : 'a'; },
      [](auto& r) { r.prev_hash[63] = '1'; },
      [](auto& r) { r.prev_hash = "not hex"; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    auto r = base;
    changes[i](r);
    EXPECT_NE(RecordHash(r), h) << "change " << i;
  }
}

TEST(RecordHashTest, UppercaseHexIsNotTheSameRecord) {
  // Stored hashes are lowercase; an uppercase rewrite hashes the same bytes, which is harmless
  // (the record says the same thing), but a malformed value never matches a well-formed one.
  auto r = SampleRecord();
  auto bad = r;
  bad.merkle_root = r.merkle_root.substr(1);
  EXPECT_NE(RecordHash(bad), RecordHash(r));
}

TEST(HeadMessageTest, CoversSeqHashAndTime) {
  const std::string m = HeadMessage(5, kGenesisHash, 10);
  EXPECT_NE(HeadMessage(6, kGenesisHash, 10), m);
  EXPECT_NE(HeadMessage(5, std::string(63, '0') + "1", 10), m);
  EXPECT_NE(HeadMessage(5, kGenesisHash, 11), m);
  EXPECT_EQ(HeadMessage(5, kGenesisHash, 10), m);
}

}  // namespace
}  // namespace tabadul::audit
