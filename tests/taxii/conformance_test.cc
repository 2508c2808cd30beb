// TAXII 2.1 server conformance, one test per item of the checklist in
// ../shared/STANDARDS-NOTES.md §1 (G1-G16, E1-E11, F1-F10). CONFORMANCE.md maps each item to
// its test and records the reading chosen where the specification leaves room.
//
// Every request goes over a real socket to a real server (test_server.h). One server serves the
// whole suite; tests that need their own data create their own collection.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/timestamp.h"
#include "test_server.h"

namespace tabadul::taxii::testing {
namespace {

namespace json = boost::json;

const std::regex kTaxiiTimestamp(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$)");

json::value Parse(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  EXPECT_FALSE(ec) << "not JSON: " << body.substr(0, 300);
  return v;
}

std::set<std::string> Keys(const json::value& v) {
  std::set<std::string> out;
  if (!v.is_object()) return out;
  for (const auto& kv : v.as_object()) out.insert(std::string(kv.key()));
  return out;
}

bool Subset(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

std::string Str(const json::value& v, const char* key) {
  if (!v.is_object()) return {};
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

// The ids of an envelope's objects, in order.
std::vector<std::string> Ids(const json::value& envelope) {
  std::vector<std::string> out;
  if (!envelope.is_object()) return out;
  if (auto* objects = envelope.as_object().if_contains("objects")) {
    for (const auto& o : objects->as_array()) out.push_back(Str(o, "id"));
  }
  return out;
}

std::vector<std::string> Modifieds(const json::value& envelope) {
  std::vector<std::string> out;
  if (auto* objects = envelope.as_object().if_contains("objects")) {
    for (const auto& o : objects->as_array()) out.push_back(Str(o, "modified"));
  }
  return out;
}

// A copy of the array `key` of the JSON object in `body` (empty when absent). A copy, so that a
// range-for over it does not outlive a temporary document.
json::array Arr(const std::string& body, const char* key) {
  json::value v = Parse(body);
  if (!v.is_object()) return {};
  auto* a = v.as_object().if_contains(key);
  return a && a->is_array() ? a->as_array() : json::array();
}

bool More(const json::value& v) {
  auto* m = v.as_object().if_contains("more");
  return m && m->is_bool() && m->as_bool();
}

// Percent-encodes a query value (the cursor is base64url, timestamps carry ':').
std::string Enc(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A TAXII error resource (§3.6.1) with the given HTTP status.
void ExpectError(const Reply& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.Header("content-type"), kTaxii);
  json::value v = Parse(r.body);
  ASSERT_TRUE(v.is_object()) << r.body;
  EXPECT_FALSE(Str(v, "title").empty()) << "title is required: " << r.body;
  if (auto* hs = v.as_object().if_contains("http_status")) {
    ASSERT_TRUE(hs->is_string()) << r.body;
    EXPECT_EQ(std::string(hs->as_string()), std::to_string(status));
  }
  EXPECT_TRUE(Subset(Keys(v), {"title", "description", "error_id", "error_code", "http_status",
                               "external_details", "details"}))
      << r.body;
}

class Conformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ok()) << server_->error().ToString();
    client_ = std::make_unique<HttpClient>(*server_);
  }

  Reply Send(const Request& request) {
    auto r = client_->Send(request);
    EXPECT_TRUE(r.ok()) << request.method << " " << request.target << ": " << r.status().ToString();
    return r.ok() ? *r : Reply{};
  }

  // A new collection with the usual permission table (see test_server.h).
  std::string Fresh(const std::string& title = "fresh") {
    std::string id = server_->CreateCollection(
        title, {{"alice", {true, true}}, {"adam", {true, true}}, {"rita", {true, true}},
                {"rob", {true, false}}, {"wendy", {false, true}}});
    EXPECT_FALSE(id.empty());
    return id;
  }
  static std::string Coll(const std::string& c) { return "/api/collections/" + c + "/"; }
  static std::string Objects(const std::string& c) { return Coll(c) + "objects/"; }
  static std::string Manifest(const std::string& c) { return Coll(c) + "manifest/"; }
  static std::string Object(const std::string& c, const std::string& id) {
    return Objects(c) + id + "/";
  }

  // Posts and expects every object to succeed; returns the status resource.
  json::value PostAll(const std::string& c, const std::vector<std::string>& objects) {
    Reply r = Send(Post(Objects(c), Envelope(objects)));
    EXPECT_EQ(r.status, 202) << r.body.substr(0, 500);
    json::value v = Parse(r.body);
    EXPECT_EQ(v.as_object().at("success_count").to_number<int64_t>(),
              static_cast<int64_t>(objects.size()))
        << r.body.substr(0, 1000);
    return v;
  }

