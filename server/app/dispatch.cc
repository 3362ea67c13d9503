#include "linecrew/server/app/dispatch.h"

#include "linecrew/server/app/secrets.h"

#include <algorithm>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/fault.h"
#include "linecrew/server/storage/paging.h"

namespace linecrew::app {

Dispatch::Dispatch(const Clock& clock, const ZoneMap& zones, const ServicePolicy& policy, storage::TicketStore& tickets,
                   storage::CrewStore& crews)
    : clock_(clock), zones_(zones), policy_(policy), store_(tickets), crews_(crews) {}

// With the planner, a new ticket is planned first and then stored with its
// crew in one durable write (the store's group commit): one transaction per
// batch of intakes, not one for the ticket and another for its assignment.
storage::CreateResult Dispatch::create_ticket(const TicketDraft& draft, std::optional<PlanView>* plan) {
  Ticket t = intake(draft, zones_, policy_, clock_.now());
  if (!t.parent.empty() && !store_.get(t.parent))
    throw Error(ErrorCode::kNotFound, "parent_ticket_id", "no ticket '" + t.parent.str() + "'");
  t.tracking_token = new_tracking_token();
  // A replay (or a reused request id) is answered by the store, unplanned and unlinked.
  if (store_.find_by_request_id(t.client_request_id)) return store_.create(std::move(t));
  const std::optional<Ticket> lead = link_at_intake(t);
  if (!planning_ || lead) {
    // A linked ticket is not planned: its lead's crew comes.
    if (planning_) t.id = store_.reserve_ticket_id();
    auto result = store_.create(std::move(t));
    if (result.created && lead && planning_) planning_->fault_linked(*lead, result.ticket);
    if (result.created) signal_.notify();
    return result;
  }
  t.id = store_.reserve_ticket_id();
  const TicketId id = t.id;
  PlanView view;
  auto result = [&] {
    try {
      view = planning_->place_new(t);  // inserted within the request
      return store_.create(std::move(t));
    } catch (...) {
      planning_->ticket_cancelled(id);  // not stored: not planned either
      throw;
    }
  }();
  if (!result.created) planning_->ticket_cancelled(id);  // a concurrent replay stored the ticket first
  if (result.created && plan) *plan = std::move(view);
  signal_.notify();
  return result;
}

std::optional<Ticket> Dispatch::link_at_intake(Ticket& t) {
  const FaultLinkPolicy& fl = policy_.fault_link;
  if (t.kind != TicketKind::kFaultRepair) return std::nullopt;
  std::vector<Ticket> candidates =
      store_.fault_candidates(t.location, fl.distance_m, t.first_contact - fl.window, t.first_contact + fl.window);
  const auto match = best_fault_match(t, candidates, fl);
  if (!match) return std::nullopt;
  const auto lead =
      std::find_if(candidates.begin(), candidates.end(), [&](const Ticket& c) { return c.id == match->lead; });
  if (!match->automatic) {
    suggest_fault(t, *match, clock_.now());
    return std::nullopt;
  }
  link_to_fault(t, *lead, std::string(kIntakeLinker), clock_.now(), match->confidence);
  follow_fault(t, *lead, clock_.now());
  return std::move(*lead);
}

Ticket Dispatch::link_ticket(const TicketId& id, const TicketId& lead_id, const ActorRef& by) {
  if (lead_id.empty()) {
    Ticket member =
        store_.mutate(id, [&](Ticket& x) { unlink_from_fault(x, by, clock_.now(), "unlinked by the desk"); });
    signal_.notify();
    if (planning_) planning_->fault_unlinked(member);
    return member;
  }
  if (lead_id == id) throw_invalid("fault_ticket_id", "must not be the ticket itself");
  if (!store_.get(id)) throw Error(ErrorCode::kNotFound, "ticket_id", "no ticket '" + id.str() + "'");
  const auto lead = store_.get(lead_id);
  if (!lead) throw Error(ErrorCode::kNotFound, "fault_ticket_id", "no ticket '" + lead_id.str() + "'");
  if (const auto callers = store_.count_fault_callers({id}); !callers.empty())
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                id.str() + " stands for a fault with " + std::to_string(callers.begin()->second) +
                    " linked callers: link or unlink them first");
  Ticket member = store_.mutate(id, [&](Ticket& x) {
    link_to_fault(x, *lead, by.name, clock_.now(), std::nullopt);
    follow_fault(x, *lead, clock_.now());
  });
  signal_.notify();
  if (planning_) planning_->fault_linked(*lead, member);
  return member;
}

