// What the reports measure (rules §6), computed from tickets alone.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"

namespace linecrew {

struct ZoneFigures {
  std::uint32_t arrivals = 0;
  std::uint32_t on_time = 0;
  std::uint32_t late_excused = 0;
  std::uint32_t violations = 0;  // late arrivals without excuse, and overdue tickets not reached
  double on_time_rate() const { return arrivals ? double(on_time) / arrivals : 0.0; }
  double compliant_rate() const { return arrivals ? double(on_time + late_excused) / arrivals : 0.0; }
};

struct Violation {
  TicketId ticket;
  ZoneClass zone_class;
  TimePoint deadline;
  TimePoint effective_deadline;
  std::optional<TimePoint> arrival;
  Duration late_by;
  std::optional<DelayReason> cause;  // of the last contact attempt, if any
  std::string reason;
};

struct Stalled {
  TicketId ticket;
  TicketStatus status;
  CrewId owner;
  TimePoint last_progress;
  Duration stalled_for;
};

struct Report {
  TimePoint from;
  TimePoint to;
  std::array<ZoneFigures, 3> by_zone{};  // indexed by ZoneClass
  std::uint32_t late_arrivals = 0;
  std::uint32_t late_with_timely_consent = 0;
  double delay_notice_compliance() const {
    return late_arrivals ? double(late_with_timely_consent) / late_arrivals : 1.0;
  }
  std::vector<Violation> violations;  // ordered by deadline
  std::vector<Stalled> stalled;       // open tickets without progress for policy.stalled_after
  std::uint32_t repeat_visits = 0;    // reported within 30 days of an earlier fix within 50 m
  EscalationFigures escalations;      // of the tickets in range (rules §7): by kind, open, time to acknowledge
  FollowUpFigures follow_ups;         // of the tickets in range (rules §7): in time, overdue, satisfaction
  ComplaintFigures complaints;        // about the tickets in range (rules §7): by cause, time to satisfaction
};

// `in_range`: tickets whose first contact is in [from, to) (others are
// ignored); `open_now`: the tickets open now (stalls are not limited to the
// range). Repeat visits are found among the tickets in range.
Report build_report(const std::vector<Ticket>& in_range, const std::vector<Ticket>& open_now, TimePoint from,
                    TimePoint to, TimePoint now, const ServicePolicy& policy);

}  // namespace linecrew
