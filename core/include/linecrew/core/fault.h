// One fault, many callers (rules §7): in a storm dozens of customers call
// about one transformer. A report close in place and time to an open fault
// repair is linked to it as the same fault: the open ticket (the lead) is
// planned once for everyone, and each linked ticket (a member) follows the
// lead's owner, status and arrival while keeping its own deadline,
// compliance record and messages. The lead's planning deadline is the
// earliest of its callers' (planning_deadline).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/ownership.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"

namespace linecrew {

// How sure intake is that `report` is about the same fault as `lead`, in
// [0, 1]: 1 at the same place and time, falling linearly with the distance
// (to 0 at the policy's distance) and with the time between first contacts
// (to 0 at the policy's window), half each; 0 beyond either limit.
double fault_link_confidence(const Ticket& lead, const Ticket& report, const FaultLinkPolicy& policy);

// Why `lead` cannot stand for `member`'s fault; nullopt when it can. Both
// must be fault repairs no crew has reached, the lead open and not itself a
// member, the member not the lead itself.
std::optional<std::string> fault_link_error(const Ticket& lead, const Ticket& member);

// The best lead among `candidates` for a new `report`: the most confident
// one that may lead it (earliest first contact on a tie), with its
// confidence; nullopt when none is above 0.
struct FaultMatch {
  TicketId lead;
  double confidence = 0;
  bool automatic = false;  // at or above the policy's auto confidence, with automatic links on
};
std::optional<FaultMatch> best_fault_match(const Ticket& report, const std::vector<Ticket>& candidates,
                                           const FaultLinkPolicy& policy);

// Links `member` to `lead` (timeline "fault_linked" with who and the
// confidence, or "by the desk"). Throws Error(kFailedPrecondition,
// "fault_ticket_id") with fault_link_error's reason. The caller brings the
// member's owner and status in line with follow_fault.
void link_to_fault(Ticket& member, const Ticket& lead, const std::string& by, TimePoint now,
                   std::optional<double> confidence);
// Who links at intake (the actor of its "fault_linked" entry).
inline constexpr std::string_view kIntakeLinker = "system:intake";
// True when `member` was linked by intake as it was reported (so it was
// never on a crew's handheld), not later by the desk.
bool linked_at_intake(const Ticket& member);
// Records a possible link below the auto confidence, for the desk ("fault_suggested").
void suggest_fault(Ticket& report, const FaultMatch& match, TimePoint now);
// Unlinks a member (timeline "fault_unlinked" with the reason); it goes back
// to the desk to be planned on its own. Throws Error(kFailedPrecondition,
// "ticket_id") when it is not linked or a crew has reached it.
void unlink_from_fault(Ticket& member, const ActorRef& by, TimePoint now, const std::string& reason);

// Brings a member in line with its lead: before the crew arrives the owner
// follows the lead's (assigned / back to the desk, with history); the status
// moves forward to the lead's (accepted, en route, on site with the lead's
// arrival, restored, return visit owed, closed), each with its timeline
// entry; a cancelled lead unlinks its members. Returns true when it changed
// anything. A member of another lead, or a closed or cancelled one, is left alone.
bool follow_fault(Ticket& member, const Ticket& lead, TimePoint now);

// The deadline the lead is planned against: the earliest of its own and its
// callers' effective deadlines.
TimePoint planning_deadline(const Ticket& lead, const std::vector<TimePoint>& member_deadlines);

}  // namespace linecrew
