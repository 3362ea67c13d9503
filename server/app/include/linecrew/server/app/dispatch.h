// The dispatcher's use cases, free of gRPC: intake, lookup, listing. RPC
// handlers translate to and from these; tests drive them directly.
#pragma once

#include <map>
#include <memory>

#include "linecrew/core/clock.h"
#include "linecrew/core/confirmation.h"
#include "linecrew/core/crew.h"
#include "linecrew/core/follow_up_script.h"
#include "linecrew/core/ownership.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/report.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/zones.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/app/signal.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/ticket_store.h"

namespace linecrew::app {

class Dispatch {
 public:
  Dispatch(const Clock& clock, const ZoneMap& zones, const ServicePolicy& policy, storage::TicketStore& tickets,
           storage::CrewStore& crews);

  // Validates, classifies, stores durably; idempotent on client_request_id.
  // `plan` (optional): the plan's view of a new ticket as it was planned
  // (saves asking the planner again for the answer); unset for a replay.
  storage::CreateResult create_ticket(const TicketDraft& draft, std::optional<PlanView>* plan = nullptr);
  // Throws Error(kNotFound, "ticket_id").
  Ticket get_ticket(const TicketId& id);
  storage::TicketPage list_tickets(const storage::TicketFilter& filter);

  Ticket cancel_ticket(const TicketId& id, const std::string& reason, const ActorRef& by);
  // Pins to a registered crew that can take it (on shift, has the skills).
  std::pair<Ticket, Crew> pin_ticket(const TicketId& id, const CrewId& crew, const ActorRef& by);
  Ticket unpin_ticket(const TicketId& id, const ActorRef& by);
  // Rules §4: once a return visit (a ticket with a parent) is closed or
  // cancelled, its parent still owing the visit is closed too.
  void settle_parent(const Ticket& child);

  Crew register_crew(const Crew& crew);
  // Applies `change` to the stored crew and validates the result.
  Crew update_crew(const CrewId& id, const std::function<void(Crew&)>& change);
  // Going off shift hands the crew's not-yet-arrived tickets back to the desk
  // (except pinned ones, which stay); returns them.
  std::pair<Crew, std::vector<TicketId>> set_crew_shift(const CrewId& id, bool on_shift, const ActorRef& by);
  std::vector<Crew> list_crews(const storage::CrewFilter& filter);
  Crew get_crew(const CrewId& id);

  // The desk's escalations (rules §7). `by` is who answers: the dispatcher's
  // token label and id. Ids are "<ticket id>/<n>": a malformed one is
  // Error(kInvalidArgument, "escalation_id"), an unknown one kNotFound.
  storage::EscalationPage list_escalations(const storage::EscalationFilter& filter);
  storage::EscalationEntry acknowledge_escalation(const std::string& escalation_id, const std::string& by);
  storage::EscalationEntry resolve_escalation(const std::string& escalation_id, const std::string& by,
                                              const std::string& note);
  // Opens a "stalled" escalation on every open ticket without progress for
  // the policy's stalled time (once per stall); returns how many it opened.
  std::size_t sweep_stalled();

  // Follow-ups (rules §7). Ids are "<ticket id>/F<n>" (malformed:
  // Error(kInvalidArgument, "follow_up_id"), unknown: kNotFound).
  storage::FollowUpPage list_follow_ups(const storage::FollowUpFilter& filter);
  // The desk records a promise to the customer of ticket `id`: a follow-up owed by `due` (unset: the policy's time).
  storage::FollowUpEntry add_promise(const TicketId& id, const std::string& promise, std::optional<TimePoint> due,
                                     const std::string& by);
  // Records a follow-up call; the follow-up as recorded and, for a new
  // request, the linked follow-up it opened.
  std::pair<storage::FollowUpEntry, std::optional<FollowUp>> record_follow_up(const std::string& follow_up_id,
                                                                              const FollowUpResult& result,
                                                                              const std::string& by);
  // Every follow-up owed past its reply time: an escalation, an apology to
  // the customer, a new reply time (core apologise_if_overdue). Returns how many.
  std::size_t sweep_follow_ups();
  // What the call script of follow-up `follow_up_id` is filled from, with
  // the earliest time it may be called (contact hours, rules §4).
  std::pair<FollowUpScriptInput, TimePoint> follow_up_script_input(const std::string& follow_up_id,
                                                                   const std::string& team,
                                                                   const std::string& staff_number);

