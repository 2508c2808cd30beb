#include "cli/app.h"
#include "common/allocator.h"

int main(int argc, char** argv) {
  tabadul::TuneAllocatorForServing();
  return tabadul::cli::RunCli(argc, argv);
}