std::size_t Dispatch::follow_faults(const std::vector<TicketId>& changed) {
  std::size_t n = 0;
  for (const auto& [lead_id, count] : store_.count_fault_callers(changed)) {
    const auto lead = store_.get(lead_id);
    if (!lead) continue;
    storage::TicketFilter members;
    members.fault = lead_id;
    members.statuses.assign(kOpenTicketStatuses.begin(), kOpenTicketStatuses.end());
    std::vector<TicketId> ids;
    storage::for_each_ticket(store_, std::move(members), [&](const Ticket& m) { ids.push_back(m.id); });
    const TimePoint now = clock_.now();
    const auto written = store_.mutate_many(ids, [&](Ticket& m) {
      if (!follow_fault(m, *lead, now)) return;
      owe_follow_ups(m, policy_, now);  // rules §7: restoration owes each caller a call
      ++n;
    });
    for (const auto& m : written)
      if (m && m->fault.empty() && planning_) planning_->fault_unlinked(*m);
  }
  if (n) signal_.notify();
  return n;
}

std::size_t Dispatch::follow_all_faults() {
  storage::TicketFilter linked;
  linked.linked_only = true;
  linked.statuses.assign(kOpenTicketStatuses.begin(), kOpenTicketStatuses.end());
  std::set<TicketId> leads;
  storage::for_each_ticket(store_, std::move(linked), [&](const Ticket& m) { leads.insert(m.fault); });
  return follow_faults({leads.begin(), leads.end()});
}

Ticket Dispatch::get_ticket(const TicketId& id) {
  auto t = store_.get(id);
  if (!t) throw Error(ErrorCode::kNotFound, "ticket_id", "no ticket '" + id.str() + "'");
  return std::move(*t);
}

storage::TicketPage Dispatch::list_tickets(const storage::TicketFilter& filter) {
  return store_.list(filter);
}

Ticket Dispatch::cancel_ticket(const TicketId& id, const std::string& reason, const ActorRef& by) {
  Ticket t = store_.mutate(id, [&](Ticket& x) { cancel(x, by, clock_.now(), reason); });
  signal_.notify();
  if (planning_) planning_->ticket_cancelled(id);
  settle_parent(t);
  return t;
}

void Dispatch::settle_parent(const Ticket& child) {
  if (child.parent.empty() || !is_terminal(child.status)) return;
  try {
    store_.mutate(child.parent, [&](Ticket& parent) { settle_return_visit(parent, child, clock_.now()); });
    signal_.notify();
  } catch (const Error& e) {  // the parent is gone or not owed: nothing to settle
    if (e.code() != ErrorCode::kNotFound) throw;
  }
}

std::pair<Ticket, Crew> Dispatch::pin_ticket(const TicketId& id, const CrewId& crew_id, const ActorRef& by) {
  const Crew crew = get_crew(crew_id);
  const TimePoint now = clock_.now();
  if (!crew.on_shift) throw Error(ErrorCode::kFailedPrecondition, "crew_id", "crew " + crew_id.str() + " is off shift");
  Ticket t = store_.mutate(id, [&](Ticket& ticket) {
    if (!ticket.fault.empty())  // rules §7: a caller is worked at its fault's lead
      throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                  id.str() + " is linked to fault " + ticket.fault.str() + ": pin " + ticket.fault.str() +
                      ", or unlink it first");
    for (const auto& skill : ticket.required_skills)
      if (std::find(crew.skills.begin(), crew.skills.end(), skill) == crew.skills.end())
        throw Error(ErrorCode::kFailedPrecondition, "crew_id",
                    "crew " + crew_id.str() + " lacks the required skill '" + skill + "'");
    pin(ticket, crew_id, by, now);
  });
  signal_.notify();
  if (planning_) planning_->ticket_pinned(t, crew_id);
  return {std::move(t), crew};
}

