#include "instance.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "auth/password.h"
#include "stix/tlp.h"
#include "stix/validator.h"

namespace tabadul::sync::testing {

namespace {
const std::string& PasswordHash() {
  static const std::string hash = [] {
    (void)auth::InitCrypto();
    return auth::HashSecret(kPassword).value();
  }();
  return hash;
}
}  // namespace

ServiceOptions Instance::FastOptions(size_t page_size) {
  ServiceOptions o;
  o.replicator.page_size = page_size;
  o.replicator.status_wait = std::chrono::milliseconds(2000);
  o.client.timeout = std::chrono::milliseconds(2000);
  o.client.max_attempts = 4;
  o.client.backoff_base = std::chrono::milliseconds(1);
  o.client.backoff_max = std::chrono::milliseconds(5);
  o.client.sleep = [](std::chrono::milliseconds) {};
  return o;
}

Instance::Instance(const std::string& name, taxii::Handler replace_taxii)
    : name_(name), replace_taxii_(std::move(replace_taxii)) {
  char tmpl[] = "/tmp/tabadul-sync-XXXXXX";
  dir_ = mkdtemp(tmpl);
  const std::string db = dir_ + "/tabadul.db";
  store_ = store::SqliteStore::Open(db).value();
  registry_ = PeerRegistry::Open(db).value();
  org_id_ = "identity--" + Uuid(std::hash<std::string>()(name) % 100000 + 900000);
  EXPECT_TRUE(store_->CreateOrganization({org_id_, name + "-org", kStartMicros}).ok());
  EXPECT_TRUE(store_->CreateUser({"admin", org_id_, store::Role::kAdmin, PasswordHash(), 0}).ok());
  EXPECT_TRUE(store_->CreateUser({"sync", org_id_, store::Role::kPublisher, PasswordHash(), 0}).ok());
  auth_ = std::make_unique<auth::Authenticator>(*store_, clock_);
  pipeline_ = std::make_unique<intake::Pipeline>(*store_, clock_);
  api_ = std::make_unique<taxii::TaxiiApi>(*store_, *pipeline_, *auth_, clock_, taxii::ApiConfig{});
  service_ = std::make_unique<SyncService>(*store_, *pipeline_, *registry_, clock_,
                                           MechanismHooks(), FastOptions());
  taxii::Handler taxii = replace_taxii_ ? replace_taxii_
                                        : [this](const taxii::HttpRequest& r) {
                                            return api_->Handle(r);
                                          };
  router_ = std::make_unique<taxii::Router>(taxii);
  router_->Mount(kPeersPrefix, MakePeersHandler(*service_, *auth_));
  taxii::ServerOptions options;
  options.timeout_seconds = 5;
  server_ = std::make_unique<taxii::Server>(
      [this](const taxii::HttpRequest& r) {
        Faults f;
        {
          std::lock_guard l(faults_mu_);
          f = faults_;
        }
        ++requests_;
        if (f.before) {
          if (auto replaced = f.before(r)) return *replaced;
        }
        taxii::HttpResponse resp = router_->Handle(r);
        if (f.after) f.after(r, resp);
        return resp;
      },
      options);
  port_ = server_->Start().value();
}

Instance::~Instance() {
  server_->Stop();
  server_.reset();
  service_.reset();
  api_.reset();
  registry_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

std::string Instance::NewCollection(const std::string& title, const std::string& default_tlp) {
  static std::atomic<int> counter{1};
  store::Collection c;
  c.id = Uuid(500000 + counter++);
  c.title = title;
  c.owner_org = org_id_;
  c.default_tlp = default_tlp;
  EXPECT_TRUE(store_->CreateCollection(c).ok());
  EXPECT_TRUE(store_->SetGrant("sync", c.id, {true, true}).ok());
  EXPECT_TRUE(store_->SetGrant("admin", c.id, {true, true}).ok());
  return c.id;
}

void Instance::Post(const std::string& collection, const std::vector<std::string>& objects) {
  std::vector<stix::StixObject> parsed;
  for (const auto& o : objects) {
    auto p = stix::ParseObject(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString() << "\n" << o;
    parsed.push_back(*p);
  }
  auto out = store_->PutObjects(collection, parsed, clock_.NowMicros());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (const auto& r : *out) {
    ASSERT_EQ(r.kind, store::PutOutcome::Kind::kAdded) << r.message;
  }
}

std::set<std::string> Instance::Versions(const std::string& collection, bool with_origin) {
  std::set<std::string> out;
  store::ObjectQuery q;
  q.collection_id = collection;
  q.versions = store::VersionMatch{.all = true};
  q.limit = 1000;
  while (true) {
    auto page = store_->QueryObjects(q, nullptr);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) break;
    for (const auto& r : page->rows) {
      std::string key = r.id + "|" + r.version + (r.revoked ? "|revoked" : "");
      if (with_origin && !r.origin.empty()) key += "|from:" + r.origin;
      out.insert(key);
    }
    if (!page->more || page->rows.empty()) break;
    q.added_after_us = page->rows.back().date_added_us;
  }
  return out;
}

size_t Instance::Count(const std::string& collection) {
  size_t n = 0;
  store::ObjectQuery q;
  q.collection_id = collection;
  q.versions = store::VersionMatch{.all = true};
  q.limit = 1000;
  while (true) {
    auto page = store_->QueryObjects(q, nullptr);
    if (!page.ok()) return 0;
    n += page->rows.size();
    if (!page->more || page->rows.empty()) break;
    q.added_after_us = page->rows.back().date_added_us;
  }
  return n;
}

Peer Instance::PeerFor(const Instance& other, const std::string& peer_name) const {
  Peer p;
  p.name = peer_name;
  p.url = other.url();
  p.org_id = other.org_id();
  p.credentials = {Credentials::Kind::kBasic, "sync", kPassword};
  return p;
}

int64_t Instance::Subscribe(const Instance& other, Direction d, const std::string& remote,
                            const std::string& local) {
  if (!registry_->GetPeer(other.name()).ok()) {
    EXPECT_TRUE(service_->AddPeer(PeerFor(other, other.name())).ok());
  }
  Subscription s;
  s.peer = other.name();
  s.direction = d;
  s.remote_collection = remote;
  s.local_collection = local;
  auto added = service_->Subscribe(s);
  EXPECT_TRUE(added.ok()) << added.status().ToString();
  return added.ok() ? added->id : 0;
}

std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", n, n * 7 + 1);
  return buf;
}

std::string IndicatorId(int n) { return "indicator--" + Uuid(n); }

std::string Indicator(int n, const std::string& modified, bool revoked,
                      const std::string& marking) {
  std::string s = R"({"type":"indicator","spec_version":"2.1","id":")" + IndicatorId(n) +
                  R"(","created":"2024-01-01T00:00:00.000Z","modified":")" + modified +
                  R"(","name":"Malicious host )" + std::to_string(n) +
                  R"(","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.)" +
                  std::to_string(n % 256) +
                  R"(']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z")";
  if (revoked) s += R"(,"revoked":true)";
  if (!marking.empty()) s += R"(,"object_marking_refs":[")" + marking + "\"]";
  return s + "}";
}

std::string TlpRed() { return std::string(stix::Tlp2MarkingId(stix::Tlp::kRed)); }
std::string TlpGreen() { return std::string(stix::Tlp2MarkingId(stix::Tlp::kGreen)); }

}  // namespace tabadul::sync::testing
