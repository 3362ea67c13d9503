#include "linecrew/core/report.h"

#include <algorithm>

namespace linecrew {

namespace {
constexpr Duration kRepeatWindow = hours(24 * 30);
constexpr double kSameSiteMetres = 50.0;

std::optional<TimePoint> restored_at(const Ticket& t) {
  for (const auto& e : t.timeline)
    if (e.kind == "restored") return e.time;
  return std::nullopt;
}

// The restored tickets ordered by latitude, to find an earlier fix at the same
// site without comparing every pair of tickets (a storm's report covers tens
// of thousands). Two points within kSameSiteMetres differ by less than
// kSameSiteLatDeg of latitude (a great circle is never shorter than the
// meridian arc between the two parallels; 50 m is 0.00045 degrees).
class Fixes {
 public:
  explicit Fixes(const std::vector<Ticket>& tickets) {
    for (const Ticket& t : tickets)
      if (const auto fixed = restored_at(t)) fixes_.push_back({t.location.lat(), &t, *fixed});
    std::sort(fixes_.begin(), fixes_.end(), [](const Fix& a, const Fix& b) { return a.lat < b.lat; });
  }

  // An earlier ticket at the same site was fixed within the window before `t` was reported.
  bool repeat(const Ticket& t) const {
    const double lat = t.location.lat();
    auto it = std::lower_bound(fixes_.begin(), fixes_.end(), lat - kSameSiteLatDeg,
                               [](const Fix& f, double v) { return f.lat < v; });
    for (; it != fixes_.end() && it->lat <= lat + kSameSiteLatDeg; ++it) {
      const Ticket& other = *it->ticket;
      if (&other == &t || other.first_contact >= t.first_contact) continue;
      if (it->fixed <= t.first_contact && t.first_contact - it->fixed <= kRepeatWindow &&
          distance_m(other.location, t.location) <= kSameSiteMetres)
        return true;
    }
    return false;
  }

 private:
  static constexpr double kSameSiteLatDeg = 0.0005;
  struct Fix {
    double lat;
    const Ticket* ticket;
    TimePoint fixed;
  };
  std::vector<Fix> fixes_;
};
}  // namespace

Report build_report(const std::vector<Ticket>& in_range, const std::vector<Ticket>& open_now, TimePoint from,
                    TimePoint to, TimePoint now, const ServicePolicy& policy) {
  Report r;
  r.from = from;
  r.to = to;
  const Fixes fixes(in_range);
  for (const Ticket& t : in_range) {
    if (t.first_contact < from || t.first_contact >= to) continue;
    if (t.status == TicketStatus::kCancelled && !t.arrival) continue;  // withdrawn before arrival
    ZoneFigures& z = r.by_zone[static_cast<std::size_t>(t.zone_class)];
    const ComplianceVerdict v = t.compliance(now);
    if (t.arrival) {
      ++z.arrivals;
      if (*t.arrival > t.deadline) {
        ++r.late_arrivals;
        if (t.effective_deadline() != t.deadline) ++r.late_with_timely_consent;
      }
    }
    switch (v.compliance) {
      case Compliance::kOnTime:
        ++z.on_time;
        break;
      case Compliance::kLateExcused:
        ++z.late_excused;
        break;
      case Compliance::kViolation: {
        ++z.violations;
        std::optional<DelayReason> cause;
        if (!t.contacts.empty())
          cause = std::max_element(t.contacts.begin(), t.contacts.end(), [](const auto& a, const auto& b) {
                    return a.time < b.time;
                  })->reason;
        r.violations.push_back(
            {t.id, t.zone_class, t.deadline, v.effective_deadline, t.arrival, v.late_by, cause, v.reason});
        break;
      }
      case Compliance::kPending:
        break;
    }
    if (fixes.repeat(t)) ++r.repeat_visits;
    for (const Escalation& e : t.escalations) r.escalations.add(e);
    for (const FollowUp& f : t.follow_ups) r.follow_ups.add(f, now);
    for (const Complaint& c : t.complaints) r.complaints.add(c);
  }
  std::sort(r.violations.begin(), r.violations.end(),
            [](const Violation& a, const Violation& b) { return a.deadline < b.deadline; });
  for (const Ticket& t : open_now) {
    if (is_terminal(t.status)) continue;
    const TimePoint last = last_progress(t);
    if (now - last > policy.stalled_after) r.stalled.push_back({t.id, t.status, t.owner, last, now - last});
  }
  return r;
}

}  // namespace linecrew
