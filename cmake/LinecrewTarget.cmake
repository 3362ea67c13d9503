# linecrew_warnings(<target>): the project's warning set, on one target only.
function(linecrew_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
  if(LINECREW_WERROR)
    # GCC 12 at -O3 reports false -Wrestrict on std::string concatenation (a known GCC bug): not an error.
    target_compile_options(${target} PRIVATE -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-error=restrict)
    endif()
  endif()
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
    target_compile_options(${target} PRIVATE -Wno-psabi)
  endif()
endfunction()
