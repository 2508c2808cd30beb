// The peers admin API over real HTTP, the CLI commands as the `tabadul` binary will call them,
// and the Scheduler.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "instance.h"
#include "cli/runtime.h"
#include "sync/commands.h"

namespace tabadul::sync::testing {
namespace {

namespace json = boost::json;

std::unique_ptr<TaxiiClient> AdminClient(const Instance& at, const std::string& user = "admin") {
  ClientOptions o = Instance::FastOptions().client;
  o.credentials = {Credentials::Kind::kBasic, user, kPassword};
  return TaxiiClient::Create(at.url(), o).value();
}

TEST(PeersApiTest, AddSubscribeSyncListAndRemoveOverHttp) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("shared"), cb = b.NewCollection("copy");
  a.Post(ca, {Indicator(1), Indicator(2)});
  auto admin = AdminClient(b);

  json::object peer{{"name", "alpha"}, {"url", a.url()}, {"org_id", a.org_id()},
                    {"auth", {{"kind", "basic"}, {"user", "sync"}, {"secret", kPassword}}}};
  auto r = admin->Send("POST", "/tabadul/v1/peers/", json::serialize(peer));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(r->body.find(kPassword), std::string::npos);  // the secret never comes back
  EXPECT_EQ(json::parse(r->body).as_object().at("may_forward"), false);  // the default terms
  EXPECT_EQ(json::parse(r->body).as_object().at("default_tlp"), "amber");
  EXPECT_EQ(json::parse(r->body).as_object().at("forward_max_tlp"), "green");
  r = admin->Send("POST", "/tabadul/v1/peers/", json::serialize(peer));
  EXPECT_EQ(r->status, 409);
  json::object with_terms{{"name", "other"}, {"url", a.url()}, {"default_tlp", "TLP:GREEN"},
                          {"may_forward", true}, {"forward_max_tlp", "amber"}};
  r = admin->Send("POST", "/tabadul/v1/peers/", json::serialize(with_terms));
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(json::parse(r->body).as_object().at("may_forward"), true);
  EXPECT_EQ(json::parse(r->body).as_object().at("default_tlp"), "green");
  with_terms["name"] = "third";
  with_terms["may_forward"] = "yes";
  EXPECT_EQ(admin->Send("POST", "/tabadul/v1/peers/", json::serialize(with_terms))->status, 400);
  with_terms["may_forward"] = false;
  with_terms["forward_max_tlp"] = "ultraviolet";
  EXPECT_EQ(admin->Send("POST", "/tabadul/v1/peers/", json::serialize(with_terms))->status, 400);
  EXPECT_EQ(admin->Send("DELETE", "/tabadul/v1/peers/other/")->status, 200);

  json::object sub{{"direction", "pull"}, {"remote_collection", ca}, {"local_collection", cb}};
  r = admin->Send("POST", "/tabadul/v1/peers/alpha/subscriptions/", json::serialize(sub));
  ASSERT_EQ(r->status, 201) << r->body;
  int64_t id = json::parse(r->body).as_object().at("id").as_int64();
  sub["direction"] = "sideways";
  EXPECT_EQ(admin->Send("POST", "/tabadul/v1/peers/alpha/subscriptions/", json::serialize(sub))->status, 400);
  sub["direction"] = "pull";
  sub["local_collection"] = "no-such-collection";
  EXPECT_EQ(admin->Send("POST", "/tabadul/v1/peers/alpha/subscriptions/", json::serialize(sub))->status, 404);

