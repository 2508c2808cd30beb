#include "policy/admin_handler.h"

#include <boost/json.hpp>
#include <memory>
#include <vector>

#include "common/timestamp.h"
#include "taxii/errors.h"

namespace tabadul::policy {
namespace json = boost::json;
namespace {

constexpr std::string_view kJson = "application/json";

taxii::HttpResponse Reply(int status, std::string body) {
  taxii::HttpResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = std::move(body);
  return r;
}

taxii::HttpResponse Fail(const Status& st) {
  taxii::HttpResponse r = taxii::ErrorResponse(st, kJson);
  if (st.code() == StatusCode::kAlreadyExists || st.code() == StatusCode::kFailedPrecondition) {
    r.status = 409;
  }
  return r;
}

json::object VersionJson(const store::AgreementVersion& v) {
  json::object o;
  o["name"] = v.name;
  o["version"] = v.version;
  o["provider"] = v.provider_org;
  o["ended"] = v.ended;
  o["changed"] = FormatTaxiiTimestamp(v.changed_us);
  o["changed_by"] = v.changed_by;
  boost::system::error_code ec;
  o["agreement"] = json::parse(v.body, ec);
  return o;
}

json::object TokenJson(const store::TokenRecord& t) {
  json::object o;
  o["id"] = t.id;
  o["user"] = t.user_name;
  o["organization"] = t.org_id;
  o["role"] = store::RoleName(t.role);
  o["label"] = t.label;
  o["created"] = FormatTaxiiTimestamp(t.created_us);
  if (t.revoked_us) o["revoked"] = FormatTaxiiTimestamp(t.revoked_us);
  return o;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

class Admin {
 public:
  Admin(Engine& engine, auth::TokenService* tokens, AuthenticateFn authenticate, std::string prefix)
      : engine_(engine), service_(engine), tokens_(tokens), authenticate_(std::move(authenticate)),
        prefix_(std::move(prefix)) {}

  taxii::HttpResponse Handle(const taxii::HttpRequest& req) {
    auto principal = authenticate_(req.authorization, req.peer);
    if (!principal.ok()) return Fail(principal.status());
    if (principal->role != store::Role::kAdmin) {
      return Fail(PermissionDenied("the admin API needs the admin role"));
    }
    const std::string& t = req.target;
    const size_t q = t.find('?');
    std::string_view path = std::string_view(t).substr(0, q);
    const std::string_view query = q == std::string::npos ? "" : std::string_view(t).substr(q + 1);
    if (path.substr(0, prefix_.size()) != prefix_) return Fail(NotFound("no such resource"));
    auto seg = Split(path.substr(prefix_.size()));
    Call call{req, *principal, query, engine_.IsHubAdmin(*principal)};
    if (!seg.empty() && seg[0] == "agreements") return Agreements(call, seg);
    if (!seg.empty() && seg[0] == "tokens" && tokens_) return Tokens(call, seg);
    return Fail(NotFound("no such resource"));
  }

 private:
  struct Call {
    const taxii::HttpRequest& req;
    const auth::Principal& who;
    std::string_view query;
    bool hub;
  };

  static bool Flag(std::string_view query, std::string_view name) {
    const std::string want = std::string(name) + "=true";
    return query == want || query.find(want + "&") == 0 ||
           query.find("&" + want) != std::string_view::npos;
  }

  // True when the caller may read this agreement (party to it, or hub admin).
  bool MayRead(const Call& c, const store::AgreementVersion& v) {
    if (c.hub || v.provider_org == c.who.org_id) return true;
    auto a = AgreementOf(v);
    return a.ok() &&
           std::binary_search(a->recipients.begin(), a->recipients.end(), c.who.org_id);
  }
  bool MayWrite(const Call& c, std::string_view provider_org) {
    return c.hub || provider_org == c.who.org_id;
  }
  static Status Hidden(std::string_view name) {
    return NotFound("no agreement '" + std::string(name) + "'");
  }

  taxii::HttpResponse Agreements(const Call& c, const std::vector<std::string_view>& seg) {
    const std::string& m = c.req.method;
    if (seg.size() == 1 && m == "GET") return List(c);
    if (seg.size() == 1 && m == "POST") return Write(c, "", /*update=*/false);
    if (seg.size() == 2 && seg[1] == "apply" && m == "POST") return Apply(c);
    if (seg.size() < 2 || seg.size() > 3) return Fail(NotFound("no such resource"));
    const std::string name(seg[1]);
    auto latest = service_.Show(name);
    if (!latest.ok() || !MayRead(c, *latest)) {
      if (!latest.ok() && latest.status().code() != StatusCode::kNotFound) {
        return Fail(latest.status());
      }
      return Fail(Hidden(name));
    }
    if (seg.size() == 3) {
      if (seg[2] != "history" || m != "GET") return Fail(NotFound("no such resource"));
      auto history = service_.History(name);
      if (!history.ok()) return Fail(history.status());
      json::array a;
      for (const auto& v : *history) a.push_back(VersionJson(v));
      return Reply(200, json::serialize(json::object{{"versions", std::move(a)}}));
    }
    if (m == "GET") return Reply(200, json::serialize(VersionJson(*latest)));
    if (!MayWrite(c, latest->provider_org)) {
      return Fail(PermissionDenied("only the provider's admin may change agreement '" + name + "'"));
    }
    if (m == "PUT") return Write(c, name, /*update=*/true);
    if (m == "DELETE") {
      auto v = service_.End(name, c.who.user);
      if (!v.ok()) return Fail(v.status());
      return Reply(200, json::serialize(VersionJson(*v)));
    }
    return Fail(InvalidArgument("method " + m + " is not allowed here"));
  }

  taxii::HttpResponse List(const Call& c) {
    auto list = service_.List(Flag(c.query, "ended"), c.hub ? "" : c.who.org_id);
    if (!list.ok()) return Fail(list.status());
    json::array a;
    for (const auto& v : *list) a.push_back(VersionJson(v));
    json::object o;
    if (!a.empty()) o["agreements"] = std::move(a);
    return Reply(200, json::serialize(o));
  }

  taxii::HttpResponse Write(const Call& c, std::string_view name, bool update) {
    auto a = ParseAgreementJson(c.req.body);
    if (!a.ok()) return Fail(a.status());
    if (update && a->name != name) {
      return Fail(InvalidArgument("agreement name: the body names '" + a->name +
                                  "' but the path names '" + std::string(name) + "'"));
    }
    // The provider must be the caller's organization (resolved by id or name).
    auto provider = engine_.store().GetOrganization(a->provider_org);
    if (!provider.ok() || !MayWrite(c, provider->id)) {
      return Fail(PermissionDenied("agreement '" + a->name +
                                   "': provider: you may only create your organization's agreements"));
    }
    if (!update) {
      // A name in use by another provider's agreement must look like any other conflict only
      // to those allowed to see it.
      auto existing = service_.Show(a->name);
      if (existing.ok() && !MayRead(c, *existing)) {
        return Fail(AlreadyExists("agreement name '" + a->name + "' is not available"));
      }
    }
    auto v = update ? service_.Update(std::move(a).value(), c.who.user)
                    : service_.Add(std::move(a).value(), c.who.user);
    if (!v.ok()) return Fail(v.status());
    return Reply(update ? 200 : 201, json::serialize(VersionJson(*v)));
  }

  taxii::HttpResponse Apply(const Call& c) {
    auto desired = ParseAgreementSetJson(c.req.body);
    if (!desired.ok()) return Fail(desired.status());
    auto report = service_.Apply(std::move(desired).value(), c.hub ? "" : c.who.org_id,
                                 "apply:" + c.who.user, Flag(c.query, "dry_run"));
    if (!report.ok()) return Fail(report.status());
    json::object o;
    o["created"] = Strings(report->created);
    o["updated"] = Strings(report->updated);
    o["ended"] = Strings(report->ended);
    o["unchanged"] = Strings(report->unchanged);
    o["dry_run"] = Flag(c.query, "dry_run");
    return Reply(200, json::serialize(o));
  }

  taxii::HttpResponse Tokens(const Call& c, const std::vector<std::string_view>& seg) {
    const std::string& m = c.req.method;
    if (seg.size() == 1 && m == "GET") {
      auto list = tokens_->List(c.hub ? "" : c.who.org_id);
      if (!list.ok()) return Fail(list.status());
      json::array a;
      for (const auto& t : *list) a.push_back(TokenJson(t));
      json::object o;
      if (!a.empty()) o["tokens"] = std::move(a);
      return Reply(200, json::serialize(o));
    }
    if (seg.size() == 1 && m == "POST") return CreateToken(c);
    if (seg.size() == 2 && m == "DELETE") {
      auto list = tokens_->List(c.hub ? "" : c.who.org_id);
      if (!list.ok()) return Fail(list.status());
      const bool mine = std::any_of(list->begin(), list->end(),
                                    [&](const store::TokenRecord& t) { return t.id == seg[1]; });
      if (!mine) return Fail(NotFound("no token '" + std::string(seg[1]) + "'"));
      Status st = tokens_->Revoke(seg[1]);
      if (!st.ok()) return Fail(st);
      return Reply(200, "{}");
    }
    return Fail(NotFound("no such resource"));
  }

  taxii::HttpResponse CreateToken(const Call& c) {
    boost::system::error_code ec;
    json::value v = json::parse(c.req.body, ec);
    const json::value* user = v.is_object() ? v.as_object().if_contains("user") : nullptr;
    if (ec || !user || !user->is_string()) {
      return Fail(InvalidArgument("token: user: required string"));
    }
    std::optional<store::Role> role;
    if (const json::value* r = v.as_object().if_contains("role")) {
      role = r->is_string() ? store::ParseRole(r->as_string()) : std::nullopt;
      if (!role) return Fail(InvalidArgument("token: role: must be reader, publisher or admin"));
    }
    std::string label;
    if (const json::value* l = v.as_object().if_contains("label"); l && l->is_string()) {
      label = std::string(l->as_string());
    }
    auto target = engine_.store().GetUser(user->as_string());
    if (!target.ok() || (!c.hub && target->org_id != c.who.org_id)) {
      return Fail(NotFound("no user '" + std::string(user->as_string()) + "'"));
    }
    auto created = tokens_->Create(target->name, role, label);
    if (!created.ok()) return Fail(created.status());
    json::object o = TokenJson(created->record);
    o["token"] = created->token;
    return Reply(201, json::serialize(o));
  }

  Engine& engine_;
  AgreementService service_;
  auth::TokenService* tokens_;
  AuthenticateFn authenticate_;
  const std::string prefix_;
};

}  // namespace

taxii::Handler MakeAdminHandler(Engine& engine, auth::TokenService* tokens,
                                AuthenticateFn authenticate, std::string prefix) {
  auto admin = std::make_shared<Admin>(engine, tokens, std::move(authenticate), std::move(prefix));
  return [admin](const taxii::HttpRequest& req) { return admin->Handle(req); };
}

AuthenticateFn PasswordOrToken(auth::Authenticator& passwords, auth::TokenService* tokens) {
  return [&passwords, tokens](std::string_view header,
                              std::string_view peer) -> Result<auth::Principal> {
    if (tokens) {
      if (auto r = tokens->TryAuthenticate(header)) return std::move(*r);
    }
    return passwords.Authenticate(header, peer);
  };
}

}  // namespace tabadul::policy
