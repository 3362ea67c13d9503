#include "linecrew/core/compliance.h"

#include <algorithm>
#include <array>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"

namespace linecrew {

namespace {
constexpr std::array<std::string_view, 5> kReasons = {"weather", "traffic", "previous_job_overran", "equipment",
                                                      "other"};
constexpr std::array<std::string_view, 3> kConsents = {"yes", "refused", "unreachable"};

std::string min_text(Duration d) {
  return std::to_string(minutes_ceil(d)) + " min";
}

std::vector<ContactRecord> in_time_order(std::vector<ContactRecord> contacts) {
  std::stable_sort(contacts.begin(), contacts.end(),
                   [](const ContactRecord& a, const ContactRecord& b) { return a.time < b.time; });
  return contacts;
}
}  // namespace

std::string_view to_string(DelayReason reason) {
  return enum_name(kReasons, reason);
}
std::optional<DelayReason> parse_delay_reason(std::string_view text) {
  return enum_from<DelayReason>(kReasons, text);
}
std::string_view to_string(Consent consent) {
  return enum_name(kConsents, consent);
}
std::optional<Consent> parse_consent(std::string_view text) {
  return enum_from<Consent>(kConsents, text);
}

std::string_view to_string(Compliance compliance) {
  switch (compliance) {
    case Compliance::kPending:
      return "pending";
    case Compliance::kOnTime:
      return "on_time";
    case Compliance::kLateExcused:
      return "late_excused";
    case Compliance::kViolation:
      return "violation";
  }
  return "pending";
}

void validate(const ContactRecord& contact) {
  if (contact.consent == Consent::kYes && contact.proposed_time <= contact.time)
    throw_invalid("proposed_time", "the agreed arrival time must be after the call");
}

std::optional<TimePoint> deadline_after_call(const ContactRecord& contact, TimePoint in_force) {
  if (contact.consent == Consent::kYes && contact.time <= in_force) return contact.proposed_time;
  return std::nullopt;
}

TimePoint effective_deadline(TimePoint deadline, const std::vector<ContactRecord>& contacts) {
  TimePoint in_force = deadline;
  for (const ContactRecord& c : in_time_order(contacts))
    if (const auto moved = deadline_after_call(c, in_force)) in_force = *moved;
  return in_force;
}

ComplianceVerdict evaluate_compliance(TimePoint deadline, std::optional<TimePoint> arrival,
                                      const std::vector<ContactRecord>& contacts, TimePoint now) {
  const TimePoint effective = effective_deadline(deadline, contacts);
  const TimePoint measured = arrival.value_or(now);
  const Duration late = std::max(Duration{0}, measured - deadline);

  if (measured <= deadline)
    return {arrival ? Compliance::kOnTime : Compliance::kPending, Duration{0}, effective,
            arrival ? "arrived within the limit" : "not arrived yet; the deadline is ahead"};

  if (effective != deadline && measured <= effective) {
    // The last consented contact that set the effective deadline.
    const auto ordered = in_time_order(contacts);
    const auto it = std::find_if(ordered.rbegin(), ordered.rend(), [&](const ContactRecord& c) {
      return c.consent == Consent::kYes && c.proposed_time == effective;
    });
    std::string why = "the customer agreed to a later time";
    if (it != ordered.rend())
      why = "customer contacted at " + format_utc(it->time) + " (" + std::string(to_string(it->reason)) +
            ") and agreed to " + format_utc(effective);
    if (!arrival) return {Compliance::kPending, late, effective, "not arrived yet; " + why};
    return {Compliance::kLateExcused, late, effective, min_text(late) + " after the deadline, excused: " + why};
  }

  // A violation: say why no excuse applies.
  std::string why;
  if (effective != deadline) {
    why = std::string(arrival ? "arrived " : "not arrived, ") + min_text(measured - effective) +
          " after the agreed time " + format_utc(effective);
  } else {
    const bool any_before =
        std::any_of(contacts.begin(), contacts.end(), [&](const ContactRecord& c) { return c.time <= deadline; });
    std::string head =
        arrival ? "arrived " + min_text(late) + " late" : "not arrived, " + min_text(late) + " past the deadline";
    if (contacts.empty())
      why = head + " with no call to the customer before the deadline";
    else if (!any_before)
      why = head + "; the customer was called only after the deadline";
    else
      why = head + "; the customer was called before the deadline but no new time was agreed";
  }
  return {Compliance::kViolation, measured - effective, effective, why};
}

}  // namespace linecrew
