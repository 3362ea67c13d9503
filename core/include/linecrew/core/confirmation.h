// Confirmation calls (rules §4): a scheduled (non-emergency) visit gets a
// call 2–3 h before the agreed arrival, with its outcome recorded; a change
// agreed on that call follows the consent rules of §2 (a consented contact
// before the deadline moves the deadline in force). The desk makes the call
// (its queue lists every visit whose window is open and not yet confirmed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/ticket_status.h"
#include "linecrew/core/time.h"

namespace linecrew {

struct Ticket;
struct ServicePolicy;
enum class TicketKind : std::uint8_t;

inline constexpr Duration kConfirmationOpens = hours(3);  // before the agreed arrival
inline constexpr Duration kConfirmationDue = hours(2);

// [appointment - 3 h, appointment - 2 h]: when the call is to be made.
struct ConfirmationWindow {
  TimePoint opens;
  TimePoint due;
  TimePoint appointment;
};

// The window of a scheduled visit with an agreed arrival, open and not
// reached yet; nullopt for every other ticket.
std::optional<ConfirmationWindow> confirmation_window(const Ticket& t);

enum class ConfirmationOutcome : std::uint8_t {
  kConfirmed,      // the customer confirms the agreed time
  kNewTimeAgreed,  // the customer agreed another time on the call (rules §2 consent)
  kUnreachable,    // not reached: call again
};
std::string_view to_string(ConfirmationOutcome outcome);  // "confirmed", "new_time_agreed", "unreachable"

// Whether the visit's confirmation call reached the customer (confirmed, or a new time agreed).
bool confirmed(const Ticket& t);
// Whether a "confirmation_call" timeline entry's detail records a call that
// reached the customer (the handheld reads its copy of the timeline so).
bool confirmation_reached(std::string_view detail);

// The window of a visit from its kind, agreed arrival and status alone (the
// handheld's copy of a ticket), as confirmation_window.
std::optional<ConfirmationWindow> confirmation_window(TicketKind kind, std::optional<TimePoint> appointment,
                                                      TicketStatus status);
// Calls that did not reach the customer so far.
std::uint32_t confirmation_attempts(const Ticket& t);

// Records the confirmation call (a "confirmation_call" timeline entry). A
// new time agreed is a consented contact (rules §2): the deadline in force
// moves to `new_time`, which lies after now (Error(kInvalidArgument,
// "new_time"), required then, refused otherwise). Error(kFailedPrecondition,
// "ticket_id") for a ticket with no confirmation window, one already
// confirmed, before the window opens or after the agreed arrival; calls only
// in contact hours (rules §4).
void record_confirmation(Ticket& t, ConfirmationOutcome outcome, std::optional<TimePoint> new_time,
                         const std::string& by, const ServicePolicy& policy, TimePoint now);

}  // namespace linecrew
