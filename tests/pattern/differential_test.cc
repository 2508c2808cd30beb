// Randomized differential test: IndicatorIndex against the plain Matcher.
//
// A fixed-seed generator builds thousands of patterns from a small vocabulary (so that values
// collide often) using every operator, NOT, AND/OR, observation operators and qualifiers, and
// random observations over the same vocabulary. For each query the index's answer must equal the
// set of patterns for which Matcher::Matches() is true. Indicators are also removed and re-added
// between rounds, and validity windows are random, so the incremental paths are exercised.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "pattern/indicator_index.h"
#include "pattern/matcher.h"

namespace tabadul::pattern {
namespace {

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T>
  const T& Of(const std::vector<T>& v) { return v[Pick(static_cast<int>(v.size()))]; }

  std::string Ip() { return "10.0." + std::to_string(Pick(3)) + "." + std::to_string(Pick(4)); }
  std::string Domain() { return Of<std::string>({"a.example", "b.example", "evil.test", "x.org"}); }
  std::string Url() { return "http://" + Domain() + "/" + Of<std::string>({"", "p", "q?x=1"}); }
  std::string Md5() { return std::string(31, 'a') + Of<std::string>({"0", "1", "2"}); }

  std::string Leaf() {
    std::string neg = Pick(6) == 0 ? "NOT " : "";
    switch (Pick(12)) {
      case 0: return "ipv4-addr:value " + neg + "= '" + Ip() + "'";
      case 1: return "ipv4-addr:value " + neg + "ISSUBSET '10.0." + std::to_string(Pick(3)) +
                     ".0/" + Of<std::string>({"24", "30", "31", "16"}) + "'";
      case 2: return "domain-name:value " + neg + "= '" + Domain() + "'";
      case 3: return "domain-name:value " + neg + "LIKE '" + Of<std::string>({"%.example", "_.example", "evil%", "%"}) + "'";
      case 4: return "url:value " + neg + "MATCHES '" + Of<std::string>({"^http://a", "q\\\\?x", "evil", "/p$"}) + "'";
      case 5: return "file:hashes.MD5 " + neg + "= '" + Md5() + "'";
      case 6: return "file:hashes.MD5 " + neg + "IN ('" + Md5() + "', '" + Md5() + "')";
      case 7: return "ipv4-addr:value " + neg + "!= '" + Ip() + "'";
      case 8: return "domain-name:value " + neg + "> '" + Domain() + "'";
      case 9: return neg + "EXISTS url:value";
      case 10: return "ipv4-addr:value " + neg + "IN ('" + Ip() + "', '" + Ip() + "')";
      default: return "url:value " + neg + "LIKE '%" + Domain() + "%'";
    }
  }

  std::string TypeOf(const std::string& leaf) {
    size_t start = leaf.rfind("NOT ", 0) == 0 ? 4 : 0;
    if (leaf.compare(start, 7, "EXISTS ") == 0) start += 7;
    return leaf.substr(start, leaf.find(':') - start);
  }

  std::string Comparison(int depth) {
    std::string l = Leaf();
    if (depth == 0 || Pick(3) == 0) return l;
    if (Pick(2) == 0) return "(" + l + " OR " + Comparison(depth - 1) + ")";
    // AND: same type as the left leaf only.
    std::string r;
    do r = Leaf(); while (TypeOf(r) != TypeOf(l));
    return "(" + l + " AND " + r + ")";
  }

  std::string Observation(int depth) {
    std::string o = "[" + Comparison(2) + "]";
    if (depth > 0 && Pick(3) == 0) {
      o = "(" + o + " " + Of<std::string>({"AND", "OR", "FOLLOWEDBY"}) + " " + Observation(depth - 1) + ")";
    }
    switch (Pick(10)) {
      case 0: return o + " WITHIN " + std::to_string(1 + Pick(120)) + " SECONDS";
      case 1: return o + " REPEATS " + std::to_string(1 + Pick(2)) + " TIMES";
      case 2: return o + " START t'2024-01-01T00:00:00Z' STOP t'2024-01-01T00:01:00Z'";
      default: return o;
    }
  }

  std::string Sco(std::string* type) {
    switch (Pick(4)) {
      case 0: *type = "ipv4-addr"; return R"({"type":"ipv4-addr","value":")" + Ip() + "\"}";
      case 1: *type = "domain-name"; return R"({"type":"domain-name","value":")" + Domain() + "\"}";
      case 2: *type = "url"; return R"({"type":"url","value":")" + Url() + "\"}";
      default: *type = "file"; return R"({"type":"file","hashes":{"MD5":")" + Md5() + "\"}}";
    }
  }

  // 1-3 observed-data objects with embedded objects, seconds apart.
  std::string Observations() {
    std::string out = "[";
    int n = 1 + Pick(3);
    for (int i = 0; i < n; ++i) {
      int t = Pick(90);
      char ts[32];
      std::snprintf(ts, sizeof ts, "2024-01-01T00:%02d:%02dZ", t / 60, t % 60);
      std::string type;
      std::string objects = "\"0\":" + Sco(&type);
      if (Pick(2) == 0) objects += ",\"1\":" + Sco(&type);
      out += std::string(i ? "," : "") + R"({"type":"observed-data","first_observed":")" + ts +
             R"(","last_observed":")" + ts + R"(","number_observed":1,"objects":{)" + objects +
             "}}";
    }
    return out + "]";
  }

 private:
  std::mt19937 rng_;
};