Ticket Dispatch::unpin_ticket(const TicketId& id, const ActorRef& by) {
  Ticket t = store_.mutate(id, [&](Ticket& x) { unpin(x, by, clock_.now()); });
  signal_.notify();
  if (planning_) planning_->ticket_unpinned(id);
  return t;
}

Crew Dispatch::register_crew(const Crew& crew) {
  for (std::size_t i = 0; i < crew.skills.size(); ++i)
    policy_.require_known_skill(crew.skills[i], "crew.skills[" + std::to_string(i) + "]");
  Crew c = crews_.add_crew(validated(crew, policy_.phone_region));
  signal_.notify();
  if (planning_) planning_->crew_changed(c);
  return c;
}

Crew Dispatch::update_crew(const CrewId& id, const std::function<void(Crew&)>& change) {
  Crew crew = crews_.mutate_crew(id, [&](Crew& c) {
    change(c);
    c = validated(std::move(c), policy_.phone_region);
    for (std::size_t i = 0; i < c.skills.size(); ++i)
      policy_.require_known_skill(c.skills[i], "crew.skills[" + std::to_string(i) + "]");
  });
  signal_.notify();
  if (planning_) planning_->crew_changed(crew);
  return crew;
}

std::pair<Crew, std::vector<TicketId>> Dispatch::set_crew_shift(const CrewId& id, bool on_shift, const ActorRef& by) {
  const Crew crew = crews_.mutate_crew(id, [&](Crew& c) { c.on_shift = on_shift; });
  std::vector<TicketId> released;
  if (on_shift) {
    signal_.notify();
    if (planning_) planning_->crew_changed(crew);
    return {crew, released};
  }
  storage::TicketFilter travelling;
  travelling.owner = id;
  travelling.statuses.assign(kTravellingTicketStatuses.begin(), kTravellingTicketStatuses.end());
  storage::for_each_ticket(store_, std::move(travelling), [&](const Ticket& t) {
    if (!t.pinned.empty()) return;  // a pin is the dispatcher's decision: it stays
    store_.mutate(t.id, [&](Ticket& x) { release_to_desk(x, by, clock_.now(), "crew " + id.str() + " off shift"); });
    released.push_back(t.id);
  });
  signal_.notify();
  if (planning_) planning_->crew_changed(crew);
  return {crew, released};
}

std::vector<Crew> Dispatch::list_crews(const storage::CrewFilter& filter) {
  return crews_.list_crews(filter);
}

Crew Dispatch::get_crew(const CrewId& id) {
  auto c = crews_.get_crew(id);
  if (!c) throw Error(ErrorCode::kNotFound, "crew_id", "no crew '" + id.str() + "'");
  return std::move(*c);
}

Report Dispatch::report(TimePoint from, TimePoint to) {
  if (to <= from) throw_invalid("to", "must be after from");
  if (to - from > hours(24 * 366)) throw_invalid("to", "a report covers at most 366 days");
  storage::TicketFilter range;
  range.first_contact_from = from;
  range.first_contact_to = to;
  storage::TicketFilter open;
  open.statuses.assign(kOpenTicketStatuses.begin(), kOpenTicketStatuses.end());
  return build_report(storage::all_tickets(store_, std::move(range)), storage::all_tickets(store_, std::move(open)),
                      from, to, clock_.now(), policy_);
}

storage::EscalationPage Dispatch::list_escalations(const storage::EscalationFilter& filter) {
  return store_.list_escalations(filter);
}

