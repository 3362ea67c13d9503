// Ownership changes of a ticket (rules §5): every ticket has exactly one
// owner — a crew or the dispatch desk (empty CrewId) — and every change is
// appended to its timeline. Each function validates against the state
// machine first and changes nothing when it throws.
#pragma once

#include <string>

#include "linecrew/core/ticket.h"

namespace linecrew {

// Who is acting, as written in the timeline: "dispatcher:tok_…", "system:planner", "crew:C-7".
struct ActorRef {
  Actor actor;
  std::string name;
};

// Gives the ticket to `crew` (status Assigned). A crew that has arrived
// keeps its ticket: Error(kFailedPrecondition).
void assign(Ticket& t, const CrewId& crew, const ActorRef& by, TimePoint now, const std::string& why);
// Hands the ticket back to the dispatch desk (status Reported), unless the crew has arrived.
void release_to_desk(Ticket& t, const ActorRef& by, TimePoint now, const std::string& why);
// Pins to `crew` and assigns it there; the planner must keep it there.
void pin(Ticket& t, const CrewId& crew, const ActorRef& by, TimePoint now);
// Removes the pin (no-op when not pinned); the owner stays.
void unpin(Ticket& t, const ActorRef& by, TimePoint now);
// Cancels (dispatcher only, before arrival); cancelling a cancelled ticket is a no-op.
void cancel(Ticket& t, const ActorRef& by, TimePoint now, const std::string& reason);

}  // namespace linecrew
