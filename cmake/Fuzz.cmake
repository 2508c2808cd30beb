# tabadul_add_fuzzer(NAME SOURCE LIBS... [CORPUS dir])
# Builds a libFuzzer target (clang only, TABADUL_FUZZ=ON) and registers a bounded run with ctest:
# the seed corpus in fuzz/<module>/corpus/<name>/ plus TABADUL_FUZZ_RUNS mutated inputs.
# Crashes found later are added to that corpus as regressions.
if(TABADUL_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_custom_target(fuzzers)
endif()

function(tabadul_add_fuzzer name source)
  cmake_parse_arguments(F "" "CORPUS" "LIBS" ${ARGN})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzzers ${name})
  set(corpus_args "")
  if(F_CORPUS)
    set(corpus_args ${F_CORPUS})
  endif()
  add_test(NAME ${name}
           # New inputs go to a scratch folder (the first corpus argument); the seeds stay untouched.
           COMMAND sh -c "d=$(mktemp -d) && $<TARGET_FILE:${name}> -runs=$\{TABADUL_FUZZ_RUNS:-20000} -max_len=4096 -timeout=10 -rss_limit_mb=2048 $d ${corpus_args}; rc=$?; rm -rf $d; exit $rc")
endfunction()
