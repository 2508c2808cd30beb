#include "sync/taxii_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "taxii/server.h"

namespace tabadul::sync {
namespace {

TEST(TaxiiClientTest, RefusesBadUrlsAndCaFiles) {
  EXPECT_EQ(TaxiiClient::Create("ftp://x", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TaxiiClient::Create("not a url", {}).status().code(), StatusCode::kInvalidArgument);
  ClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(TaxiiClient::Create("https://127.0.0.1:1", o).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(TaxiiClient::Create("http://127.0.0.1:8021", {}).ok());
}

TEST(TaxiiClientTest, PercentEncodesQueryValues) {
  EXPECT_EQ(PercentEncode("2024-01-01T00:00:00.000000Z"), "2024-01-01T00%3A00%3A00.000000Z");
  EXPECT_EQ(PercentEncode("a b/c+d"), "a%20b%2Fc%2Bd");
}

// A server whose answers are scripted per request.
struct Scripted {
  std::vector<taxii::HttpResponse> replies;
  std::atomic<size_t> n{0};
  std::vector<std::string> authorizations;
  taxii::Handler Handler() {
    return [this](const taxii::HttpRequest& r) {
      size_t i = n++;
      authorizations.push_back(r.authorization);
      return replies[std::min(i, replies.size() - 1)];
    };
  }
};

taxii::HttpResponse Resp(int status, std::string body = "{}",
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
  taxii::HttpResponse r;
  r.status = status;
  r.content_type = "application/taxii+json;version=2.1";
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct Fixture {
  Scripted script;
  std::unique_ptr<taxii::Server> server;
  std::vector<std::chrono::milliseconds> slept;
  std::unique_ptr<TaxiiClient> client;
  explicit Fixture(std::vector<taxii::HttpResponse> replies, Credentials cred = {}) {
    script.replies = std::move(replies);
    server = std::make_unique<taxii::Server>(script.Handler(), taxii::ServerOptions{});
    uint16_t port = server->Start().value();
    ClientOptions o;
    o.credentials = cred;
    o.max_attempts = 4;
    o.backoff_base = std::chrono::milliseconds(100);
    o.backoff_max = std::chrono::milliseconds(1000);
    o.sleep = [this](std::chrono::milliseconds d) { slept.push_back(d); };
    client = TaxiiClient::Create("http://127.0.0.1:" + std::to_string(port), o).value();
  }
};

TEST(TaxiiClientTest, RetriesServerErrorsWithBackoffAndHonoursRetryAfter) {
  Fixture f({Resp(503, "{}", {{"Retry-After", "0"}}), Resp(500), Resp(429, "{}", {{"Retry-After", "3"}}),
             Resp(200, R"({"title":"t","default":"/api/","api_roots":["/api/"]})")});
  auto info = f.client->Discover();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->default_root, "/api/");
  ASSERT_EQ(f.slept.size(), 3u);
  EXPECT_EQ(f.slept[0], std::chrono::milliseconds(0));  // Retry-After: 0
  EXPECT_GE(f.slept[1], std::chrono::milliseconds(200));  // backoff, attempt 1
  EXPECT_EQ(f.slept[2], std::chrono::milliseconds(1000));  // Retry-After 3 s, capped
}

TEST(TaxiiClientTest, GivesUpAfterMaxAttemptsWithTheRightCode) {
  Fixture f({Resp(500)});
  auto info = f.client->Discover();
  EXPECT_EQ(info.status().code(), StatusCode::kInternal);
  EXPECT_EQ(f.script.n.load(), 4u);
  Fixture g({Resp(401)});
  EXPECT_EQ(g.client->Discover().status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(g.script.n.load(), 1u);  // 4xx are not retried
  Fixture h({Resp(200, "not json")});
  EXPECT_EQ(h.client->Discover().status().code(), StatusCode::kInvalidArgument);
}

TEST(TaxiiClientTest, SendsBasicOrBearerCredentials) {
  Fixture f({Resp(200, R"({"title":"t","api_roots":["/r/"]})")},
            {Credentials::Kind::kBasic, "u", "p"});
  ASSERT_EQ(*f.client->DefaultApiRoot(), "/r/");
  EXPECT_EQ(f.script.authorizations[0], "Basic dTpw");
  Fixture g({Resp(200, R"({"title":"t","api_roots":["http://elsewhere/r/"]})")},
            {Credentials::Kind::kToken, "", "tok"});
  EXPECT_EQ(g.client->DefaultApiRoot().status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(g.script.authorizations[0], "Bearer tok");
}

TEST(TaxiiClientTest, PostPollsTheStatusUntilComplete) {
  Fixture f({Resp(202, R"({"id":"s1","status":"pending","total_count":2,"pending_count":2})"),
             Resp(200, R"({"id":"s1","status":"pending","total_count":2,"pending_count":1})"),
             Resp(200, R"({"id":"s1","status":"complete","total_count":2,"success_count":1,
                           "failure_count":1,"failures":[{"id":"x--1","message":"bad"}]})")});
  auto st = f.client->PostAndWait("/api/", "c", R"({"objects":[]})");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->success_count, 1);
  ASSERT_EQ(st->failures.size(), 1u);
  EXPECT_EQ(st->failures[0].second, "bad");
  Fixture g({Resp(202, R"({"id":"s1","status":"pending"})"),
             Resp(200, R"({"id":"s1","status":"pending"})")});
  EXPECT_EQ(g.client->PostAndWait("/api/", "c", "{}", std::chrono::milliseconds(300)).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(TaxiiClientTest, ConnectionRefusedIsInternalAfterRetries) {
  ClientOptions o;
  o.max_attempts = 2;
  o.sleep = [](std::chrono::milliseconds) {};
  // Port 1 on loopback: nothing listens there.
  auto client = TaxiiClient::Create("http://127.0.0.1:1", o).value();
  EXPECT_EQ(client->Discover().status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace tabadul::sync