  static TestServer* server_;
  std::unique_ptr<HttpClient> client_;
};

TestServer* Conformance::server_ = nullptr;

// ---- 1.1 Cross-cutting -----------------------------------------------------------------------

TEST_F(Conformance, G1_DiscoveryAtServerRootAndUniqueApiRoots) {
  Reply r = Send(Get("/taxii2/"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = Parse(r.body);
  const auto& roots = v.as_object().at("api_roots").as_array();
  ASSERT_GE(roots.size(), 1u);
  std::set<std::string> unique;
  for (const auto& root : roots) unique.insert(std::string(root.as_string()));
  EXPECT_EQ(unique.size(), roots.size()) << "api roots must be unique";
  for (const auto& root : unique) {
    Reply api = Send(Get(root));
    EXPECT_EQ(api.status, 200) << root << ": " << api.body;
  }
}

TEST_F(Conformance, G2_TlsAccepts12And13RefusesOlderAndNo0Rtt) {
  TestServer tls_server(TestServerOptions{.tls = true});
  ASSERT_TRUE(tls_server.ok()) << tls_server.error().ToString();
  auto v12 = ProbeTls(tls_server.port(), TLS1_2_VERSION, TLS1_2_VERSION, Get("/taxii2/"));
  ASSERT_TRUE(v12.ok()) << v12.status().ToString();
  EXPECT_TRUE(v12->handshake_ok);
  EXPECT_EQ(v12->protocol, "TLSv1.2");
  EXPECT_EQ(v12->reply.status, 200);
  EXPECT_EQ(v12->reply.Header("content-type"), kTaxii);

  auto v13 = ProbeTls(tls_server.port(), TLS1_3_VERSION, TLS1_3_VERSION, Get("/taxii2/"));
  ASSERT_TRUE(v13.ok()) << v13.status().ToString();
  EXPECT_TRUE(v13->handshake_ok);
  EXPECT_EQ(v13->protocol, "TLSv1.3");
  EXPECT_EQ(v13->reply.status, 200);
  EXPECT_EQ(v13->max_early_data, 0u) << "the server must not offer TLS 1.3 0-RTT";

  auto v11 = ProbeTls(tls_server.port(), TLS1_VERSION, TLS1_1_VERSION, Get("/taxii2/"));
  ASSERT_TRUE(v11.ok()) << v11.status().ToString();
  EXPECT_FALSE(v11->handshake_ok) << "TLS 1.0/1.1 must be refused, got " << v11->protocol;

  // The ordinary client over TLS: the whole API works the same.
  HttpClient client(tls_server);
  auto r = client.Send(Post(Objects(tls_server.collection()), Envelope({Indicator(1)})));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 202) << r->body;
}

TEST_F(Conformance, G3_Unauthenticated401WithWwwAuthenticate) {
  const std::string c = server_->collection();
  const std::vector<std::string> targets = {"/taxii2/", "/api/", "/api/collections/", Coll(c),
                                            Objects(c), Manifest(c),
                                            Object(c, IndicatorId(1)),
                                            Object(c, IndicatorId(1)) + "versions/",
                                            "/api/status/" + Uuid(1) + "/"};
  // No credentials, on every endpoint.
  for (const auto& target : targets) {
    Reply r = Send(Get(target, ""));
    SCOPED_TRACE(target);
    ExpectError(r, 401);
    EXPECT_EQ(r.Header("www-authenticate").rfind("Basic", 0), 0u) << r.Header("www-authenticate");
  }
  // Every kind of bad credentials (each wrong password costs one argon2id verification, so these
  // run on one endpoint).
  for (const std::string& header :
       {std::string("Bearer abc"), std::string("Basic !!!"), std::string("Basic"),
        BasicAuth("alice", "wrong"), BasicAuth("mallory"), BasicAuth("alice", "")}) {
    Request req = Get("/api/collections/", "");
    req.headers.push_back({"Authorization", header});
    Reply r = Send(req);
    SCOPED_TRACE(header);
    ExpectError(r, 401);
    EXPECT_EQ(r.Header("www-authenticate").rfind("Basic", 0), 0u) << r.Header("www-authenticate");
  }
  // POST and DELETE too, before anything is read or changed.
  ExpectError(Send(Post(Objects(c), Envelope({Indicator(1)}), "")), 401);
  ExpectError(Send(Delete(Object(c, IndicatorId(1)), "")), 401);

  // Discovery may be public; everything else still needs credentials.
  TestServer open(TestServerOptions{.public_discovery = true});
  ASSERT_TRUE(open.ok());
  HttpClient client(open);
  auto d = client.Send(Get("/taxii2/", ""));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, 200);
  auto root = client.Send(Get("/api/", ""));
  ASSERT_TRUE(root.ok());
  ExpectError(*root, 401);
}

TEST_F(Conformance, G4_PathsEndWithSlash) {
  const std::string c = server_->collection();
  for (const std::string& t : {std::string("/taxii2"), std::string("/api"),
                               std::string("/api/collections"), Coll(c).substr(0, Coll(c).size() - 1),
                               Objects(c).substr(0, Objects(c).size() - 1)}) {
    SCOPED_TRACE(t);
    ExpectError(Send(Get(t)), 404);
  }
  EXPECT_EQ(Send(Get(Objects(c))).status, 200);
}

TEST_F(Conformance, G5_EveryResponseIsTaxiiJson) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1)});
  std::vector<Request> requests = {
      Get("/taxii2/"), Get("/api/"), Get("/api/collections/"), Get(Coll(c)), Get(Objects(c)),
      Get(Manifest(c)), Get(Object(c, IndicatorId(1))),
      Get(Object(c, IndicatorId(1)) + "versions/"),
      Post(Objects(c), Envelope({Indicator(2)})),
      // errors: 400, 401, 403, 404, 406, 415, 422
      Get(Objects(c) + "?limit=0"), Get("/api/", ""), Get(Objects(c), "wendy"),
      Get(Coll(Uuid(999))), Post(Objects(c), "{}"),
  };
  Request not_acceptable = Get(Objects(c));
  not_acceptable.headers[0].second = "text/html";
  requests.push_back(not_acceptable);
  Request wrong_type = Post(Objects(c), Envelope({Indicator(3)}));
  wrong_type.headers.back().second = "text/plain";
  requests.push_back(wrong_type);
  requests.push_back(Delete(Object(c, IndicatorId(2))));
  for (const auto& req : requests) {
    Reply r = Send(req);
    SCOPED_TRACE(req.method + " " + req.target + " -> " + std::to_string(r.status));
    EXPECT_EQ(r.Header("content-type"), kTaxii);
  }
}

TEST_F(Conformance, G6_DefinedMediaTypesNever406Or415) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1)});
  for (const std::string& accept :
       {std::string(kTaxii), std::string("application/taxii+json"),
        std::string("application/taxii+json; version=2.1"),
        std::string("application/stix+json;version=2.1, application/taxii+json;version=2.1")}) {
    for (const std::string& target :
         {std::string("/taxii2/"), std::string("/api/"), std::string("/api/collections/"), Coll(c),
          Objects(c), Manifest(c), Object(c, IndicatorId(1)),
          Object(c, IndicatorId(1)) + "versions/"}) {
      Request req = Get(target);
      req.headers[0].second = accept;
      Reply r = Send(req);
      SCOPED_TRACE(accept + " " + target);
      EXPECT_EQ(r.status, 200) << r.body;
    }
  }
  for (const std::string& content_type :
       {std::string(kTaxii), std::string("application/taxii+json")}) {
    Request req = Post(Objects(c), Envelope({Indicator(2)}));
    req.headers.back().second = content_type;
    EXPECT_EQ(Send(req).status, 202) << content_type;
  }
}

TEST_F(Conformance, G7_AcceptWithoutVersionGetsHighestVersion) {
  Request req = Get("/api/");
  req.headers[0].second = "application/taxii+json";
  Reply r = Send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/taxii+json;version=2.1");
}

