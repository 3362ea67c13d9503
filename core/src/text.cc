#include "linecrew/core/text.h"

#include <algorithm>

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"

namespace linecrew {

// Length in Unicode code points of UTF-8 text (continuation bytes not counted).
std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string_view truncate_code_points(std::string_view s, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (seen++ == n) return s.substr(0, i);
  }
  return s;
}

std::string quote_capped(std::string_view value) {
  constexpr std::size_t kMaxEcho = 64;
  const std::string_view head = truncate_code_points(value, kMaxEcho);
  return "'" + std::string(head) + (head.size() < value.size() ? "…'" : "'");
}

void check_length(std::string_view value, std::size_t lo, std::size_t hi, const std::string& field) {
  const std::size_t n = code_points(value);
  if (n < lo) throw_invalid(field, lo == 1 ? "is required" : "needs at least " + std::to_string(lo) + " characters");
  if (n > hi) throw_invalid(field, "is longer than " + std::to_string(hi) + " characters");
}

void validate_skill(std::string_view skill, const std::string& field) {
  check_length(skill, limit::kSkill.lo, limit::kSkill.hi, field);
  for (const char c : skill)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      throw_invalid(field, "'" + std::string(skill) + "' may hold only a-z 0-9 _ -");
}

}  // namespace linecrew