  // Confirmation calls (rules §4): the scheduled visits whose call window
  // has opened (2-3 h before the agreed arrival) and that are not confirmed
  // yet, by agreed arrival.
  std::vector<Ticket> confirmations_due();
  // Records a confirmation call on ticket `id`; a new time agreed moves the
  // deadline in force (and the plan). Throws as core record_confirmation.
  Ticket record_confirmation(const TicketId& id, ConfirmationOutcome outcome, std::optional<TimePoint> new_time,
                             const std::string& by);

  // One fault, many callers (rules §7). Intake links a new fault report to
  // an open one nearby (core fault.h) at or above the policy's confidence;
  // the desk links (`lead` set) or unlinks (`lead` empty) by hand. Throws as
  // core link_to_fault / unlink_from_fault, and Error(kNotFound) for an
  // unknown ticket_id or fault_ticket_id.
  Ticket link_ticket(const TicketId& id, const TicketId& lead, const ActorRef& by);
  // Brings the tickets linked to any of `changed` in line with their lead
  // (core follow_fault; follow-ups owed as after a crew's upload); a lead's
  // cancellation unlinks them and they are planned on their own. Returns how
  // many tickets it changed.
  std::size_t follow_faults(const std::vector<TicketId>& changed);
  // follow_faults over every open linked ticket (at start).
  std::size_t follow_all_faults();
  // How many open tickets are linked to each of `leads`.
  std::map<TicketId, std::uint32_t> fault_callers(const std::vector<TicketId>& leads) {
    return store_.count_fault_callers(leads);
  }

  // Complaints (rules §7). Ids are "<ticket id>/C<n>".
  storage::ComplaintPage list_complaints(const storage::ComplaintFilter& filter);
  storage::ComplaintEntry record_complaint(const TicketId& id, const ComplaintDraft& draft, const std::string& by);
  storage::ComplaintEntry close_complaint(const std::string& complaint_id, const std::string& outcome,
                                          CustomerAnswer answer, const std::string& by);

  // Rules §6 over tickets first reported in [from, to). Throws
  // Error(kInvalidArgument) unless from < to and the range is at most 366 days.
  Report report(TimePoint from, TimePoint to);

  const Clock& clock() const { return clock_; }
  // The planner, when the server runs one; null in tests of the desk alone.
  void set_planning(Planning* planning) { planning_ = planning; }
  Planning* planning() const { return planning_; }
  std::optional<PlanView> plan_view(const TicketId& id) { return planning_ ? planning_->view(id) : std::nullopt; }
  // At risk or predicted to miss its deadline in the plan (false without a planner).
  bool at_risk(const TicketId& id) {
    const auto v = plan_view(id);
    return v && v->risk != Risk::kNone;
  }
  // Notified after every committed change to a ticket or crew.
  ChangeSignal& changes() { return signal_; }
  const ServicePolicy& policy() const { return policy_; }

 private:
  const Clock& clock_;
  const ZoneMap& zones_;
  const ServicePolicy& policy_;
  storage::TicketStore& store_;
  storage::CrewStore& crews_;
  ChangeSignal signal_;
  Planning* planning_ = nullptr;
  // The open ticket `t` (not yet stored) is the same fault as, if any: linked
  // automatically (and brought in line with it), or only suggested.
  std::optional<Ticket> link_at_intake(Ticket& t);
};

// 128 random bits from the OS, base64url without padding (22 characters).
std::string new_tracking_token();

}  // namespace linecrew::app
