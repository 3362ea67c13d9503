// Validation of the small texts the domain takes in: lengths, skills (phone
// numbers: phone.h).
// Each throws Error(kInvalidArgument, field) naming what is wrong.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace linecrew {

// Length in Unicode code points of UTF-8 text.
std::size_t code_points(std::string_view s);
// The first `n` code points of UTF-8 text (never half a character).
std::string_view truncate_code_points(std::string_view s, std::size_t n);
// A value echoed in an error message: quoted, at most 64 code points, "…"
// after a cut, so that a 10-KB id never makes a 10-KB message.
std::string quote_capped(std::string_view value);
// Requires lo..hi code points; lo = 1 reads "is required" when empty.
void check_length(std::string_view value, std::size_t lo, std::size_t hi, const std::string& field);
// A skill: 1..32 of [a-z0-9_-].
void validate_skill(std::string_view skill, const std::string& field);

}  // namespace linecrew
