// Helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "linecrew/core/error.h"
#include "linecrew/core/time.h"

namespace linecrew::testing {

// The repository's config/ folder (set by CMake), so tests read the shipped files.
inline std::string config_path(const std::string& name) {
  return std::string(LINECREW_SOURCE_DIR) + "/config/" + name;
}

// Local time on the demo day in the utility's zone (UTC+8): at("14:05").
inline TimePoint at(const std::string& hhmm) {
  return parse_utc("2026-11-22T" + hhmm + "+08:00");
}

// Runs `f`, expects an Error with `code` whose text contains `needle`.
template <class F>
void expect_error(F&& f, ErrorCode code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "'" << e.what() << "' lacks '" << needle << "'";
  }
}

}  // namespace linecrew::testing
