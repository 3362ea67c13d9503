#include "linecrew/core/zone_class.h"

namespace linecrew {

std::string_view to_string(ZoneClass zone) {
  switch (zone) {
    case ZoneClass::kUrban:
      return "urban";
    case ZoneClass::kRural:
      return "rural";
    case ZoneClass::kRemote:
      return "remote";
  }
  return "urban";
}

std::optional<ZoneClass> parse_zone_class(std::string_view text) {
  for (const ZoneClass z : kAllZoneClasses)
    if (text == to_string(z)) return z;
  return std::nullopt;
}

}  // namespace linecrew
