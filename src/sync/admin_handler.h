// The admin API for peers and subscriptions, mounted at /tabadul/v1/peers/ (JSON bodies,
// HTTP Basic like every tabadul endpoint, role admin only):
//
//   GET    /tabadul/v1/peers/                          {"peers":[peer...]}
//   POST   /tabadul/v1/peers/                          add: {"name","url","api_root"?,"org_id"?,
//                                                      "auth":{"kind":"basic|token|none",
//                                                      "user"?,"secret"?},"ca_file"?,
//                                                      "default_tlp"?,"may_forward"?,
//                                                      "forward_max_tlp"?} -> 201
//   GET    /tabadul/v1/peers/{name}/                   one peer with subscriptions and status
//   DELETE /tabadul/v1/peers/{name}/                   -> 200
//   POST   /tabadul/v1/peers/{name}/subscriptions/     {"direction":"pull|push",
//                                                      "remote_collection","local_collection"}
//                                                      -> 201 {"id":N,...}
//   DELETE /tabadul/v1/peers/{name}/subscriptions/{id}/
//   POST   /tabadul/v1/peers/{name}/sync/              run now (?repair=true) -> outcomes
//
// A peer as returned never carries its secret ("auth":{"kind","user"} only); it shows its
// exchange terms (peer_registry.h). Changing the terms of an existing peer is `tabadul peer set`
// (the API has no PATCH yet). Errors are TAXII
// error resources with the usual mapping (taxii/errors.h).
#pragma once

#include "auth/authenticator.h"
#include "sync/sync_service.h"
#include "taxii/server.h"

namespace tabadul::sync {

inline constexpr char kPeersPrefix[] = "/tabadul/v1/peers/";

// `service` and `auth` must outlive the handler. Thread-safe.
taxii::Handler MakePeersHandler(SyncService& service, auth::Authenticator& auth);

}  // namespace tabadul::sync
