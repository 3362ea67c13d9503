// A repair crew as the dispatcher registers it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/time.h"

namespace linecrew {

struct CrewMember {
  std::string first_name;    // shown to customers
  std::string full_name;     // for the call script
  std::string staff_number;  // 工号, 1..32 characters, unique in the utility
  bool operator==(const CrewMember&) const = default;
};

struct Crew {
  CrewId id;
  std::string name;  // e.g. "城区抢修一班"
  std::vector<CrewMember> members;
  std::vector<std::string> skills;
  GeoPoint home{0, 0};  // depot the crew starts from
  std::optional<GeoPoint> position;
  std::optional<TimePoint> position_time;
  TimePoint shift_start;
  TimePoint shift_end;
  bool on_shift = false;
  std::uint32_t capacity = 0;  // generic (materials); 0 = unlimited
  std::string callback_phone;  // read to customers in delay calls; E.164 or empty
  std::uint64_t version = 0;   // set by storage, +1 on every change
};

// Validates and normalises (phone) a crew; throws Error(kInvalidArgument,
// field) naming the first bad field: id, name (1..100), members (1..10, each
// with a first name and a staff number), skills, shift_end after shift_start
// and at most 24 h later, callback_phone (optional; a valid number, to E.164,
// read in `phone_region` when it has no "+": the policy's phone_region).
Crew validated(Crew crew, std::string_view phone_region);
// A crew id as the contract has it: 1..32 of [A-Za-z0-9_-] (limits.h);
// Error(kInvalidArgument, field). Stricter than CrewId's general id form,
// which reads ids already stored.
void validate_crew_id(std::string_view id, const std::string& field);

// Is the crew able to take work at `t`: on shift and inside its shift window.
bool available(const Crew& crew, TimePoint t);

}  // namespace linecrew