TEST_F(Conformance, G8_MissingUserAgentIsAccepted) {
  Request req = Get("/api/collections/");
  for (const auto& h : req.headers) ASSERT_NE(h.first, "User-Agent");
  Reply r = Send(req);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(Conformance, G9_TimestampsHaveMicrosecondPrecision) {
  const std::string c = Fresh();
  // A STIX timestamp with nanoseconds and one with seconds only: TAXII's own timestamps are still
  // exactly six digits.
  json::value st = PostAll(c, {Indicator(1, "2024-01-01T00:00:00.123456789Z"),
                               Ipv4(2)});
  EXPECT_TRUE(std::regex_match(Str(st, "request_timestamp"), kTaxiiTimestamp))
      << Str(st, "request_timestamp");
  Reply m = Send(Get(Manifest(c)));
  ASSERT_EQ(m.status, 200);
  for (const auto& rec : Arr(m.body, "objects")) {
    EXPECT_TRUE(std::regex_match(Str(rec, "date_added"), kTaxiiTimestamp)) << Str(rec, "date_added");
  }
  for (const std::string& t : {Manifest(c), Objects(c), Object(c, IndicatorId(1)),
                               Object(c, IndicatorId(1)) + "versions/"}) {
    Reply r = Send(Get(t));
    EXPECT_TRUE(std::regex_match(r.Header("x-taxii-date-added-first"), kTaxiiTimestamp)) << t;
    EXPECT_TRUE(std::regex_match(r.Header("x-taxii-date-added-last"), kTaxiiTimestamp)) << t;
  }
  // The unversioned SCO's TAXII version is its date_added, also a TAXII timestamp.
  Reply versions = Send(Get(Object(c, "ipv4-addr--" + Uuid(2)) + "versions/"));
  ASSERT_EQ(versions.status, 200) << versions.body;
  for (const auto& v : Arr(versions.body, "versions")) {
    EXPECT_TRUE(std::regex_match(std::string(v.as_string()), kTaxiiTimestamp));
  }
}

TEST_F(Conformance, G10_NoEmptyLists) {
  const std::string c = Fresh();
  for (const std::string& t : {Objects(c), Manifest(c)}) {
    Reply r = Send(Get(t));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "{}") << t;
  }
  Reply none = Send(Get("/api/collections/", "nobody"));
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "{}");
  json::value st = PostAll(c, {Indicator(1)});
  EXPECT_FALSE(st.as_object().contains("failures"));
  EXPECT_FALSE(st.as_object().contains("pendings"));
  Reply excluded = Send(Get(Object(c, IndicatorId(1)) + "?match[version]=2020-01-01T00:00:00.000Z"));
  EXPECT_EQ(excluded.status, 200);
  EXPECT_EQ(excluded.body, "{}");
  Reply versions = Send(Get(Object(c, IndicatorId(1)) + "versions/?match[spec_version]=2.0"));
  EXPECT_EQ(versions.status, 200);
  EXPECT_EQ(versions.body, "{}");
}

// Every JSON number in a response is an integer within ±(2^53 - 1).
void ExpectSmallIntegers(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64:
      EXPECT_LE(std::llabs(v.as_int64()), (int64_t{1} << 53) - 1);
      break;
    case json::kind::uint64:
      EXPECT_LE(v.as_uint64(), (uint64_t{1} << 53) - 1);
      break;
    case json::kind::double_:
      ADD_FAILURE() << "a non-integer number";
      break;
    case json::kind::array:
      for (const auto& e : v.as_array()) ExpectSmallIntegers(e);
      break;
    case json::kind::object:
      for (const auto& kv : v.as_object()) ExpectSmallIntegers(kv.value());
      break;
    default:
      break;
  }
}

TEST_F(Conformance, G11_IntegersAndExactPropertyNames) {
  const std::string c = Fresh();
  json::value st = PostAll(c, {Indicator(1), Malware(2)});
  struct Case {
    std::string target;
    std::set<std::string> required, allowed;
  };
  const std::vector<Case> cases = {
      {"/taxii2/", {"title"}, {"title", "description", "contact", "default", "api_roots"}},
      {"/api/", {"title", "versions", "max_content_length"},
       {"title", "description", "versions", "max_content_length"}},
      {"/api/collections/", {}, {"collections"}},
      {Coll(c), {"id", "title", "can_read", "can_write"},
       {"id", "title", "description", "alias", "can_read", "can_write", "media_types"}},
      {Objects(c), {}, {"more", "next", "objects"}},
      {Manifest(c), {}, {"more", "next", "objects"}},
      {Object(c, IndicatorId(1)) + "versions/", {}, {"more", "next", "versions"}},
      {"/api/status/" + Str(st, "id") + "/",
       {"id", "status", "total_count", "success_count", "failure_count", "pending_count"},
       {"id", "status", "request_timestamp", "total_count", "success_count", "failure_count",
        "pending_count", "successes", "failures", "pendings"}},
  };
  for (const auto& k : cases) {
    Reply r = Send(Get(k.target));
    SCOPED_TRACE(k.target);
    ASSERT_EQ(r.status, 200) << r.body;
    json::value v = Parse(r.body);
    EXPECT_TRUE(Subset(k.required, Keys(v))) << r.body;
    EXPECT_TRUE(Subset(Keys(v), k.allowed)) << r.body;
    ExpectSmallIntegers(v);
  }
  Reply m = Send(Get(Manifest(c)));
  for (const auto& rec : Arr(m.body, "objects")) {
    EXPECT_TRUE(Subset({"id", "date_added", "version"}, Keys(rec)));
    EXPECT_TRUE(Subset(Keys(rec), {"id", "date_added", "version", "media_type"}));
  }
  for (const auto& coll : Arr(Send(Get("/api/collections/")).body, "collections")) {
    EXPECT_TRUE(Subset({"id", "title", "can_read", "can_write"}, Keys(coll)));
  }
}

TEST_F(Conformance, G12_MalformedQueryParameterIs400) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1)});
  for (const char* q :
       {"limit=0", "limit=-1", "limit=abc", "limit=1.5", "limit=", "added_after=yesterday",
        "added_after=2024-01-01", "added_after=2024-01-01T00:00:00+01:00",
        "match[version]=newest", "match[version]=all,last", "match[type]=Not_A_Type",
        "match[type]=indicator,", "match[id]=foo", "match[id]=indicator--1234",
        "match[spec_version]=two", "next=%%%", "next=bm90IGEgY3Vyc29y", "limit=%zz"}) {
    SCOPED_TRACE(q);
    ExpectError(Send(Get(Objects(c) + "?" + q)), 400);
    ExpectError(Send(Get(Manifest(c) + "?" + q)), 400);
  }
  ExpectError(Send(Get(Object(c, IndicatorId(1)) + "?limit=zero")), 400);
  ExpectError(Send(Get(Object(c, IndicatorId(1)) + "versions/?added_after=x")), 400);
  ExpectError(Send(Delete(Object(c, IndicatorId(1)) + "?match[version]=sometime")), 400);
}

TEST_F(Conformance, G13_SortedByDateAddedAndStableCollectionOrder) {
  const std::string c = Fresh();
  // Posted in three requests, with the clock moving backwards in between: date_added still
  // increases, and order follows date_added, not STIX times or ids.
  PostAll(c, {Indicator(30, "2024-03-01T00:00:00.000Z"), Indicator(10)});
  server_->clock().Advance(-5'000'000);
  PostAll(c, {Malware(20)});
  server_->clock().Advance(5'000'000);
  PostAll(c, {Indicator(5, "2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00.000Z")});
  json::value m = Parse(Send(Get(Manifest(c))).body);
  std::vector<std::string> dates, manifest_ids;
  for (const auto& rec : m.as_object().at("objects").as_array()) {
    dates.push_back(Str(rec, "date_added"));
    manifest_ids.push_back(Str(rec, "id"));
  }
  ASSERT_EQ(dates.size(), 4u);
  EXPECT_TRUE(std::is_sorted(dates.begin(), dates.end()));
  EXPECT_EQ(std::set<std::string>(dates.begin(), dates.end()).size(), 4u);
  EXPECT_EQ(manifest_ids, (std::vector<std::string>{IndicatorId(30), IndicatorId(10),
                                                    "malware--" + Uuid(20), IndicatorId(5)}));
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c))).body)), manifest_ids);

  Reply a = Send(Get("/api/collections/"));
  const std::string later = Fresh("later");
  Reply b = Send(Get("/api/collections/"));
  std::vector<std::string> ia, ib;
  for (const auto& x : Arr(a.body, "collections")) ia.push_back(Str(x, "id"));
  for (const auto& x : Arr(b.body, "collections")) ib.push_back(Str(x, "id"));
  ASSERT_EQ(ib.size(), ia.size() + 1);
  EXPECT_TRUE(std::equal(ia.begin(), ia.end(), ib.begin())) << "existing collections keep their order";
  EXPECT_EQ(ib.back(), later);
}

