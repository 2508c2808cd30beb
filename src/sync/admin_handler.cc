#include "sync/admin_handler.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/timestamp.h"
#include "taxii/errors.h"

namespace tabadul::sync {
namespace {

namespace json = boost::json;
constexpr char kJson[] = "application/json";

taxii::HttpResponse Reply(int status, const json::value& body) {
  taxii::HttpResponse r;
  r.status = status;
  r.content_type = kJson;
  r.body = json::serialize(body);
  return r;
}

taxii::HttpResponse Error(const Status& st) { return taxii::ErrorResponse(st, kJson); }

std::string Str(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

json::object PeerJson(const Peer& p) {
  json::object o;
  o["name"] = p.name;
  o["url"] = p.url;
  o["api_root"] = p.api_root;
  o["org_id"] = p.org_id;
  json::object auth;
  auth["kind"] = p.credentials.kind == Credentials::Kind::kBasic   ? "basic"
                 : p.credentials.kind == Credentials::Kind::kToken ? "token"
                                                                   : "none";
  if (!p.credentials.user.empty()) auth["user"] = p.credentials.user;
  o["auth"] = std::move(auth);
  o["ca_file"] = p.ca_file;
  o["created"] = FormatTaxiiTimestamp(p.created_us);
  o["default_tlp"] = p.default_tlp;
  o["may_forward"] = p.may_forward;
  o["forward_max_tlp"] = p.forward_max_tlp;
  return o;
}

json::object StateJson(const SubscriptionState& s) {
  json::object o;
  o["id"] = s.subscription.id;
  o["direction"] = DirectionName(s.subscription.direction);
  o["remote_collection"] = s.subscription.remote_collection;
  o["local_collection"] = s.subscription.local_collection;
  json::object st;
  if (s.status.last_run_us) st["last_run"] = FormatTaxiiTimestamp(s.status.last_run_us);
  if (s.status.last_success_us) {
    st["last_success"] = FormatTaxiiTimestamp(s.status.last_success_us);
    st["lag_seconds"] = static_cast<double>(s.lag_us) / 1e6;
  }
  if (!s.status.last_error.empty()) st["last_error"] = s.status.last_error;
  st["consecutive_errors"] = s.status.consecutive_errors;
  st["objects"] = s.status.objects_total;
  st["deletions"] = s.status.deletions_total;
  st["repaired"] = s.status.repaired_total;
  st["cursor"] = s.status.cursor;
  o["status"] = std::move(st);
  return o;
}

Result<json::object> Body(const taxii::HttpRequest& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return InvalidArgument("the body must be a JSON object");
  return std::move(v.as_object());
}

class PeersApi {
 public:
  PeersApi(SyncService& service, auth::Authenticator& auth) : service_(service), auth_(auth) {}

  taxii::HttpResponse Handle(const taxii::HttpRequest& request) {
    auto principal = auth_.Authenticate(request.authorization, request.peer);
    if (!principal.ok()) return Error(principal.status());
    if (principal->role != store::Role::kAdmin) {
      return Error(PermissionDenied("managing peers needs the admin role"));
    }
    std::string path = request.target.substr(0, request.target.find('?'));
    std::string query = request.target.size() > path.size() ? request.target.substr(path.size() + 1) : "";
    if (path.rfind(kPeersPrefix, 0) != 0) return Error(NotFound("no such resource"));
    std::vector<std::string> seg;
    std::string rest = path.substr(std::string_view(kPeersPrefix).size());
    size_t start = 0;
    while (start < rest.size()) {
      size_t slash = rest.find('/', start);
      if (slash == std::string::npos) slash = rest.size();
      if (slash > start) seg.push_back(rest.substr(start, slash - start));
      start = slash + 1;
    }
    const std::string& m = request.method;
    if (seg.empty()) {
      if (m == "GET") return List();
      if (m == "POST") return Add(request);
    } else if (seg.size() == 1) {
      if (m == "GET") return GetOne(seg[0]);
      if (m == "DELETE") return Remove(seg[0]);
    } else if (seg.size() == 2 && seg[1] == "subscriptions" && m == "POST") {
      return Subscribe(seg[0], request);
    } else if (seg.size() == 3 && seg[1] == "subscriptions" && m == "DELETE") {
      return Unsubscribe(seg[0], seg[2]);
    } else if (seg.size() == 2 && seg[1] == "sync" && m == "POST") {
      return RunNow(seg[0], query == "repair=true");
    }
    return Error(NotFound("no such resource or method: " + m + " " + path));
  }

 private:
  Result<json::object> PeerWithState(const Peer& p,
                                     const std::vector<SubscriptionState>& states) {
    json::object o = PeerJson(p);
    json::array subs;
    for (const auto& s : states) {
      if (s.subscription.peer == p.name) subs.push_back(StateJson(s));
    }
    o["subscriptions"] = std::move(subs);
    return o;
  }

  taxii::HttpResponse List() {
    auto peers = service_.registry().ListPeers();
    if (!peers.ok()) return Error(peers.status());
    auto states = service_.States();
    if (!states.ok()) return Error(states.status());
    json::array out;
    for (const auto& p : *peers) out.push_back(*PeerWithState(p, *states));
    json::object o;
    o["peers"] = std::move(out);
    return Reply(200, o);
  }

  taxii::HttpResponse GetOne(const std::string& name) {
    auto peer = service_.registry().GetPeer(name);
    if (!peer.ok()) return Error(peer.status());
    auto states = service_.States();
    if (!states.ok()) return Error(states.status());
    return Reply(200, *PeerWithState(*peer, *states));
  }

  taxii::HttpResponse Add(const taxii::HttpRequest& request) {
    auto body = Body(request);
    if (!body.ok()) return Error(body.status());
    Peer p;
    p.name = Str(*body, "name");
    p.url = Str(*body, "url");
    p.api_root = Str(*body, "api_root");
    p.org_id = Str(*body, "org_id");
    p.ca_file = Str(*body, "ca_file");
    if (body->contains("default_tlp")) p.default_tlp = Str(*body, "default_tlp");
    if (body->contains("forward_max_tlp")) p.forward_max_tlp = Str(*body, "forward_max_tlp");
    if (auto* f = body->if_contains("may_forward")) {
      if (!f->is_bool()) return Error(InvalidArgument("may_forward: must be true or false"));
      p.may_forward = f->as_bool();
    }
    if (auto* a = body->if_contains("auth"); a && a->is_object()) {
      std::string kind = Str(a->as_object(), "kind");
      if (kind == "basic") {
        p.credentials.kind = Credentials::Kind::kBasic;
      } else if (kind == "token") {
        p.credentials.kind = Credentials::Kind::kToken;
      } else if (!kind.empty() && kind != "none") {
        return Error(InvalidArgument("auth.kind must be basic, token or none"));
      }
      p.credentials.user = Str(a->as_object(), "user");
      p.credentials.secret = Str(a->as_object(), "secret");
    }
    if (Status st = service_.AddPeer(p); !st.ok()) return Error(st);
    auto stored = service_.registry().GetPeer(p.name);
    if (!stored.ok()) return Error(stored.status());
    return Reply(201, PeerJson(*stored));
  }

  taxii::HttpResponse Remove(const std::string& name) {
    if (Status st = service_.registry().RemovePeer(name); !st.ok()) return Error(st);
    return Reply(200, json::object{{"removed", name}});
  }

  taxii::HttpResponse Subscribe(const std::string& peer, const taxii::HttpRequest& request) {
    auto body = Body(request);
    if (!body.ok()) return Error(body.status());
    auto dir = ParseDirection(Str(*body, "direction"));
    if (!dir) return Error(InvalidArgument("direction must be pull or push"));
    Subscription s;
    s.peer = peer;
    s.direction = *dir;
    s.remote_collection = Str(*body, "remote_collection");
    s.local_collection = Str(*body, "local_collection");
    auto added = service_.Subscribe(s);
    if (!added.ok()) return Error(added.status());
    json::object o;
    o["id"] = added->id;
    o["peer"] = added->peer;
    o["direction"] = DirectionName(added->direction);
    o["remote_collection"] = added->remote_collection;
    o["local_collection"] = added->local_collection;
    return Reply(201, o);
  }

  taxii::HttpResponse Unsubscribe(const std::string& peer, const std::string& id_text) {
    int64_t id = 0;
    auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || ptr != id_text.data() + id_text.size()) {
      return Error(InvalidArgument("a subscription id is a number"));
    }
    auto subs = service_.registry().ListSubscriptions(peer);
    if (!subs.ok()) return Error(subs.status());
    bool found = false;
    for (const auto& s : *subs) found = found || s.id == id;
    if (!found) return Error(NotFound("peer '" + peer + "' has no subscription " + id_text));
    if (Status st = service_.registry().RemoveSubscription(id); !st.ok()) return Error(st);
    return Reply(200, json::object{{"removed", id}});
  }

  taxii::HttpResponse RunNow(const std::string& peer, bool repair) {
    auto outcomes = service_.Run(peer, repair);
    if (!outcomes.ok()) return Error(outcomes.status());
    json::array out;
    for (const auto& o : *outcomes) {
      json::object j;
      j["subscription"] = o.subscription.id;
      j["ok"] = o.status.ok();
      if (!o.status.ok()) j["error"] = o.status.ToString();
      j["stored"] = o.report.stored;
      j["pushed"] = o.report.pushed;
      j["deletions"] = o.report.deletions;
      j["repair_fetched"] = o.report.repair_fetched;
      j["repair_removed"] = o.report.repair_removed;
      j["refused"] = o.report.refused;
      out.push_back(std::move(j));
    }
    return Reply(200, json::object{{"outcomes", std::move(out)}});
  }

  SyncService& service_;
  auth::Authenticator& auth_;
};

}  // namespace

taxii::Handler MakePeersHandler(SyncService& service, auth::Authenticator& auth) {
  auto api = std::make_shared<PeersApi>(service, auth);
  return [api](const taxii::HttpRequest& r) { return api->Handle(r); };
}

}  // namespace tabadul::sync
