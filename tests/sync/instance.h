// A real tabadul instance for sync tests: its own temporary data folder, SqliteStore,
// PeerRegistry, Authenticator, TaxiiApi and taxii::Server on 127.0.0.1 (port 0), with the
// peers admin handler mounted at /tabadul/v1/peers/ and an optional fault injector in front of
// everything. Seeded with one organization, an admin user "admin" and a publisher "sync"
// (password kPassword) that other instances use as peer credentials.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "store/sqlite_store.h"
#include "sync/admin_handler.h"
#include "sync/peer_registry.h"
#include "sync/sync_service.h"
#include "taxii/api.h"
#include "taxii/router.h"
#include "taxii/server.h"

namespace tabadul::sync::testing {

inline constexpr char kPassword[] = "sync test password";
inline constexpr int64_t kStartMicros = 1704067200000000;  // 2024-01-01T00:00:00Z

// Returns a response to send instead of the real one, or nullopt to pass the request on. It
// may also rewrite the real response (`after`).
struct Faults {
  std::function<std::optional<taxii::HttpResponse>(const taxii::HttpRequest&)> before;
  std::function<void(const taxii::HttpRequest&, taxii::HttpResponse&)> after;
};

class Instance {
 public:
  // `replace_taxii` serves the TAXII paths with another handler (a fake remote) instead of
  // the real TaxiiApi; the store and users stay real.
  explicit Instance(const std::string& name, taxii::Handler replace_taxii = nullptr);
  ~Instance();

  const std::string& name() const { return name_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  const std::string& org_id() const { return org_id_; }
  const std::string& dir() const { return dir_; }

  std::string NewCollection(const std::string& title, const std::string& default_tlp = "amber");
  // Stores objects as if posted here (origin ""). Asserts (gtest) every one was added.
  void Post(const std::string& collection, const std::vector<std::string>& objects);
  // Every stored version of the collection as "id|version|origin-flag" (origin shown as "*"
  // when the version came from a peer, so tests can compare content across instances with
  // Versions(c, false)).
  std::set<std::string> Versions(const std::string& collection, bool with_origin = false);
  size_t Count(const std::string& collection);

  // A peer record for `other` with the "sync" user's credentials.
  Peer PeerFor(const Instance& other, const std::string& peer_name) const;
  // Adds `other` as a peer (named other.name()) and a subscription; returns its id.
  int64_t Subscribe(const Instance& other, Direction d, const std::string& remote,
                    const std::string& local);

  FakeClock& clock() { return clock_; }
  store::SqliteStore& store() { return *store_; }
  PeerRegistry& registry() { return *registry_; }
  SyncService& service() { return *service_; }
  intake::Pipeline& pipeline() { return *pipeline_; }
  // For tests of the replication mechanism alone: a gate that lets `judge` decide (every row
  // by default) and a sink that keeps what it is told. The real gate (the visibility rule, the
  // disclosure log) is tested through cli::Runtime (sync_test.cc, tests/policy).
  class TestGate final : public gate::AccessGate {
   public:
    explicit TestGate(gate::RowJudge judge = nullptr) : judge_(std::move(judge)) {}
    Result<store::Grant> Access(const auth::Principal&, const store::Collection&) override {
      return store::Grant{true, false};
    }
    gate::RowJudge Judge(const gate::Recipient& to, const store::Collection&, gate::Use) override {
      if (judge_) return judge_;
      return [](const store::ObjectRow&) { return gate::Verdict{true, {}}; };
    }
    void Rewrite(const gate::Recipient&, const store::Collection&, store::ObjectRow&) override {}

   private:
    gate::RowJudge judge_;
  };
  class TestSink final : public gate::DisclosureSink {
   public:
    Status Record(const gate::Recipient& to, std::string_view, const store::Collection&,
                  store::AuditItemList items) override {
      for (const auto& item : items.Items()) {
        received.push_back(to.org_id + " " + std::string(item.object_id) + " " +
                           std::string(item.agreement));
      }
      return Status::Ok();
    }
    std::vector<std::string> received;  // "org id agreement" per delivered item
  };
  SyncHooks MechanismHooks() { return SyncHooks{&mechanism_gate_, &mechanism_sink_}; }
  void set_faults(Faults f) {
    std::lock_guard l(faults_mu_);
    faults_ = std::move(f);
  }
  // Requests the server handled (after faults) since start.
  int64_t requests() const { return requests_.load(); }

  // Service options used by tests: small pages, no real sleeping between retries.
  static ServiceOptions FastOptions(size_t page_size = 50);

 private:
  std::string name_;
  std::string dir_;
  FakeClock clock_{kStartMicros};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<PeerRegistry> registry_;
  std::unique_ptr<auth::Authenticator> auth_;
  TestGate mechanism_gate_;
  TestSink mechanism_sink_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<taxii::TaxiiApi> api_;
  std::unique_ptr<SyncService> service_;
  std::unique_ptr<taxii::Router> router_;
  std::unique_ptr<taxii::Server> server_;
  taxii::Handler replace_taxii_;
  uint16_t port_ = 0;
  std::string org_id_;
  std::mutex faults_mu_;
  Faults faults_;
  std::atomic<int64_t> requests_{0};
};

// Small valid STIX 2.1 objects. `n` picks a deterministic id.
std::string Uuid(int n);
std::string Indicator(int n, const std::string& modified = "2024-01-01T00:00:00.000Z",
                      bool revoked = false, const std::string& marking = "");
std::string IndicatorId(int n);
// The TLP 2.0 RED marking definition id.
std::string TlpRed();
std::string TlpGreen();

}  // namespace tabadul::sync::testing
