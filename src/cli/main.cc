#include "cli/app.h"

int main(int argc, char** argv) { return tabadul::cli::RunCli(argc, argv); }
