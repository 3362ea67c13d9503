// The ticket state machine of the rules (§2, §4, §5): statuses, the legal
// transitions, and who may make each one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace linecrew {

enum class TicketStatus : std::uint8_t {
  kReported,         // taken, with the dispatch desk as owner
  kAssigned,         // planned onto a crew
  kAccepted,         // the crew acknowledged it
  kEnRoute,          // the crew is driving there
  kOnSite,           // arrived: the arrival time is what the deadline measures
  kRestored,         // power back on
  kClosed,           // done: cause found and explained to the customer
  kCancelled,        // withdrawn before arrival
  kReturnVisitOwed,  // could not be fixed on site; a return time was committed
};

// Who asks for a transition.
enum class Actor : std::uint8_t {
  kSystem,      // the planner and the server's own rules
  kDispatcher,  // a dispatcher or admin at the desk
  kCrew,        // the crew that owns the ticket, through its handheld
};

std::string_view to_string(TicketStatus status);
std::optional<TicketStatus> parse_ticket_status(std::string_view text);
std::string_view to_string(Actor actor);

// True for Closed and Cancelled: nothing may follow.
bool is_terminal(TicketStatus status);
// True once the crew has arrived (OnSite and after, except Cancelled): such a
// ticket keeps its crew even if a dispatcher reassigned it meanwhile.
bool crew_has_arrived(TicketStatus status);
// True while a crew holds the ticket and has not arrived yet (Assigned,
// Accepted, EnRoute): the stages in which a customer is told an ETA.
bool crew_travelling(TicketStatus status);

// nullopt when `actor` may move a ticket from `from` to `to`; otherwise the
// reason, readable by a dispatcher.
std::optional<std::string> transition_error(TicketStatus from, TicketStatus to, Actor actor);
// Throws Error(kFailedPrecondition, "status") with that reason.
void require_transition(TicketStatus from, TicketStatus to, Actor actor);

}  // namespace linecrew
