#include "linecrew/core/role.h"

namespace linecrew {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kDispatcher:
      return "dispatcher";
    case Role::kAdmin:
      return "admin";
    case Role::kCrewDevice:
      return "crew_device";
  }
  return "dispatcher";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const Role r : {Role::kDispatcher, Role::kAdmin, Role::kCrewDevice})
    if (text == to_string(r)) return r;
  return std::nullopt;
}

}  // namespace linecrew
