// Hostile and malformed input against the real server: each gets a TAXII error (or a per-object
// failure in the status resource) and never a crash, a hang, or lost data. After every test the
// server still answers, and the objects stored before it are still there.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "test_server.h"

namespace tabadul::taxii::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

json::value Parse(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  EXPECT_FALSE(ec) << "not JSON: " << body.substr(0, 300);
  return v;
}

std::string Str(const json::value& v, const char* key) {
  if (!v.is_object()) return {};
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

int64_t Num(const json::value& v, const char* key) {
  if (!v.is_object()) return -1;
  auto* p = v.as_object().if_contains(key);
  return p && p->is_number() ? p->to_number<int64_t>() : -1;
}

void ExpectTaxiiError(const Reply& r, int status) {
  EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
  EXPECT_EQ(r.Header("content-type"), kTaxii);
  json::value v = Parse(r.body);
  EXPECT_FALSE(Str(v, "title").empty()) << r.body;
  EXPECT_EQ(Str(v, "http_status"), std::to_string(status)) << r.body;
}

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(TestServerOptions{.max_content_length = 1u << 20, .timeout_seconds = 2});
    if (!server_->ok()) return;
    // Data that must survive everything below.
    HttpClient client(*server_);
    std::vector<std::string> keep;
    for (int i = 0; i < 20; ++i) keep.push_back(Indicator(9000 + i));
    auto r = client.Send(Post(Objects(server_->collection()), Envelope(keep)));
    seeded_ = r.ok() && r->status == 202;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ok()) << server_->error().ToString();
    ASSERT_TRUE(seeded_);
    client_ = std::make_unique<HttpClient>(*server_);
  }
  // The server still answers and still holds the seeded objects.
  void TearDown() override {
    HttpClient fresh(*server_);
    auto r = fresh.Send(Get(Objects(server_->collection()) + "?match[id]=" + IndicatorId(9000) +
                            "," + IndicatorId(9019)));
    ASSERT_TRUE(r.ok()) << "the server stopped answering: " << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    auto v = Parse(r->body);
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.as_object().at("objects").as_array().size(), 2u) << "seeded data lost";
  }

  Reply Send(const Request& request) {
    auto r = client_->Send(request, seconds(20));
    EXPECT_TRUE(r.ok()) << request.method << " " << request.target << ": " << r.status().ToString();
    return r.ok() ? *r : Reply{};
  }
  static std::string Objects(const std::string& c) { return "/api/collections/" + c + "/objects/"; }
  std::string Fresh() {
    return server_->CreateCollection("bad input", {{"alice", {true, true}}});
  }

  static TestServer* server_;
  static bool seeded_;
  std::unique_ptr<HttpClient> client_;
};

TestServer* BadInput::server_ = nullptr;
bool BadInput::seeded_ = false;

TEST_F(BadInput, MalformedJsonIs400AndStoresNothing) {
  const std::string c = Fresh();
  for (const std::string& body :
       {std::string("not json"), std::string("{"), std::string("{\"objects\":"),
        std::string("{\"objects\":[}"), std::string("\xff\xfe\x00\x01", 4),
        std::string("{\"objects\":[{\"type\":\"indicator\",}]}"), std::string(""),
        std::string("{\"objects\":[]} trailing"), std::string("{'objects':[]}")}) {
    SCOPED_TRACE(body);
    Reply r = Send(Post(Objects(c), body));
    ExpectTaxiiError(r, 400);
  }
  EXPECT_EQ(Send(Get(Objects(c))).body, "{}");
}

// A body cut off in the middle is malformed JSON: 400, and not even the complete objects before
// the cut are stored (the request is all or nothing at the JSON level).
TEST_F(BadInput, TruncatedEnvelopeIs400AndStoresNothing) {
  const std::string c = Fresh();
  std::string body = Envelope({Indicator(1), Indicator(2)});
  body.resize(body.size() - 40);  // cut inside the second object
  ExpectTaxiiError(Send(Post(Objects(c), body)), 400);
  EXPECT_EQ(Send(Get(Objects(c))).body, "{}");
}

