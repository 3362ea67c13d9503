#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace linecrew {

// Service zone class of a location; decides the arrival limit (rules §1).
enum class ZoneClass : std::uint8_t { kUrban = 0, kRural = 1, kRemote = 2 };

inline constexpr std::array<ZoneClass, 3> kAllZoneClasses = {ZoneClass::kUrban, ZoneClass::kRural, ZoneClass::kRemote};

// "urban", "rural", "remote"
std::string_view to_string(ZoneClass zone);
std::optional<ZoneClass> parse_zone_class(std::string_view text);

// The stricter of two classes (urban is the strictest).
constexpr ZoneClass stricter(ZoneClass a, ZoneClass b) {
  return a < b ? a : b;
}

}  // namespace linecrew
