#include "linecrew/core/ticket_status.h"

#include <algorithm>
#include <array>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"

namespace linecrew {

namespace {

using S = TicketStatus;
using A = Actor;

// Bit set of actors allowed for one transition.
constexpr unsigned bit(Actor a) {
  return 1u << static_cast<unsigned>(a);
}
constexpr unsigned kDesk = bit(A::kSystem) | bit(A::kDispatcher);
constexpr unsigned kCrew = bit(A::kCrew);

struct Rule {
  TicketStatus from;
  TicketStatus to;
  unsigned actors;
};

// The whole state machine. Reassignment to another crew keeps the status
// Assigned (ownership is recorded separately); a crew that has arrived keeps
// its ticket, so nothing moves OnSite back to the desk.
constexpr std::array kRules = {
    Rule{S::kReported, S::kAssigned, kDesk},
    Rule{S::kAssigned, S::kReported, kDesk},  // back to the dispatch desk
    Rule{S::kAccepted, S::kReported, kDesk},
    Rule{S::kEnRoute, S::kReported, kDesk},
    Rule{S::kAccepted, S::kAssigned, kDesk},  // reassigned to another crew
    Rule{S::kEnRoute, S::kAssigned, kDesk},
    Rule{S::kAssigned, S::kAccepted, kCrew},
    Rule{S::kAssigned, S::kEnRoute, kCrew},  // accepting by driving off
    Rule{S::kAccepted, S::kEnRoute, kCrew},
    Rule{S::kAssigned, S::kOnSite, kCrew},  // the crew was already there
    Rule{S::kAccepted, S::kOnSite, kCrew},
    Rule{S::kEnRoute, S::kOnSite, kCrew},
    Rule{S::kOnSite, S::kRestored, kCrew},
    Rule{S::kOnSite, S::kReturnVisitOwed, kCrew},  // cannot fix: a return time is committed
    Rule{S::kRestored, S::kClosed, kCrew | kDesk},
    Rule{S::kReturnVisitOwed, S::kAssigned, kDesk},  // the return visit is planned
    Rule{S::kReturnVisitOwed, S::kClosed, kDesk},    // its return visit was closed or cancelled
    Rule{S::kReported, S::kCancelled, bit(A::kDispatcher)},
    Rule{S::kAssigned, S::kCancelled, bit(A::kDispatcher)},
    Rule{S::kAccepted, S::kCancelled, bit(A::kDispatcher)},
    Rule{S::kEnRoute, S::kCancelled, bit(A::kDispatcher)},  // a cancellation wins over en route
};

constexpr std::array<std::string_view, 9> kStatusNames = {
    "reported", "assigned", "accepted", "en_route", "on_site", "restored", "closed", "cancelled", "return_visit_owed"};
static_assert(kStatusNames.size() == kAllTicketStatuses.size());

}  // namespace

std::string_view to_string(TicketStatus status) {
  return enum_name(kStatusNames, status);
}

std::optional<TicketStatus> parse_ticket_status(std::string_view text) {
  return enum_from<TicketStatus>(kStatusNames, text);
}

std::string_view to_string(Actor actor) {
  switch (actor) {
    case A::kSystem:
      return "system";
    case A::kDispatcher:
      return "dispatcher";
    case A::kCrew:
      return "crew";
  }
  return "system";
}

bool is_terminal(TicketStatus status) {
  return status == S::kClosed || status == S::kCancelled;
}

bool crew_has_arrived(TicketStatus status) {
  return status == S::kOnSite || status == S::kRestored || status == S::kClosed || status == S::kReturnVisitOwed;
}

bool is_plannable(TicketStatus status) {
  return std::find(kPlannableTicketStatuses.begin(), kPlannableTicketStatuses.end(), status) !=
         kPlannableTicketStatuses.end();
}

bool crew_travelling(TicketStatus status) {
  return status == S::kAssigned || status == S::kAccepted || status == S::kEnRoute;
}

std::optional<std::string> transition_error(TicketStatus from, TicketStatus to, Actor actor) {
  const std::string move = std::string(to_string(from)) + " -> " + std::string(to_string(to));
  if (is_terminal(from)) return "the ticket is " + std::string(to_string(from)) + "; no change is possible";
  for (const Rule& r : kRules) {
    if (r.from != from || r.to != to) continue;
    if (r.actors & bit(actor)) return std::nullopt;
    return "a " + std::string(to_string(actor)) + " may not move a ticket " + move;
  }
  return "no transition " + move;
}

void require_transition(TicketStatus from, TicketStatus to, Actor actor) {
  if (auto why = transition_error(from, to, actor)) throw Error(ErrorCode::kFailedPrecondition, "status", *why);
}

}  // namespace linecrew
