#include "linecrew/core/fault.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "linecrew/core/error.h"
#include "linecrew/core/geo.h"

namespace linecrew {

namespace {

const ActorRef kFaultActor{Actor::kSystem, "system:fault"};

// How far along the work is, for following the lead forward only.
int progress(TicketStatus s) {
  switch (s) {
    case TicketStatus::kReported:
      return 0;
    case TicketStatus::kAssigned:
      return 1;
    case TicketStatus::kAccepted:
      return 2;
    case TicketStatus::kEnRoute:
      return 3;
    case TicketStatus::kOnSite:
      return 4;
    case TicketStatus::kRestored:
    case TicketStatus::kReturnVisitOwed:
      return 5;
    case TicketStatus::kClosed:
    case TicketStatus::kCancelled:
      return 6;
  }
  return 0;
}

// The timeline entry a crew's action writes on reaching `s` (crew_action.cc).
const char* event_for(TicketStatus s) {
  switch (s) {
    case TicketStatus::kAccepted:
      return "accepted";
    case TicketStatus::kEnRoute:
      return "en_route";
    case TicketStatus::kOnSite:
      return "arrived";
    case TicketStatus::kRestored:
      return "restored";
    case TicketStatus::kReturnVisitOwed:
      return "cannot_fix";
    default:
      return "closed";
  }
}

// The lead's latest entry of `kind`: when it happened there (and a "cannot
// fix" entry's detail carries the committed return time).
const TicketEvent* last_event(const Ticket& t, std::string_view kind) {
  for (auto it = t.timeline.rbegin(); it != t.timeline.rend(); ++it)
    if (it->kind == kind) return &*it;
  return nullptr;
}

std::string percent(double confidence) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", confidence * 100);
  return buf;
}

}  // namespace

double fault_link_confidence(const Ticket& lead, const Ticket& report, const FaultLinkPolicy& policy) {
  const double d = distance_m(lead.location, report.location);
  const auto dt = report.first_contact > lead.first_contact ? report.first_contact - lead.first_contact
                                                            : lead.first_contact - report.first_contact;
  if (d > policy.distance_m || dt > policy.window) return 0;
  const double c =
      1.0 - (0.5 * d / policy.distance_m) -
      (0.5 * std::chrono::duration<double>(dt).count() / std::chrono::duration<double>(policy.window).count());
  return std::clamp(c, 0.0, 1.0);
}

std::optional<std::string> fault_link_error(const Ticket& lead, const Ticket& member) {
  if (lead.id == member.id) return "a ticket cannot be linked to itself";
  if (lead.kind != TicketKind::kFaultRepair) return lead.id.str() + " is not a fault repair";
  if (member.kind != TicketKind::kFaultRepair) return member.id.str() + " is not a fault repair";
  if (!lead.fault.empty()) return lead.id.str() + " is itself linked to " + lead.fault.str();
  if (!is_plannable(lead.status))
    return lead.id.str() + " is " + std::string(to_string(lead.status)) + ": no crew is on its way to link to";
  if (!is_plannable(member.status))
    return member.id.str() + " is " + std::string(to_string(member.status)) + ": it is no longer waiting for a crew";
  return std::nullopt;
}

std::optional<FaultMatch> best_fault_match(const Ticket& report, const std::vector<Ticket>& candidates,
                                           const FaultLinkPolicy& policy) {
  std::optional<FaultMatch> best;
  const Ticket* best_ticket = nullptr;
  for (const Ticket& c : candidates) {
    if (fault_link_error(c, report)) continue;
    const double confidence = fault_link_confidence(c, report, policy);
    if (confidence <= 0) continue;
    const bool better = !best || confidence > best->confidence ||
                        (confidence == best->confidence && c.first_contact < best_ticket->first_contact);
    if (better) {
      best = FaultMatch{c.id, confidence, policy.automatic && confidence >= policy.auto_confidence};
      best_ticket = &c;
    }
  }
  return best;
}

