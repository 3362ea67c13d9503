// The simulator's report: what each run measured, the math over it, and the
// side-by-side text of Linecrew against the baseline dispatcher.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/compliance.h"
#include "linecrew/core/time.h"
#include "linecrew/core/zone_class.h"

namespace linecrew::sim {

// Arrival figures of one zone class.
struct ZoneFigures {
  std::uint32_t tickets = 0;   // reported in the scenario period
  std::uint32_t arrivals = 0;  // reached by a crew
  std::uint32_t on_time = 0;   // arrival <= original deadline
  std::uint32_t late_excused = 0;
  std::uint32_t violations = 0;  // late without a valid excuse, or not reached by the effective deadline
  double on_time_rate() const { return arrivals ? static_cast<double>(on_time) / arrivals : 0.0; }
};

// The simulator's own record of one ticket.
struct TicketOutcome {
  ZoneClass zone = ZoneClass::kUrban;
  TimePoint deadline;
  std::optional<TimePoint> arrival;     // the first crew's
  std::vector<ContactRecord> contacts;  // every delay call logged on the ticket, by any crew
  std::string crew;                     // the crew that arrived
  // One fault, many callers. The scenario's true fault of the call (nullopt: a fault of its own); the crews
  // whose own arrival at this ticket the server applied (a linked ticket's arrival is its lead's, mirrored:
  // no crew drove to it); whether the server linked it to a lead (fault_ticket_id), and to a lead about
  // the same true fault.
  std::optional<std::uint32_t> fault;
  std::vector<std::string> visitors;
  bool linked = false;
  bool linked_same_fault = false;
};

// The true faults with several callers (the scenario's ground truth) and how a run served them.
struct FaultFigures {
  std::uint32_t faults = 0;  // true faults with two or more calls
  std::uint32_t calls = 0;   // their calls
  // Crew visits: calls of those faults a crew drove to and arrived at itself, summed over the faults;
  // crews: the distinct crews that arrived at each fault, summed over the faults.
  std::uint32_t visits = 0, crews = 0;
  std::uint32_t reached = 0, on_time = 0;  // their calls with an arrival (own or mirrored), on time
  std::uint32_t linked = 0;                // every call the server linked to a lead (any fault)
  std::uint32_t linked_elsewhere = 0;      // of those, linked to a lead about another true fault
  double crews_per_fault() const { return faults ? static_cast<double>(crews) / faults : 0.0; }
  double on_time_rate() const { return reached ? static_cast<double>(on_time) / reached : 0.0; }
};

// Latency samples in milliseconds.
struct Samples {
  std::vector<double> ms;
  void add(double v) { ms.push_back(v); }
  std::size_t count() const { return ms.size(); }
  double mean() const;
  double percentile(double p) const;  // p in [0, 1]; 0 when empty
};

struct RunReport {
  std::string policy;  // "linecrew" or "baseline"
  double wall_seconds = 0;
  // Where the wall time went (seconds): crews (handheld code + their syncs), the
  // desk's CreateTicket / PinTicket calls, set-up and the end; CPU of both processes.
  double crews_seconds = 0, desk_seconds = 0, setup_seconds = 0, finish_seconds = 0;
  double server_cpu_seconds = 0, sim_cpu_seconds = 0;
  std::size_t steps = 0;
  std::size_t crews = 0;
  // The simulator's own count (from the tickets it created and the arrivals its crews made).
  std::array<ZoneFigures, 3> sim{};
  // The server's GetReport over the scenario period.
  std::array<ZoneFigures, 3> server{};
  std::uint32_t server_late_arrivals = 0;
  std::uint32_t server_late_with_consent = 0;
  double server_delay_notice_compliance = 1.0;
  std::uint32_t server_violations = 0;
  // The server's escalations over the scenario period (rules §7): opened, still open (unacknowledged), by kind.
  std::uint32_t escalations_opened = 0, escalations_open = 0;
  std::map<std::string, std::uint32_t> escalations_by_kind;
  // The server's follow-ups (rules §7): opened (one per restoration and "cannot fix"), still owed past their
  // reply time at the end, overdue apologies sent. Nobody at a desk makes follow-up calls in a simulation.
  std::uint32_t follow_ups_opened = 0, follow_ups_overdue = 0, follow_up_apologies = 0;
  std::uint32_t unreached = 0;                           // tickets no crew reached by the end of the drain
  FaultFigures faults;                                   // one fault, many callers (from the outcomes)
  std::vector<double> lateness_min;                      // late arrivals: arrival - original deadline, minutes
  std::map<std::string, std::uint32_t> tickets_by_crew;  // arrivals per crew
  // Delay calls made by the crews on the watcher's prompts.
  std::uint32_t prompts = 0, calls_consent = 0, calls_refused = 0, calls_unreachable = 0;
  std::uint32_t pins = 0;  // baseline: PinTicket calls
  // Planner: CreateTicket latency includes the insertion into the plan; re-plans
  // are sampled from the server's /metrics (linecrew_replan_seconds).
  Samples create_ms;
  Samples replan_ms;
  std::uint64_t replans = 0;
  std::map<std::string, Samples> rpc_ms;  // client-side latency by call ("Pin", "sync", ...)
  std::map<std::string, std::pair<double, std::uint64_t>> server_rpc;  // method -> (seconds sum, count) from /metrics
  std::uint64_t sync_up_bytes = 0, sync_down_bytes = 0, syncs = 0, sync_failures = 0;
  // Pushes to handhelds (each makes the crew sync at its next step): from the desk's own calls (the
  // crew a CreateTicket / PinTicket assigned) and from the server's board stream (WatchBoard).
  std::uint64_t pushes_desk = 0, pushes_board = 0, board_updates = 0, board_reconnects = 0;
  std::size_t max_offline_outbox = 0;  // largest outbox a crew carried through a connectivity gap
  std::uint32_t uploaded_after_gap = 0;
  std::uint32_t arrivals_not_applied = 0;  // arrivals the server superseded (another crew's came first): not counted

  double lateness_mean() const;
  double lateness_p95() const;
  double tickets_per_crew_mean() const;
  std::uint32_t tickets_per_crew_max() const;
  double delay_notice_compliance_sim() const;  // late arrivals excused / late arrivals
};

// Fills `sim` zone figures, lateness and the fault figures from the per-ticket
// outcomes, each judged by core's compliance rules (rules §2) at `now`.
void tally(RunReport& r, const std::vector<TicketOutcome>& outcomes, TimePoint now);

// on-time rate of `a` minus that of `b`, in percentage points.
double margin_pp(const ZoneFigures& a, const ZoneFigures& b);

// The side-by-side report (baseline may be absent).
std::string format_report(const RunReport& linecrew, const RunReport* baseline);

}  // namespace linecrew::sim
