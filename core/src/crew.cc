#include "linecrew/core/crew.h"

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/phone.h"
#include "linecrew/core/text.h"

namespace linecrew {

void validate_crew_id(std::string_view id, const std::string& field) {
  check_length(id, limit::kCrewId, field);
  for (const char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      throw_invalid(field, quote_capped(id) + " may hold only A-Z a-z 0-9 _ -");
}

Crew validated(Crew c, std::string_view phone_region) {
  if (c.id.empty()) throw_invalid("crew.id", "is required");
  validate_crew_id(c.id.str(), "crew.id");
  check_length(c.name, limit::kCrewName, "crew.name");
  if (c.members.empty() || c.members.size() > 10) throw_invalid("crew.members", "needs 1 to 10 members");
  for (std::size_t i = 0; i < c.members.size(); ++i) {
    const std::string f = "crew.members[" + std::to_string(i) + "]";
    check_length(c.members[i].first_name, limit::kFirstName, f + ".first_name");
    check_length(c.members[i].full_name, limit::kFullName, f + ".full_name");
    check_length(c.members[i].staff_number, limit::kStaffNumber, f + ".staff_number");
    for (std::size_t j = 0; j < i; ++j)
      if (c.members[j].staff_number == c.members[i].staff_number)
        throw_invalid(f + ".staff_number", "is the same as crew.members[" + std::to_string(j) + "]'s");
  }
  if (c.skills.size() > 20) throw_invalid("crew.skills", "at most 20 skills");
  for (std::size_t i = 0; i < c.skills.size(); ++i)
    validate_skill(c.skills[i], "crew.skills[" + std::to_string(i) + "]");
  if (c.shift_end <= c.shift_start) throw_invalid("crew.shift_end", "must be after shift_start");
  if (c.shift_end - c.shift_start > hours(24)) throw_invalid("crew.shift_end", "a shift lasts at most 24 h");
  if (!c.callback_phone.empty())
    c.callback_phone = normalise_phone(c.callback_phone, phone_region, "crew.callback_phone");
  return c;
}

bool available(const Crew& crew, TimePoint t) {
  return crew.on_shift && t >= crew.shift_start && t < crew.shift_end;
}

}  // namespace linecrew