void link_to_fault(Ticket& member, const Ticket& lead, const std::string& by, TimePoint now,
                   std::optional<double> confidence) {
  if (const auto why = fault_link_error(lead, member))
    throw Error(ErrorCode::kFailedPrecondition, "fault_ticket_id", *why);
  if (member.fault == lead.id) return;
  member.fault = lead.id;
  member.pinned = CrewId();  // the lead's crew comes; a pin of its own would plan a second stop
  member.timeline.push_back({now, "fault_linked", by,
                             "same fault as " + lead.id.str() +
                                 (confidence ? " (confidence " + percent(*confidence) + ")" : " (by the desk)")});
}

bool linked_at_intake(const Ticket& member) {
  for (const TicketEvent& e : member.timeline)
    if (e.kind == "fault_linked" && e.actor != kIntakeLinker) return false;
  return !member.fault.empty();
}

void suggest_fault(Ticket& report, const FaultMatch& match, TimePoint now) {
  report.timeline.push_back({now, "fault_suggested", kFaultActor.name,
                             "may be the same fault as " + match.lead.str() + " (confidence " +
                                 percent(match.confidence) + "): for the desk to link"});
}

void unlink_from_fault(Ticket& member, const ActorRef& by, TimePoint now, const std::string& reason) {
  if (member.fault.empty()) throw Error(ErrorCode::kFailedPrecondition, "ticket_id", "the ticket is not linked");
  if (!is_plannable(member.status))
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                "the ticket is " + std::string(to_string(member.status)) + ": its crew has been");
  const TicketId lead = member.fault;
  member.fault = TicketId();
  member.timeline.push_back({now, "fault_unlinked", by.name, "from " + lead.str() + ": " + reason});
  release_to_desk(member, by, now, "planned on its own");
}

bool follow_fault(Ticket& member, const Ticket& lead, TimePoint now) {
  if (member.fault != lead.id || is_terminal(member.status)) return false;
  const std::size_t before = member.timeline.size();
  const std::string why = "same fault as " + lead.id.str();
  if (lead.status == TicketStatus::kCancelled) {
    if (!crew_has_arrived(member.status)) unlink_from_fault(member, kFaultActor, now, lead.id.str() + " was cancelled");
    return member.timeline.size() != before;
  }
  if (!crew_has_arrived(member.status) && lead.owner != member.owner) {
    if (lead.owner.empty()) {
      release_to_desk(member, kFaultActor, now, why);
    } else if (crew_has_arrived(lead.status)) {
      member.timeline.push_back({now, "assigned", kFaultActor.name,
                                 "from " + (member.owner.empty() ? std::string("desk") : member.owner.str()) + " to " +
                                     lead.owner.str() + ": " + why});
      member.owner = lead.owner;
      member.status = TicketStatus::kAssigned;
    } else {
      assign(member, lead.owner, kFaultActor, now, why);
    }
  }
  if (progress(lead.status) > progress(member.status) && (member.owner == lead.owner || lead.owner.empty())) {
    // Every milestone the lead passed since, in order: a lead restored and
    // closed between two looks still gives this customer "restored" (and so
    // the follow-up owed after it), not only "closed".
    constexpr std::array<TicketStatus, 6> kMilestones = {TicketStatus::kAccepted,        TicketStatus::kEnRoute,
                                                         TicketStatus::kOnSite,          TicketStatus::kRestored,
                                                         TicketStatus::kReturnVisitOwed, TicketStatus::kClosed};
    for (const TicketStatus s : kMilestones) {
      if (progress(s) <= progress(member.status) || progress(s) > progress(lead.status)) continue;
      const char* kind = event_for(s);
      const TicketEvent* there = last_event(lead, kind);
      if (s != lead.status && !there) continue;  // a step the lead skipped (e.g. accepted)
      const bool keep_detail = s == TicketStatus::kReturnVisitOwed && there;
      member.timeline.push_back({there ? there->time : now, kind, kFaultActor.name, keep_detail ? there->detail : why});
    }
    member.status = lead.status;
    if (crew_has_arrived(lead.status) && !member.arrival) member.arrival = lead.arrival;
  }
  return member.timeline.size() != before;
}

TimePoint planning_deadline(const Ticket& lead, const std::vector<TimePoint>& member_deadlines) {
  TimePoint d = lead.effective_deadline();
  for (const TimePoint m : member_deadlines) d = std::min(d, m);
  return d;
}

}  // namespace linecrew