TEST(PatternDifferential, IndexAgreesWithMatcher) {
  Generator gen(20240601);
  constexpr int kPatterns = 1500;
  constexpr int64_t kT0 = 1'704'067'200'000'000'000;  // 2024-01-01
  std::map<std::string, std::string> patterns;
  std::map<std::string, std::pair<int64_t, int64_t>> validity;
  std::map<std::string, std::unique_ptr<Matcher>> matchers;
  IndicatorIndex index;
  auto add = [&](const std::string& id) {
    std::string p = gen.Observation(2);
    auto m = Matcher::Compile(p);
    ASSERT_TRUE(m.ok()) << p << ": " << m.status().ToString();
    int64_t from = kT0 + gen.Pick(3) * 1'000'000'000'000;
    int64_t until = gen.Pick(4) == 0 ? from + 1'500'000'000'000 : kNoExpiry;
    ASSERT_TRUE(index.Add(id, p, from, until).ok());
    patterns[id] = p;
    validity[id] = {from, until};
    matchers[id] = std::make_unique<Matcher>(std::move(*m));
  };
  for (int i = 0; i < kPatterns; ++i) add("indicator--" + std::to_string(i));

  int compared = 0, nonempty = 0;
  for (int round = 0; round < 300; ++round) {
    // Churn: remove some, replace some.
    for (int k = 0; k < 5; ++k) {
      std::string id = "indicator--" + std::to_string(gen.Pick(kPatterns));
      if (patterns.count(id) && gen.Pick(2) == 0) {
        ASSERT_TRUE(index.Remove(id).ok());
        patterns.erase(id);
        matchers.erase(id);
        EXPECT_EQ(index.Remove(id).code(), StatusCode::kNotFound);
      } else {
        add(id);
      }
    }
    int64_t now = kT0 + gen.Pick(4) * 1'000'000'000'000;
    std::string json = gen.Observations();
    auto set = ObservationSet::FromJson(json);
    ASSERT_TRUE(set.ok()) << json;
    std::set<std::string> expected;
    for (const auto& [id, m] : matchers) {
      auto [from, until] = validity[id];
      if (now < from || now >= until) continue;
      auto r = m->Matches(*set);
      ASSERT_TRUE(r.ok());
      if (*r) expected.insert(id);
    }
    auto got = index.MatchObservedData(*set, now);
    ASSERT_TRUE(got.ok());
    std::set<std::string> got_set(got->begin(), got->end());
    ASSERT_EQ(got_set, expected) << "observations: " << json;
    ++compared;
    nonempty += !expected.empty();

    // MatchValue on a single plain value against the matcher on the equivalent SCO.
    ObservableKind kinds[] = {ObservableKind::kIpv4, ObservableKind::kDomain,
                              ObservableKind::kUrl, ObservableKind::kMd5};
    ObservableKind kind = kinds[gen.Pick(4)];
    std::string value = kind == ObservableKind::kIpv4     ? gen.Ip()
                        : kind == ObservableKind::kDomain ? gen.Domain()
                        : kind == ObservableKind::kUrl    ? gen.Url()
                                                          : gen.Md5();
    boost::json::object sco;
    sco["type"] = TargetOf(kind).object_type;
    if (kind == ObservableKind::kMd5) {
      sco["hashes"] = boost::json::object{{"MD5", value}};
    } else {
      sco["value"] = value;
    }
    ObservationSet single = ObservationSet::FromObject(sco, now);
    std::set<std::string> expected_value;
    for (const auto& [id, m] : matchers) {
      auto [from, until] = validity[id];
      if (now < from || now >= until) continue;
      if (*m->Matches(single)) expected_value.insert(id);
    }
    auto got_value = index.MatchValue(kind, value, now);
    std::set<std::string> got_value_set(got_value.begin(), got_value.end());
    ASSERT_EQ(got_value_set, expected_value) << ObservableKindName(kind) << " " << value;
    nonempty += !expected_value.empty();
  }
  EXPECT_GT(nonempty, 100) << "the generator should produce matches often";
  std::printf("differential: %d rounds, %d non-empty answers, %zu indicators\n", compared,
              nonempty, index.size());
}

}  // namespace
}  // namespace tabadul::pattern