TEST_F(Conformance, G14_ErrorResourceShape) {
  const std::string c = Fresh();
  ExpectError(Send(Get(Objects(c) + "?limit=x")), 400);
  ExpectError(Send(Get("/api/", "")), 401);
  ExpectError(Send(Get(Objects(c), "wendy")), 403);
  ExpectError(Send(Get(Coll(Uuid(12345)))), 404);
  Request html = Get("/api/");
  html.headers[0].second = "text/html";
  ExpectError(Send(html), 406);
  Request xml = Post(Objects(c), "<objects/>");
  xml.headers.back().second = "application/xml";
  ExpectError(Send(xml), 415);
  ExpectError(Send(Post(Objects(c), "{\"objects\":[]}")), 422);
}

TEST_F(Conformance, G15_CustomPropertiesKeptOrRefused) {
  const std::string c = Fresh();
  std::string with_custom = Indicator(1);
  with_custom.insert(with_custom.size() - 1, R"(,"x_acme_score":87,"x_acme_source":"honeypot")");
  PostAll(c, {with_custom});
  Reply r = Send(Get(Object(c, IndicatorId(1))));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(with_custom), std::string::npos) << "stored and served byte for byte";

  // A custom property whose name breaks the rules ([a-z0-9_], 3-250 characters) is refused per
  // object, with a reason, and the valid object beside it is stored.
  std::string bad = Indicator(2);
  bad.insert(bad.size() - 1, R"(,"X-Acme Score":1)");
  Reply p = Send(Post(Objects(c), Envelope({bad, Indicator(3)})));
  ASSERT_EQ(p.status, 202) << p.body;
  json::value st = Parse(p.body);
  EXPECT_EQ(st.as_object().at("success_count").to_number<int>(), 1);
  ASSERT_EQ(st.as_object().at("failure_count").to_number<int>(), 1);
  const auto& failure = st.as_object().at("failures").as_array()[0];
  EXPECT_EQ(Str(failure, "id"), IndicatorId(2));
  EXPECT_FALSE(Str(failure, "message").empty());
  EXPECT_EQ(Send(Get(Object(c, IndicatorId(2)))).status, 404);
  EXPECT_EQ(Send(Get(Object(c, IndicatorId(3)))).status, 200);
}

TEST_F(Conformance, G16_BodyBelowMaxContentLengthIsNot413) {
  constexpr size_t kMax = 64 * 1024;
  TestServer small(TestServerOptions{.max_content_length = kMax});
  ASSERT_TRUE(small.ok());
  HttpClient client(small);
  auto root = client.Send(Get("/api/"));
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(Parse(root->body).as_object().at("max_content_length").to_number<uint64_t>(), kMax);

  // An envelope of exactly max_content_length bytes (padded with whitespace) is accepted.
  std::vector<std::string> objects;
  for (int i = 0; Envelope(objects).size() + 500 < kMax; ++i) objects.push_back(Indicator(i));
  std::string body = Envelope(objects);
  body.insert(body.size() - 1, std::string(kMax - body.size(), ' '));
  ASSERT_EQ(body.size(), kMax);
  auto ok = client.Send(Post(Objects(small.collection()), body));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 202) << ok->body.substr(0, 300);
  // One byte more is 413.
  body.insert(body.size() - 1, " ");
  HttpClient other(small);
  auto over = other.Send(Post(Objects(small.collection()), body));
  ASSERT_TRUE(over.ok()) << over.status().ToString();
  ExpectError(*over, 413);
}

// ---- 1.2 Endpoints ---------------------------------------------------------------------------

TEST_F(Conformance, E1_DiscoveryResource) {
  Reply r = Send(Get("/taxii2/"));
  ASSERT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  EXPECT_FALSE(Str(v, "title").empty());
  const auto& roots = v.as_object().at("api_roots").as_array();
  bool default_listed = false;
  for (const auto& root : roots) {
    std::string s(root.as_string());
    EXPECT_TRUE((s.size() > 1 && s[0] == '/' && s[1] != '/') || s.rfind("https://", 0) == 0) << s;
    EXPECT_EQ(s.find('?'), std::string::npos) << s;
    if (s == Str(v, "default")) default_listed = true;
  }
  if (v.as_object().contains("default")) {
    EXPECT_TRUE(default_listed) << "default must be in api_roots";
  }
  // Not public by default: 401 without credentials.
  ExpectError(Send(Get("/taxii2/", "")), 401);
  // Discovery only answers GET.
  ExpectError(Send(Post("/taxii2/", "{}")), 405);
}

TEST_F(Conformance, E2_ApiRootResource) {
  Reply r = Send(Get("/api/"));
  ASSERT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  EXPECT_FALSE(Str(v, "title").empty());
  bool has_21 = false;
  for (const auto& ver : v.as_object().at("versions").as_array()) {
    if (ver.as_string() == kTaxii) has_21 = true;
  }
  EXPECT_TRUE(has_21);
  EXPECT_GT(v.as_object().at("max_content_length").to_number<int64_t>(), 0);
  ExpectError(Send(Get("/other-root/")), 404);
}

