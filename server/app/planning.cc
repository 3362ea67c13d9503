#include "linecrew/server/app/planning.h"

#include <algorithm>
#include <iostream>

#include "linecrew/core/error.h"
#include "linecrew/core/ownership.h"
#include "linecrew/server/storage/paging.h"

namespace linecrew::app {

namespace {

const ActorRef kPlanner{Actor::kSystem, "system:planner"};

planner::PlannerOptions options(const ServicePolicy& policy) {
  planner::PlannerOptions o;
  o.skills = policy.skills;
  return o;
}

bool plannable(const Ticket& t) {
  return is_plannable(t.status);
}

}  // namespace

Planning::Planning(const Clock& clock, const ServicePolicy& policy, const TravelModel& travel,
                   storage::TicketStore& tickets, storage::CrewStore& crews, ChangeSignal& signal,
                   std::chrono::milliseconds replan_budget)
    : clock_(clock),
      policy_(policy),
      tickets_(tickets),
      crews_(crews),
      signal_(signal),
      budget_(replan_budget),
      planner_(travel, options(policy)) {}

Planning::~Planning() {
  stop_ = true;
  dirty_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

TimePoint Planning::deadline_of(const Ticket& t) const {
  const auto it = fault_deadline_.find(t.id);
  return it == fault_deadline_.end() ? t.effective_deadline() : std::min(t.effective_deadline(), it->second);
}

const TicketId& Planning::planned_as(const TicketId& id) const {
  const auto it = lead_of_.find(id);
  return it == lead_of_.end() ? id : it->second;
}

planner::TicketSpec Planning::ticket_spec(const Ticket& t) const {
  planner::TicketSpec s;
  s.id = t.id;
  s.location = t.location;
  s.earliest_start = t.earliest_start;
  s.deadline = deadline_of(t);
  s.service = t.service_duration;
  s.priority = t.priority;
  s.required_skills = t.required_skills;
  return s;
}

planner::CrewSpec Planning::crew_spec(const Crew& c) const {
  planner::CrewSpec s;
  s.id = c.id;
  s.position = c.position.value_or(c.home);
  s.available_at = std::max(clock_.now(), c.shift_start);
  s.shift_start = c.shift_start;
  s.shift_end = c.shift_end;
  s.skills = c.skills;
  if (c.capacity > 0) s.capacity = c.capacity;
  s.on_shift = c.on_shift;
  return s;
}

void Planning::start() {
  std::unique_lock lock(mu_);
  storage::for_each_crew(crews_, {}, [&](const Crew& c) { planner_.upsert_crew(crew_spec(c)); });
  storage::TicketFilter f;
  f.statuses.assign(kPlannableTicketStatuses.begin(), kPlannableTicketStatuses.end());
  std::vector<Ticket> leads;  // planned once every linked caller's deadline is known
  storage::for_each_ticket(tickets_, std::move(f), [&](Ticket& t) {
    if (t.fault.empty()) {
      leads.push_back(std::move(t));
      return;
    }
    lead_of_[t.id] = t.fault;
    const auto [it, fresh] = fault_deadline_.try_emplace(t.fault, t.effective_deadline());
    if (!fresh) it->second = std::min(it->second, t.effective_deadline());
  });
  for (const Ticket& t : leads) {
    planner_.insert(ticket_spec(t));
    known_[t.id] = {t.owner, deadline_of(t)};
    if (!t.pinned.empty()) planner_.pin(t.id, t.pinned);
  }
  const auto st = planner_.replan(budget_);
  stats_.last_replan_ms = st.elapsed_ms;
  ++stats_.replans;
  const Moves moves = moves_locked();
  lock.unlock();
  write_moves(moves);
  thread_ = std::thread([this] { run(); });
}

Planning::Moves Planning::moves_locked() {
  Moves moves;
  for (const auto& [id, known] : known_) {
    const auto a = planner_.assignment(id);
    const CrewId crew = a ? a->crew : CrewId();
    if (crew != known.owner) moves.emplace_back(id, crew);
  }
  const auto summary = planner_.summary();
  stats_.unassigned = summary.unassigned;
  stats_.predicted_late = summary.late;
  return moves;
}

void Planning::write_moves(const Moves& moves) {
  if (moves.empty()) return;
  // One transaction for the whole batch, outside the planner's lock: intake
  // and re-planning go on while it commits. A move the planner has changed
  // its mind about meanwhile is corrected by the next one.
  std::vector<TicketId> ids;
  std::map<TicketId, CrewId> want;
  for (const auto& [id, crew] : moves) {
    ids.push_back(id);
    want[id] = crew;
  }
  const auto written = tickets_.mutate_many(ids, [&](Ticket& x) {
    if (!x.pinned.empty() || !plannable(x)) return;  // pins and arrived crews are not the planner's to move
    const CrewId& crew = want.at(x.id);
    if (crew.empty())
      release_to_desk(x, kPlanner, clock_.now(), "no crew can take it now");
    else
      assign(x, crew, kPlanner, clock_.now(), "planned");
  });
  {
    const auto lock = lock_first();
    for (std::size_t k = 0; k < ids.size(); ++k)
      if (const auto it = known_.find(ids[k]); written[k] && it != known_.end()) it->second.owner = written[k]->owner;
  }
  signal_.notify();
}

// Concurrent intakes are planned in batches, like the store's group commit:
// one caller takes every ticket queued so far and inserts them all under one
// hold of the planner; each caller returns once its own ticket is planned.
PlanView Planning::place_new(Ticket& t) {
  PendingInsert placed;
  std::exception_ptr error;
  try {
    placed = intake_.submit({&t, CrewId(), PlanView()}, [this](auto& batch) { place_batch(batch); });
  } catch (...) {
    error = std::current_exception();
  }
  mark_dirty();
  if (error) std::rethrow_exception(error);
  if (!placed.crew.empty()) assign(t, placed.crew, kPlanner, clock_.now(), "planned");
  return std::move(placed.view);
}

void Planning::place_batch(BatchQueue<PendingInsert>::Batch& batch) {
  // Each ticket fails alone (its request gets the error); a failed ticket
  // leaves nothing in the plan, since it will not be stored.
  auto lock = lock_first();
  for (const auto& p : batch) {
    try {
      planner_.insert(ticket_spec(*p->item.ticket));
    } catch (...) {
      p->error = std::current_exception();
    }
  }
  // Inserting places only the new ticket: the others keep their crews.
  for (const auto& p : batch) {
    if (p->error) continue;
    try {
      const auto a = planner_.assignment(p->item.ticket->id);
      p->item.crew = a ? a->crew : CrewId();
      const Known k{p->item.crew, deadline_of(*p->item.ticket)};  // as it will be stored
      p->item.view = view_locked(p->item.ticket->id, k);
      known_[p->item.ticket->id] = k;
    } catch (...) {
      p->error = std::current_exception();
      try {
        planner_.cancel(p->item.ticket->id);
      } catch (...) {  // not in the plan: nothing to take out
      }
    }
  }
}

void Planning::ticket_cancelled(const TicketId& id) {
  const auto lock = lock_first();
  lead_of_.erase(id);
  if (!known_.erase(id)) return;
  planner_.cancel(id);
  mark_dirty();
}

void Planning::ticket_pinned(const Ticket& t, const CrewId& crew) {
  const auto lock = lock_first();
  if (!known_.count(t.id)) planner_.insert(ticket_spec(t));
  known_[t.id] = {t.owner, deadline_of(t)};
  planner_.pin(t.id, crew);
  mark_dirty();
}

void Planning::ticket_unpinned(const TicketId& id) {
  const auto lock = lock_first();
  if (!known_.count(id)) return;
  planner_.unpin(id);
  mark_dirty();
}

void Planning::crew_changed(const Crew& c) {
  Moves moves;
  {
    const auto lock = lock_first();
    planner_.upsert_crew(crew_spec(c));
    moves = moves_locked();
  }
  write_moves(moves);
  mark_dirty();
}

void Planning::crew_synced(const std::vector<SyncedChange>& changes) {
  const auto lock = lock_first();
  bool dirty = false;
  struct Where {
    GeoPoint position;
    TimePoint free_at;
  };
  std::map<CrewId, Where> moved;  // each crew as it is after the last change
  for (const SyncedChange& c : changes) {
    switch (c.kind) {
      case SyncedChange::Kind::kTicketReached: {
        const Ticket& t = *c.ticket;
        if (known_.erase(t.id)) planner_.cancel(t.id);
        if (!t.owner.empty() && planner_.crew_count() > 0) {
          const TimePoint free_at = std::max(clock_.now(), t.arrival.value_or(clock_.now()) + t.service_duration);
          busy_until_[t.owner] = free_at;
          moved.insert_or_assign(t.owner, Where{t.location, free_at});
        }
        dirty = true;
        break;
      }
      case SyncedChange::Kind::kDeadlineChanged: {
        const Ticket& t = *c.ticket;
        const auto it = known_.find(t.id);
        if (it == known_.end() || it->second.deadline == deadline_of(t)) break;
        planner_.insert(ticket_spec(t));  // replaces the ticket's spec
        if (!t.pinned.empty()) planner_.pin(t.id, t.pinned);
        it->second.deadline = deadline_of(t);
        dirty = true;
        break;
      }
      case SyncedChange::Kind::kCrewMoved: {
        TimePoint free_at = clock_.now();
        if (const auto it = busy_until_.find(c.crew); it != busy_until_.end()) {
          if (it->second > free_at)
            free_at = it->second;
          else
            busy_until_.erase(it);
        }
        moved.insert_or_assign(c.crew, Where{c.position, free_at});
        break;
      }
    }
  }
  for (const auto& [crew, w] : moved) {
    try {
      planner_.update_crew_position(crew, w.position, w.free_at);
      dirty = true;
    } catch (const Error&) {  // a crew the planner does not know (off the plan): nothing to update
    }
  }
  if (dirty) mark_dirty();
}

void Planning::fault_linked(const Ticket& lead, const Ticket& member) {
  const auto lock = lock_first();
  if (known_.erase(member.id)) planner_.cancel(member.id);
  lead_of_[member.id] = lead.id;
  const TimePoint before = deadline_of(lead);
  const auto [d, fresh] = fault_deadline_.try_emplace(lead.id, member.effective_deadline());
  if (!fresh) d->second = std::min(d->second, member.effective_deadline());
  const auto it = known_.find(lead.id);
  if (it != known_.end() && deadline_of(lead) < before) {
    planner_.insert(ticket_spec(lead));  // replaces the lead's spec: the earlier deadline
    if (!lead.pinned.empty()) planner_.pin(lead.id, lead.pinned);
    it->second.deadline = deadline_of(lead);
  }
  mark_dirty();
}

void Planning::fault_unlinked(const Ticket& member) {
  const auto lock = lock_first();
  lead_of_.erase(member.id);
  if (!is_plannable(member.status) || known_.count(member.id)) return;
  planner_.insert(ticket_spec(member));
  known_[member.id] = {member.owner, deadline_of(member)};
  mark_dirty();
}

std::vector<planner::Stop> Planning::crew_route(const CrewId& crew) {
  const auto lock = lock_first();
  try {
    return planner_.crew_plan(crew).stops;
  } catch (const Error&) {  // a crew the planner does not know
    return {};
  }
}

std::optional<PlannedStop> Planning::planned(const TicketId& ticket) {
  const auto lock = lock_first();
  const TicketId& id = planned_as(ticket);
  if (!known_.count(id)) return std::nullopt;
  const auto a = planner_.assignment(id);
  if (!a) return std::nullopt;
  return PlannedStop{a->crew, a->stop.eta};
}

std::vector<std::optional<PlannedStop>> Planning::planned(const std::vector<TicketId>& ids) {
  const auto lock = lock_first();
  std::vector<std::optional<PlannedStop>> out;
  out.reserve(ids.size());
  for (const TicketId& ticket : ids) {
    const TicketId& id = planned_as(ticket);
    const auto a = known_.count(id) ? planner_.assignment(id) : std::nullopt;
    out.push_back(a ? std::optional<PlannedStop>(PlannedStop{a->crew, a->stop.eta}) : std::nullopt);
  }
  return out;
}

std::optional<PlanView> Planning::view(const TicketId& ticket) {
  const auto lock = lock_first();
  const TicketId& id = planned_as(ticket);
  const auto it = known_.find(id);
  if (it == known_.end()) return std::nullopt;
  return view_locked(id, it->second);
}

PlanView Planning::view_locked(const TicketId& id, const Known& known) {
  PlanView v;
  if (const auto a = planner_.assignment(id)) {
    v.crew = a->crew;
    v.eta = a->stop.eta;
    if (a->stop.late > Duration{0})
      v.risk = Risk::kPredictedMiss;
    else if (known.deadline - a->stop.eta < policy_.delay_call_lead)
      v.risk = Risk::kAtRisk;  // less slack than the delay-call lead time
  } else {
    v.risk = Risk::kPredictedMiss;
  }
  if (const auto issue = planner_.explain(id)) v.reason = issue->reason;
  return v;
}

PlanningStats Planning::stats() {
  const auto lock = lock_first();
  PlanningStats s = stats_;
  s.planned = known_.size();
  return s;
}

std::unique_lock<std::mutex> Planning::lock_first() {
  ++waiting_;
  std::unique_lock lock(mu_);
  --waiting_;
  return lock;
}

void Planning::mark_dirty() {
  {
    std::lock_guard lock(dirty_mu_);
    if (!dirty_) dirty_since_ = std::chrono::steady_clock::now();
    dirty_ = true;
    last_event_ = std::chrono::steady_clock::now();
  }
  dirty_cv_.notify_one();
}

void Planning::run() {
  while (!stop_) {
    {
      std::unique_lock lock(dirty_mu_);
      dirty_cv_.wait_for(lock, std::chrono::seconds(30), [&] { return dirty_ || stop_.load(); });
      if (stop_) return;
      // While tickets pour in, each is already placed by its own insertion;
      // the full re-plan waits for a quiet moment (kQuiet without events), but
      // never longer than kMaxDelay after the first change.
      constexpr auto kQuiet = std::chrono::milliseconds(200);
      constexpr auto kMaxDelay = std::chrono::seconds(5);
      while (!stop_ && std::chrono::steady_clock::now() - last_event_ < kQuiet &&
             std::chrono::steady_clock::now() - dirty_since_ < kMaxDelay)
        dirty_cv_.wait_for(lock, kQuiet);
      if (stop_) return;
      dirty_ = false;
    }
    // The budget is spent in short slices, releasing the planner between
    // them, so intake (which inserts under the same lock) waits at most one
    // slice. Each slice continues the local search from the current plan.
    constexpr std::chrono::milliseconds kSlice{3};
    const auto start = std::chrono::steady_clock::now();
    try {
      while (!stop_ && std::chrono::steady_clock::now() - start < budget_) {
        // Requests go first: the re-planner sleeps while one waits for the
        // planner (a yield loop here burned a core under intake), but at most
        // kStepAside per slice, so a steady stream of requests cannot starve it.
        constexpr std::chrono::milliseconds kStepAside{20};
        const auto aside = std::chrono::steady_clock::now();
        while (waiting_ > 0 && std::chrono::steady_clock::now() - aside < kStepAside)
          std::this_thread::sleep_for(std::chrono::microseconds(500));
        std::lock_guard lock(mu_);
        planner_.replan(kSlice);
      }
      Moves moves;
      {
        std::lock_guard lock(mu_);
        moves = moves_locked();  // once per re-plan: intermediate plans are not worth writing
        stats_.last_replan_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        ++stats_.replans;
      }
      write_moves(moves);
    } catch (const std::exception& e) {
      std::cerr << "linecrew-server: re-plan failed: " << e.what() << "\n";
    }
  }
}

}  // namespace linecrew::app
