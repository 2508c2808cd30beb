# tabadul_embed_text(<target-var-for-sources> <C++ namespace> <symbol> <file>)
# Compiles a small data file into the library as `extern const std::string_view <symbol>`, so
# rule tables stay data (edited as files, reviewed as files) without any I/O at run time.
# CMake re-runs when the file changes.
function(tabadul_embed_text out_var cxx_namespace symbol file)
  file(READ ${file} content)
  string(FIND "${content}" ")tabadul_data\"" bad)
  if(NOT bad EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter")
  endif()
  get_filename_component(name ${file} NAME)
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc)
  file(WRITE ${generated}.tmp
"// Generated from ${name} by embed_data.cmake; edit the data file, not this one.
#include <string_view>
namespace ${cxx_namespace} {
extern const std::string_view ${symbol};
const std::string_view ${symbol} = R\"tabadul_data(${content})tabadul_data\";
}  // namespace ${cxx_namespace}
")
  configure_file(${generated}.tmp ${generated} COPYONLY)  # rewrites only when it changed
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  set(${out_var} ${${out_var}} ${generated} PARENT_SCOPE)
endfunction()
