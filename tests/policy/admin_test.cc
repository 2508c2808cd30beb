// The admin HTTP API through a real server (taxii::Server on port 0, a taxii::Router mounting the
// admin handler beside the TAXII API with the policy hooks), and the CLI command functions.
#include <gtest/gtest.h>

#include <sodium.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/password.h"
#include "policy/admin_handler.h"
#include "policy/agreement_cli.h"
#include "policy/hooks.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"
#include "taxii/router.h"
#include "taxii/server.h"

namespace tabadul::policy {
namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

const char* const kP = "identity--00000000-0000-4000-8000-0000000000a1";
const char* const kR = "identity--00000000-0000-4000-8000-0000000000a2";
const char* const kX = "identity--00000000-0000-4000-8000-0000000000a3";
const char* const kHub = "identity--00000000-0000-4000-8000-0000000000a4";
const char* const kFeed = "00000000-0000-4000-8000-0000000000f1";
const std::string kPassword = "pw pw pw pw";

std::string Basic(const std::string& user) {
  const std::string in = user + ":" + kPassword;
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return "Basic " + out;
}

struct Reply {
  int status = 0;
  std::string body;
  json::value Json() const {
    boost::system::error_code ec;
    return json::parse(body, ec);
  }
};

class AdminTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(auth::InitCrypto().ok()); }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("policy_admin_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_path_ = (dir_ / "tabadul.db").string();
    store_ = std::move(store::SqliteStore::Open(db_path_)).value();
    agreements_ = std::move(store::SqliteAgreementStore::Open(db_path_)).value();
    auto hash = auth::HashSecret(kPassword);
    ASSERT_TRUE(hash.ok());
    struct U { const char* name; const char* org; store::Role role; };
    ASSERT_TRUE(store_->CreateOrganization({kP, "provider", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kR, "recipient", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kX, "outsider", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kHub, "hub", 1}).ok());
    for (U u : {U{"padmin", kP, store::Role::kAdmin}, U{"preader", kP, store::Role::kReader},
                U{"radmin", kR, store::Role::kAdmin}, U{"xadmin", kX, store::Role::kAdmin},
                U{"hubadmin", kHub, store::Role::kAdmin}}) {
      ASSERT_TRUE(store_->CreateUser({u.name, u.org, u.role, *hash, 1}).ok());
    }
    ASSERT_TRUE(store_->CreateCollection({kFeed, "feed", "", "feed", kP, "green", 1}).ok());
    ASSERT_TRUE(store_->SetGrant("padmin", kFeed, {true, true}).ok());

    EngineOptions options;
    options.hub_org_id = kHub;
    options.reload_check_interval_us = 0;
    engine_ = std::make_unique<Engine>(*store_, *agreements_, clock_, options);
    passwords_ = std::make_unique<auth::Authenticator>(*store_, clock_);
    tokens_ = std::make_unique<auth::TokenService>(*store_, *agreements_, clock_);
    auto hooks = MakeHooks(*engine_);
    ASSERT_TRUE(hooks.ok());
    pipeline_ = std::make_unique<intake::Pipeline>(*store_, clock_);
    api_ = std::make_unique<taxii::TaxiiApi>(*store_, *pipeline_, *passwords_, clock_, taxii::ApiConfig{},
                                             std::move(hooks).value());
    router_ = std::make_unique<taxii::Router>(
        [this](const taxii::HttpRequest& r) { return api_->Handle(r); });
    router_->Mount("/tabadul/v1/admin/",
                   MakeAdminHandler(*engine_, tokens_.get(),
                                    PasswordOrToken(*passwords_, tokens_.get())));
    server_ = std::make_unique<taxii::Server>(
        [this](const taxii::HttpRequest& r) { return router_->Handle(r); },
        taxii::ServerOptions{});
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  Reply Call(const std::string& method, const std::string& target, const std::string& auth,
             const std::string& body = "", const std::string& accept = "application/json") {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "localhost");
    req.set(http::field::accept, accept);
    if (!auth.empty()) req.set(http::field::authorization, auth);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return {static_cast<int>(res.result_int()), res.body()};
  }

  std::string Agreement(const std::string& name, const std::string& max_tlp = "green") {
    return R"({"name":")" + name + R"(","provider":"provider","recipients":["recipient"],)"
           R"("collections":["feed"],"max_tlp":")" + max_tlp + R"("})";
  }

  std::vector<std::string> VisibleCollections(const std::string& user) {
    Reply r = Call("GET", "/api/collections/", Basic(user), "", "application/taxii+json;version=2.1");
    std::vector<std::string> out;
    const json::value v = r.Json();
    if (!v.is_object()) return {"<not JSON: " + r.body + ">"};
    if (const json::value* cs = v.as_object().if_contains("collections")) {
      for (const auto& c : cs->as_array()) out.emplace_back(c.as_object().at("id").as_string());
    }
    return out;
  }

  FakeClock clock_{1'700'000'000'000'000};
  std::filesystem::path dir_;
  std::string db_path_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteAgreementStore> agreements_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<auth::Authenticator> passwords_;
  std::unique_ptr<auth::TokenService> tokens_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<taxii::TaxiiApi> api_;
  std::unique_ptr<taxii::Router> router_;
  std::unique_ptr<taxii::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(AdminTest, NeedsCredentialsAndTheAdminRole) {
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", "").status, 401);
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", Basic("preader")).status, 403);
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", Basic("padmin")).status, 200);
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/nothing/", Basic("padmin")).status, 404);
}

TEST_F(AdminTest, LifecycleAndPartiesOnly) {
  EXPECT_TRUE(VisibleCollections("radmin").empty());
  Reply created = Call("POST", "/tabadul/v1/admin/agreements/", Basic("padmin"), Agreement("p2r"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().at("version").as_int64(), 1);
  // Takes effect at once for TAXII reads.
  EXPECT_EQ(VisibleCollections("radmin"), std::vector<std::string>{kFeed});
  EXPECT_TRUE(VisibleCollections("xadmin").empty());

  // The recipient's admin reads it; an outsider cannot tell it exists.
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/p2r/", Basic("radmin")).status, 200);
  Reply outsider = Call("GET", "/tabadul/v1/admin/agreements/p2r/", Basic("xadmin"));
  Reply missing = Call("GET", "/tabadul/v1/admin/agreements/nope/", Basic("xadmin"));
  EXPECT_EQ(outsider.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", Basic("xadmin")).body, "{}");
  EXPECT_EQ(Call("PUT", "/tabadul/v1/admin/agreements/p2r/", Basic("xadmin"), Agreement("p2r")).status, 404);
  // The recipient may read but not change; a taken name is not revealed to outsiders either.
  EXPECT_EQ(Call("PUT", "/tabadul/v1/admin/agreements/p2r/", Basic("radmin"), Agreement("p2r")).status, 403);
  EXPECT_EQ(Call("POST", "/tabadul/v1/admin/agreements/", Basic("padmin"), Agreement("p2r")).status, 409);

  Reply updated = Call("PUT", "/tabadul/v1/admin/agreements/p2r/", Basic("padmin"), Agreement("p2r", "amber"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json().at("version").as_int64(), 2);
  Reply history = Call("GET", "/tabadul/v1/admin/agreements/p2r/history/", Basic("padmin"));
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.Json().at("versions").as_array().size(), 2u);

  ASSERT_EQ(Call("DELETE", "/tabadul/v1/admin/agreements/p2r/", Basic("padmin")).status, 200);
  EXPECT_TRUE(VisibleCollections("radmin").empty());
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", Basic("padmin")).body, "{}");
  Reply with_ended = Call("GET", "/tabadul/v1/admin/agreements/?ended=true", Basic("padmin"));
  EXPECT_EQ(with_ended.Json().at("agreements").as_array().size(), 1u);
  // The hub admin sees everything.
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/p2r/history/", Basic("hubadmin")).status, 200);
}

TEST_F(AdminTest, RefusesBadAgreementsNamingTheField) {
  Reply bad = Call("POST", "/tabadul/v1/admin/agreements/", Basic("padmin"),
                   Agreement("a", "purple"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("max_tlp"), std::string::npos) << bad.body;
  // Another organization's provider: refused.
  std::string theirs = R"({"name":"x","provider":"outsider","recipients":["recipient"],)"
                       R"("collections":["feed"],"max_tlp":"green"})";
  EXPECT_EQ(Call("POST", "/tabadul/v1/admin/agreements/", Basic("padmin"), theirs).status, 403);
  EXPECT_EQ(Call("POST", "/tabadul/v1/admin/agreements/", Basic("padmin"), "{").status, 400);
  EXPECT_EQ(Call("PUT", "/tabadul/v1/admin/agreements/zzz/", Basic("padmin"), Agreement("zzz")).status, 404);
  EXPECT_FALSE(agreements_->AgreementHistory("a").ok());
}

TEST_F(AdminTest, ApplyIsAllOrNothing) {
  ASSERT_EQ(Call("POST", "/tabadul/v1/admin/agreements/", Basic("padmin"), Agreement("old")).status, 201);
  const std::string good = "{\"agreements\":[" + Agreement("n1") + "," + Agreement("n2") + "]}";
  const std::string bad = "{\"agreements\":[" + Agreement("n1") + "," +
                          R"({"name":"n2","provider":"provider","recipients":["ghost"],"collections":["feed"],"max_tlp":"green"})" + "]}";
  Reply refused = Call("POST", "/tabadul/v1/admin/agreements/apply/", Basic("padmin"), bad);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("recipients: unknown organization 'ghost'"), std::string::npos);
  EXPECT_FALSE(agreements_->AgreementHistory("n1").ok());  // nothing half-applied
  EXPECT_FALSE(agreements_->AgreementHistory("old")->back().ended);

  Reply dry = Call("POST", "/tabadul/v1/admin/agreements/apply/?dry_run=true", Basic("padmin"), good);
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_FALSE(agreements_->AgreementHistory("n1").ok());

  Reply applied = Call("POST", "/tabadul/v1/admin/agreements/apply/", Basic("padmin"), good);
  ASSERT_EQ(applied.status, 200) << applied.body;
  json::value r = applied.Json();
  EXPECT_EQ(r.at("created").as_array().size(), 2u);
  EXPECT_EQ(r.at("ended").as_array().size(), 1u);
  EXPECT_TRUE(agreements_->AgreementHistory("old")->back().ended);
  // Applying the same file again changes nothing.
  Reply again = Call("POST", "/tabadul/v1/admin/agreements/apply/", Basic("padmin"), good);
  EXPECT_EQ(again.Json().at("unchanged").as_array().size(), 2u);
  // An organization's admin may not apply another provider's agreements.
  EXPECT_EQ(Call("POST", "/tabadul/v1/admin/agreements/apply/", Basic("radmin"), good).status, 400);
}

TEST_F(AdminTest, TokensAreShownOnceAndWorkAsBearerOrBasic) {
  Reply created = Call("POST", "/tabadul/v1/admin/tokens/", Basic("padmin"),
                       R"({"user":"padmin","label":"ci"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token(created.Json().at("token").as_string());
  const std::string id(created.Json().at("id").as_string());
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", "Bearer " + token).status, 200);
  Reply listed = Call("GET", "/tabadul/v1/admin/tokens/", Basic("padmin"));
  EXPECT_EQ(listed.body.find(token), std::string::npos);  // never shown again
  EXPECT_NE(listed.body.find(id), std::string::npos);
  // Other organizations can neither mint tokens for P's users nor revoke P's tokens.
  EXPECT_EQ(Call("POST", "/tabadul/v1/admin/tokens/", Basic("xadmin"), R"({"user":"padmin"})").status, 404);
  EXPECT_EQ(Call("DELETE", "/tabadul/v1/admin/tokens/" + id + "/", Basic("xadmin")).status, 404);
  ASSERT_EQ(Call("DELETE", "/tabadul/v1/admin/tokens/" + id + "/", Basic("padmin")).status, 200);
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/", "Bearer " + token).status, 401);
  // A reader's token is a reader.
  Reply reader = Call("POST", "/tabadul/v1/admin/tokens/", Basic("padmin"), R"({"user":"preader"})");
  ASSERT_EQ(reader.status, 201);
  EXPECT_EQ(Call("GET", "/tabadul/v1/admin/agreements/",
                 "Bearer " + std::string(reader.Json().at("token").as_string())).status, 403);
}

TEST_F(AdminTest, CliCommands) {
  std::ostringstream out, err;
  AgreementCliContext ctx{*store_, *agreements_, clock_, out, err};
  const std::string file = (dir_ / "a.json").string();
  std::ofstream(file) << Agreement("cli1");
  EXPECT_EQ(AgreementAdd(ctx, file), 0) << err.str();
  EXPECT_NE(out.str().find("cli1  v1"), std::string::npos);
  // The CLI wrote through its own engine; the server's engine notices the generation change.
  EXPECT_EQ(VisibleCollections("radmin"), std::vector<std::string>{kFeed});
  EXPECT_EQ(AgreementAdd(ctx, file), 1);
  EXPECT_NE(err.str().find("already exists"), std::string::npos);
  std::ofstream(file) << Agreement("cli1", "amber");
  EXPECT_EQ(AgreementUpdate(ctx, file), 0) << err.str();
  out.str("");
  EXPECT_EQ(AgreementShow(ctx, "cli1", /*history=*/true), 0);
  EXPECT_NE(out.str().find("cli1  v2"), std::string::npos);
  EXPECT_NE(out.str().find("\"max_tlp\":\"amber\""), std::string::npos);

  std::ofstream(file) << Agreement("cli2", "blue");
  err.str("");
  EXPECT_EQ(AgreementAdd(ctx, file), 1);
  EXPECT_NE(err.str().find("max_tlp: unknown TLP 'blue'"), std::string::npos) << err.str();
  EXPECT_EQ(AgreementAdd(ctx, (dir_ / "missing.json").string()), 1);

  const std::string set = (dir_ / "set.json").string();
  std::ofstream(set) << "{\"agreements\":[" << Agreement("cli3") << "]}";
  out.str("");
  EXPECT_EQ(AgreementApply(ctx, set, /*dry_run=*/true), 0);
  EXPECT_NE(out.str().find("would create cli3"), std::string::npos);
  EXPECT_NE(out.str().find("would end cli1"), std::string::npos);
  out.str("");
  EXPECT_EQ(AgreementApply(ctx, set, false), 0);
  EXPECT_NE(out.str().find("ended cli1"), std::string::npos);
  out.str("");
  EXPECT_EQ(AgreementList(ctx, false), 0);
  EXPECT_EQ(out.str().find("cli1"), std::string::npos);
  EXPECT_NE(out.str().find("cli3"), std::string::npos);
  EXPECT_EQ(AgreementEnd(ctx, "cli3"), 0);
  EXPECT_TRUE(VisibleCollections("radmin").empty());
  EXPECT_EQ(AgreementEnd(ctx, "cli3"), 1);
  out.str("");
  EXPECT_EQ(AgreementList(ctx, true), 0);
  EXPECT_NE(out.str().find("cli3  v2  ENDED"), std::string::npos);

  out.str("");
  EXPECT_EQ(TokenCreate(ctx, "preader", "", "x"), 0) << err.str();
  const std::string token = out.str().substr(0, out.str().find('\n'));
  EXPECT_TRUE(tokens_->AuthenticateToken(token).ok());
  EXPECT_EQ(TokenCreate(ctx, "preader", "admin", "x"), 1);
  EXPECT_EQ(TokenCreate(ctx, "preader", "boss", "x"), 1);
  out.str("");
  EXPECT_EQ(TokenList(ctx, "provider"), 0);
  const std::string id = out.str().substr(0, out.str().find(' '));
  EXPECT_EQ(TokenRevoke(ctx, id), 0);
  EXPECT_FALSE(tokens_->AuthenticateToken(token).ok());
  EXPECT_EQ(TokenRevoke(ctx, "tok_none"), 1);
}

}  // namespace
}  // namespace tabadul::policy

namespace tabadul::policy {
namespace {

TEST_F(AdminTest, RegisteredCommandsParseAndRun) {
  CLI::App app{"t"};
  std::string data_dir = dir_.string();
  std::ostringstream out, err;
  int code = -1;
  RegisterAgreementCommands(app, data_dir, clock_, out, err, code);
  const std::string file = (dir_ / "r.json").string();
  std::ofstream(file) << Agreement("reg1");
  app.parse("agreement add " + file, false);
  EXPECT_EQ(code, 0) << err.str();
  code = -1;
  app.parse("agreement show reg1 --history", false);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_NE(out.str().find("reg1  v1"), std::string::npos) << out.str();
  code = -1;
  app.parse("agreement end nope", false);
  EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace tabadul::policy