TEST_F(BadInput, BodiesThatAreNotEnvelopesAre422Or400) {
  const std::string c = Fresh();
  for (const std::string& body :
       {std::string("[]"), std::string("\"objects\""), std::string("42"), std::string("null"),
        std::string("{}"), std::string("{\"objects\":[]}"), std::string("{\"objects\":{}}"),
        std::string("{\"objects\":\"x\"}"), std::string("{\"objects\":null}"),
        std::string("{\"type\":\"bundle\"}"), Indicator(1)}) {
    SCOPED_TRACE(body);
    Reply r = Send(Post(Objects(c), body));
    EXPECT_TRUE(r.status == 400 || r.status == 422) << r.status << " " << r.body;
    EXPECT_EQ(Str(Parse(r.body), "http_status"), std::to_string(r.status));
  }
  // Elements that are not objects are refused one by one.
  Reply r = Send(Post(Objects(c), "{\"objects\":[1,\"x\",null]}"));
  EXPECT_TRUE(r.status == 202 || r.status == 400 || r.status == 422) << r.body;
  if (r.status == 202) {
    EXPECT_EQ(Num(Parse(r.body), "success_count"), 0);
  }
  EXPECT_EQ(Send(Get(Objects(c))).body, "{}");
}

TEST_F(BadInput, WrongMediaTypes) {
  const std::string c = Fresh();
  for (const std::string& type :
       {std::string("text/plain"), std::string("application/xml"), std::string(""),
        std::string("application/taxii+json;version=2.0"), std::string("multipart/form-data"),
        std::string("application/taxii+json, application/json"), std::string(";;;")}) {
    Request req = Post(Objects(c), Envelope({Indicator(1)}));
    req.headers.back().second = type;
    SCOPED_TRACE("Content-Type: " + type);
    ExpectTaxiiError(Send(req), 415);
  }
  for (const std::string& accept :
       {std::string("text/html"), std::string("application/taxii+json;version=2.0"),
        std::string("application/xml"), std::string("application/taxii+json;q=0"),
        std::string(",,,")}) {
    Request req = Get(Objects(c));
    req.headers[0].second = accept;
    SCOPED_TRACE("Accept: " + accept);
    ExpectTaxiiError(Send(req), 406);
  }
  EXPECT_EQ(Send(Get(Objects(c))).body, "{}");
}

TEST_F(BadInput, HugeContentLengthIs413WithoutReadingTheBody) {
  const std::string head = "POST " + Objects(server_->collection()) +
                           " HTTP/1.1\r\nHost: x\r\nAuthorization: " + BasicAuth("alice") +
                           "\r\nAccept: " + kTaxii + "\r\nContent-Type: " + kTaxii +
                           "\r\nContent-Length: 10000000000\r\n\r\n";
  const auto start = steady_clock::now();
  auto raw = SendRaw(server_->port(), head, /*shutdown_send=*/false, seconds(10));
  ASSERT_TRUE(raw.ok());
  EXPECT_LT(steady_clock::now() - start, seconds(2)) << "answered without waiting for the body";
  auto reply = ParseRawResponse(raw->received);
  ASSERT_TRUE(reply.has_value()) << raw->received;
  ExpectTaxiiError(*reply, 413);
  // A body just over the limit, sent in full, is refused the same way.
  Reply over = Send(Post(Objects(server_->collection()), std::string((1u << 20) + 1, ' ')));
  ExpectTaxiiError(over, 413);
}

TEST_F(BadInput, ChunkedBodyOverTheLimitIs413) {
  std::string req = "POST " + Objects(server_->collection()) +
                    " HTTP/1.1\r\nHost: x\r\nAuthorization: " + BasicAuth("alice") +
                    "\r\nAccept: " + kTaxii + "\r\nContent-Type: " + kTaxii +
                    "\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(64 * 1024, ' ');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (int i = 0; i < 20; ++i) req += size + chunk + "\r\n";  // 1.25 MiB > 1 MiB
  req += "0\r\n\r\n";
  auto raw = SendRaw(server_->port(), req, false, seconds(10));
  ASSERT_TRUE(raw.ok());
  auto reply = ParseRawResponse(raw->received);
  ASSERT_TRUE(reply.has_value()) << raw->received.substr(0, 200);
  ExpectTaxiiError(*reply, 413);
}