TEST_F(Conformance, E3_StatusResource) {
  const std::string c = Fresh();
  std::string invalid = R"({"type":"indicator","spec_version":"2.1","id":")" + IndicatorId(3) +
                        R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z"})";
  Reply p = Send(Post(Objects(c), Envelope({Indicator(1, "2024-05-06T07:08:09.123Z"),
                                            Malware(2), invalid})));
  ASSERT_EQ(p.status, 202) << p.body;
  json::value st = Parse(p.body);
  const std::string id = Str(st, "id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(Str(st, "status"), "complete");
  auto n = [&](const char* k) { return st.as_object().at(k).to_number<int64_t>(); };
  EXPECT_EQ(n("total_count"), 3);
  EXPECT_EQ(n("success_count"), 2);
  EXPECT_EQ(n("failure_count"), 1);
  EXPECT_EQ(n("pending_count"), 0);
  EXPECT_EQ(n("total_count"), n("success_count") + n("failure_count") + n("pending_count"));
  std::map<std::string, std::string> versions;
  for (const auto& s : st.as_object().at("successes").as_array()) {
    versions[Str(s, "id")] = Str(s, "version");
  }
  EXPECT_EQ(versions[IndicatorId(1)], "2024-05-06T07:08:09.123Z") << "version is the STIX modified";
  EXPECT_EQ(versions["malware--" + Uuid(2)], "2024-01-01T00:00:00.000Z");
  const auto& f = st.as_object().at("failures").as_array().at(0);
  EXPECT_EQ(Str(f, "id"), IndicatorId(3));
  EXPECT_FALSE(Str(f, "version").empty());
  EXPECT_FALSE(Str(f, "message").empty());

  // The same resource at the status endpoint.
  Reply g = Send(Get("/api/status/" + id + "/"));
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(Parse(g.body), st);
  // Another organization, an unknown id, a malformed id: 404.
  ExpectError(Send(Get("/api/status/" + id + "/", "olga")), 404);
  ExpectError(Send(Get("/api/status/" + Uuid(777) + "/")), 404);
  ExpectError(Send(Get("/api/status/not-a-uuid/")), 404);
}

TEST_F(Conformance, E4_CollectionsListsOnlyVisibleOnes) {
  const std::string c = Fresh("E4");
  Reply r = Send(Get("/api/collections/", "rob"));
  ASSERT_EQ(r.status, 200);
  bool found = false;
  for (const auto& x : Arr(r.body, "collections")) {
    if (Str(x, "id") == c) {
      found = true;
      EXPECT_TRUE(x.as_object().at("can_read").as_bool());
      EXPECT_FALSE(x.as_object().at("can_write").as_bool());
    }
  }
  EXPECT_TRUE(found);
  // olga (another organization) has no grant on it: it is not listed.
  for (const auto& x : Arr(Send(Get("/api/collections/", "olga")).body, "collections")) {
    EXPECT_NE(Str(x, "id"), c);
  }
  ExpectError(Send(Get("/api/collections/", "")), 401);
}

TEST_F(Conformance, E5_CollectionResource) {
  const std::string c = Fresh("E5 title");
  Reply r = Send(Get(Coll(c)));
  ASSERT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  EXPECT_EQ(Str(v, "id"), c);
  EXPECT_EQ(Str(v, "title"), "E5 title");
  EXPECT_TRUE(v.as_object().at("can_read").as_bool());
  EXPECT_TRUE(v.as_object().at("can_write").as_bool());
  if (auto* mt = v.as_object().if_contains("media_types")) {
    EXPECT_FALSE(mt->as_array().empty());
  }
  json::value w = Parse(Send(Get(Coll(c), "wendy")).body);
  EXPECT_FALSE(w.as_object().at("can_read").as_bool());
  EXPECT_TRUE(w.as_object().at("can_write").as_bool());
  // Unknown, malformed, and not granted: the same 404.
  Reply unknown = Send(Get(Coll(Uuid(4242))));
  Reply hidden = Send(Get(Coll(c), "nobody"));
  ExpectError(unknown, 404);
  ExpectError(hidden, 404);
  ExpectError(Send(Get(Coll("not-a-uuid"))), 404);
}

TEST_F(Conformance, E6_ManifestResource) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1, "2024-02-02T00:00:00.000Z"), Malware(2), Ipv4(3)});
  Reply r = Send(Get(Manifest(c)));
  ASSERT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  const auto& recs = v.as_object().at("objects").as_array();
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_FALSE(More(v));
  EXPECT_EQ(Str(recs[0], "id"), IndicatorId(1));
  EXPECT_EQ(Str(recs[0], "version"), "2024-02-02T00:00:00.000Z");
  EXPECT_EQ(Str(recs[0], "media_type"), "application/stix+json;version=2.1");
  // Filters apply to the underlying objects.
  json::value only = Parse(Send(Get(Manifest(c) + "?match[type]=malware")).body);
  ASSERT_EQ(only.as_object().at("objects").as_array().size(), 1u);
  EXPECT_EQ(Str(only.as_object().at("objects").as_array()[0], "id"), "malware--" + Uuid(2));
  // can_read=false: 403; no access at all: 404.
  ExpectError(Send(Get(Manifest(c), "wendy")), 403);
  ExpectError(Send(Get(Manifest(c), "nobody")), 404);
}

TEST_F(Conformance, E7_ObjectsEnvelope) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1), Malware(2)});
  Reply r = Send(Get(Objects(c)));
  ASSERT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  EXPECT_TRUE(Subset(Keys(v), {"more", "next", "objects"}));
  EXPECT_EQ(Ids(v), (std::vector<std::string>{IndicatorId(1), "malware--" + Uuid(2)}));
  Reply empty = Send(Get(Objects(c) + "?match[id]=" + IndicatorId(99)));
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "{}");
  ExpectError(Send(Get(Objects(c), "wendy")), 403);
  ExpectError(Send(Get(Objects(c), "nobody")), 404);
}

TEST_F(Conformance, E8_AddObjects) {
  const std::string c = Fresh();
  json::value first = PostAll(c, {Indicator(1), Malware(2)});
  EXPECT_EQ(Str(first, "status"), "complete");
  // An exact duplicate is not an error.
  Reply dup = Send(Post(Objects(c), Envelope({Indicator(1)})));
  ASSERT_EQ(dup.status, 202);
  json::value d = Parse(dup.body);
  EXPECT_EQ(d.as_object().at("success_count").to_number<int>(), 1);
  EXPECT_EQ(d.as_object().at("failure_count").to_number<int>(), 0);
  EXPECT_EQ(Parse(Send(Get(Objects(c) + "?match[version]=all")).body).as_object().at("objects").as_array().size(), 2u);
  // A bundle is accepted as well as an envelope.
  std::string bundle = R"({"type":"bundle","id":"bundle--)" + Uuid(50) + R"(","objects":[)" +
                       Indicator(50) + "]}";
  EXPECT_EQ(Send(Post(Objects(c), bundle)).status, 202);
  // Write-only may post; read-only grant, reader role: 403; no access: 404.
  EXPECT_EQ(Send(Post(Objects(c), Envelope({Indicator(3)}), "wendy")).status, 202);
  ExpectError(Send(Post(Objects(c), Envelope({Indicator(4)}), "rob")), 403);
  ExpectError(Send(Post(Objects(c), Envelope({Indicator(4)}), "rita")), 403);
  ExpectError(Send(Post(Objects(c), Envelope({Indicator(4)}), "nobody")), 404);
  EXPECT_EQ(Send(Get(Object(c, IndicatorId(4)))).status, 404);
}

