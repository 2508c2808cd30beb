// A TAXII 2.1 client (the consumer side of the protocol, §4-§5): discovery, API roots,
// collections, objects and manifest pages, versions, POST with status polling and DELETE.
//
// Transport: HTTP/1.1 over one kept-alive connection (Boost.Beast, synchronous), plain or TLS.
// TLS always verifies the server's certificate chain and host name, against `ca_file` when set,
// else the system's trust store; there is no switch to turn verification off.
//
// Failures: every request has a timeout. Transport errors, 5xx, 429 and 503 are retried with
// exponential backoff (base * 2^attempt, capped, with deterministic jitter), and a Retry-After
// header (seconds, or an HTTP date treated as "later") is respected, up to `max_attempts`.
// Each request is idempotent in TAXII (a re-POSTed version is a duplicate, not a second copy),
// so retrying a POST is safe. What remains after retries is a Status:
//   Unauthenticated (401), PermissionDenied (403), NotFound (404), InvalidArgument (other 4xx
//   and malformed responses), Unsupported (406/415), ResourceExhausted (413, or 429 after the
//   retries), Internal (transport failure, 5xx after the retries).
//
// Thread-safety: a TaxiiClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tabadul::sync {

struct Credentials {
  enum class Kind { kNone, kBasic, kToken };
  Kind kind = Kind::kNone;
  std::string user;    // kBasic
  std::string secret;  // the password (kBasic) or the bearer token (kToken)
};

struct ClientOptions {
  Credentials credentials;
  std::string ca_file;  // PEM file of trusted CAs for https; empty = system trust store
  std::chrono::milliseconds timeout{30000};  // per request (connect + write + read)
  int max_attempts = 5;                      // >= 1
  std::chrono::milliseconds backoff_base{250};
  std::chrono::milliseconds backoff_max{30000};
  // How the client waits between attempts; default std::this_thread::sleep_for. Tests inject a
  // recorder so retries cost no wall time.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// One HTTP response as received (header names lower-cased).
struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct DiscoveryInfo {
  std::string title;
  std::string default_root;         // may be empty
  std::vector<std::string> api_roots;  // as the server wrote them (relative or absolute)
};

struct RemoteCollection {
  std::string id;
  std::string title;
  std::string description;
  bool can_read = false;
  bool can_write = false;
};

// Filters of one objects/manifest request. Empty strings are omitted.
struct PageRequest {
  std::string added_after;  // a TAXII timestamp, sent verbatim
  std::string next;         // the server's opaque cursor
  size_t limit = 0;         // 0 = the server's default
  std::string match_version = "all";
  std::vector<std::string> match_ids;
};

// One page of an objects (or object) endpoint. `body` is the raw envelope; the caller parses
// its objects (stix::ObjectStream) so that a huge page is never copied into a DOM.
struct ObjectsPage {
  std::string body;
  std::string date_added_first;  // X-TAXII-Date-Added-First, verbatim ("" when absent)
  std::string date_added_last;   // X-TAXII-Date-Added-Last, verbatim ("" when absent)
};

struct ManifestEntry {
  std::string id;
  std::string date_added;
  std::string version;
};

struct ManifestPage {
  std::vector<ManifestEntry> entries;
  bool more = false;
  std::string next;
  std::string date_added_last;
};

struct RemoteStatus {
  std::string id;
  std::string status;  // "complete" or "pending"
  int64_t total_count = 0;
  int64_t success_count = 0;
  int64_t failure_count = 0;
  int64_t pending_count = 0;
  std::vector<std::pair<std::string, std::string>> failures;  // (object id, message)
};

class TaxiiClient {
 public:
  // `base_url` is "http://host[:port]" or "https://host[:port]" (a path is ignored; requests
  // carry absolute paths). InvalidArgument for anything else; InvalidArgument when `ca_file`
  // cannot be loaded.
  static Result<std::unique_ptr<TaxiiClient>> Create(const std::string& base_url,
                                                     ClientOptions options);
  ~TaxiiClient();

  // GET <discovery_path> (default "/taxii2/").
  Result<DiscoveryInfo> Discover(const std::string& discovery_path = "/taxii2/");
  // The API root to use: the discovery's default, else its first root; returned as a path
  // ("/api/"). An absolute root on another host is Unsupported.
  Result<std::string> DefaultApiRoot(const std::string& discovery_path = "/taxii2/");
  // GET <api_root>collections/.
  Result<std::vector<RemoteCollection>> ListCollections(const std::string& api_root);
  // GET <api_root>collections/<id>/objects/ (or .../objects/<object_id>/ when set).
  Result<ObjectsPage> GetObjects(const std::string& api_root, const std::string& collection,
                                 const PageRequest& request, const std::string& object_id = "");
  // GET <api_root>collections/<id>/manifest/.
  Result<ManifestPage> GetManifest(const std::string& api_root, const std::string& collection,
                                   const PageRequest& request);
  // GET .../objects/<object_id>/versions/ (one page).
  Result<std::vector<std::string>> GetVersions(const std::string& api_root,
                                               const std::string& collection,
                                               const std::string& object_id);
  // POST an envelope ({"objects":[...]}) and return the status resource from the 202.
  Result<RemoteStatus> PostObjects(const std::string& api_root, const std::string& collection,
                                   const std::string& envelope);
  // GET <api_root>status/<id>/.
  Result<RemoteStatus> GetStatus(const std::string& api_root, const std::string& status_id);
  // POSTs and polls the status resource until it is complete or `max_wait` has been spent
  // sleeping (then FailedPrecondition: the remote has not confirmed; nothing may be assumed).
  Result<RemoteStatus> PostAndWait(const std::string& api_root, const std::string& collection,
                                   const std::string& envelope,
                                   std::chrono::milliseconds max_wait = std::chrono::seconds(60));
  // DELETE .../objects/<object_id>/ (only `version` when not empty). NotFound when the remote
  // holds no such version (callers that converge treat it as done).
  Status DeleteObject(const std::string& api_root, const std::string& collection,
                      const std::string& object_id, const std::string& version);

  // One request with retries, for callers that need another endpoint. `target` is the path and
  // query. Returns the final reply whatever its status (only transport failures that outlive
  // the retries are a Status).
  Result<HttpReply> Send(const std::string& method, const std::string& target,
                         const std::string& body = "");

  // Requests sent on the wire so far, including retries (for tests and progress).
  int64_t requests_sent() const;

 private:
  struct Impl;
  explicit TaxiiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "a%2Fb" style escaping of one query value or path segment (RFC 3986 unreserved kept).
std::string PercentEncode(std::string_view text);

}  // namespace tabadul::sync