// 10,000 nested arrays inside an object: refused with a reason, never a stack overflow.
TEST_F(BadInput, DeepNestingIsRefused) {
  const std::string c = Fresh();
  std::string deep = Indicator(1);
  deep.insert(deep.size() - 1, ",\"x_deep\":" + std::string(10000, '[') + std::string(10000, ']'));
  Reply r = Send(Post(Objects(c), Envelope({deep, Indicator(2)})));
  ASSERT_TRUE(r.status == 202 || r.status == 400 || r.status == 422) << r.body.substr(0, 300);
  if (r.status == 202) {
    json::value st = Parse(r.body);
    EXPECT_GE(Num(st, "failure_count"), 1);
    const auto& f = st.as_object().at("failures").as_array().at(0);
    EXPECT_NE(Str(f, "message").find("deep"), std::string::npos) << Str(f, "message");
  }
  // Never stored.
  auto v = Parse(Send(Get(Objects(c) + "?match[id]=" + IndicatorId(1))).body);
  EXPECT_FALSE(v.as_object().contains("objects"));
  // Deep nesting of the envelope itself, and of an object in place of the envelope.
  const std::string deep_envelope = std::string(10000, '[') + std::string(10000, ']');
  Reply e = Send(Post(Objects(c), deep_envelope));
  EXPECT_TRUE(e.status == 400 || e.status == 422) << e.body;
  std::string deep_objects = "{\"objects\":[" + std::string(10000, '[') + std::string(10000, ']') + "]}";
  Reply o = Send(Post(Objects(c), deep_objects));
  EXPECT_TRUE(o.status == 202 || o.status == 400 || o.status == 422) << o.body;
  // Deep nesting in a plain {} object nested 10,000 times.
  std::string objs;
  for (int i = 0; i < 10000; ++i) objs += "{\"a\":";
  objs += "1" + std::string(10000, '}');
  Reply q = Send(Post(Objects(c), "{\"objects\":[" + objs + "]}"));
  EXPECT_TRUE(q.status == 202 || q.status == 400 || q.status == 422) << q.body;
}

TEST_F(BadInput, InvalidObjectsBesideValidOnesAreReportedOneByOne) {
  const std::string c = Fresh();
  std::string no_pattern = Indicator(2);
  no_pattern.replace(no_pattern.find("\"pattern\""), 9, "\"x_pattern\"");
  std::string bad_id = Indicator(3);
  bad_id.replace(bad_id.find("indicator--"), 11, "malware--");
  std::string bad_time = Indicator(4, "yesterday");
  std::string old_spec = Indicator(5);
  old_spec.replace(old_spec.find("\"2.1\""), 5, "\"2.0\"");
  const std::string changed = Indicator(6, "2024-01-01T00:00:00.000Z");  // stored below first
  std::string changed_again = changed;
  changed_again.replace(changed_again.find("Malicious host"), 14, "Benign host!!!");
  ASSERT_EQ(Send(Post(Objects(c), Envelope({changed}))).status, 202);

  Reply r = Send(Post(Objects(c), Envelope({Indicator(1), no_pattern, bad_id, "{}", bad_time,
                                            old_spec, changed_again, Indicator(7)})));
  ASSERT_EQ(r.status, 202) << r.body;
  json::value st = Parse(r.body);
  EXPECT_EQ(Num(st, "total_count"), 8);
  EXPECT_EQ(Num(st, "success_count"), 2);
  EXPECT_EQ(Num(st, "failure_count"), 6);
  std::map<std::string, std::string> reasons;
  for (const auto& f : st.as_object().at("failures").as_array()) {
    EXPECT_FALSE(Str(f, "message").empty()) << json::serialize(f);
    EXPECT_FALSE(Str(f, "version").empty()) << json::serialize(f);
    reasons[Str(f, "id")] = Str(f, "message");
  }
  EXPECT_TRUE(reasons.count(IndicatorId(2))) << "missing pattern";
  EXPECT_TRUE(reasons.count(IndicatorId(4))) << "bad modified";
  EXPECT_TRUE(reasons.count(IndicatorId(5))) << "spec_version 2.0";
  EXPECT_TRUE(reasons.count(IndicatorId(6))) << "same version, different content";
  EXPECT_NE(reasons[IndicatorId(6)].find("immutable"), std::string::npos) << reasons[IndicatorId(6)];
  // The valid ones are stored; the refused ones are not; the earlier version is untouched.
  auto v = Parse(Send(Get(Objects(c) + "?match[version]=all")).body);
  std::set<std::string> ids;
  for (const auto& o : v.as_object().at("objects").as_array()) ids.insert(Str(o, "id"));
  EXPECT_EQ(ids, (std::set<std::string>{IndicatorId(1), IndicatorId(6), IndicatorId(7)}));
  auto six = Send(Get(Objects(c) + IndicatorId(6) + "/"));
  EXPECT_NE(six.body.find(changed), std::string::npos);
}

