# The sanitizer and fuzzing build (scripts/build.sh sanitize): one clang build
# serves both. Every target, generated code included, is compiled with
# ASan + UBSan (an error aborts the process, so a test fails on it), and with
# LINECREW_FUZZ also with libFuzzer's coverage instrumentation, so the
# fuzzers in tests/fuzz link the same libraries the tests use.
if(LINECREW_SANITIZE OR LINECREW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "LINECREW_SANITIZE/LINECREW_FUZZ need clang (CXX=clang++); this is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(LINECREW_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