TEST_F(Conformance, E9_GetObject) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1, "2024-01-01T00:00:00.000Z"), Indicator(1, "2024-02-01T00:00:00.000Z"),
              Indicator(1, "2024-03-01T00:00:00.000Z"), Indicator(2)});
  json::value last = Parse(Send(Get(Object(c, IndicatorId(1)))).body);
  EXPECT_EQ(Modifieds(last), std::vector<std::string>{"2024-03-01T00:00:00.000Z"});
  json::value all = Parse(Send(Get(Object(c, IndicatorId(1)) + "?match[version]=all")).body);
  EXPECT_EQ(Modifieds(all).size(), 3u);
  EXPECT_EQ(Ids(all), std::vector<std::string>(3, IndicatorId(1)));
  // limit and next page through the versions.
  Reply p1 = Send(Get(Object(c, IndicatorId(1)) + "?match[version]=all&limit=2"));
  json::value v1 = Parse(p1.body);
  ASSERT_TRUE(More(v1));
  EXPECT_EQ(Modifieds(v1).size(), 2u);
  Reply p2 = Send(Get(Object(c, IndicatorId(1)) + "?next=" + Enc(Str(v1, "next"))));
  json::value v2 = Parse(p2.body);
  EXPECT_FALSE(More(v2));
  EXPECT_EQ(Modifieds(v2), std::vector<std::string>{"2024-03-01T00:00:00.000Z"});
  // added_after on the object endpoint.
  Reply after = Send(Get(Object(c, IndicatorId(1)) + "?match[version]=all&added_after=" +
                         Enc(p1.Header("x-taxii-date-added-last"))));
  EXPECT_EQ(Modifieds(Parse(after.body)), std::vector<std::string>{"2024-03-01T00:00:00.000Z"});
  ExpectError(Send(Get(Object(c, IndicatorId(77)))), 404);
  ExpectError(Send(Get(Object(c, IndicatorId(1)), "wendy")), 403);
  ExpectError(Send(Get(Object(c, IndicatorId(1)), "nobody")), 404);
}

TEST_F(Conformance, E10_DeleteObjectAndPermissionTable) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1, "2024-01-01T00:00:00.000Z"), Indicator(1, "2024-02-01T00:00:00.000Z"),
              Indicator(2)});
  // (can_read, can_write) = (F,F) -> 404, (T,F) -> 403, (F,T) -> 403; a reader role -> 403.
  ExpectError(Send(Delete(Object(c, IndicatorId(1)), "nobody")), 404);
  ExpectError(Send(Delete(Object(c, IndicatorId(1)), "rob")), 403);
  ExpectError(Send(Delete(Object(c, IndicatorId(1)), "wendy")), 403);
  ExpectError(Send(Delete(Object(c, IndicatorId(1)), "rita")), 403);
  EXPECT_EQ(Modifieds(Parse(Send(Get(Object(c, IndicatorId(1)) + "?match[version]=all")).body)).size(), 2u)
      << "refused deletes change nothing";

  // One version only.
  Reply one = Send(Delete(Object(c, IndicatorId(1)) + "?match[version]=2024-01-01T00:00:00.000Z"));
  EXPECT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Modifieds(Parse(Send(Get(Object(c, IndicatorId(1)) + "?match[version]=all")).body)),
            std::vector<std::string>{"2024-02-01T00:00:00.000Z"});
  EXPECT_EQ(Parse(Send(Get(Object(c, IndicatorId(1)) + "?match[version]=2024-01-01T00:00:00.000Z")).body),
            json::value(json::object()));
  // Every version (the default), by an admin.
  EXPECT_EQ(Send(Delete(Object(c, IndicatorId(1)), "adam")).status, 200);
  ExpectError(Send(Get(Object(c, IndicatorId(1)))), 404);
  ExpectError(Send(Get(Object(c, IndicatorId(1)) + "versions/")), 404);
  json::value manifest = Parse(Send(Get(Manifest(c) + "?match[version]=all")).body);
  for (const auto& rec : manifest.as_object().at("objects").as_array()) {
    EXPECT_NE(Str(rec, "id"), IndicatorId(1));
  }
  EXPECT_EQ(manifest.as_object().at("objects").as_array().size(), 1u);
  // Deleting what is not there: 404.
  ExpectError(Send(Delete(Object(c, IndicatorId(1)))), 404);
  ExpectError(Send(Delete(Object(c, IndicatorId(3)))), 404);
}

TEST_F(Conformance, E11_Versions) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1, "2024-02-01T00:00:00.000Z"), Indicator(1, "2024-01-01T00:00:00.000Z"),
              Indicator(1, "2024-03-01T00:00:00.000Z")});
  Reply r = Send(Get(Object(c, IndicatorId(1)) + "versions/"));
  ASSERT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  std::vector<std::string> versions;
  for (const auto& x : v.as_object().at("versions").as_array()) versions.emplace_back(x.as_string());
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<std::string>{"2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z",
                                                "2024-03-01T00:00:00.000Z"}));
  EXPECT_FALSE(More(v));
  json::value page = Parse(Send(Get(Object(c, IndicatorId(1)) + "versions/?limit=1")).body);
  EXPECT_TRUE(More(page));
  EXPECT_EQ(page.as_object().at("versions").as_array().size(), 1u);
  EXPECT_EQ(Send(Get(Object(c, IndicatorId(1)) + "versions/?match[spec_version]=2.1")).body, r.body);
  ExpectError(Send(Get(Object(c, IndicatorId(1)) + "versions/?match[version]=all")), 400);
  ExpectError(Send(Get(Object(c, IndicatorId(9)) + "versions/")), 404);
  ExpectError(Send(Get(Object(c, IndicatorId(1)) + "versions/", "wendy")), 403);
}

// ---- 1.3 Filtering, pagination, headers -----------------------------------------------------

TEST_F(Conformance, F1_AddedAfterComparesDateAdded) {
  const std::string c = Fresh();
  server_->clock().Advance(1'000'000);
  // Old STIX times, recent date_added.
  PostAll(c, {Indicator(1, "2010-01-01T00:00:00.000Z", "2010-01-01T00:00:00.000Z")});
  Reply first = Send(Get(Objects(c)));
  const std::string t1 = first.Header("x-taxii-date-added-last");
  server_->clock().Advance(1'000'000);
  // Future STIX times, later date_added.
  PostAll(c, {Indicator(2, "2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z")});
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?added_after=" + Enc(t1))).body)),
            std::vector<std::string>{IndicatorId(2)});
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?added_after=2020-01-01T00:00:00Z")).body)),
            (std::vector<std::string>{IndicatorId(1), IndicatorId(2)}));
  // Without added_after the oldest come first.
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?limit=1")).body)), std::vector<std::string>{IndicatorId(1)});
  // At most once.
  ExpectError(Send(Get(Objects(c) + "?added_after=" + Enc(t1) + "&added_after=" + Enc(t1))), 400);
}

