// The ticket state machine of the rules (§2, §4, §5): statuses, the legal
// transitions, and who may make each one.
#pragma once

#include <array>
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

// Every status, in declaration order.
inline constexpr std::array<TicketStatus, 9> kAllTicketStatuses = {
    TicketStatus::kReported, TicketStatus::kAssigned,  TicketStatus::kAccepted,
    TicketStatus::kEnRoute,  TicketStatus::kOnSite,    TicketStatus::kRestored,
    TicketStatus::kClosed,   TicketStatus::kCancelled, TicketStatus::kReturnVisitOwed};
// The open statuses: every one but the terminal ones (is_terminal), in order.
inline constexpr std::array<TicketStatus, 7> kOpenTicketStatuses = {
    TicketStatus::kReported, TicketStatus::kAssigned, TicketStatus::kAccepted,       TicketStatus::kEnRoute,
    TicketStatus::kOnSite,   TicketStatus::kRestored, TicketStatus::kReturnVisitOwed};
// The statuses the planner plans (is_plannable): a crew has not arrived yet.
// RETURN_VISIT_OWED is not one: the crew has been; its return-visit ticket is planned.
inline constexpr std::array<TicketStatus, 4> kPlannableTicketStatuses = {
    TicketStatus::kReported, TicketStatus::kAssigned, TicketStatus::kAccepted, TicketStatus::kEnRoute};
// The statuses of a crew on its way (crew_travelling), in order.
inline constexpr std::array<TicketStatus, 3> kTravellingTicketStatuses = {
    TicketStatus::kAssigned, TicketStatus::kAccepted, TicketStatus::kEnRoute};

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
// True for the kPlannableTicketStatuses: open, and no crew has arrived.
bool is_plannable(TicketStatus status);
// True while a crew holds the ticket and has not arrived yet (Assigned,
// Accepted, EnRoute): the stages in which a customer is told an ETA.
bool crew_travelling(TicketStatus status);

// nullopt when `actor` may move a ticket from `from` to `to`; otherwise the
// reason, readable by a dispatcher.
std::optional<std::string> transition_error(TicketStatus from, TicketStatus to, Actor actor);
// Throws Error(kFailedPrecondition, "status") with that reason.
void require_transition(TicketStatus from, TicketStatus to, Actor actor);

}  // namespace linecrew
