// tabadul's admin HTTP API for agreements and API tokens, mounted by the lead under
// /tabadul/v1/admin/ (taxii::Router). JSON in and out (Content-Type application/json).
//
//   GET    agreements/[?ended=true]       agreements the caller's organization is party to
//                                         (hub admin: all)
//   POST   agreements/                    create (body: agreement JSON, see agreement.h)
//   GET    agreements/{name}/             latest version
//   PUT    agreements/{name}/             new version (body: agreement JSON with that name)
//   DELETE agreements/{name}/             end it now
//   GET    agreements/{name}/history/     every version, oldest first
//   POST   agreements/apply/[?dry_run=true]  reconcile with {"agreements": [...]}: the caller's
//                                         organization's agreements (hub admin: all of them)
//   POST   tokens/                        {"user": "...", "role"?: "...", "label"?: "..."} ->
//                                         the token, shown this once
//   GET    tokens/                        the organization's tokens (never secrets)
//   DELETE tokens/{id}/                   revoke
//
// Authorization: every request needs credentials (401 otherwise) and the admin role. An
// organization's admin manages the agreements it provides and reads those it receives; a hub
// admin (EngineOptions::hub_org_id) manages all. An agreement the caller is not party to answers
// 404 exactly like a missing one, so names of other organizations' agreements do not leak.
// Errors use the TAXII error mapping (taxii/errors.h) with a JSON body {"title", "description"}.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/token.h"
#include "policy/agreement_service.h"
#include "policy/engine.h"
#include "taxii/server.h"

namespace tabadul::policy {

// Checks an Authorization header; `peer` is the client's address (for throttling guessers).
using AuthenticateFn = std::function<Result<auth::Principal>(std::string_view authorization,
                                                             std::string_view peer)>;

// `engine` and `tokens` (may be null: then the token endpoints answer 404) must outlive the
// handler. `authenticate` checks the Authorization header (password and/or token).
taxii::Handler MakeAdminHandler(Engine& engine, auth::TokenService* tokens,
                                AuthenticateFn authenticate,
                                std::string prefix = "/tabadul/v1/admin/");

// An AuthenticateFn accepting API tokens (Bearer, or Basic with the token as password) and
// otherwise Basic user:password through `passwords`. Both must outlive the function.
AuthenticateFn PasswordOrToken(auth::Authenticator& passwords, auth::TokenService* tokens);

}  // namespace tabadul::policy