TEST_F(Conformance, F2_LimitNeverExceededAndCappedByServer) {
  TestServer capped(TestServerOptions{.max_page_size = 5});
  ASSERT_TRUE(capped.ok());
  HttpClient client(capped);
  std::vector<std::string> objects;
  for (int i = 0; i < 12; ++i) objects.push_back(Indicator(i));
  auto p = client.Send(Post(Objects(capped.collection()), Envelope(objects)));
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->status, 202);
  for (int limit : {1, 3, 5, 6, 100}) {
    auto r = client.Send(Get(Objects(capped.collection()) + "?limit=" + std::to_string(limit)));
    ASSERT_TRUE(r.ok());
    json::value v = Parse(r->body);
    EXPECT_EQ(Ids(v).size(), static_cast<size_t>(std::min(limit, 5))) << limit;
    EXPECT_TRUE(More(v));
  }
  // Everything fits both limits: all of it, more=false.
  const std::string c = Fresh();
  PostAll(c, {Indicator(1), Indicator(2), Indicator(3)});
  json::value all = Parse(Send(Get(Objects(c) + "?limit=3")).body);
  EXPECT_EQ(Ids(all).size(), 3u);
  EXPECT_FALSE(More(all));
}

TEST_F(Conformance, F3_MoreWhenMoreRemain) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1), Indicator(2), Indicator(3)});
  for (const std::string& base : {Objects(c), Manifest(c)}) {
    json::value p = Parse(Send(Get(base + "?limit=2")).body);
    EXPECT_TRUE(More(p)) << base;
    EXPECT_FALSE(Str(p, "next").empty());
    json::value q = Parse(Send(Get(base + "?limit=2&next=" + Enc(Str(p, "next")))).body);
    EXPECT_FALSE(More(q)) << base;
    EXPECT_FALSE(q.as_object().contains("next"));
  }
}

TEST_F(Conformance, F4_NextReplaysOriginalFilters) {
  const std::string c = Fresh();
  std::vector<std::string> objects;
  for (int i = 0; i < 6; ++i) objects.push_back(i % 2 ? Malware(i) : Indicator(i));
  PostAll(c, objects);
  json::value p1 = Parse(Send(Get(Objects(c) + "?match[type]=malware&limit=2")).body);
  ASSERT_TRUE(More(p1));
  const std::string next = Enc(Str(p1, "next"));
  // next alone carries the filter; next with the same filter is the same page.
  Reply alone = Send(Get(Objects(c) + "?next=" + next + "&limit=2"));
  Reply same = Send(Get(Objects(c) + "?match[type]=malware&next=" + next + "&limit=2"));
  EXPECT_EQ(Ids(Parse(alone.body)), std::vector<std::string>{"malware--" + Uuid(5)});
  EXPECT_EQ(alone.body, same.body);
  // next with different filters is refused rather than silently changing the listing.
  ExpectError(Send(Get(Objects(c) + "?match[type]=indicator&next=" + next)), 400);
  // A cursor from one collection replayed on another is only a position: no data of the first.
  const std::string other = Fresh();
  EXPECT_EQ(Send(Get(Objects(other) + "?next=" + next)).body, "{}");
}

TEST_F(Conformance, F5_MatchFieldsAndValues) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1), Malware(2), Ipv4(3), Indicator(4)});
  // Comma-separated values are ORed.
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[id]=" + IndicatorId(1) + "," + IndicatorId(4))).body)),
            (std::vector<std::string>{IndicatorId(1), IndicatorId(4)}));
  // Different fields are ANDed.
  EXPECT_EQ(Send(Get(Objects(c) + "?match[type]=malware&match[id]=" + IndicatorId(1))).body, "{}");
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[type]=indicator&match[id]=" + IndicatorId(1) + ",malware--" + Uuid(2))).body)),
            std::vector<std::string>{IndicatorId(1)});
  // A field must not repeat; an unknown field is refused (our reading: 400, not ignored).
  ExpectError(Send(Get(Objects(c) + "?match[type]=indicator&match[type]=malware")), 400);
  ExpectError(Send(Get(Objects(c) + "?match[labels]=x")), 400);
  // Raw and percent-encoded brackets mean the same.
  EXPECT_EQ(Send(Get(Objects(c) + "?match%5Btype%5D=malware")).body,
            Send(Get(Objects(c) + "?match[type]=malware")).body);
}

TEST_F(Conformance, F6_MatchIdAndSeveralTypes) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1), Malware(2), Ipv4(3), Indicator(4)});
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[type]=indicator,ipv4-addr")).body)),
            (std::vector<std::string>{IndicatorId(1), "ipv4-addr--" + Uuid(3), IndicatorId(4)}));
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[type]=malware,indicator")).body)).size(), 3u);
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[id]=malware--" + Uuid(2))).body)),
            std::vector<std::string>{"malware--" + Uuid(2)});
  // Any STIX 2.1 type is a valid filter even when nothing of it is stored.
  for (std::string t : {"grouping", "x-acme-widget", "observed-data,note", "malware-analysis"}) {
    Reply r = Send(Get(Objects(c) + "?match[type]=" + t));
    EXPECT_EQ(r.status, 200) << t;
    EXPECT_EQ(r.body, "{}") << t;
  }
}

TEST_F(Conformance, F7_MatchVersion) {
  const std::string c = Fresh();
  // Posted out of order: "first" is the oldest modified, not the first posted.
  PostAll(c, {Indicator(1, "2024-02-01T00:00:00.000Z"), Indicator(1, "2024-01-01T00:00:00.000Z"),
              Indicator(1, "2024-03-01T00:00:00.000Z"), Malware(2, "2024-01-15T00:00:00.000Z")});
  auto mods = [&](const std::string& q) {
    auto v = Modifieds(Parse(Send(Get(Objects(c) + "?match[id]=" + IndicatorId(1) + q)).body));
    std::sort(v.begin(), v.end());
    return v;
  };
  const std::string jan = "2024-01-01T00:00:00.000Z", feb = "2024-02-01T00:00:00.000Z",
                    mar = "2024-03-01T00:00:00.000Z";
  EXPECT_EQ(mods(""), std::vector<std::string>{mar}) << "last is the default";
  EXPECT_EQ(mods("&match[version]=last"), std::vector<std::string>{mar});
  EXPECT_EQ(mods("&match[version]=first"), std::vector<std::string>{jan});
  EXPECT_EQ(mods("&match[version]=all"), (std::vector<std::string>{jan, feb, mar}));
  EXPECT_EQ(mods("&match[version]=first,last"), (std::vector<std::string>{jan, mar}));
  EXPECT_EQ(mods("&match[version]=" + feb), std::vector<std::string>{feb});
  // The same instant written with another precision is the same version.
  EXPECT_EQ(mods("&match[version]=2024-02-01T00:00:00Z"), std::vector<std::string>{feb});
  EXPECT_EQ(mods("&match[version]=" + jan + "," + mar), (std::vector<std::string>{jan, mar}));
  EXPECT_EQ(mods("&match[version]=2023-01-01T00:00:00.000Z"), std::vector<std::string>{});
  // Without match[id]: one version of each object, the single-version malware in every mode.
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[version]=first")).body)).size(), 2u);
  EXPECT_EQ(Ids(Parse(Send(Get(Objects(c) + "?match[version]=all")).body)).size(), 4u);
  ExpectError(Send(Get(Objects(c) + "?match[version]=all,first")), 400);
  // An unversioned SCO: its version is its date_added; first = last = it.
  const std::string s = Fresh();
  PostAll(s, {Ipv4(7)});
  for (const char* q : {"first", "last", "all"}) {
    EXPECT_EQ(Ids(Parse(Send(Get(Objects(s) + "?match[version]=" + q)).body)).size(), 1u) << q;
  }
}