  r = admin->Send("POST", "/tabadul/v1/peers/alpha/sync/");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));

  r = admin->Send("GET", "/tabadul/v1/peers/");
  ASSERT_EQ(r->status, 200);
  auto peers = json::parse(r->body).as_object().at("peers").as_array();
  ASSERT_EQ(peers.size(), 1u);
  auto subs = peers[0].as_object().at("subscriptions").as_array();
  ASSERT_EQ(subs.size(), 1u);
  auto status = subs[0].as_object().at("status").as_object();
  EXPECT_TRUE(status.contains("last_success"));
  EXPECT_EQ(status.at("objects").as_int64(), 2);
  EXPECT_EQ(r->body.find(kPassword), std::string::npos);

  // Only admins; bad credentials are 401.
  EXPECT_EQ(AdminClient(b, "sync")->Send("GET", "/tabadul/v1/peers/")->status, 403);
  ClientOptions anon = Instance::FastOptions().client;
  EXPECT_EQ(TaxiiClient::Create(b.url(), anon).value()->Send("GET", "/tabadul/v1/peers/")->status, 401);
  EXPECT_EQ(admin->Send("POST", "/tabadul/v1/peers/", "{not json")->status, 400);
  EXPECT_EQ(admin->Send("GET", "/tabadul/v1/peers/nobody/")->status, 404);

  EXPECT_EQ(admin->Send("DELETE", "/tabadul/v1/peers/alpha/subscriptions/" + std::to_string(id) + "/")->status, 200);
  EXPECT_EQ(admin->Send("DELETE", "/tabadul/v1/peers/alpha/")->status, 200);
  EXPECT_EQ(admin->Send("DELETE", "/tabadul/v1/peers/alpha/")->status, 404);
}

struct CliResult {
  int code = -1;
  std::string out, err;
};