TEST_F(BadInput, UnknownAndRepeatedQueryParametersAre400) {
  const std::string c = server_->collection();
  for (const char* q :
       {"foo=bar", "limit=1&limit=2", "match[type]=indicator&match[type]=malware",
        "added_after=2024-01-01T00:00:00Z&added_after=2024-01-01T00:00:00Z", "match[]=x",
        "match[type=indicator", "LIMIT=1", "limit=99999999999999999999999", "limit=1%00",
        "match[type]=indicator%0amalware", "=x", "limit"}) {
    SCOPED_TRACE(q);
    ExpectTaxiiError(Send(Get(Objects(c) + "?" + q)), 400);
  }
  // POST takes no parameters; discovery and collections ignore none silently either.
  ExpectTaxiiError(Send(Post(Objects(c) + "?limit=1", Envelope({Indicator(1)}))), 400);
  // Empty pairs are harmless.
  EXPECT_EQ(Send(Get(Objects(c) + "?&&limit=1&")).status, 200);
}

TEST_F(BadInput, BadNextIs400) {
  const std::string c = server_->collection();
  auto b64 = [](const std::string& s) {
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char ch : s) {
      val = (val << 8) + ch;
      bits += 8;
      while (bits >= 0) {
        out += k[(val >> bits) & 0x3F];
        bits -= 6;
      }
    }
    if (bits > -6) out += k[((val << 8) >> (bits + 8)) & 0x3F];
    return out;
  };
  Reply first = Send(Get(Objects(c) + "?limit=2"));
  std::string real = Str(Parse(first.body), "next");
  ASSERT_FALSE(real.empty());
  for (const std::string& next :
       {std::string("garbage!"), std::string("AAAA"), b64("v1\nabc\n"), b64("v2\n5\n"),
        b64("v1\n99999999999999999999999\n"), b64("v1\n5\nmatch[type]=Not A Type\n"),
        b64("v1\n5\nlimit=3\n"), b64("v1\n5\nfoo=bar\n"), real.substr(0, real.size() / 2) + "!",
        std::string(5000, 'A')}) {
    SCOPED_TRACE(next);
    Reply r = Send(Get(Objects(c) + "?next=" + next));
    EXPECT_TRUE(r.status == 400 || r.status == 200) << r.body;
    if (r.status != 200) ExpectTaxiiError(r, 400);
  }
  // Cursors that cannot have been issued by this server are refused.
  ExpectTaxiiError(Send(Get(Objects(c) + "?next=garbage!")), 400);
  ExpectTaxiiError(Send(Get(Objects(c) + "?next=" + b64("v2\n5\n"))), 400);
  ExpectTaxiiError(Send(Get(Objects(c) + "?next=" + b64("v1\nabc\n"))), 400);
  ExpectTaxiiError(Send(Get(Objects(c) + "?next=" + b64("v1\n5\nfoo=bar\n"))), 400);
}

TEST_F(BadInput, UnknownCollectionsObjectsAndPathsAre404) {
  const std::string c = server_->collection();
  for (const std::string& t : std::vector<std::string>{
       "/api/collections/00000000-0000-4000-8000-000000000000/",
        "/api/collections/00000000-0000-4000-8000-000000000000/objects/",
        "/api/collections/not-a-uuid/objects/", "/api/collections/%2e%2e/",
        "/api/collections/../collections/", "/api/nothing/", "/nothing/", "/",
        "/api/collections/" + c + "/objects/indicator--00000000-0000-4000-8000-000000000000/",
        "/api/collections/" + c + "/objects/not-an-id/",
        "/api/collections/" + c + "/objects/" + IndicatorId(9000) + "/versions/extra/",
        "/api/collections/" + c + "/unknown/", "/api/status/../../etc/passwd/",
        "/api/collections/" + c + "//objects/", "/api/collections/" + c.substr(0, 35) + "X/"}) {
    SCOPED_TRACE(t);
    ExpectTaxiiError(Send(Get(t)), 404);
  }
  // Methods a resource does not have.
  for (const char* method : {"PUT", "PATCH", "OPTIONS"}) {
    Request req = Get(Objects(c));
    req.method = method;
    Reply r = Send(req);
    ExpectTaxiiError(r, 405);
    EXPECT_EQ(Str(Parse(r.body), "title"), "Method not allowed") << method;
  }
  // A target that is not a path.
  Request weird = Get("*");
  weird.method = "OPTIONS";
  Reply r = Send(weird);
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
}