namespace {
// Runs `change` on the ticket of the record `id` (field `field`); an unknown
// ticket is an unknown record. Returns the ticket as written.
Ticket change_record(storage::TicketStore& store, const RecordRef& ref, const std::string& id, const std::string& field,
                     const std::function<void(Ticket&, std::uint32_t)>& change) {
  try {
    return store.mutate(ref.ticket, [&](Ticket& x) { change(x, ref.n); });
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kNotFound) {
      std::string noun = field.substr(0, field.rfind("_id"));  // "follow_up_id" -> "follow-up"
      std::replace(noun.begin(), noun.end(), '_', '-');
      throw Error(ErrorCode::kNotFound, field, "no " + noun + " '" + id + "'");
    }
    throw;
  }
}

storage::EscalationEntry change_escalation(storage::TicketStore& store, const std::string& escalation_id,
                                           const std::function<void(Ticket&, std::uint32_t)>& change) {
  const EscalationRef ref = parse_escalation_id(escalation_id, "escalation_id");
  const Ticket t = change_record(store, ref, escalation_id, "escalation_id", change);
  return {t.id, t.escalations.at(ref.n - 1)};
}
}  // namespace

storage::EscalationEntry Dispatch::acknowledge_escalation(const std::string& escalation_id, const std::string& by) {
  auto out = change_escalation(store_, escalation_id, [&](Ticket& t, std::uint32_t n) {
    linecrew::acknowledge_escalation(t, n, by, clock_.now());
  });
  signal_.notify();
  return out;
}

storage::EscalationEntry Dispatch::resolve_escalation(const std::string& escalation_id, const std::string& by,
                                                      const std::string& note) {
  auto out = change_escalation(store_, escalation_id, [&](Ticket& t, std::uint32_t n) {
    linecrew::resolve_escalation(t, n, by, note, clock_.now());
  });
  signal_.notify();
  return out;
}

storage::FollowUpPage Dispatch::list_follow_ups(const storage::FollowUpFilter& filter) {
  return store_.list_follow_ups(filter);
}

storage::FollowUpEntry Dispatch::add_promise(const TicketId& id, const std::string& promise,
                                             std::optional<TimePoint> due, const std::string& by) {
  std::uint32_t n = 0;
  const Ticket t =
      store_.mutate(id, [&](Ticket& x) { n = linecrew::add_promise(x, promise, due, by, policy_, clock_.now()); });
  signal_.notify();
  return {t.id, t.follow_ups.at(n - 1)};
}

std::pair<storage::FollowUpEntry, std::optional<FollowUp>> Dispatch::record_follow_up(const std::string& follow_up_id,
                                                                                      const FollowUpResult& result,
                                                                                      const std::string& by) {
  const RecordRef ref = parse_follow_up_id(follow_up_id, "follow_up_id");
  std::optional<std::uint32_t> opened;
  const Ticket t = change_record(store_, ref, follow_up_id, "follow_up_id", [&](Ticket& x, std::uint32_t n) {
    opened = linecrew::record_follow_up(x, n, result, by, policy_, clock_.now());
  });
  signal_.notify();
  std::optional<FollowUp> linked;
  if (opened) linked = t.follow_ups.at(*opened - 1);
  return {{t.id, t.follow_ups.at(ref.n - 1)}, linked};
}

std::size_t Dispatch::sweep_follow_ups() {
  const TimePoint now = clock_.now();
  const auto overdue = store_.tickets_with_overdue_follow_ups(now);
  if (overdue.empty()) return 0;
  std::size_t n = 0;
  store_.mutate_many(overdue, [&](Ticket& x) { n += apologise_if_overdue(x, policy_, now); });
  signal_.notify();
  return n;
}

