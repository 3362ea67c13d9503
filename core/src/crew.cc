#include "linecrew/core/crew.h"

#include "linecrew/core/error.h"
#include "linecrew/core/text.h"

namespace linecrew {

Crew validated(Crew c) {
  if (c.id.empty()) throw_invalid("crew.id", "is required");
  check_length(c.name, 1, 100, "crew.name");
  if (c.members.empty() || c.members.size() > 10) throw_invalid("crew.members", "needs 1 to 10 members");
  for (std::size_t i = 0; i < c.members.size(); ++i) {
    const std::string f = "crew.members[" + std::to_string(i) + "]";
    check_length(c.members[i].first_name, 1, 50, f + ".first_name");
    check_length(c.members[i].full_name, 0, 100, f + ".full_name");
    check_length(c.members[i].staff_number, 1, 32, f + ".staff_number");
  }
  if (c.skills.size() > 20) throw_invalid("crew.skills", "at most 20 skills");
  for (std::size_t i = 0; i < c.skills.size(); ++i)
    validate_skill(c.skills[i], "crew.skills[" + std::to_string(i) + "]");
  if (c.shift_end <= c.shift_start) throw_invalid("crew.shift_end", "must be after shift_start");
  if (c.shift_end - c.shift_start > hours(24)) throw_invalid("crew.shift_end", "a shift lasts at most 24 h");
  if (!c.callback_phone.empty()) c.callback_phone = normalise_phone(c.callback_phone, "crew.callback_phone");
  return c;
}

bool available(const Crew& crew, TimePoint t) {
  return crew.on_shift && t >= crew.shift_start && t < crew.shift_end;
}

}  // namespace linecrew
