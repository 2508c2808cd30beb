// Organizations, users, collections and grants from the command line.
#include <iomanip>
#include <string>

#include "auth/password.h"
#include "cli/commands.h"

namespace tabadul::cli {

int OrgAdd(Context& ctx, const std::string& name, const std::string& id) {
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  store::Organization org{id.empty() ? "identity--" + NewUuid() : id, name, ctx.clock.NowMicros()};
  if (org.id.rfind("identity--", 0) != 0 || org.id.size() != 10 + 36) {
    return Fail(ctx, InvalidArgument("--id must be a STIX identity id (identity--<uuid>)"));
  }
  if (Status st = (*store)->CreateOrganization(org); !st.ok()) return Fail(ctx, st);
  ctx.out << org.id << "\n";
  return kExitOk;
}

int OrgList(Context& ctx) {
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  auto orgs = (*store)->ListOrganizations();
  if (!orgs.ok()) return Fail(ctx, orgs.status());
  for (const auto& o : *orgs) ctx.out << o.id << "  " << o.name << "\n";
  return kExitOk;
}

int UserAdd(Context& ctx, const std::string& name, const std::string& org,
            const std::string& role, std::istream& password_in) {
  auto parsed_role = store::ParseRole(role);
  if (!parsed_role) return Fail(ctx, InvalidArgument("--role must be reader, publisher or admin"));
  std::string password;
  std::getline(password_in, password);
  if (password.size() < 8) {
    return Fail(ctx, InvalidArgument("the password (read from standard input) must have at "
                                     "least 8 characters"));
  }
  if (Status st = auth::InitCrypto(); !st.ok()) return Fail(ctx, st);
  auto hash = auth::HashSecret(password);
  if (!hash.ok()) return Fail(ctx, hash.status());
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  store::User user{name, org, *parsed_role, *hash, ctx.clock.NowMicros()};
  if (Status st = (*store)->CreateUser(user); !st.ok()) return Fail(ctx, st);
  ctx.out << "user " << name << " added\n";
  return kExitOk;
}

int UserList(Context& ctx) {
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  auto users = (*store)->ListUsers();
  if (!users.ok()) return Fail(ctx, users.status());
  for (const auto& u : *users) {
    ctx.out << u.name << "  " << u.org_id << "  " << store::RoleName(u.role) << "\n";
  }
  return kExitOk;
}

int CollectionAdd(Context& ctx, const std::string& title, const std::string& org,
                  const std::string& id, const std::string& alias, const std::string& description,
                  const std::string& default_tlp) {
  static const char* kTlps[] = {"clear", "green", "amber", "amber+strict", "red"};
  bool tlp_ok = false;
  for (const char* t : kTlps) tlp_ok |= default_tlp == t;
  if (!tlp_ok) {
    return Fail(ctx, InvalidArgument("--default-tlp must be clear, green, amber, amber+strict or red"));
  }
  std::string cid = id.empty() ? NewUuid() : id;
  bool uuid_ok = cid.size() == 36;
  for (size_t i = 0; uuid_ok && i < cid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    uuid_ok = dash ? cid[i] == '-' : std::isxdigit(static_cast<unsigned char>(cid[i])) &&
                                         !std::isupper(static_cast<unsigned char>(cid[i]));
  }
  if (!uuid_ok) return Fail(ctx, InvalidArgument("--id must be a lower-case UUID"));
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  store::Collection c{cid, title, description, alias, org, default_tlp, ctx.clock.NowMicros()};
  if (Status st = (*store)->CreateCollection(c); !st.ok()) return Fail(ctx, st);
  ctx.out << cid << "\n";
  return kExitOk;
}

int CollectionList(Context& ctx) {
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  auto list = (*store)->ListCollections();
  if (!list.ok()) return Fail(ctx, list.status());
  for (const auto& c : *list) {
    ctx.out << c.id << "  " << c.title << (c.alias.empty() ? "" : "  (" + c.alias + ")") << "\n";
  }
  return kExitOk;
}

int GrantAccess(Context& ctx, const std::string& user, const std::string& collection,
                const std::string& access) {
  store::Grant g;
  if (access == "read") {
    g = {true, false};
  } else if (access == "write") {
    g = {false, true};
  } else if (access == "read-write" || access == "readwrite") {
    g = {true, true};
  } else if (access == "none") {
    g = {false, false};
  } else {
    return Fail(ctx, InvalidArgument("access must be read, write, read-write or none"));
  }
  auto store = ctx.OpenStore();
  if (!store.ok()) return Fail(ctx, store.status());
  auto c = (*store)->GetCollection(collection);
  if (!c.ok()) return Fail(ctx, c.status());
  // `write` adds to an existing read grant rather than replacing it, so "grant u c read" then
  // "grant u c write" gives both, as an operator would expect.
  if (access == "read" || access == "write") {
    auto old = (*store)->GetGrant(user, c->id);
    if (!old.ok()) return Fail(ctx, old.status());
    g.can_read |= old->can_read;
    g.can_write |= old->can_write;
  }
  if (Status st = (*store)->SetGrant(user, c->id, g); !st.ok()) return Fail(ctx, st);
  ctx.out << user << " on " << c->id << ": read=" << (g.can_read ? "yes" : "no")
          << " write=" << (g.can_write ? "yes" : "no") << "\n";
  return kExitOk;
}

}  // namespace tabadul::cli