std::pair<FollowUpScriptInput, TimePoint> Dispatch::follow_up_script_input(const std::string& follow_up_id,
                                                                           const std::string& team,
                                                                           const std::string& staff_number) {
  const RecordRef ref = parse_follow_up_id(follow_up_id, "follow_up_id");
  const auto t = store_.get(ref.ticket);
  if (!t || ref.n > t->follow_ups.size())
    throw Error(ErrorCode::kNotFound, "follow_up_id", "no follow-up '" + follow_up_id + "'");
  return {linecrew::follow_up_script_input(*t, t->follow_ups[ref.n - 1], policy_, team, staff_number),
          next_follow_up_call(policy_, clock_.now())};
}

std::vector<Ticket> Dispatch::confirmations_due() {
  const TimePoint now = clock_.now();
  std::vector<Ticket> out;
  storage::TicketFilter open;
  open.statuses.assign(kPlannableTicketStatuses.begin(), kPlannableTicketStatuses.end());
  storage::for_each_ticket(store_, std::move(open), [&](const Ticket& t) {
    const auto window = confirmation_window(t);
    if (window && window->opens <= now && now < window->appointment && !confirmed(t)) out.push_back(t);
  });
  std::stable_sort(out.begin(), out.end(),
                   [](const Ticket& a, const Ticket& b) { return *a.appointment < *b.appointment; });
  return out;
}

Ticket Dispatch::record_confirmation(const TicketId& id, ConfirmationOutcome outcome, std::optional<TimePoint> new_time,
                                     const std::string& by) {
  Ticket t = store_.mutate(
      id, [&](Ticket& x) { linecrew::record_confirmation(x, outcome, new_time, by, policy_, clock_.now()); });
  signal_.notify();
  // Rules §2: a new time agreed moves the deadline the plan works to.
  if (planning_ && new_time) planning_->crew_synced({{SyncedChange::Kind::kDeadlineChanged, CrewId(), {0, 0}, &t}});
  return t;
}

storage::ComplaintPage Dispatch::list_complaints(const storage::ComplaintFilter& filter) {
  return store_.list_complaints(filter);
}

storage::ComplaintEntry Dispatch::record_complaint(const TicketId& id, const ComplaintDraft& draft,
                                                   const std::string& by) {
  std::uint32_t n = 0;
  const Ticket t = store_.mutate(
      id, [&](Ticket& x) { n = linecrew::record_complaint(x, draft, by, policy_.phone_region, clock_.now()); });
  signal_.notify();
  return {t.id, t.complaints.at(n - 1)};
}

storage::ComplaintEntry Dispatch::close_complaint(const std::string& complaint_id, const std::string& outcome,
                                                  CustomerAnswer answer, const std::string& by) {
  const RecordRef ref = parse_complaint_id(complaint_id, "complaint_id");
  const Ticket t = change_record(store_, ref, complaint_id, "complaint_id", [&](Ticket& x, std::uint32_t n) {
    linecrew::close_complaint(x, n, outcome, answer, by, clock_.now());
  });
  signal_.notify();
  return {t.id, t.complaints.at(ref.n - 1)};
}

std::size_t Dispatch::sweep_stalled() {
  const TimePoint now = clock_.now();
  std::vector<TicketId> stalled;
  storage::TicketFilter open;
  open.statuses.assign(kOpenTicketStatuses.begin(), kOpenTicketStatuses.end());
  storage::for_each_ticket(store_, std::move(open), [&](const Ticket& t) {
    if (now - last_progress(t) <= policy_.stalled_after) return;
    Ticket copy = t;  // decide on the read copy; write only the ones that open an escalation
    if (escalate_if_stalled(copy, policy_, now)) stalled.push_back(t.id);
  });
  if (stalled.empty()) return 0;
  std::size_t opened = 0;
  for (const auto& t : store_.mutate_many(stalled, [&](Ticket& x) { escalate_if_stalled(x, policy_, now); }))
    if (t && !t->escalations.empty() && t->escalations.back().kind == EscalationKind::kStalled &&
        t->escalations.back().opened == now)
      ++opened;
  signal_.notify();
  return opened;
}

std::string new_tracking_token() {
  return random_base64url(16);
}

}  // namespace linecrew::app
