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
// Each command opens the store at data_dir + "/tabadul.db", prints results to stdout and errors
// to stderr as "tabadul: <message>", and sets exit_code 0 (ok), 1 (bad input or failure).
// CLI11 itself reports usage errors (the caller maps them to 2).
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

namespace tabadul::sync {

void RegisterSyncCommands(CLI::App& app, std::string& data_dir, int& exit_code);

// The same, with explicit streams (tests).
void RegisterSyncCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                          std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace tabadul::sync