TEST_F(Conformance, F8_MatchSpecVersion) {
  const std::string c = Fresh();
  PostAll(c, {Indicator(1), Malware(2), Ipv4(3)});
  Reply all = Send(Get(Objects(c)));
  EXPECT_EQ(Send(Get(Objects(c) + "?match[spec_version]=2.1")).body, all.body);
  EXPECT_EQ(Send(Get(Objects(c) + "?match[spec_version]=2.0,2.1")).body, all.body);
  Reply none = Send(Get(Objects(c) + "?match[spec_version]=2.0"));
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "{}");
  EXPECT_EQ(Send(Get(Manifest(c) + "?match[spec_version]=2.0")).body, "{}");
  EXPECT_EQ(Send(Get(Object(c, IndicatorId(1)) + "?match[spec_version]=2.0")).body, "{}");
  for (const auto& rec : Arr(Send(Get(Manifest(c))).body, "objects")) {
    EXPECT_EQ(Str(rec, "media_type"), "application/stix+json;version=2.1");
  }
}

TEST_F(Conformance, F9_DateAddedHeadersOnEvery2xxIncludingEmptyPages) {
  const std::string c = Fresh();
  const std::string empty = Fresh();
  PostAll(c, {Indicator(1), Indicator(2)});
  std::vector<std::string> targets = {Objects(c), Manifest(c), Object(c, IndicatorId(1)),
                                      Object(c, IndicatorId(1)) + "versions/", Objects(empty),
                                      Manifest(empty),
                                      Objects(c) + "?added_after=2099-01-01T00:00:00Z",
                                      Manifest(c) + "?match[type]=grouping",
                                      Object(c, IndicatorId(1)) + "?match[spec_version]=2.0"};
  for (const auto& t : targets) {
    Reply r = Send(Get(t));
    SCOPED_TRACE(t);
    ASSERT_EQ(r.status, 200);
    const std::string first = r.Header("x-taxii-date-added-first");
    const std::string last = r.Header("x-taxii-date-added-last");
    EXPECT_TRUE(std::regex_match(first, kTaxiiTimestamp)) << first;
    EXPECT_TRUE(std::regex_match(last, kTaxiiTimestamp)) << last;
    EXPECT_LE(first, last);
  }
  // An empty page answers with the bound it was asked for, so resuming from Last neither skips
  // nor loops.
  Reply e = Send(Get(Objects(c) + "?added_after=2099-01-01T00:00:00Z"));
  EXPECT_EQ(e.Header("x-taxii-date-added-last"), "2099-01-01T00:00:00.000000Z");
  // On a page with objects, First and Last are its first and last date_added.
  Reply m = Send(Get(Manifest(c)));
  const json::array recs = Arr(m.body, "objects");
  EXPECT_EQ(m.Header("x-taxii-date-added-first"), Str(recs.front(), "date_added"));
  EXPECT_EQ(m.Header("x-taxii-date-added-last"), Str(recs.back(), "date_added"));
}

// Several thousand objects posted in one request (so thousands share one clock microsecond),
// paged with limit=7 by `next` and by added_after = X-TAXII-Date-Added-Last: every object once.
TEST_F(Conformance, F10_PagingThousandsPostedTogetherByNextAndByAddedAfter) {
  constexpr int kCount = 3000;
  const std::string c = Fresh("paging");
  std::vector<std::string> objects;
  for (int i = 0; i < kCount; ++i) objects.push_back(i % 3 ? Indicator(i) : Malware(i));
  // The clock stands still for the whole post.
  PostAll(c, objects);

  std::vector<std::string> expected;
  for (int i = 0; i < kCount; ++i) {
    expected.push_back(i % 3 ? IndicatorId(i) : "malware--" + Uuid(i));
  }
  for (const std::string& base : {Objects(c), Manifest(c)}) {
    SCOPED_TRACE(base);
    // By next.
    std::vector<std::string> seen;
    std::string target = base + "?limit=7";
    int pages = 0;
    while (true) {
      Reply r = Send(Get(target));
      ASSERT_EQ(r.status, 200) << r.body;
      json::value v = Parse(r.body);
      auto ids = Ids(v);
      ASSERT_LE(ids.size(), 7u);
      seen.insert(seen.end(), ids.begin(), ids.end());
      ASSERT_LT(++pages, kCount);
      if (!More(v)) break;
      target = base + "?limit=7&next=" + Enc(Str(v, "next"));
    }
    EXPECT_EQ(seen, expected);

    // By added_after = the previous page's X-TAXII-Date-Added-Last, until an empty page.
    seen.clear();
    target = base + "?limit=7";
    pages = 0;
    while (true) {
      Reply r = Send(Get(target));
      ASSERT_EQ(r.status, 200) << r.body;
      json::value v = Parse(r.body);
      auto ids = Ids(v);
      ASSERT_LE(ids.size(), 7u);
      if (ids.empty()) {
        EXPECT_FALSE(More(v));
        break;
      }
      seen.insert(seen.end(), ids.begin(), ids.end());
      ASSERT_LT(++pages, kCount);
      target = base + "?limit=7&added_after=" + Enc(r.Header("x-taxii-date-added-last"));
    }
    EXPECT_EQ(seen, expected);
  }
}

// ---- Real data -------------------------------------------------------------------------------

// The OASIS example bundles: every object is accepted and served back unchanged.
TEST_F(Conformance, RealExampleBundlesRoundTrip) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TABADUL_SHARED_DATA_DIR) / "examples";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no shared data at " << dir << "; skipping";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    json::value bundle = Parse(ss.str());
    const auto& objects = bundle.as_object().at("objects").as_array();
    const std::string c = Fresh(entry.path().filename().string());
    Reply p = Send(Post(Objects(c), ss.str()));  // the bundle as published
    ASSERT_EQ(p.status, 202) << p.body;
    json::value st = Parse(p.body);
    EXPECT_EQ(st.as_object().at("failure_count").to_number<size_t>(), 0u) << p.body;
    EXPECT_EQ(st.as_object().at("total_count").to_number<size_t>(), objects.size());
    json::value served = Parse(Send(Get(Objects(c) + "?match[version]=all&limit=1000")).body);
    ASSERT_TRUE(served.as_object().contains("objects"));
    const auto& got = served.as_object().at("objects").as_array();
    ASSERT_EQ(got.size(), objects.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], objects[i]) << i;
    ++files;
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace tabadul::taxii::testing
