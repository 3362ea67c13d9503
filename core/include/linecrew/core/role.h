// Who a caller is: the role a bearer token carries (architecture: security).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/ids.h"
#include "linecrew/core/time.h"

namespace linecrew {

enum class Role : std::uint8_t {
  kDispatcher,  // the dispatch desk
  kAdmin,       // everything a dispatcher may do, plus crews and tokens
  kCrewDevice,  // one crew's handheld, bound to that crew
};

std::string_view to_string(Role role);  // "dispatcher", "admin", "crew_device"
std::optional<Role> parse_role(std::string_view text);

// An authenticated caller.
struct Principal {
  std::string token_id;  // public id, safe to log
  Role role;
  CrewId crew;  // set for kCrewDevice only
  std::string label;
  std::string secret_hash;  // of the credential, to check it again (never the secret)
  TimePoint expires{};
};

}  // namespace linecrew