CliResult Cli(const std::string& data_dir, std::vector<std::string> args,
              const std::string& stdin_text = "") {
  CLI::App app{"tabadul"};
  std::string dir = data_dir;
  int code = 0;
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  // The real wiring: the CLI's sync runs on the server's runtime (cli/runtime.h).
  SystemClock clock;
  RegisterSyncCommands(app, dir, code, [&clock](const std::string& d) -> Result<SyncEnv> {
    TABADUL_ASSIGN_OR_RETURN(auto opened, cli::Runtime::Open({.data_dir = d}, clock));
    std::shared_ptr<cli::Runtime> rt = std::move(opened);
    return SyncEnv{&rt->store(), &rt->peers(), &rt->sync(), rt};
  }, in, out, err);
  args.insert(args.begin(), "tabadul");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  CliResult r;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    r.code = code;
  } catch (const CLI::ParseError& e) {
    r.code = 2;
  }
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(SyncCliTest, PeerSubscriptionSyncAndStatus) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("shared"), cb = b.NewCollection("copy");
  a.Post(ca, {Indicator(1), Indicator(2), Indicator(3)});
  auto r = Cli(b.dir(), {"peer", "add", "alpha", "--url", a.url(), "--user", "sync",
                         "--password-stdin", "--org", "bravo-org"}, std::string(kPassword) + "\n");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli(b.dir(), {"peer", "add", "alpha", "--url", a.url()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("tabadul: "), std::string::npos);
  r = Cli(b.dir(), {"peer", "add", "bad name", "--url", a.url()});
  EXPECT_EQ(r.code, 1);
  r = Cli(b.dir(), {"peer", "add", "x", "--url", "ftp://host"});
  EXPECT_EQ(r.code, 1);
  r = Cli(b.dir(), {"peer", "list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("alpha\t" + a.url()), std::string::npos);
  EXPECT_EQ(r.out.find(kPassword), std::string::npos);

  r = Cli(b.dir(), {"subscription", "add", "alpha", "--pull", "--push", "--remote", ca, "--local", cb});
  EXPECT_EQ(r.code, 1);
  r = Cli(b.dir(), {"subscription", "add", "alpha", "--pull", "--remote", ca, "--local", cb});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");
  r = Cli(b.dir(), {"subscription", "list"});
  EXPECT_NE(r.out.find("1\talpha\tpull\t" + ca + " -> " + cb), std::string::npos);

  r = Cli(b.dir(), {"sync", "--no-progress"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("3 stored"), std::string::npos) << r.out;
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  r = Cli(b.dir(), {"sync", "alpha", "--repair", "--no-progress"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Cli(b.dir(), {"sync", "nobody"});
  EXPECT_EQ(r.code, 1);

  r = Cli(b.dir(), {"sync", "status"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1\talpha\tpull\t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 objects\t0 errors"), std::string::npos) << r.out;

  r = Cli(b.dir(), {"subscription", "remove", "1"});
  EXPECT_EQ(r.code, 0);
  r = Cli(b.dir(), {"subscription", "remove", "1"});
  EXPECT_EQ(r.code, 1);
  r = Cli(b.dir(), {"peer", "remove", "alpha"});
  EXPECT_EQ(r.code, 0);
  r = Cli(b.dir(), {"peer"});
  EXPECT_EQ(r.code, 2);
}

// The exchange terms of a peer: set at `peer add`, changed by `peer set`, shown by `peer list`;
// a bad value names its option and changes nothing.
TEST(SyncCliTest, PeerExchangeTerms) {
  Instance b("bravo");
  auto r = Cli(b.dir(), {"peer", "add", "alpha", "--url", "https://alpha.example"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli(b.dir(), {"peer", "add", "charlie", "--url", "https://c.example", "--default-tlp",
                    "green", "--may-forward", "--forward-max-tlp", "amber"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli(b.dir(), {"peer", "list"});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\tdefault_tlp=amber may_forward=false forward_max_tlp=green\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\tdefault_tlp=green may_forward=true forward_max_tlp=amber\n"),
            std::string::npos) << r.out;

  r = Cli(b.dir(), {"peer", "set", "alpha", "--may-forward=true", "--forward-max-tlp", "clear"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "alpha\tdefault_tlp=amber may_forward=true forward_max_tlp=clear\n");
  r = Cli(b.dir(), {"peer", "set", "charlie", "--may-forward=false"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "charlie\tdefault_tlp=green may_forward=false forward_max_tlp=amber\n");

  r = Cli(b.dir(), {"peer", "set", "alpha", "--default-tlp", "purple"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("default_tlp"), std::string::npos) << r.err;
  r = Cli(b.dir(), {"peer", "set", "alpha", "--may-forward=maybe"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--may-forward"), std::string::npos) << r.err;
  r = Cli(b.dir(), {"peer", "set", "alpha"});
  EXPECT_EQ(r.code, 1);
  r = Cli(b.dir(), {"peer", "set", "nobody", "--may-forward"});
  EXPECT_EQ(r.code, 1);
  r = Cli(b.dir(), {"peer", "add", "delta", "--url", "https://d.example", "--forward-max-tlp", "x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("forward_max_tlp"), std::string::npos) << r.err;
  r = Cli(b.dir(), {"peer", "list"});
  EXPECT_NE(r.out.find("alpha\thttps://alpha.example\t(discover)\t-\tnone\tdefault_tlp=amber "
                       "may_forward=true forward_max_tlp=clear\n"),
            std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("delta"), std::string::npos);
}

TEST(SchedulerTest, RunsPeriodicallyAndStops) {
  Instance a("alpha"), b("bravo");
  std::string ca = a.NewCollection("shared"), cb = b.NewCollection("copy");
  b.Subscribe(a, Direction::kPull, ca, cb);
  Scheduler scheduler(b.service(), std::chrono::milliseconds(20), 2);
  scheduler.Start();
  a.Post(ca, {Indicator(1)});
  for (int i = 0; i < 500 && b.Count(cb) < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  scheduler.Stop();
  EXPECT_EQ(b.Versions(cb), a.Versions(ca));
  EXPECT_GE(scheduler.runs(), 1);
  int64_t runs = scheduler.runs();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(scheduler.runs(), runs);
  scheduler.Stop();  // idempotent
}

}  // namespace
}  // namespace tabadul::sync::testing
