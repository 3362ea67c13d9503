// The planner inside the server: every new ticket is inserted within its
// request (the fast path), a background thread re-plans within its budget
// when something changed, and the plan's crew choices become ticket
// ownership in the store (System actor, with history). At start the plan is
// rebuilt from the store (crews, open tickets, pins) and re-planned once:
// pins and crews already on site never move; other tickets may move to a
// better crew, with history.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "linecrew/core/batch_queue.h"
#include "linecrew/core/clock.h"
#include "linecrew/core/crew.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/travel.h"
#include "linecrew/planner/planner.h"
#include "linecrew/server/app/signal.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/ticket_store.h"

namespace linecrew::app {

enum class Risk : std::uint8_t { kNone, kAtRisk, kPredictedMiss };

// What the plan says about one ticket, for the board and GetTicket.
struct PlanView {
  std::optional<CrewId> crew;
  std::optional<TimePoint> eta;
  Risk risk = Risk::kNone;
  std::string reason;  // why at risk or unassigned
};

// One planner-relevant result of a handheld upload (see Planning::crew_synced).
struct SyncedChange {
  enum class Kind : std::uint8_t { kTicketReached, kDeadlineChanged, kCrewMoved };
  Kind kind = Kind::kTicketReached;
  CrewId crew;                     // kCrewMoved
  GeoPoint position{0, 0};         // kCrewMoved
  const Ticket* ticket = nullptr;  // the ticket after the change (reached / deadline changed)
};

// Where the plan has a ticket: its crew and ETA (cheap; no explanation).
struct PlannedStop {
  CrewId crew;
  TimePoint eta;
};

struct PlanningStats {
  double last_replan_ms = 0;
  long replans = 0;
  std::size_t unassigned = 0;
  std::size_t predicted_late = 0;
  std::size_t planned = 0;  // open tickets in the plan (not yet reached), now
};

class Planning {
 public:
  Planning(const Clock& clock, const ServicePolicy& policy, const TravelModel& travel, storage::TicketStore& tickets,
           storage::CrewStore& crews, ChangeSignal& signal, std::chrono::milliseconds replan_budget);
  ~Planning();

  // Loads the store into the planner, re-plans once, and starts the
  // background re-planner.
  void start();

  // A new ticket, before the store has it (its id from reserve_ticket_id):
  // inserted into the plan, batched with concurrent intakes under one hold
  // of the planner, and assigned to the plan's crew (System actor, with
  // history) when it has one. The caller stores `t` as it is then, in the
  // same write as the ticket itself, or calls ticket_cancelled() if it could
  // not. A re-plan that moves the ticket before it is stored is written by
  // the next re-plan.
  // Returns the plan's view of it, as view() would right after.
  PlanView place_new(Ticket& t);
  // Each returns after the planner and the store agree on ownership.
  void ticket_cancelled(const TicketId& id);
  void ticket_pinned(const Ticket& t, const CrewId& crew);
  void ticket_unpinned(const TicketId& id);
  void crew_changed(const Crew& c);
  // What one handheld upload changed, in commit order, under one hold of the
  // planner: a reached ticket leaves the plan and its crew is busy there until
  // arrival + service; a moved effective deadline (a consented delay call) is
  // re-planned against; a position fix moves the crew. Each crew's position and
  // free time are given to the planner once, as they are after the last event.
  void crew_synced(const std::vector<SyncedChange>& changes);
  // One fault, many callers (rules §7): `member` is linked to `lead`. The
  // member leaves the plan (its crew is the lead's: planned() and view()
  // answer for it with the lead's stop) and the lead is planned against the
  // earliest of its callers' deadlines.
  void fault_linked(const Ticket& lead, const Ticket& member);
  // `member` was unlinked from its fault: planned on its own again.
  void fault_unlinked(const Ticket& member);
  // The crew's planned stops in visiting order (empty for an unknown crew).
  std::vector<planner::Stop> crew_route(const CrewId& crew);

  std::optional<PlanView> view(const TicketId& id);
  // The crew and ETA the plan has for the ticket; nullopt when it is not planned
  // (or reached). Cheaper than view(): for the notifier's ETA sweep.
  std::optional<PlannedStop> planned(const TicketId& id);
  // planned() for many tickets under one hold of the planner.
  std::vector<std::optional<PlannedStop>> planned(const std::vector<TicketId>& ids);
  PlanningStats stats();

 private:
  planner::TicketSpec ticket_spec(const Ticket& t) const;
  planner::CrewSpec crew_spec(const Crew& c) const;
  // The plan's crew choices that differ from the stored owners (and the
  // plan's summary into stats_); needs the planner lock.
  using Moves = std::vector<std::pair<TicketId, CrewId>>;
  Moves moves_locked();
  // Writes moves to the store in one transaction; takes the planner lock only
  // to record the new owners.
  void write_moves(const Moves& moves);
  std::unique_lock<std::mutex> lock_first();
  void mark_dirty();
  void run();

  const Clock& clock_;
  const ServicePolicy& policy_;
  storage::TicketStore& tickets_;
  storage::CrewStore& crews_;
  ChangeSignal& signal_;
  std::chrono::milliseconds budget_;

  std::mutex mu_;  // the planner and known_ (the planner is not thread-safe)
  planner::Planner planner_;
  struct Known {
    CrewId owner;  // as stored
    TimePoint deadline;
  };
  std::map<TicketId, Known> known_;  // open tickets not yet reached
  // Rules §7: the earliest caller's deadline of each lead with linked
  // tickets, and each linked ticket's lead (not in known_: not planned).
  std::map<TicketId, TimePoint> fault_deadline_;
  std::map<TicketId, TicketId> lead_of_;
  TimePoint deadline_of(const Ticket& t) const;
  // The id whose plan answers for `id`: its lead when linked.
  const TicketId& planned_as(const TicketId& id) const;
  PlanView view_locked(const TicketId& id, const Known& known);
  std::map<CrewId, TimePoint> busy_until_;  // crews working on site
  PlanningStats stats_;

  struct PendingInsert {
    const Ticket* ticket = nullptr;  // the caller's, until done
    CrewId crew;                     // the plan's choice; empty: the desk
    PlanView view;
  };
  void place_batch(BatchQueue<PendingInsert>::Batch& batch);
  BatchQueue<PendingInsert> intake_;  // batched intake (see place_new)

  std::mutex dirty_mu_;
  std::condition_variable dirty_cv_;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point dirty_since_, last_event_;
  std::atomic<bool> stop_{false};
  // Callers waiting for the planner; the re-planner steps aside between slices
  // (std::mutex is not fair: without this a request could wait out a whole
  // re-plan budget).
  std::atomic<int> waiting_{0};
  std::thread thread_;
};

}  // namespace linecrew::app
