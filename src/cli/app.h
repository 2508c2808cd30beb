// The `tabadul` command line: parses arguments (CLI11; options also from a TOML config file and
// TABADUL_* environment variables) and runs one subcommand. Returns the process exit code.
#pragma once

namespace tabadul::cli {

int RunCli(int argc, char** argv);

}  // namespace tabadul::cli