TEST_F(BadInput, WrongCredentialsAre401) {
  const std::string c = server_->collection();
  for (const std::string& header :
       {BasicAuth("alice", "nope"), BasicAuth("", ""), BasicAuth("alice:" + std::string(kPassword)),
        std::string("Basic ") + std::string(8000, 'A'), std::string("basic ") + BasicAuth("alice").substr(6),
        std::string("Digest username=\"alice\""), BasicAuth(std::string(1, '\0'), "x")}) {
    Request req = Get(Objects(c), "");
    req.headers.push_back({"Authorization", header});
    Reply r = Send(req);
    SCOPED_TRACE(header.substr(0, 60));
    ExpectTaxiiError(r, 401);
    EXPECT_FALSE(r.Header("www-authenticate").empty());
  }
}

// Random bytes, binary junk and broken request lines: the server answers 400 or closes the
// connection, and keeps serving others.
TEST_F(BadInput, GarbageBytesOnTheSocket) {
  std::mt19937 rng(20240101);
  std::vector<std::string> inputs = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS ClientHello
      "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\r\n\r\n\r\n", "HELLO WORLD\r\n\r\n",
      "GET /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "GET /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "GET /api/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
      "GET /api/ HTTP/1.1\r\nX: " + std::string(40000, 'a') + "\r\n\r\n",
  };
  for (int i = 0; i < 20; ++i) {
    std::string junk(1 + rng() % 2000, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    inputs.push_back(junk + "\r\n\r\n");
  }
  for (const auto& input : inputs) {
    auto raw = SendRaw(server_->port(), input, /*shutdown_send=*/true, seconds(5));
    ASSERT_TRUE(raw.ok());
    EXPECT_FALSE(raw->timed_out) << "the server neither answered nor closed";
    if (auto reply = ParseRawResponse(raw->received)) {
      EXPECT_GE(reply->status, 400) << reply->body;
      EXPECT_LT(reply->status, 500) << reply->body;
    }
  }
}

// A client that sends half a body and stops does not hold up anyone else, and its connection
// is closed after the server's timeout.
TEST_F(BadInput, SlowClientsDoNotHangOthers) {
  const std::string head = "POST " + Objects(server_->collection()) +
                           " HTTP/1.1\r\nHost: x\r\nAuthorization: " + BasicAuth("alice") +
                           "\r\nAccept: " + kTaxii + "\r\nContent-Type: " + kTaxii +
                           "\r\nContent-Length: 1000\r\n\r\n{\"objects\":[";
  // More stalled connections than the server has threads.
  std::vector<std::thread> stalled;
  std::vector<RawResult> results(12);
  const auto start = steady_clock::now();
  for (size_t i = 0; i < results.size(); ++i) {
    stalled.emplace_back([&, i] {
      auto r = SendRaw(server_->port(), head, /*shutdown_send=*/false, seconds(15));
      if (r.ok()) results[i] = *r;
    });
  }
  // Meanwhile ordinary requests are served promptly.
  for (int i = 0; i < 20; ++i) {
    const auto t0 = steady_clock::now();
    Reply r = Send(Get("/api/collections/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(steady_clock::now() - t0, seconds(1));
  }
  Reply post = Send(Post(Objects(Fresh()), Envelope({Indicator(1)})));
  EXPECT_EQ(post.status, 202);
  for (auto& t : stalled) t.join();
  const auto elapsed = steady_clock::now() - start;
  for (const auto& r : results) {
    EXPECT_FALSE(r.timed_out) << "a stalled connection was never closed";
    EXPECT_TRUE(r.closed);
  }
  EXPECT_LT(elapsed, seconds(10)) << "the 2 s timeout closes stalled clients";
  // Nothing of the half body was stored.
}

// A client that stops in the middle of the headers is treated the same way.
TEST_F(BadInput, ClientStoppingInTheHeadersIsClosed) {
  auto raw = SendRaw(server_->port(), "GET /api/ HTTP/1.1\r\nHost: x\r\nAccept: ", false,
                     seconds(10));
  ASSERT_TRUE(raw.ok());
  EXPECT_FALSE(raw->timed_out);
  EXPECT_TRUE(raw->closed);
}

}  // namespace
}  // namespace tabadul::taxii::testing
