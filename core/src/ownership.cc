#include "linecrew/core/ownership.h"

#include "linecrew/core/error.h"

namespace linecrew {

namespace {
void log(Ticket& t, TimePoint now, const char* kind, const ActorRef& by, std::string detail) {
  t.timeline.push_back({now, kind, by.name, std::move(detail)});
}
}  // namespace

void assign(Ticket& t, const CrewId& crew, const ActorRef& by, TimePoint now, const std::string& why) {
  if (crew.empty()) throw_invalid("crew_id", "is required");
  if (t.owner == crew && t.status != TicketStatus::kReported && t.status != TicketStatus::kReturnVisitOwed) return;
  if (crew_has_arrived(t.status) && t.status != TicketStatus::kReturnVisitOwed)
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                "crew " + t.owner.str() + " is already on site and keeps the ticket");
  if (t.status != TicketStatus::kAssigned) require_transition(t.status, TicketStatus::kAssigned, by.actor);
  const std::string from = t.owner.empty() ? "desk" : t.owner.str();
  t.status = TicketStatus::kAssigned;
  t.owner = crew;
  log(t, now, "assigned", by, "from " + from + " to " + crew.str() + (why.empty() ? "" : ": " + why));
}

void release_to_desk(Ticket& t, const ActorRef& by, TimePoint now, const std::string& why) {
  if (t.owner.empty() && t.status == TicketStatus::kReported) return;
  require_transition(t.status, TicketStatus::kReported, by.actor);
  const std::string from = t.owner.str();
  t.status = TicketStatus::kReported;
  t.owner = CrewId();
  log(t, now, "unassigned", by, "from " + from + " to desk" + (why.empty() ? "" : ": " + why));
}

void pin(Ticket& t, const CrewId& crew, const ActorRef& by, TimePoint now) {
  if (is_terminal(t.status))
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id", "the ticket is " + std::string(to_string(t.status)));
  assign(t, crew, by, now, "pinned by dispatcher");
  if (t.pinned != crew) {
    t.pinned = crew;
    log(t, now, "pinned", by, "to " + crew.str());
  }
}

void unpin(Ticket& t, const ActorRef& by, TimePoint now) {
  if (t.pinned.empty()) return;
  log(t, now, "unpinned", by, "from " + t.pinned.str());
  t.pinned = CrewId();
}

void cancel(Ticket& t, const ActorRef& by, TimePoint now, const std::string& reason) {
  if (t.status == TicketStatus::kCancelled) return;
  require_transition(t.status, TicketStatus::kCancelled, by.actor);
  if (reason.empty()) throw_invalid("reason", "is required");
  t.status = TicketStatus::kCancelled;
  log(t, now, "cancelled", by, reason + (t.owner.empty() ? "" : " (crew " + t.owner.str() + " stops)"));
}

}  // namespace linecrew
