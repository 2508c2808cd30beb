// The `tabadul peer ...`, `tabadul subscription ...` and `tabadul sync ...` commands:
//
//   peer add NAME --url URL [--api-root /api/] [--org ORG] [--user U --password-stdin |
//                 --token-stdin] [--ca-file PEM] [TERMS]
//   peer set NAME TERMS                         change a peer's exchange terms
//   peer list | peer remove NAME
//     TERMS: [--default-tlp LEVEL] [--may-forward[=true|false]] [--forward-max-tlp LEVEL]
//     (what is pulled from the peer: its TLP when it carries none, default amber; whether it may
//     go on to third organizations, default not; up to which TLP, default green)
//   subscription add PEER (--pull | --push) --remote COLLECTION_ID --local COLLECTION
//   subscription list [PEER] | subscription remove ID
//   sync [PEER] [--repair] [--no-progress]      one run (progress on a terminal)
//   sync status                                 per-subscription status
//
// Each command runs on what `open` builds from the data folder, prints results to stdout and errors
// to stderr as "tabadul: <message>", and sets exit_code 0 (ok), 1 (bad input or failure).
// CLI11 itself reports usage errors (the caller maps them to 2).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"
#include "sync/peer_registry.h"
#include "sync/sync_service.h"

namespace tabadul::sync {

// What the commands run on. The caller builds it (cli::Runtime) so that `tabadul sync` run from
// a shell is the server's sync: pulls through the same write pipeline, pushes through the same
// gate and into the same disclosure log. There is no simpler CLI-only wiring.
struct SyncEnv {
  store::Store* store = nullptr;
  PeerRegistry* registry = nullptr;
  SyncService* service = nullptr;
  std::shared_ptr<void> owner;  // keeps the three (and what they use) alive
};
using SyncEnvFactory = std::function<Result<SyncEnv>(const std::string& data_dir)>;

void RegisterSyncCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                          SyncEnvFactory open, std::istream& in = std::cin,
                          std::ostream& out = std::cout, std::ostream& err = std::cerr);

}  // namespace tabadul::sync
