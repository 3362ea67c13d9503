// Shared by the fuzzers: the input as text, and the one rule every decoder
// keeps: bad input raises linecrew::Error (a clear INVALID_ARGUMENT naming
// the field), never anything else. Any other exception escapes the fuzzer
// and libFuzzer reports it as a crash, as it does a sanitizer finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linecrew/core/error.h"

namespace linecrew::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs f(); a linecrew::Error is the expected answer to bad input.
template <class F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const Error&) {
  }
}

}  // namespace linecrew::fuzz
