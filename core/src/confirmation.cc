#include "linecrew/core/confirmation.h"

#include <array>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, 3> kOutcomeNames = {"confirmed", "new_time_agreed", "unreachable"};
constexpr std::string_view kEvent = "confirmation_call";

[[noreturn]] void refuse(const std::string& why) {
  throw Error(ErrorCode::kFailedPrecondition, "ticket_id", why);
}

}  // namespace

std::string_view to_string(ConfirmationOutcome outcome) {
  return enum_name(kOutcomeNames, outcome);
}

std::optional<ConfirmationWindow> confirmation_window(TicketKind kind, std::optional<TimePoint> appointment,
                                                      TicketStatus status) {
  if (kind != TicketKind::kScheduledVisit || !appointment || !is_plannable(status)) return std::nullopt;
  return ConfirmationWindow{*appointment - kConfirmationOpens, *appointment - kConfirmationDue, *appointment};
}

std::optional<ConfirmationWindow> confirmation_window(const Ticket& t) {
  return confirmation_window(t.kind, t.appointment, t.status);
}

bool confirmation_reached(std::string_view detail) {
  return detail.rfind(to_string(ConfirmationOutcome::kUnreachable), 0) != 0;
}

bool confirmed(const Ticket& t) {
  for (const TicketEvent& e : t.timeline)
    if (e.kind == kEvent && confirmation_reached(e.detail)) return true;
  return false;
}

std::uint32_t confirmation_attempts(const Ticket& t) {
  std::uint32_t n = 0;
  for (const TicketEvent& e : t.timeline)
    if (e.kind == kEvent && e.detail.rfind(std::string(to_string(ConfirmationOutcome::kUnreachable)), 0) == 0) ++n;
  return n;
}

void record_confirmation(Ticket& t, ConfirmationOutcome outcome, std::optional<TimePoint> new_time,
                         const std::string& by, const ServicePolicy& policy, TimePoint now) {
  const bool moves = outcome == ConfirmationOutcome::kNewTimeAgreed;
  if (moves && !new_time) throw_invalid("new_time", "is required: the arrival time agreed on the call");
  if (!moves && new_time) throw_invalid("new_time", "only with the outcome new_time_agreed");
  if (moves && *new_time <= now) throw_invalid("new_time", "must be after the call (" + format_utc(now) + ")");
  if (moves && *new_time > now + policy.booking_horizon) throw_invalid("new_time", "is beyond the booking horizon");
  const auto window = confirmation_window(t);
  if (!window) refuse("ticket " + t.id.str() + " is not a scheduled visit waiting for its crew: nothing to confirm");
  if (confirmed(t)) refuse("ticket " + t.id.str() + "'s visit is already confirmed");
  if (now < window->opens)
    refuse("the confirmation call is made 2-3 h before the agreed arrival: from " +
           format_hhmm(window->opens, policy.utc_offset) + " local time");
  if (now >= window->appointment) refuse("the agreed arrival has passed: call the customer as for a delay (rules §2)");
  if (!policy.non_urgent_call_allowed(now))
    refuse("confirmation calls only in contact hours (rules §4); the next is at " +
           format_hhmm(policy.next_non_urgent_call(now), policy.utc_offset) + " local time");
  std::string detail(to_string(outcome));
  if (moves) {
    // Rules §2: a consented contact before the deadline in force moves it.
    t.contacts.push_back({now, DelayReason::kOther, *new_time, Consent::kYes});
    detail += ": " + format_hhmm(*new_time, policy.utc_offset) + " local (was " +
              format_hhmm(window->appointment, policy.utc_offset) + ")";
  } else if (outcome == ConfirmationOutcome::kConfirmed) {
    detail += ": " + format_hhmm(window->appointment, policy.utc_offset) + " local";
  }
  t.timeline.push_back({now, std::string(kEvent), by, detail});
}

}  // namespace linecrew
