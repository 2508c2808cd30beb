// The TAXII 2.1 API (§4 server information, §5 collections; §6 channels are reserved) as a pure
// request → response function over the store. The network side lives in server.h.
//
// Access: every endpoint needs HTTP Basic credentials except discovery when configured public.
// A collection exists for a user only if the user holds a grant on it (or a hook says so): an
// unknown collection and one the user may not see give the same 404, so no response reveals
// what the user is not party to. Reads need can_read, posts can_write (403 when the user can
// see the collection but not do this), deletes both (§5.7's table).
//
// Thread-safety: Handle() may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "intake/pipeline.h"
#include "store/sqlite_audit.h"
#include "store/store.h"
#include "stix/object.h"
#include "taxii/http_types.h"

namespace tabadul::taxii {

struct ObjectFilters;  // taxii/query.h

struct ApiConfig {
  std::string title = "tabadul";
  std::string description = "STIX 2.1 intelligence exchange between partner organizations";
  std::string contact;
  std::string api_root = "/api/";  // starts and ends with '/'
  size_t max_content_length = 64u << 20;
  size_t default_page_size = 100;
  size_t max_page_size = 1000;
  bool public_discovery = false;
};

// The request as hooks see it.
struct RequestInfo {
  const auth::Principal& principal;
  bool over_tls;
  const std::string& path;
};

// Extension points used by later modules (visibility, audit). Each may be empty; then the core
// behaviour applies (grants only, no audit). Writes have no hooks: a POST hands its objects to
// the one write pipeline (intake/pipeline.h), which validates, stores and notifies.
struct ApiHooks {
  // What a principal may do with a collection. Default: the user's stored grant. A result of
  // {false, false} makes the collection invisible (404, absent from the list).
  std::function<Result<store::Grant>(const RequestInfo&, const store::Collection&)> access;
  // Extra visibility filter for a principal reading a collection, applied before the limit.
  std::function<store::RowFilter(const RequestInfo&, const store::Collection&)> read_filter;
  // May rewrite a visible row's JSON before it is delivered (e.g. replace created_by_ref when
  // attribution must not be kept). Runs only on rows that passed read_filter.
  std::function<void(const RequestInfo&, const store::Collection&, store::ObjectRow&)> rewrite;
  // Called after a page naming object versions (objects, manifest or versions) is built and
  // before it is sent, with the
  // delivered (id, version, agreement) items in page order, each item's agreement being the
  // note read_filter left on its row (store::ObjectRow::disclosed_under; empty without a filter);
  // not called for a page that delivers nothing.
  // A failure means the delivery could not be recorded: the client then gets a 500 error
  // instead of the objects (no disclosure without its record).
  std::function<Status(const RequestInfo&, const store::Collection&,
                       store::AuditItemList delivered)>
      on_disclosure;
};

class TaxiiApi {
 public:
  // `store`, `pipeline` (writing into `store`), `auth` and `clock` must outlive the API.
  TaxiiApi(store::Store& store, intake::Pipeline& pipeline, auth::Authenticator& auth,
           const Clock& clock, ApiConfig config, ApiHooks hooks = {});

  HttpResponse Handle(const HttpRequest& request);

  const ApiConfig& config() const { return config_; }

 private:
  struct Context;  // one request in flight
  HttpResponse Route(Context& ctx);
  HttpResponse Discovery(Context& ctx);
  HttpResponse ApiRoot(Context& ctx);
  HttpResponse GetStatus(Context& ctx, std::string_view id);
  HttpResponse ListCollections(Context& ctx);
  HttpResponse GetCollection(Context& ctx, const store::Collection& c, store::Grant g);
  HttpResponse GetObjects(Context& ctx, const store::Collection& c, bool manifest);
  HttpResponse PostObjects(Context& ctx, const store::Collection& c, store::Grant g);
  HttpResponse GetObject(Context& ctx, const store::Collection& c, const std::string& id,
                         bool versions_only);
  HttpResponse DeleteObject(Context& ctx, const store::Collection& c, store::Grant g,
                            const std::string& id);

  // What each entry of a paged envelope is: the object's JSON, its manifest record, or its
  // version string.
  enum class PageItem { kObject, kManifestRecord, kVersion };
  // Reads one page of `q` (filtered by `visible` before the limit) straight into its envelope:
  // the rewrite hook applies to kObject pages, on_disclosure to every page that delivers
  // something (objects, manifest records, versions); headers per §5.3-5.4.
  HttpResponse ServePage(Context& ctx, const store::Collection& c, const store::ObjectQuery& q,
                         const store::RowFilter& visible, const ObjectFilters& filters,
                         PageItem item);

  Result<store::Grant> AccessTo(const Context& ctx, const store::Collection& c) const;
  RequestInfo Info(const Context& ctx) const;
  store::RowFilter FilterFor(const Context& ctx, const store::Collection& c) const;
  HttpResponse Json(Context& ctx, int status, std::string body) const;
  HttpResponse Error(Context& ctx, const Status& st) const;

  store::Store& store_;
  intake::Pipeline& pipeline_;
  auth::Authenticator& auth_;
  const Clock& clock_;
  const ApiConfig config_;
  const ApiHooks hooks_;
};

}  // namespace tabadul::taxii
